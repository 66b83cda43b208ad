"""Pages of glyphs and rule cells -> blocks (Line / Grid) in reading order. Pure geometry, no PDF library
(ingest/pdf_read.py reads the pages):

  ruled_tables: cell texts -> Grids (title / 单位 rows drawn inside the frame left as text)
  chars_to_lines: the other glyphs -> printed lines (CJK without spaces), cut at column gaps
  lines_to_regions: runs of lines lined up in columns -> unruled tables, the rest Lines
  sorted by their top; an unruled table going on over pages is read with the columns of all parts.

Cells keep the printed text ("8,277.83", "-"); a cell printed on several lines is joined without a
space (a space only between two Latin letters); merged cells become "" so rows keep their width.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from statistics import median

from schema import Block, Grid, Line

SPACE_LATIN = 0.15     # gap (in font sizes) that reads as a space next to a Latin letter or digit
SPACE_CJK = 0.5        # ... between two Chinese characters
COLUMN_GAP = 0.8       # gap that separates two columns of an unruled table
ROW_JOIN = 0.45        # vertical gap below which two printed lines are one table row
FLOATING = "“”‘’"      # wide marks printed on the figures' baseline in some Word/ONLYOFFICE PDFs
NARROW_JOIN = 0.3      # share of its height a narrow glyph must overlap a line of Chinese to join it
FURNITURE = re.compile(r"^(?:部门(?:名称)?|单位(?:名称)?|编制(?:部门|单位)|预算(?:单位|主管部门)|金额单位|单位)\s*[:：]")
CAPTION = re.compile(r"^\S{4,}表(?:[（(][^）)]{1,20}[）)])?$|^(?:金额)?单位\s*[:：]")
PROSE = re.compile(r"[\u4e00-\u9fa5%％][，。；：][\u4e00-\u9fa5]|万元[，。；：]")
NUMBER = re.compile(r"^\s*-?[\d,]+(?:\.\d+)?\s*$")


# ---------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    xm: float = 0.0     # middle, set by make_char
    ym: float = 0.0

    @property
    def size(self) -> float:
        return max(self.bottom - self.top, 1.0)


def make_char(text: str, x0: float, x1: float, top: float, bottom: float) -> Char:
    return Char(text, x0, x1, top, bottom, (x0 + x1) / 2, (top + bottom) / 2)


@dataclass(frozen=True, slots=True)
class Piece:
    """Text of one printed line between two column gaps."""
    text: str
    x0: float
    x1: float


@dataclass(frozen=True, slots=True)
class TextLine:
    pieces: tuple[Piece, ...]
    top: float
    bottom: float
    size: float

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)


@dataclass(frozen=True, slots=True)
class Region:
    """Something placed on a page: a Line, a Grid or an unruled table (read into Grids once its
    continuations are known), with the top it sorts by."""
    top: float
    block: Block | Unruled


Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageData:
    """What the reader needs from one page, in display coordinates (top-down, rotation applied)."""
    number: int
    chars: tuple[Char, ...]
    tables: tuple[tuple[Bbox, tuple[tuple[Bbox | None, ...], ...]], ...]   # (bbox, rows of cell bboxes)
    unmapped: int = 0       # glyphs without a Unicode mapping (among the first 200)


def dedupe(chars) -> tuple[Char, ...]:
    """Drop a glyph printed twice at the same place (fake bold)."""
    seen: set = set()
    out = []
    for c in chars:
        key = (c.text, round(c.x0), round(c.top))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)


def pages_to_blocks(pages) -> list[Block]:
    """Pages (read one at a time, so a long PDF is never held whole) -> blocks in reading order."""
    items: list[Block | Unruled] = []
    for page in pages:
        last = items[-1] if items and isinstance(items[-1], Unruled) else None
        items.extend(r.block for r in page_to_regions(page, last))
    return unruled_to_grids(items)


# ---------------------------------------------------------------- one page

def page_to_regions(page: PageData, last: Unruled | None) -> list[Region]:
    """Ruled tables, then the text outside them (unruled tables and lines), sorted by top.
    `last`: the unruled table that ended the previous page (it may go on at the top of this one)."""
    page = PageData(page.number, wrapped_unit(page.chars), page.tables, page.unmapped)
    grids, claimed = ruled_tables(page)
    free = [c for c in page.chars if not any(inside(c, b) for b in claimed)]
    carry = last if not grids else None
    return sorted(grids + lines_to_regions(chars_to_lines(free), page.number, carry), key=lambda r: r.top)

def inside(c: Char, bbox: Bbox) -> bool:
    return bbox[0] <= c.xm < bbox[2] and bbox[1] <= c.ym < bbox[3]

# ---------------------------------------------------------------- text lines

def is_wide(ch: str) -> bool:
    return ord(ch[0]) >= 0x2000 and unicodedata.east_asian_width(ch[0]) in "WFA"

def chars_to_lines(chars: list[Char]) -> list[TextLine]:
    """Group glyphs into printed lines by their boxes, not their baselines, each line cut into
    pieces at column gaps. Wide (CJK) glyphs make the lines; a narrow glyph (digit, Latin,
    half-width punctuation) then joins the line whose box it overlaps most, so figures printed in
    another font a few points below the Chinese baseline stay in their sentence. Narrow glyphs
    that overlap no line make lines of their own (a column of figures). Quotation marks are wide
    but may sit on the figures' baseline: they join a line the same way."""
    wide = [c for c in chars if is_wide(c.text) and c.text not in FLOATING]
    rows = group_rows(wide)
    loose = attach_narrow(rows, [c for c in chars if not is_wide(c.text) or c.text in FLOATING])
    rows += group_rows(loose)
    rows.sort(key=lambda r: min(c.top for c in r))
    return [line for line in (glyphs_to_line(r) for r in rows) if line is not None]

