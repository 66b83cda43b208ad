"""PDF -> blocks (Line / Grid): the reading side, and the only module that imports a PDF library.

The PDF is opened once, with pypdfium2 (C, ~10x faster than pdfminer's parsing, which held pdfplumber
to 3-10 pages/s here). Per page, `read_page` takes the glyphs with their boxes and the straight pieces
of every path, in display coordinates, and runs pdfplumber's table finder on those rules (only on
pages with rules) -> cell boxes. The pure geometry that turns pages into blocks is ingest/pdf_layout.py.

An empty, corrupt, encrypted or scanned (no text layer) PDF raises PdfError with a reason in Chinese
and English. `pdf_page_png` renders a page for showing the cited page.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ingest.pdf_layout import Bbox, Char, PageData, dedupe, make_char, pages_to_blocks
from prompts.ingest_zh import reason
from schema import Block

if TYPE_CHECKING:
    from pdfplumber.page import Page

CID_SHARE = 0.5        # more glyphs without a Unicode mapping than this: no usable text layer
MAX_PAGES = 1000       # a longer PDF is refused before any page is read (split it)


class PdfError(Exception):
    """A PDF that cannot be read, with the reason in Chinese and English (no traceback for users)."""

    def __init__(self, reason_zh: str, reason_en: str):
        super().__init__(f"{reason_zh} / {reason_en}")
        self.reason_zh = reason_zh
        self.reason_en = reason_en


ENCRYPTED = reason("encrypted")
CORRUPT = reason("corrupt")
EMPTY = reason("empty")
SCANNED = reason("scanned")
NO_UNICODE = reason("no_unicode")


def too_long(limit: int) -> PdfError:
    return PdfError(*reason("too_many_pages", limit=limit))


# ---------------------------------------------------------------- reading (pypdfium2)
def pdf_to_blocks(path, max_pages: int = MAX_PAGES) -> tuple[list[Block], int]:
    """Read a PDF into blocks in reading order, and its page count. Raises PdfError (also for a PDF
    of more than `max_pages` pages, checked from the page count before any page is read)."""
    import pypdfium2 as pdfium
    doc = open_pdf(path)
    seen = TextLayer()
    try:
        count = len(doc)
        if count == 0:
            raise PdfError(*CORRUPT)
        if count > max_pages:
            raise too_long(max_pages)
        blocks = pages_to_blocks(seen.count(read_page(doc[i], i + 1)) for i in range(count))
    except pdfium.PdfiumError:
        raise PdfError(*CORRUPT) from None
    finally:
        doc.close()
    seen.check()
    return blocks, count


class TextLayer:
    """Counts the glyphs of the pages read: none is a scanned PDF, most without a Unicode mapping
    is a PDF whose fonts carry no text."""

    def __init__(self):
        self.glyphs = self.unmapped = self.sampled = 0

    def count(self, page: PageData) -> PageData:
        self.glyphs += sum(1 for c in page.chars if not c.text.isspace())
        self.unmapped += page.unmapped
        self.sampled += min(len(page.chars), 200)
        return page

    def check(self) -> None:
        if self.glyphs == 0:
            raise PdfError(*SCANNED)
        if self.unmapped > CID_SHARE * self.sampled:
            raise PdfError(*NO_UNICODE)


def pdf_title(path) -> str:
    """The PDF's Title property as text ("" when absent or unreadable); GBK titles stored as hex are decoded."""
    try:
        doc = open_pdf(path)
    except PdfError:
        return ""
    try:
        title = (doc.get_metadata_dict().get("Title") or "").strip()
    except Exception:  # noqa: BLE001 - a damaged Info dictionary is no title
        return ""
    finally:
        doc.close()
    if title.startswith("<") and title.endswith(">"):
        try:
            return bytes.fromhex(title[1:-1]).decode("gb18030")
        except (ValueError, UnicodeDecodeError):
            return ""
    return title


def open_pdf(path):
    """The pypdfium2 document, or PdfError (missing, empty, corrupt or password-protected file)."""
    import pypdfium2 as pdfium
    try:
        if Path(path).stat().st_size == 0:
            raise PdfError(*EMPTY)
        return pdfium.PdfDocument(str(path))
    except OSError as e:
        raise PdfError(*reason("unreadable", reason=e.strerror)) from None
    except pdfium.PdfiumError as e:
        raise PdfError(*(ENCRYPTED if "password" in str(e).lower() else CORRUPT)) from None


def read_page(page, number: int) -> PageData:
    """Glyphs from pdfium's text page, rules from its path objects, tables from the rules."""
    try:
        place = display_transform(page)
        chars, unmapped = page_chars(page, place)
        edges = page_edges(page, place)
    finally:
        page.close()
    tables = edges_to_tables(edges) if has_grid(edges) else ()
    return PageData(number, dedupe(chars), tables, unmapped)


