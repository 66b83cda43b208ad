"""Query + one document's facts (and, when needed, its text passages) -> a Draft. Facts first, passages
second. Pure: passages are fetched by the engine (hybrid.py) and passed in as data; drafts are frozen."""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Sequence

from labels import ORDINAL, label_to_key, normalize
from retrieval.compose import around, cn_year, convert, fact_citation, fmt, passage_citation, said, say, table_label
from retrieval.compose import say as said_text
from retrieval.coverage import sounds_like
from retrieval.draft import NOT_FOUND, Draft, Sentence, joined
from retrieval.match import (
    SIDES,
    TOTAL_COL,
    Scored,
    best_facts,
    bigrams,
    column_forms,
    covers,
    cut_words,
    dice,
    fact_key,
    fact_parts,
    fact_score,
    is_total_row,
    label_keys,
    label_sounds,
    lead_in,
    measure_in_item,
    parent_labels,
    parts_of,
    query_terms,
    same_figure,
    score_facts,
    term_score,
    terms_of,
    to_wan,
)
from retrieval.understand import Query, item_to_lexicon, terms_left
from retrieval.wording import rx, words
from schema import Document, Fact
from vocabulary import pattern

MIN_SCORE = 9.0
FIGURE = rx("figure_re")
EMPTY_NOTE = rx("empty_note_re")


@dataclass(frozen=True)
class Passage:
    text: str
    page: int | None
    section: str | None
    table: str | None
    file: str
    score: float


Passages = tuple[Passage, ...] | None       # None: not fetched (a draft that needs them says so)


def passage_query(q: Query) -> str:
    """What a document's passages are searched by for this query."""
    return " ".join((q.item,) + q.expansions + q.broad)


# ------------------------------------------------------------------ lookup
def measure_rows(q: Query, facts: list[Fact]) -> list[Fact]:
    """财政拨款基本支出: the row named 基本支出 of the table the rest names (财政拨款收支总表), when there is one."""
    bare = query_terms(q).bare
    words = [t for t in terms_of(bare) if t not in SIDES]
    if len(q.measures) != 1 or not words:
        return []
    measure = q.measures[0]
    return [f for f in facts if f.table and label_to_key(f.label) == measure and f.kind == "cell"
            and all(w in normalize(f.table) for w in words)]


def covered(q: Query, scored: list[Scored], facts: list[Fact]) -> list[Scored]:
    """The candidates that cover every term of the item asked (a code asked is the item itself)."""
    parents = parent_labels(facts)
    found = [(s, covers(q, fact_parts(s.fact, parents))) for s in scored if s.score >= MIN_SCORE / 2]
    whole = [s for s, c in found if c.ok and not c.beside and s.score >= MIN_SCORE
             and (not q.money or q.unit_hint or s.fact.unit in MONEY)]    # 项目3个 does not hide its 涉及金额
    return [s for s, c in found if (q.codes and s.fact.code in q.codes)
            or (c.ok and (not c.beside or not whole))]   # 基本支出…“绩效工资”: the row naming every word wins


def near_misses(q: Query, f: Fact, facts: list[Fact]) -> tuple[str, ...]:
    """Terms read as another word that sounds the same (办工费 -> 办公费), to say how the question was read."""
    return tuple(c.by for c in covers(q, fact_parts(f, parent_labels(facts))).near_miss)


def lookup(q: Query, doc: Document, facts: list[Fact], passages: Passages = None, tables: bool = True) -> Draft | None:
    """The row or sentence that is the item asked (or a table the item names, with `tables`)."""
    if tables and (rows := measure_rows(q, facts)):
        return lookup(replace(q, item=rows[0].label, measures=(), expansions=(), broad=()), doc, rows, passages,
                      tables=False)
    everything, scored = lookup_candidates(q, doc, facts)
    ranked = best_facts(facts, q, doc.kind, scored)
    table_hit = table_match(q, facts) if tables else None
    if table_hit and (row := row_of_table(q, doc, facts, table_hit[1])):
        return row                         # 物业管理费政府采购: a row of the 政府采购 table
    if table_hit and not (q.codes or covers(q, (table_hit[1],)).ok):
        table_hit = None                   # the table is about something else than all the item names
    if table_hit and table_hit[0] >= 50:   # the item names a table: rows named by the item itself still win
        direct = score_facts(facts, replace(q, expansions=(), broad=()))
        if not direct or direct[0].score < 12:
            return table_answer(q, doc, facts, table_hit[1], passages)
    elif table_hit and (not ranked or ranked[0].score < table_hit[0]):
        return table_answer(q, doc, facts, table_hit[1], passages)
    if ranked and ranked[0].score >= MIN_SCORE and unmet_pots(q, ranked[0].fact):
        # 上年结转安排的项目支出: this year's 项目支出 is another pot of money, never the one asked
        met = [s for s in scored if s.score >= MIN_SCORE and not unmet_pots(q, s.fact)]
        if not met:
            titled = [t for t in dict.fromkeys(f.table for f in facts if f.table) if not unmet_pots(q, t)]
            return table_answer(q, doc, facts, titled[0], passages) if titled and tables else None
        ranked = best_facts(facts, q, doc.kind, met)
    if not ranked or ranked[0].score < MIN_SCORE:
        return containing_class(q, doc, best_facts(facts, q, doc.kind, everything))
    main = ranked[0].fact
    broad_only = bool(q.broad) and fact_score(main, replace(q, broad=())) < ranked[0].score - 0.01
    cells = [s.fact for s in ranked if s.fact.table]
    if main.kind == "text" and cells and all(f.value is None for f in cells):
        main = cells[0]          # the tables print it empty, a sentence states it: both said, staff told (empty_answer)
    if main.value is None:
        return replace(empty_answer(q, doc, main, ranked + scored), broad_only=broad_only)
    cite = fact_citation(main, doc, role="main")
    label, measure = lead_label(main), measure_phrase(main, q)
    if measure and is_total_row(main, doc.body):       # the 合计 row's 基本支出 column is 基本支出 itself
        label = next((m for m in q.measures if m in (main.column or "")), measure.strip("（）"))
        measure = ""
    slots = dict(year=lead_year(doc, main), label=label, measure=measure, kind=kind_word(doc, main))
    if main.value == 0:
        first = said("zero_value", cite, raw=main.raw, unit=main.unit, **slots)
    else:
        first = said("lookup", cite, raw=shown(main), unit="", **slots) + ("。",)
    d = Draft(found=True, value=main.raw, unit=main.unit, broad_only=broad_only, sentences=(first,))
    if slips := near_misses(q, main, facts):
        d = replace(d, sentences=(said("read_as", words="、".join(f"“{w}”" for w in slips)),) + d.sentences)
    if doc.kind == "决算" and q.asks_budget and main.kind == "cell" and "预算" not in (main.column or ""):
        d = d.plus(said("final_not_budget"))
    near = [x for x in scored if x.score >= 0.5 * ranked[0].score]
    alike = [Scored(f, 0) for f in facts if f.kind in ("indicator", "text") and comparable(f, main)]
    d = with_corroboration(d, doc, main, ranked + near + alike)
    return with_conversion(d, q, main)


