"""Why an answer is what it is: for each document, the query as read, the best candidates with their recall
scores and how each term of the item was covered, then the ranked candidates (those covering every term) with
each ranker feature's contribution. Pure over the engine's facts; for staff and tests."""
from __future__ import annotations

from dataclasses import dataclass

from retrieval import rank
from retrieval.answer import MIN_SCORE, lookup_candidates, respelled
from retrieval.coverage import Coverage
from retrieval.match import (
    best_facts,
    candidate_features,
    covers,
    fact_key,
    fact_parts,
    parent_labels,
    score_facts,
    terms_of,
)
from retrieval.understand import Query
from schema import Document, Fact


@dataclass(frozen=True)
class Candidate:
    label: str
    column: str
    table: str
    raw: str
    unit: str
    score: float
    coverage: Coverage

    def line(self) -> str:
        how = "，".join(f"{c.term}:{c.how}{'=' + c.by if c.by and c.by != c.term else ''}" for c in self.coverage.terms)
        mark = "✓" if self.coverage.ok else "✗"
        return f"{mark} {self.score:6.2f}  {self.label} | {self.column} | {self.raw}{self.unit} | {self.table}  [{how}]"


@dataclass(frozen=True)
class Explanation:
    doc: str
    item: str
    terms: tuple[str, ...]
    intent: str
    measures: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    ranked: tuple[tuple[str, float, tuple[tuple[str, float], ...]], ...] = ()   # (candidate, score, contributions)

    def text(self) -> str:
        head = f"《{self.doc}》 item={self.item!r} terms={list(self.terms)} intent={self.intent} measures={list(self.measures)}"
        ranked = [f"  #{i} {score:+.2f}  {what}  [" + "，".join(f"{n} {v:+.2f}" for n, v in parts) + "]"
                  for i, (what, score, parts) in enumerate(self.ranked, 1)]
        return "\n".join([head] + ["  " + c.line() for c in self.candidates] + (["  ranked:"] + ranked if ranked else []))


def explain_doc(q: Query, doc: Document, facts: list[Fact], n: int = 10) -> Explanation:
    fixed, _ = respelled(q, facts)
    parents = parent_labels(facts)
    scored = [s for s in score_facts(facts, fixed) if s.score >= MIN_SCORE / 2][:n]
    return Explanation(doc.title, fixed.item, terms_of(fixed.item), fixed.intent, fixed.measures, tuple(
        Candidate(fact_key(s.fact), s.fact.column, s.fact.table or s.fact.section or "", s.fact.raw, s.fact.unit,
                  s.score, covers(fixed, fact_parts(s.fact, parents))) for s in scored), ranked_of(fixed, doc, facts, n))


def ranked_of(q: Query, doc: Document, facts: list[Fact], n: int) -> tuple:
    """The ranker's order of the covering candidates, with what each feature added."""
    _, covering = lookup_candidates(q, doc, facts)
    ranked = best_facts(facts, q, doc.kind, covering)[:n]
    top = max((s.score for s in ranked), default=0.0)
    r = rank.current()
    out = []
    for s in ranked:
        x = candidate_features(s, q, doc.kind, top)
        what = f"{fact_key(s.fact)} | {s.fact.column} | {s.fact.raw}{s.fact.unit} | {s.fact.table or s.fact.section or ''}"
        out.append((what, r.score(x), r.contributions(x)))
    return tuple(out)
