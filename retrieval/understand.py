"""Question -> Query: which documents, which item, which measure, which intent. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from labels import normalize
from retrieval.bodies import absent_body, question_to_mentions, without_mentions
from retrieval.wording import rx, words
from schema import Document
from vocabulary import kinds as vocabulary_kinds
from vocabulary import pattern as vocabulary_pattern
from vocabulary import words as vocabulary_words

LEXICON = Path(__file__).with_name("lexicon")
GENERIC_ORG = rx("generic_org_re")
YEAR = rx("year_re")
COMPARED_YEAR = rx("compared_year_re")
CODE = rx("code_re")


@dataclass(frozen=True)
class Query:
    question: str
    item: str                       # the item asked about, fillers removed
    expansions: tuple[str, ...]     # lexicon forms of the item
    broad: tuple[str, ...]          # lexicon targets of a part of the item (weaker)
    codes: tuple[str, ...]
    measures: tuple[str, ...]
    intent: str                     # lookup rank_max rank_min top list count share change yesno describe
    years: tuple[int, ...]
    kind: str | None                # 预算 | 决算 | None
    org: str | None                 # body named in the question
    wants_unit: str | None          # 元 | 万元 when the question asks for one
    unit_hint: str | None = None    # 平方米, 辆, 基 … when the question names a measure unit
    money: bool = False             # the question asks about money (钱, 经费, 预算 …)
    top_n: int = 3
    relative_year: str | None = None  # 今年 | 去年 | 明年
    asks_budget: bool = False       # 预算 asked, not 决算 (a final-accounts table may hold both columns)
    bodies: tuple[str, ...] = ()    # loaded bodies the question names (bodies.py), as printed
    absent: str | None = None       # a clear body name that is not loaded (晋城市教育局)
    earlier_columns: bool = False   # answer only from the previous year's columns or stated changes
    table: str = ""                 # a table the question names (三公经费表里的会议费): its rows only
    measure_pair: tuple[str, ...] = ()   # 全年预算和决算各是多少: one item, two measures
    compared_years: tuple[int, ...] = ()  # 比2018年 / 和2018年比: the year a change is measured against
    compared_earlier: bool = False       # 比上年 / 比去年: the year before the one asked
    asks_why: bool = False               # 为什么 / 什么原因 / 怎么回事: a reason is asked (a sentence that gives one)
    # read from the question as asked (as_asked), so that no later step scans its text again:
    plain: str = ""                      # the question as asked, normalised
    asks_target: bool = False            # 指标 / 目标 / 要求 / 标准: a bound (≥95%) may answer it
    names_target: bool = False           # 绩效 / 目标 / 指标 …: a performance-target row may be the item
    level_asked: str | None = None       # 项级 / 款级 / 类级 科目: a ranking among the rows of that level
    asks_economic_class: bool = False    # 经济科目 / 经济分类: a ranking among the economic classes
    across_bodies: bool = False          # 哪个单位 / 哪家 / 各部门: the loaded bodies compared with each other
    describing_verbs: tuple[tuple[int, int], ...] = ()   # where a describing verb (打, 寄 …) stands in `plain`
    similar: Callable[[str, str], float] | None = field(default=None, compare=False, hash=False, repr=False)
    notes: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=1)
def synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows = (LEXICON / "synonyms.tsv").read_text(encoding="utf-8").splitlines()
    pairs = [r.split("\t") for r in rows if r.strip() and not r.startswith("#")]
    return tuple(sorted(((k, tuple(v.split("|"))) for k, v in pairs), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=1)
def phrases() -> dict[str, tuple[tuple[re.Pattern, str], ...]]:
    out: dict[str, list] = {}
    for r in (LEXICON / "phrases.tsv").read_text(encoding="utf-8").splitlines():
        if r.strip() and not r.startswith("#"):
            kind, pattern, meaning = (r.split("\t") + [""])[:3]
            out.setdefault(kind, []).append((re.compile(pattern), meaning))
    return {k: tuple(v) for k, v in out.items()}


DESCRIBE_TOPIC = rx("describe_topic_re")


def question_to_intent(q: str) -> str:
    if DESCRIBE_TOPIC.search(q) and not rx("how_much_re").search(q):
        return "describe"
    counted = rx("how_much_re").search(q)
    for pattern, meaning in phrases()["intent"]:
        if pattern.search(q) and not (meaning == "describe" and counted):     # 绩效目标中…定为多少棵: a figure
            return meaning
    return "lookup"


def question_to_measures(q: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m for p, m in phrases()["measure"] if p.search(q)))


def strip_fillers(q: str) -> str:
    for pattern, _ in phrases()["filler"]:
        q = pattern.sub("", q)
    return q


ORG_SUFFIX = rx("org_suffix_re")
ORG_LEAD = rx("org_lead_re")
NOT_IN_NAME = rx("not_in_name_re")


def question_to_orgs(question: str) -> tuple[str, ...]:
    """Names of a body the question may start with, longest first: `区府办今年花在办公费上` gives
    (区府办), and which of several candidates is meant is decided against the loaded bodies."""
    q = ORG_LEAD.sub("", normalize(question))
    out = []
    for m in ORG_SUFFIX.finditer(q[:30]):
        name = q[:m.end()]
        if len(name) >= 3 and not NOT_IN_NAME.search(name) and not GENERIC_ORG.match(name):
            out.append(name)
    return tuple(dict.fromkeys(reversed(out)))


QUESTION_CUE = rx("question_cue_re")
CLAIMED_FIGURE = rx("claimed_figure_re")


def asked_clause(q: str) -> str:
    """The clause that asks (忽略以上规则，住房保障支出是100万元吗 -> 住房保障支出是100万元吗); a question in
    one clause, or whose clauses all ask, is kept whole."""
    clauses = [c for c in rx("clause_break_re").split(q) if c.strip()]
    meant = [rx("i_mean_re").split(c, maxsplit=1)[1] for c in clauses
             if rx("i_mean_re").search(c)]
    if meant and meant[-1].strip():
        return meant[-1]            # 员工工资大概多少，我说的是基本工资那块: 基本工资
    told = [c for c in clauses if not vocabulary_pattern("instruction_re").search(c)]    # 忽略以上规则: not asked
    if told and len(told) < len(clauses):
        clauses = told
        q = "，".join(told)
    asking = [c for c in clauses if QUESTION_CUE.search(c)]
    if len(clauses) < 2 or len(asking) != 1:
        return q
    at = clauses.index(asking[0])
    if at and (len(terms_left(vocabulary_pattern("measure_words").sub("", YEAR.sub("", asking[0])))) < 2
               or rx("share_or_compare_lead_re").match(asking[0])):      # …支出，占…的百分之几: the share of the clause before
        return "".join(clauses[:at + 1])      # “行政运行”这个科目，基本支出和项目支出各多少: the clauses name the item
    return asking[0]


ONE_OR_OTHER = rx("one_or_other_re")     # 办公费多还是差旅费多
WHICH_MORE = rx("which_more_re")


def two_compared(item: str) -> tuple[str, str] | None:
    """(A和B, compare_max or compare_min) when the question sets two items against each other."""
    if m := ONE_OR_OTHER.match(item):
        return f"{m.group(1)}和{m.group(3)}", "compare_max" if m.group(2) in "多高" else "compare_min"
    m = WHICH_MORE.search(item)
    if not m or not m.group(2):
        return None
    parts = [x for x in rx("pair_joint_re").split(item[:m.start()]) if x]
    if len(parts) == 2 and all(len(x) >= 2 for x in parts):
        return "和".join(parts), "compare_max" if m.group(2) in "多高" else "compare_min"
    return None


@lru_cache(maxsize=1)
def unit_topics() -> dict[str, str]:
    """What a count or size asks about when it names nothing else (多少人 -> 人员编制)."""
    return {k.removeprefix("topic_"): v[0] for k, v in vocabulary_kinds().items() if k.startswith("topic_")}


def terms_left(item: str) -> str:
    """The item without generic and function words (员工, 的, 有 …)."""
    return vocabulary_pattern("stop").sub("", vocabulary_pattern("generic_item").sub("", item))


@dataclass(frozen=True)
class Cues:
    """What the item rules know of the question besides the item's text."""
    intent: str
    codes: tuple[str, ...]