def display_transform(page):
    """User space (x, y) -> display (x, top): mediabox origin removed, /Rotate applied."""
    x0, y0, x1, y1 = page.get_mediabox()
    w, h = x1 - x0, y1 - y0
    rotation = page.get_rotation() % 360
    return {0: lambda x, y: (x - x0, h - (y - y0)),
            90: lambda x, y: (y - y0, x - x0),
            180: lambda x, y: (w - (x - x0), y - y0),
            270: lambda x, y: (h - (y - y0), w - (x - x0))}[rotation]


def display_box(place, left: float, bottom: float, right: float, top: float) -> Bbox:
    (ax, ay), (bx, by) = place(left, bottom), place(right, top)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def page_chars(page, place) -> tuple[list[Char], int]:
    """Printed glyphs with their loose boxes (pdfium's generated spaces and line breaks left out),
    and how many of the first glyphs have no Unicode mapping."""
    import ctypes

    import pypdfium2.raw as pdfium_c
    text = page.get_textpage()
    try:
        n = pdfium_c.FPDFText_CountChars(text.raw)
        buf = (ctypes.c_ushort * (n + 1))()
        pdfium_c.FPDFText_GetText(text.raw, 0, n, buf)
        rect = pdfium_c.FS_RECTF()
        out = []
        for i, code in enumerate(buf[:n]):
            if code < 32 or 0xD800 <= code <= 0xDFFF or code >= 0xFFFE or (
                    code == 32 and pdfium_c.FPDFText_IsGenerated(text.raw, i) == 1):
                continue
            pdfium_c.FPDFText_GetLooseCharBox(text.raw, i, rect)
            x0, top, x1, bottom = display_box(place, rect.left, rect.bottom, rect.right, rect.top)
            out.append(make_char(chr(code), x0, x1, top, bottom))
        unmapped = sum(pdfium_c.FPDFText_HasUnicodeMapError(text.raw, i) == 1 for i in range(min(n, 200)))
    finally:
        text.close()
    return out, unmapped


def page_edges(page, place) -> list[dict]:
    """Horizontal and vertical pieces of every stroked or filled path (inside forms too), as
    pdfplumber edge dicts."""
    import pypdfium2.raw as pdfium_c
    edges: list[dict] = []
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        object_edges(pdfium_c.FPDFPage_GetObject(page.raw, i), (1, 0, 0, 1, 0, 0), place, edges)
    return edges


def object_edges(obj, outer: tuple, place, edges: list[dict], depth: int = 0) -> None:
    import pypdfium2.raw as pdfium_c
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM) or depth > 8:
        return
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    matrix = compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
    if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
        for k in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            object_edges(pdfium_c.FPDFFormObj_GetObject(obj, k), matrix, place, edges, depth + 1)
        return
    if visible(obj):
        for (ax, ay), (bx, by) in path_lines(obj):
            edge = make_edge(place(*apply(matrix, ax, ay)), place(*apply(matrix, bx, by)))
            if edge:
                edges.append(edge)


def visible(path) -> bool:
    import ctypes

    import pypdfium2.raw as pdfium_c
    fill, stroke = ctypes.c_int(0), ctypes.c_int(0)
    pdfium_c.FPDFPath_GetDrawMode(path, fill, stroke)
    return bool(fill.value or stroke.value)


def path_lines(path) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Straight pieces of a path (curves skipped), closing lines included, in the path's space."""
    import ctypes

    import pypdfium2.raw as pdfium_c
    x, y = ctypes.c_float(), ctypes.c_float()
    out, start, prev = [], None, None
    for k in range(pdfium_c.FPDFPath_CountSegments(path)):
        seg = pdfium_c.FPDFPath_GetPathSegment(path, k)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point, kind = (x.value, y.value), pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None:
            out.append((prev, point))
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and point != start:
            out.append((point, start))
        prev = point
    return out


def compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix applying `inner` then `outer` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def make_edge(p: tuple[float, float], q: tuple[float, float]) -> dict | None:
    """A pdfplumber edge for a horizontal or vertical piece; None for a slanted one."""
    (ax, ay), (bx, by) = p, q
    x0, x1, top, bottom = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
    if bottom - top < 0.5 and x1 - x0 >= 1:
        return {"x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "height": 0,
                "orientation": "h", "object_type": "line_edge"}
    if x1 - x0 < 0.5 and bottom - top >= 1:
        return {"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0, "height": bottom - top,
                "orientation": "v", "object_type": "line_edge"}
    return None


def has_grid(edges: list[dict]) -> bool:
    return sum(e["orientation"] == "h" for e in edges) >= 2 and sum(e["orientation"] == "v" for e in edges) >= 2


