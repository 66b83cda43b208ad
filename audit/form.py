"""格式残留: required tables missing, a table the 目录 lists but the body lacks, empty tables without a
说明, template placeholders and alternatives left in, a missing amount, unbalanced quotes and brackets,
doubled punctuation, a percentage without %, table numbers written two ways."""
from __future__ import annotations

import re
from collections import Counter

from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.view import Sentence, View
from ingest.layout import title_to_name
from schema import Citation
from vocabulary import pattern, words

FAMILY = "form"
REQUIRED = {
    "预算": ("收支总表", "收入总表", "支出总表", "财政拨款收支总表", "一般公共预算支出表", "基本支出分经济科目表",
             "三公经费表", ("政府性基金支出表", "政府性基金收入表")),
    "决算": ("收支总表", "收入总表", "支出总表", "财政拨款收支总表", "一般公共预算支出表", "基本支出分经济科目表",
             "三公经费表", ("政府性基金支出表", "政府性基金收入表"), "国有资本经营预算表"),
}
TABLE_LABEL = {"收支总表": "收支总表", "收入总表": "收入总表", "支出总表": "支出总表", "财政拨款收支总表": "财政拨款收支总表",
               "一般公共预算支出表": "一般公共预算支出表", "基本支出分经济科目表": "一般公共预算基本支出表",
               "三公经费表": "“三公”经费支出表", "政府性基金支出表": "政府性基金预算支出表",
               "国有资本经营预算表": "国有资本经营预算支出表"}
TOPIC = {"政府性基金支出表": "政府性基金", "政府性基金收入表": "政府性基金", "国有资本经营预算表": "国有资本",
         "三公经费表": "三公", "机关运行经费表": "机关运行", "项目支出表（上年结转）": "上年结转", "政府采购表": "政府采购",
         "项目支出表": "项目"}
PLACEHOLDER = re.compile(r"(?<![A-Za-z])([XＸ×]{2,}|待填写|待补充|此处填写|填写说明|（不涉及的不列）|[(（]如持平作持平表述[)）]"
                         r"|[(（]按[^（）()]{2,40}?填写[)）])(?![A-Za-z])")
ALTERNATIVES = re.compile(r"(增加|增长|上升|减少|下降|降低)[（(](增加|增长|上升|减少|下降|降低)[)）]")
MISSING_AMOUNT = re.compile(r"(支出|收入|预算|决算|总额|金额|为|计)\s+万元|(支出|收入|总额|金额|为)万元(?![（(以])")
EMPTY_SLOT = pattern("audit_slot_lead", r"({})\s*[:：]?\s*(?=[。；;])")     # “主要原因是。”
DOUBLE = re.compile(r"([，。；：、！？])\1|[，、][。；]|[。；][，、]")
NO_PERCENT = re.compile(r"(?:占[^，。；\d]{0,14}?的?|增长|下降|完成率为?)\s*(\d+\.\d+|\d{1,3})(?=\s*[，。；;,、]|\s*$)")
PAIRS = (("〈", "〉", "书名号〈〉"), ("“", "”", "引号"), ("《", "》", "书名号"), ("（(", "）)", "括号"), ("〔", "〕", "括号〔〕"))
TOC_HEAD = re.compile(r"^目\s*录$")
LEADERS = re.compile(r"[.．…·]{3,}|…{2,}")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    out = missing_tables(view) + toc_tables(view) + empty_tables(view) + number_prefixes(view) + sentence_ends(view)
    for text, cite in _texts(view):
        out += text_residue(view, text, cite)
    return _one_per_section(out)


def _one_per_section(findings: list[Finding]) -> list[Finding]:
    """Template alternatives left in: one finding per section, citing up to three places."""
    out: list[Finding] = []
    groups: dict[str, Finding] = {}
    for f in findings:
        if f.rule != "form.alternatives":
            out.append(f)
            continue
        key = f.citations[0].section or f.citations[0].table or ""
        if key in groups:
            first = groups[key]
            if len(first.citations) < 3:
                groups[key] = Finding(first.family, first.severity, first.message, first.citations + f.citations,
                                      first.figures, first.rule, first.doc_id)
            continue
        groups[key] = f
    return out + list(groups.values())