def lookup_candidates(q: Query, doc: Document, facts: list[Fact]) -> tuple[list[Scored], list[Scored]]:
    """(every fact scored, the candidates that cover the item): what the ranker orders (also for fitting it)."""
    everything = score_facts(facts, q)
    scored = covered(q, everything, facts)
    if q.money and not q.unit_hint and (money := [s for s in scored if s.fact.unit in MONEY]):
        scored = money         # 给路灯交电费花多少钱: the 电费's amount, not the count of 路灯
    if q.earlier_columns:      # 去年 asked of a document of this year: its 上年 columns only
        scored = [s for s in scored if is_earlier(s.fact, doc)]
        everything = []
    return everything, scored


POTS = ("上年结转", "政府性基金")      # measures that are a pot of money of their own, not a column of any


def unmet_pots(q: Query, f: Fact | str) -> list[str]:
    """The pots asked (上年结转 …) that a fact (or a table title) is not of: not printed in its label,
    column, table or sentence, or printed as excluded (不含上年结转)."""
    where = normalize(f if isinstance(f, str) else " ".join(
        (f.label, f.column or "", f.table or "", f.section or "", f.text if f.kind == "text" else "")))
    return [m for m in q.measures if m in POTS and (m not in where or "不含" + m in where)]


def is_earlier(f: Fact, doc: Document) -> bool:
    """A column (or a sentence) of the previous year's figure: 上年预算数, 2025年预算数 in a 2026 budget."""
    where = (f.column or "") + (f.label if f.kind == "text" else "")
    earlier = bool(rx("earlier_year_re").search(where)) or bool(doc.year and f"{doc.year - 1}年" in where)
    return earlier and not rx("is_earlier_re").search(where) and not pattern("compared").search(where)


CLASS_LEVELS = ("类", "款")            # of the functional classification (2xx, 2xxxx)


def containing_class(q: Query, doc: Document, ranked: list[Scored]) -> Draft | None:
    """The item is not listed, but the lexicon names the class it belongs to and the document prints
    that class (住房公积金 -> 住房保障支出): say both, the class labelled as the class, not as the item."""
    if not q.broad or not ranked or ranked[0].score < MIN_SCORE:
        return None
    f = ranked[0].fact
    functional = (f.code or "").startswith("2") and f.level in CLASS_LEVELS    # 221 住房保障支出
    if f.value is None or not functional or fact_key(f) not in {normalize(b) for b in q.broad}:
        return None
    return Draft(found=True, answerable=False, value=f.raw, unit=f.unit, sentences=(
        said("wider_class", fact_citation(f, doc, role="main"), item=q.item, label=ORDINAL.sub("", f.label),
             raw=shown(f)),))


TOTAL_SEGMENT = rx("total_segment_re")


def lead_label(f: Fact) -> str:
    """A label as a reader says it: “三公”经费/公务用车购置及运行维护费/公务用车运行维护费 (an item printed as a
    column of a column-oriented table) is 公务用车运行维护费; “三公”经费预算数/合计 is “三公”经费预算数."""
    if f.label != f.column:                 # only a column-oriented table's label is a column path
        return ORDINAL.sub("", f.label)
    parts = [p for p in ORDINAL.sub("", f.label).split("/") if p]
    while len(parts) > 1 and TOTAL_SEGMENT.match(parts[-1]):
        parts.pop()
    if not parts:
        return f.label
    return column_forms("/".join(parts))[-1]        # 公务用车购置及运行费/购置费 -> 公务用车购置费


def lead_year(doc: Document, f: Fact) -> str:
    """The year the figure is for (住房保障支出2026年预算为…), when its source prints it (so every digit of
    the answer is in a source) and the label does not end in a measure of its own (…预算数)."""
    key = fact_key(f)
    if not doc.year or str(doc.year) not in f"{f.table or ''}{f.section or ''}{f.text}" or MEASURE_END.search(key) \
            or rx("lead_year_re").search(key):
        return ""
    return f"{doc.year}年"


MONEY = words("money_unit")
MEASURE_END = rx("measure_end_re")


def kind_word(doc: Document, f: Fact) -> str:
    """预算 / 决算 after a money item whose label does not say which it is already."""
    if f.unit not in MONEY or rx("kind_word_re").search(fact_key(f)):
        return ""
    return doc.kind


def shown(f: Fact) -> str:
    """The figure as printed with its unit (indicator cells print the unit themselves: 916套, ≤244万元)."""
    return f.raw if f.unit and f.raw.endswith(f.unit) else f"{f.raw}{f.unit}"


def measure_phrase(f: Fact, q: Query) -> str:
    col = f.column or ""
    last = col.split("/")[-1]
    if f.kind == "text" or not col or label_to_key(last) == fact_key(f):
        return ""           # an indicator whose context is its own label: nothing to add
    if any(m in col for m in q.measures if m != "决算") or rx("measure_phrase_re").search(last):
        return f"（{last}）"
    return ""


