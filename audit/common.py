"""Small helpers shared by the checks: cell figures, column names, units."""
from __future__ import annotations

import re
from decimal import Decimal

from audit.figures import Printed, fmt, printed
from schema import Fact

ORDINAL_LABEL = re.compile(r"^\s*[一二三四五六七八九十]+、")
SPEND_PARTS = {"基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出", "单位预留机动经费",
               "事业单位经营支出"}
ECON_PARTS = {"人员经费", "公用经费"}
FUND_PARTS = {"一般公共预算", "一般公共预算资金", "政府性基金", "政府性基金预算", "国有资本经营预算", "财政专户管理资金",
              "单位资金", "财政拨款收入", "事业收入", "事业单位经营收入", "经营收入", "其他收入", "上级补助收入",
              "附属单位上缴收入", "专户管理资金", "其他资金", "一般公共预算财政拨款", "政府性基金预算财政拨款",
              "国有资本经营预算财政拨款"}
PERIOD_PARTS = {"当年预算安排", "上年结转安排", "本年预算", "上年结转"}
PART_GROUPS = (SPEND_PARTS, ECON_PARTS, FUND_PARTS, PERIOD_PARTS)
TOTAL_COLUMNS = {"合计", "小计", "本年收入合计", "本年支出合计", "总计"}


def leaf(column: str) -> str:
    """Last part of a column path without a year prefix: `2026年预算数/合计` -> `合计`."""
    part = column.split("/")[-1] if column else ""
    return re.sub(r"^\d{4}年?(度)?", "", part).strip()


def parent_path(column: str) -> str:
    return column.rsplit("/", 1)[0] if "/" in column else ""


def amount(f: Fact | None) -> Printed | None:
    """A cell's printed figure; an empty cell counts as an exact zero."""
    if f is None:
        return None
    if f.value is None:
        return Printed(Decimal(0), 9, f.unit, "") if not f.raw.strip() or f.raw.strip() in "-—/" else None
    return printed(f.raw, f.unit, f.value)


def shown(f: Fact | None) -> Printed | None:
    """A cell's printed figure; None for an empty cell (an empty total or lookup is never compared)."""
    p = amount(f)
    return p if p is not None and p.decimals < 9 else None


def show(p: Printed, decimals: int | None = None) -> str:
    """A figure for a message as printed, with its unit: `4,742.00万元` (recomputed ones formatted)."""
    if p.raw and decimals is None:
        return f"{p.raw.strip()}{p.unit}"
    d = p.decimals if decimals is None else decimals
    return f"{fmt(p.value, min(d, 2) if d > 2 else d)}{p.unit}"


def diff_message(total: Printed, parts: list[Printed]) -> tuple[str, str]:
    """(sum of the parts, |total - sum|) for a message, at the printed decimals (at most 2)."""
    s = sum((p.value for p in parts), Decimal(0))
    d = max([total.decimals] + [p.decimals for p in parts if p.decimals < 9])
    d = min(d, 2)
    return show_value(s, total.unit, d), show_value(abs(total.value - s), total.unit, d)


def show_value(v: Decimal, unit: str, decimals: int = 2) -> str:
    return f"{fmt(v, decimals)}{unit}"


def part_group(names: set[str]) -> set[str] | None:
    """The additive group all these column names belong to, if any."""
    for g in PART_GROUPS:
        if names and names <= g:
            return g
    return None


TAIL_NOTE = re.compile(r"尾差|四舍五入")


def tails_explained(view) -> bool:
    """The tables' own note says totals may differ from their parts by rounding (尾差 / 四舍五入):
    a note of any table, or a 注 line printed with the tables."""
    return view.once("tails_explained", lambda v: any(TAIL_NOTE.search(n) for t in v.raw_tables for n in t.notes)
                     or any(x.text.lstrip().startswith(("注", "说明")) and TAIL_NOTE.search(x.text) for x in v.lines))