def _cite_line(view: View, text: str, page, section=None, table=None) -> Citation:
    return Citation(doc=view.title, page=page, table=table, section=section, text=text, doc_id=view.document.doc_id)


def _names(view: View) -> set[str]:
    return {t.name for t in view.raw_tables if t.name} | {t.name for t in view.tables if t.name}


# ------------------------------------------------------------------ tables
def missing_tables(view: View) -> list[Finding]:
    names = _names(view)
    if len([t for t in view.raw_tables if t.name]) < 3:
        return []              # tables published elsewhere (or not read): nothing to say
    out = []
    for need in REQUIRED.get(view.document.kind, ()):
        options = need if isinstance(need, tuple) else (need,)
        titled = any(TOPIC.get(o) in ("三公", "政府性基金", "国有资本") and TOPIC[o] in t.title
                     for t in view.raw_tables for o in options) or any(
            TOPIC.get(o) in ("三公", "政府性基金", "国有资本") and len(x.text) <= 40 and TOPIC[o] in x.text
            and re.search(r"表\s*\d*\s*[:：]|^表\s*\d+", x.text) for x in view.lines for o in options)
        # a title printed on two lines, its first line naming the table
        if not names & set(options) and not titled:
            msg = say("form.missing_table", kind=view.document.kind, table=TABLE_LABEL.get(options[0], options[0]))
            out.append(Finding(FAMILY, HINT, msg, (_cite_line(view, view.title, None),), (), "form.missing_table",
                               view.document.doc_id))
    return out


def toc_entries(view: View) -> list[tuple[str, int | None]]:
    """Lines of the 目录 (after a 目录 line, until the body starts repeating them)."""
    lines = view.lines
    start = next((i for i, x in enumerate(lines) if TOC_HEAD.match(x.text.strip())), None)
    if start is None:
        return []
    out, seen = [], set()
    first_page = lines[start].page
    for x in lines[start + 1:start + 80]:
        t = LEADERS.sub(" ", x.text).strip()
        t = re.sub(r"\s+\d{1,3}$", "", t).strip()
        key = re.sub(r"\s+", "", t)
        if not key or key in seen or (first_page is not None and x.page is not None and x.page > first_page + 1):
            break
        if len(key) > 60:
            break
        seen.add(key)
        out.append((t, x.page))
    return out


def toc_tables(view: View) -> list[Finding]:
    names = _names(view)
    if not view.raw_tables:
        return []
    out = []
    for entry, page in toc_entries(view):
        title = re.sub(r"^(?:[一二三四五六七八九十]+、|\d{1,2}\s*[.．、]|表[一二三四五六七八九十\d]+)\s*", "", entry)
        if not re.search(r"表$", title) or "附后" in title:
            continue
        name = title_to_name(title)
        if name and name not in names and not (name.startswith("政府性基金") and names & {"政府性基金支出表", "政府性基金收入表"}):
            msg = say("form.toc_missing", entry=entry)
            out.append(Finding(FAMILY, ERROR, msg, (_cite_line(view, entry, page, "目录"),), (), "form.toc_missing",
                               view.document.doc_id))
    return out


def _has_numbers(rows) -> bool:
    return any(re.fullmatch(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)|-?\d+\.\d+|\d{1,3}(?:,\d{3})+", c.strip())
               for r in rows for c in r if c)


