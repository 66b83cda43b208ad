"""Why an answer is what it is: for each document, the query as read and the best candidates with their
scores and how each term of the item was covered. Pure over the engine's facts; for staff and tests."""
from __future__ import annotations

from dataclasses import dataclass

from retrieval.answer import MIN_SCORE, respelled
from retrieval.coverage import Coverage
from retrieval.match import covers, fact_key, fact_parts, parent_labels, score_facts, terms_of
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

    def text(self) -> str:
        head = f"《{self.doc}》 item={self.item!r} terms={list(self.terms)} intent={self.intent} measures={list(self.measures)}"
        return "\n".join([head] + ["  " + c.line() for c in self.candidates])


def explain_doc(q: Query, doc: Document, facts: list[Fact], n: int = 10) -> Explanation:
    fixed, _ = respelled(q, facts)
    parents = parent_labels(facts)
    scored = [s for s in score_facts(facts, fixed) if s.score >= MIN_SCORE / 2][:n]
    return Explanation(doc.title, fixed.item, terms_of(fixed.item), fixed.intent, fixed.measures, tuple(
        Candidate(fact_key(s.fact), s.fact.column, s.fact.table or s.fact.section or "", s.fact.raw, s.fact.unit,
                  s.score, covers(fixed, fact_parts(s.fact, parents))) for s in scored))
