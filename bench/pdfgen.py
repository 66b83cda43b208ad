"""Test PDFs in Chinese, drawn with reportlab's built-in CID font STSong-Light (no font files).

Stable API (also used by bench/make_corpus.py):

- `text_to_pdf(text, path, layout="ruled", rows_per_page=None) -> int` renders a disclosure in the
  bundled sample's text form: each line without a tab is a paragraph, each run of tab-separated
  lines a table (cells in columns, numbers right-aligned, long cells wrapped in their column).
  Returns the page count. Layouts:
    * "ruled": A4 portrait, tables drawn with grid lines; in header rows a label followed by blank
      cells spans them (merged cell, as Excel prints it) and a label above blank header cells spans
      down.
    * "unruled": the same without any line (as Word/WPS print borderless tables); no merged cells.
    * "landscape": "ruled" on A4 landscape pages.
    * "split": "ruled" with every table broken after `rows_per_page` body rows (default 12); the
      1st, 3rd, ... table printed (a contents table counts) repeats its header rows on each new
      page, the 2nd, 4th, ... does not.
  `rows_per_page` in the other layouts also forces a page break after that many body rows (the
  header is not repeated). Header rows: the leading rows without a figure (at most 3). A row
  taller than a page is drawn past the bottom margin, not cut.
- `make_encrypted_pdf(path, password="secret")`: a table page that opens only with a password.
- `make_corrupt_pdf(path)`: starts like a PDF, but the rest is garbage.
- `make_scanned_pdf(path)`: one page holding only a bitmap (no text layer), like a scan.
- `make_pdf_with_pages(path, n, layout="ruled") -> int`: n pages of one realistic 科目编码 table.

The text is cut into paragraphs and tables by `ingest.text.text_to_blocks`, so the PDF holds
exactly what the text reader sees; blank lines inside a run of table lines (page breaks in the text
form) are ignored: the PDF breaks pages where the page is full. Tables are drawn at 8pt (smaller
when their unbreakable cells do not fit the width), figures are never wrapped, text at 10.5pt.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ingest.text import text_to_blocks
from schema import Grid

FONT = "STSong-Light"
LAYOUTS = ("ruled", "unruled", "landscape", "split")
NUMBER = re.compile(r"^[-+]?[\d,]+(?:\.\d+)?%?$")
TOKEN = re.compile(r"[\x21-\x7e]+|\s+|.", re.S)


@dataclass(frozen=True)
class Style:
    page: tuple[float, float] = A4
    margin: float = 42.0
    body_size: float = 10.5
    body_leading: float = 16.0
    para_space: float = 4.0
    table_size: float = 8.0
    pad: float = 4.0              # cell padding (left/right and top/bottom)
    table_space: float = 14.0     # space above and below a table
    ruled: bool = True
    split_rows: int | None = None
    repeat_header: bool | None = None   # None: every other table (split layout)

    @property
    def width(self) -> float:
        return self.page[0] - 2 * self.margin


def layout_to_style(layout: str, rows_per_page: int | None) -> Style:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    if layout == "landscape":
        return Style(page=landscape(A4), split_rows=rows_per_page, repeat_header=False)
    if layout == "split":
        return Style(split_rows=rows_per_page or 12, repeat_header=None)
    return Style(ruled=layout != "unruled", split_rows=rows_per_page, repeat_header=False)


@lru_cache(maxsize=1)
def font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def width_of(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font(), size)


# ---------------------------------------------------------------- wrapping
def text_to_units(text: str) -> list[str]:
    """Unbreakable units: an ASCII run or one other character; spaces glue their neighbours,
    so a wrapped line never starts or ends at a space (the reader cannot see one there)."""
    units: list[str] = []
    glue = False
    for tok in TOKEN.findall(text):
        if tok.isspace():
            glue = bool(units)
            if glue:
                units[-1] += " "
            continue
        if glue:
            units[-1] += tok
            glue = False
        else:
            units.append(tok)
    return [u.rstrip() for u in units if u.strip()]


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy wrap into lines no wider than `width` (a unit wider than the line is cut by character)."""
    lines: list[str] = []
    line = ""
    for unit in text_to_units(text):
        pieces = [unit] if width_of(unit, size) <= width else list(unit)
        for piece in pieces:
            if line and width_of(line + piece, size) > width:
                lines.append(line.rstrip())
                piece = piece.lstrip()
                line = ""
            line += piece
    if line:
        lines.append(line.rstrip())
    return lines or [""]


# ---------------------------------------------------------------- table geometry
def is_number(cell: str) -> bool:
    return bool(NUMBER.match(cell.strip()))


