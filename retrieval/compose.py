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
from retrieval.grounding import marker, text_numbers, ungrounded_numbers
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
    """A document as a reader names it: 区财政局2025年部门预算 (the body's short form, the year in digits,
    the one style of year an answer uses)."""
    year = say("year", year=d.year) if with_year and d.year else ""
    return f"{short_body(d.body)}{year}{d.scope}{d.kind}"


def year_text(year: int) -> str:
    """A year as every answer writes it: 2025 (digits; a document's year is allowed by the number check)."""
    return str(year)


cn_year = year_text       # the name answer.py imports


@lru_cache(maxsize=1)
def body_rules() -> dict:
    return tomllib.loads((PROMPTS / "body_short.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=512)
def short_body(body: str) -> str:
    """A body's full name -> the short form a reader uses, by the rules of prompts/body_short.toml:
    上海市普陀区人民政府万里街道办事处 -> 万里街道, 江苏省人民检察院 -> 省检察院, 上海市普陀区财政局 -> 区财政局.
    A name the rules leave nothing of is kept whole."""
    rules = body_rules()
    name = body
    for pattern, repl in rules["rewrites"]:
        name = re.sub(pattern, repl, name)
    region = re.match(rules["region"], name)
    levels = [g for g in region.groups() if g] if region else []
    rest = name[region.end():] if region else name
    if not levels or not rest:
        return name or body
    for pattern, repl in rules["after_region"]:
        rest = re.sub(pattern, repl, rest)
    if len(rest) < 2:
        return name
    return rest if re.search(rules["own_name"], rest) else levels[-1][-1] + rest


YEAR_IN = re.compile(r"((?:19|20)\d\d)年")


def figure_year(d: Document, c: Citation | None) -> int | None:
    """The year a figure is for: the year its column prints (2024年执行数), the year before for a 上年 column,
    else the document's year."""
    column = (c.column if c else "") or ""
    if m := YEAR_IN.search(column):
        return int(m.group(1))
    if d.year and "上年" in column:
        return d.year - 1
    return d.year


# ------------------------------------------------------------------ numbering
def citation_key(c: Citation) -> tuple:
    return (c.doc_id, c.table, c.section, c.page, c.text)


class Numbering:
    """Citations numbered in the order first read; the same source keeps its number. `first` numbers the
    sources a reader sees under each block (the figure answered, a source that differs) before the folded ones,
    so the numbers on screen run ①②③ without a gap."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._index: dict[tuple, int] = {}

    def first(self, sentences) -> None:
        for s in sentences:
            for c in citations_of(s):
                if c.role in ("main", "differs"):
                    self.mark(c)

    def mark(self, c: Citation) -> str:
        key = citation_key(c)
        if key not in self._index:
            self._index[key] = len(self.citations)
            self.citations.append(c)
        elif c.role == "main" and self.citations[self._index[key]].role != "main":
            self.citations[self._index[key]] = replace(self.citations[self._index[key]], role="main")
        return mark_of(self._index[key] + 1)

    def render(self, s: Sentence) -> str:
        return "".join(p if isinstance(p, str) else self.mark(p) for p in s)


MORE_CIRCLED = "".join(chr(x) for x in range(0x3251, 0x3260)) + "".join(chr(x) for x in range(0x32B1, 0x32C0))


def mark_of(n: int) -> str:
    """① … ⑳, then ㉑ … ㊿: one style of marker for every citation of an answer (never [22])."""
    return marker(n) if n <= 20 else (MORE_CIRCLED[n - 21] if n - 21 < len(MORE_CIRCLED) else marker(n))


def grounded_sentences(d: Draft, question: str) -> tuple[Sentence, ...]:
    """The draft's sentences whose numbers its own sources (or the question, or a stated conversion, or the
    year a cited document's title prints: 万里街道2024年…) hold."""
    sources = [c for s in d.sentences for c in citations_of(s)]
    allowed = set(d.allowed) | {Decimal(y) for c in sources for y in YEAR_IN.findall(c.doc or "")}
    return tuple(s for s in d.sentences if not ungrounded_numbers(plain(s), sources, question, allowed))


def title_citations(text: str, citations: tuple[Citation, ...]) -> tuple[Citation, ...]:
    """A year the answer names (万里街道2024年…) that none of a document's cited rows, tables or sections
    prints is cited from the document's title (role "doc": listed with the sources, not numbered in the text)."""
    named = {int(y) for y in YEAR_IN.findall(text)}
    printed = text_numbers(" ".join(f"{c.text} {c.table or ''} {c.section or ''}" for c in citations))
    out: dict[str, Citation] = {}
    for c in citations:
        years = {int(y) for y in YEAR_IN.findall(c.doc or "")}
        if years & named and not {Decimal(y) for y in years} <= printed and c.doc_id not in out:
            out[c.doc_id] = Citation(doc=c.doc, page=None, table=None, section=None, text=c.doc, doc_id=c.doc_id,
                                     role="doc")
    return tuple(out.values())


# ------------------------------------------------------------------ answers
ECHOED_FIGURE = re.compile(r"\d[\d,，.]*\s*(万元|亿元|元|%|％)")


def not_found_answer(question: str, suggestions: tuple[str, ...] = (), docs: tuple[str, ...] = (),
                     clicks: tuple[str, ...] = ()) -> Answer:
    """“Not found”, the question as asked, and what to ask instead, each once. `clicks`: the suggestions as
    the questions a click asks (with the body and year of the question; the text names the items only)."""
    asked = ECHOED_FIGURE.sub("…", question.strip().rstrip("？?。")) or question
    text = say("not_found", question=asked)          # the question as asked, but never a figure of its own
    suggestions = once(suggestions)
    if suggestions:
        # listed without their question marks, so that a reader's sentence split never cuts the list (…？”、“…)
        text += say("suggest", items="、".join(f"“{s.rstrip('？?')}”" for s in suggestions))
    return Answer(question=question, answer=text, answerable=False, suggestions=once(clicks) or suggestions,
                  docs=docs)


def once(items: tuple[str, ...]) -> tuple[str, ...]:
    """Each suggestion once, without stray separators."""
    return tuple(dict.fromkeys(x.strip("、，,； ") for x in items if x.strip("、，,； ")))


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


def scoped(suggestions: tuple[str, ...], docs: list[Document]) -> tuple[str, ...]:
    """Suggestions for a question about one body's one year keep that body and year (a click must not answer
    for every loaded body): 万里街道2025年办公费是多少？ The body as its short form where that is part of its full
    name, else in full."""
    if len({(d.body, d.year) for d in docs}) != 1:
        return suggestions
    d = docs[0]
    body = short_body(d.body) if short_body(d.body) in d.body else d.body
    head = body + (say("year", year=d.year) if d.year else "")
    return tuple(x if x.startswith(body) else head + x for x in suggestions)


def lead_prefix(d: Document, x: Draft, s: Sentence) -> str:
    """What a one-document answer's lead sentence starts with: whose figure, for which year (万里街道2024年…),
    or, before a sentence quoted from the document, the document it is from (据万里街道2025年部门预算：…).
    Nothing when the sentence names the body already or cites several documents (a ranking across bodies)."""
    cited = citations_of(s) or [c for t in x.sentences for c in citations_of(t)]
    short, text = short_body(d.body), plain(s)
    if len({c.doc_id for c in cited}) > 1 or short in text or d.body in text:
        return ""
    main = next((c for c in cited if c.role == "main"), cited[0] if cited else None)
    year = figure_year(d, main)
    printed = f"{main.text} {main.table or ''} {main.section or ''}" if main else ""
    quoted = main is not None and len(main.text.strip()) >= 6 and main.text.strip() in text
    if quoted or (year != d.year and str(year) not in printed):    # a sentence quoted; a year no source prints
        return say("lead_source", body=short, year=say("year", year=d.year) if d.year else "", doc=d.scope + d.kind)
    return say("lead_subject", body=short, year=say("year", year=year) if year else "")


def with_lead(d: Document, x: Draft) -> Draft:
    """The draft with its lead sentence (the first that is not a note in brackets) naming body and year."""
    at = next((i for i, s in enumerate(x.sentences) if not plain(s).startswith("（")), None)
    if at is None or not (prefix := lead_prefix(d, x, x.sentences[at])):
        return x
    sentences = list(x.sentences)
    sentences[at] = (prefix,) + sentences[at]
    return replace(x, sentences=tuple(sentences))


def drafts_to_answer(question: str, drafts: list[tuple[Document, Draft]], loaded: int,
                     suggestions: tuple[str, ...] = ()) -> Answer:
    """Per document one block (headed, with its year, when there are several; the lead sentence of a
    one-document answer names the body and the year), citations numbered across the answer."""
    found = [(d, replace(x, sentences=grounded_sentences(x, question))) for d, x in drafts if x.found]
    found = [(d, x) for d, x in found if x.sentences]
    if not found:
        clicks = scoped(suggestions, [d for d, _ in drafts]) if loaded > 1 else ()
        return not_found_answer(question, suggestions, tuple(d.doc_id for d, _ in drafts), clicks)
    if len(found) == 1:
        found = [(d, with_lead(d, x)) for d, x in found]
    numbering = Numbering()
    for _, x in found:
        numbering.first(x.sentences)
    parts = []
    names = [doc_name(d) for d, _ in found]
    for (d, x), name in zip(found, names):
        heading = name if len(found) > 1 else ""
        if heading and names.count(name) > 1:              # two bodies of one short form: their full names
            heading = f"{d.body}{say('year', year=d.year) if d.year else ''}{d.scope}{d.kind}"
        parts.append(AnswerPart(doc_id=d.doc_id, heading=heading,
                                text="".join(numbering.render(s) for s in x.sentences), value=x.value, unit=x.unit))
    text = "\n".join((say("multi_doc_head", doc=p.heading) if p.heading else "") + p.text for p in parts)
    first = found[0][1]
    note = next((x.note for _, x in found if x.note), "")
    return Answer(question=question, answer=text, answerable=any(x.answerable for _, x in found), note=note,
                  value=first.value if first.answerable else None, unit=first.unit if first.answerable else None,
                  citations=tuple(numbering.citations) + title_citations(text, tuple(numbering.citations)),
                  docs=tuple(d.doc_id for d, _ in found), parts=tuple(parts))
