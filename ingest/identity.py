"""Who published a disclosure, for which year, of which kind (预算/决算) and scope (部门/单位). Pure.

Every place a body, a year or a kind is printed is one clue, weighed by where it is printed: the
cover (the lines before the contents or the first table) beats a heading or a table title, which
beats a table header cell, which beats a sentence. A year in a comparison or a date (比2024年预算增加,
与2024年预算持平, 截至2024年8月31日) or inside a cited document's title (《关于2024年…》) is no clue, so
"2025年部门预算" wins over any number of "比2024年预算增加".
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from schema import Block, Document, Grid, Line, Parsed

WEIGHT = {"cover": 20, "heading": 3, "label": 2, "header": 2, "sentence": 1, "cell": 1, "meta": 1, "file": 1}
PRINTED = ("cover", "heading", "label", "header", "sentence", "cell")     # places inside the disclosure's text
WHERE_ZH = {"cover": "封面", "heading": "标题", "label": "表头单位行", "header": "表头", "sentence": "正文",
            "cell": "表格单位栏", "meta": "PDF 标题属性", "file": "文件名"}
LEVEL = r"(?:省级|市级|区级|县级|乡级|镇级)?"
ZH = r"[\u4e00-\u9fa5（）()、]"
BODY_END = (r"(?:部|委|局|厅|办公室|办|院|会|中心|站|所|队|馆|室|处|署|社|团|府|校|协会|联合会|委员会|政府|政协|"
            r"大学|学院|中学|小学|幼儿园|园|公司|集团|台|场|街道|监狱)")
TITLE = re.compile(rf"(?P<body>{ZH}{{2,40}}?)(?P<year>20\d{{2}})年度?{LEVEL}(?P<scope>部门|单位)?(?:财务收支)?"
                   r"(?P<kind>预算|决算)")
YEAR_KIND = re.compile(rf"(?P<year>20\d{{2}})年度?{LEVEL}(?P<scope>部门|单位)?(?P<kind>预算|决算)")
LEAD_YEAR = re.compile(r"^(?:第[一二三四五六七八九十]+部分|附件[:：]?|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|"
                       r"\d{1,2}[.．、]|(?:部门|单位|预算|决算)*公开表?[一二三四五六七八九十\d]+表?|表[一二三四五六七八九十\d]+)*"
                       r"(?P<year>20\d{2})年度?(?P<rest>.*)$")
BODY_LINE = re.compile(r"^(?:部门名称|单位名称|编制单位|预算单位|编制部门|预算主管部门|主管部门|部门|单位)[:：]"
                       r"(?P<body>[^\s:：]+?)(?:(?:单位|金额单位)[:：].*)?$")
BODY_WORDS = re.compile(BODY_END + "$")
GENERIC = re.compile(r"^(部门|单位|本部门|本单位|目录|预算|决算|附件|本校|本院|全校|全院|其中|包括)|"
                     r"^(?:高等|普通|各类|所属|下属|二级|基层)?(?:学校|高校|院校|机关|事业单位|行政单位|中心|大学|学院)$")
PLACEHOLDER = re.compile(r"[XＸ×xｘ*＊]{2,}|某某|[〇○□]{2,}")
PART_HEADING = re.compile(rf"^(?:第[一二三四五六七八九十]+部分)?(?P<body>{ZH}{{3,40}}?)(?:[（(](?:部门|单位)[）)])?"
                          r"(?:主要职能|主要职责|机构设置|概况)$")
SENTENCE_BODY = re.compile(rf"^(?:20\d{{2}}年度?[，,])?(?P<body>{ZH}{{3,30}}?{BODY_END})"
                           r"(?=20\d{2}年|本年|收入|支出|财政拨款|一般公共预算|部门预算|单位预算)")
NOT_THIS_YEAR = re.compile(r"(比|与|较|同|和|及|相比|对比|截至|截止|至|自|从|上年|上一年|、)$")
FUNDS = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算|预算单位|预算主管部门")
KIND_WORD = re.compile(r"预算|决算")
UNIT_SCOPE = re.compile(r"^(?:预算单位|单位(?:预算|决算))")
HEADER_YEAR = re.compile(r"^(?P<year>20\d{2})年度?.{0,16}?(?P<kind>预算|决算)(?:数|金额)?$")
COVER_STOP = re.compile(r"^目录$|^第[一二三四五六七八九十]+部分")


@dataclass(frozen=True)
class Clue:
    """One place the body, year, kind or scope is printed, and how much that place counts."""
    field: str          # body | year | kind | scope
    value: str
    where: str          # cover | heading | label | header | sentence | cell

    @property
    def weight(self) -> int:
        return WEIGHT[self.where]


@dataclass(frozen=True)
class Identity:
    body: str
    year: int | None
    kind: str           # 预算 | 决算
    scope: str          # 部门 | 单位
    title: str
    placeholder: bool = False    # the body is a blank form's placeholder (上海市XX局)
    confirmed: bool = True       # the body is printed in the disclosure, not only in its file name or PDF title
    evidence: tuple[str, ...] = ()      # where each of body, year, kind is printed (封面、表头 …)


CN_DIGITS = str.maketrans("〇○零一二三四五六七八九０１２３４５６７８９", "000123456789" + "0123456789")
CN_YEAR = re.compile(r"[〇○零一二三四五六七八九０-９]{4}(?=年)")


def compact(text: str) -> str:
    """Spaces out; a year printed in Chinese numerals or full-width digits (二〇二五年, ２０２５年) as 2025年."""
    t = re.sub(r"\s+", "", text or "")
    return CN_YEAR.sub(lambda m: m.group(0).translate(CN_DIGITS), t)


def clean_body(s: str) -> str:
    s = compact(s)
    s = re.sub(r"^(第[一二三四五六七八九十]+部分|目录|附件[:：]?|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|"
               r"\d{1,2}[.．、]|纳入|根据|按照)+", "", s)
    s = re.sub(r"(单位|金额单位)[:：].*$", "", s)
    s = re.sub(r"[（(](?:本级|汇总|合并|部门|单位|机关本级)[）)]$", "", s)      # 某某大学（本级）
    return s.strip("：:")


def is_body(s: str) -> bool:
    s = clean_body(s)
    return (len(s) >= 3 and not GENERIC.match(s) and bool(BODY_WORDS.search(s))
            and not re.fullmatch(r"(万元|元|亿元|千元)", s))


def is_placeholder(body: str) -> bool:
    return bool(PLACEHOLDER.search(body or ""))


# ---------------------------------------------------------------- where each clue is printed
def blocks_to_cover(blocks: list[Block]) -> tuple[list[str], int]:
    """The cover: the first page's lines before the contents, the first part or the first table
    (at most 8), and how many blocks it takes."""
    first = next((b.page for b in blocks if isinstance(b, Line) and b.page is not None), None)
    out: list[str] = []
    n = 0
    for b in blocks:
        if isinstance(b, Grid) or (first is not None and b.page != first) or len(out) >= 8:
            break
        t = compact(b.text)
        if COVER_STOP.search(t):
            break
        n += 1
        if t and not re.fullmatch(r"[-—–_\d]+", t):
            out.append(t)
    return out, n


def cover_to_clues(cover: list[str]) -> tuple[list[Clue], str]:
    """Clues of the cover, and its title line (body + year + kind) when it prints one."""
    joined = "".join(cover)
    clues = year_kind_clues(joined, "cover")
    if not clues and KIND_WORD.search(FUNDS.sub("", joined)):      # 2025年度 / 上海市XX局 / 部门预算
        years = [m for m in re.finditer(r"(20\d{2})年", joined) if this_year(joined, m.start())]
        clues += [Clue("year", years[0].group(1), "cover"), Clue("kind", title_kind(joined), "cover")] if years else []
    m = TITLE.search(joined)
    title = ""
    if m and is_body(m.group("body")):
        clues.append(Clue("body", clean_body(m.group("body")), "cover"))
        title = joined[m.start():]
    for t in cover:
        b = BODY_LINE.match(t)
        if b and is_body(b.group("body")):
            clues.append(Clue("body", clean_body(b.group("body")), "cover"))
        elif not title and is_body(t) and len(t) <= 30 and not re.search(r"20\d{2}", t):
            clues.append(Clue("body", clean_body(t), "cover"))
    return clues, title


def year_kind_clues(text: str, where: str) -> list[Clue]:
    """Each 2025年(度)(区级)(部门)预算 in the text that is not a comparison, a date or a citation."""
    out: list[Clue] = []
    for m in YEAR_KIND.finditer(text):
        if not this_year(text, m.start()):
            continue
        out += [Clue("year", m.group("year"), where), Clue("kind", m.group("kind"), where)]
        if m.group("scope"):
            out.append(Clue("scope", m.group("scope"), where))
    return out


def this_year(text: str, start: int) -> bool:
    """A year printed as the document's own, not as the year compared with or a cited title's."""
    before = text[:start]
    return not NOT_THIS_YEAR.search(before[-3:] if before else "") and before.count("《") <= before.count("》")


def is_heading(text: str) -> bool:
    return len(text) <= 40 and not re.search(r"[。，,；;]", text) and not re.search(r"\.{3,}|…{2,}", text)


def heading_to_clues(t: str) -> list[Clue]:
    """A heading or a table title: 第二部分 2019年度部门预算表, 2025年预算单位收入预算总表, X主要职能."""
    clues: list[Clue] = []
    m = TITLE.search(t)
    if m and is_body(m.group("body")) and this_year(t, m.start("year")):
        clues.append(Clue("body", clean_body(m.group("body")), "heading"))
    p = PART_HEADING.match(t)
    if p and is_body(p.group("body")):
        clues.append(Clue("body", clean_body(p.group("body")), "heading"))
    lead = LEAD_YEAR.match(t)
    if lead and KIND_WORD.search(lead.group("rest")):
        clues += [Clue("year", lead.group("year"), "heading"), Clue("kind", title_kind(lead.group("rest")), "heading")]
        if UNIT_SCOPE.match(lead.group("rest")):
            clues.append(Clue("scope", "单位", "heading"))
        elif lead.group("rest").startswith("部门"):
            clues.append(Clue("scope", "部门", "heading"))
    elif not lead:
        clues += year_kind_clues(t, "heading")
        if KIND_WORD.search(FUNDS.sub("", t)) and t.endswith(("表", "）", ")")):
            clues.append(Clue("kind", title_kind(t), "heading"))
    return clues


def title_kind(text: str) -> str:
    """The kind a title names: the last 预算/决算 once fund names (一般公共预算 …) are taken out."""
    words = KIND_WORD.findall(FUNDS.sub("", text))
    return words[-1] if words else "预算"


def sentence_to_clues(t: str) -> list[Clue]:
    clues = year_kind_clues(t, "sentence")
    m = SENTENCE_BODY.match(t)
    if m and is_body(m.group("body")):
        clues.append(Clue("body", clean_body(m.group("body")), "sentence"))
    lead = re.match(r"^(20\d{2})年度?[，,]", t) or (m and re.match(r"(20\d{2})年", t[m.end():]))
    if lead:
        clues.append(Clue("year", lead.group(1), "sentence"))
    return clues


def line_to_clues(text: str) -> list[Clue]:
    t = compact(text)
    b = BODY_LINE.match(t)
    if b:
        return [Clue("body", clean_body(b.group("body")), "label")] if is_body(b.group("body")) else []
    return heading_to_clues(t) if is_heading(t) else sentence_to_clues(t)


def grid_to_clues(grid: Grid) -> list[Clue]:
    """Body label cells (部门：X) and header cells that print the year (2025年预算数) of a table's top rows."""
    clues: list[Clue] = []
    years: list[tuple[str, str]] = []
    for row in grid.rows[:4]:
        for cell in row:
            c = compact(cell)
            b = BODY_LINE.match(c)
            if b and is_body(b.group("body")):
                clues.append(Clue("body", clean_body(b.group("body")), "cell"))
            h = HEADER_YEAR.match(c)
            if h and not re.search(r"执行|上年|比|增减|变动", c):
                years.append((h.group("year"), title_kind(c)))
    if years:
        year, kind = max(years)          # 2024年预算数 beside 2025年预算数: the later one is this document's
        clues += [Clue("year", year, "header"), Clue("kind", kind, "header")]
    return clues