def where(f: Fact) -> str:
    return table_label(f) or f.section or say("scope_text")


def with_corroboration(d: Draft, doc: Document, main: Fact, ranked: list[Scored]) -> Draft:
    """Other tables holding the same figure are cited too; different figures for the same item are shown."""
    same: list[Fact] = []
    differ: list[Fact] = []
    for s in ranked[1:]:
        f = s.fact
        if f.value is None or f is main or f.table == main.table and f.section == main.section and f.table \
                or rx("bound_sign_re").match(f.raw or ""):
            continue
        if same_figure(f, main):
            if len(same) < 2 and f.table not in {x.table for x in same} | {main.table}:
                same.append(f)
        elif comparable(f, main) and not any(same_source(f, x) for x in differ):
            differ.append(f)
    if same:
        d = d.plus(said("consistent", *(fact_citation(f, doc, role="agrees") for f in same), n=cn_number(len(same))))
    if differ:
        items = [said("conflict_item", fact_citation(f, doc, role=role), where=where(f), raw=shown(f), unit="")
                 for f, role in [(main, "main")] + [(f, "differs") for f in differ[:2]]]
        head, tail = around("conflict")
        d = d.plus((head,) + joined(items, "；") + (tail,))
    return d


def part_of_row(f: Fact) -> str:
    """The column a table figure is a part of (项目支出, 人员经费 …), "" for a total or a stated figure."""
    last = (f.column or "").split("/")[-1]
    return "" if f.kind != "cell" or not last or TOTAL_COL.search(last) else last


def same_source(f: Fact, g: Fact) -> bool:
    return (f.table, f.section, f.page, f.text, to_wan(f)) == (g.table, g.section, g.page, g.text, to_wan(g))


CHANGE_WORDS = pattern("compared+direction+share")


BUDGET_TAIL = rx("budget_tail_re")


def stated_key(f: Fact) -> str:
    """A sentence's label without the words that only say it is the budget (住房公积金预算安排 -> 住房公积金)."""
    key = fact_key(f)
    return (BUDGET_TAIL.sub("", key) or key) if f.kind == "text" else key


MEASURE_KIND = rx("measure_kind_re")


def measure_kinds(f: Fact) -> frozenset[str]:
    """Which measure a figure is (预算 / 决算 / 执行数 …), from its label and column."""
    found = set(MEASURE_KIND.findall(fact_key(f) + "/" + (f.column or "") + "/" + (f.table or "")))
    return frozenset({"决算"} if "决算" in found and "预算" not in found else found)


def comparable(f: Fact, main: Fact) -> bool:
    """Same item and same kind of measure, so a different figure is a real disagreement."""
    a, b = stated_key(f), stated_key(main)
    short, long = sorted((a, b), key=len)
    if "text" in (f.kind, main.kind) and short != long and long.endswith(short) and len(long) - len(short) >= 2:
        return False        # 服务采购金额 is a part of 采购金额, not another figure for it
    if f.kind == main.kind == "indicator" and f.table != main.table:
        return False        # 实施期资金总额 of two projects' target tables: two projects, not two figures of one
    if bool(CHANGE_WORDS.search(a)) != bool(CHANGE_WORDS.search(b)):
        return False
    if a != b and (dice(a, b) < 0.7 or f.kind == main.kind == "text"):
        return False        # two sentences about 事业运行 and 行政运行 are about two items
    if f.kind == main.kind == "text" and len(qa := qualifier(f)) >= 2 and len(qb := qualifier(main)) >= 2 \
            and qa != qb:
        return False        # 其他运转类项目3个，涉及金额160 / 特定目标类项目6个，涉及金额7,788: two items' 涉及金额
    if part_of_row(f) != part_of_row(main):   # 住房保障支出's 项目支出 column vs the item's total in the text
        return False
    if measure_kinds(f) and measure_kinds(main) and measure_kinds(f) != measure_kinds(main):
        return False        # 全年预算 17.68 in the text, 决算数 11.31 in the table: two measures, not a conflict
    if f.kind in ("indicator", "text") or main.kind in ("indicator", "text"):
        units = {f.unit, main.unit}
        money = units <= set(MONEY)        # 185,000.00元 in a table, 28.50万元 in the text
        return (len(units) == 1 or money) and not units <= {"%"} and to_wan(f) != to_wan(main)
    return False


def qualifier(f: Fact) -> str:
    """The item a sentence's label is of, when the sentence names it before the label (其他运转类项目)."""
    return rx("qualifier_re").sub("", lead_in(f))


def with_conversion(d: Draft, q: Query, f: Fact) -> Draft:
    if q.wants_unit and f.unit in ("元", "万元") and q.wants_unit != f.unit and f.value is not None:
        conv = convert(f.value, f.unit, q.wants_unit)
        if conv is not None:
            d = d.plus(said("conversion", converted=fmt(conv), to_unit=q.wants_unit, raw=f.raw, unit=f.unit))
            return d.allowing(conv)
    return d


TITLE_NOISE = rx("title_noise_re")


def table_match(q: Query, facts: list[Fact]) -> tuple[float, str] | None:
    """A table whose title names the item (三公经费, 机关运行经费, 政府性基金预算支出 …)."""
    item = TITLE_NOISE.sub("", normalize(q.item))
    terms = [(item, 50)] + [(TITLE_NOISE.sub("", normalize(e)), 12) for e in q.expansions]
    best: tuple[float, str] | None = None
    for title in dict.fromkeys(f.table for f in facts if f.table):
        t = TITLE_NOISE.sub("", normalize(title))
        for term, base in terms:
            if len(term) >= 3 and (term in t or (len(t) >= 3 and t in term and names_table(t, term))):
                score = base + len(term)
                if best is None or score > best[0]:
                    best = (score, title)
    return best