def edges_to_tables(edges: list[dict]) -> tuple:
    """pdfplumber's table finder on the rules: merge_edges -> edges_to_intersections ->
    intersections_to_cells -> cells_to_tables (default tolerances, 3pt)."""
    from pdfplumber.table import Table, cells_to_tables, edges_to_intersections, merge_edges
    from pdfplumber.utils import filter_edges
    edges = filter_edges(merge_edges(edges, 3, 3, 3, 3), min_length=3)
    cells = intersections_to_cells(edges_to_intersections(edges, 3, 3))
    # Table wants its page only for .extract(); bbox and rows come from the cells alone
    tables = [Table(cast("Page", None), group) for group in cells_to_tables(cells)]
    return tuple((t.bbox, tuple(tuple(r.cells) for r in t.rows)) for t in tables)


def intersections_to_cells(intersections: dict) -> list[Bbox]:
    """pdfplumber.table.intersections_to_cells, same result, with each point's edges hashed once
    (pdfplumber rebuilds them for every pair of points tried: most of its time on a table page)."""
    def ids(edges):
        return {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges}
    vs = {p: ids(v["v"]) for p, v in intersections.items()}
    hs = {p: ids(v["h"]) for p, v in intersections.items()}

    def connects(a, b) -> bool:
        return bool((a[0] == b[0] and vs[a] & vs[b]) or (a[1] == b[1] and hs[a] & hs[b]))

    columns: dict[float, list] = {}
    rows: dict[float, list] = {}
    for p in sorted(intersections):
        columns.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    cells = []
    for pt in sorted(intersections):
        below = (q for q in columns[pt[0]] if q[1] > pt[1] and connects(pt, q))
        right = [q for q in rows[pt[1]] if q > pt and connects(pt, q)]
        cell = next(((pt[0], pt[1], r[0], b[1]) for b in below for r in right
                     if (r[0], b[1]) in intersections and connects((r[0], b[1]), r)
                     and connects((r[0], b[1]), b)), None)
        if cell:
            cells.append(cell)
    return cells


# ---------------------------------------------------------------- page image
def pdf_page_png(path, page_no: int, scale: float = 1.5) -> bytes:
    """Page `page_no` (1-based) rendered to PNG bytes with pypdfium2, for showing a cited page."""
    doc = open_pdf(path)
    try:
        if not 1 <= page_no <= len(doc):
            raise PdfError(*reason("page_range", pages=len(doc), page=page_no))
        image = doc[page_no - 1].render(scale=scale).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()
    finally:
        doc.close()


def text_boxes(textpage, text: str) -> list[tuple[float, float, float, float]]:
    """Where `text` is printed on a page: one (left, bottom, right, top) box per occurrence, PDF points."""
    if not text:
        return []
    found, search = [], textpage.search(text, match_case=False, match_whole_word=False)
    while (hit := search.get_next()) is not None:
        start, count = hit
        chars = [textpage.get_charbox(i) for i in range(start, start + count)]
        found.append((min(c[0] for c in chars), min(c[1] for c in chars), max(c[2] for c in chars),
                      max(c[3] for c in chars)))
    return found


def pdf_page_png_marked(path, page_no: int, label: str, figure: str,
                        scale: float = 2.0) -> tuple[bytes, tuple[int, int, int, int] | None]:
    """Page `page_no` rendered to PNG with the cited row outlined and the cited figure boxed: the label's
    printed place, and the figure printed on the same line (its first occurrence when the label is not found).
    Returns the PNG and the marked place in pixels (left, top, right, bottom), None when neither is found."""
    from PIL import ImageDraw
    doc = open_pdf(path)
    try:
        if not 1 <= page_no <= len(doc):
            raise PdfError(*reason("page_range", pages=len(doc), page=page_no))
        page = doc[page_no - 1]
        height, textpage = page.get_height(), page.get_textpage()
        rows = text_boxes(textpage, label[:12])
        figures = text_boxes(textpage, figure)
        row = rows[0] if rows else None
        if row and figures:
            middle = (row[1] + row[3]) / 2
            figures = [f for f in figures if f[1] - 2 <= middle <= f[3] + 2] or figures
        image = page.render(scale=scale).to_pil().convert("RGB")
        draw = ImageDraw.Draw(image)

        def box(b, colour: str, width: int, pad: float = 2) -> tuple[int, int, int, int]:
            place = (int((b[0] - pad) * scale), int((height - b[3] - pad) * scale),
                     int((b[2] + pad) * scale), int((height - b[1] + pad) * scale))
            draw.rectangle(place, outline=colour, width=width)
            return place
        marked = None
        if row:
            right = max([row[2]] + [f[2] for f in figures[:1]])
            marked = box((row[0], row[1], right, row[3]), "#1f4e8c", 2, pad=3)
        if figures:
            cell = box(figures[0], "#d0021b", 4)
            marked = (min(cell[0], marked[0]), min(cell[1], marked[1]), max(cell[2], marked[2]),
                      max(cell[3], marked[3])) if marked else cell
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue(), marked
    finally:
        doc.close()
