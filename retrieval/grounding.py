"""The check that no figure is generated: every number in an answer must be in its sources."""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from decimal import Decimal, InvalidOperation

from retrieval.wording import rx
from schema import Citation

NUM = rx("num_re")


def text_numbers(text: str) -> set[Decimal]:
    out = set()
    for m in NUM.findall(text or ""):
        try:
            out.add(Decimal(m.replace(",", "").replace("，", "")))
        except InvalidOperation:
            pass
    return out


def source_numbers(citations: tuple[Citation, ...] | list[Citation], question: str = "") -> set[Decimal]:
    pool = text_numbers(question)
    for c in citations:
        pool |= text_numbers(c.text) | text_numbers(c.table or "") | text_numbers(c.section or "")
    return pool


def ungrounded_numbers(answer: str, citations, question: str = "", allowed: AbstractSet[Decimal] = frozenset()) -> set[Decimal]:
    """Numbers in the answer that no source (nor the question, nor a stated conversion) holds."""
    return text_numbers(answer) - source_numbers(citations, question) - set(allowed)


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def marker(n: int) -> str:
    """Citation marker without digits (so it cannot be mistaken for a figure): ① ② …"""
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"[{n}]"


def brackets_to_markers(text: str) -> str:
    return rx("brackets_to_markers_re").sub(lambda m: marker(int(m.group(1))), text)