def blocks_to_clues(blocks: list[Block]) -> tuple[list[Clue], str]:
    cover, n = blocks_to_cover(blocks)
    clues, title = cover_to_clues(cover)
    for b in blocks[n:]:                    # the cover's lines are counted once, above
        clues += grid_to_clues(b) if isinstance(b, Grid) else line_to_clues(b.text)
    return clues, title


# ---------------------------------------------------------------- weighing
def best(clues: list[Clue], field: str) -> str | None:
    """The value with the most weight; ties go to the value printed in the weightiest place."""
    total: dict[str, int] = defaultdict(int)
    top: dict[str, int] = defaultdict(int)
    for c in clues:
        if c.field == field:
            total[c.value] += c.weight
            top[c.value] = max(top[c.value], c.weight)
    if not total:
        return None
    return max(total, key=lambda v: (total[v], top[v], v))


def clues_to_identity(clues: list[Clue], cover_title: str = "", stem: str = "") -> Identity:
    """The weightiest body, year, kind and scope. A body printed in the disclosure itself (weight 2 or
    more: a cover, a heading, a table's 部门：line, two sentences) is confirmed; otherwise the document
    takes the best name its file offers (a body in its file name or PDF title, else the file name) and
    is not confirmed (单位待确认)."""
    body = best(clues, "body") or ""
    printed = sum(c.weight for c in clues if c.field == "body" and c.value == body and c.where in PRINTED)
    confirmed = printed >= 2
    if not confirmed:
        body = body or stem
    year = best(clues, "year")
    kind = best(clues, "kind") or "预算"
    scope = best(clues, "scope") or "部门"
    title = cover_title if confirmed and cover_title else f"{body}{year or ''}年度{scope}{kind}公开"
    evidence = clues_to_evidence(clues, {"body": body, "year": year, "kind": kind})
    if not confirmed:
        evidence = (evidence[0].replace("（未印出）", "（文件名）").replace("）", "，单位待确认）"), *evidence[1:])
    return Identity(body=body, year=int(year) if year else None, kind=kind, scope=scope, title=title,
                    placeholder=is_placeholder(body), confirmed=confirmed, evidence=evidence)


