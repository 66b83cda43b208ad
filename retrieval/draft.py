"""What drafting returns: frozen drafts whose sentences carry their own citations. Pure.

A sentence is a tuple of pieces, text and `Citation`s in reading order; the citations are numbered
(① ② …) once, when the answer is composed (compose.drafts_to_answer), so a draft can be made, kept or
dropped without renumbering anything.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Sequence

from schema import Citation

Piece = str | Citation
Sentence = tuple[Piece, ...]
MARK = "\x00"        # where a template's {marks} stand, before the citations are put there


@dataclass(frozen=True)
class Draft:
    """One document's answer to one query, before its citations are numbered."""
    sentences: tuple[Sentence, ...] = ()
    value: str | None = None
    unit: str | None = None
    found: bool = False
    suggestions: tuple[str, ...] = ()
    allowed: frozenset[Decimal] = frozenset()   # numbers derived by a stated conversion (万元 <-> 元)
    broad_only: bool = False    # matched only through a wider lexicon term (普法宣传教育 -> 教育支出)
    needs_passages: bool = False   # drafted without the text passages it would read: draft again with them
    answerable: bool = True     # False: found something worth saying (a containing class) but not the item
    note: str = ""              # for staff: e.g. a table cell read as empty while the text states the figure

    def plus(self, *sentences: Sentence) -> "Draft":
        return replace(self, sentences=self.sentences + tuple(s for s in sentences if s))

    def allowing(self, *numbers: Decimal) -> "Draft":
        return replace(self, allowed=self.allowed | frozenset(numbers))


NOT_FOUND = Draft()


def sentence(template: str, *citations: Citation) -> Sentence:
    """A formatted template whose {marks} slot was filled with MARK -> pieces with the citations there."""
    head, found, tail = template.partition(MARK)
    if not found:
        return (template, *citations)
    pieces: list[Piece] = [head, *citations, tail]
    return tuple(p for p in pieces if p != "")


def joined(parts: Sequence[Sentence], sep: str = "") -> Sentence:
    out: list[Piece] = []
    for i, p in enumerate(parts):
        if i and sep:
            out.append(sep)
        out.extend(p)
    return tuple(out)


def plain(s: Sentence) -> str:
    """The sentence's text without its citations (for tests and checks)."""
    return "".join(p for p in s if isinstance(p, str))


def citations_of(s: Sentence) -> list[Citation]:
    return [p for p in s if isinstance(p, Citation)]