def wrapped_unit(chars: tuple[Char, ...]) -> tuple[Char, ...]:
    """`单位：万` with its `元` wrapped onto the next line of a narrow cell: the 元 is put back after
    the 万 (a unit read as 元 would make every figure of the table 10,000 times too small)."""
    wan = [k for k, c in enumerate(chars) if c.text in "万亿" and k >= 2 and chars[k - 1].text in ":：" and
           chars[k - 2].text == "位"]
    if not wan:
        return chars
    out = list(chars)
    for k in wan:
        w = out[k]
        if k + 1 < len(out) and out[k + 1].text == "元" and abs(out[k + 1].top - w.top) < 0.3 * w.size:
            continue
        below = next((j for j, c in enumerate(out) if c.text == "元" and abs(c.x0 - w.x0) < 0.5 * w.size and
                      0.6 * w.size < c.top - w.top < 2.0 * w.size), None)
        if below is not None:        # just right of the 万's start: same cell, read after it, no space
            out[below] = make_char("元", w.x0 + 0.01, w.x1 + 0.01, w.top, w.bottom)
    return tuple(out)

def group_rows(chars: list[Char]) -> list[list[Char]]:
    """Glyphs in rows by vertical overlap with a recent row's first glyph."""
    rows: list[list[Char]] = []
    for c in sorted(chars, key=lambda c: (c.top, c.x0)):
        row = next((r for r in reversed(rows[-4:]) if same_line(r, c)), None)
        if row is None:
            rows.append([c])
        else:
            row.append(c)
    return rows

def same_line(row: list[Char], c: Char) -> bool:
    top, bottom = row[0].top, row[0].bottom
    overlap = min(bottom, c.bottom) - max(top, c.top)
    return overlap >= 0.5 * min(bottom - top, c.bottom - c.top, c.size)

def attach_narrow(rows: list[list[Char]], narrow: list[Char]) -> list[Char]:
    """Put each narrow glyph in the row whose box overlaps it most (at least NARROW_JOIN of the
    smaller height); return the glyphs that fit no row."""
    boxes = sorted(((min(c.top for c in r), max(c.bottom for c in r), k) for k, r in enumerate(rows)))
    tops = [b[0] for b in boxes]
    left: list[Char] = []
    for c in narrow:
        best, most = None, 0.0
        for top, bottom, k in boxes[max(0, bisect_left(tops, c.top - 3 * c.size)):bisect_right(tops, c.bottom)]:
            overlap = min(bottom, c.bottom) - max(top, c.top)
            if overlap > most and overlap >= NARROW_JOIN * min(bottom - top, c.bottom - c.top, c.size):
                best, most = k, overlap
        if best is None:
            left.append(c)
        else:
            rows[best].append(c)
    return left

