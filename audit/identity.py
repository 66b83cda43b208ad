"""年度与名称: years other than the disclosure year (and the one before) in budget wording, 部门 wording in a
单位 disclosure, the body's name spelled two ways, 类/款/项 names the text gives another level or name."""
from __future__ import annotations

import re

from audit.chains import by_name, chain_numbers, norm_name, old_names, resolve, sentence_to_chain, view_to_codes
from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.view import View
from schema import Citation
from vocabulary import pattern

FAMILY = "identity"
BUDGET_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*((?:度)?\s*(?:部门|单位)?\s*(?:汇总)?\s*(?:预算|决算)(?:公开|编制|报表|表|情况)?)")
COMPARE_BEFORE = re.compile(r"(比|较|与|和|同|至|到|—|-|~|～|、|上年|截至)\s*$")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
SCOPE_RANGE = re.compile(r"纳入.{0,30}?((?:19|20)\d{2})\s*年.{0,12}?编制范围")


COMPARE_YEAR = re.compile(r"(?:比|较|与|同)\s*((?:19|20)\d{2})\s*年\s*(度)?\s*(年初预算|全年预算|调整预算|预算执行数|预算|执行数|决算)?"
                          r"(?:数)?\s*(?=相比|增加|减少|增长|下降|持平|上升|降低|，|,)")