def names_table(t: str, term: str) -> bool:
    """A short title (支出总 of 支出总表) inside a longer question names the table only when printed as
    the table (…支出总表…) or last, not as the start of another word (商品和服务支出总额)."""
    return len(t) >= 4 or term.endswith(t) or t + "表" in term


def without_words_of(item: str, title: str) -> str:
    """The item without the stretches (2+ characters) it shares with a table title."""
    out, i = [], 0
    while i < len(item):
        n = next((n for n in range(len(item) - i, 1, -1) if item[i:i + n] in title), 0)
        if n:
            i += n
        else:
            out.append(item[i])
            i += 1
    return "".join(out)


def row_of_table(q: Query, doc: Document, facts: list[Fact], title: str) -> Draft | None:
    """What is left of the item once the table's own words are taken out, answered from that table's
    rows (人代会二次会议经费采购 -> the row 江苏省第十三届人代会二次会议经费 of the procurement table)."""
    item = normalize(q.item)
    rest = without_words_of(item, TITLE_NOISE.sub("", normalize(title)) + "政府采购")
    if rest == item or len(rest) < 3:
        return None
    rows = [f for f in facts if f.table == title]
    narrowed = replace(q, item=rest, expansions=(), broad=(), measures=())
    scored = score_facts(rows, narrowed)
    if not scored or scored[0].score < 12 or is_total_row(scored[0].fact, doc.body):
        return None
    return lookup(narrowed, doc, rows)


def table_answer(q: Query, doc: Document, facts: list[Fact], title: str, passages: Passages = None) -> Draft:
    rows = [f for f in facts if f.table == title]
    own = [f for f in rows if covers(q, (fact_key(f), f.column or "")).ok]
    if own and own != rows and (d := lookup(q, doc, own, passages, tables=False)):
        return d          # 三公经费和机关运行经费预算表: 机关运行经费 is its own column, not the table's 合计
    totals = [f for f in rows if is_total_row(f, doc.body) and f.value is not None]
    if totals:
        main = sorted(totals, key=lambda f: (f.row, f.column.count("/")))[0]
        first = said("table_total", fact_citation(main, doc, role="main"), table=table_label(main), label=main.label,
                     raw=main.raw, unit=main.unit, column=main.column)
        return with_conversion(Draft(found=True, value=main.raw, unit=main.unit, sentences=(first,)), q, main)
    if any(f.value for f in rows):
        vals = [f for f in rows if f.value is not None][:6]
        items = [said("table_cell", fact_citation(f, doc), label=f.label, column=f.column, raw=f.raw, unit=f.unit)
                 for f in vals]
        return Draft(found=True, value=vals[0].raw, unit=vals[0].unit,
                     sentences=(said("table_cells", table=table_label(vals[0])) + joined(items, "；") + ("。",),))
    return empty_table_answer(q, doc, rows, passages)


def empty_table_answer(q: Query, doc: Document, rows: list[Fact], passages: Passages) -> Draft:
    first = rows[0]
    d = Draft(found=True, value=None, unit=first.unit, needs_passages=passages is None, sentences=(
        said("empty_table", fact_citation(first, doc, role="main"), subject="", item=q.item or first.label,
             table=table_label(first), kind="支出"),))
    return d.plus(*empty_statements(q, doc, passages or ()))


def empty_statements(q: Query, doc: Document, passages: tuple[Passage, ...]) -> list[Sentence]:
    """The sentence of the text that says the item has no funds (本部门无“三公”经费预算。)."""
    item = normalize(q.item)
    for p in passages:
        if p.table:
            continue
        for sent in rx("empty_statements_re").split(p.text.split("\n", 1)[-1]):
            if EMPTY_NOTE.search(sent) and overlap(item, normalize(sent)) >= 0.6 and len(sent) < 120:
                s = sent.strip()
                return [(s, passage_citation(s, doc, p.page, p.section, p.table, p.file))]
    return []


def empty_answer(q: Query, doc: Document, main: Fact, candidates: list[Scored]) -> Draft:
    """The table's cell for the item is empty. A sentence that states the figure (收入预算总计37,188.34万元)
    is the answer, never "未安排"; a nonzero one means the cell may not have been read: staff are told."""
    others = [s.fact for s in candidates if s.fact.value is not None and s.fact.kind == "text"
              and measure_kinds(s.fact) <= measure_kinds(main) | {"预算", "决算"}
              and all(m in s.fact.text for m in q.measures)]     # 基本支出 asked: a sentence of the total is not it
    d = Draft(found=True, value=None, unit=main.unit)
    if others:
        f = others[0]
        d = Draft(found=True, value=f.raw, unit=f.unit, note=say("unread_cell") if f.value else "").plus(
            said("zero_value" if f.value == 0 else "lookup", fact_citation(f, doc, role="main"), year="", kind="",
                 label=f.label, measure="", raw=f.raw, unit=f.unit) + ("" if f.value == 0 else "。",))
        return d.plus(said("empty_cell_stated" if f.value else "empty_cell", fact_citation(main, doc), subject="",
                           label=main.label, measure=measure_phrase(main, q)))
    return d.plus(said("empty_cell", fact_citation(main, doc, role="main"), subject="",
                       label=main.label, measure=measure_phrase(main, q)))


# ------------------------------------------------------------------ rank / list / count
TABLES_BY_FUNCTION = words("table_by_function")


def scoped_rows(q: Query, facts: list[Fact]) -> tuple[str, list[Fact]]:
    """Rows a ranking is scoped to by the question: a level (项级科目), the economic classification
    (经济科目), or the children of a named row (商品和服务支出里哪项最多)."""
    item = normalize(q.item)
    if q.level_asked:
        coded = [f for f in facts if f.level == q.level_asked and f.table_name in TABLES_BY_FUNCTION]
        return say("scope_level", level=q.level_asked), coded
    rest = rx("economic_class_word_re").sub("", item)
    if q.asks_economic_class and (not rest or rest in q.measures):   # 基本支出里哪项经济科目
        return say("scope_economic"), [f for f in facts if f.table_name == "基本支出分经济科目表" and f.level == "款"]
    names = {item} | {normalize(e) for e in q.expansions}      # 公用经费里: the children of 商品和服务支出
    parents = {f.code for f in facts if f.code and fact_key(f) in names}
    children = [f for f in facts if f.parent and f.parent in parents]
    return (say("scope_children", item=item), children) if children else ("", [])