def glyphs_to_line(glyphs: list[Char]) -> TextLine | None:
    glyphs = sorted(glyphs, key=lambda c: c.x0)
    ink = [c for c in glyphs if not c.text.isspace()]
    if not ink:
        return None
    size = median(c.size for c in ink)
    pieces: list[Piece] = []
    text, x0, prev, spaced = "", ink[0].x0, None, False
    for c in glyphs:
        if c.text.isspace():
            spaced = prev is not None
            continue
        if prev is not None:
            gap = c.x0 - prev.x1
            if gap >= COLUMN_GAP * size:
                pieces.append(Piece(text, x0, prev.x1))
                text, x0 = "", c.x0
            elif spaced or gap >= space_gap(prev.text, c.text) * size:
                text += " "
        text += c.text
        prev, spaced = c, False
    assert prev is not None     # ink is not empty and every inked glyph sets prev
    pieces.append(Piece(text, x0, prev.x1))
    return TextLine(tuple(pieces), min(c.top for c in ink), max(c.bottom for c in ink), size)

def space_gap(a: str, b: str) -> float:
    return SPACE_CJK if is_wide(a[-1]) and is_wide(b[0]) else SPACE_LATIN

def join_wrapped(parts: list[str]) -> str:
    """Lines of one cell or label: no space added, except between two Latin letters."""
    out = ""
    for p in (p.strip() for p in parts):
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and p[0].isascii() and p[0].isalpha():
            out += " "
        out += p
    return out

# ---------------------------------------------------------------- ruled tables

def ruled_tables(page: PageData) -> tuple[list[Region], list[Bbox]]:
    """Grids of the tables pdfplumber found from the page's rules, and the areas they claim.
    Title, unit and note rows printed inside the frame are left to the text (they become Lines)."""
    regions, claimed = [], []
    for bbox, cells in page.tables:
        rows = cells_to_texts(cells, [c for c in page.chars if inside(c, bbox)])
        keep = table_body(rows)
        if keep is None:
            continue
        lo, hi = keep
        body = drop_blank_rows(drop_absent_columns(rows[lo:hi]))
        if not is_table(body):
            continue
        area = rows_bbox(cells[lo:hi], bbox)
        regions.append(Region(area[1], Grid(rows=tuple(map(tuple, body)), page=page.number,
                                            row_pages=(page.number,) * len(body))))
        claimed.append(area)
    return regions, claimed

def cells_to_texts(cells, chars: list[Char]) -> list[list[str | None]]:
    """Text of every cell (None for a cell merged into its neighbour): each glyph goes to the cell
    of its row holding its middle, found by bisection on the cells' left edges."""
    chars = sorted(chars, key=lambda c: c.ym)
    ys = [c.ym for c in chars]
    out = []
    for row in cells:
        boxes = [(b[0], k) for k, b in enumerate(row) if b is not None]
        lefts = [x for x, _ in boxes]
        top, bottom = min(row[k][1] for _, k in boxes), max(row[k][3] for _, k in boxes)
        mine: list[list[Char]] = [[] for _ in row]
        for c in chars[bisect_left(ys, top):bisect_left(ys, bottom)]:
            at = bisect_right(lefts, c.xm) - 1
            if at >= 0 and inside(c, row[boxes[at][1]]):
                mine[boxes[at][1]].append(c)
        out.append([None if b is None else cell_text(mine[k]) for k, b in enumerate(row)])
    return out

def cell_text(chars: list[Char]) -> str:
    if not chars:
        return ""
    if max(c.ym for c in chars) - min(c.ym for c in chars) < 0.3 * chars[0].size:   # one line
        line = glyphs_to_line(chars)
        return line.text if line else ""
    return join_wrapped([line.text for line in chars_to_lines(chars)])

def table_body(rows: list[list[str | None]]) -> tuple[int, int] | None:
    """Rows from the first to the last that is neither one cell across the table (a title or a
    note inside the frame) nor a 部门/单位 line; None when nothing is left."""
    lo, hi = 0, len(rows)
    while lo < hi and (is_banner(rows[lo], caption=True) or is_furniture(rows[lo]) or not any(rows[lo])):
        lo += 1
    while hi > lo and (is_banner(rows[hi - 1]) or not any(rows[hi - 1])):
        hi -= 1
    return (lo, hi) if hi > lo else None

def is_table(rows: list[list[str]]) -> bool:
    """Not a frame of one column (a text box, a table of contents) nor of two holding one text (a
    heading box)."""
    filled = sum(1 for r in rows for c in r if c)
    return bool(rows) and len(rows[0]) >= 2 and filled >= 1 and (filled >= 2 or len(rows[0]) >= 3)

