"""Drafts -> a short Chinese answer with numbered citations. Deterministic, no model, pure.

Every sentence comes from prompts/composer.toml with slots filled from stored facts and source
sentences; citations are numbered (① ② …) in the order they are first read; a sentence whose numbers are
not in the sources its document block cites is dropped (the number check of grounding.py).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from labels import label_key
from retrieval.draft import MARK, Draft, Sentence, citations_of, plain, sentence
from retrieval.grounding import marker, ungrounded_numbers
from schema import Answer, AnswerPart, Citation, Document, Fact
from vocabulary import words

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=1)
def templates() -> dict[str, str]:
    return tomllib.loads((PROMPTS / "composer.toml").read_text(encoding="utf-8"))


def say(key: str, **kw) -> str:
    return templates()[key].format(**kw)


def said(key: str, *citations: Citation, **kw) -> Sentence:
    """A composer sentence with its citations where the template has {marks}."""
    return sentence(say(key, marks=MARK, **kw), *citations)


def around(key: str, **kw) -> tuple[str, str]:
    """A composer sentence cut where its {items} go: (before, after), for a list of cited items."""
    head, _, tail = say(key, items="\x01", marks="", **kw).partition("\x01")
    return head, tail


def table_label(f: Fact) -> str:
    if not f.table:
        return ""
    no = f.table_no or ""
    return f.table if not no or no in f.table else f"{no} {f.table}"


def fact_citation(f: Fact, doc: Document, role: str = "") -> Citation:
    return Citation(doc=doc.title, page=f.page, table=table_label(f) or None,
                    section=f.section if not f.table else None, text=f.text, doc_id=doc.doc_id,
                    file=f.file, label=f.label, column=f.column, role=role)


def passage_citation(text: str, doc: Document, page: int | None, section: str | None, table: str | None,
                     file: str = "") -> Citation:
    return Citation(doc=doc.title, page=page, table=table, section=section, text=text, doc_id=doc.doc_id, file=file)


def convert(value: Decimal, unit: str, to: str) -> Decimal | None:
    if unit == "万元" and to == "元":
        return (value * 10000).quantize(Decimal("0.01"))
    if unit == "元" and to == "万元":
        return (value / 10000).quantize(Decimal("0.01"))
    return None


def fmt(d: Decimal) -> str:
    return f"{d:,.2f}"


def doc_name(d: Document, with_year: bool = True) -> str:
    """A document as a reader names it: 上海市普陀区财政局二〇二五年部门预算. The year is written in
    Chinese numerals, so that every digit of an answer is a figure of its sources."""
    year = f"{cn_year(d.year)}年" if with_year and d.year else ""
    return f"{d.body}{year}{d.scope}{d.kind}"


def cn_year(year: int) -> str:
    return "".join("〇一二三四五六七八九"[int(c)] for c in str(year))


# ------------------------------------------------------------------ numbering
def citation_key(c: Citation) -> tuple:
    return (c.doc_id, c.table, c.section, c.page, c.text)


class Numbering:
    """Citations numbered in the order first read; the same source keeps its number."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._index: dict[tuple, int] = {}

    def mark(self, c: Citation) -> str:
        key = citation_key(c)
        if key not in self._index:
            self._index[key] = len(self.citations)
            self.citations.append(c)
        elif c.role == "main" and self.citations[self._index[key]].role != "main":
            self.citations[self._index[key]] = replace(self.citations[self._index[key]], role="main")
        return marker(self._index[key] + 1)

    def render(self, s: Sentence) -> str:
        return "".join(p if isinstance(p, str) else self.mark(p) for p in s)


def grounded_sentences(d: Draft, question: str) -> tuple[Sentence, ...]:
    """The draft's sentences whose numbers its own sources (or the question, or a stated conversion) hold."""
    sources = [c for s in d.sentences for c in citations_of(s)]
    return tuple(s for s in d.sentences if not ungrounded_numbers(plain(s), sources, question, set(d.allowed)))


# ------------------------------------------------------------------ answers
ECHOED_FIGURE = re.compile(r"\d[\d,，.]*\s*(万元|亿元|元|%|％)")


def not_found_answer(question: str, suggestions: tuple[str, ...] = (), docs: tuple[str, ...] = ()) -> Answer:
    asked = ECHOED_FIGURE.sub("…", question.strip().rstrip("？?。")) or question
    text = say("not_found", question=asked)          # the question as asked, but never a figure of its own
    if suggestions:
        text += say("suggest", items="、".join(f"“{s}”" for s in suggestions))
    return Answer(question=question, answer=text, answerable=False, suggestions=suggestions, docs=docs)


def example_questions(labels: frozenset[str], n: int = 3) -> tuple[str, ...]:
    """Questions about items the loaded documents print, for a reader who does not know what to ask."""
    items = [x for x in words("example_item") if label_key(x) in labels] or list(words("example_item"))
    return tuple(say("suggest_question", item=x) for x in items[:n])


def foreign_answer(question: str, examples: tuple[str, ...]) -> Answer:
    """A question not in Chinese: a short Chinese line saying to ask in Chinese, with examples."""
    return Answer(question=question, answer=say("ask_in_chinese", examples="、".join(f"“{e}”" for e in examples)),
                  answerable=False, suggestions=examples)


def refusal(question: str, why) -> Answer:
    """No loaded document can answer (`why`: an understand.Refusal, a composer key with its slots)."""
    return Answer(question=question, answer=say("not_found_doc", reason=say(why.key, **dict(why.slots))),
                  answerable=False)


def drafts_to_answer(question: str, drafts: list[tuple[Document, Draft]], loaded: int,
                     suggestions: tuple[str, ...] = ()) -> Answer:
    """Per document one block (headed when there are several), citations numbered across the answer."""
    found = [(d, replace(x, sentences=grounded_sentences(x, question))) for d, x in drafts if x.found]
    found = [(d, x) for d, x in found if x.sentences]
    if not found:
        return not_found_answer(question, suggestions, tuple(d.doc_id for d, _ in drafts))
    numbering = Numbering()
    parts = []
    bodies = [d.body for d, _ in found]
    for d, x in found:
        heading = doc_name(d, with_year=bodies.count(d.body) > 1) if len(found) > 1 else ""
        parts.append(AnswerPart(doc_id=d.doc_id, heading=heading,
                                text="".join(numbering.render(s) for s in x.sentences), value=x.value, unit=x.unit))
    text = "\n".join((say("multi_doc_head", doc=p.heading) if p.heading else "") + p.text for p in parts)
    if len(found) == 1 and loaded > 1:
        text += "\n" + say("used_doc", doc=doc_name(found[0][0], with_year=False))
    first = found[0][1]
    note = next((x.note for _, x in found if x.note), "")
    return Answer(question=question, answer=text, answerable=any(x.answerable for _, x in found), note=note,
                  value=first.value if first.answerable else None, unit=first.unit if first.answerable else None,
                  citations=tuple(numbering.citations), docs=tuple(d.doc_id for d, _ in found), parts=tuple(parts))