def structural_rows(q: Query, doc: Document, facts: list[Fact]) -> tuple[str, list[Fact]]:
    item = normalize(q.item)
    name, rows = scoped_rows(q, facts)
    if rows:
        first = rows[0].table
        rows = [f for f in rows if f.table == first]     # one table: the same rows print in several
    elif "项目" in item or not item:
        rows = [f for f in facts if f.table_name == "项目支出表"]
        name = say("scope_projects")
        if not any(f.value for f in rows if f.kind == "cell"):   # no project table: 项 rows by their 项目支出
            rows = [f for f in facts if f.table_name == "支出总表" and f.level == "项"
                    and (f.column or "").split("/")[-1] == "项目支出"]
            name = say("scope_project_rows")
        qualifier = [t for t in terms_of(item.replace("项目", "")) if t not in SIDES]   # 公建公司名下的几个项目里
        named = [f for f in rows if qualifier and all(t in fact_key(f) for t in qualifier)]
        if named:
            rows, name = named, say("scope_named_projects", names="、".join(qualifier))
    else:
        hit = table_match(q, facts)
        rows = [f for f in facts if hit and f.table == hit[1]]
        name = item
        if parts := parts_of(item):        # 三公经费里哪项最多: its parts, not the table's 会议费 beside them
            rows = [f for f in rows if fact_key(f).rsplit("/", 1)[-1] in parts] or rows
        if not rows:
            rows = [f for f in facts if f.level == "类" and f.table_name in ("支出总表", "收入总表")]
            name = say("scope_functions")
    rows = [f for f in rows if not is_total_row(f, doc.body) and f.value is not None and f.kind == "cell"]
    if not rows:
        return name, []
    col = total_column(rows)
    seen, out = set(), []
    column_oriented = all(f.column == f.label for f in rows)     # “三公”经费/公务接待费: each row its own column
    for f in rows:
        if (column_oriented or f.column == col) and fact_key(f) not in seen:
            seen.add(fact_key(f))
            out.append(f)
    return name, out


def total_column(rows: list[Fact]) -> str:
    cols = list(dict.fromkeys(f.column for f in rows))
    for c in cols:
        if rx("total_column_re").search(c.split("/")[-1]) or c.endswith("合计"):
            return c
    return cols[0]


def amount(f: Fact) -> Decimal:
    """A row's figure for ordering (rows without one are left out before)."""
    return f.value if f.value is not None else Decimal(0)


def short_label(f: Fact) -> str:
    return f.label.rsplit("/", 1)[-1]


