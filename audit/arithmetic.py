"""表内算术: children sum to parents along 科目编码, total rows, 合计 = its parts per row,
收入总计 = 支出总计, project lines sum to their total, 三公 and 政府采购 parts (tables and text)."""
from __future__ import annotations

import re
from decimal import Decimal

from audit.common import ORDINAL_LABEL, TOTAL_COLUMNS, amount, leaf, parent_path, part_group, show, show_value, shown
from audit.figures import Printed, sum_agrees
from audit.messages import say
from audit.model import ERROR, Finding
from audit.sanggong import CAR_PARTS, PARTS, table_parts
from audit.sanggong import NAMES as SG_NAMES
from audit.sentences import sentence_to_figures
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
    out += text_parts(view)
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


def _diff_msg(total: Printed, parts: list[Printed]) -> tuple[str, str]:
    s = sum((p.value for p in parts), Decimal(0))
    d = max([total.decimals] + [p.decimals for p in parts if p.decimals < 9])
    d = min(d, 2)
    return show_value(s, total.unit, d), show_value(abs(total.value - s), total.unit, d)


def _dropped_cents(total: Printed, parts: list[Printed]) -> bool:
    """The total shows fewer decimals than its parts and only the cents are missing."""
    shown = [p.decimals for p in parts if p.decimals < 9]
    s = sum((p.value for p in parts), Decimal(0))
    return bool(shown) and total.decimals < min(shown) and 0 < abs(total.value - s) < 1