def empty_tables(view: View) -> list[Finding]:
    out = []
    explained = " ".join(s.text for s in view.narrative if "无" in s.text or "没有" in s.text)
    tables = list(view.raw_tables)
    for k, t in enumerate(tables):
        if not t.name or t.name == "绩效目标表" or _has_numbers(t.rows) or t.notes:
            continue
        if any(u.title == t.title and _has_numbers(u.rows) for u in tables[k + 1:k + 3]):
            continue           # its title and header at the foot of a page, its rows on the next
        if any(u.title == t.title and _has_numbers(u.rows) for u in tables[max(0, k - 2):k]):
            continue
        topic = TOPIC.get(t.name)
        if topic and re.search(rf"(无|没有)[^。；]{{0,20}}{topic}|{topic}[^。；]{{0,30}}(无|没有)|本部门无此项|本单位无此项", explained):
            continue
        stated = _stated_for(view, topic) if topic else None
        if stated is not None:
            msg = say("form.empty_but_stated", table=t.title, snippet=_snippet(stated.text, 0, 30, 0))
            out.append(Finding(FAMILY, ERROR, msg, (_cite_line(view, t.title, t.page, table=t.title),
                                                    stated.cite(view.title, view.document.doc_id)), (),
                               "form.empty_but_stated", view.document.doc_id))
            continue
        msg = say("form.empty_table", table=t.title)
        out.append(Finding(FAMILY, HINT, msg, (_cite_line(view, t.title, t.page, table=t.title),), (),
                           "form.empty_table", view.document.doc_id))
    return out + empty_notes_over_figures(view)


def _stated_for(view: View, topic: str) -> Sentence | None:
    """A narrative sentence giving a non-zero amount for the table's topic (“三公”经费预算40.00万元)."""
    for x in view.narrative:
        if topic not in x.text or re.search(r"无|没有|未安排|为空", x.text):
            continue
        for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*万?元", x.text):
            if topic in x.text[max(0, m.start() - 30):m.start()] and float(m.group(1).replace(",", "")) > 0:
                return x
    return None


EMPTY_NOTE = re.compile(words("audit_empty_note_re")[0])


def empty_notes_over_figures(view: View) -> list[Finding]:
    """A note saying the table is empty (“…故本表为空表”) printed with a table that holds figures."""
    out = []
    for t in view.raw_tables:
        if not t.name or not _has_numbers(t.rows) or not any(_nonzero(c) for r in t.rows for c in r):
            continue
        notes = [n for n in t.notes if EMPTY_NOTE.search(n)]
        notes += [x.text for x in view.lines if x.page == t.page and EMPTY_NOTE.search(x.text) and
                  (TOPIC.get(t.name, "@") in x.text or "本表" in x.text)]
        if notes:
            msg = say("form.empty_note", table=t.title, note=_snippet(notes[0], 0, 40, 0))
            out.append(Finding(FAMILY, ERROR, msg, (_cite_line(view, notes[0], t.page, table=t.title),), (),
                               "form.empty_note", view.document.doc_id))
    return out


def _nonzero(cell: str) -> bool:
    v = re.sub(r"[,\s]", "", cell or "")
    return bool(re.fullmatch(r"-?\d+(?:\.\d+)?", v)) and float(v) != 0 and not re.fullmatch(r"\d{3,7}", v)


def number_prefixes(view: View) -> list[Finding]:
    """表号 as printed: 预算公开表1 … 部门公开表9 (one written another way)."""
    numbers = [(t.number, t) for t in view.raw_tables if t.number]
    prefixes = Counter(re.sub(r"[\d一二三四五六七八九十]+$", "", n) for n, _ in numbers)
    if len(prefixes) < 2:
        return []
    usual, count = prefixes.most_common(1)[0]
    if count < 2:
        return []
    out = []
    for n, t in numbers:
        if re.sub(r"[\d一二三四五六七八九十]+$", "", n) != usual:
            msg = say("form.number_prefix", number=n, usual=usual)
            out.append(Finding(FAMILY, HINT, msg, (_cite_line(view, f"{n} {t.title}", t.page, table=t.title),), (n,),
                               "form.number_prefix", view.document.doc_id))
    return out


# ------------------------------------------------------------------ text
OPEN_END = re.compile(r"[\u4e00-\u9fa5\d%”]$")
CLOSED = re.compile(r"[。！？；;：:…]$|[。！？][”）)]$")


