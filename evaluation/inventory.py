"""A document's facts -> the items a question can name, each with the figures that count. Pure.

The figure of a row is its total column: the first cell of the row, in print order, whose column is
named 合计/小计/总计/金额/预算数/决算数/…合计, else the row's first cell. A column-oriented table (三公 items
as columns: label == column) gives one item per column, named by its last header part. The same label in
several tables with the same figure is one item with one figure; with different figures, one item with each.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from evaluation.records import Figure, Item
from labels import label_to_key
from schema import Fact

TOTAL_COLUMN = re.compile(r"(合计|小计|总计|金额|预算数|决算数)$")
TOTAL_WORDS = {"合计", "小计", "总计", "共计", "累计", "总额"}
OTHER_WORDS = {"其他", "其它"}
HEADER_WORDS = {"项目", "科目", "科目名称", "科目编码", "科目代码", "项目名称", "功能科目名称", "功能科目编码",
                "功能分类科目名称", "经济分类科目名称", "功能分类", "经济分类", "支出用途", "类", "款", "项", "金额",
                "单位名称", "部门名称", "单位", "序号", "栏次", "行次", "收入", "支出", "本年收入", "本年支出", "备注",
                "预算数", "决算数", "年初预算数", "全年预算数", "基本支出", "项目支出", "人员经费", "公用经费"}
NUMBERISH = re.compile(r"^[\d\s.,，%\-—/（）()]+$")
PATH_PART = re.compile(r"^20\d{2}年度?|(预算|决算)数$")


@dataclass(frozen=True)
class Inventory:
    items: tuple[Item, ...]
    skipped: tuple[tuple[str, int], ...]     # reason -> distinct labels skipped for it


def skip_reason(key: str) -> str | None:
    """Why a label cannot be a question on its own, or None."""
    if not key or NUMBERISH.match(key):
        return "number or code"
    if key in TOTAL_WORDS:
        return "total word (合计/小计/总计)"
    if key in OTHER_WORDS:
        return "其他"
    if key in HEADER_WORDS or re.search(r"(名称|编码|代码)$", key):
        return "column header"
    if len(key) < 2:
        return "too short"
    if len(key) > 40 or "。" in key:
        return "a sentence, not a label"
    return None


def row_label_to_key(label: str) -> str:
    return re.sub(r"^其中[:：]", "", label_to_key(label))


def path_to_label(label: str) -> str | None:
    """A column-oriented label (“三公”经费预算数/公务用车购置及运行费/小计) as a question names it."""
    parts = [PATH_PART.sub("", p).strip() for p in label.split("/")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    if parts[-1] in TOTAL_WORDS:
        return parts[-2] if len(parts) >= 2 else None
    return parts[-1] if len(parts[-1]) > 3 or len(parts) == 1 else None     # a column of its own is named by itself


def column_part_reason(raw: str) -> str:
    """Why a column-oriented label gives no question: a total word (合计), or a part named only under its
    parent column (购置费 under 公务用车购置及运行费)."""
    return skip_reason(row_label_to_key(raw.split("/")[-1])) or "a column part (购置费…)"


def total_fact(cells: list[Fact]) -> Fact:
    return next((f for f in cells if TOTAL_COLUMN.search(f.column.split("/")[-1])), cells[0])


def facts_to_candidates(facts: list[Fact]) -> list[tuple[str, str, Fact]]:
    """(asked label, raw label, the fact that counts) per row of every table, in print order."""
    rows: dict[tuple, list[Fact]] = {}
    out: list[tuple[str, str, Fact]] = []
    for f in facts:
        if not f.table or f.kind not in ("cell", "empty"):
            continue
        if f.label == f.column:                  # an item printed as a column
            out.append((path_to_label(f.label) or "", f.label, f))
        else:
            rows.setdefault((f.table, f.row, f.label), []).append(f)
    out += [(label, label, total_fact(cells)) for (_, _, label), cells in rows.items()]
    return out


def figure_of(f: Fact) -> Figure | None:
    return None if f.value is None else Figure(value=f.value, unit=f.unit, raw=f.raw, table=f.table or "",
                                               page=f.page)


def facts_to_inventory(facts: list[Fact]) -> Inventory:
    figures: dict[str, list[Figure]] = {}
    skipped: dict[str, str] = {}
    for label, raw, fact in facts_to_candidates(facts):
        key = row_label_to_key(label) if label else ""
        reason = skip_reason(key) if label else column_part_reason(raw)
        if reason:
            skipped.setdefault(row_label_to_key(raw) or raw, reason)
            continue
        fig, known = figure_of(fact), figures.setdefault(key, [])
        if fig and all((g.value, g.unit) != (fig.value, fig.unit) for g in known):
            known.append(fig)
    for key, figs in figures.items():
        if not figs:
            skipped.setdefault(key, "empty total cell")
    items = tuple(Item(key=k, label=k, figures=tuple(v)) for k, v in figures.items() if v)
    counts = Counter(r for k, r in skipped.items() if k not in {i.key for i in items})
    return Inventory(items=items, skipped=tuple(sorted(counts.items())))