def _sum_finding(view: View, t: TableView, key: str, total_row: Row, column: str, total: Printed,
                 parts: list[tuple[Row, Printed]], **slots) -> Finding | None:
    figures = [p for _, p in parts]
    cents = _dropped_cents(total, figures)
    if not cents and sum_agrees(total, figures):
        return None
    s, diff = _diff_msg(total, figures)
    msg = (say("sum.cents", table=t.title, label=total_row.label, column=leaf(column), total=show(total), sum=s)
           if cents else say(key, table=t.title, label=total_row.label, column=leaf(column), total=show(total),
                             sum=s, diff=diff, **slots))
    cites = _unique([total_row.cite(view.title, column)] + [r.cite(view.title, column) for r, _ in parts[:6]])
    return Finding(FAMILY, ERROR, msg, tuple(cites), (show(total), s), "sum.cents" if cents else key,
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
    for column in t.columns:
        codes = _by_code(t, column)
        kids: dict[str, list[str]] = {}
        for c, (r, _) in codes.items():
            if r.parent and r.parent in codes:
                kids.setdefault(r.parent, []).append(c)
        for parent, children in kids.items():
            prow, total = codes[parent]
            if total.decimals >= 9:
                continue
            f = _sum_finding(view, t, "sum.children", prow, column, total, [codes[c] for c in children],
                             code=parent)
            if f:
                out.append(f)
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
            if total is None or any(p is None for _, p in parts) or not any(r.cell(c) for c in part_cols):
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
        side = column.split("/")[0]
        if side not in SIDE_TOTALS:
            continue
        rows = [r for r in t.rows if r.cell(column) is not None]
        items = [(r, amount(r.cell(column))) for r in rows if ORDINAL_LABEL.match(r.label)]
        totals = [r for r in rows if label_key(r.label) in SIDE_TOTALS[side]]
        if not items or len(totals) != 1 or any(p is None for _, p in items):
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
    if sum_agrees(ip, [ep]):
        return []
    diff = show_value(abs(ip.value - ep.value), ip.unit, min(max(ip.decimals, ep.decimals), 2))
    msg = say("balance", table=t.title, income=show(ip), expense=show(ep), diff=diff)
    return [Finding(FAMILY, ERROR, msg, (ir.cite(view.title, ic), er.cite(view.title, ec)),
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
    if total is None or any(p is None for _, p in parts):
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
            if sum_agrees(got[2], figures):
                continue
            s, diff = _diff_msg(got[2], figures)
            msg = say("parts.table", table=t.title, what=SG_NAMES[whole], total=show(got[2]),
                      parts="＋".join(SG_NAMES[n] for n in names), sum=s, diff=diff)
            cites = _unique([got[0].cite(view.title, got[1])] + [parts[n][0].cite(view.title, parts[n][1]) for n in names])
            out.append(Finding(FAMILY, ERROR, msg, tuple(cites), (show(got[2]), s), "sum.sanggong", view.document.doc_id))
    return out


# ------------------------------------------------------------------ parts stated in the text
TEXT_PARTS = (
    ("“三公”经费", re.compile(r"^[“\"]?三公[”\"]?经费(?:财政拨款)?(?:预算|决算)?(?:支出)?(?:预算|决算)?(?:数|总额)?$"),
     (("因公出国（境）费", re.compile(r"^因公出国[（(]境[)）]费用?")), ("公务接待费", re.compile(r"^公务接待费")),
      ("公务用车购置及运行费", re.compile(r"^公务用车购置及运行(?:维护)?费")))),
    ("公务用车购置及运行费", re.compile(r"^公务用车购置及运行(?:维护)?费"),
     (("公务用车购置费", re.compile(r"^公务用车购置(?!及)")), ("公务用车运行维护费", re.compile(r"^公务用车运行")))),
    ("政府采购总额", re.compile(r"^政府采购(?:支出)?(?:预算)?(?:总额|金额)"),
     (("货物", re.compile(r"货物")), ("工程", re.compile(r"工程")), ("服务", re.compile(r"服务")))),
    ("基本支出", re.compile(r"^(?:一般公共预算|财政拨款|一般公共预算财政拨款)*(?:安排的?)?基本支出(?:预算|决算)?(?:数)?$"),
     (("人员经费", re.compile(r"^人员经费")), ("公用经费", re.compile(r"^公用经费")))),
)


def text_parts(view: View) -> list[Finding]:
    """A total the text states followed by its parts (三公, 车, 政府采购, 人员/公用): total = sum."""
    out = []
    sents = view.narrative
    figs = {s.index: [f for f in sentence_to_figures(s, view.document.body) if f.value.unit != "%"] for s in sents}
    for i, s in enumerate(sents):
        for f in figs[s.index]:
            if f.comparison or f.other_time:
                continue
            for what, rx, parts in TEXT_PARTS:
                if rx.match(f.subject):
                    found = _following_parts(sents, figs, i, f, parts, what)
                    if found:
                        out += _text_sum(view, s, f, what, found)
    return out


def _following_parts(sents, figs, i, total, parts, what) -> list:
    """Figures of the named parts after the total, in the same section (up to 6 sentences on)."""
    found: dict[str, object] = {}
    for s in sents[i:i + 6]:
        if s.section != sents[i].section:
            break
        for f in figs[s.index]:
            if (s is sents[i] and f.start <= total.start) or f.comparison or f.other_time:
                continue
            for name, rx in parts:
                if name not in found and rx.search(f.subject) and not (what == "“三公”经费" and "购置费" in f.subject):
                    found[name] = f
    if what == "政府采购总额" and len(found) < 2:
        return []
    if what != "政府采购总额" and len(found) < len(parts):
        return []
    return [found[n] for n, _ in parts if n in found]


def _text_sum(view, s, total, what, parts) -> list[Finding]:
    figures = [p.value for p in parts]
    if sum_agrees(total.value, figures):
        return []
    s_, diff = _diff_msg(total.value, figures)
    msg = say("parts.text", what=total.subject or what, total=show(total.value),
              parts="＋".join(p.subject for p in parts), sum=s_, diff=diff)
    cites = [s.cite(view.title, view.document.doc_id)]
    for p in parts:
        if p.sentence is not s and all(c.text != p.sentence.text for c in cites):
            cites.append(p.sentence.cite(view.title, view.document.doc_id))
    return [Finding(FAMILY, ERROR, msg, tuple(cites), (show(total.value), s_), "sum.text", view.document.doc_id)]