def clues_to_evidence(clues: list[Clue], chosen: dict[str, str | None]) -> tuple[str, ...]:
    """单位：X（封面、表头单位行）, one line per field: the places that print the value chosen."""
    out = []
    for field, label in (("body", "单位"), ("year", "年度"), ("kind", "类别")):
        value = chosen[field]
        places = dict.fromkeys(WHERE_ZH[c.where] for c in sorted(clues, key=lambda c: -c.weight)
                               if c.field == field and c.value == value)
        out.append(f"{label}：{value or '未知'}（{'、'.join(places) or '未印出'}）")
    return tuple(out)


def blocks_to_identity(blocks: list[Block], name: str = "", meta_title: str = "") -> Identity:
    """Body, year, kind and scope from the cover, headings, table titles, table headers and sentences,
    then (lightly) the PDF's title property and the file name."""
    clues, title = blocks_to_clues(blocks)
    return clues_to_identity(clues + name_to_clues(name, meta_title), title, file_stem(name))


FILE_KIND = {"决算": "决算", "final": "决算", "预算": "预算", "budget": "预算"}


def name_to_clues(name: str, meta_title: str = "") -> list[Clue]:
    """The file name's body, year and kind (上海大学2023年部门预算.pdf, jiangsu-renda-2019-dept-budget.pdf) and
    the body a PDF title property prints (its year is no clue: such titles are often a template's)."""
    clues: list[Clue] = []
    stem = compact(file_stem(name))
    m = TITLE.search(stem)
    if m and is_body(m.group("body")):
        clues.append(Clue("body", clean_body(m.group("body")), "file"))
    years = re.findall(r"(?<!\d)(20\d{2})(?!\d)", stem)
    if len(set(years)) == 1:
        clues.append(Clue("year", years[0], "file"))
    kinds = {v for k, v in FILE_KIND.items() if k in stem.lower()}
    if len(kinds) == 1:
        clues.append(Clue("kind", kinds.pop(), "file"))
    t = TITLE.search(compact(meta_title))
    if t and is_body(t.group("body")) and not is_placeholder(t.group("body")):
        clues.append(Clue("body", clean_body(t.group("body")), "meta"))
    return clues