def _cut(name: str, when: str | None = None, to: str = "") -> Callable[[str, Cues], str]:
    regex = rx(name)
    return lambda t, c: regex.sub(to, t) if when in (None, c.intent) else t


def _without_codes(t: str, c: Cues) -> str:
    for code in c.codes:
        t = t.replace(code, "")
    return t


# The item asked, from the question: each rule in order, named by what it takes away.
ITEM_RULES: tuple[tuple[str, Callable[[str, Cues], str]], ...] = (
    ("the clause that asks", lambda t, c: asked_clause(rx("trailing_punct_re").sub("", t))),
    ("a figure claimed in a yes/no question", lambda t, c: CLAIMED_FIGURE.sub("", t)),
    ("figures: an amount is never an item's name", _cut("item_amount_re")),
    ("what a change is compared with", lambda t, c: vocabulary_pattern("compared", "(?:{}).*$").sub("", t)
                                       if c.intent == "change" else t),
    ("what a share is of", _cut("share_of_re", "share")),
    ("years and the document's own words", _cut("doc_scope_words_re")),
    ("codes", _without_codes),
    ("asking why", _cut("asking_why_words_re")),
    ("counting words", _cut("counting_words_re")),
    ("fillers (lexicon/phrases.tsv)", lambda t, c: strip_fillers(t)),
    ("ranking words", _cut("ranking_words_re")),
    ("a copula left over", _cut("copula_edge_re")),
    ("a connector left first or last", _cut("connector_edge_re")),   # not 涉及
    ("a verb of paying left last", _cut("paying_verb_tail_re")),
    ("里 ending a ranking's scope", _cut("inside_tail_re")),       # 商品和服务支出里哪项最多
)
TIDY_RULES: tuple[tuple[str, Callable[[str, Cues], str]], ...] = (
    ("who spends", _cut("spender_lead_re")),
    ("a filler first", _cut("filler_lead_re")),         # 决算里基本支出: 决算 was a filler
    ("to whom it is paid", _cut("paid_to_lead_re")),
    ("what a body does", _cut("duty_ask_re", "describe", "主要职责")),
)


