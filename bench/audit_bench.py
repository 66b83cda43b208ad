"""python bench/audit_bench.py [--pages 30] [--repeat 5]

Audit time per document (target <= 2 s for a 30-page disclosure). Parsing is not timed: each file
is parsed once, then `audit_document` runs --repeat times and the median and worst are printed.
Documents: the bundled sample, a generated ~30-page PDF disclosure (tests/pdfgen.py, when reportlab
is installed) and the real PDFs in ../shared/corpus/real/ when present (each text file joined with its -tables.pdf).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SHARED, machine  # noqa: E402

REAL = SHARED / "corpus" / "real"
TARGET_S = 2.0


def documents(pages: int, folder: Path) -> list[tuple[str, list[str]]]:
    from config import SAMPLE_DIR
    out = [(p.name, [str(p)]) for p in sorted(SAMPLE_DIR.glob("*.txt"))]
    from bench.ingest_bench import write_big_pdf
    big = write_big_pdf(folder, pages)
    if big:
        out.append((f"generated ~{pages}-page disclosure", [str(big)]))
    if REAL.exists():
        pdfs = sorted(REAL.glob("*.pdf"))
        tables = {p.name.replace("-tables.pdf", ".pdf"): p for p in pdfs if p.name.endswith("-tables.pdf")}
        out += [(p.name + (" (text + tables)" if p.name in tables else ""), [str(p)] + ([str(tables[p.name])]
                 if p.name in tables else [])) for p in pdfs if not p.name.endswith("-tables.pdf")]
    return out


def time_audit(paths: list[str], repeat: int):
    from dataclasses import replace

    from audit import audit_document
    from audit.cli import files_to_inputs
    runs, found, pages = [], 0, 0
    for d, facts, lines, tables in files_to_inputs(paths):
        d = replace(d, is_template=False)          # time the template's checks too
        pages += d.pages or 0
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            found = len(audit_document(d, facts, lines, tables))
            times.append(time.perf_counter() - t)
        runs.append(times)
    merged = [sum(x) for x in zip(*runs)]
    return statistics.median(merged), max(merged), found, pages


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"# audit bench · {machine()}")
    print(f"{'document':<52} {'pages':>5} {'findings':>8} {'median s':>9} {'worst s':>8}")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
        for name, paths in documents(args.pages, Path(tmp)):
            med, top, found, pages = time_audit(paths, args.repeat)
            worst = max(worst, top)
            print(f"{name[:52]:<52} {pages or '-':>5} {found:>8} {med:>9.3f} {top:>8.3f}")
    verdict = "OK" if worst <= TARGET_S else "SLOW"
    print(f"# worst {worst:.3f} s, target <= {TARGET_S} s per document: {verdict}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
