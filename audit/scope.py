"""Which money a table column counts: fund (all, 财政拨款, 一般公共预算, …) and period (all, 本年, 上年结转),
and when two scopes are the same money in this document (only 一般公共预算 income; nothing carried over)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from audit.common import FUND_PARTS, amount, leaf
from audit.view import TableView, View
from labels import label_key

TABLE_FUND = {"一般公共预算支出表": "gpb", "财政拨款收支总表": "fiscal", "政府性基金支出表": "gov",
              "政府性基金收入表": "gov", "国有资本经营预算表": "soe", "基本支出分经济科目表": "gpb",
              "机关运行经费表": "gpb"}
FUND_WORDS = (("gpb", re.compile(r"一般公共预算|公共财政")), ("gov", re.compile(r"政府性基金")),
              ("soe", re.compile(r"国有资本")), ("fiscal", re.compile(r"财政拨款")))
OTHER_INCOME = re.compile(r"政府性基金|国有资本|财政专户|专户管理|单位资金|事业收入|经营收入|其他收入|上级补助|附属单位|其他资金")
CARRY = re.compile(r"上年结转|年初结转|结转和结余|上年财政拨款结转")


@dataclass(frozen=True)
class Scope:
    fund: str      # all | fiscal | gpb | gov | soe
    period: str    # total | current | carry


def fund_of(text: str, default: str) -> str:
    for key, rx in FUND_WORDS:
        if rx.search(text):
            return key
    return default


def column_scope(t: TableView, column: str) -> Scope:
    name = leaf(column)
    fund = fund_of(name, TABLE_FUND.get(t.name or "", "all")) if name in FUND_PARTS or "财政拨款" in name \
        else TABLE_FUND.get(t.name or "", "all")
    if t.name == "财政拨款收支总表" and name in ("小计", "合计", "金额"):
        fund = "fiscal"
    if "上年结转" in column:
        period = "carry"
    elif re.search(r"不含上年结转|当年|本年预算", t.title) or re.search(r"本年收入|当年预算安排|本年预算", column):
        period = "current"
    else:
        period = "total"
    return Scope(fund, period)


@dataclass(frozen=True)
class Collapse:
    """What this document's figures make equal: one fund only, nothing carried over."""
    gpb_only: bool
    fiscal_only: bool
    no_carry: bool

    def norm(self, s: Scope) -> Scope:
        fund, period = s.fund, s.period
        if self.gpb_only and fund in ("all", "fiscal", "gpb"):
            fund = "gpb"
        elif self.fiscal_only and fund == "all":
            fund = "fiscal"
        if self.no_carry and period in ("total", "current"):
            period = "total"
        return Scope(fund, period)


def view_to_collapse(view: View) -> Collapse:
    return view.once("collapse", _collapse)


def _collapse(view: View) -> Collapse:
    """Scopes merge only when the figures prove them the same money: the all-funds 收入总计 equals
    the 财政拨款 one (or, without both tables, no other income and nothing carried over)."""
    other_income = non_fiscal = carry = False
    for t in view.tables:
        for r in t.rows:
            for f in r.cells:
                p = amount(f)
                if p is None or p.value == 0:
                    continue
                where = f"{f.column}/{label_key(r.label)}" if t.name in ("收支总表", "财政拨款收支总表", "收入总表") else f.column
                if CARRY.search(where) or (CARRY.search(label_key(r.label)) and t.name in ("收支总表", "财政拨款收支总表")):
                    carry = True
                if t.name in ("收入总表", "收支总表", "财政拨款收支总表") and _is_income(f.column, r.label):
                    text = leaf(f.column) + label_key(r.label)
                    if OTHER_INCOME.search(text):
                        other_income = True
                        if not re.search(r"政府性基金|国有资本", text):
                            non_fiscal = True
    same = _all_funds_equal_fiscal(view)
    fiscal_same = same if same is not None else not (non_fiscal or carry)
    return Collapse(gpb_only=fiscal_same and not other_income, fiscal_only=fiscal_same and not non_fiscal,
                    no_carry=not carry)


INCOME_TOTAL = ("收入总计", "总计", "收入合计")


def _all_funds_equal_fiscal(view: View) -> bool | None:
    """Whether the 收支总表's 收入总计 equals the 财政拨款收支总表's; None without both."""
    totals = [_income_total(t) for name in ("收支总表", "财政拨款收支总表") for t in view.tables_named(name)[:1]]
    if len(totals) != 2 or None in totals:
        return None
    return totals[0] == totals[1]


def _income_total(t: TableView):
    for label in INCOME_TOTAL:
        for r in t.rows:
            if label_key(r.label) != label:
                continue
            cell = next((f for f in r.cells if _is_income(f.column, "")), None)
            p = amount(cell)
            if p is not None and p.decimals < 9:
                return p.in_yuan()
    return None


def _is_income(column: str, label: str) -> bool:
    return column.startswith("收入") or "收入" in column or "收入" in label
