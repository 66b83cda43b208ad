"""Question -> Query: which documents, which item, which measure, which intent. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from labels import normalize
from schema import Document

LEXICON = Path(__file__).with_name("lexicon")
GENERIC_ORG = re.compile(r"^(本|该|这个|这|他们|你们|我们|部门|单位|政府)")
YEAR = re.compile(r"(?<![比较与同至])(20\d{2})\s*年")
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
    relative_year: str | None = None  # 今年 | 去年
    orgs: tuple[str, ...] = ()      # candidate names of the body, longest first (see resolve_org)
    asks_budget: bool = False       # 预算 asked, not 决算 (a final-accounts table may hold both columns)
    others: tuple[str, ...] = ()    # a second body named after 和/与/、 (区府办和商务委谁的工会经费多)
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
    for pattern, meaning in phrases()["intent"]:
        if pattern.search(q):
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


def second_body(question: str, orgs: tuple[str, ...]) -> tuple[str, ...]:
    """Candidates of a body named right after the first one and 和/与/跟/、/及."""
    q = ORG_LEAD.sub("", normalize(question))
    for name in reversed(orgs):          # shortest first: 区府办和商务委
        if re.match(r"[和与跟、及]", q[len(name):len(name) + 1]):
            return question_to_orgs(q[len(name) + 1:])
    return ()


def resolve_org(query: "Query", docs: list[Document], labels: frozenset[str] = frozenset()) -> "Query":
    """The longest candidate name that is a loaded body, unless a shorter one leaves a known label whole
    (江苏人大办公费: 江苏人大 + 办公费, not 江苏人大办 + 公费); with none loaded, the shortest (for the
    not-loaded message)."""
    def is_loaded(name: str) -> bool:
        return any(org_matches(name, d.body) for d in docs)
    query = replace(query, others=next(((n,) for n in query.others if is_loaded(n)), ()))
    if len(query.orgs) <= 1:
        return query
    loaded = [n for n in query.orgs if is_loaded(n)]
    if not loaded:
        return replace(query, org=query.orgs[-1])
    q = ORG_LEAD.sub("", normalize(query.question))
    best = loaded[0]
    for shorter in loaded[1:]:
        head = q[len(shorter):len(best) + 1]
        if len(best) - len(shorter) <= 2 and any(lab.startswith(head) for lab in labels):
            best = shorter
    return replace(query, org=best)


def question_to_query(question: str, known_labels: frozenset[str] = frozenset()) -> Query:
    q = normalize(question)
    orgs = question_to_orgs(question)
    org = orgs[0] if orgs else None
    others = second_body(question, orgs)
    years = tuple(int(y) for y in YEAR.findall(q))
    kind = "决算" if "决算" in q else ("预算" if re.search(r"\d{4}年度?(部门|单位)?预算", q) else None)
    codes = tuple(c.replace(" ", "") for c in CODE.findall(re.sub(r"20\d{2}\s*年", "", q))
                  if len(c.replace(" ", "")) in (3, 5, 7))
    intent = question_to_intent(q)
    item = re.sub(r"[？?。！!，,\s]+$", "", q)
    item = re.sub(r"(比上年|比去年|较上年|与上年|同比)(增加|减少|增长|下降)?.*$", "", item) if intent == "change" else item
    item = re.sub(r"占.*$", "", item) if intent == "share" else item
    item = re.sub(r"(20\d{2})\s*年度?|今年|去年|上年度|本年度|明年|(部门|单位)?(预算|决算)(公开)?中|科目|编码", "", item)
    for c in codes:
        item = item.replace(c, "")
    item = re.sub(r"为什么|为何|怎么|什么原因|原因", "", item)
    item = re.sub(r"(共有|一共有|有)?(几|多少)(辆|个|项|名|人|家|所|处|台|套|次|位)", "", item)
    item = strip_fillers(item)
    item = re.sub(r"(最多|最少|最高|最低(?!生活|工资|保障)|最大|最小|前[三五十\d]+(项|个|名|位)?|哪一[类项个款]|哪[类项款]|哪个|哪些|哪几个|哪方面|什么|有没有|是否|有无|几个|多少个)", "", item)
    item = re.sub(r"^是|是$", "", item)
    item = re.sub(r"(?<=.{2})(里面|里|当中|之中)$", "", item)        # 商品和服务支出里哪项最多
    part = re.match(r"^(.{2,}?)(?<!公)(里面|里|当中|之中|中的)(.{2,})$", item)
    is_measure = [any(p.search(x) for p, _ in phrases()["measure"]) for x in (part.group(1), part.group(3))] if part else []
    if part and not (is_measure[1] and not is_measure[0]):
        inner = re.sub(r"(?<=..)(类|方面|部分)$", "", part.group(3))
        # 三公经费里出国费: the item is 出国费 (a column asked stays with its row); 政府采购里服务类: 政府采购服务
        item = part.group(1) + inner if len(inner) <= 2 else part.group(3)
    item = re.sub(r"^(他们|我们|你们|本部门|本单位|该部门|该单位|这个部门|区里|市里|部门|单位)", "", item)
    item = re.sub(r"^(还|也|又|都|里面|里|当中)(?=.{2})", "", item)     # 决算里基本支出: 决算 was a filler
    item = re.sub(r"^给(员工|职工|工作人员|干部|大家|单位|人)?(发放|发|交|缴纳|缴)?(?=.{2})", "", item)   # 给员工发基本工资
    item = re.sub(r"(主要)?(负责|管)(哪些|什么|啥)?(工作|事情|事务|事)?$", "主要职责", item) if intent == "describe" else item
    expansions = tuple(dict.fromkeys(item.replace(key, t) if len(item) > len(key) + 1 else t
                                     for key, targets in synonyms() if key in item for t in targets))
    broad = tuple(dict.fromkeys(t for key, targets in synonyms() if key in item and len(item) > len(key) + 1
                                for t in targets))
    wants = "元" if re.search(r"多少元|几元|单位[:：]?元|(?<!万)元[？?]?$", q) else (
        "万元" if "万元" in q else None)
    hint = re.search(r"(?:多少|几)(平方米|万平方米|公里|千米|米|辆|套|人|项|次|基|条|棵|台|家|亩|户|名|份|所|处|盏|座|个)", q)
    unit_hint = hint.group(1) if hint else ("平方米" if "面积" in q else
                                            "%" if re.search(r"百分之|百分比|百分率|完成率|执行率|完成了?.{0,12}的?多少", q) else None)
    if not item.strip() and intent in ("lookup", "change") and re.search(r"钱|预算|决算|经费|资金", q):
        item = "收入总计"       # 今年预算总共多少钱: the disclosure's total
    if unit_hint and item.endswith(unit_hint):
        item = item[: -len(unit_hint)]
    money = bool(re.search(r"钱|费|经费|资金|预算|决算|万元|元|支出|收入|花|拨款", q)) and not unit_hint
    relative = "今年" if re.search(r"今年|本年度|当年", q) else ("去年" if re.search(r"去年|上年度", q) else None)
    top = re.search(r"前\s*([三五十\d]+)", q)
    top_n = {"三": 3, "五": 5, "十": 10}.get(top.group(1), int(top.group(1)) if top and top.group(1).isdigit() else 3) if top else 3
    measures = question_to_measures(q)
    if part and all(is_measure):       # 基本支出里人员经费: asked as 人员经费 alone
        measures = tuple(m for m in measures if m not in part.group(1))
    return Query(question=question, item=item.strip(), expansions=expansions, broad=broad, codes=codes,
                 measures=measures, intent=intent, years=years, kind=kind, org=org, orgs=orgs,
                 asks_budget="预算" in q and "决算" not in q, others=others,
                 wants_unit=wants, unit_hint=unit_hint, money=money, top_n=top_n, relative_year=relative)


def without_org(query: Query) -> Query:
    """The query read again without the named body, once it is known to be a document (教育局 is not 教育)."""
    if not query.org:
        return query
    rest = normalize(query.question).replace(query.org, "", 1)
    for other in query.others:
        rest = re.sub(rf"[和与跟、及]?{re.escape(other)}", "", rest, count=1)
    again = question_to_query(rest)
    return replace(again, question=query.question, org=query.org, others=query.others,
                   years=query.years or again.years, kind=query.kind or again.kind) if again.item else query


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def org_matches(org: str, body: str) -> bool:
    org = re.sub(r"^(中共|中国共产党)", "", org)
    return is_subsequence(org, body) or org in body


def select_docs(query: Query, docs: list[Document],
                known_labels: frozenset[str] = frozenset()) -> tuple[list[Document], str | None]:
    """Documents the question is about, or (empty list, reason) when the asked one is not loaded."""
    pool = [d for d in docs if not d.is_template]
    if query.org:
        named = [d for d in pool if org_matches(query.org, d.body) or any(org_matches(o, d.body) for o in query.others)]
        if named:
            pool = named
        elif not any(query.org in lab for lab in known_labels):   # an item name, not a body
            return [], f"未载入「{query.org}」的公开文件"
    if query.years:
        matched = [d for d in pool if d.year in query.years]
        if not matched:
            have = "、".join(sorted({f"{d.year}年{d.kind}" for d in pool if d.year}))
            return [], f"未载入{query.years[0]}年的文件（已载入：{have or '无'}）"
        pool = matched
    if query.kind == "决算":
        matched = [d for d in pool if d.kind == "决算"]
        if not matched:
            return [], "未载入对应的决算文件（已载入的是预算）"
        pool = matched
    elif query.kind == "预算" and any(d.kind == "预算" for d in pool):
        pool = [d for d in pool if d.kind == "预算"]
    if query.relative_year == "今年" and pool and not query.years:
        by_body: dict[str, int] = {}
        for d in pool:
            by_body[d.body] = max(by_body.get(d.body, 0), d.year or 0)
        pool = [d for d in pool if (d.year or 0) == by_body[d.body]]
    return pool, None
