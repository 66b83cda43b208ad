"""Every question of the real sets, scored per body: right, wrong figure, not found.

    python -m evaluation.by_body --store DIR [--generated N] SET.jsonl ...

Each question of a set (the shared format: id, doc, question, answer_value …) is asked of one Engine over the
store, judged by the shared scorer (`../shared/eval/score.py`'s `judge`), and counted under the body of its
document. `--generated N` adds the generated evaluation (`python -m evaluation`) with at most N questions per
document, family and variant. A "wrong figure" is an answer that states a figure (answerable) for a question
whose right answer differs: the failure the product must not make; a "not found" is an answer that says so.

Nothing in the answering code is fitted on these sets (no weights are learned; the lexicon is a hand-written data
file), so the per-body figure is the figure for that body's documents and questions seen by a reader that was not
tuned on them only where the set was written after the code: the report says which sets were used while building.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SCORER = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "score.py"


@dataclass(frozen=True)
class Scored:
    body: str
    source: str         # the set's file stem, or "generated"
    right: bool
    wrong_figure: bool


def load_judge(path: Path = SCORER):
    spec = importlib.util.spec_from_file_location("shared_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.judge


def file_bodies(docs) -> dict[str, str]:
    """Each stored file name -> the body of its document."""
    return {f: d.body for d in docs for f in d.files}


def score_set(engine, path: Path, judge, bodies: dict[str, str], only: str | None = None) -> list[Scored]:
    """Each question of the set asked and judged (only those about the body `only`, when given)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        if only is not None and bodies.get(g["doc"], g["doc"]) != only:
            continue
        a = engine.ask(g["question"]).to_json(g["id"])
        right = bool(judge(g, a))
        out.append(Scored(bodies.get(g["doc"], g["doc"]), path.stem, right, not right and bool(a.get("answerable"))))
    return out


def score_generated(engine, cap: int, only: str | None = None) -> list[Scored]:
    from evaluation.collect import sources_to_probes, store_to_sources
    from evaluation.run import run_probes
    by_id = {d.doc_id: d.body for d in engine.documents()}
    caps = {f: cap for f in ("row", "named", "colloquial", "two", "notfound")}
    ids = {i for i, b in by_id.items() if b == only} if only is not None else None
    outcomes = run_probes(engine, sources_to_probes(store_to_sources(engine.stores.facts, ids), caps))
    return [Scored(by_id.get(o.probe.doc_id, o.probe.doc_id), "generated", o.correct,
                   not o.correct and o.answerable) for o in outcomes]


def table(rows: list[Scored]) -> str:
    by: dict[str, list[Scored]] = defaultdict(list)
    for r in rows:
        by[r.body].append(r)
    lines = ["| body | questions | right | wrong figure | not found |", "| --- | --- | --- | --- | --- |"]
    for body in sorted(by):
        lines.append(line_of(body, by[body]))
    lines.append(line_of("**all**", rows))
    return "\n".join(lines)


def line_of(name: str, rows: list[Scored]) -> str:
    n, right, wrong = len(rows), sum(r.right for r in rows), sum(r.wrong_figure for r in rows)
    return f"| {name} | {n} | {right} ({right / n:.0%}) | {wrong} ({wrong / n:.1%}) | {n - right - wrong} |"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evaluation.by_body", description="questions scored per body")
    p.add_argument("sets", nargs="+", type=Path)
    p.add_argument("--store", required=True)
    p.add_argument("--generated", type=int, default=0, help="generated questions per document, family and variant")
    p.add_argument("--scorer", type=Path, default=SCORER)
    args = p.parse_args(argv)
    from config import load_settings
    from retrieval.engine import Engine
    engine = Engine(load_settings().with_store(args.store))
    judge, bodies = load_judge(args.scorer), file_bodies(engine.documents())
    rows = [r for s in args.sets for r in score_set(engine, s, judge, bodies)]
    if args.generated:
        rows += score_generated(engine, args.generated)
    print(report(rows))
    return 0


def report(rows: list[Scored]) -> str:
    """The per-body table, then one line per set."""
    sources = dict.fromkeys(r.source for r in rows)
    return "\n".join([table(rows)] + [line_of(s, [r for r in rows if r.source == s]) for s in sources])


if __name__ == "__main__":
    sys.exit(main())
