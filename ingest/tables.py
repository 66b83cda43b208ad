"""Table grids -> one Fact per cell, with column paths, codes, levels and units."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import cell_to_measure, is_number_cell, text_to_decimal
from labels import clean
from schema import Fact, RawTable

CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
SPLIT_CODE = re.compile(r"^(\d{3})\s+(\d{2})(?:\s+(\d{2}))?$")
HEADER_WORDS = re.compile(
    r"项目|科目|编码|名称|合计|小计|金额|预算数|决算数|收入|支出|经费|一般公共预算|政府性基金|国有资本|"
    r"财政|结转|结余|年初|调整|本年|上年|单位资金|事业|经营|其他|类|款|项|预算|决算|安排|数|^\d{4}年|^[\d\s]+$|栏次|行次")
LABEL_HEADER = re.compile(r"项目|名称|科目|编码|^类$|^款$|^项$|单位")
LEVELS = {3: "类", 5: "款", 7: "项"}
def code_level(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    return LEVELS.get(len(code)), (code[:-2] if len(code) > 3 else None)


def _is_value(cell: str) -> bool:
    return is_number_cell(cell) or cell.strip() in {"-", "—", "/", "0"}


def _is_header_row(row: tuple[str, ...]) -> bool:
    cells = [c for c in row if c.strip()]
    if not cells:
        return True
    if any(is_number_cell(c) for c in cells):
        return all(re.fullmatch(r"\d{1,2}", c.strip()) for c in cells)   # 栏次 1 2 3 …
    if CODE.match(cells[0].replace(" ", "")):
        return False
    return all(HEADER_WORDS.search(clean(c)) for c in cells) and not re.match(
        r"^(合计|总计|部门合计|本年.*合计|收入总计|支出总计)$", clean(row[0]))


def _has_number(row: tuple[str, ...]) -> bool:
    return any(is_number_cell(c) for c in row if c.strip())


def header_count(rows: tuple[tuple[str, ...], ...]) -> int:
    n = 0
    while n < len(rows) - 1 and n < 5 and _is_header_row(rows[n]):
        n += 1
    first_numeric = next((i for i, r in enumerate(rows) if _has_number(r) and not _is_header_row(r)), None)
    while first_numeric is not None and n < first_numeric and n < 6:   # item names across columns
        cells = [c for c in rows[n] if c.strip()]
        if CODE.match(cells[0].replace(" ", "") if cells else "") or not (not rows[n][0].strip() or len(cells) >= 2):
            break
        n += 1
    return n


def column_paths(header: list[tuple[str, ...]], width: int) -> list[str]:
    """Fill merged header cells to the right, then join each column top-down."""
    grid = [list(r) + [""] * (width - len(r)) for r in header
            if not all(re.fullmatch(r"\d{1,2}", c.strip()) for c in r if c.strip())]
    for r in range(len(grid) - 1):
        for c in range(1, width):
            below = any(grid[k][c].strip() for k in range(r + 1, len(grid)))
            if not grid[r][c].strip() and grid[r][c - 1].strip() and below:
                grid[r][c] = grid[r][c - 1]
    paths = []
    for c in range(width):
        parts: list[str] = []
        for r in range(len(grid)):
            p = clean(grid[r][c])
            if p and not re.fullmatch(r"\d{1,2}", p) and (not parts or parts[-1] != p):
                parts.append(p)
        paths.append("/".join(parts))
    return paths


@dataclass(frozen=True)
class Layout:
    header: int
    paths: tuple[str, ...]
    code_cols: tuple[int, ...]
    label_cols: tuple[int, ...]
    value_cols: tuple[int, ...]


def _column_kind(body: list[tuple[str, ...]], c: int, path: str) -> str:
    cells = [clean(r[c]) for r in body if c < len(r) and r[c].strip()]
    if "编码" in path or (cells and sum(bool(CODE.match(x.replace(" ", ""))) for x in cells) >= 0.6 * len(cells)):
        return "code"
    if path in {"类", "款", "项"} or path.endswith(("/类", "/款", "/项")):
        return "code"
    if re.search(r"序号|行次|栏次|编号", path):
        return "index"
    if cells and all(_is_value(x) for x in cells):
        return "value"
    if cells and sum(map(_is_value, cells)) >= 0.8 * len(cells) and re.search(r"合计|小计|支出|收入|预算|决算|金额|经费", path):
        return "value"
    if not cells:
        return "label" if LABEL_HEADER.search(path.split("/")[-1] if path else "") and not re.search(
            r"合计|小计|预算|决算|支出|收入|经费|资金", path.split("/")[-1]) else "value"
    return "label"


def table_to_layout(table: RawTable) -> Layout:
    width = max(len(r) for r in table.rows)
    h = header_count(table.rows)
    paths = column_paths(list(table.rows[:h]), width)
    body = list(table.rows[h:])
    kinds = [_column_kind(body, c, paths[c]) for c in range(width)]
    return Layout(h, tuple(paths),
                  tuple(i for i, k in enumerate(kinds) if k == "code"),
                  tuple(i for i, k in enumerate(kinds) if k == "label"),
                  tuple(i for i, k in enumerate(kinds) if k == "value"))


def _segment(layout: Layout, col: int) -> list[int]:
    """The run of code/label columns nearest to the left of a value column."""
    keys = sorted(set(layout.code_cols) | set(layout.label_cols))
    left = [k for k in keys if k < col]
    if not left:
        return []
    run = [left[-1]]
    while run[0] - 1 in keys:
        run.insert(0, run[0] - 1)
    return run


def _row_code(row: tuple[str, ...], cols: list[int], layout: Layout) -> str | None:
    codes = [row[c].replace(" ", "") for c in cols if c in layout.code_cols and row[c].strip()]
    joined = "".join(codes)
    m = SPLIT_CODE.match(" ".join(row[c].strip() for c in cols if row[c].strip()))
    if m:
        return "".join(g for g in m.groups() if g)
    return joined if CODE.match(joined) else None


def _row_label(row: tuple[str, ...], cols: list[int], layout: Layout) -> str:
    for c in cols:
        if c in layout.label_cols and row[c].strip() and not CODE.match(row[c].replace(" ", "")):
            return clean(row[c])
    return next((clean(row[c]) for c in cols if row[c].strip()), "")


def _row_text(row: tuple[str, ...], cols: list[int]) -> str:
    return " ".join(clean(row[c]) for c in cols if row[c].strip())


def _fact(table: RawTable, doc_id: str, file: str, i: int, **kw) -> Fact:
    code = kw.pop("code", None)
    level, parent = code_level(code)
    page = table.row_pages[i] if i < len(table.row_pages) else table.page
    return Fact(doc=doc_id, table=table.title, table_name=table.name, table_no=table.number,
                section=None, page=page, code=code, level=level, parent=parent, row=i, file=file, **kw)


def pad(table: RawTable) -> RawTable:
    width = max((len(r) for r in table.rows), default=0)
    if all(len(r) == width for r in table.rows):
        return table
    return RawTable(**{**table.__dict__, "rows": tuple(tuple(r) + ("",) * (width - len(r)) for r in table.rows)})


def table_to_facts(table: RawTable, doc_id: str, file: str = "") -> list[Fact]:
    facts = rows_to_facts(pad(table), doc_id, file)
    if facts or not table.rows:
        return facts
    # a table printed with its header only: recorded as empty, so "none" can be answered with a citation
    note = " ".join(table.notes) or "本表无数据"
    return [_fact(table, doc_id, file, 0, code=None, label=table.name or table.title, column="", value=None,
                  raw="", unit=table.unit or "", text=f"{table.title}（{note}）", kind="empty")]


def rows_to_facts(table: RawTable, doc_id: str, file: str = "") -> list[Fact]:
    if table.name == "绩效目标表":
        return indicator_table_to_facts(table, doc_id, file)
    layout = table_to_layout(table)
    if not layout.label_cols and not layout.code_cols:
        return column_table_to_facts(table, layout, doc_id, file)
    facts: list[Fact] = []
    for i in range(layout.header, len(table.rows)):
        row = table.rows[i]
        if numbers_the_columns(row):
            continue
        for c in layout.value_cols:
            seg = _segment(layout, c)
            label = _row_label(row, seg, layout)
            if not label:
                continue
            code = _row_code(row, seg, layout)
            raw = clean(row[c])
            value = text_to_decimal(raw)
            cols = seg + [v for v in layout.value_cols if _segment(layout, v) == seg]
            facts.append(_fact(table, doc_id, file, i, code=code, label=label, column=layout.paths[c],
                               value=value, raw=raw, unit=table.unit or "",
                               text=_row_text(row, cols), kind="cell" if value is not None else "empty"))
    return facts


def numbers_the_columns(row: tuple[str, ...]) -> bool:
    """A 栏次 row (1 2 3 4 5): it numbers the columns, it holds no figure."""
    cells = [c.strip() for c in row if c.strip()]
    return len(cells) >= 2 and cells == [str(n) for n in range(int(cells[0]), int(cells[0]) + len(cells))] \
        if cells and cells[0].isdigit() else False


def column_table_to_facts(table: RawTable, layout: Layout, doc_id: str, file: str) -> list[Fact]:
    """Tables whose items are their columns (a 三公 table with one row of figures): label = column path."""
    facts: list[Fact] = []
    for i in range(layout.header, len(table.rows)):
        row = table.rows[i]
        if numbers_the_columns(row):
            continue
        for c in layout.value_cols:
            path = layout.paths[c]
            if not path:
                continue
            raw = clean(row[c])
            value = text_to_decimal(raw)
            facts.append(_fact(table, doc_id, file, i, code=None, label=path, column=path, value=value, raw=raw,
                               unit=table.unit or "", text=f"{path} {raw}".strip(),
                               kind="cell" if value is not None else "empty"))
    return facts


# ---------------------------------------------------------------- 绩效目标表 (free-form)
UNIT_IN_LABEL = re.compile(r"[（(](万元|元)[）)]")


def project_name(table: RawTable) -> str | None:
    for row in table.rows[:4]:
        cells = [clean(c) for c in row if c.strip()]
        if len(cells) >= 2 and cells[0] in {"项目名称", "项目名称："}:
            return cells[1]
    return None


def indicator_table_to_facts(table: RawTable, doc_id: str, file: str = "") -> list[Fact]:
    """Each cell holding a figure: label = nearest text cell to its left; unit from the cell or row."""
    project = project_name(table)
    title = f"{table.title}（{project}）" if project else table.title
    table = RawTable(**{**table.__dict__, "title": title})
    facts: list[Fact] = []
    row_unit = ""
    for i, row in enumerate(table.rows):
        cells = [clean(c) for c in row]
        units = [m.group(1) for m in map(UNIT_IN_LABEL.search, cells) if m]
        if units:
            row_unit = units[-1]
        elif cells and cells[0]:
            row_unit = ""
        for c, cell in enumerate(cells):
            if len(cell) > 30 and c > 0:
                facts.extend(cell_sentences_to_facts(cell, cells[0] or "说明", table, doc_id, file, i))
                continue
            measure = cell_to_measure(cell)
            if not measure or c == 0:
                continue
            # a row may hold two label/figure pairs side by side (按资金来源 | 按资金方向): a label's
            # context is the text before it in its own pair, never the label of the pair on its left
            prior = [k for k in range(c) if cell_to_measure(cells[k])]
            left = [x for x in cells[(prior[-1] + 1 if prior else 0):c] if x and not cell_to_measure(x)]
            if not left:
                continue
            context = left[0] if not prior or len(left) > 1 else ""
            value, unit, op = measure
            unit = unit or row_unit or ("元" if "资金" in left[-1] else "")
            facts.append(_fact(table, doc_id, file, i, code=None, label=left[-1].rstrip(":："),
                               column=(project or "") + ("/" if project and context else "") + context,
                               value=value, raw=cell, unit=unit, text=f"{left[-1]} {cell}",
                               kind="indicator"))
    return facts


def cell_sentences_to_facts(cell: str, heading: str, table: RawTable, doc_id: str, file: str, i: int) -> list[Fact]:
    """Figures stated inside a long text cell (项目概况 …), cited with their sentence."""
    from dataclasses import replace

    from ingest.narrative import Section, sentence_to_facts, text_to_sentences
    section = Section(heading, f"{table.title} / {heading}", ())
    page = table.row_pages[i] if i < len(table.row_pages) else table.page
    out: list[Fact] = []
    for sentence in text_to_sentences(cell):
        out.extend(replace(f, row=i) for f in sentence_to_facts(sentence, section, page, doc_id, file))
    return out