def rank_answer(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    name, rows = structural_rows(q, doc, facts)
    if not rows:
        return None
    ordered = sorted(rows, key=amount, reverse=q.intent != "rank_min")
    if q.intent in ("rank_max", "rank_min"):
        f = ordered[0]
        return Draft(found=True, value=f.raw, unit=f.unit, sentences=(
            said("rank", fact_citation(f, doc, role="main"), subject="", label=name,
                 direction="多" if q.intent == "rank_max" else "少", name=short_label(f), raw=f.raw, unit=f.unit),))
    items = ordered if q.intent == "list" else ordered[:q.top_n]
    listed = [said("list_item", fact_citation(f, doc), label=short_label(f), raw=f.raw, unit=f.unit) for f in items]
    head, tail = around("list" if q.intent == "list" else "top", subject="", label=name, n=cn_number(len(items)))
    return Draft(found=True, value=items[0].raw, unit=items[0].unit,
                 sentences=((head,) + joined(listed, "；") + (tail,),))




def rank_documents(q: Query, docs_facts: list[tuple[Document, list[Fact]]]) -> Draft | None:
    """哪个单位的住房公积金最多: the item in each document, compared in 万元."""
    rows = []
    for doc, facts in docs_facts:
        ranked = best_facts(facts, replace(q, intent="lookup"), doc.kind)
        if ranked and ranked[0].score >= MIN_SCORE and ranked[0].fact.value is not None:
            rows.append((doc, ranked[0].fact))
    if len(rows) < 2:
        return None
    rows.sort(key=lambda r: to_wan(r[1]) or Decimal(0), reverse=q.intent != "rank_min")
    first_doc, first = rows[0]
    items = [said("rank_docs_item", fact_citation(f, doc, role="main"), body=doc.body,
                  year=f"{cn_year(doc.year)}年" if doc.year else "",
                  kind=doc.kind, raw=shown(f)) for doc, f in rows]
    lead = said("rank_docs", fact_citation(first, first_doc, role="main"), item=ORDINAL.sub("", first.label),
                body=first_doc.body, direction="多" if q.intent != "rank_min" else "少", raw=first.raw,
                unit=first.unit)
    return Draft(found=True, value=first.raw, unit=first.unit,
                 sentences=(lead + said("rank_docs_all") + joined(items, "；") + ("。",),))


def years_compared(drafts: list[tuple[Document, Draft]]) -> list[tuple[Document, Draft]]:
    """One body's figures of two years, each from its own document: the later one says which is more (no
    difference is computed: both figures are shown as printed, each with its source)."""
    found = [(d, x) for d, x in drafts if x.found and x.answerable and x.value is not None and d.year]
    if len(found) != 2 or found[0][0].body != found[1][0].body or found[0][1].unit != found[1][1].unit:
        return drafts
    (later, a), (earlier, b) = sorted(found, key=lambda dx: -(dx[0].year or 0))
    x, y = decimal_of(a.value), decimal_of(b.value)
    if x is None or y is None:
        return drafts
    key = "compared_years_more" if x > y else "compared_years_less" if x < y else "compared_years_same"
    line = said(key, later=str(later.year), earlier=str(earlier.year))
    return [(d, dx.plus(line) if d is later else dx) for d, dx in drafts]


def decimal_of(raw: str | None) -> Decimal | None:
    try:
        return Decimal((raw or "").replace(",", ""))
    except ArithmeticError:
        return None


def cn_number(n: int) -> str:
    """Counts the answer states itself are written in words, so they are never taken for a source figure."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "") if n < 100 else str(n)


def count_answer(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    counts = [f for f in facts if f.kind in ("text", "indicator") and f.unit not in ("万元", "元", "%")]
    stated = [s for s in covered(q, score_facts(counts, q), facts) if s.score >= MIN_SCORE]
    if stated:
        f = stated[0].fact
        return Draft(found=True, value=f.raw if f.kind == "indicator" else str(f.value), unit=f.unit, sentences=(
            said("count_stated", fact_citation(f, doc, role="main"), subject="", sentence=f.text),))
    name, rows = structural_rows(q, doc, facts)
    if not rows or "项目" not in normalize(q.item):
        return None
    names = [(f.label, fact_citation(f, doc)) for f in rows]
    head, tail = around("count_rows", subject="", table=table_label(rows[0]))
    return Draft(found=True, sentences=((head,) + joined(names, "、") + (tail,),))


# ------------------------------------------------------------------ share / change (stated in the text)
def stated_answer(q: Query, doc: Document, facts: list[Fact], *, pattern: str, key: str) -> Draft | None:
    pool = [f for f in facts if f.kind in ("text",) and re.search(pattern, f.label)
            and (key != "share" or f.unit == "%")]
    item = normalize(q.item)
    rescored = [Scored(f, max(fact_score(f, q), 0.9 * term_score(item, normalize(f.text.split(f.raw, 1)[0]))))
                for f in pool]     # 支出预算…，其中：财政拨款支出预算…，比2024年预算增加…: its subject is in the sentence
    scored = [(s.score, s.fact) for s in sorted(covered(q, [s for s in rescored if s.score > 0], facts),
                                                   key=lambda s: -s.score)]
    if not scored:
        return None
    scored.sort(key=lambda x: (-x[0], x[1].unit != "万元"))
    top = [f for sc, f in scored if sc >= scored[0][0] - 0.01 and sc >= MIN_SCORE]
    if not top:
        return None
    main = top[0]
    return Draft(found=True, value=main.raw, unit=main.unit, sentences=(
        said(key, fact_citation(main, doc, role="main"), subject="", sentence=main.text),))


def share_answer(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    return stated_answer(q, doc, facts, pattern=r"占", key="share")


def change_answer(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    return stated_answer(q, doc, facts, pattern=pattern("compared+direction").pattern, key="change")


# ------------------------------------------------------------------ text passages
def passage_answer(q: Query, doc: Document, passages: tuple[Passage, ...], facts: list[Fact]) -> Draft | None:
    if not passages:
        return None
    terms = [normalize(q.item)] + [normalize(e) for e in q.expansions + q.broad]
    best = None
    wants_figure = q.intent in ("lookup", "count", "share", "change")       # 有没有下属单位: a sentence may say 无
    for p in passages:
        if (q.intent != "describe" or q.asks_why) and pattern("definition_section").search(p.section or ""):
            continue            # a definition is not the item's figure, nor a reason, nor says whether it has one
        if q.intent == "describe" and p.table:
            continue            # a reason or a description is in the text, not in a table's rows
        head = normalize(p.section or p.table or "")
        head_hit = max((overlap(t, head) for t in terms if t), default=0)
        for sent in rx("after_sentence_end_re").split(p.text.split("\n", 1)[-1]):
            s = sent.strip()
            if len(s) < 4:
                continue
            hit = max((overlap(t, normalize(s)) for t in terms if t), default=0)
            if hit < (0.6 if q.intent == "describe" else 0.75) and not (q.intent == "describe" and head_hit >= 0.8):
                continue
            if wants_figure and not FIGURE.search(s):
                continue           # a figure the text states (not a list number: 6. 综合行政执法队)
            if q.unit_hint and not any(m.endswith(q.unit_hint) for m in FIGURE.findall(s)):
                continue           # 标准化菜场有几个: a sentence of 万元 is not the count
            if q.intent == "change" and not pattern("compared+direction").search(s):
                continue
            if q.asks_why and not pattern("cause").search(s) and not (head_hit >= 0.8 and pattern("cause").search(p.text)):
                continue           # a reason asked: the sentence that gives one (主要原因是…, 由于…)
            if q.intent == "share" and not rx("percent_word_re").search(s):
                continue
            score = hit + 0.5 * head_hit + (0.2 if p.table is None else 0)
            if q.intent == "describe" and head_hit >= 0.8 and p.table is None:
                score += 2   # the section the question names
            if best is None or score > best[0]:
                best = (score, s, p, head_hit)
    if best is None:
        return None
    _, chosen, p, head_hit = best
    if q.intent != "describe" and not covers(q, (chosen, p.section or "", p.table or "")).ok:
        return None                  # a sentence about something else than all the item names
    if measure_in_item(q) and not any(m in normalize(chosen) for m in q.measures):
        return None                  # 离退休人员经费: a sentence on 离退休 that does not say 人员经费 is about another item
    body = (describe_body(p.text.split("\n", 1)[-1], [] if head_hit >= 0.8 else terms)   # a section on the topic: all of it
            if q.intent == "describe" and not p.table else chosen)
    d = Draft(found=True, sentences=(said("text", passage_citation(body, doc, p.page, p.section, p.table, p.file,),
                                          subject="", sentence=body),))
    nums = [f for f in facts if f.kind == "text" and f.text == chosen]
    if nums:       # the figure of the sentence that is about the item asked, not just its first
        f = max(nums, key=lambda f: (fact_score(f, q), -nums.index(f)))
        d = replace(d, value=str(f.value), unit=f.unit)
    return d


def describe_body(text: str, terms: list[str], limit: int = 400) -> str:
    """The passage from where it names the topic, cut at a sentence end."""
    starts = [text.find(t) for t in terms if t and text.find(t) >= 0]
    start = min(starts) if starts else 0
    body = text[start:start + limit]
    if len(text) - start > limit and "。" in body:
        body = body[: body.rfind("。") + 1]
    return body


def overlap(term: str, text: str) -> float:
    """Share of the term's bigrams found in the text (1.0: all of them)."""
    b = bigrams(term)
    return len(b & bigrams(text)) / len(b) if b else 0.0


def names_one_item(q: Query, facts: list[Fact]) -> bool:
    """社会保障和就业支出 is one item although it holds 和 (also asked as “建设市场管理与监督”这一款)."""
    item = pattern("residue_re").sub("", normalize(q.item))
    return any(item in k or (k in item and len(k) >= len(item) - 2) for k in label_keys(facts))


def split_items(q: Query, facts: Sequence[Fact] = ()) -> list[str]:
    """The items of 差旅费和培训费; a label that holds 和 itself stays whole (文物和陈列品购置)."""
    keys: set[str] = set(label_keys(list(facts))) if facts else set()
    held = sorted((k for k in keys if rx("joint_char_re").search(k) and k in q.item), key=len, reverse=True)
    text = q.item
    for n, k in enumerate(held):     # 商品和服务支出下面的办公费: a label holding 和 is one piece wherever it stands
        text = text.replace(k, f"\x00{n}\x01")
    pieces = [rx("held_marker_re").sub(lambda m: held[int(m.group(1))], x)
              for x in rx("item_joint_split_re").split(text) if x]    # not 涉及
    out: list[str] = []
    for x in pieces:
        if out and rx("item_joint_re").fullmatch(x):
            out.append(x)
            continue
        if len(out) >= 2 and rx("item_joint_re").fullmatch(out[-1]) and f"{out[-2]}{out[-1]}{x}" in keys:
            out[-2:] = [f"{out[-2]}{out[-1]}{x}"]
        else:
            out.append(x)
    items = [rx("paying_verb_edges_re").sub("", x) for x in out]   # 买东西和买服务
    items = [x for x in items if len(x) >= 2 and not rx("item_joint_alt_re").fullmatch(x)]
    if "项目" in q.item.replace("项目支出", ""):           # 园林绿化和环境卫生两个项目: each a project
        items = [x if "项目" in x else x + "项目" for x in items]
    return shared_head(shared_tail(items, q.plain), keys)


def shared_tail(items: list[str], question: str) -> list[str]:
    """行政单位和事业单位的医疗保险: the words after the last item's 的 belong to every item."""
    if len(items) < 2 or any(len(x) > 6 for x in items[:-1]):
        return items
    last = items[-1]
    for k in range(2, len(last) - 1):
        head, tail = last[:k], last[k:]
        if f"{head}的{tail}" in question:
            return [x if x.endswith(tail) else x + tail for x in items[:-1]] + [last]
    return items


def shared_head(items: list[str], keys: AbstractSet[str] = frozenset()) -> list[str]:
    """政府采购货物和服务: 政府采购货物, 政府采购服务; 行政运行的基本支出和项目支出: both of 行政运行. The
    first item's head goes to each later one that names nothing of its own but a short kind or a measure."""
    if len(items) < 2:
        return items
    first = items[0]
    measures = [m for m in MEASURE_NAMES if first.endswith(m)]
    tail = measures[0] if measures else (terms_of(first)[-1] if len(terms_of(first)) > 1 else "")
    head = first[: len(first) - len(tail)] if tail and first.endswith(tail) else ""
    if not head or not terms_of(head):
        return items
    return [first] + [head + x if (x in MEASURE_NAMES or len(x) <= 2) and x not in keys else x for x in items[1:]]


MEASURE_NAMES = words("measure_name")


def one_of(q: Query, part: str) -> Query:
    """The query of one item of several: its own lexicon forms (路灯 -> 道路照明) and its own measures
    (基本支出和项目支出: each its own column)."""
    expansions, broad = item_to_lexicon(part)
    return replace(q, item=part, expansions=expansions, broad=broad,
                   measures=tuple(m for m in q.measures if m in part))


def several_items(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    """差旅费和培训费各多少: one lookup per item; all of them must be found."""
    drafts: list[Draft] = []
    for part in split_items(q, facts):
        d = lookup(one_of(q, part), doc, facts, passages)
        if not d or not d.found:
            return None
        if d.sentences not in [x.sentences for x in drafts]:   # 招投标、建筑市场监管: two names of one row
            drafts.append(d)
    return Draft(found=True, value=drafts[0].value, unit=drafts[0].unit,
                 sentences=tuple(s for d in drafts for s in d.sentences),
                 allowed=frozenset().union(*(d.allowed for d in drafts)))


def two_measures(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    """事业运行全年预算和决算各是多少: the item's figure in each measure, both found or none."""
    drafts: list[Draft] = []
    for m in q.measure_pair:
        if m.startswith("决算"):
            asked = replace(q, measures=(), asks_budget=False, measure_pair=())
        elif m in ("预算", "预算数"):
            asked = replace(q, measures=(), asks_budget=True, measure_pair=())
        else:
            asked = replace(q, measures=(m,), measure_pair=())
        d = lookup(asked, doc, facts, passages)
        if not d or not d.found or (drafts and d.value == drafts[0].value):
            return None
        drafts.append(d)
    return Draft(found=True, value=drafts[0].value, unit=drafts[0].unit,
                 sentences=tuple(s for d in drafts for s in d.sentences))


def compare_items(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft | None:
    """办公费和差旅费哪个多: both figures, each cited, then which is more, from the printed figures."""
    both = several_items(replace(q, intent="lookup"), doc, facts, passages)
    parts = split_items(q, facts)
    values = [printed_wan(lookup(one_of(replace(q, intent="lookup"), p), doc, facts, passages)) for p in parts]
    if both is None or len(parts) != 2 or None in values:
        return both
    (a, b), (va, vb) = parts, values
    if va == vb:
        return both.plus(said("compare_same", a=a, b=b))
    more, less = (a, b) if va > vb else (b, a)
    return both.plus(said("compare_more" if q.intent == "compare_max" else "compare_less",
                          more=more, less=less))


def printed_wan(d: Draft | None):
    """A draft's figure in 万元, for comparing two printed figures (never shown)."""
    if d is None or d.value is None:
        return None
    try:
        v = Decimal(d.value.replace(",", ""))
    except InvalidOperation:
        return None
    return v / 10000 if d.unit == "元" else v


# ------------------------------------------------------------------ entry
HANDLERS = {
    "rank_max": [rank_answer], "rank_min": [rank_answer], "top": [rank_answer], "list": [rank_answer],
    "compare_max": [compare_items], "compare_min": [compare_items],
    "count": [count_answer, lookup], "share": [share_answer], "change": [change_answer], "describe": [],
    "who": [],          # 部长是谁: a disclosure names no officials; never a figure of a word like 主席会议
}
READS_TEXT = ("share", "change", "describe", "count", "lookup", "yesno", "list")


def draft_for_doc(q: Query, doc: Document, facts: list[Fact], passages: Passages = None) -> Draft:
    """The answer of one document. Without passages, a draft that would read them comes back with
    `needs_passages`: the engine fetches them (hybrid search) and drafts again. A word typed with the
    wrong character of the same sound (办工费) is read as the document's word (办公费), and said so."""
    fixed, slips = respelled(without_its_place(q, doc), facts)
    d = draft_asked(fixed, doc, facts, passages)
    if slips and d.found:
        d = replace(d, sentences=(said("read_as", words="、".join(f"“{w}”" for w in slips)),) + d.sentences)
    if not d.found and not d.needs_passages:
        d = replace(d, suggestions=suggested_questions(fixed, facts))
    return d


def in_named_table(q: Query, facts: list[Fact]) -> list[Fact]:
    """The facts of the table the question names (项目支出预算表（上年结转）里…), when the document has it."""
    name = rx("in_named_table_re").sub(" ", normalize(q.table))
    words = [w for w in cut_words(name) if len(w) >= 2]
    rows = [f for f in facts if f.table and words and all(w in normalize(f.table) for w in words)]
    return rows or facts


def without_its_place(q: Query, doc: Document) -> Query:
    """开发区公建公司环卫保洁那个项目: 开发区 is where the body is (in its name), not a word of the item."""
    places = [t for t in terms_of(q.item) if t in doc.body and pattern("place_level", "(?:{})$").search(t)]
    item = q.item
    for t in places:
        item = item.replace(t, "")
    return replace(q, item=item) if places and terms_of(item) else q


def draft_asked(q: Query, doc: Document, facts: list[Fact], passages: Passages) -> Draft:
    if q.table:
        facts = in_named_table(q, facts)
        if not q.item.strip() or not terms_of(q.item):           # the table's total
            first = facts[0]
            return table_answer(replace(q, item=first.table_name or q.table), doc, facts, first.table or "", passages)
    handlers = HANDLERS.get(q.intent, [lookup])
    if q.measure_pair and len(split_items(q, facts)) < 2:
        handlers = [two_measures]
    elif q.codes:
        handlers = [lookup]
    elif q.intent == "lookup" and len(split_items(q, facts)) > 1 and not names_one_item(q, facts):
        handlers = [several_items]
    for h in handlers:
        d = h(q, doc, facts, passages)
        if d and d.found:
            return d
    if q.earlier_columns:        # never this year's figure for 去年: a stated change at most
        changed = change_answer(replace(q, intent="change"), doc, facts)
        head = said("earlier_missing_doc", doc=doc.body)
        return Draft(found=True, answerable=False, sentences=(head,) + (changed.sentences if changed else ()))
    if q.intent in READS_TEXT:
        if passages is None:
            return replace(NOT_FOUND, needs_passages=True)
        d = passage_answer(q, doc, passages, facts)
        if d:
            return d
    if q.intent in ("share", "change"):
        d = lookup(q, doc, facts)
        if d:
            return d.plus(said("share_missing" if q.intent == "share" else "change_missing", items=""))
    return NOT_FOUND


def respelled(q: Query, facts: list[Fact]) -> tuple[Query, tuple[str, ...]]:
    """The query with each term that no label of the document prints, but one prints with the same
    pinyin, replaced by the printed word (办工费 -> 办公费)."""
    keys = label_keys(facts)
    item, slips = q.item, list[str]()
    whole = terms_left(pattern("residue_re").sub("", normalize(q.item)))    # 交的住房公基金: 住房公基金
    if len(whole) >= 3 and not any(whole in k for k in keys) and (piece := sounds_like(whole, label_sounds(facts))):
        return replace(q, item=piece, expansions=(), broad=()), (piece,)        # 住房公基金 -> 住房公积金
    for term in terms_of(q.item):
        if len(term) < 2 or any(term in k for k in keys):
            continue
        piece = sounds_like(term, label_sounds(facts))
        if piece:
            item, slips = item.replace(term, piece), slips + [piece]
    return (replace(q, item=item, expansions=(), broad=()) if slips else q), (item,) if slips else ()


GENERIC_SUGGESTION = rx("generic_suggestion_re")


def suggested_questions(q: Query, facts: list[Fact], n: int = 3) -> tuple[str, ...]:
    """Real items of the document, near what was asked, as questions one can click."""
    terms = terms_of(q.item)
    rows = {fact_key(f): f for f in facts if f.kind == "cell" and f.value is not None and f.label}
    scored = []
    for key in rows:
        if GENERIC_SUGGESTION.match(key) or "/" in key or len(key) > 20:
            continue
        hits = sum(t in key for t in terms)
        if hits or dice(normalize(q.item), key) >= 0.3:
            scored.append((hits, dice(normalize(q.item), key), key))
    best = [k for *_, k in sorted(scored, key=lambda x: (-x[0], -x[1]))[:n]]
    return tuple(said_text("suggest_question", item=k) for k in best)
