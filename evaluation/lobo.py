"""Leave one body out: for every body, the ranker is fitted without its documents' questions and scored on them.

    python -m evaluation.lobo --real-store DIR [--sample-store DIR] [--generated N] SET.jsonl ...

The figure this prints is the honest one for documents the fitted weights never saw: per body, its questions of
the given sets and its generated questions, answered end to end (`Engine.ask`) with weights fitted on every other
body's questions (evaluation/fit.py), judged by the shared scorer. What is not held out is said in the README:
the hand-written data files (lexicon, vocabulary) were written while looking at some of these questions.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.by_body import file_bodies, line_of, load_judge, report, score_generated, score_set
from evaluation.fit import collect, engines, fit


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evaluation.lobo", description="leave-one-body-out evaluation")
    p.add_argument("sets", nargs="+", type=Path)
    p.add_argument("--real-store", required=True)
    p.add_argument("--sample-store")
    p.add_argument("--generated", type=int, default=2, help="generated questions per document, family and variant")
    args = p.parse_args(argv)
    from retrieval.rank import FEATURES, Ranker, using
    real, sample = engines(args.real_store, args.sample_store)
    examples = collect(real, sample, args.generated)
    judge, bodies = load_judge(), file_bodies(real.documents())
    rows = []
    for body in sorted({d.body for d in real.documents() if not d.is_template}):
        w, band = fit([e for e in examples if e.body != body])
        with using(Ranker(FEATURES, tuple(float(v) for v in w), 0.0, band)):
            held = [r for s in args.sets for r in score_set(real, s, judge, bodies, body)]
            held += score_generated(real, args.generated, body) if args.generated else []
        print(line_of(body, held), flush=True)
        rows += held
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
