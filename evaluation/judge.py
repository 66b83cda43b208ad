"""Whether an answer is right for a probe. Pure.

- a figure probe: answerable, and its main figure (`value`, or when there is none the first figure of
  the text) is one of the item's figures; a figure in 万元 and its 元 form (or back) is the same figure
  within printed precision; an item printed as 0 is also answered by a sentence saying it is zero/none;
- a two-item probe: answerable and a figure of each item appears in the text;
- a not-found probe: not answerable and no figure.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from evaluation.records import Figure, Probe
from schema import Answer

NUMBER = re.compile(r"(?<![\d.])\d[\d,，]*(?:\.\d+)?(?![\d年])")
EMPTY_WORDS = ("无", "没有", "未安排", "未列", "为0", "为零", "0万元", "0.00万元", "零")
SCALE = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def to_decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(str(text).replace(",", "").replace("，", "")) if text not in (None, "") else None
    except InvalidOperation:
        return None


def text_numbers(text: str) -> list[Decimal]:
    return [d for d in (to_decimal(m) for m in NUMBER.findall(text or "")) if d is not None]


def same_figure(value: Decimal, unit: str | None, f: Figure) -> bool:
    """Equal, or equal once 万元/元 are brought to one scale (the coarser one's printed precision)."""
    if value == f.value:
        return True
    a, b = SCALE.get(unit or ""), SCALE.get(f.unit)
    if not a or not b or a == b:
        return False
    coarse, fine = (value, f.value) if a > b else (f.value, value)
    ratio = max(a, b) / min(a, b)
    step = Decimal(1).scaleb(coarse.as_tuple().exponent) * ratio
    return abs(coarse * ratio - fine) <= step / 2


def main_figure(a: Answer) -> tuple[Decimal | None, str | None]:
    value = to_decimal(a.value)
    if value is not None:
        return value, a.unit
    found = text_numbers(a.answer)
    return (found[0], None) if found else (None, None)


def figure_right(a: Answer, figures: tuple[Figure, ...]) -> bool:
    value, unit = main_figure(a)
    if value is not None and any(same_figure(value, unit or f.unit, f) for f in figures):
        return True
    zero = any(f.value == 0 for f in figures)
    return zero and value in (None, Decimal(0)) and any(w in a.answer for w in EMPTY_WORDS)


def both_shown(a: Answer, expect: tuple[tuple[Figure, ...], ...]) -> bool:
    shown = text_numbers(a.answer) + [v for v in (to_decimal(p.value) for p in a.parts) if v is not None]
    return all(any(any(same_figure(v, None, f) for v in shown) or (f.value == 0 and "0" in a.answer) for f in figs)
               for figs in expect)


def judge(p: Probe, a: Answer) -> bool:
    if not p.wants_figure:
        return not a.answerable and a.value in (None, "")
    if not a.answerable:
        return False
    if p.family == "two":
        return both_shown(a, p.expect)
    return figure_right(a, p.expect[0])


def got_of(a: Answer) -> str:
    """The answer as the report shows it: its figure and unit, or its first words."""
    head = re.sub(r"\s+", " ", a.answer or "")[:80]
    figure = f"{a.value}{a.unit or ''} · " if a.value else ""
    return f"{'' if a.answerable else '[not found] '}{figure}{head}"
