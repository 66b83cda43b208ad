"""Named items a narrative states (基本支出, 人员经费, 三公 …) and where the tables print them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from audit.common import TOTAL_COLUMNS, amount, leaf
from audit.figures import Printed
from audit.sanggong import table_parts
from audit.scope import Scope, column_scope, fund_of, view_to_collapse
from audit.view import Row, TableView, View
from labels import label_key

B = r"(?:预算|决算)?(?:支出)?(?:预算|决算)?(?:数|总额|金额)?"
ITEMS: tuple[tuple[str, str, re.Pattern], ...] = (
    ("sanggong", "“三公”经费", re.compile(rf"^[“\"]?三公[”\"]?经费(?:财政拨款)?{B}(?:合计)?$")),
    ("abroad", "因公出国（境）费", re.compile(rf"^因公出国[（(]境[)）]费用?{B}$")),
    ("reception", "公务接待费", re.compile(rf"^公务接待费{B}$")),
    ("car", "公务用车购置及运行费", re.compile(rf"^公务用车购置及运行(?:维护)?费{B}$")),
    ("car_buy", "公务用车购置费", re.compile(rf"^公务用车购置费?{B}$")),
    ("car_run", "公务用车运行维护费", re.compile(rf"^公务用车运行(?:维护)?费{B}$")),
    ("jiguan", "机关运行经费", re.compile(rf"^(?:一般公共预算|财政拨款的?)?机关运行经费{B}$")),
    ("personnel", "人员经费", re.compile(r"^人员经费(?:合计)?$")),
    ("public", "公用经费", re.compile(r"^公用经费(?:合计)?$")),
    ("basic", "基本支出", re.compile(rf"^(?:{'|'.join(('一般公共预算安排', '一般公共预算', '财政拨款', '一般公共预算财政拨款'))})?基本支出{B}$")),
    ("project", "项目支出", re.compile(rf"^(?:一般公共预算|财政拨款)?项目支出{B}$")),
    ("income", "收入总计", re.compile(r"^(?:部门|单位)?(?:本年)?(?:预算|决算)?收入(?:预算|决算)?(?:总计|合计)?$")),
    ("expense", "支出总计", re.compile(r"^(?:部门|单位)?(?:本年)?(?:部门)?(?:预算|决算)?支出(?:预算|决算)?(?:总计|合计)?$")),
    ("both", "收支总计", re.compile(r"^(?:部门|单位)?(?:收、?支|收入、?支出|财务收支)(?:预算|决算)?(?:总计|总预算|合计)$")),
    ("both", "预算资金总额", re.compile(r"^(?:涉及)?(?:部门|单位)预算资金(?:总额)?$")),
)
INCOME_TOTALS = ("本年收入合计", "收入总计", "收入合计", "当年收入小计", "本年收入小计", "总计")
EXPENSE_TOTALS = ("本年支出合计", "支出总计", "支出合计", "当年支出小计", "本年支出小计", "总计")
SANGONG_WORDS = {"abroad": re.compile(r"因公出国"), "reception": re.compile(r"公务接待"),
                 "car": re.compile(r"购置及运行|^小计$"), "car_buy": re.compile(r"购置费$|^购置费"),
                 "car_run": re.compile(r"运行(维护)?费$"), "sanggong": re.compile(r"^合计$|三公.*(合计|小计)?$"),
                 "jiguan": re.compile(r"机关运行经费")}


@dataclass(frozen=True)
class Candidate:
    table: TableView
    row: Row
    column: str
    value: Printed


def subject_to_item(subject: str) -> tuple[str, str, str] | None:
    """(item key, item name, fund) for a narrative subject, or None."""
    s = re.sub(r"\s+", "", subject)
    fund = fund_of(s, "all")
    bare = re.sub(r"^(?:一般公共预算|政府性基金预算|国有资本经营预算|财政拨款)(?:拨款|财政拨款)?(?:的|当年|本年)?", "", s)
    for key, name, rx in ITEMS:
        if rx.match(s) or rx.match(bare):
            return key, name, fund
    return None


def candidates(view: View, key: str, fund: str = "all", kind: str = "预算") -> list[Candidate]:
    found = _FINDERS[key](view, kind) if key in _FINDERS else []
    if fund == "all":
        return found
    collapse = view_to_collapse(view)
    want = collapse.norm(Scope(fund, "total")).fund
    return [c for c in found if collapse.norm(column_scope(c.table, c.column)).fund == want]


def _cells(t: TableView, r: Row, pred) -> list[Candidate]:
    out = []
    for f in r.cells:
        p = amount(f)
        if p is not None and p.decimals < 9 and pred(f.column):
            out.append(Candidate(t, r, f.column, p))
    return out


def _is_amount_col(column: str) -> bool:
    name = leaf(column)
    return name in TOTAL_COLUMNS or name in ("金额", "预算数", "决算数", "") or bool(re.search(r"合计$|预算数$|决算数$", name))


def _total_rows(t: TableView) -> list[Row]:
    return [r for r in t.rows if label_key(r.label) in ("合计", "总计")]


def _column_item(view: View, names: tuple[str, ...], leaf_name: str) -> list[Candidate]:
    out = []
    for t in view.tables_named(*names):
        for r in _total_rows(t) + [r for r in t.rows if label_key(r.label) in EXPENSE_TOTALS]:
            out += _cells(t, r, lambda c: leaf(c) == leaf_name)
    return out


def _label_item(view: View, names: tuple[str, ...], label: str) -> list[Candidate]:
    out = []
    for t in view.tables_named(*names):
        for r in t.rows:
            if label_key(r.label) == label:
                out += _cells(t, r, lambda c: _is_amount_col(c) or leaf(c) in ("一般公共预算",))[:1]
    return out


def _basic(view: View, kind: str) -> list[Candidate]:
    out = _column_item(view, ("支出总表", "一般公共预算支出表", "收支总表", "财政拨款收支总表"), "基本支出")
    out += _label_item(view, ("收支总表", "财政拨款收支总表", "支出总表"), "基本支出")
    for t in view.tables_named("基本支出分经济科目表"):
        for r in _total_rows(t):
            out += _cells(t, r, lambda c: leaf(c) in TOTAL_COLUMNS | {"金额", "预算数", "决算数"})
    return out


def _project(view: View, kind: str) -> list[Candidate]:
    out = _column_item(view, ("支出总表", "一般公共预算支出表", "收支总表", "财政拨款收支总表"), "项目支出")
    out += _label_item(view, ("收支总表", "财政拨款收支总表", "支出总表"), "项目支出")
    for t in view.tables_named("项目支出表"):
        if t.rows:
            out += _cells(t, t.rows[0], lambda c: leaf(c) in ("合计", "小计", "金额"))
    return out


def _econ(leaf_name: str):
    def find(view: View, kind: str) -> list[Candidate]:
        out = []
        for t in view.tables_named("基本支出分经济科目表"):
            for r in _total_rows(t):
                out += _cells(t, r, lambda c: leaf(c) == leaf_name)
            for r in t.rows:
                if label_key(r.label) in (leaf_name + "合计", leaf_name):
                    out += _cells(t, r, lambda c: True)
        return out
    return find


def _sanggong(key: str):
    def find(view: View, kind: str) -> list[Candidate]:
        out = []
        skip = "预算数" if kind == "决算" else "决算数"
        if key == "jiguan":
            for t in view.tables_named("三公经费表", "机关运行经费表"):
                for r in t.rows:
                    in_table = t.name == "机关运行经费表" and (r.is_total or label_key(r.label) in ("部门合计", "合计"))
                    out += _cells(t, r, lambda c: ("机关运行" in c or in_table) and not c.endswith(skip)
                                  and (in_table and _is_amount_col(c) or "机关运行" in c))
            return out
        for t in view.tables_named("三公经费表"):
            for parts in table_parts(t).values():
                got = parts.get("total" if key == "sanggong" else key)
                if got and got[2].decimals < 9 and not got[1].endswith(skip):
                    out.append(Candidate(t, got[0], got[1], got[2]))
        return out
    return find


def _side_totals(labels: tuple[str, ...], side: str, code_tables: tuple[str, ...]):
    def find(view: View, kind: str) -> list[Candidate]:
        out = []
        for t in view.tables_named("收支总表", "财政拨款收支总表"):
            for r in t.rows:
                if label_key(r.label) in labels:
                    cells = [f for f in r.cells if f.column.startswith(side) and amount(f)] or \
                        [f for f in r.cells if leaf(f.column) == "金额" and amount(f)]   # side not in the header
                    if cells:
                        p = amount(cells[0])
                        assert p is not None        # cells keeps only those with an amount
                        if p.decimals < 9:
                            out.append(Candidate(t, r, cells[0].column, p))
        for t in view.tables_named(*code_tables):
            for r in _total_rows(t):
                out += _cells(t, r, lambda c: leaf(c) in TOTAL_COLUMNS or leaf(c) == "金额")[:1]
        return out
    return find


def _both(view: View, kind: str) -> list[Candidate]:
    return _FINDERS["income"](view, kind) + _FINDERS["expense"](view, kind)


_FINDERS = {
    "basic": _basic, "project": _project, "personnel": _econ("人员经费"), "public": _econ("公用经费"),
    "income": _side_totals(INCOME_TOTALS, "收入", ("收入总表",)),
    "expense": _side_totals(EXPENSE_TOTALS, "支出", ("支出总表",)),
    "both": _both,
    **{k: _sanggong(k) for k in ("sanggong", "abroad", "reception", "car", "car_buy", "car_run", "jiguan")},
}
