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
from audit.model import ERROR, HINT, Finding
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
    codes = view_to_codes(view)
    names = by_name(codes)
    out: list[Finding] = []
    used: set[tuple[int, int]] = set()          # figures already read as a 类/款/项 amount
    for s in view.narrative:
        figs = _money(view, s)
        chain_fig = _chain_figure(view, s, figs, names, codes)
        if chain_fig:
            fig, code, path = chain_fig
            for f in [fig] + _item_levels(view, s, fig):
                used.add((f.sentence.index, f.start))
                out += _check(view, f, code_candidates(view, code), path if f is fig else f"{path}{f.subject}", code)
    for s in view.narrative:
        for fig in _money(view, s):
            if (s.index, fig.start) in used or fig.comparison:
                continue
            if fig.other_time or (view.document.kind == "决算" and BUDGET_WORD.search(fig.clause)
                                  and "决算" not in fig.clause):
                out += _budget_level(view, fig)
                continue
            head = LABELLED.match(s.text)
            if head and LABEL_TOTAL.match(fig.subject):
                # 行政事业单位离退休（款）：预算支出合计A万元 is the 款's amount, not the document's 合计
                hits = names.get(norm_name(head.group(1)), [])
                if len(hits) == 1:
                    out += _check(view, fig, code_candidates(view, hits[0].code), head.group(1), hits[0].code)
                continue
            if GENERIC.match(fig.subject):
                out += _of_the_head(view, s, fig)
                continue
            item = subject_to_item(fig.subject)
            if item:
                key, name, fund = item
                out += _check(view, fig, candidates(view, key, fund, view.document.kind), fig.subject or name)
                continue
            hits = names.get(norm_name(fig.subject), [])
            if len(hits) == 1 and len(fig.subject) >= 4:
                out += _check(view, fig, code_candidates(view, hits[0].code), fig.subject, hits[0].code)
    return tails_to_one(view, out)


LABELLED = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．])?\s*([\u4e00-\u9fa5]{2,30}?)\s*[（(][类款项][)）]\s*[:：]")
LABEL_TOTAL = re.compile(r"^(?:支出|收入)?(?:预算|决算)?(?:支出|收入)?(?:合计|总计|数)?$")
HEAD_BUDGET = re.compile(r"(?:年初预算|全年预算|调整预算|预算|决算)(?:数)?(?:为|是)?\s*$")


def _of_the_head(view: View, s: Sentence, fig: Figure) -> list[Finding]:
    """“X年初预算为A万元，支出决算为B万元”: a bare 支出决算 is the sentence's head item's (X); it is
    checked against X's 决算 figure, and left alone when X is not an item the tables print."""
    first = next((f for f in _money(view, s)), None)
    if view.document.kind != "决算" or "决算" not in fig.clause or first is None or first is fig:
        return []
    head = HEAD_BUDGET.sub("", re.sub(r"\s+", "", first.subject))
    item = subject_to_item(head)
    if not item or item[0] in ("income", "both"):
        return []
    return _check(view, fig, candidates(view, item[0], item[2], "决算"), f"{head}{fig.subject}")


BUDGET_LEVEL = re.compile(r"^(?:当年|本年)?(?:预算安排|预算数|安排)$")


def _item_levels(view: View, s: Sentence, chain_fig: Figure) -> list[Figure]:
    """This year's level of the chain's item stated again further on in its paragraph
    (…2023年当年预算执行数为348.52万元，2024年预算安排350.35万元…)."""
    out = []
    for x in view.paragraph(s):
        for f in _money(view, x) if x.index >= s.index else []:
            if (x is not s or f.start > chain_fig.start) and BUDGET_LEVEL.match(f.subject) \
                    and not f.comparison and not f.other_time and f.clause.find("执行") < 0:
                out.append(f)
    return out


BUDGET_WORD = re.compile(r"(年初预算|全年预算|调整预算|预算)(?:数)?(?:为|是)?\s*$")


def _budget_level(view: View, fig: Figure) -> list[Finding]:
    """A 决算's “年初预算/全年预算/调整预算/预算数 为X万元” of a named item (三公, 机关运行经费 …) against
    the tables' budget column of that kind; a plain 预算数 may match any of them."""
    m = BUDGET_WORD.search(fig.clause)
    if view.document.kind != "决算" or not m:
        return []
    item = subject_to_item(fig.subject[:len(fig.subject) - len(m.group(0))] if fig.subject.endswith(m.group(0))
                           else re.sub(r"(年初预算|全年预算|调整预算|预算)(?:数)?$", "", fig.subject))
    if not item:
        return []
    word = m.group(1)
    cands = [c for c in candidates(view, item[0], item[2], "预算") if _budget_column(c.column, word)]
    return _check(view, fig, cands, f"{item[1]}{word}")