def sentence_ends(view: View) -> list[Finding]:
    """A paragraph of the narrative that runs into a heading (or the end) without its 。: one 提示
    each, for a paragraph of at least two clauses with a figure (not a heading, list item or note)."""
    out = []
    paras: dict[int, list[Sentence]] = {}
    for x in view.narrative:
        paras.setdefault(x.paragraph, []).append(x)
    toc = {e for e, _ in toc_entries(view)}
    groups = list(paras.values())
    for k, group in enumerate(groups):
        text = "".join(x.text for x in group).strip()
        last = k + 1 == len(groups) or groups[k + 1][0].section != group[-1].section
        if text.endswith(("；", ";")) and last and len(text) >= 24 and re.search(r"\d\s*(?:万元|元|%)", text) \
                and not LEADERS.search(text):
            out.append(Finding(FAMILY, HINT, say("form.semicolon_end", snippet=_snippet(text, len(text) - 20, len(text))),
                               (_cite_line(view, text, group[-1].page, group[0].section or None),), (),
                               "form.sentence_end", view.document.doc_id))
            continue
        if len(text) < 24 or text in toc or CLOSED.search(text) or not OPEN_END.search(text) or \
                not re.search(r"\d\s*(?:万元|元|%|个|辆|人)", text) or LEADERS.search(text) or \
                re.match(r"^(注|说明|备注|单位|编制)", text) or re.search(r"(单位|编制部门|编制单位)[:：]|[表图]$", text):
            continue
        out.append(Finding(FAMILY, HINT, say("form.sentence_end", snippet=_snippet(text, len(text) - 20, len(text))),
                           (_cite_line(view, text, group[-1].page, group[0].section or None),), (), "form.sentence_end",
                           view.document.doc_id))
    return out


def _texts(view: View):
    """Narrative paragraphs and long table cells (绩效目标表), with a citation each; the 目录 left out."""
    toc = {e for e, _ in toc_entries(view)}
    paras: dict[int, list[Sentence]] = {}
    for s in view.sentences:
        if not s.in_table:
            paras.setdefault(s.paragraph, []).append(s)
    for group in paras.values():
        text = "".join(x.text for x in group)
        if text.strip() in toc or LEADERS.search(text):
            continue
        yield text, _cite_line(view, text, group[0].page, group[0].section or None)
    for t in view.raw_tables:
        for i, row in enumerate(t.rows):
            for cell in row:
                if len(cell) >= 12:
                    page = t.row_pages[i] if i < len(t.row_pages) else t.page
                    yield cell, _cite_line(view, cell, page, table=t.title)


def _snippet(text: str, start: int, end: int, pad: int = 12) -> str:
    a, b = max(0, start - pad), min(len(text), end + pad)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")


def text_residue(view: View, text: str, cite: Citation) -> list[Finding]:
    out = []

    def add(rule, sev, **slots):
        out.append(Finding(FAMILY, sev, say(rule, **slots), (cite,), (), rule, view.document.doc_id))

    for m in PLACEHOLDER.finditer(text):
        add("form.placeholder", ERROR, token=m.group(1), snippet=_snippet(text, m.start(), m.end()))
        break
    for m in ALTERNATIVES.finditer(text):
        if (m.group(1) in ("增加", "增长", "上升")) != (m.group(2) in ("增加", "增长", "上升")):
            add("form.alternatives", ERROR, token=m.group(0), snippet=_snippet(text, m.start(), m.end()))
            break
    for m in EMPTY_SLOT.finditer(text):
        add("form.empty_slot", ERROR, token=m.group(1), snippet=_snippet(text, m.start(), m.end()))
        break
    for m in MISSING_AMOUNT.finditer(text):
        add("form.missing_amount", ERROR, snippet=_snippet(text, m.start(), m.end(), 10))
    for opener, closer, name in PAIRS:
        if _unbalanced(text, opener, closer):
            i = min([text.find(c) for c in opener + closer if c in text] or [0])
            add("form.brackets", HINT, mark=name, snippet=_snippet(text, i, i + 1, 20))
            break
    for m in DOUBLE.finditer(text):
        add("form.double_punct", HINT, token=m.group(0), snippet=_snippet(text, m.start(), m.end()))
        break
    for m in NO_PERCENT.finditer(text):
        add("form.percent_sign", HINT, snippet=_snippet(text, m.start(), m.end()))
        break
    return out


def _unbalanced(text: str, opener: str, closer: str) -> bool:
    depth = 0
    for ch in text:
        if ch in opener:
            depth += 1
        elif ch in closer:
            depth -= 1
            if depth < 0:
                return True
    return depth != 0
