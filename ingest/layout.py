"""Blocks (lines and grids, from PDF or text) -> tables with title, number, unit, notes; narrative lines."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from schema import Block, Grid, Line, RawTable

NUMBER_LINE = re.compile(
    r"^(?:(?:部门|单位|预算|决算)*公开表\s*[一二三四五六七八九十\d]+|表\s*[一二三四五六七八九十\d]+)$")
TITLE_NUMBER = re.compile(
    r"(?:^|（|\()((?:部门|单位|预算|决算)*公开表\s*[一二三四五六七八九十\d]+|表\s*[一二三四五六七八九十\d]+)(?:）|\))?")
UNIT_LINE = re.compile(r"(?:单位|金额单位)\s*[:：]\s*(万元|元|亿元)")
TITLE_END = re.compile(r"(表|表[（(][^）)]{1,20}[）)]|申报表|目标表)\s*$")
TOC_ROW = re.compile(r"\.{3,}|…{2,}")


@lru_cache(maxsize=1)
def _name_rules() -> tuple[tuple[re.Pattern, str], ...]:
    rows = (Path(__file__).with_name("table_names.tsv")).read_text(encoding="utf-8").splitlines()
    return tuple((re.compile(p), name) for p, name in
                 (r.split("\t") for r in rows if r and not r.startswith("#")))


def title_to_name(title: str) -> str | None:
    for pattern, name in _name_rules():
        if pattern.search(title):
            return name
    return None


def is_title(text: str) -> bool:
    t = text.strip()
    return (4 <= len(t) <= 70 and bool(TITLE_END.search(t)) and "。" not in t and "，" not in t
            and not TOC_ROW.search(t) and title_to_name(t) is not None)


def title_to_number(title: str) -> str | None:
    m = TITLE_NUMBER.search(title)
    return m.group(1).replace(" ", "") if m else None


def _is_toc(grid: Grid) -> bool:
    rows = [r for r in grid.rows if any(r)]
    tocish = sum(1 for r in rows if TOC_ROW.search(" ".join(r))
                 or ([c for c in r if c][-1:] and re.fullmatch(r"\d{1,3}", [c for c in r if c][-1])
                     and len([c for c in r if c]) == 2))
    return bool(rows) and tocish >= 0.6 * len(rows)


def _header_info(lines: list[Line]) -> tuple[str | None, str | None, str | None, int | None]:
    """From the lines between two grids, take the title, number and unit (last ones win)."""
    title = number = unit = None
    page = None
    for line in lines:
        t = line.text.strip()
        if NUMBER_LINE.match(t.replace(" ", "")):
            number = t.replace(" ", "")
        elif is_title(t) or (title and re.fullmatch(r"[（(]\d{4}年?度?[）)]", t)):
            if not is_title(t):
                continue
            title, page = t, line.page
        m = UNIT_LINE.search(t)
        if m:
            unit = m.group(1)
    return title, number, unit, page


def _continues(prev: RawTable, grid: Grid) -> bool:
    return len(grid.rows[0]) == len(prev.rows[0]) or abs(len(grid.rows[0]) - len(prev.rows[0])) <= 1


def _without_repeated_header(table: RawTable, grid: Grid) -> tuple[tuple, tuple]:
    """A continuation page that prints the header again: those rows are not data."""
    from ingest.tables import header_count
    header = [tuple(c.strip() for c in r) for r in table.rows[:header_count(table.rows)]]
    rows, pages = list(grid.rows), list(_row_pages(grid))
    while rows and header and tuple(c.strip() for c in rows[0]) in header:
        rows.pop(0)
        pages.pop(0)
    return tuple(rows), tuple(pages)


def _row_pages(grid: Grid) -> tuple[int | None, ...]:
    return grid.row_pages or tuple(grid.page for _ in grid.rows)


FURNITURE_CELL = re.compile(r"^(单位|金额单位|部门|部门名称|单位名称|编制单位|预算单位|预算主管部门)\s*[:：]")


def split_frame_rows(block: Grid) -> list[Block]:
    """Title, 部门： and 单位： rows drawn inside a table's frame become lines above the grid."""
    rows = list(block.rows)
    pages = list(block.row_pages or [block.page] * len(rows))
    lines: list[Block] = []
    while len(rows) > 1:
        cells = [c for c in rows[0] if c.strip()]
        single = len(cells) == 1 and len(rows[0]) > 2 and (
            is_title(cells[0]) or bool(NUMBER_LINE.match(cells[0].replace(" ", ""))))
        if not (single or any(FURNITURE_CELL.match(c.strip()) for c in cells)):
            break
        lines.append(Line(" ".join(cells), pages[0]))
        rows.pop(0)
        pages.pop(0)
    if not lines:
        return [block]
    return lines + [Grid(rows=tuple(rows), page=pages[0], row_pages=tuple(pages))]


def split_frames(blocks: list[Block]) -> list[Block]:
    return [x for b in blocks for x in (split_frame_rows(b) if isinstance(b, Grid) else [b])]


def blocks_to_tables(blocks: list[Block]) -> tuple[list[RawTable], list[Line]]:
    """Attach each grid to the title/number/unit lines above it; join continuations; rest is text."""
    tables: list[RawTable] = []
    narrative: list[Line] = []
    since: list[Line] = []          # lines since the last grid
    for block in split_frames(blocks):
        if isinstance(block, Line):
            if tables and not since and re.match(r"^(注|说明)\s*[:：]|本表无数据", block.text):
                last = tables[-1]
                tables[-1] = RawTable(**{**last.__dict__, "notes": last.notes + (block.text,)})
                continue
            since.append(block)
            continue
        if _is_toc(block):
            continue
        title, number, unit, page = _header_info(since[-6:])
        used = {id(x) for x in since if x.text.strip() in {title, number} or UNIT_LINE.search(x.text)}
        narrative.extend(x for x in since if id(x) not in used and not _is_table_furniture(x.text))
        if title is None and tables and _continues(tables[-1], block) and not _has_prose(since):
            last = tables[-1]
            rows, pages = _without_repeated_header(last, block)
            tables[-1] = RawTable(**{**last.__dict__, "rows": last.rows + rows, "row_pages": last.row_pages + pages})
        else:
            if title is None and tables and not _has_prose(since):
                # rows that go on from the table above but whose columns could not be lined up with it
                # (an unruled page shows fewer columns): same table, number and unit, columns unknown
                last = tables[-1]
                title, number, unit = last.title, number or last.number, unit or last.unit
            title = title or (tables[-1].title if tables else "表格")
            tables.append(RawTable(title=title, number=number or title_to_number(title),
                                   name=title_to_name(title), unit=unit, page=page or block.page,
                                   rows=block.rows, row_pages=_row_pages(block)))
        since = []
    narrative.extend(x for x in since if not _is_table_furniture(x.text))
    return tables, narrative


def _is_table_furniture(text: str) -> bool:
    t = text.strip()
    return bool(re.match(r"^(部门名称|单位名称|编制单位|预算单位)\s*[:：]", t)) or bool(
        re.fullmatch(r"[（(]\d{4}年?度?[）)]", t))


def _has_prose(lines: list[Line]) -> bool:
    return any(len(x.text) > 30 or "。" in x.text for x in lines)
