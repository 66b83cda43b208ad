"""python bench/ingest_bench.py [--pages 300] [--workers 2]

PDF ingest speed and memory. Each measurement runs in a fresh child process, so its peak memory is
its own:
  1. a generated ~300-page disclosure (a 教育局 budget with its schools' 单位 tables), written as PDF
     by tests/pdfgen.py: parse only, then parse + embed + store. Targets: >= 20 pages/s, < 1 GB.
  2. the real PDFs in ../shared/corpus/real/ when present: each parsed alone, then all ingested into
     one store with --workers.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SHARED, machine, peak_rss_mb  # noqa: E402

REAL = SHARED / "corpus" / "real"


# ---------------------------------------------------------------- the big disclosure
def big_disclosure_text(units: int, seed: int = 3) -> str:
    """A department budget followed by `units` subordinate schools' own tables (单位名称：…)."""
    from bench.corpus_model import build_model, model_for
    from bench.corpus_spec import DEPARTMENTS, DISTRICTS
    from bench.corpus_text import economic_table, model_to_text, project_table, spending_table, summary_table
    dept = next(d for d in DEPARTMENTS if d.name == "教育局")
    main = model_for(seed, DISTRICTS[0], dept, 2026, "预算")
    parts = [model_to_text(main, build_model(seed, DISTRICTS[0], dept, 2025, "预算"))]
    for i in range(units):
        m = build_model(seed + i + 1, DISTRICTS[0], dept, 2026, "预算")
        m.body = f"{main.body[:-3]}第{i + 1}小学"
        tables = [summary_table(m, None, "2026年预算收支总表"), spending_table(m, None, "2026年预算支出总表"),
                  economic_table(m, None, "2026年一般公共预算安排基本支出分经济科目表（不含上年结转）"),
                  project_table(m, None, "2026年项目支出预算表（本年预算）")]
        lines = [f"所属单位预算：{m.body}"] + [x.replace("部门名称：", "单位名称：") for t in tables for x in t + [""]]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def write_big_pdf(folder: Path, pages: int) -> Path | None:
    try:
        from bench.pdfgen import text_to_pdf
    except ImportError:
        return None
    from bench.make_corpus import pdf_pages
    path = folder / "big-disclosure.pdf"
    units = 20
    for _ in range(3):     # the layout decides pages per unit: measure once, then scale
        text_to_pdf(big_disclosure_text(units), path)
        got = pdf_pages(path)
        if abs(got - pages) <= pages * 0.05:
            break
        units = max(1, round(units * pages / got))
    return path


# ---------------------------------------------------------------- child processes
def child(mode: str, args: list[str]) -> None:
    from config import load_settings
    if mode == "parse":
        from ingest.pipeline import parse_file
        path = Path(args[0])
        t = time.perf_counter()
        parsed = parse_file(path)
        out = {"seconds": time.perf_counter() - t, "pages": parsed.document.pages or 0,
               "facts": len(parsed.facts), "chunks": len(parsed.chunks)}
    else:
        from corpus.load import ingest_paths
        from stores import open_stores
        store, workers, paths = Path(args[0]), int(args[1]), [Path(p) for p in args[2:]]
        stores = open_stores(load_settings(store_dir=store, load_sample=False))
        stores.vectors.embedder.embed(["预热"])
        t = time.perf_counter()
        results = ingest_paths(stores, paths, workers=workers)
        out = {"seconds": time.perf_counter() - t, "pages": sum(r.pages for r in results if r.ok),
               "facts": sum(r.facts for r in results), "chunks": sum(r.chunks for r in results),
               "failed": [f"{Path(r.file).name}: {r.error}" for r in results if not r.ok]}
    me, kids = peak_rss_mb()
    print(json.dumps({**out, "rss_mb": round(me), "worker_rss_mb": round(kids)}, ensure_ascii=False))


def measure(mode: str, *args) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, *map(str, args)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parent.parent)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(name: str, r: dict, target: str = "") -> str:
    if "error" in r:
        return f"{name}: FAILED {r['error']}"
    rate = r["pages"] / r["seconds"] if r["seconds"] and r["pages"] else 0
    failed = f"; failed: {'; '.join(r['failed'])}" if r.get("failed") else ""
    return (f"{name}: {r['pages']} pages in {r['seconds']:.1f} s = {rate:.1f} pages/s{target}; peak {r['rss_mb']} MB"
            f"{' (workers ' + str(r['worker_rss_mb']) + ' MB)' if r.get('worker_rss_mb') else ''}; "
            f"{r['facts']} facts, {r['chunks']} chunks{failed}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2:])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", type=int, default=300)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--real", type=Path, default=REAL)
    args = p.parse_args(argv)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="budgetqa-ingest-bench-") as tmp:
        tmp = Path(tmp)
        big = write_big_pdf(tmp, args.pages)
        if big is None:
            print("generated PDF: skipped, tests/pdfgen.py does not exist yet")
        else:
            print(line(f"generated PDF {big.name} parse", measure("parse", big), " (target >= 20, < 1024 MB)"))
            print(line(f"generated PDF {big.name} parse+embed+store", measure("ingest", tmp / "s1", 1, big)))
        real = sorted(args.real.glob("*.pdf")) if args.real.exists() else []
        if not real:
            print(f"real PDFs: none in {args.real}")
        for pdf in real:
            print(line(f"real {pdf.name} parse", measure("parse", pdf)))
        if real:
            print(line(f"real PDFs ({len(real)}) parse+embed+store, {args.workers} workers",
                       measure("ingest", tmp / "s2", args.workers, *real)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
