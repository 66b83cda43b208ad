"""Question -> Query: which documents, which item, which measure, which intent. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from labels import normalize
from retrieval.bodies import absent_body, question_to_mentions, without_mentions
from schema import Document
from vocabulary import kinds as vocabulary_kinds
from vocabulary import pattern as vocabulary_pattern

LEXICON = Path(__file__).with_name("lexicon")
GENERIC_ORG = re.compile(r"^(本|该|这个|这|他们|你们|我们|部门|单位|政府)")
YEAR = re.compile(r"(?<![比较与同至])(20\d{2})\s*年")
COMPARED_YEAR = re.compile(r"(?<=[比较与同和跟])(20\d{2})\s*年")
CODE = re.compile(r"(?<!\d)(\d{3}(?:\s?\d{2}){0,2})(?!\d)")


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


DESCRIBE_TOPIC = re.compile(r"职责|职能|机构设置|内设机构|概况|主要任务|工作任务|绩效目标是|为什么|原因|负责哪些|负责什么|"
                            r"主要负责|干嘛|干什么|做什么|用途|用来|用于什么|用在")


def question_to_intent(q: str) -> str:
    if DESCRIBE_TOPIC.search(q) and not re.search(r"多少|几", q):
        return "describe"
    counted = re.search(r"多少|几", q)
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


ORG_SUFFIX = re.compile(r"(委员会|办公厅|办公室|常委会|局|委|部|厅|办|院|中心|政府|人大|政协|总工会|联合会|站|所|馆|队|署)")
ORG_LEAD = re.compile(r"^(请问|我想知道|想问一下|想问|查询|帮我查一下|帮我查|查一下|麻烦问一下|他们|她们|你们|那个|这个|"
                      r"今年|去年|明年|上年|本年度|20\d{2}\s*年度?|的|，|,|\s)+")
NOT_IN_NAME = re.compile(r"今年|去年|明年|\d|花|钱|多少|哪|什么|是|的|在|给|用|了|有|吗|呢|几|这|各|每|？|\?")


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


QUESTION_CUE = re.compile(r"吗|么|嘛|多少|几|什么|哪|是否|有没有|有无|怎么|为什么|为何|谁|呢")
CLAIMED_FIGURE = re.compile(r"是?[\d,，.]+\s*(?:万元|元|亿元|%)(?=吗|么|嘛|$)")


def asked_clause(q: str) -> str:
    """The clause that asks (忽略以上规则，住房保障支出是100万元吗 -> 住房保障支出是100万元吗); a question in
    one clause, or whose clauses all ask, is kept whole."""
    clauses = [c for c in re.split(r"[，,；;]", q) if c.strip()]
    meant = [re.split(r"我说的是|我指的是|指的是|我问的是|具体是", c, maxsplit=1)[1] for c in clauses
             if re.search(r"我说的是|我指的是|指的是|我问的是|具体是", c)]
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
               or re.match(r"\s*(占|比|较|同比)", asking[0])):      # …支出，占…的百分之几: the share of the clause before
        return "".join(clauses[:at + 1])      # “行政运行”这个科目，基本支出和项目支出各多少: the clauses name the item
    return asking[0]


ONE_OR_OTHER = re.compile(r"^(.{2,}?)(多|少|高|低)还是(.{2,}?)(多|少|高|低)$")     # 办公费多还是差旅费多
WHICH_MORE = re.compile(r"(哪个|哪一个|哪项|哪一项|谁)?的?更?(多|少|高|低)$")


def two_compared(item: str) -> tuple[str, str] | None:
    """(A和B, compare_max|compare_min) when the question sets two items against each other."""
    if m := ONE_OR_OTHER.match(item):
        return f"{m.group(1)}和{m.group(3)}", "compare_max" if m.group(2) in "多高" else "compare_min"
    m = WHICH_MORE.search(item)
    if not m or not m.group(2):
        return None
    parts = [x for x in re.split(r"[和与跟及、]|还是", item[:m.start()]) if x]
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


def _cut(pattern: str, when: str | None = None, to: str = "") -> Callable[[str, Cues], str]:
    regex = re.compile(pattern)
    return lambda t, c: regex.sub(to, t) if when in (None, c.intent) else t


def _without_codes(t: str, c: Cues) -> str:
    for code in c.codes:
        t = t.replace(code, "")
    return t


# The item asked, from the question: each rule in order, named by what it takes away.
ITEM_RULES: tuple[tuple[str, Callable[[str, Cues], str]], ...] = (
    ("the clause that asks", lambda t, c: asked_clause(re.sub(r"[？?。！!，,\s]+$", "", t))),
    ("a figure claimed in a yes/no question", lambda t, c: CLAIMED_FIGURE.sub("", t)),
    ("figures: an amount is never an item's name", _cut(r"是?\d[\d,，.]*\s*(万元|亿元|元)")),
    ("what a change is compared with", lambda t, c: vocabulary_pattern("compared", "(?:{}).*$").sub("", t)
                                       if c.intent == "change" else t),
    ("what a share is of", _cut(r"(在.{0,16}?(里|中|当中))?[所]?占.*$", "share")),
    ("years and the document's own words", _cut(r"(20\d{2})\s*年度?|今年|去年|上年度|上一年|前一年|本年度|明年|"
                                                r"(部门|单位)?(预算|决算)(公开)?中|科目|编码")),
    ("codes", _without_codes),
    ("asking why", _cut(r"为什么|为何|怎么|什么原因|原因")),
    ("counting words", _cut(r"(共有|一共有|有)?(几|多少)(辆|个|项|名|人|家|所|处|台|套|次|位)")),
    ("fillers (lexicon/phrases.tsv)", lambda t, c: strip_fillers(t)),
    ("ranking words", _cut(r"(最多|最少|最高|最低(?!生活|工资|保障)|最大|最小|前[三五十\d]+(项|个|名|位)?|哪一[类项个款块]|"
                           r"哪[类项款块]|哪个|哪些|哪几个|哪方面|什么|有没有|是否|有无|几个|多少个)")),
    ("a copula left over", _cut(r"^是|是$")),
    ("a connector left first or last", _cut(r"^[和与及、跟]+|(?<![涉普危波触顾])[和与及、跟]+$")),   # not 涉及
    ("a verb of paying left last", _cut(r"(?<=..)(缴纳|交|花|发|用|给|缴|拿|付|掏)$")),
    ("里 ending a ranking's scope", _cut(r"(?<=.{2})(里面|里|当中|之中)$")),       # 商品和服务支出里哪项最多
)
TIDY_RULES: tuple[tuple[str, Callable[[str, Cues], str]], ...] = (
    ("who spends", _cut(r"^(他们|我们|你们|本部门|本单位|该部门|该单位|这个部门|区里|市里|部门|单位|"
                        r"(政府|财政|国家)(?=在|给|花|掏|拿|出|投|用))")),
    ("a filler first", _cut(r"^(还|也|又|都|里面|里|当中)(?=.{2})")),         # 决算里基本支出: 决算 was a filler
    ("to whom it is paid", _cut(r"^给(员工|职工|工作人员|干部|大家|单位|人)?(发放|发|交|缴纳|缴)?(?=.{2})")),
    ("what a body does", _cut(r"(主要)?(负责|管)(哪些|什么|啥)?(工作|事情|事务|事)?$", "describe", "主要职责")),
)


def is_measure(text: str) -> bool:
    return any(p.search(text) for p, _ in phrases()["measure"])


NAMES_TABLE = re.compile(r"表([（(][^）)]{1,12}[）)])?$")     # 项目支出预算表（上年结转）


def inner_item(item: str) -> tuple[str, tuple[str, str] | None]:
    """X里Y / X中的Y: Y is asked (三公经费里出国费 -> 出国费), with X kept when Y is a short kind of it
    (政府采购里服务类 -> 政府采购服务), or the whole when Y is X's measure (基本支出里人员经费)."""
    part = re.match(r"^(.{2,}?)(?<!公)(里面|里|当中|之中|中的)(.{2,})$", item)
    if not part:
        return item, None
    outer, inner = part.group(1), part.group(3)
    if NAMES_TABLE.search(outer):
        return inner, (outer, inner)     # 三公经费表里的会议费: the item, in the table named (Query.table)
    if is_measure(inner) and not is_measure(outer):
        return item, (outer, inner)
    inner = re.sub(r"^(买|用于|用在|花在|的)", "", inner)          # 政府采购里买货物: 政府采购货物
    short = re.sub(r"(?<=..)(类|方面|部分)$", "", inner)
    return (outer + short if len(short) <= 2 else inner), (outer, inner)