def _budget_column(column: str, word: str) -> bool:
    if "决算" in column:
        return False
    if word == "预算":
        return bool(re.search(r"预算", column))
    return word in column


def _money(view: View, s: Sentence) -> list[Figure]:
    return [f for f in sentence_to_figures(s, view.document.body) if f.value.unit != "%"]


def _chain_figure(view: View, s: Sentence, figs: list[Figure], names, codes) -> tuple[Figure, str, str] | None:
    chain = sentence_to_chain(s.text)
    if not chain:
        return None
    resolved = resolve(chain, names, codes)
    if resolved[-1] is None:
        return None
    path = "".join(f"{c.written}（{c.number}{c.level}）" if c.level else c.written for c in chain)
    end = chain[-1].end
    for f in figs:
        if f.start >= end and AFTER_CHAIN.match(s.text[end:f.start]) and not f.comparison:
            return f, resolved[-1].code, path
    if view.document.kind == "决算":       # 全年预算为…，支出决算为N万元 later on, before the next item
        for x in _item_sentences(view, s):
            for f in sentence_to_figures(x, view.document.body):
                if f.value.unit != "%" and FINAL_FIGURE.search(x.text[:f.start]) and (x is not s or f.start >= end):
                    return f, resolved[-1].code, path
    return None


def _item_sentences(view: View, s: Sentence) -> list[Sentence]:
    """The chain's sentence and those after it in its section, up to the next chain (a 决算 prints
    “1、X（类）Y（款）Z（项）。” on its own and the figures in the sentences that follow)."""
    out = [s]
    for x in [x for x in view.narrative if x.index > s.index][:4]:
        if x.section != s.section or sentence_to_chain(x.text):
            break
        out.append(x)
    return out


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
    tv = _in_unit(best.value, fig.value.unit, max(fig.value.decimals, 2))
    text_value = f"{fig.value.raw}{fig.value.unit}"
    if code:
        msg = say("text.code", path=item, text_value=text_value, table=best.table.title, code=code,
                  label=label_key(best.row.label), table_value=tv)
    else:
        where = f"“{label_key(best.row.label)}”行{leaf(best.column)}" if leaf(best.column) else f"“{label_key(best.row.label)}”"
        msg = say("text.item", item=item, text_value=text_value, table=best.table.title + where, table_value=tv)
    cites = (fig.sentence.cite(view.title, view.document.doc_id), best.row.cite(view.title, best.column))
    rule = TAIL if any(_one_unit_off(fig.value, c.value) for c in cands) else "text." + ("code" if code else "item")
    if rule == TAIL:
        short = tv.split("（")[0]
        return [Finding(FAMILY, HINT, msg, cites, (text_value, short, label_key(best.row.label)), rule,
                        view.document.doc_id)]
    return [Finding(FAMILY, ERROR, msg, cites, (text_value, tv), rule, view.document.doc_id)]


TAIL = "text.tail"


def _one_unit_off(text: Printed, table: Printed) -> bool:
    """The text's figure is one unit of its last digit from the table's (204.91 for 2,049,197元)."""
    return abs(text.in_yuan() - table.in_yuan()) <= 3 * text.half_in_yuan()


def tails_to_one(view: View, findings: list[Finding]) -> list[Finding]:
    """Text figures one unit of their last digit off the tables: one 提示 “尾差” for the document."""
    tails = list({(f.figures, f.citations[0].text): f for f in findings if f.rule == TAIL}.values())
    out, said = [], set()
    for f in findings:
        key = (f.rule, f.figures, f.citations[-1].text, f.citations[0].page)
        if f.rule != TAIL and key not in said:     # a chain's figure restated as 预算安排 in its paragraph: once
            said.add(key)
            out.append(f)
    if not tails:
        return out
    items = "、".join(f"{f.figures[2]}{f.figures[0]}（表中{f.figures[1]}）" for f in tails[:6])
    msg = say("text.tail", n=len(tails), items=items + ("等" if len(tails) > 6 else ""))
    cites = tuple(c for f in tails[:3] for c in f.citations)
    return out + [Finding(FAMILY, HINT, msg, cites, tuple(f.figures[0] for f in tails), TAIL, view.document.doc_id)]


def _in_unit(p: Printed, unit: str, decimals: int = 2) -> str:
    """A table figure shown in the text's unit (and as printed when units differ)."""
    if p.unit == unit or unit not in ("万元", "元", "亿元"):
        return show(p)
    return f"{fmt_in(p.in_yuan(), unit, decimals)}{unit}（表中{show(p)}）"