def is_banner(row: list[str | None], caption: bool = False) -> bool:
    """One cell across the table (with `caption`: one holding a title, 公开表 number or unit, not
    a header such as 财政拨款“三公”经费)."""
    if not (len(row) < 2 or sum(c is not None for c in row) <= 1):
        return False
    return not caption or bool(re.search(r"表|[:：]", "".join(c or "" for c in row)))

def is_furniture(row: list[str | None]) -> bool:
    """`部门：XX … 单位：万元` or the table's title printed as a row of the table."""
    filled = [c for c in row if c]
    return bool(filled) and all(FURNITURE.match(c) or CAPTION.search(c) for c in filled)

def drop_absent_columns(rows: list[list[str | None]]) -> list[list[str | None]]:
    """Columns with no cell in any row (they belonged to a title cell that is gone)."""
    keep = [i for i in range(len(rows[0])) if any(r[i] is not None for r in rows)]
    return [[r[i] for i in keep] for r in rows]

def drop_blank_rows(rows: list[list[str | None]]) -> list[list[str]]:
    return [[c or "" for c in r] for r in rows if any(c for c in r)]

def rows_bbox(cells, whole: Bbox) -> Bbox:
    boxes = [b for row in cells for b in row if b is not None]
    if not boxes:
        return whole
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

# ---------------------------------------------------------------- unruled tables

@dataclass(frozen=True)
class Unruled:
    """An unruled table on one page: its lines and columns; `continued` when it goes on from the
    previous page's last table (the two are read with the columns of both)."""
    lines: tuple[TextLine, ...]
    bands: tuple[Piece, ...]
    page: int
    continued: bool = False

    @property
    def size(self) -> float:
        return self.lines[0].size

def lines_to_regions(lines: list[TextLine], page: int, carry: Unruled | None) -> list[Region]:
    """Runs of lines printed in columns become Unruled tables, every other line a Line.
    `carry`: the table ending the previous page, which lines at the top may continue."""
    out: list[Region] = []
    i = 0
    while i < len(lines):
        j = run_end(lines, i, carry if i == 0 else None)
        if j > i and not is_prose(lines[i:j]):
            bands = lines_to_bands(lines[i:j])
            continued = i == 0 and carry is not None and fits(bands, carry.bands)
            if len(bands) >= 2 or continued:      # one column is not a table (a list, a contents page)
                out.append(Region(lines[i].top, Unruled(tuple(lines[i:j]), bands, page, continued)))
                i = j
                continue
        out.append(Region(lines[i].top, Line(text=lines[i].text, page=page)))
        i += 1
    return out

def is_prose(lines: list[TextLine]) -> bool:
    """Justified sentences whose spacing opens column-wide gaps before figures (“收入预算总计
    21,955.35 万元。包括：”): most lines run on with a sentence's punctuation, which no cell of an
    unruled table has."""
    running = sum(1 for ln in lines if PROSE.search(ln.text))
    return running * 2 >= len(lines)

def run_end(lines: list[TextLine], i: int, carry: Unruled | None = None) -> int:
    """End (exclusive) of the table run starting at line i, or i when no table starts there.
    A run starts at a line of several pieces (not a 部门/单位 line; or, at the top of a page, a line
    inside the columns carried from the previous page) and goes on while rows keep their spacing
    and font size; a row of one piece must stay inside one column; a line close under the previous
    one is the same row. It needs two rows of several pieces, or one of three and more rows."""
    first = lines[i]
    continues = carry is not None and abs(first.size - carry.size) <= 0.2 * carry.size and fits_columns(
        first, carry.bands)
    if (len(first.pieces) < 2 and not continues) or FURNITURE.match(first.pieces[0].text):
        return i
    j = i + 1
    gaps: list[float] = []
    multi: int = len(first.pieces) >= 2       # counts the rows of several pieces
    while j < len(lines):
        line, gap = lines[j], lines[j].top - lines[j - 1].bottom
        if abs(line.size - first.size) > 0.2 * first.size:
            break
        if gap >= ROW_JOIN * line.size:
            if gap > (1.8 * median(gaps) if gaps else 2.5 * first.size):
                break
            if len(line.pieces) < 2 and not fits_columns(
                    line, carry.bands if continues and carry is not None else lines_to_bands(lines[i:j])):
                break
            gaps.append(gap)
        multi += len(line.pieces) >= 2
        j += 1
    return j if multi >= 2 or continues or (len(first.pieces) >= 3 and j > i + 1) else i

