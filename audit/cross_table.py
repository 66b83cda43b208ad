"""表间一致: the same 科目编码 (or 类 named in a 收支总表) and the same scope carry the same figure in
every table that prints it; likewise each table's 合计."""
from __future__ import annotations

import re

from audit.common import ORDINAL_LABEL, TOTAL_COLUMNS, leaf, show, shown
from audit.figures import Printed, same_amount
from audit.messages import say
from audit.model import ERROR, Finding
from audit.scope import column_scope, view_to_collapse
from audit.view import Row, TableView, View
from labels import label_key

FAMILY = "cross_table"
FUNCTIONAL = {"收入总表", "支出总表", "一般公共预算支出表", "政府性基金支出表", "收支总表", "财政拨款收支总表"}
ECONOMIC = {"基本支出分经济科目表"}
ROLE_NAMES = {"total": "金额", "basic": "基本支出", "project": "项目支出", "personnel": "人员经费", "public": "公用经费"}
SIDE_TOTAL = re.compile(r"^(合计|本年支出合计|本年支出小计|当年支出小计)$")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    collapse = view_to_collapse(view)
    names = class_names(view)
    seen: dict[tuple, list[tuple[TableView, Row, str, Printed]]] = {}
    for t in view.tables:
        if t.name not in FUNCTIONAL | ECONOMIC or not t.has_values:
            continue
        space = "econ" if t.name in ECONOMIC else "func"
        for r in t.rows:
            ident = _row_ident(t, r, names)
            if ident is None:
                continue
            for f in r.cells:
                role = _role(t, f.column)
                p = shown(f)
                if role is None or p is None or (t.name in ("收支总表", "财政拨款收支总表") and not f.column.startswith("支出")):
                    continue
                scope = collapse.norm(column_scope(t, f.column))
                key = (space, ident, role, scope, t.segment)
                group = seen.setdefault(key, [])
                if not any(x[0] is t for x in group):
                    group.append((t, r, f.column, p))
    for key, group in _split_totals(view, collapse).items():
        seen.setdefault(key, []).extend(x for x in group if not any(y[0] is x[0] for y in seen.get(key, [])))
    out: list[Finding] = []
    for key, group in seen.items():
        out += _disagreements(view, key, group)
    return out


SPLIT_ROLES = {"人员经费": "personnel", "公用经费": "public"}
SPLIT_TOTAL_ROWS = re.compile(r"^(合计|总计|本年支出合计|支出合计|支出总计)$")


def _split_totals(view: View, collapse) -> dict[tuple, list]:
    """人员经费 / 公用经费 totals wherever a table prints them: a column on the total row (收支总表,
    支出总表, 基本支出表) or a 人员经费合计 / 公用经费合计 row (决算's 基本支出表)."""
    out: dict[tuple, list] = {}
    for t in view.tables:
        if t.segment or t.name in (None, "绩效目标表", "三公经费表", "项目支出表") or not t.has_values:
            continue
        for r in t.rows:
            key = label_key(r.label)
            for f in r.cells:
                role = SPLIT_ROLES.get(leaf(f.column)) if SPLIT_TOTAL_ROWS.match(key) else \
                    SPLIT_ROLES.get(key[:-2]) if key.endswith("合计") else None
                p = shown(f)
                if role is None or p is None or (key.endswith("合计") and key[:-2] in SPLIT_ROLES and leaf(f.column)
                                                 not in TOTAL_COLUMNS | {"金额", "预算数", "决算数", ""}):
                    continue
                scope = collapse.norm(column_scope(t, f.column))
                group = out.setdefault(("econ", "TOTAL", role, scope, 0), [])
                if not any(x[0] is t for x in group):
                    group.append((t, r, f.column, p))
    return out


def class_names(view: View) -> dict[str, str]:
    """类 name (label key) -> code, from the tables that print codes."""
    return view.once("class_names", _class_names)


def _class_names(view: View) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in view.tables:
        for r in t.rows:
            if r.code and r.level == "类":
                out.setdefault(label_key(r.label), r.code)
    return out


def _row_ident(t: TableView, r: Row, names: dict[str, str]) -> str | None:
    if t.name in ("收支总表", "财政拨款收支总表"):
        if ORDINAL_LABEL.match(r.label):
            return names.get(label_key(r.label))
        return "TOTAL" if SIDE_TOTAL.match(label_key(r.label)) and label_key(r.label) != "合计" else None
    if r.code:
        return r.code
    return "TOTAL" if label_key(r.label) == "合计" else None


def _role(t: TableView, column: str) -> str | None:
    name = leaf(column)
    if name == "基本支出":
        return "basic"
    if name == "项目支出":
        return "project"
    if t.name in ECONOMIC:
        return {"人员经费": "personnel", "公用经费": "public"}.get(name) or ("total" if name in TOTAL_COLUMNS | {"金额", "预算数", "决算数"} else None)
    if name in TOTAL_COLUMNS or name in ("金额", "预算数", "决算数", "收入预算", "支出预算") or re.search(r"合计$", name):
        return "total"
    if name in ("一般公共预算", "一般公共预算资金", "一般公共预算财政拨款") and t.name in ("收入总表", "财政拨款收支总表"):
        return "total"
    return None


def _disagreements(view: View, key: tuple, group: list) -> list[Finding]:
    if len(group) < 2:
        return []
    clusters: list[list] = []
    for item in group:
        for c in clusters:
            if same_amount(c[0][3], item[3]):
                c.append(item)
                break
        else:
            clusters.append([item])
    if len(clusters) == 1:
        return []
    clusters.sort(key=len, reverse=True)
    base = clusters[0][0]
    out = []
    for c in clusters[1:]:
        for odd in c:
            out.append(_finding(view, key, base, odd))
    return out


def _finding(view: View, key: tuple, a: tuple, b: tuple) -> Finding:
    _, ident, role, _, _ = key
    (ta, ra, ca, pa), (tb, rb, cb, pb) = a, b
    if ident == "TOTAL":
        msg = say("cross.total", role=ROLE_NAMES[role], table_a=ta.title, a=show(pa), table_b=tb.title, b=show(pb))
    else:
        label = next((r.label for r in (ra, rb) if r.code), ra.label)
        msg = say("cross.code", code=ident, label=label_key(label), role=ROLE_NAMES[role], table_a=ta.title,
                  a=show(pa), table_b=tb.title, b=show(pb))
    return Finding(FAMILY, ERROR, msg, (ra.cite(view.title, ca), rb.cite(view.title, cb)), (show(pa), show(pb)),
                   "cross." + ("total" if ident == "TOTAL" else "code"), view.document.doc_id)
