"""python bench/answer_bench.py [--questions ../shared/eval/seed_dev.jsonl] [--rounds 3]

Answer latency and memory on the bundled sample (embedded store, default embedder): ingests the sample
into a temp store, asks every question `rounds` times, prints p50/p95/max, peak memory and accuracy
(the rule of ../shared/eval/score.py). Targets: p50 <= 50 ms, p95 <= 400 ms.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SHARED, judge, machine, peak_rss_mb, percentile, read_jsonl  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=Path, default=SHARED / "eval" / "seed_dev.jsonl")
    p.add_argument("--rounds", type=int, default=3, help="times each question is asked (first round included)")
    args = p.parse_args(argv)
    if not args.questions.exists():
        print(f"{args.questions} not found (../shared is not beside the repo)")
        return 1
    from config import load_settings
    from service import open_engine
    questions = read_jsonl(args.questions)
    with tempfile.TemporaryDirectory(prefix="budgetqa-answer-bench-") as store:
        t = time.perf_counter()
        engine = open_engine(load_settings(store_dir=Path(store), load_sample=True))
        engine.documents()
        start = time.perf_counter() - t
        rss_loaded, _ = peak_rss_mb()
        times, first, right = [], [], 0
        for r in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                a = engine.ask(q["question"])
                ms = (time.perf_counter() - t) * 1000
                times.append(ms)
                if r == 0:
                    first.append(ms)
                    right += judge(q, a.to_json(q["id"]))
    rss, _ = peak_rss_mb()
    n = len(questions)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"start (ingest the sample, load models and indexes): {start:.1f} s, {rss_loaded:.0f} MB")
    print(f"{n} questions x {args.rounds}: p50 {percentile(times, 50):.1f} ms (target <= 50), "
          f"p95 {percentile(times, 95):.1f} ms (target <= 400), max {max(times):.1f} ms; "
          f"first round p50 {percentile(first, 50):.1f} / p95 {percentile(first, 95):.1f} ms")
    print(f"peak memory {rss:.0f} MB; accuracy {right}/{n} = {100 * right / n:.1f} % (score.py rule)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