def file_stem(name: str) -> str:
    """A file's name without its folder and extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


PART_WORD = re.compile(r"(?:tables?|biao|表格|报表|附表|公开表|预算表|决算表|表|text|正文|文字说明|情况说明|说明|文本|"
                       r"part\d*|附件\d*|[上下]册?|[12一二])$")
GENERIC_STEM = re.compile(r"\d+|年度?|部门|单位|预算|决算|公开|附件|文件|表格|报表|附表|正文|说明|情况|信息|全文|扫描|"
                          r"最终|修订|版|副本|dept|unit|budget|final|accounts?|report|disclosure|new|copy|file|scan")


def name_key(name: str) -> str:
    """The name two files of one disclosure share: jiangsu-renda-2019-dept-budget(-tables).pdf ->
    jiangsurenda2019deptbudget; "" when what is left says nothing of whose it is (2026年部门预算.pdf)."""
    key = re.sub(r"[\s\-_.·（）()\[\]【】]+", "", compact(file_stem(name)).lower())
    while (m := PART_WORD.search(key)) and m.start() > 0:
        key = key[:m.start()]
    return key if len(GENERIC_STEM.sub("", key)) >= 2 else ""


# ---------------------------------------------------------------- names and documents
PARTY_ORGAN = re.compile(rf"^(?!中共|中国共产党|共青团)(?P<place>{ZH}{{2,12}}?[省市区县])委(?!员)(?P<organ>{ZH}{{2,}})$")
PLACE_PREFIX = re.compile(rf"^(?:中共|中国共产党)?(?:{ZH}{{1,6}}?(?:省|自治区|市|区|县|镇|乡))*$")


def formal_body(body: str) -> str:
    """The body's formal name: a party committee's organ printed without 中共 (江苏省委办公厅) gets it."""
    b = compact(body)
    return "中共" + b if PARTY_ORGAN.match(b) else b


def same_body(a: str, b: str) -> bool:
    """One body printed two ways: with or without 中共 or the place above it (普陀区财政局, 上海市普陀区财政局)."""
    a, b = formal_body(a), formal_body(b)
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    if short == long:
        return True
    return (len(short) >= 4 and long.endswith(short) and bool(PLACE_PREFIX.match(long[:-len(short)]))
            and not short.startswith(("委", "办", "局")))


def doc_id_for(body: str, year: int | None, scope: str, kind: str) -> str:
    return f"{formal_body(body) or '未知单位'}-{year or '未知年度'}-{scope}{kind}"


# ---------------------------------------------------------------- joins on positive evidence
@dataclass(frozen=True)
class Member:
    """A document as a join weighs it: its identity, whether its body is printed (confirmed), the
    names of its files, its totals in 万元, and the uploads its files came in."""
    doc_id: str
    body: str
    year: int | None
    kind: str
    scope: str
    confirmed: bool = True
    keys: frozenset[str] = frozenset()          # name_key of each file
    totals: frozenset[Decimal] = frozenset()
    batches: frozenset[str] = frozenset()

    @property
    def rank(self) -> tuple:
        """A document joins one ranked above it: printed body, printed year, the fuller name."""
        return (self.confirmed, self.year is not None, len(formal_body(self.body)), self.doc_id)


TOTAL_LABEL = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)])?(?:本年)?(?:收入|支出|收支)(?:预算|决算)?(?:总计|合计)?$")


def facts_to_totals(facts) -> frozenset[Decimal]:
    """The income and spending totals a file prints (收入总计, 支出预算总计, 收入预算 …), in 万元."""
    out = set()
    for f in facts:
        if f.value is None or not TOTAL_LABEL.match(compact(f.label or "")) or f.unit not in ("元", "万元"):
            continue
        value = f.value / 10000 if f.unit == "元" else f.value
        out.add(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return frozenset(out)


def document_to_member(d: Document, confirmed: bool = True, totals: frozenset[Decimal] = frozenset(),
                       batches: frozenset[str] = frozenset()) -> Member:
    keys = frozenset(k for k in map(name_key, d.files) if k)
    return Member(d.doc_id, d.body, d.year, d.kind, d.scope, confirmed, keys, totals, batches)


def join_reason(a: Member, b: Member) -> str | None:
    """Why two documents are one disclosure, or None. Needed, all of: the same body printed (or, for a
    body not printed, the same file name or one upload), the same year (a year printed in one file
    only is placed by the file name, the upload or agreeing totals), the same kind, and totals that
    agree wherever both print them. Two bodies printed differently never join."""
    if a.doc_id == b.doc_id or a.kind != b.kind:
        return None
    named = bool(a.keys & b.keys)
    upload = bool(a.batches & b.batches)
    totals = bool(a.totals & b.totals)
    if a.totals and b.totals and not totals:
        return None
    if a.confirmed and b.confirmed:
        if not same_body(a.body, b.body):
            return None
        why = ["同一单位"]
    elif named or upload:
        why = ["文件名相同" if named else "同一次上传"]
    elif same_body(a.body, b.body):
        why = ["文件名所印单位相同"]          # 上海大学2023年部门预算.pdf, its cover an image
    else:
        return None
    if a.scope != b.scope and not (named or upload):
        return None
    if a.year is not None and b.year is not None:
        if a.year != b.year:
            return None
        why.append("同一年度")
    elif a.year is None and b.year is None or not (named or upload or totals):
        return None
    return "、".join(why + (["总额一致"] if totals else []))


def join_target(d: Member, known: list[Member]) -> tuple[Member, str] | None:
    """The one document ranked above `d` that it is shown to belong to, with the reason; None when
    there is none or more than one (the file stays apart rather than guess)."""
    found = {k.doc_id: (k, why) for k in known if k.rank > d.rank and (why := join_reason(d, k))}
    return next(iter(found.values())) if len(found) == 1 else None


def unify_identity(parsed: Parsed, known: list[Document]) -> Parsed:
    """A file joins the known document it is shown to belong to (join_reason): the tables file of a
    disclosure printed apart from its text, printing no year or the body another way. A file that
    belongs to no known document, or to several, is returned as it is."""
    me = document_to_member(parsed.document, totals=facts_to_totals(parsed.facts))
    found = join_target(me, [document_to_member(k) for k in known])
    if found is None:
        return parsed
    return rekey_parsed(parsed, found[0].doc_id, found[0].body, found[0].year,
                        next((k.title for k in known if k.doc_id == found[0].doc_id), parsed.document.title))


def rekey_parsed(parsed: Parsed, doc_id: str, body: str, year: int | None, title: str, **more) -> Parsed:
    """The same reading filed under another document."""
    document = replace(parsed.document, doc_id=doc_id, body=body, year=year, title=title, **more)
    return Parsed(document=document,
                  facts=tuple(replace(f, doc=doc_id) for f in parsed.facts),
                  chunks=tuple(replace(c, doc=doc_id) for c in parsed.chunks),
                  tables=parsed.tables, lines=parsed.lines)