def fits_columns(line: TextLine, bands: tuple[Piece, ...]) -> bool:
    """A one-piece line can be a table row when it reaches into at most one column."""
    if len(line.pieces) != 1:
        return True
    piece = line.pieces[0]
    return sum(1 for b in bands if b.x1 > piece.x0 and b.x0 < piece.x1) <= 1

def lines_to_bands(lines: list[TextLine]) -> tuple[Piece, ...]:
    """Column bands: the union of the pieces' x ranges (closer than a column gap counts as
    touching), leaving out a piece that spans columns: one over a gap between two pieces of another
    line (a header over 合计 | 基本支出 | 项目支出, or over codes printed 221 | 02 | 01)."""
    gaps = sorted({(round(a.x1, 1), round(b.x0, 1)) for ln in lines for a, b in zip(ln.pieces, ln.pieces[1:])})
    starts = [g[0] for g in gaps]
    ends_after = suffix_min([g[1] for g in gaps])      # smallest gap end among gaps starting from k

    def spans(p: Piece) -> bool:
        k = bisect_right(starts, p.x0)
        return k < len(gaps) and ends_after[k] < p.x1
    kept = [p for ln in lines for p in ln.pieces if NUMBER.match(p.text) or not spans(p)]
    return union(kept or [p for ln in lines for p in ln.pieces], lines[0].size)

def suffix_min(values: list[float]) -> list[float]:
    out, low = [0.0] * len(values), float("inf")
    for k in range(len(values) - 1, -1, -1):
        low = out[k] = min(low, values[k])
    return out

def union(pieces: list[Piece], size: float) -> tuple[Piece, ...]:
    out: list[Piece] = []
    for p in sorted(pieces, key=lambda p: p.x0):
        if out and p.x0 < out[-1].x1 + COLUMN_GAP * size:
            out[-1] = Piece("", out[-1].x0, max(out[-1].x1, p.x1))
        else:
            out.append(Piece("", p.x0, p.x1))
    return tuple(out)

def fits(bands: tuple[Piece, ...], carry: tuple[Piece, ...]) -> bool:
    """A table at the top of a page continues the previous page's when no column of either
    reaches into two columns of the other."""
    def overlaps(a, b):
        return sum(1 for c in b if c.x1 > a.x0 and c.x0 < a.x1)
    return all(overlaps(b, carry) <= 1 for b in bands) and all(overlaps(c, bands) <= 1 for c in carry)

def band_of(piece: Piece, bands: tuple[Piece, ...]) -> int:
    """The column holding a piece: the first it overlaps (a spanning header goes to its first)."""
    for k, b in enumerate(bands):
        if b.x1 > piece.x0 and b.x0 < piece.x1:
            return k
    return min(range(len(bands)), key=lambda k: abs((bands[k].x0 + bands[k].x1) / 2 - (piece.x0 + piece.x1) / 2))

def lines_to_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines closer than a fraction of the font size are one row (a cell printed on two lines)."""
    rows: list[list[TextLine]] = []
    for ln in lines:
        if rows and ln.top - rows[-1][-1].bottom < ROW_JOIN * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows

def unruled_to_grids(items: list) -> list[Block]:
    """Each unruled table (with its continuations on the next pages) read with the columns of all
    its parts, one Grid per page."""
    out: list[Block] = []
    chain: list[Unruled] = []
    for item in items + [None]:
        if isinstance(item, Unruled) and item.continued and chain:
            chain.append(item)
            continue
        if chain:
            bands = lines_to_bands([ln for u in chain for ln in u.lines])
            out.extend(lines_to_grid(u.lines, bands, u.page) for u in chain)
            chain = []
        if isinstance(item, Unruled):
            chain = [item]
        elif item is not None:
            out.append(item)
    return out

def lines_to_grid(lines, bands: tuple[Piece, ...], page: int) -> Grid:
    rows = []
    for row in lines_to_rows(list(lines)):
        cells: list[list[str]] = [[] for _ in bands]
        for ln in row:
            for p in ln.pieces:
                cells[band_of(p, bands)].append(p.text)
        rows.append(tuple(join_wrapped(c) for c in cells))
    return Grid(rows=tuple(rows), page=page, row_pages=(page,) * len(rows))
