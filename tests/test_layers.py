"""The tree shows the layers: each top-level package imports only the floors below it (read from the code's
own import statements), so storage sits below ingest and answering, the audit beside answering, the UI on top."""
from __future__ import annotations

import ast

from tests.conftest import ROOT

# what each part of the tree may import from the project (besides itself)
ALLOWED = {
    "schema": set(), "config": set(), "labels": set(), "vocabulary": set(), "prompts": set(),
    "ingest": {"schema", "labels", "vocabulary", "prompts"},
    "stores": {"schema", "config", "prompts"},
    "corpus": {"schema", "config", "prompts", "ingest", "stores"},
    "retrieval": {"schema", "config", "labels", "vocabulary", "prompts", "stores", "audit"},
    "audit": {"schema", "config", "labels", "vocabulary", "prompts", "ingest", "stores"},
    "evaluation": {"schema", "config", "labels", "vocabulary", "prompts", "retrieval", "stores", "corpus"},
    "service": {"schema", "config", "prompts", "corpus", "retrieval", "stores"},
}
PROJECT = {"schema", "config", "labels", "vocabulary", "prompts", "ingest", "stores", "corpus", "retrieval", "audit",
           "evaluation", "service", "app", "api", "pages", "widget", "bench", "tests"}
UI = {"app", "api", "pages", "streamlit"}


def imports_of(part: str) -> dict[str, set[str]]:
    """Top-level names each module of `part` imports (absolute imports; relative ones stay inside)."""
    files = [ROOT / f"{part}.py"] if (ROOT / f"{part}.py").exists() else sorted((ROOT / part).rglob("*.py"))
    out = {}
    for f in files:
        names = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        out[str(f.relative_to(ROOT))] = names
    return out


def test_each_layer_imports_only_the_layers_below_it():
    wrong = {f: sorted((names & PROJECT) - ALLOWED[part] - {part})
             for part in ALLOWED for f, names in imports_of(part).items()
             if (names & PROJECT) - ALLOWED[part] - {part}}
    assert not wrong, wrong


def test_no_core_module_imports_the_ui():
    core = [p for p in ALLOWED if p != "service"] + ["service"]
    wrong = {f: sorted(names & UI) for part in core for f, names in imports_of(part).items() if names & UI}
    assert not wrong, wrong


def test_answering_imports_no_ingest_code_and_the_audit_is_its_own_package():
    answering = imports_of("retrieval")
    assert not any("ingest" in names or "corpus" in names for names in answering.values())
    assert (ROOT / "audit" / "__init__.py").exists() and not (ROOT / "retrieval" / "audit").exists()
    assert not any(names & {"retrieval", "corpus"} for names in imports_of("ingest").values())
