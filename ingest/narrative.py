"""Narrative lines -> sections (headings) and facts for figures stated in sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.numbers import chinese_to_int, text_to_decimal
from schema import Fact, Line

HEADING = re.compile(
    r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[、.．](?!\d))")
UNITS = r"万元|亿元|元|%|％|平方米|万平方米|公里|千米|米|个|辆|套|人|项|次|基|条|棵|台|家|亩|户|名|份|所|处|间|盏|座|张|册|场|批"
FIGURE = re.compile(rf"(\d[\d,，]*(?:\.\d+)?)\s*({UNITS})")
CN_FIGURE = re.compile(r"([零一二两三四五六七八九十百]+)\s*(个|项|辆|套|人|名|家|所|处)")
ASIDE = re.compile(r"[（(](减少|增加|下降|增长|增减|减|增|以[^（）()]{1,12}为准|下同|不含[^（）()]{0,10}|含[^（）()]{0,10})[）)]")
CLAUSE_SPLIT = re.compile(r"[，,；;：:。、（）()]|其中|主要包括|分别为|包括")
COMPARE = re.compile(r"^(比上年|比\d{4}年|较上年|与上年|增长|下降|增加|减少)")
LEAD = re.compile(r"^(?:\d{4}\s*年度?|本部门|本单位|截至\d{4}年\d{1,2}月\d{1,2}日|共有|使用的|一是|二是|三是|\d+[．.、]|"
                  r"[（(][一二三四五六七八九十\d]+[）)])+")


@dataclass(frozen=True)
class Section:
    heading: str
    path: str
    lines: tuple[Line, ...]


def heading_level(text: str) -> int | None:
    t = text.strip()
    m = HEADING.match(t)
    if not m or len(t) > 40 or t.endswith(("。", "；", ";", "，")) or re.search(r"\.{3,}|…{2,}|\s\d{1,3}$|[，；。]", t):
        return None
    token = m.group(1)
    if token.startswith("第"):
        return 0
    if token.endswith("、") and not token[0].isdigit():
        return 1
    return 2 if token.startswith(("（", "(")) else 3


PAGE_MARK = re.compile(r"^[-─—–_\s]*\d{1,3}[-─—–_\s]*$|^第\s*\d+\s*页(共\s*\d+\s*页)?$|^-\s*\d+\s*-$")


PART_TITLE = re.compile(r"^(\d{4}\s*年度?.{0,30}(预算|决算).{0,8}(说明|情况)"          # 2025年单位预算编制说明
                        r"|.{2,30}(主要职能|主要职责|机构设置|名词解释))$")            # 上海市普陀区商务委员会主要职能


def _toc_lines(lines: list[Line]) -> set[int]:
    """A contents page printed without dot leaders: the entries after a 目录 line on its page, or four or
    more headings in a row on one page, several of one level (a nested path 第三部分 / 一、 / （一） / 1、
    with no text between is kept)."""
    out: set[int] = set()
    marks = [i for i, x in enumerate(lines) if x.page is not None and re.fullmatch(r"目\s*录", x.text.strip())]
    for m in marks:              # 目录: the entries that follow it on its page
        out.update(_toc_entries(lines, m))
    levels = [heading_level(x.text) for x in lines] + [None]
    run: list[int] = []
    for i, level in enumerate(levels):
        if level is not None and (not run or lines[run[0]].page == lines[i].page):
            run.append(i)
            continue
        if len(run) >= 4 and len({levels[j] for j in run}) <= len(run) - 2:     # 一、二、三、…: not one nested path
            out.update(run)
        run = [i] if level is not None else []
    return out


def _toc_entries(lines: list[Line], mark: int) -> list[int]:
    """The 目录 line and the entries after it on its page, up to the next page or the first heading the
    contents already listed (the part itself starting on the same page); if running text follows on the
    page, the contents were not read as lines and only the 目录 line goes."""
    out, seen = [mark], set()
    for j in range(mark + 1, len(lines)):
        t = lines[j].text.strip()
        key = re.sub(r"[.…·\s\d]+$", "", t)
        entry = (heading_level(t) is not None or re.search(r"(\.{3,}|…{2,}|\s)\d{1,3}$", t)
                 or re.match(r"^\d+\s*[.．、]", t))
        if lines[j].page != lines[mark].page or key in seen:
            break
        if not entry:
            return [mark]       # text follows on the page: these were the parts themselves
        seen.add(key)
        out.append(j)
    return out


def lines_to_sections(lines: list[Line]) -> list[Section]:
    lines = [x for x in lines if not PAGE_MARK.match(x.text.strip())]
    toc = _toc_lines(lines)
    lines = [x for i, x in enumerate(lines) if i not in toc]
    sections: list[Section] = []
    stack: dict[int, str] = {}
    heading, body = "", []
    for line in lines:
        level = heading_level(line.text)
        if level is None and PART_TITLE.match(line.text.strip()):
            level = 0       # an unnumbered page title starts a part of its own
        if level is None:
            body.append(line)
            continue
        if body or heading:
            sections.append(Section(heading, _path(stack), tuple(body)))
        stack = {k: v for k, v in stack.items() if k < level}
        stack[level] = line.text.strip()
        heading, body = line.text.strip(), []
    sections.append(Section(heading, _path(stack), tuple(body)))
    return [s for s in sections if s.lines or s.heading]


def _path(stack: dict[int, str]) -> str:
    return " / ".join(stack[k] for k in sorted(stack))


def text_to_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；;！？])", text)
    return [p.strip() for p in parts if p.strip()]


def unspaced(text: str) -> str:
    """A justified line printed with a space between every character (援 滇 干 部 工 作 经 费 3.00 万 元)
    read as the words it is."""
    tokens = text.split()
    if len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.6 * len(tokens):
        return "".join(tokens)
    return text


def lines_to_paragraphs(lines: tuple[Line, ...]) -> list[Line]:
    """Join wrapped lines (PDF line ends, page breaks) until a sentence or item ends."""
    out: list[Line] = []
    for line in lines:
        text = unspaced(line.text.strip())
        if out and not re.search(r"[。；;！？：:]$", out[-1].text) and not HEADING.match(text):
            out[-1] = Line(out[-1].text + text, out[-1].page)
        else:
            out.append(Line(text, line.page))
    return out


def _clause_label(sentence: str, start: int, body: str) -> str:
    chain = ITEM_HEAD.findall(re.sub(r"\s+", "", sentence[:start]))
    if chain and re.search(r"[（(]项[）)][”\"]?\s*$", sentence[:start]):
        return chain[-1][0].strip("“”\"")       # “X（类）Y（款）Z（项）”350.35万元: the figure is Z's
    before = re.sub(r"[（(](类|款|项)[）)]", "", sentence[:start])
    before = ASIDE.sub("", before)      # 增加（减少）0万元, 金额（以合同签订为准）为21.07万元
    before = re.sub(r"[（(]([^（）()\d，,。；;]{1,2})[）)]", "\u27e8\\1\u27e9", before)   # 因公出国（境）费: part of the name
    clause = CLAUSE_SPLIT.split(before)[-1].strip() if before else ""
    clause = LEAD.sub("", clause.replace(body, "") if body else clause).strip()
    clause = re.sub(r"(?<=.{2})(的为|为|是|达到|达|约|的)$", "", clause)
    return clause.replace("\u27e8", "（").replace("\u27e9", "）")


def sentence_to_facts(sentence: str, section: Section, page: int | None, doc_id: str,
                      file: str, body: str = "", carry: str = "") -> list[Fact]:
    """Figures of one sentence; `carry` is the subject of the sentence before (for 与上年相比增加…)."""
    facts: list[Fact] = []
    first = subject = carry
    for m in FIGURE.finditer(sentence):
        label = _clause_label(sentence, m.start(), body)
        if re.match(r"^(占)", label):
            label = f"{subject}{label}比"
        elif re.match(r"^(比上年|比\d{4}年|增长|下降|增加|减少|较上年|较\d{4}年|与上年)", label) or not label:
            label = f"{first}{label}"
        elif m.group(2) != "%":
            subject = label
            first = label if first == carry else first
        value = text_to_decimal(m.group(1))
        if value is None or not label:
            continue
        facts.append(_narrative_fact(doc_id, file, section, page, label, value, m.group(1),
                                     m.group(2).replace("％", "%"), sentence))
    for m in CN_FIGURE.finditer(sentence):
        n = chinese_to_int(m.group(1))
        tail = re.split(r"[，,；;：:。、（）()]", sentence[m.end():])[0][:6]
        label = _clause_label(sentence, m.start(), body) + m.group(2) + tail
        if n is not None and label:
            facts.append(_narrative_fact(doc_id, file, section, page, label, n, m.group(1), m.group(2), sentence))
    return facts


def _narrative_fact(doc_id, file, section, page, label, value, raw, unit, sentence) -> Fact:
    from decimal import Decimal
    return Fact(doc=doc_id, table=None, table_name=None, table_no=None, section=section.path or section.heading,
                page=page, code=None, level=None, parent=None, label=label, column="文字说明",
                value=Decimal(value), raw=str(raw), unit=unit, text=sentence, kind="text", file=file)


ITEM_HEAD = re.compile(r"([^（）()，,。；;、:：\s]+)[（(](项|款)[）)]")
BARE_MEASURE = re.compile(r"^(全年预算|年初预算|调整预算|支出决算|决算数|预算数|完成全年预算数?的?|完成年初预算的?|"
                          r"(\d{4}年)?(当年)?(预算)?执行数|(\d{4}年)?预算安排|上年预算|本年预算)")
NUMBERED = re.compile(r"^\s*(\d{1,3}[、.．](?!\d)|[（(]\d{1,3}[）)])")


def sentence_root(facts: list[Fact]) -> str:
    """The item a sentence is about, when its first figure names it with a measure (一般公共预算财政拨款支出
    年初预算为0万元 -> 一般公共预算财政拨款支出), for the bare measures that follow (全年预算为…)."""
    if not facts or BARE_MEASURE.match(facts[0].label):
        return ""
    m = re.search(r"(年初预算|全年预算|调整预算|预算数|决算数|支出决算)$", facts[0].label)
    return facts[0].label[:m.start()] if m and m.start() >= 2 else ""


def sections_to_facts(sections: list[Section], doc_id: str, file: str = "", body: str = "") -> list[Fact]:
    facts: list[Fact] = []
    for section in sections:
        item = ""       # 1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。全年预算为52.00万元…
        head = re.sub(r"\s+", "", section.heading)
        wrapped = head.rsplit("）", 1)[1] if "（款）" in head or "（类）" in head else ""   # the name went on a line
        carry = ""
        for line in lines_to_paragraphs(section.lines):
            if not COMPARE.match(LEAD.sub("", line.text.strip())):
                carry = ""          # 与上年相比减少710.87万元 on a line of its own goes on the sentence before
            if NUMBERED.match(line.text) and not ITEM_HEAD.search(re.sub(r"\s+", "", line.text)):
                item = ""       # 30.其他…: a numbered item of its own ends the one before
            for sentence in text_to_sentences(line.text):
                new = sentence_to_facts(sentence, section, line.page, doc_id, file, body, carry)
                heads = ITEM_HEAD.findall(wrapped + re.sub(r"\s+", "", sentence))
                wrapped = ""
                if heads:       # 29.“城乡社区支出（类）…环境卫生（项）”599.33万元。…执行数为830.24万元
                    item = heads[-1][0].strip("“”\"")
                root = item or sentence_root(new)    # X年初预算为0万元，全年预算为321.02万元: 全年预算 is X's
                if root:
                    new = [replace(f, label=root + f.label) if BARE_MEASURE.match(f.label) else f for f in new]
                subjects = [f.label for f in new if f.unit != "%" and not COMPARE.match(f.label)]
                carry = subjects[0] if subjects else carry
                facts.extend(new)
    return facts