def header_rows(rows: tuple[tuple[str, ...], ...]) -> int:
    """Leading rows without a figure (at most 3, never all rows)."""
    n = 0
    while n < min(3, len(rows) - 1) and not any(is_number(c) for c in rows[n]):
        n += 1
    return n


def column_widths(rows: tuple[tuple[str, ...], ...], style: Style, size: float) -> list[float]:
    """Natural widths when they fit, else each column shrunk towards its least width in proportion."""
    least = least_widths(rows, style, size)
    natural = [max(a, b, 3 * size) for a, b in zip(natural_widths(rows, style, size), least)]
    if sum(natural) <= style.width:
        return natural
    spare = max(0.0, style.width - sum(least))
    extra = sum(a - b for a, b in zip(natural, least)) or 1.0
    return [b + (a - b) * spare / extra for a, b in zip(natural, least)]


def natural_widths(rows: tuple[tuple[str, ...], ...], style: Style, size: float) -> list[float]:
    """Each column as wide as its widest cell on one line (+ padding, + 1pt against rounding)."""
    return [max(width_of(r[c], size) for r in rows) + 2 * style.pad + 1 for c in range(len(rows[0]))]


def least_widths(rows: tuple[tuple[str, ...], ...], style: Style, size: float) -> list[float]:
    """Each column as wide as its widest unbreakable unit (a figure is never wrapped)."""
    return [min(max([width_of(u, size) for r in rows for u in text_to_units(r[c])] + [2 * size]),
                12 * size) + 2 * style.pad + 1 for c in range(len(rows[0]))]


def table_font_size(rows: tuple[tuple[str, ...], ...], style: Style) -> float:
    """The table font size (8pt, smaller when even the unbreakable widths do not fit)."""
    size = style.table_size
    while size > 5 and sum(least_widths(rows, style, size)) > style.width:
        size -= 0.5
    return size