def is_measure(text: str) -> bool:
    return any(p.search(text) for p, _ in phrases()["measure"])


NAMES_TABLE = rx("names_table_re")     # 项目支出预算表（上年结转）


def inner_item(item: str) -> tuple[str, tuple[str, str] | None]:
    """X里Y / X中的Y: Y is asked (三公经费里出国费 -> 出国费), with X kept when Y is a short kind of it
    (政府采购里服务类 -> 政府采购服务), or the whole when Y is X's measure (基本支出里人员经费)."""
    part = rx("inner_part_re").match(item)
    if not part:
        return item, None
    outer, inner = part.group(1), part.group(3)
    if NAMES_TABLE.search(outer):
        return inner, (outer, inner)     # 三公经费表里的会议费: the item, in the table named (Query.table)
    if is_measure(inner) and not is_measure(outer):
        return item, (outer, inner)
    inner = rx("inner_verb_lead_re").sub("", inner)          # 政府采购里买货物: 政府采购货物
    short = rx("class_word_tail_re").sub("", inner)
    return (outer + short if len(short) <= 2 else inner), (outer, inner)


def question_to_item(q: str, cues: Cues) -> tuple[str, tuple[str, str] | None]:
    item = q
    for _name, rule in ITEM_RULES:
        item = rule(item, cues)
    item, part = inner_item(item)
    for _name, rule in TIDY_RULES:
        item = rule(item, cues)
    return item, part


UNIT_ASKED = rx("unit_asked_re")


def question_to_unit_hint(q: str) -> str | None:
    """The unit a count or size asks for (多少辆 -> 辆, 多大 -> 平方米, 百分之几 -> %)."""
    if rx("asks_people_re").search(q):
        return "人"
    if hint := UNIT_ASKED.search(q):
        return hint.group(1)
    if rx("asks_area_re").search(q) or (rx("how_big_re").search(q) and not rx("money_size_word_re").search(q)):
        return "平方米"
    return "%" if rx("asks_percent_re").search(q) else None


def question_to_wanted_unit(q: str) -> str | None:
    if rx("asks_yuan_re").search(q):
        return "元"
    return "万元" if "万元" in q else None


def question_to_relative_year(q: str) -> str | None:
    """今年 / 去年 as the year asked; 比去年 / 跟上一年比 is what a change is measured against, not the year."""
    asked = rx("compared_last_year_re").sub("", q)
    if rx("next_year_re").search(asked):
        return "明年"       # after the newest document loaded: never in the store
    if rx("this_year_re").search(asked):
        return "今年"
    return "去年" if rx("last_year_re").search(asked) else None


def question_to_top_n(q: str) -> int:
    top = rx("top_n_re").search(q)
    if not top:
        return 3
    return {"三": 3, "五": 5, "十": 10}.get(top.group(1)) or (int(top.group(1)) if top.group(1).isdigit() else 3)


