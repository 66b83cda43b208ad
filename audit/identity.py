"""年度与名称: years other than the disclosure year (and the one before) in budget wording, 部门 wording in a
单位 disclosure, the body's name spelled two ways, 类/款/项 names the text gives another level or name."""
from __future__ import annotations

import re

from audit.chains import by_name, norm_name, resolve, sentence_to_chain, view_to_codes
from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.view import View

FAMILY = "identity"
BUDGET_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*((?:度)?\s*(?:部门|单位)?\s*(?:汇总)?\s*(?:预算|决算)(?:公开|编制|报表|表|情况)?)")
COMPARE_BEFORE = re.compile(r"(比|较|与|和|同|至|到|—|-|~|～|、|上年|截至)\s*$")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
SCOPE_RANGE = re.compile(r"纳入.{0,30}?((?:19|20)\d{2})\s*年.{0,12}?编制范围")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    return years(view) + table_years(view) + dept_words(view) + name_variants(view) + chain_names(view)


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


def dept_words(view: View) -> list[Finding]:
    """本部门 in a 单位 disclosure."""
    if view.document.scope != "单位":
        return []
    out = []
    for s in view.narrative:
        if "本部门" in s.text:
            msg = say("scope.dept_in_unit", kind=view.document.kind, word="本部门")
            out.append(Finding(FAMILY, HINT, msg, _cite(view, s), ("本部门",), "scope.dept_in_unit",
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
    """A name the text marks （类）/（款）/（项） that the tables print at another level."""
    codes = view_to_codes(view)
    names = by_name(codes)
    out, seen = [], set()
    for s in view.narrative:
        chain = sentence_to_chain(s.text)
        if not chain:
            continue
        resolved = resolve(chain, names)
        for item, code in zip(chain, resolved):
            if code is None or item.level is None or code.level == item.level or norm_name(item.written) in seen:
                continue
            seen.add(norm_name(item.written))
            msg = say("text.code_level", name=item.written, text_level=item.level, code=code.code,
                      table_level=code.level)
            out.append(Finding(FAMILY, HINT, msg, _cite(view, s), (item.level, code.level), "text.code_level",
                               view.document.doc_id))
    return out
