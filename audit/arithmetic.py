"""表内算术: children sum to parents along 科目编码, total rows, 合计 = its parts per row,
收入总计 = 支出总计, project lines sum to their total, 三公 and 政府采购 parts (tables and text)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TypeGuard

from audit.common import (
    ORDINAL_LABEL,
    TOTAL_COLUMNS,
    amount,
    diff_message,
    leaf,
    parent_path,
    part_group,
    show,
    show_value,
    shown,
    tails_explained,
)
from audit.figures import Printed, sum_agrees, sum_verdict
from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.sanggong import CAR_PARTS, PARTS, table_parts
from audit.sanggong import NAMES as SG_NAMES
from audit.text_sums import paired_parts, parts_over_whole, text_parts
from audit.view import Row, TableView, View
from labels import label_key

FAMILY = "arithmetic"
CODE_TABLES = {"收入总表", "支出总表", "一般公共预算支出表", "基本支出分经济科目表", "政府性基金支出表",
               "政府性基金收入表", "国有资本经营预算表", "机关运行经费表", "财政拨款收支总表"}
ORG_SUFFIX = re.compile(r"(部|局|委员会|委|办公室|办公厅|厅|中心|站|所|院|处|队|馆|会|政府|学校|公司)$")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    out: list[Finding] = []
    for t in view.tables:
        if not t.has_values or t.name == "绩效目标表":
            continue
        out += children_sums(view, t)
        out += total_row_sums(view, t)
        out += row_sums(view, t)
        out += ordinal_sums(view, t)
        out += balance(view, t)
        out += project_sums(view, t)
        out += sanggong_sums(view, t)
        out += group_totals(view, t)
    out += text_parts(view) + parts_over_whole(view) + paired_parts(view)     # audit/text_sums.py
    return _one_tail_per_row(out)


def _one_tail_per_row(findings: list[Finding]) -> list[Finding]:
    """A 尾差 printed in several columns or tables of the same row (the same 科目 and total) is one
    提示, citing where it is first printed."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.citations[0].label, f.figures) if f.rule == "sum.tail" else None
        if key is None or key not in seen:
            out.append(f)
            if key:
                seen.add(key)
    return out


# ------------------------------------------------------------------ along 科目编码
def _by_code(t: TableView, column: str) -> dict[str, tuple[Row, Printed]]:
    """code -> (row, figure) in one column; a code printed twice with different figures is left out."""
    out: dict[str, tuple[Row, Printed]] = {}
    clash: set[str] = set()
    for r in t.rows:
        p = amount(r.cell(column))
        if not r.code or p is None:
            continue
        if r.code in out and out[r.code][1].value != p.value:
            clash.add(r.code)
        out.setdefault(r.code, (r, p))
    return {k: v for k, v in out.items() if k not in clash}


def _dropped_cents(total: Printed, parts: list[Printed]) -> bool:
    """The total shows fewer decimals than its parts and only the cents are missing."""
    shown = [p.decimals for p in parts if p.decimals < 9]
    s = sum((p.value for p in parts), Decimal(0))
    return bool(shown) and total.decimals < min(shown) and 0 < abs(total.value - s) < 1


def _all_read(parts: list[tuple[Row, Printed | None]]) -> TypeGuard[list[tuple[Row, Printed]]]:
    """Every part's figure could be read."""
    return all(p is not None for _, p in parts)


def _sum_finding(view: View, t: TableView, key: str, total_row: Row, column: str, total: Printed,
                 parts: list[tuple[Row, Printed]], **slots) -> Finding | None:
    """错误 when the total is off by more than rounding; 提示 “尾差” when only rounding can explain
    the gap, unless the tables' own note says totals may carry 尾差."""
    figures = [p for _, p in parts]
    cents = _dropped_cents(total, figures)
    verdict = "error" if cents else sum_verdict(total, figures)
    if verdict == "ok" or (verdict == "tail" and tails_explained(view)):
        return None
    s, diff = diff_message(total, figures)
    rule = "sum.cents" if cents else ("sum.tail" if verdict == "tail" else key)
    common = dict(table=t.title, label=total_row.label, column=leaf(column), total=show(total), sum=s)
    msg = say("sum.cents", **common) if cents else say(rule, diff=diff, **common, **slots)
    cites = _unique([total_row.cite(view.title, column)] + [r.cite(view.title, column) for r, _ in parts[:6]])
    return Finding(FAMILY, HINT if rule == "sum.tail" else ERROR, msg, tuple(cites), (show(total), s), rule,
                   view.document.doc_id)


def _unique(cites: list) -> list:
    seen, out = set(), []
    for c in cites:
        if (c.table, c.text, c.label) not in seen:
            seen.add((c.table, c.text, c.label))
            out.append(c)
    return out


