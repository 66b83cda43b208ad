"""Which of the candidates that name the item is the answer: named features, weights fitted on data. Pure.

A candidate is a fact whose label (or column, table, sentence) already covers every word of the item asked
(match.covered). What is left to decide is which of them, and that is what people get wrong by rules: the same
label printed in a basic-spending table and in its own table, a total column and a sub-column, a figure and an
empty cell, a sentence and a row. `features(...)` describes a candidate by general properties, each named for
what it measures (never for a phrasing); `Ranker` holds one fitted weight per feature, read from
`ranker.json` (written by `python -m retrieval.fit`, the same result on every run), and orders the candidates.
`contributions` says what each feature added, for `retrieval explain`.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from labels import normalize
from retrieval.wording import words
from schema import Fact

WEIGHTS = Path(__file__).with_name("ranker.json")

FEATURES = (
    "label_similarity",         # the recall stage's label score, relative to the best candidate's (0..1)
    "label_explained",          # share of the label's characters the question prints
    "item_explained",           # share of the item's characters the label prints
    "measure_in_column",        # a measure asked (基本支出, 决算数 …) is the candidate's column or part of it
    "measure_unmet",            # a measure is asked and the candidate's column, label and table do not hold it
    "total_column",             # the column is a table's total (合计, 小计, 金额, 预算数 …)
    "earlier_column",           # a previous year's, carried-over, initial or adjusted column, not asked
    "final_column",             # of a final account: the 决算 column
    "budget_column_asked",      # of a final account: a 预算 column, the budget being asked
    "empty_cell",               # the cell is printed empty
    "sentence",                 # a figure stated in a sentence
    "indicator",                # a performance indicator's value
    "target_value",             # printed as a bound (≤244万元)
    "own_table",                # the table's title names the row (“三公”经费、会议费、培训费表 for 会议费)
    "part_table",               # a table that holds one part of spending (basic spending by economic class)
    "unit_asked",               # the unit the question counts in (辆, 平方米, %) is the candidate's
    "unit_other",               # a unit is asked and the candidate's is another
    "money_unit",               # money is asked and the candidate is in 元/万元
    "classified_row",           # the row carries a functional or economic code
)


@dataclass(frozen=True)
class Candidate:
    """What the features read of one candidate besides the fact itself, computed by the caller once."""
    relative: float             # recall score / the best candidate's
    measure_in_column: bool
    measure_unmet: bool
    total_column: bool
    earlier_column: bool
    own_table: bool


MONEY = words("money_unit")


def features(f: Fact, c: Candidate, item: str, question: str, unit_hint: str | None, money: bool,
             doc_kind: str, asks_budget: bool) -> tuple[float, ...]:
    key = normalize(f.label)
    column = f.column or ""
    values = {
        "label_similarity": min(max(c.relative, 0.0), 1.0),
        "label_explained": share_printed(key, question),
        "item_explained": share_printed(item, key),
        "measure_in_column": float(c.measure_in_column),
        "measure_unmet": float(c.measure_unmet),
        "total_column": float(c.total_column),
        "earlier_column": float(c.earlier_column),
        "final_column": float(doc_kind == "决算" and "决算" in column),
        "budget_column_asked": float(doc_kind == "决算" and asks_budget and "预算" in column),
        "empty_cell": float(f.value is None),
        "sentence": float(f.kind == "text"),
        "indicator": float(f.kind == "indicator"),
        "target_value": float((f.raw or "")[:1] in "≥≤<>＞＜" and bool(f.raw)),
        "own_table": float(c.own_table),
        "part_table": float(f.table_name == "基本支出分经济科目表"),
        "unit_asked": float(bool(unit_hint) and f.unit in (unit_hint, "万" + (unit_hint or ""))),
        "unit_other": float(bool(unit_hint) and f.unit not in (unit_hint, "万" + (unit_hint or ""))),
        "money_unit": float(money and not unit_hint and f.unit in MONEY),
        "classified_row": float(bool(f.code)),
    }
    return tuple(values[n] for n in FEATURES)


def share_printed(part: str, whole: str) -> float:
    """The share of `part`'s characters that `whole` prints (0..1)."""
    chars = [ch for ch in part if not ch.isspace()]
    return sum(ch in whole for ch in chars) / len(chars) if chars else 0.0


@dataclass(frozen=True)
class Ranker:
    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float = 0.0
    band: float = 1.0           # candidates within this share of the best recall score are ranked

    def score(self, x: tuple[float, ...]) -> float:
        return self.bias + sum(w * v for w, v in zip(self.weights, x))

    def probability(self, x: tuple[float, ...]) -> float:
        return 1 / (1 + math.exp(-self.score(x)))

    def contributions(self, x: tuple[float, ...]) -> tuple[tuple[str, float], ...]:
        """Each feature's share of the score, largest first (what `explain` prints)."""
        parts = [(n, w * v) for n, w, v in zip(self.names, self.weights, x) if w * v]
        return tuple(sorted(parts, key=lambda nv: -abs(nv[1])))


def ranker_from_json(text: str) -> Ranker:
    data = json.loads(text)
    weights = dict(zip(data["features"], data["weights"]))
    return Ranker(FEATURES, tuple(float(weights.get(n, 0.0)) for n in FEATURES), float(data.get("bias", 0.0)),
                  float(data.get("band", 1.0)))


def ranker_to_json(r: Ranker, about: dict) -> str:
    return json.dumps({"features": list(r.names), "weights": [round(w, 6) for w in r.weights],
                       "bias": round(r.bias, 6), "band": r.band, **about}, ensure_ascii=False, indent=1) + "\n"


@lru_cache(maxsize=8)
def load_ranker(path: Path = WEIGHTS) -> Ranker:
    return ranker_from_json(path.read_text(encoding="utf-8"))


_USING: ContextVar[Ranker | None] = ContextVar("ranker", default=None)


def current() -> Ranker:
    """The shipped ranker, or the one an evaluation is trying (`using`)."""
    return _USING.get() or load_ranker()


@contextmanager
def using(r: Ranker) -> Iterator[Ranker]:
    """Answer with other weights for a while (leave-one-body-out evaluation fits one ranker per body)."""
    token = _USING.set(r)
    try:
        yield r
    finally:
        _USING.reset(token)