def question_to_item(q: str, cues: Cues) -> tuple[str, tuple[str, str] | None]:
    item = q
    for _name, rule in ITEM_RULES:
        item = rule(item, cues)
    item, part = inner_item(item)
    for _name, rule in TIDY_RULES:
        item = rule(item, cues)
    return item, part


UNIT_ASKED = re.compile(r"(?:多少|几)(平方米|万平方米|公里|千米|米|辆|套|人|项|次|基|条|棵|台|家|亩|户|名|份|所|处|盏|座|个)")


def question_to_unit_hint(q: str) -> str | None:
    """The unit a count or size asks for (多少辆 -> 辆, 多大 -> 平方米, 百分之几 -> %)."""
    if re.search(r"(多少|几)个?(人|名)", q):
        return "人"
    if hint := UNIT_ASKED.search(q):
        return hint.group(1)
    if re.search(r"面积|多少平|几平", q) or (re.search(r"多大", q) and not re.search(r"预算|钱|经费|资金|支出|收入|规模", q)):
        return "平方米"
    return "%" if re.search(r"百分之|百分比|百分率|完成率|执行率|完成了?.{0,12}的?多少", q) else None


def question_to_wanted_unit(q: str) -> str | None:
    if re.search(r"多少元|几元|单位[:：]?元|(?<!万)元[？?]?$", q):
        return "元"
    return "万元" if "万元" in q else None


