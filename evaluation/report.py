"""Outcomes -> the report: per document its questions, correct answers, rate, rate per family, the first
wrong answers (question, expected, got) and the labels skipped by reason. Pure."""
from __future__ import annotations

from collections import defaultdict

from evaluation.records import Outcome, Probe

FAMILIES = ("row", "named", "colloquial", "two", "notfound")
SHOW_WRONG = 5


def expected_of(p: Probe) -> str:
    if not p.wants_figure:
        return "未找到 (not found)"
    return "；".join("|".join(f"{f.raw}{f.unit}" for f in figs) for figs in p.expect)


def tally(outcomes: list[Outcome]) -> dict:
    n, ok = len(outcomes), sum(o.correct for o in outcomes)
    return {"questions": n, "correct": ok, "rate": round(ok / n, 4) if n else None}


def wrong_of(o: Outcome) -> dict:
    return {"family": o.probe.family, "question": o.probe.question, "expected": expected_of(o.probe),
            "got": o.got, "about": o.probe.note}


def document_report(doc_id: str, outcomes: list[Outcome], skipped: dict[str, int], shown: int) -> dict:
    figure = [o for o in outcomes if o.probe.wants_figure]
    return {"doc_id": doc_id, **tally(outcomes),
            "figure_probes": tally(figure), "notfound_probes": tally([o for o in outcomes if not o.probe.wants_figure]),
            "families": {f: tally([o for o in outcomes if o.probe.family == f]) for f in FAMILIES},
            "skipped_labels": dict(skipped), "wrong": [wrong_of(o) for o in outcomes if not o.correct][:shown]}


def outcomes_to_report(outcomes: list[Outcome], skipped: dict[str, dict[str, int]], shown: int = SHOW_WRONG) -> dict:
    by_doc: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_doc[o.probe.doc_id].append(o)
    docs = [document_report(d, by_doc[d], skipped.get(d, {}), shown) for d in sorted(set(by_doc) | set(skipped))]
    return {"documents": docs, "total": tally(outcomes),
            "families": {f: tally([o for o in outcomes if o.probe.family == f]) for f in FAMILIES}}


def pct(t: dict) -> str:
    return "—" if t["rate"] is None else f"{t['correct']}/{t['questions']} ({t['rate']:.1%})"


def report_to_text(report: dict) -> str:
    lines: list[str] = []
    for d in report["documents"]:
        fams = "  ".join(f"{f} {pct(t)}" for f, t in d["families"].items() if t["questions"])
        skipped = ", ".join(f"{r}: {n}" for r, n in d["skipped_labels"].items()) or "none"
        lines += [f"{d['doc_id']}: {d['questions']} questions, {d['correct']} correct, rate {pct(d)}",
                  f"  figure probes {pct(d['figure_probes'])} · not-found probes {pct(d['notfound_probes'])}",
                  f"  {fams}", f"  labels skipped: {skipped}"]
        lines += [f"  ✗ [{w['family']}] {w['question']}  expected {w['expected']}  got {w['got']}" for w in d["wrong"]]
    lines.append(f"total: {pct(report['total'])}  " + "  ".join(
        f"{f} {pct(t)}" for f, t in report["families"].items() if t["questions"]))
    return "\n".join(lines)