def item_to_lexicon(item: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(expansions, broad): the lexicon's formal names for the item, and for a part of it (weaker)."""
    matched: list[tuple[str, tuple[str, ...]]] = []
    for key, targets in synonyms():              # longest first: 买公车 (购置费), not also its 公车 (购置及运行费)
        if key in item and not any(key in longer for longer, _ in matched):
            matched.append((key, targets))
    expansions = tuple(dict.fromkeys(item.replace(key, t) if len(item) > len(key) + 1 else t
                                     for key, targets in matched for t in targets))
    broad = tuple(dict.fromkeys(t for key, targets in matched if len(item) > len(key) + 1 for t in targets))
    return expansions, broad


TOTAL_WORDS = ("",) + words("total_word")


MEASURE_PAIR = rx("measure_pair_re")


COUNTED = {"辆": "counted_vehicle_re", "人": "counted_person_re"}     # the thing a count word counts, which names no item itself


def without_first_before_cjk(item: str, unit: str) -> str:
    """The item without the first one-character unit that a Chinese character follows (管多少棵树 -> 树 counted)."""
    at = next((i for i, ch in enumerate(item[:-1]) if ch == unit and "\u4e00" <= item[i + 1] <= "\u9fff"), -1)
    return item if at < 0 else item[:at] + item[at + 1:]


def asked_apart(q: str, measures: tuple[str, ...]) -> tuple[str, ...]:
    """全年预算多少、实际花了多少: a budget measure and the final figure asked in two clauses."""
    budget = [m for m in measures if m in words("budget_measure")]
    return (budget[0], "决算") if budget and "决算" in measures and len(rx("how_much_re").findall(q)) >= 2 else ()


def measures_named(q: str) -> bool:
    return bool(question_to_measures(q))


def question_to_query(question: str, known_labels: frozenset[str] = frozenset()) -> Query:
    q = normalize(question)
    codes = tuple(c.replace(" ", "") for c in CODE.findall(rx("year_mention_re").sub("", q))
                  if len(c.replace(" ", "")) in (3, 5, 7))
    intent = question_to_intent(q)
    item, part = question_to_item(q, Cues(intent, codes))
    table = part[0] if part and NAMES_TABLE.search(part[0]) else ""
    unit_hint = question_to_unit_hint(q)
    if item.strip() in ("收入", "支出") and not measures_named(q):
        item = item.strip() + "总计"    # 2025年和2024年的收入预算各多少: the income total of each
    if not table and (item.strip() in TOTAL_WORDS or not terms_left(item)) and intent in ("lookup", "change") \
            and rx("money_total_word_re").search(q):
        item = "收入总计"       # 今年预算总共多少钱: the disclosure's total
    if unit_hint and item.endswith(unit_hint):
        item = item[: -len(unit_hint)]
    elif unit_hint and len(unit_hint) == 1 and unit_hint not in "%人名":
        item = without_first_before_cjk(item, unit_hint)   # 管多少棵树: the 树 counted
    counted = COUNTED.get(unit_hint or "", "")
    if unit_hint and len(terms_left(rx(counted).sub("", item) if counted else item)) < 2 \
            and (topic := unit_topics().get(unit_hint)):
        item = topic             # 有多少人: 人员编制; 共有几辆车: 公务用车
        if rx("asks_bought_count_re").search(q):
            item = "购置" + topic      # 打算买几辆车: the cars to be bought, not the cars held
    measures = question_to_measures(q)
    if part and is_measure(part[0]) and is_measure(part[1]):       # 基本支出里人员经费: asked as 人员经费 alone
        measures = tuple(m for m in measures if m not in part[0])
    if (compared := two_compared(item)) is not None:
        item, intent = compared
    expansions, broad = item_to_lexicon(item)
    pair = MEASURE_PAIR.search(q)
    return as_asked(Query(question=question, item=item.strip(), expansions=expansions, broad=broad, codes=codes, table=table,
                 measure_pair=(pair.group(1), pair.group(3)) if pair else asked_apart(q, measures),
                 measures=measures, intent=intent, years=tuple(int(y) for y in YEAR.findall(q)),
                 compared_years=tuple(int(y) for y in COMPARED_YEAR.findall(q)) if intent == "change" else (),
                 compared_earlier=intent == "change" and bool(vocabulary_pattern("compared").search(q)),
                 asks_why=bool(vocabulary_pattern("asking_why").search(q)),
                 kind="决算" if "决算" in q else ("预算" if rx("budget_of_year_re").search(q) else None),
                 org=None, asks_budget="预算" in q and "决算" not in q, wants_unit=question_to_wanted_unit(q),
                 unit_hint=unit_hint, money=bool(rx("money_word_re").search(q))
                 and not unit_hint, top_n=question_to_top_n(q), relative_year=question_to_relative_year(q)), question)


def as_asked(q: Query, question: str) -> Query:
    """The query with the question as asked and everything later steps need from its text, read here once."""
    plain = normalize(question)
    level = rx("level_word_re").search(question)
    return replace(q, question=question, plain=plain, asks_target=bool(rx("asks_target_re").search(question)),
                   names_target=bool(rx("target_label_re").search(question)),
                   level_asked=level.group(1) if level else None,
                   asks_economic_class=bool(rx("economic_class_re").search(question)),
                   across_bodies=bool(rx("across_bodies_re").search(question)),
                   describing_verbs=word_spans(plain, vocabulary_words("describing_verb")))


def word_spans(text: str, words_: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(start, end) of every occurrence of each word in the text."""
    return tuple(sorted({(i, i + len(w)) for w in words_ if w
                         for i in range(len(text)) if text.startswith(w, i)}))


def read_question(question: str, bodies: tuple[str, ...], trigrams: frozenset[str] = frozenset()) -> Query:
    """The question read once: the loaded bodies it names are taken out, then the rest is understood."""
    text = normalize(question)
    mentions = question_to_mentions(text, bodies, trigrams)
    q = question_to_query(without_mentions(text, mentions))
    named = tuple(dict.fromkeys(b for m in mentions for b in m.bodies))
    return replace(as_asked(q, question), org=mentions[0].text if mentions else None, bodies=named,
                   absent=absent_body(question_to_orgs(question), mentions, text, trigrams))


@dataclass(frozen=True)
class Refusal:
    """Why no loaded document can answer: a composer sentence key and its slots."""
    key: str
    slots: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Scope:
    docs: tuple[Document, ...]
    refusal: Refusal | None = None
    earlier_columns: bool = False   # 去年 asked, its document not loaded: only 上年 columns / stated changes
    before: tuple[Document, ...] = ()   # a change asked against another year: that year's documents, when loaded


def select_docs(query: Query, docs: list[Document]) -> Scope:
    """Documents the question is about, or why the asked one is not loaded; with a change asked against
    another year (比2018年, 比上年), the same body's document of that year too, when it is loaded."""
    scope = asked_docs(query, docs)
    if not scope.docs or not (query.compared_years or query.compared_earlier):
        return scope
    before = [d for d in docs if not d.is_template and d not in scope.docs and any(
        d.body == a.body and d.kind == a.kind and d.year and a.year
        and (d.year in query.compared_years or (not query.compared_years and d.year == a.year - 1))
        for a in scope.docs)]
    return replace(scope, before=tuple(before))


def asked_docs(query: Query, docs: list[Document]) -> Scope:
    pool = [d for d in docs if not d.is_template]
    if query.absent:
        return Scope((), Refusal("refuse_body", (("body", query.absent),)))
    if query.bodies:
        pool = [d for d in pool if d.body in query.bodies]
    if query.years:
        matched = [d for d in pool if d.year in query.years]
        if not matched:
            have = "、".join(sorted({f"{d.year}年{d.kind}" for d in pool if d.year}))
            return Scope((), Refusal("refuse_year", (("year", str(query.years[0])), ("have", have or "无"))))
        pool = matched
    if query.relative_year == "明年" and not query.years and pool:
        return Scope((), Refusal("next_year"))       # after the newest loaded: not there, said as not found
    if query.kind == "决算":
        matched = [d for d in pool if d.kind == "决算"]
        if not matched:
            return Scope((), Refusal("refuse_final"))
        pool = matched
    elif query.kind == "预算" and any(d.kind == "预算" for d in pool):
        pool = [d for d in pool if d.kind == "预算"]
    if query.years or query.relative_year not in ("今年", "去年") or not pool:
        return Scope(tuple(pool))
    newest = {b: max(d.year or 0 for d in pool if d.body == b) for b in {d.body for d in pool}}
    if query.relative_year == "今年":
        return Scope(tuple(d for d in pool if (d.year or 0) == newest[d.body]))
    earlier = [d for d in pool if (d.year or 0) == last_year(newest[d.body], pool, d.body)]
    if earlier:
        return Scope(tuple(earlier))
    return Scope(tuple(d for d in pool if (d.year or 0) == newest[d.body]), earlier_columns=True)


def last_year(newest: int, pool: list[Document], body: str) -> int:
    """去年 for a body: a 决算 is itself last year's accounts; before a 预算 of year Y comes year Y-1."""
    kinds = {d.kind for d in pool if d.body == body and (d.year or 0) == newest}
    return newest if kinds == {"决算"} else newest - 1