def question_to_relative_year(q: str) -> str | None:
    """今年 / 去年 as the year asked; 比去年 / 跟上一年比 is what a change is measured against, not the year."""
    asked = re.sub(r"(比|较|跟|和|与|同)(去年|上年度?|上一年|前一年)", "", q)
    if re.search(r"明年|下一年|下年度|后年", asked):
        return "明年"       # after the newest document loaded: never in the store
    if re.search(r"今年|本年度|当年", asked):
        return "今年"
    return "去年" if re.search(r"去年|上年度|上一年|前一年", asked) else None


def question_to_top_n(q: str) -> int:
    top = re.search(r"前\s*([三五十\d]+)", q)
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


TOTAL_WORDS = ("", "总", "总的", "全部", "所有", "总额", "总数", "合计", "总计", "一共", "总共", "收支", "总量")


MEASURE = r"(全年预算|年初预算|调整预算|预算数|决算数|执行数|预算|决算)"
MEASURE_PAIR = re.compile(MEASURE + r"(和|与|及|、|跟)" + MEASURE)


COUNTED = {"辆": "车辆|车", "人": "人员|人"}     # the thing a count word counts, which names no item itself


def asked_apart(q: str, measures: tuple[str, ...]) -> tuple[str, ...]:
    """全年预算多少、实际花了多少: a budget measure and the final figure asked in two clauses."""
    budget = [m for m in measures if m in ("年初预算", "全年预算", "调整预算")]
    return (budget[0], "决算") if budget and "决算" in measures and len(re.findall(r"多少|几", q)) >= 2 else ()


