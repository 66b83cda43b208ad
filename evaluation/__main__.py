"""python -m evaluation [--store DIR] [--out report.json] [--doc DOC_ID] [--sample N] [--show N]"""
from __future__ import annotations

import argparse
import json
import sys
import time


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m evaluation",
                                description="生成式评测：按文件的事实自动出题并报告 / the generated evaluation")
    p.add_argument("--store", help="store folder (default: BUDGETQA_STORE)")
    p.add_argument("--out", help="also write the report as JSON to this file")
    p.add_argument("--doc", action="append", default=[], help="only this document id (repeatable)")
    p.add_argument("--sample", type=int, help="at most N questions per document, family and variant")
    p.add_argument("--show", type=int, default=5, help="wrong answers shown per document (default 5)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from config import load_settings
    from evaluation.collect import skipped_of, sources_to_probes, store_to_sources
    from evaluation.report import outcomes_to_report, report_to_text
    from evaluation.run import run_probes
    from retrieval.engine import Engine
    engine = Engine(load_settings().with_store(args.store))
    sources = store_to_sources(engine.stores.facts, set(args.doc) or None)
    if not sources:
        print("存储中没有可评测的文件 / no documents to evaluate in the store", file=sys.stderr)
        return 1
    caps = {f: args.sample for f in ("row", "named", "colloquial", "two", "notfound")} if args.sample else None
    probes = sources_to_probes(sources, caps)
    start = time.perf_counter()
    report = outcomes_to_report(run_probes(engine, probes), skipped_of(sources), args.show)
    report["seconds"] = round(time.perf_counter() - start, 1)
    print(report_to_text(report))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