def children_sums(view: View, t: TableView) -> list[Finding]:
    out = []
    partial = _blocks_with_uncoded_rows(t)
    for column in t.columns:
        codes = _by_code(t, column)
        kids: dict[str, list[str]] = {}
        for c, (r, _) in codes.items():
            if r.parent and r.parent in codes:
                kids.setdefault(r.parent, []).append(c)
        gaps = {c: codes[c][1].in_yuan() - sum((codes[k][1].in_yuan() for k in ks), Decimal(0)) for c, ks in kids.items()}
        for parent, children in kids.items():
            prow, total = codes[parent]
            if total.decimals >= 9 or parent in partial or any(gaps.get(c) and gaps[c] == -gaps[parent]
                                                               for c in children):
                continue       # the parent sums its child's own parts: one 尾差, reported at the child
            f = _sum_finding(view, t, "sum.children", prow, column, total, [codes[c] for c in children],
                             code=parent)
            if f:
                out.append(f)
    return out


def _blocks_with_uncoded_rows(t: TableView) -> set[str]:
    """Codes whose block of rows (the rows after it, up to the next code outside it) holds a row
    read without a code (a 款 printed “2” for “02”): its children cannot be summed."""
    out: set[str] = set()
    open_codes: list[str] = []
    for r in t.rows:
        if r.code:
            open_codes = [c for c in open_codes if r.code.startswith(c) and r.code != c] + [r.code]
        elif not r.is_total and open_codes and any(f.value is not None for f in r.cells):
            out.update(open_codes)
    return out


def total_row_sums(view: View, t: TableView) -> list[Finding]:
    """The 合计 row equals the sum of the top-level (类) codes, column by column."""
    totals = [r for r in t.rows if r.is_total and label_key(r.label) in ("合计", "总计")]
    if len(totals) != 1:
        return []
    out = []
    for column in t.columns:
        codes = _by_code(t, column)
        top = [v for c, v in codes.items() if len(c) == 3]
        total = shown(totals[0].cell(column))
        if not top or total is None or len(top) != len({r.code for r in t.rows if r.code and len(r.code) == 3}):
            continue
        f = _sum_finding(view, t, "sum.total_row", totals[0], column, total, top, level="类")
        if f:
            out.append(f)
    return out


# ------------------------------------------------------------------ across the columns of a row
def _row_groups(t: TableView) -> list[tuple[str, list[str]]]:
    """(total column, its part columns) where every part is a known additive item of one kind."""
    cols = t.columns
    out = []
    for c in cols:
        if leaf(c) not in TOTAL_COLUMNS:
            continue
        prefix = parent_path(c)
        under = [x for x in cols if x != c and (x.startswith(prefix + "/") if prefix else True)]
        under = [x for x in under if not any(y != x and y.startswith(x + "/") for y in under)]
        if under and part_group({leaf(x) for x in under}):
            out.append((c, under))
    return out


def row_sums(view: View, t: TableView) -> list[Finding]:
    if t.name == "三公经费表":
        return []
    out = []
    for total_col, part_cols in _row_groups(t):
        for r in t.rows:
            total = shown(r.cell(total_col))
            parts = [(r, amount(r.cell(c))) for c in part_cols]
            if total is None or not _all_read(parts) or not any(r.cell(c) for c in part_cols):
                continue
            if all(p.value == 0 for _, p in parts) and total.value == 0:
                continue
            names = "＋".join(leaf(c) for c in part_cols)
            f = _sum_finding(view, t, "sum.row", r, total_col, total, parts, names=names)
            if f:
                out.append(f)
    return out


# ------------------------------------------------------------------ 收支总表: ordinal items and balance
SIDE_TOTALS = {"收入": ("本年收入合计", "当年收入小计", "本年收入小计"), "支出": ("本年支出合计", "当年支出小计", "本年支出小计")}


def ordinal_sums(view: View, t: TableView) -> list[Finding]:
    """一、二、… items of one side (收入 or 支出) sum to that side's 本年合计."""
    if t.name not in ("收支总表", "财政拨款收支总表"):
        return []
    out = []
    for column in t.columns:
        head = column.split("/")[0]
        side = "收入" if "收入" in head else "支出" if "支出" in head else None
        if side is None:
            continue
        rows = [r for r in t.rows if r.cell(column) is not None]
        totals = [r for r in rows if label_key(r.label) in SIDE_TOTALS[side]]
        if not totals and not any(re.search(r"结转|结余", r.label) for r in rows):
            totals = [r for r in rows if label_key(r.label) == side + "总计"]      # nothing carried: 总计 = 本年
        if len(totals) != 1:
            continue
        # only the items above the total: 一、二、… printed below it break down another block (年初结转)
        items = [(r, amount(r.cell(column))) for r in rows[:rows.index(totals[0])] if ORDINAL_LABEL.match(r.label)]
        if not items or not _all_read(items):
            continue
        total = shown(totals[0].cell(column))
        if total is None:
            continue
        f = _sum_finding(view, t, "sum.ordinal", totals[0], column, total, items)
        if f:
            out.append(f)
    return out