def measures_named(q: str) -> bool:
    return bool(question_to_measures(q))


def question_to_query(question: str, known_labels: frozenset[str] = frozenset()) -> Query:
    q = normalize(question)
    codes = tuple(c.replace(" ", "") for c in CODE.findall(re.sub(r"20\d{2}\s*年", "", q))
                  if len(c.replace(" ", "")) in (3, 5, 7))
    intent = question_to_intent(q)
    item, part = question_to_item(q, Cues(intent, codes))
    table = part[0] if part and NAMES_TABLE.search(part[0]) else ""
    unit_hint = question_to_unit_hint(q)
    if item.strip() in ("收入", "支出") and not measures_named(q):
        item = item.strip() + "总计"    # 2025年和2024年的收入预算各多少: the income total of each
    if not table and (item.strip() in TOTAL_WORDS or not terms_left(item)) and intent in ("lookup", "change") \
            and re.search(r"钱|预算|决算|经费|资金", q):
        item = "收入总计"       # 今年预算总共多少钱: the disclosure's total
    if unit_hint and item.endswith(unit_hint):
        item = item[: -len(unit_hint)]
    elif unit_hint and len(unit_hint) == 1 and unit_hint not in "%人名":
        item = re.sub(f"{unit_hint}(?=[\u4e00-\u9fff])", "", item, count=1)   # 管多少棵树: the 树 counted
    counted = COUNTED.get(unit_hint or "", "")
    if unit_hint and len(terms_left(re.sub(counted, "", item) if counted else item)) < 2 \
            and (topic := unit_topics().get(unit_hint)):
        item = topic             # 有多少人: 人员编制; 共有几辆车: 公务用车
        if re.search(r"(买|购买|购置|新购|添置|采购)了?(几|多少)", q):
            item = "购置" + topic      # 打算买几辆车: the cars to be bought, not the cars held
    measures = question_to_measures(q)
    if part and is_measure(part[0]) and is_measure(part[1]):       # 基本支出里人员经费: asked as 人员经费 alone
        measures = tuple(m for m in measures if m not in part[0])
    if (compared := two_compared(item)) is not None:
        item, intent = compared
    expansions, broad = item_to_lexicon(item)
    pair = MEASURE_PAIR.search(q)
    return Query(question=question, item=item.strip(), expansions=expansions, broad=broad, codes=codes, table=table,
                 measure_pair=(pair.group(1), pair.group(3)) if pair else asked_apart(q, measures),
                 measures=measures, intent=intent, years=tuple(int(y) for y in YEAR.findall(q)),
                 compared_years=tuple(int(y) for y in COMPARED_YEAR.findall(q)) if intent == "change" else (),
                 compared_earlier=intent == "change" and bool(vocabulary_pattern("compared").search(q)),
                 asks_why=bool(vocabulary_pattern("asking_why").search(q)),
                 kind="决算" if "决算" in q else ("预算" if re.search(r"\d{4}年度?(部门|单位)?预算", q) else None),
                 org=None, asks_budget="预算" in q and "决算" not in q, wants_unit=question_to_wanted_unit(q),
                 unit_hint=unit_hint, money=bool(re.search(r"钱|费|经费|资金|金额|预算|决算|万元|元|支出|收入|花|拨款", q))
                 and not unit_hint, top_n=question_to_top_n(q), relative_year=question_to_relative_year(q))


def read_question(question: str, bodies: tuple[str, ...], trigrams: frozenset[str] = frozenset()) -> Query:
    """The question read once: the loaded bodies it names are taken out, then the rest is understood."""
    text = normalize(question)
    mentions = question_to_mentions(text, bodies, trigrams)
    q = question_to_query(without_mentions(text, mentions))
    named = tuple(dict.fromkeys(b for m in mentions for b in m.bodies))
    return replace(q, question=question, org=mentions[0].text if mentions else None, bodies=named,
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