AS_OF = re.compile(r"截至\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
PERIOD = re.compile(r"(?:实施期|实施周期|项目周期|执行期|期限|起止时间|起止日期)[^。；]{0,12}?((?:19|20)\d{2})\s*年"
                    r"(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?\s*[-—–至~～到]\s*((?:19|20)\d{2})\s*年"
                    r"(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?")


RANGE = re.compile(r"((?:19|20)\d{2})\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?\s*[-—–至~～到]\s*"
                   r"((?:19|20)\d{2})\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?")
PERIOD_ONE = re.compile(r"(?:实施期|实施周期|项目周期)\s*(?:为|是)?\s*[:：]?\s*((?:19|20)\d{2})\s*年\s*度?"
                        r"(?![\d\s月日]*[-—–至~～到])(?!\s*\d{1,2}\s*月)")
STATED_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?=(?:本?部门|本?单位)?(?:收入支出总计|收支总计|财政拨款收入支出总"
                         r"|财政拨款收支总|本年收入|本年支出|收入预算|支出预算|收入决算|支出决算|[“\"]三公[”\"]经费|机关运行经费"
                         r"|政府采购(?:预算|金额|支出)|一般公共预算财政拨款(?:支出|收入)))")
NOT_THIS_YEAR = re.compile(r"执行|实际|决算数|上年|以前年度")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    return years(view) + stated_years(view) + table_years(view) + dept_words(view) + name_variants(view) + \
        chain_names(view) + compared_years(view) + as_of_dates(view) + project_periods(view) + heading_bodies(view)


def stated_years(view: View) -> list[Finding]:
    """This year's figures introduced with another year (“2023年度财政拨款收入支出总计…” in the 2024 决算)."""
    y, kind = view.document.year, view.document.kind
    out, seen = [], set()
    for s in view.narrative if y else []:
        for m in STATED_YEAR.finditer(s.text):
            year = int(m.group(1))
            after = s.text[m.end():m.end() + 24]
            if year == y or COMPARE_BEFORE.search(s.text[max(0, m.start() - 4):m.start()]) or NOT_THIS_YEAR.search(after) \
                    or _in_reference(s.text, m.start()) or year in seen:
                continue
            seen.add(year)
            context = re.sub(r"\s+", "", after)[:10]
            msg = say("year.other", year=year, context=context, doc_year=y, kind=kind)
            out.append(Finding(FAMILY, ERROR, msg, _cite(view, s), (str(year), str(y)), "year.stated",
                               view.document.doc_id))
    return out


def compared_years(view: View) -> list[Finding]:
    """比/较/与 Y年 … 增加/减少/相比: in a Y budget the year compared with is Y-1 (比2025年预算 in the 2025
    budget is wrong); a 决算 may set its own year's 预算 against the 决算, nothing else of Y."""
    y, kind = view.document.year, view.document.kind
    if not y:
        return []
    out, seen = [], set()
    for s in view.narrative:
        for m in COMPARE_YEAR.finditer(s.text):
            year, what = int(m.group(1)), m.group(3) or ""
            own_budget = kind == "决算" and year == y and "预算" in what
            wrong = (year == y and not own_budget) or year > y or (year < y - 1 and bool(what))
            if not wrong or _in_reference(s.text, m.start()) or (year, what) in seen:
                continue
            seen.add((year, what))
            msg = say("year.compare", doc_year=y, kind=kind, year=year, what=what or ("年度" if m.group(2) else ""),
                      prev=y - 1)
            out.append(Finding(FAMILY, ERROR, msg, _cite(view, s), (str(year), str(y - 1)), "year.compare",
                               view.document.doc_id))
    return out


def as_of_dates(view: View) -> list[Finding]:
    """截至 dates: a Y budget counts assets as of a day of Y-1, a Y 决算 as of Y年12月31日."""
    y, kind = view.document.year, view.document.kind
    if not y:
        return []
    out = []
    for s in view.narrative:
        for m in AS_OF.finditer(s.text):
            year, month, day = (int(g) for g in m.groups())
            if kind == "决算":
                wrong, expected = (year, month, day) != (y, 12, 31), f"{y}年12月31日"
            else:
                wrong, expected = year != y - 1, f"{y - 1}年内某日（编制上年）"
            if wrong:
                msg = say("year.as_of", date=re.sub(r"\s+", "", m.group(0)[2:]), doc_year=y, kind=kind, expected=expected)
                out.append(Finding(FAMILY, ERROR, msg, _cite(view, s), (m.group(0), expected), "year.as_of",
                                   view.document.doc_id))
    return out[:2]


def project_periods(view: View) -> list[Finding]:
    """A project's 实施期 (2023年1月-2023年12月) that does not reach the disclosure's year."""
    y = view.document.year
    if not y:
        return []
    out, seen = [], set()
    for s in view.sentences:
        for m in PERIOD.finditer(s.text):
            a, b = int(m.group(1)), int(m.group(2))
            if a <= y <= b or a > b or m.group(0) in seen:
                continue
            seen.add(m.group(0))
            period = re.sub(r"\s+", "", m.group(0)[m.start(1) - m.start():])
            msg = say("year.period", period=period, doc_year=y)
            out.append(Finding(FAMILY, ERROR, msg, _cite(view, s), (period, str(y)), "year.period",
                               view.document.doc_id))
        under = re.search(r"实施周期|实施期|项目周期|执行期", (s.section or "").split(" / ")[-1])
        for m in (RANGE.finditer(s.text) if under and not PERIOD.search(s.text) else ()):
            a, b = int(m.group(1)), int(m.group(2))
            if a <= y <= b or a > b or m.group(0) in seen:
                continue       # under a 实施周期 heading: the period without the word
            seen.add(m.group(0))
            period = re.sub(r"\s+", "", m.group(0))
            out.append(Finding(FAMILY, ERROR, say("year.period", period=period, doc_year=y), _cite(view, s),
                               (period, str(y)), "year.period", view.document.doc_id))
        for m in PERIOD_ONE.finditer(s.text):
            if int(m.group(1)) == y or m.group(0) in seen:
                continue
            seen.add(m.group(0))
            period = re.sub(r"\s+", "", m.group(1) + "年")
            msg = say("year.period", period=period, doc_year=y)
            out.append(Finding(FAMILY, ERROR, msg, _cite(view, s), (period, str(y)), "year.period",
                               view.document.doc_id))
    return out


def _cite(view, s):
    return (s.cite(view.title, view.document.doc_id),)


def years(view: View) -> list[Finding]:
    y = view.document.year
    if not y:
        return []
    kind = view.document.kind
    out = []
    for s in view.narrative:
        hits = []
        for m in SCOPE_RANGE.finditer(s.text):
            if int(m.group(1)) != y:
                hits.append((int(m.group(1)), re.sub(r"\s+", "", s.text[m.end(1) + 1:m.end()].lstrip("年"))))
        for m in BUDGET_YEAR.finditer(s.text):
            year = int(m.group(1))
            if year == y or _in_reference(s.text, m.start()):
                continue
            if COMPARE_BEFORE.search(s.text[max(0, m.start() - 4):m.start()]) and year == y - 1:
                continue
            if any(h[0] == year and h[1].endswith("编制范围") for h in hits):
                continue
            hits.append((year, re.sub(r"\s+", "", m.group(2))))
        for year, context in dict.fromkeys(hits):
            if year == y - 1 and not context.endswith("编制范围") and re.search(rf"{y}\s*年", s.text):
                continue       # last year's budget set against this year's in one sentence (纳入2018年预算…，2019年不再安排)
            sev = ERROR if year not in (y, y - 1) or context.endswith("编制范围") or not _compared(s.text, year) else HINT
            msg = say("year.other", year=year, context=context, doc_year=y, kind=kind)
            out.append(Finding(FAMILY, sev, msg, _cite(view, s), (str(year), str(y)), "year.other",
                               view.document.doc_id))
    return out


def _compared(text: str, year: int) -> bool:
    return bool(re.search(rf"(比|较|与)\s*{year}", text))


def _in_reference(text: str, pos: int) -> bool:
    return any(text.rfind(o, 0, pos) > text.rfind(c, 0, pos)
               for o, c in (("《", "》"), ("〔", "〕"), ("【", "】"), ("(", ")"), ("（", "）")))


def table_years(view: View) -> list[Finding]:
    y = view.document.year
    out = []
    seen = set()
    for t in view.tables:
        m = TITLE_YEAR.search(t.title)
        if not y or not m or int(m.group(1)) == y or t.title in seen or t.name == "绩效目标表":
            continue
        seen.add(t.title)
        row = t.rows[0] if t.rows else None
        from schema import Citation
        cite = Citation(doc=view.title, page=row.page if row else None, table=t.title, section=None, text=t.title,
                        doc_id=view.document.doc_id, file=t.file)
        msg = say("year.title", year=m.group(1), doc_year=y, kind=view.document.kind, title=t.title)
        out.append(Finding(FAMILY, ERROR, msg, (cite,), (m.group(1), str(y)), "year.title", view.document.doc_id))
    return out


DEPT_WORDS = re.compile(r"本部门|(?<!预算主管)部门(?:预算|决算)(?!经济分类|公开|改革|管理|制度)|部门(?:财务)?收支(?:预算|决算)")


def dept_words(view: View) -> list[Finding]:
    """部门 wording (本部门, 部门预算编制说明, 部门预算安排 …) in a 单位 disclosure, once per wording."""
    if view.document.scope != "单位":
        return []
    out, seen = [], set()
    for s in view.narrative:
        for m in DEPT_WORDS.finditer(s.text):
            if m.group(0) in seen:
                continue
            seen.add(m.group(0))
            msg = say("scope.dept_in_unit", kind=view.document.kind, word=m.group(0))
            out.append(Finding(FAMILY, HINT, msg, _cite(view, s), (m.group(0),), "scope.dept_in_unit",
                               view.document.doc_id))
    return out[:3]


def name_variants(view: View) -> list[Finding]:
    """The body's name with one character changed (建设管理部 / 建设管理局)."""
    body = view.document.body
    if not body or len(body) < 5:
        return []
    out, seen = [], set()
    n = len(body)
    for s in view.sentences:
        text = s.text
        start = text.find(body[:3])
        while start != -1:
            window = text[start:start + n]
            if len(window) == n and window != body and window not in seen and _one_substitution(window, body):
                seen.add(window)
                msg = say("name.variant", variant=window, body=body)
                out.append(Finding(FAMILY, ERROR, msg, _cite(view, s), (window, body), "name.variant",
                                   view.document.doc_id))
            start = text.find(body[:3], start + 1)
    return out


def _one_substitution(a: str, b: str) -> bool:
    diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diffs) == 1 and re.match(r"[\u4e00-\u9fa5]", a[diffs[0]]) is not None and diffs[0] >= 3


