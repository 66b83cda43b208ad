"""python -m corpus PATH... [--store DIR] [--workers N] [--remove DOC] [--dry-run --json]"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


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
    from stores.facts import StoreUnavailable
    from stores.vectors import VectorUnavailable
    settings = load_settings(load_sample="0").with_store(args.store)
    try:
        return run(settings, args)
    except (StoreUnavailable, VectorUnavailable) as e:
        print(f"失败 FAILED: 存储不可用，未导入任何文件 / store unavailable, nothing ingested: {e}")
        return 1
    except OSError as e:
        print(f"失败 FAILED: 无法写入存储目录（{e.strerror}）/ cannot write the store: {e}")
        return 1


def run(settings, args) -> int:
    from corpus.load import ingest_paths, remove
    from stores import open_stores
    stores = open_stores(settings)
    if args.remove:
        names = remove(stores, args.remove)
        print(f"已删除 removed: {', '.join(names) or '（无匹配 nothing matched）'}")
        return 0 if names else 1
    failed = 0
    for r in ingest_paths(stores, args.paths, workers=args.workers):
        if not r.ok:
            failed += 1
            print(f"失败 FAILED {r.file}: {r.error}")
        elif r.skipped:
            print(f"跳过 skipped {r.file}: {r.error or '未变化 unchanged'}")
        else:
            print(f"成功 OK {r.file}: {r.doc_id} facts={r.facts} chunks={r.chunks}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
