"""文表一致: figures the narrative gives (totals, 类/款/项, 基本/项目, 人员/公用, 三公, 机关运行经费) match
the tables, compared after unit conversion at the precision each side prints. A text figure is only
wrong when no table figure of the same item (in any scope the text may mean) agrees with it."""
from __future__ import annotations

import re

from audit.chains import by_name, norm_name, resolve, sentence_to_chain, view_to_codes
from audit.common import amount, leaf, show
from audit.cross_table import FUNCTIONAL, _role, class_names
from audit.figures import Printed, fmt_in, same_amount
from audit.items import Candidate, candidates, subject_to_item
from audit.messages import say
from audit.model import ERROR, Finding
from audit.sentences import Figure, sentence_to_figures
from audit.view import Sentence, View
from labels import label_key

FAMILY = "text_table"
AFTER_CHAIN = re.compile(r"^[”\"]?\s*(?:科目)?\s*(?:支出)?\s*(?:预算|决算)?(?:数)?\s*(?:为|是)?\s*$")
FINAL_FIGURE = re.compile(r"(?:支出)?决算(?:数)?为\s*$")
GENERIC = re.compile(r"^(?:支出|收入)?(?:预算|决算)(?:数)?$|^支出$")
ITEM_CONTEXT = re.compile(r"全年预算|年初预算|调整预算")
PREFERRED = ("支出总表", "一般公共预算支出表", "收支总表", "基本支出分经济科目表", "三公经费表", "收入总表")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    names = by_name(view_to_codes(view))
    out: list[Finding] = []
    used: set[tuple[int, int]] = set()          # figures already read as a 类/款/项 amount
    for s in view.narrative:
        figs = _money(view, s)
        chain_fig = _chain_figure(view, s, figs, names)
        if chain_fig:
            fig, code, path = chain_fig
            used.add((fig.sentence.index, fig.start))
            out += _check(view, fig, code_candidates(view, code), path, code)
    for s in view.narrative:
        for fig in _money(view, s):
            if (s.index, fig.start) in used or fig.comparison or fig.other_time:
                continue
            if GENERIC.match(fig.subject) and ITEM_CONTEXT.search(s.text):
                continue
            item = subject_to_item(fig.subject)
            if item:
                key, name, fund = item
                out += _check(view, fig, candidates(view, key, fund, view.document.kind), fig.subject or name)
                continue
            hits = names.get(norm_name(fig.subject), [])
            if len(hits) == 1 and len(fig.subject) >= 4:
                out += _check(view, fig, code_candidates(view, hits[0].code), fig.subject, hits[0].code)
    return out


def _money(view: View, s: Sentence) -> list[Figure]:
    return [f for f in sentence_to_figures(s, view.document.body) if f.value.unit != "%"]


def _chain_figure(view: View, s: Sentence, figs: list[Figure], names) -> tuple[Figure, str, str] | None:
    chain = sentence_to_chain(s.text)
    if not chain:
        return None
    resolved = resolve(chain, names)
    if resolved[-1] is None:
        return None
    path = "".join(f"{c.written}（{c.level}）" if c.level else c.written for c in chain)
    end = chain[-1].end
    for f in figs:
        if f.start >= end and AFTER_CHAIN.match(s.text[end:f.start]) and not f.comparison:
            return f, resolved[-1].code, path
    if view.document.kind == "决算":       # 全年预算为…，支出决算为N万元 later in the paragraph
        for x in view.paragraph(s):
            if x.index < s.index:
                continue
            for f in sentence_to_figures(x, view.document.body):
                if f.value.unit != "%" and FINAL_FIGURE.search(x.text[:f.start]) and (x is not s or f.start >= end):
                    return f, resolved[-1].code, path
    return None


def code_candidates(view: View, code: str) -> list[Candidate]:
    names = class_names(view)
    out = []
    for t in view.tables:
        if t.name not in FUNCTIONAL or t.segment:
            continue
        for r in t.rows:
            rc = r.code or (names.get(label_key(r.label)) if t.name in ("收支总表", "财政拨款收支总表") else None)
            if rc != code:
                continue
            for f in r.cells:
                p = amount(f)
                if p is None or p.decimals >= 9 or _role(t, f.column) != "total":
                    continue
                if t.name in ("收支总表", "财政拨款收支总表") and not f.column.startswith("支出"):
                    continue
                out.append(Candidate(t, r, f.column, p))
    return out


def _check(view: View, fig: Figure, cands: list[Candidate], item: str, code: str | None = None) -> list[Finding]:
    if not cands or any(same_amount(fig.value, c.value) for c in cands):
        return []
    best = sorted(cands, key=lambda c: PREFERRED.index(c.table.name) if c.table.name in PREFERRED else 99)[0]
    tv = _in_unit(best.value, fig.value.unit)
    text_value = f"{fig.value.raw}{fig.value.unit}"
    if code:
        msg = say("text.code", path=item, text_value=text_value, table=best.table.title, code=code,
                  label=label_key(best.row.label), table_value=tv)
    else:
        where = f"“{label_key(best.row.label)}”行{leaf(best.column)}" if leaf(best.column) else f"“{label_key(best.row.label)}”"
        msg = say("text.item", item=item, text_value=text_value, table=best.table.title + where, table_value=tv)
    cites = (fig.sentence.cite(view.title, view.document.doc_id), best.row.cite(view.title, best.column))
    return [Finding(FAMILY, ERROR, msg, cites, (text_value, tv), "text." + ("code" if code else "item"),
                    view.document.doc_id)]


def _in_unit(p: Printed, unit: str) -> str:
    """A table figure shown in the text's unit (and as printed when units differ)."""
    if p.unit == unit or unit not in ("万元", "元", "亿元"):
        return show(p)
    return f"{fmt_in(p.in_yuan(), unit, min(p.decimals, 2))}{unit}（表中{show(p)}）"