def chain_names(view: View) -> list[Finding]:
    """A 科目 chain of the text against the tables' codes, one finding per chain: a printed code the
    tables give another name (or an old name, audit/old_names.tsv), or a level the tables do not give it."""
    codes = view_to_codes(view)
    names = by_name(codes)
    out, seen = [], set()
    for s in view.narrative:
        chain = sentence_to_chain(s.text)
        if not chain:
            continue
        resolved = resolve(chain, names, codes)
        found = _chain_issue(chain, resolved, chain_numbers(chain)) or _unknown_item(chain, resolved, codes)
        if found and found[1] not in seen:
            seen.add(found[1])
            rule, _, slots, sev = found
            out.append(Finding(FAMILY, sev, say(rule, **slots), _cite(view, s), tuple(slots.values())[:2], rule,
                               view.document.doc_id))
    return out


def _unknown_item(chain, resolved, codes):
    """The 项 of a chain whose 款 the tables print, under a name no table row has (“…行政运行（项）”
    renamed, or an old 科目 name no longer in use): the 款's 项 as printed are listed."""
    if len(chain) < 2 or resolved[-1] is not None or resolved[-2] is None:
        return None
    item, parent = chain[-1], resolved[-2]
    if item.level not in (None, "项") or parent.level != "款" or len(norm_name(item.written)) < 2:
        return None
    children = [c.name for c in codes.values() if c.parent == parent.code or
                (c.code.startswith(parent.code) and len(c.code) == len(parent.code) + 2)]
    written = norm_name(item.written).replace("其它", "其他")
    if not children or any(_abbreviates(written, norm_name(c).replace("其它", "其他")) for c in children):
        return None            # the name as printed, or shortened (机关事业单位职业年金 for …职业年金缴费支出)
    slots = {"written": item.written, "parent": parent.name, "children": "、".join(children[:6])}
    return "text.unknown_item", norm_name(item.written), slots, ERROR