def spans(rows: tuple[tuple[str, ...], ...], header: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Merged header cells {(row, col): (rowspan, colspan)}: a label spans the blank cells to its
    right that have a label below them, or else the blank cells below it."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    n = len(rows[0])
    for r in range(header):
        for c in range(n):
            if not rows[r][c] or (r, c) in covered:
                continue
            k = c
            while (k + 1 < n and not rows[r][k + 1] and (r, k + 1) not in covered
                   and any(rows[b][k + 1] for b in range(r + 1, header))):
                k += 1
            down = 1
            if k == c:
                while r + down < header and not rows[r + down][c]:
                    down += 1
            if k > c or down > 1:
                out[(r, c)] = (down, k - c + 1)
                covered |= {(a, b) for a in range(r, r + down) for b in range(c, k + 1)} - {(r, c)}
    return out


# ---------------------------------------------------------------- drawing
class Pager:
    """A canvas with a cursor `y` (top of the free space) that turns pages when asked."""

    def __init__(self, path: Path, style: Style, **kw):
        self.style = style
        self.canvas = canvas.Canvas(str(path), pagesize=style.page, pageCompression=1, **kw)
        self.canvas.setTitle("budget-qa test PDF")
        self.pages = 1
        self.y = style.page[1] - style.margin
        self.fresh = True

    def room(self) -> float:
        return self.y - self.style.margin

    def new_page(self) -> None:
        self.canvas.showPage()
        self.pages += 1
        self.y = self.style.page[1] - self.style.margin
        self.fresh = True

    def need(self, height: float) -> None:
        if height > self.room() and not self.fresh:
            self.new_page()

    def text(self, x: float, y: float, s: str, size: float) -> None:
        self.canvas.setFont(font(), size)
        self.canvas.drawString(x, y, s)

    def close(self) -> int:
        self.canvas.save()
        return self.pages


def draw_paragraph(pager: Pager, text: str) -> None:
    s = pager.style
    for line in wrap(text, s.width, s.body_size):
        pager.need(s.body_leading)
        pager.text(s.margin, pager.y - s.body_size, line, s.body_size)
        pager.y -= s.body_leading
        pager.fresh = False
    pager.y -= s.para_space


@dataclass(frozen=True)
class TableGeom:
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    size: float
    header: int
    spans: dict
    cells: tuple[tuple[tuple[str, ...], ...], ...]   # wrapped lines per cell

    @property
    def xs(self) -> list[float]:
        out = [0.0]
        for w in self.widths:
            out.append(out[-1] + w)
        return out

    def span_width(self, r: int, c: int) -> float:
        cols = self.spans.get((r, c), (1, 1))[1]
        return sum(self.widths[c:c + cols])


def grid_to_geom(rows: tuple[tuple[str, ...], ...], style: Style) -> TableGeom:
    size = table_font_size(rows, style)
    widths = column_widths(rows, style, size)
    header = header_rows(rows)
    merged = spans(rows, header) if style.ruled else {}
    geom = TableGeom(rows, tuple(widths), size, header, merged, ())
    cells = tuple(tuple(tuple(wrap(cell, geom.span_width(r, c) - 2 * style.pad, size)) if cell else ()
                        for c, cell in enumerate(row)) for r, row in enumerate(rows))
    return TableGeom(rows, tuple(widths), size, header, merged, cells)


def row_height(geom: TableGeom, r: int, style: Style) -> float:
    lines = max([len(x) for x in geom.cells[r]] + [1])
    return lines * geom.size * 1.25 + 2 * style.pad


def draw_cell(pager: Pager, geom: TableGeom, r: int, c: int, top: float, height: float) -> None:
    s = pager.style
    x0 = s.margin + geom.xs[c]
    w = geom.span_width(r, c)
    lines = geom.cells[r][c]
    numeric = is_number(geom.rows[r][c])
    y = top - s.pad - geom.size
    if (r, c) in geom.spans:
        y = top - (height - len(lines) * geom.size * 1.25) / 2 - geom.size
    for line in lines:
        lw = width_of(line, geom.size)
        if numeric:
            x = x0 + w - s.pad - lw
        elif r < geom.header:
            x = x0 + (w - lw) / 2
        else:
            x = x0 + s.pad
        pager.text(x, y, line, geom.size)
        y -= geom.size * 1.25


def span_height(geom: TableGeom, r: int, c: int, heights: dict[int, float]) -> float:
    down = geom.spans.get((r, c), (1, 1))[0]
    return sum(heights.get(k, 0.0) for k in range(r, r + down))


def origins(geom: TableGeom) -> dict[tuple[int, int], tuple[int, int]]:
    """Each covered cell of a merged span -> the span's top-left cell."""
    return {(a, b): (r, c) for (r, c), (dr, dc) in geom.spans.items()
            for a in range(r, r + dr) for b in range(c, c + dc)}


def draw_rows(pager: Pager, geom: TableGeom, idx: list[int], heights: dict[int, float]) -> None:
    """Draw rows `idx` from the cursor down, with their rules when ruled."""
    home = origins(geom)
    top0 = pager.y
    tops = {}
    for r in idx:
        tops[r] = pager.y
        for c in range(len(geom.rows[r])):
            if home.get((r, c), (r, c)) == (r, c) and geom.cells[r][c]:
                draw_cell(pager, geom, r, c, pager.y, span_height(geom, r, c, heights))
        pager.y -= heights[r]
    if pager.style.ruled:
        draw_rules(pager, geom, idx, tops, heights, home, top0)
    pager.fresh = False


def draw_rules(pager: Pager, geom: TableGeom, idx: list[int], tops: dict, heights: dict,
               home: dict, top0: float) -> None:
    """Rules around and between cells (not inside a merged span), drawn as few long lines."""
    xs = [pager.style.margin + x for x in geom.xs]
    segments = [(xs[0], top0, xs[-1], top0)]
    for r in idx:
        top, bottom = tops[r], tops[r] - heights[r]
        for c in range(len(xs) - 1):      # under each cell unless the cell below is in its span
            if r == idx[-1] or home.get((r, c), (r, c)) != home.get((r + 1, c), (r + 1, c)):
                segments.append((xs[c], bottom, xs[c + 1], bottom))
        for c in range(len(xs)):          # left of each cell unless inside a span
            if c in (0, len(xs) - 1) or home.get((r, c - 1), (r, c - 1)) != home.get((r, c), (r, c)):
                segments.append((xs[c], bottom, xs[c], top))
    pager.canvas.setLineWidth(0.5)
    for x0, y0, x1, y1 in merge_segments(segments):
        pager.canvas.line(x0, y0, x1, y1)


def merge_segments(segments: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Join touching collinear segments: one long rule per row boundary and column edge."""
    horizontal = sorted((s for s in segments if s[1] == s[3]), key=lambda s: (s[1], s[0]))
    vertical = sorted((s for s in segments if s[0] == s[2]), key=lambda s: (s[0], s[1]))
    return join_runs(horizontal, fixed=1, start=0, end=2) + join_runs(vertical, fixed=0, start=1, end=3)


def join_runs(segments, fixed: int, start: int, end: int) -> list[tuple[float, float, float, float]]:
    out: list[list[float]] = []
    for seg in segments:
        if out and out[-1][fixed] == seg[fixed] and abs(out[-1][end] - seg[start]) < 0.01:
            out[-1][end] = seg[end]
        else:
            out.append(list(seg))
    return [tuple(s) for s in out]


def page_chunks(geom: TableGeom, style: Style, heights: dict[int, float], pager: Pager,
                repeat: bool) -> list[list[int]]:
    """Rows per page: break when the page is full or after `split_rows` body rows."""
    head = list(range(geom.header))
    chunks: list[list[int]] = []
    room = pager.room() - style.table_space
    current: list[int] = []
    body_count = 0
    full_room = style.page[1] - 2 * style.margin
    for r in range(len(geom.rows)):
        is_body = r >= geom.header
        too_many = is_body and style.split_rows and body_count >= style.split_rows
        if current and (heights[r] > room or too_many):
            chunks.append(current)
            current = head[:] if repeat and is_body else []
            room = full_room - sum(heights[h] for h in current)
            body_count = 0
        current.append(r)
        room -= heights[r]
        body_count += is_body
    chunks.append(current)
    return chunks


def draw_table(pager: Pager, rows: tuple[tuple[str, ...], ...], repeat: bool) -> None:
    s = pager.style
    geom = grid_to_geom(rows, s)
    heights = {r: row_height(geom, r, s) for r in range(len(rows))}
    if not pager.fresh and sum(heights[r] for r in range(min(len(rows), geom.header + 2))) > pager.room():
        pager.new_page()
    pager.y -= s.table_space / 2
    for i, chunk in enumerate(page_chunks(geom, s, heights, pager, repeat)):
        if i:
            pager.new_page()
        draw_rows(pager, geom, chunk, heights)
    pager.y -= s.table_space


def text_to_pdf(text: str, path, layout: str = "ruled", rows_per_page: int | None = None) -> int:
    """Render a disclosure in the sample's text form as a PDF at `path`; return its page count."""
    style = layout_to_style(layout, rows_per_page)
    pager = Pager(Path(path), style)
    tables = 0
    for block in text_to_blocks(text):
        if isinstance(block, Grid):
            repeat = style.repeat_header if style.repeat_header is not None else tables % 2 == 0
            draw_table(pager, block.rows, repeat)
            tables += 1
        else:
            draw_paragraph(pager, block.text)
    return pager.close()


# ---------------------------------------------------------------- bad and special files
def sample_table_text(rows: int, seed: int = 1) -> str:
    """Text of a 支出总表 with `rows` code rows and figures with thousands separators (deterministic)."""
    rnd = random.Random(seed)
    names = ["行政运行", "一般行政管理事务", "机关服务", "事业运行", "其他一般公共服务支出", "住房公积金",
             "机关事业单位基本养老保险缴费支出", "行政单位医疗", "城乡社区环境卫生", "公务员医疗补助"]
    out = ["2026年预算支出总表", "单位：万元",
           "项目\t\t2026年预算数\t\t", "科目编码\t科目名称\t合计\t基本支出\t项目支出"]
    for i in range(rows):
        basic, project = rnd.randint(0, 900000) / 100, rnd.randint(0, 9000000) / 100
        code = f"2{(i // 100) % 30 + 1:02d}{(i // 10) % 10:02d}{i % 10 + 1:02d}"
        out.append(f"{code}\t{rnd.choice(names)}\t{basic + project:,.2f}\t{basic:,.2f}\t{project:,.2f}")
    return "\n".join(out) + "\n"


def make_pdf_with_pages(path, n: int, layout: str = "ruled") -> int:
    """n pages, each a page of one long 科目编码 table (30 rows a page, thousands separators)."""
    per_page = 30
    pages = text_to_pdf(sample_table_text(per_page * n), path, layout=layout, rows_per_page=per_page)
    if pages != n:
        raise RuntimeError(f"{pages} pages drawn instead of {n}")
    return pages


def make_encrypted_pdf(path, password: str = "secret") -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    pager = Pager(Path(path), Style(), encrypt=StandardEncryption(password, ownerPassword=password + "-owner"))
    draw_paragraph(pager, "2026年预算支出总表")
    draw_table(pager, (("科目编码", "科目名称", "合计"), ("221", "住房保障支出", "3241.03")), False)
    pager.close()


def make_corrupt_pdf(path) -> None:
    Path(path).write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" +
                           bytes(range(256)) * 8 + b"\ntrailer\n<< /Root 9 0 R >>\n%%EOF\n")


def make_scanned_pdf(path) -> None:
    """One page holding only a bitmap of a 'table' (grey blocks), with no text and no vector lines."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    img = Image.new("L", (620, 860), 255)
    draw = ImageDraw.Draw(img)
    for i in range(20):
        draw.rectangle((40, 60 + i * 36, 580, 60 + i * 36 + 2), fill=0)
        draw.rectangle((60, 72 + i * 36, 60 + (i * 37) % 400 + 80, 84 + i * 36), fill=90)
    cv = canvas.Canvas(str(path), pagesize=A4)
    cv.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
    cv.showPage()
    cv.save()
