"""ingest/pdf_read.py + pdf_layout.py on generated PDFs (bench/pdfgen.py) and on the real disclosures in ../shared."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench import pdfgen
from ingest.pdf_read import PdfError, pdf_page_png, pdf_to_blocks, read_page
from schema import Grid, Line
from tests.conftest import REAL, need_shared

HEADER = ["项目\t\t2026年预算数\t\t", "科目编码\t科目名称\t合计\t基本支出\t项目支出"]
CODES = ["2010350", "2080505", "2101102", "2120106", "2120399", "2210201"]
NAMES = ["事业运行", "机关事业单位基本养老保险缴费支出", "事业单位医疗", "工程建设管理", "其他城乡社区公共设施支出",
         "住房公积金"]


def body_rows(n: int) -> list[str]:
    """n rows of a 支出总表 with figures printed with thousands separators."""
    return [f"{CODES[i % 6]}\t{NAMES[i % 6]}\t{1000 * i + 1234.5:,.2f}\t{i + 0.25:.2f}\t{1000 * i + 1234.25:,.2f}"
            for i in range(n)]


def disclosure(rows: list[str]) -> str:
    return "\n".join(["预算公开表3", "2026年预算支出总表", "单位：万元", *rows, "注：本表无数据"]) + "\n"


def as_cells(rows: list[str]) -> list[tuple[str, ...]]:
    return [tuple(r.split("\t")) for r in rows]


def grids(blocks) -> list[Grid]:
    return [b for b in blocks if isinstance(b, Grid)]


def read(tmp_path: Path, text: str, layout: str = "ruled", rows_per_page: int | None = None):
    path = tmp_path / f"{layout}.pdf"
    pages = pdfgen.text_to_pdf(text, path, layout=layout, rows_per_page=rows_per_page)
    blocks, count = pdf_to_blocks(path)
    assert count == pages
    return blocks, path


# ---------------------------------------------------------------- generated PDFs
def test_two_page_ruled_table_gives_a_grid_per_page_whose_cells_equal_the_text_rows(tmp_path):
    rows = HEADER + body_rows(40)
    blocks, _ = read(tmp_path, disclosure(rows), rows_per_page=25)
    found = grids(blocks)
    assert [g.page for g in found] == [1, 2]
    assert [r for g in found for r in g.rows] == as_cells(rows)
    assert all(g.row_pages == (g.page,) * len(g.rows) for g in found)


def test_title_unit_grid_and_note_come_in_reading_order(tmp_path):
    blocks, _ = read(tmp_path, disclosure(HEADER + body_rows(3)))
    kinds = [b.text if isinstance(b, Line) else "GRID" for b in blocks]
    assert kinds == ["预算公开表3", "2026年预算支出总表", "单位：万元", "GRID", "注：本表无数据"]


def test_merged_header_cells_read_as_blanks_and_keep_the_column_count(tmp_path):
    blocks, path = read(tmp_path, disclosure(HEADER + body_rows(2)))
    grid = grids(blocks)[0]
    assert grid.rows[0] == ("项目", "", "2026年预算数", "", "")
    assert {len(r) for r in grid.rows} == {5}
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        cells = read_page(doc[0], 1).tables[0][1]
    finally:
        doc.close()
    assert cells[0][1] is None and cells[0][3] is None       # really merged in the PDF, not blank


def test_cell_printed_on_several_lines_is_joined_without_spaces(tmp_path):
    label = "其他城乡社区公共设施支出（含道路照明、园林绿化养护、市政道路维护、环境卫生管护及雨污水管网错接混接改造）"
    rows = HEADER + [f"2120399\t{label}\t12,345,678.90\t0.00\t12,345,678.90"] + body_rows(1)
    geom = pdfgen.grid_to_geom(tuple(tuple(r.split("\t")) for r in rows), pdfgen.Style())
    assert len(geom.cells[2][1]) > 1                             # the label is printed on several lines
    blocks, _ = read(tmp_path, disclosure(rows))
    assert grids(blocks)[0].rows[2] == ("2120399", label, "12,345,678.90", "0.00", "12,345,678.90")


def test_unruled_layout_reads_the_same_cells_as_the_ruled_one(tmp_path):
    rows = HEADER + body_rows(12) + ["合计\t\t99,999.00\t\t"]
    ruled, _ = read(tmp_path, disclosure(rows), "ruled")
    unruled, _ = read(tmp_path, disclosure(rows), "unruled")
    assert [g.rows for g in grids(unruled)] == [g.rows for g in grids(ruled)] == [tuple(as_cells(rows))]
    assert [b.text for b in unruled if isinstance(b, Line)] == [b.text for b in ruled if isinstance(b, Line)]


def test_unruled_table_continued_on_the_next_page_keeps_its_columns(tmp_path):
    rows = HEADER + body_rows(6) + ["其他\t\t\t\t"] * 3 + ["合计\t\t99,999.00\t\t"]
    blocks, _ = read(tmp_path, disclosure(rows), "unruled", rows_per_page=7)
    found = grids(blocks)
    assert [g.page for g in found] == [1, 2]
    assert [r for g in found for r in g.rows] == as_cells(rows)


def test_landscape_page_is_read(tmp_path):
    rows = HEADER + body_rows(5)
    blocks, path = read(tmp_path, disclosure(rows), "landscape")
    assert [r for g in grids(blocks) for r in g.rows] == as_cells(rows)
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        width, height = doc[0].get_size()
    finally:
        doc.close()
    assert width > height


def test_split_table_gives_one_grid_per_page_with_the_header_as_printed(tmp_path):
    text = disclosure(HEADER + body_rows(10))         # the only table: the split layout repeats its header
    blocks, _ = read(tmp_path, text, "split", rows_per_page=4)
    found = grids(blocks)
    assert [g.page for g in found] == [1, 2, 3]
    assert [len(g.rows) for g in found] == [6, 6, 4]
    assert all(g.rows[:2] == tuple(as_cells(HEADER)) for g in found)
    assert [r for g in found for r in g.rows[2:]] == as_cells(body_rows(10))


def test_text_lines_keep_figures_and_units_as_printed(tmp_path):
    text = "2026年度本部门预算收入8,277.83万元，其中基本支出 307.82 万元，占3.98%。\n第一部分 概况\n"
    blocks, _ = read(tmp_path, text)
    assert [b.text for b in blocks] == ["2026年度本部门预算收入8,277.83万元，其中基本支出 307.82 万元，占3.98%。",
                                        "第一部分 概况"]


LOW_FIGURES = ["2024年，本部门收入预算1,234.56万元，其中：财政拨款收入1,200.00万元，比上年增加34.56万元。",
               "支出预算1,234.56万元，其中：基本支出1,000.00万元，占81.00%；项目支出234.56万元，占19.00%。",
               "“三公”经费预算12.34万元，比上年减少1.00万元（主要原因是压减公务接待费）。",
               "机关运行经费预算56.78万元，主要用于办公费、印刷费、水电费等支出。"]


def low_figures_pdf(path: Path, latin: str, drop: float) -> None:
    """The lines above at 10.5pt on a 16pt pitch, Chinese in STSong, each run of figures in a Latin
    font with its baseline `drop` points below the Chinese one (as some Word exports print them)."""
    import re

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas
    c, y = canvas.Canvas(str(path), pagesize=A4), 780
    for text in LOW_FIGURES:
        x = 50
        for run in re.findall(r"[0-9.,%]+|[^0-9.,%]+", text):
            font = latin if run[0] in "0123456789.,%" else pdfgen.font()
            c.setFont(font, 10.5)
            c.drawString(x, y - (drop if font == latin else 0), run)
            x += stringWidth(run, font, 10.5)
        y -= 16
    c.save()


@pytest.mark.parametrize("latin, drop", [("Helvetica", 7), ("Times-Roman", 6), ("Times-Roman", 8), ("Courier", 6)])
def test_figures_printed_below_the_chinese_baseline_stay_in_their_sentence(tmp_path, latin, drop):
    """Regression: lines were grouped against one glyph's box, so figures a few points low became a
    line of their own (commas and figures out of place) or the paragraph a phantom table."""
    path = tmp_path / "low.pdf"
    low_figures_pdf(path, latin, drop)
    blocks, _ = pdf_to_blocks(path)
    assert [b.text if isinstance(b, Line) else "GRID" for b in blocks] == LOW_FIGURES


def test_pdf_past_the_page_limit_is_refused_before_any_page_is_read(tmp_path, monkeypatch):
    import ingest.pdf_read as reader
    path = tmp_path / "long.pdf"
    pdfgen.make_pdf_with_pages(path, 4)
    read_pages = []
    monkeypatch.setattr(reader, "read_page", lambda page, number: read_pages.append(number))
    with pytest.raises(PdfError) as caught:
        reader.pdf_to_blocks(path, max_pages=3)
    assert caught.value.reason_zh == "PDF 页数超过上限（3 页），请拆分后上传"
    assert caught.value.reason_en == "the PDF has more than 3 pages: split it"
    assert read_pages == []
    monkeypatch.undo()
    assert pdf_to_blocks(path, max_pages=4)[1] == 4
    assert reader.MAX_PAGES == 1000


def test_page_png_renders_the_cited_page(tmp_path):
    _, path = read(tmp_path, disclosure(HEADER + body_rows(2)))
    png = pdf_page_png(path, 1, scale=0.5)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    with pytest.raises(PdfError, match="out of range"):
        pdf_page_png(path, 2)


@pytest.mark.parametrize("make, zh, en", [
    (pdfgen.make_encrypted_pdf, "加密", "encrypted"),
    (pdfgen.make_corrupt_pdf, "损坏", "corrupt"),
    (lambda p: Path(p).write_bytes(b""), "为空", "empty"),
    (pdfgen.make_scanned_pdf, "OCR", "OCR is not supported"),
], ids=["encrypted", "corrupt", "empty", "scanned"])
def test_unreadable_pdf_raises_pdf_error_with_chinese_and_english_reason(tmp_path, make, zh, en):
    path = tmp_path / "bad.pdf"
    make(path)
    with pytest.raises(PdfError) as caught:
        pdf_to_blocks(path)
    assert zh in caught.value.reason_zh and en in caught.value.reason_en
    assert caught.value.__traceback__ is not None and caught.value.__cause__ is None


@pytest.mark.parametrize("layout", ["ruled", "unruled"])
def test_ordinary_table_pages_read_fast(tmp_path, layout):
    """A guard against quadratic slips, generous for a busy 2-core machine (measured 25-55 pages/s)."""
    path = tmp_path / "many.pdf"
    pdfgen.make_pdf_with_pages(path, 20, layout=layout)
    start = time.perf_counter()
    blocks, pages = pdf_to_blocks(path)
    rate = pages / (time.perf_counter() - start)
    assert pages == 20 and len(grids(blocks)) == 20 and rate >= 5, rate


# ---------------------------------------------------------------- the real disclosures
@pytest.fixture(scope="module")
def real():
    """name -> blocks, read once per module."""
    cache: dict[str, list] = {}

    def get(name: str):
        path = REAL / name
        need_shared(path)
        if name not in cache:
            cache[name] = pdf_to_blocks(path)[0]
        return cache[name]
    return get


def rows_on(blocks, page: int) -> list[tuple[str, ...]]:
    return [r for g in grids(blocks) if g.page == page for r in g.rows]


def lines_on(blocks, page: int) -> list[str]:
    return [b.text for b in blocks if isinstance(b, Line) and b.page == page]


@pytest.mark.real
def test_real_jiangsu_2210201_housing_fund_row_as_printed(real):
    blocks = real("jiangsu-renda-2019-dept-budget-tables.pdf")
    found = [(g.page, r) for g in grids(blocks) for r in g.rows if r[0] == "2210201"]
    assert found == [(5, ("2210201", "住房公积金", "752.90")), (7, ("2210201", "住房公积金", "752.90"))]


@pytest.mark.real
def test_real_jiangsu_rotated_page_reads_upright_with_title_and_unit_as_lines(real):
    blocks = real("jiangsu-renda-2019-dept-budget-tables.pdf")     # /Rotate 90, title drawn inside the frame
    assert lines_on(blocks, 1)[:3] == ["收支预算总表", "公开表一", "部门： 江苏省人大常委会办公厅 单位：万元"]
    rows = rows_on(blocks, 1)
    assert rows[0] == ("收入", "", "支出", "", "", "")
    assert ("一、财政拨款", "18,330.37", "一、一般公共服务支出", "13,907.78", "一、基本支出", "9,312.90") in rows
    assert ("收入合计", "18,330.37", "支出合计", "", "", "18,330.37") in rows


@pytest.mark.real
def test_real_shanghai_codes_printed_in_three_columns_stay_in_three_cells(real):
    rows = rows_on(real("shanghai-putuo-qufuban-2025-dept-budget.pdf"), 10)
    assert ("221", "02", "01", "住房公积金", "1,741,445.22", "1,741,445.22", "", "", "") in rows
    header = rows_on(real("shanghai-putuo-qufuban-2025-dept-budget.pdf"), 9)[:3]
    assert header[1][:4] == ("功能分类科目编码", "", "", "功能分类科目名称") and header[2][:3] == ("类", "款", "项")


@pytest.mark.real
def test_real_two_tables_side_by_side_share_one_grid(real):
    rows = rows_on(real("shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf"), 13)
    assert ("30113", "住房公积金", "17.70", "30212", "因公出国（境）费用", "0.00") in rows
    assert ("", "", "", "31007", "信息网络及软件购置更新", "0.00") in rows     # name printed on two lines
    assert rows[-1] == ("人员经费合计", "", "95.36", "公用经费合计", "", "10.23")


@pytest.mark.real
def test_real_header_cells_on_two_lines_are_joined_and_a_header_banner_stays_in_the_grid(real):
    blocks = real("shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf")
    assert rows_on(blocks, 6)[:2] == [
        ("项目", "", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"),
        ("功能分类科目编码", "科目名称", "", "", "", "", "", "", "")]
    assert rows_on(blocks, 14)[0][0] == "财政拨款“三公”经费"


@pytest.mark.real
def test_real_title_and_unit_rows_inside_the_frame_become_lines(real):
    blocks = real("shanghai-putuo-shangwuwei-2025-unit-budget.pdf")
    assert lines_on(blocks, 14)[:2] == ["2025年预算单位财政拨款收支预算总表", "编制单位：上海市普陀区商务委员会 单位：元"]
    assert rows_on(blocks, 14)[0] == ("财政拨款收入", "", "财政拨款支出", "", "", "", "")


@pytest.mark.real
def test_real_heading_after_a_contents_page_is_a_line_not_a_table_row(real):
    blocks = real("shanghai-putuo-qufuban-2025-dept-budget.pdf")    # regression: it continued the contents
    assert lines_on(blocks, 3)[0] == "上海市普陀区人民政府办公室主要职能"
    assert not rows_on(blocks, 3)


@pytest.mark.real
def test_real_text_only_pdf_gives_lines_without_spurious_spaces(real):
    blocks = real("jiangsu-renda-2019-dept-budget.pdf")
    assert not grids(blocks)
    assert "省人大常委会是省人民代表大会的常设机构，主要职能是：" in lines_on(blocks, 3)
    final = real("shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf")
    assert "本年收入合计 307.82 万元，其中：财政拨款收入 307.82 万元，" in lines_on(final, 17)


@pytest.mark.real
def test_real_blank_template_reads_its_tables_with_empty_figures(real):
    blocks = real("template-dept-final-accounts-blank.pdf")
    rows = rows_on(blocks, 5)
    assert ("一、一般公共预算财政拨款收入", "", "一、一般公共服务支出", "") in rows
    assert all(not r[1] and not r[3] for r in rows[2:])


@pytest.mark.real
def test_real_pdfs_read_fast():
    need_shared(REAL)
    pages, start = 0, time.perf_counter()
    for path in sorted(REAL.glob("*.pdf")):
        pages += pdf_to_blocks(path)[1]
    rate = pages / (time.perf_counter() - start)
    assert pages >= 100 and rate >= 8, rate


def test_rows_on_the_next_page_that_cannot_be_lined_up_keep_their_tables_number_and_unit():
    """An unruled table whose header ends a page: the next page shows only its filled columns."""
    from ingest.layout import blocks_to_tables
    header = (("项目名称", "合计", "财政拨款", "", "单位资金"), ("", "", "一般公共预算", "政府性基金预算", ""))
    blocks = [Line("预算公开表12", 7), Line("2020年项目支出预算表（本年预算）", 7), Line("单位：万元", 7),
              Grid(rows=header, page=7),
              Grid(rows=(("财政信息化建设", "216.49", "216.49"),), page=8)]
    tables, _ = blocks_to_tables(blocks)
    assert [(t.title, t.number, t.unit) for t in tables] == [
        ("2020年项目支出预算表（本年预算）", "预算公开表12", "万元")] * 2
