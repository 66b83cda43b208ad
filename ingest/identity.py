"""Who published a disclosure, for which year and of which kind: read from its cover and titles."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from schema import Block, Document, Grid, Line, Parsed

LEVEL = r"(?:省级|市级|区级|县级|乡级|镇级)?"
TITLE = re.compile(r"(?P<body>[\u4e00-\u9fa5（）()、]{2,40}?)\s*(?P<year>20\d{2})\s*年度?\s*" + LEVEL +
                   r"(?P<scope>部门|单位)?(?:财务收支)?(?P<kind>预算|决算)")
YEAR_KIND = re.compile(r"(?P<year>20\d{2})\s*年度?\s*" + LEVEL + r"\s*(?P<scope>部门|单位)?\s*(?P<kind>预算|决算)")
BODY_LINE = re.compile(r"^(?:部门名称|单位名称|编制单位|预算单位|编制部门|预算主管部门|主管部门|部门|单位)\s*[:：]\s*"
                       r"(?P<body>[^\s:：]+?)(?:\s*(?:单位|金额单位)\s*[:：].*)?\s*$")
BODY_WORDS = re.compile(r"(部|委|局|厅|办公室|办|院|会|中心|站|所|队|馆|室|处|署|社|团|府|校|协会|联合会|委员会|政府|政协)$")
GENERIC = re.compile(r"^(部门|单位|本部门|本单位|目录|预算|决算)")


def blocks_to_identity(blocks: list[Block]) -> tuple[str, int | None, str, str, str]:
    """(body, year, kind, scope, title) from the first lines, the 单位名称 lines and table titles."""
    lines = [b.text.strip() for b in blocks if isinstance(b, Line)]
    head = lines[:40]
    bodies: Counter[str] = Counter()
    years: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    scopes: Counter[str] = Counter()
    title = ""
    for i, t in enumerate(lines):
        m = BODY_LINE.match(t)
        if m and _is_body(m.group("body")):
            bodies[_clean_body(m.group("body"))] += 2
        for m in YEAR_KIND.finditer(t.replace(" ", "")):
            w = 10 if i < 4 else (3 if i < 40 else 1)
            years[int(m.group("year"))] += w
            kinds[m.group("kind")] += w
            if m.group("scope"):
                scopes[m.group("scope")] += w
    cover = "".join(x.replace(" ", "") for x in head[:4])
    m = TITLE.search(cover)
    if m and BODY_WORDS.search(m.group("body")) and not GENERIC.match(m.group("body")):
        bodies[_clean_body(m.group("body"))] += 4
        title = cover[m.start():m.end()]
    for i, t in enumerate(head):
        compact = t.replace(" ", "")
        m = TITLE.search(compact)
        if m and BODY_WORDS.search(m.group("body")):
            bodies[_clean_body(m.group("body"))] += 5
            title = title or compact
        elif BODY_WORDS.search(compact) and len(compact) <= 30 and i + 1 < len(head) and YEAR_KIND.search(
                head[i + 1].replace(" ", "")) and not GENERIC.match(compact):
            bodies[_clean_body(compact)] += 6
            title = title or compact + head[i + 1].replace(" ", "")
    for b in blocks:
        if isinstance(b, Grid):
            for row in b.rows[:3]:
                for cell in row:
                    m = BODY_LINE.match(cell.strip())
                    if m and _is_body(m.group("body")):
                        bodies[_clean_body(m.group("body"))] += 1
    body = bodies.most_common(1)[0][0] if bodies else ""
    year = years.most_common(1)[0][0] if years else None
    kind = kinds.most_common(1)[0][0] if kinds else "预算"
    scope = scopes.most_common(1)[0][0] if scopes else "部门"
    if not title:
        title = f"{body}{year or ''}年度{scope}{kind}公开"
    return body, year, kind, scope, title


def _is_body(s: str) -> bool:
    return not GENERIC.match(s) and not re.fullmatch(r"(万元|元|亿元|千元)", s.strip()) and len(s.strip()) >= 3


def _clean_body(s: str) -> str:
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"^(第[一二三四五六七八九十]+部分|目录|[一二三四五六七八九十]+、)", "", s)
    s = re.sub(r"(单位|金额单位)[:：].*$", "", s)
    return s.strip("：:")


def doc_id_for(body: str, year: int | None, scope: str, kind: str) -> str:
    return f"{body or '未知单位'}-{year or '未知年度'}-{scope}{kind}"


def unify_identity(parsed: Parsed, known: list[Document]) -> Parsed:
    """A file whose year is not printed (tables published apart from the text) joins the document
    of the same body and kind that states it."""
    d = parsed.document
    if d.year is not None:
        return parsed
    same = sorted((k for k in known if k.body == d.body and k.kind == d.kind and k.scope == d.scope and k.year),
                  key=lambda k: -(k.year or 0))
    if not same:
        return parsed
    target = same[0]
    return Parsed(document=replace(d, doc_id=target.doc_id, year=target.year, title=target.title),
                  facts=tuple(replace(f, doc=target.doc_id) for f in parsed.facts),
                  chunks=tuple(replace(c, doc=target.doc_id) for c in parsed.chunks),
                  tables=parsed.tables, lines=parsed.lines)