def _abbreviates(short: str, name: str) -> bool:
    """`short` is `name` or `name` with characters left out, in order."""
    rest = iter(name)
    return all(ch in rest for ch in short)


def _chain_issue(chain, resolved, numbers):
    """(rule, key, message slots, severity) for the first item of a chain at odds with the tables."""
    for item, code, number in zip(chain, resolved, numbers):
        if code is None:
            continue
        written, name = norm_name(item.written), norm_name(code.name)
        if written != name and old_names().get(written) == name:
            return "text.old_name", written, {"written": item.written, "code": code.code, "name": code.name}, HINT
        if number and written != name:
            return "text.code_name", written, {"written": item.written, "code": code.code, "name": code.name}, ERROR
        if item.level and code.level != item.level:
            return "text.code_level", written, {"name": item.written, "text_level": item.level, "code": code.code,
                                                "table_level": code.level}, HINT
    return None


HEADING_BODY = pattern("audit_heading_body_end", r"((?:中共)?[\u4e00-\u9fa5]{{2,30}}?(?:{}))"
                                                r"(?:[（(][^）)]*[）)])?\s*(?=20\d{{2}}\s*年)")
HEADING_LEAD = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|本表反映|反映|纳入)+")
PLACE = re.compile(r"^((?:中共)?(?:[\u4e00-\u9fa5]{2,4}?[省市](?!场|政|委|级))?(?:[\u4e00-\u9fa5]{2,4}?[区县](?!委|政))?)")


def heading_bodies(view: View) -> list[Finding]:
    """A heading naming another body or another level of government (上海市财政局 in the 普陀区财政局's
    disclosure) than the cover and contents: one finding per name."""
    body = view.document.body
    if not body or len(body) < 4:
        return []
    out, seen = [], set()
    for x in view.lines:
        text = re.sub(r"\s+", "", x.text)
        if len(text) > 50 or re.search(r"[，。；]", text):
            continue
        m = HEADING_BODY.search(text)
        if not m:
            continue
        name = HEADING_LEAD.sub("", m.group(1))
        if len(name) < 3 or name in seen or _same_body(name, body):
            continue
        seen.add(name)
        msg = say("name.heading", name=name, body=body)
        cite = Citation(doc=view.title, page=x.page, table=None, section=None, text=x.text, doc_id=view.document.doc_id)
        out.append(Finding(FAMILY, ERROR, msg, (cite,), (name, body), "name.heading", view.document.doc_id))
    return out


def _same_body(name: str, body: str) -> bool:
    """The body's name, or it shortened (省检察院, 社会工作部), at the same place and level."""
    place, rest = PLACE.match(name).group(1), name[len(PLACE.match(name).group(1)):]   # type: ignore[union-attr]
    bplace, brest = PLACE.match(body).group(1), body[len(PLACE.match(body).group(1)):]  # type: ignore[union-attr]
    if place and not bplace.endswith(place):
        return False
    return _abbreviates(rest, brest) or _abbreviates(rest, body)