def balance(view: View, t: TableView) -> list[Finding]:
    """收入总计 = 支出总计 in 收支总表 and 财政拨款收支总表."""
    if t.name not in ("收支总表", "财政拨款收支总表"):
        return []
    inc = _side_total(t, "收入", ("收入总计", "总计", "收入合计"))
    exp = _side_total(t, "支出", ("支出总计", "总计", "支出合计"))
    if not inc or not exp:
        return []
    (ir, ic, ip), (er, ec, ep) = inc, exp
    if sum_verdict(ip, [ep]) == "ok" or (sum_agrees(ip, [ep]) and tails_explained(view)):
        return []
    diff = show_value(abs(ip.value - ep.value), ip.unit, min(max(ip.decimals, ep.decimals), 2))
    msg = say("balance", table=t.title, income=show(ip), expense=show(ep), diff=diff)
    sev = HINT if sum_agrees(ip, [ep]) else ERROR
    return [Finding(FAMILY, sev, msg, (ir.cite(view.title, ic), er.cite(view.title, ec)),
                    (show(ip), show(ep)), "balance", view.document.doc_id)]


def _side_total(t: TableView, side: str, labels: tuple[str, ...]):
    for label in labels:
        for r in t.rows:
            if label_key(r.label) != label:
                continue
            cols = [f.column for f in r.cells if f.column.split("/")[0] == side]
            if cols:
                p = amount(r.cell(cols[0]))
                if p is not None and p.decimals < 9:
                    return r, cols[0], p
    return None


# ------------------------------------------------------------------ 项目支出表
def project_sums(view: View, t: TableView) -> list[Finding]:
    """Project lines sum to the first (合计 or body) line of the 项目支出表."""
    if t.name != "项目支出表" or not t.rows:
        return []
    col = next((c for c in t.columns if leaf(c) in ("合计", "小计", "金额")), None)
    if col is None:
        return []
    body = view.document.body
    heads = [r for r in t.rows if label_key(r.label) in ("合计", "总计") or (body and label_key(r.label) == body)]
    if not heads or heads[0] is not t.rows[0]:
        return []
    lines = [r for r in t.rows if r not in heads]
    if any(ORG_SUFFIX.search(label_key(r.label)) for r in lines) or not lines:
        return []
    total = shown(heads[0].cell(col))
    parts = [(r, amount(r.cell(col))) for r in lines]
    if total is None or not _all_read(parts):
        return []
    f = _sum_finding(view, t, "sum.projects", heads[0], col, total, parts, n=len(parts))
    return [f] if f else []


# ------------------------------------------------------------------ “三公” table
def sanggong_sums(view: View, t: TableView) -> list[Finding]:
    """三公 = 出国 + 接待 + 车; 车 = 购置 + 运行 (rows or columns of the 三公 table)."""
    if t.name != "三公经费表":
        return []
    out = []
    for parts in table_parts(t).values():
        for whole, names in (("total", PARTS), ("car", CAR_PARTS)):
            got = parts.get(whole)
            if not got or got[2].decimals >= 9 or not all(n in parts for n in names):
                continue
            if all(parts[n][2].decimals >= 9 for n in names):
                continue
            figures = [parts[n][2] for n in names]
            verdict = sum_verdict(got[2], figures)
            if verdict == "ok" or (verdict == "tail" and tails_explained(view)):
                continue
            s, diff = diff_message(got[2], figures)
            msg = say("parts.table", table=t.title, what=SG_NAMES[whole], total=show(got[2]),
                      parts="＋".join(SG_NAMES[n] for n in names), sum=s, diff=diff)
            cites = _unique([got[0].cite(view.title, got[1])] + [parts[n][0].cite(view.title, parts[n][1]) for n in names])
            out.append(Finding(FAMILY, HINT if verdict == "tail" else ERROR, msg + ("（尾差）" if verdict == "tail" else ""),
                               tuple(cites), (show(got[2]), s), "sum.sanggong", view.document.doc_id))
    return out


PERSONNEL_CODES = ("301", "303")     # 工资福利支出 + 对个人和家庭的补助
GROUP_TOTALS = {"人员经费合计": "人员经费", "公用经费合计": "公用经费"}


def group_totals(view: View, t: TableView) -> list[Finding]:
    """A 基本支出 table printed in two column blocks: 人员经费合计 = 工资福利支出 (301) + 对个人和家庭的
    补助 (303); 公用经费合计 = 商品和服务支出 (302) + 资本性支出 (310) and the other 类 of the 公用 block."""
    if t.name != "基本支出分经济科目表":
        return []
    totals = {GROUP_TOTALS[r.key]: r for r in t.rows if r.key in GROUP_TOTALS and not r.code}
    if len(totals) < 2:
        return []
    classes = [r for r in t.rows if r.code and len(r.code) == 3 and r.code.startswith("3")]
    out = []
    for name, total_row in totals.items():
        mine = [r for r in classes if (r.code in PERSONNEL_CODES) == (name == "人员经费")]
        for f in total_row.cells:
            total = shown(f)
            parts = [(r, amount(r.cell(f.column))) for r in mine]
            if total is None or not parts or not _all_read(parts):
                continue
            found = _sum_finding(view, t, "sum.group", total_row, f.column, total, parts,
                                 names="＋".join(f"{r.code}{r.key}" for r, _ in parts))
            if found:
                out.append(found)
    return out
