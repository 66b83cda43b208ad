"""python -m corpus PATH... [--store DIR] [--workers N] [--remove DOC] [--dry-run --json] [--reread] [FILE --as 单位,年度,类别]

One line per file in Chinese words (what was kept, under which document, joined with which and why), then
one summary line: 新增 N 份, 替换 N 份, 合并 N 组, 失败 N 个 with the reasons."""
from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path

from prompts.ingest_zh import SAY
from prompts.store_zh import CLI, INGEST


def fact_to_json(f) -> dict:
    return {"doc": f.doc, "table": f.table, "table_name": f.table_name, "table_no": f.table_no,
            "section": f.section, "page": f.page, "code": f.code, "level": f.level, "parent": f.parent,
            "label": f.label, "column": f.column, "value": None if f.value is None else str(f.value),
            "raw": f.raw, "unit": f.unit, "text": f.text, "kind": f.kind, "file": f.file}


def dry_run(paths: list[Path], as_json: bool) -> int:
    """Read only: the facts as JSON lines, or per file its document and where its identity is printed."""
    from corpus.load import expand_paths
    from ingest.errors import IngestError, NotADisclosure
    from ingest.pipeline import read_file
    failed = 0
    for path in expand_paths(paths):
        try:
            reading = read_file(path)
        except NotADisclosure as e:
            print(f"跳过 skipped {path}: {e}", file=sys.stderr)
            continue
        except IngestError as e:
            print(f"失败 FAILED {path}: {e.reason_zh} / {e.reason_en}", file=sys.stderr)
            failed += 1
            continue
        parsed = reading.parsed
        if as_json:
            for f in parsed.facts:
                print(json.dumps(fact_to_json(f), ensure_ascii=False))
        else:
            d = parsed.document
            print(f"{path}：{d.title} [{d.doc_id}]，{len(parsed.facts)} 个数字，{len(parsed.chunks)} 段文字"
                  + ("（空白表样，不会导入）" if d.is_template else "") + "；" + "；".join(reading.evidence))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m corpus", description="导入预算/决算公开文件 / ingest disclosures")
    p.add_argument("paths", nargs="*", type=Path, help="PDF or text files, or folders")
    p.add_argument("--store", help="store folder (default: BUDGETQA_STORE or ./data/store)")
    p.add_argument("--workers", type=int, default=1, help="parser processes")
    p.add_argument("--remove", metavar="DOC", help="delete a document (doc id) or a file name from the store")
    p.add_argument("--dry-run", action="store_true", help="parse only, write nothing")
    p.add_argument("--json", action="store_true", help="with --dry-run: print facts as JSON lines")
    p.add_argument("--reread", action="store_true", help="re-read the stored files an older parser read")
    p.add_argument("--as", dest="as_", metavar="单位,年度,类别",
                   help="staff: file FILE under this identity, e.g. 某某大学,2023,部门预算 (kept for re-ingest)")
    args = p.parse_args(argv)
    if args.as_ is not None:
        from corpus.load import parse_as
        try:
            parse_as(args.as_)
        except ValueError as e:
            print(f"失败 FAILED: {e}")
            return 2
        if len(args.paths) != 1 or args.paths[0].is_dir():
            print(f"失败 FAILED: {SAY['as_needs_one_file']}")
            return 2
        if not args.paths[0].is_file():
            print(CLI["failed"].format(file=args.paths[0], error=INGEST["not_found"]))
            return 1
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
    from corpus.load import correct, ingest_paths, remove, reread, stale_count
    from stores import open_stores
    stores = open_stores(settings, must_exist=bool(args.remove or args.reread))
    if args.remove:
        names = remove(stores, args.remove)
        print(CLI["removed"].format(names=", ".join(names) or CLI["removed_none"]))
        return 0 if names else 1
    if args.reread:
        results, changes = reread(stores, workers=args.workers)
        return report(results, changes=changes)
    if args.as_ is not None:
        return report(correct(stores, args.paths[0], args.as_))
    results = ingest_paths(stores, args.paths, workers=args.workers)
    code = report(results)
    if stale := stale_count(stores):
        print(SAY["stale"].format(n=stale))
    return code


def report(results, changes: list[dict] | None = None) -> int:
    for r in results:
        print(result_line(r))
    if changes is not None:
        from ingest.pipeline import PARSER_VERSION
        if not results:
            print(SAY["reread_none"].format(version=PARSER_VERSION))
        for c in changes:
            what = [SAY["reread_identity"].format(before=c["before"], after=c["after"])] if c["before"] != c["after"] else []
            what += [SAY["reread_figures"].format(n=c["figures"])] if c["figures"] else []
            print(SAY["reread_changed"].format(file=c["file"], what="，".join(what)))
        if results and not changes:
            print(SAY["reread_same"].format(n=len(results)))
    print(summary_line(results))
    return 1 if any(not r.ok for r in results) else 0


def result_line(r) -> str:
    """One line per file: what was kept, under which document, and what it replaced, joined or needs."""
    if not r.ok:
        return CLI["failed"].format(file=r.file, error=r.error)
    if r.skipped:
        return CLI["skipped"].format(file=r.file, why=r.error or INGEST["unchanged"])
    line = SAY["ok"].format(file=r.file, doc=r.doc_id, facts=r.facts, chunks=r.chunks)
    if r.extra.get("stored_as") and r.extra["stored_as"] != r.name:
        line += CLI["stored_as"].format(name=r.extra["stored_as"])
    if r.extra.get("replaced"):
        line += CLI["replaced"]
    if r.extra.get("reread"):
        line += SAY["reread"]
    if r.extra.get("corrected"):
        line += SAY["corrected_line"]
    if r.extra.get("unconfirmed") and "joined_into" not in r.extra:
        line += SAY["unconfirmed"].format(name=r.extra["unconfirmed"])
    if r.extra.get("joined_into"):
        line += SAY["joined_into"].format(**r.extra["joined_into"])
    for doc in r.extra.get("joined", []):
        line += SAY["joined_from"].format(doc=doc, why=r.extra.get("join_why", {}).get(doc, ""))
    if r.extra.get("together"):
        line += SAY["together"].format(files="、".join(r.extra["together"]))
    return line


def summary_line(results) -> str:
    """共 N 个文件：新增 N 份 (documents written anew), 替换 N 份, 合并 N 组 (documents of several files), …,
    失败 N 个（reasons）."""
    written = [r for r in results if r.ok and not r.skipped]
    failed = [r for r in results if not r.ok]
    joins = {r.doc_id for r in written if r.extra.get("joined_into") or r.extra.get("joined") or r.extra.get("together")}
    reasons = dict.fromkeys(r.error.split(" / ")[0] for r in failed)
    line = SAY["summary"].format(
        files=len(results), new=len({r.doc_id for r in written if not any(r.extra.get(k) for k in ("replaced", "reread", "corrected"))}),
        replaced=sum(1 for r in written if r.extra.get("replaced")), joined=len(joins),
        reread=sum(1 for r in written if r.extra.get("reread")), skipped=sum(1 for r in results if r.ok and r.skipped),
        failed=len(failed))
    if reasons:
        line += SAY["summary_reasons"].format(reasons="；".join(reasons))
    corrected = sum(1 for r in written if r.extra.get("corrected"))
    line += SAY["corrected_count"].format(n=corrected) if corrected else ""
    review = {r.doc_id for r in written if r.extra.get("unconfirmed") and "joined_into" not in r.extra}
    return line + (SAY["review_count"].format(n=len(review)) if review else "")



if __name__ == "__main__":
    sys.exit(main())
