"""python -m audit (or python -m retrieval audit) [--doc DOC] [--json] [--store DIR] [--csv FILE] [--xlsx FILE] [--file PATH …]

Audits the documents of a store (all, or one with --doc), or files read directly with --file (a
disclosure in two files is joined). Exit code: 0 no 错误 found, 1 错误 found, 2 nothing to audit."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from audit import ERROR, audit_document
from audit.model import Finding
from prompts.audit_zh import CLI as UI
from schema import Document
from stores import StoreMissing, open_error_line
from stores.facts import StoreUnavailable


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m audit", description="一致性核查 / consistency audit")
    p.add_argument("--doc", help="document id (default: every document in the store)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--store", help="store folder (default: BUDGETQA_STORE)")
    p.add_argument("--file", action="append", default=[], help="audit this PDF/text file directly (repeatable)")
    p.add_argument("--csv", help="also write the findings to this CSV file")
    p.add_argument("--xlsx", help="also write the findings to this XLSX file")
    return p.parse_args(argv)


def files_to_inputs(paths: list[str]) -> list[tuple[Document, list, list, list]]:
    """Parse files; a file without a year joins the document of the same body that states one."""
    from ingest.identity import unify_identity
    from ingest.pipeline import parse_file
    parsed = sorted((parse_file(p) for p in paths), key=lambda x: x.document.year is None)
    docs: dict[str, list] = {}
    for x in parsed:
        x = unify_identity(x, [v[0] for v in docs.values()])
        d = x.document
        if d.doc_id in docs:
            docs[d.doc_id][1] += list(x.facts)
            docs[d.doc_id][2] += list(x.lines)
            docs[d.doc_id][3] += list(x.tables)
        else:
            docs[d.doc_id] = [d, list(x.facts), list(x.lines), list(x.tables)]
    return [tuple(v) for v in docs.values()]


def store_to_inputs(store, doc_id: str | None):
    return [(d, store.facts(d.doc_id), store.lines(d.doc_id), store.tables(d.doc_id))
            for d in store.documents() if doc_id in (None, d.doc_id)]


def open_store(store_dir: str | None):
    """The fact store; one named with --store must exist (a misspelt one is not created)."""
    from config import load_settings
    from stores import open_facts
    return open_facts(load_settings().with_store(store_dir), must_exist=store_dir is not None)


def findings_to_text(doc: Document, findings: list[Finding]) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    lines = [UI["head"].format(title=doc.title, errors=errors, hints=len(findings) - errors)]
    if doc.is_template:
        lines.append(UI["template"])
    elif not findings:
        lines.append(UI["none"])
    for n, f in enumerate(findings, 1):
        page = f" 第{f.page}页" if f.page else ""
        lines.append(UI["line"].format(n=n, severity=f.severity, family=f.family_name, page=page, message=f.message))
        for c in f.citations:
            cp = f" 第{c.page}页" if c.page else ""
            lines.append(UI["cite"].format(where=c.table or c.section or "", page=cp, text=c.text[:120]))
    return "\n".join(lines)


def audit_main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        inputs = files_to_inputs(args.file) if args.file else store_to_inputs(open_store(args.store), args.doc)
    except (StoreMissing, StoreUnavailable) as e:
        print(open_error_line(e, Path(args.store or "")), file=sys.stderr)
        return 2
    inputs = [x for x in inputs if args.doc in (None, x[0].doc_id)]
    if not inputs:
        print(UI["no_docs"], file=sys.stderr)
        return 2
    results = [(d, audit_document(d, facts, lines, tables)) for d, facts, lines, tables in inputs]
    everything = [f for _, fs in results for f in fs]
    if args.json:
        print(json.dumps([{"doc_id": d.doc_id, "title": d.title, "findings": [f.to_json() for f in fs]}
                          for d, fs in results], ensure_ascii=False, indent=1))
    else:
        print("\n\n".join(findings_to_text(d, fs) for d, fs in results))
    _write_exports(args, everything)
    return 1 if any(f.severity == ERROR for f in everything) else 0


def _write_exports(args, findings: list[Finding]) -> None:
    from stores.export import findings_to_csv, findings_to_xlsx
    if args.csv:
        Path(args.csv).write_text(findings_to_csv(findings), encoding="utf-8-sig")
        print(UI["written"].format(n=len(findings), path=args.csv), file=sys.stderr)
    if args.xlsx:
        Path(args.xlsx).write_bytes(findings_to_xlsx(findings))
        print(UI["written"].format(n=len(findings), path=args.xlsx), file=sys.stderr)
