"""python -m corpus PATH... [--store DIR] [--workers N] [--remove DOC] [--dry-run --json]"""
from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path

from prompts.store_zh import CLI, INGEST


def fact_to_json(f) -> dict:
    return {"doc": f.doc, "table": f.table, "table_name": f.table_name, "table_no": f.table_no,
            "section": f.section, "page": f.page, "code": f.code, "level": f.level, "parent": f.parent,
            "label": f.label, "column": f.column, "value": None if f.value is None else str(f.value),
            "raw": f.raw, "unit": f.unit, "text": f.text, "kind": f.kind, "file": f.file}


def dry_run(paths: list[Path], as_json: bool) -> int:
    from corpus.load import expand_paths
    from ingest.errors import IngestError
    from ingest.pipeline import parse_file
    failed = 0
    for path in expand_paths(paths):
        try:
            parsed = parse_file(path)
        except IngestError as e:
            print(f"失败 FAILED {path}: {e.reason_zh} / {e.reason_en}", file=sys.stderr)
            failed += 1
            continue
        if as_json:
            for f in parsed.facts:
                print(json.dumps(fact_to_json(f), ensure_ascii=False))
        else:
            d = parsed.document
            print(f"{path}: {d.title} [{d.doc_id}] facts={len(parsed.facts)} chunks={len(parsed.chunks)}"
                  + (" (template)" if d.is_template else ""))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m corpus", description="导入预算/决算公开文件 / ingest disclosures")
    p.add_argument("paths", nargs="*", type=Path, help="PDF or text files, or folders")
    p.add_argument("--store", help="store folder (default: BUDGETQA_STORE or ./data/store)")
    p.add_argument("--workers", type=int, default=1, help="parser processes")
    p.add_argument("--remove", metavar="DOC", help="delete a document (doc id) or a file name from the store")
    p.add_argument("--dry-run", action="store_true", help="parse only, write nothing")
    p.add_argument("--json", action="store_true", help="with --dry-run: print facts as JSON lines")
    args = p.parse_args(argv)
    if args.dry_run:
        return dry_run(args.paths, args.json)
    from config import load_settings
    from stores import StoreMissing, open_error_line
    from stores.facts import DiskFull, StoreUnavailable
    from stores.vectors import VectorDiskFull, VectorUnavailable
    settings = load_settings(load_sample="0").with_store(args.store)
    try:
        return run(settings, args)
    except StoreMissing as e:           # --remove on a store that is not there
        print(open_error_line(e, settings.store_dir))
    except (DiskFull, VectorDiskFull):
        print(CLI["disk_full"])
    except (StoreUnavailable, VectorUnavailable) as e:
        print(CLI["store_down"].format(detail=e))
    except OSError as e:
        print(CLI["disk_full"] if e.errno == errno.ENOSPC else CLI["cannot_write"].format(reason=e.strerror, detail=e))
    return 1


def run(settings, args) -> int:
    from corpus.load import ingest_paths, remove
    from stores import open_stores
    stores = open_stores(settings, must_exist=bool(args.remove))
    if args.remove:
        names = remove(stores, args.remove)
        print(CLI["removed"].format(names=", ".join(names) or CLI["removed_none"]))
        return 0 if names else 1
    results = ingest_paths(stores, args.paths, workers=args.workers)
    for r in results:
        print(result_line(r))
    return 1 if any(not r.ok for r in results) else 0


def result_line(r) -> str:
    """One line per file: what was kept, under which name, and what it replaced or joined."""
    if not r.ok:
        return CLI["failed"].format(file=r.file, error=r.error)
    if r.skipped:
        return CLI["skipped"].format(file=r.file, why=r.error or INGEST["unchanged"])
    line = CLI["ok"].format(file=r.file, doc=r.doc_id, facts=r.facts, chunks=r.chunks)
    if r.extra.get("stored_as") and r.extra["stored_as"] != r.name:
        line += CLI["stored_as"].format(name=r.extra["stored_as"])
    if r.extra.get("replaced"):
        line += CLI["replaced"]
    if r.extra.get("joined"):
        line += CLI["joined"].format(names="、".join(r.extra["joined"]))
    return line



if __name__ == "__main__":
    sys.exit(main())
