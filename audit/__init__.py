"""Consistency audit (核查) of one disclosure: pure checks over its facts, narrative lines and tables.

    findings = audit_document(document, facts, lines, tables)

Each family lives in its own module with `facts_and_lines_to_findings(view) -> list[Finding]`;
`view` is the document arranged once for all of them (audit.view).
"""
from __future__ import annotations

import importlib
from typing import Iterable

from audit.model import ERROR, FAMILIES, HINT, Finding, sort_findings
from audit.view import View, build_view
from schema import Document, Fact, Line, RawTable

FAMILY_MODULES = {
    "arithmetic": "audit.arithmetic",
    "cross_table": "audit.cross_table",
    "text_table": "audit.text_table",
    "percent": "audit.percent",
    "repeat": "audit.repeats",
    "identity": "audit.identity",
    "form": "audit.form",
}


def view_to_findings(view: View, families: Iterable[str] | None = None) -> list[Finding]:
    out: list[Finding] = []
    for family in families or FAMILY_MODULES:
        module = importlib.import_module(FAMILY_MODULES[family])
        out += module.facts_and_lines_to_findings(view)
    return sort_findings(out)


def audit_document(document: Document, facts: Iterable[Fact], lines: Iterable[Line] = (),
                   tables: Iterable[RawTable] = (), families: Iterable[str] | None = None) -> list[Finding]:
    """All findings for one document, 错误 before 提示, then by page. A blank template is not audited."""
    if document.is_template:
        return []
    return view_to_findings(build_view(document, list(facts), list(lines), list(tables)), families)


def audit_engine(engine, doc_id: str | None = None) -> dict[str, list[Finding]]:
    """Findings per document of a store (all documents, or one)."""
    docs = [d for d in engine.documents() if doc_id in (None, d.doc_id)]
    return {d.doc_id: audit_document(d, engine.facts(d.doc_id), engine.lines(d.doc_id), engine.tables(d.doc_id))
            for d in docs}


__all__ = ["ERROR", "HINT", "FAMILIES", "Finding", "audit_document", "audit_engine", "view_to_findings"]
