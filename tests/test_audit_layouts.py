"""No finding may come from a misreading of the layout: the sample printed as PDF in other layouts gives
the same findings as its text, and consistent generated disclosures (text and PDF) give none."""
from __future__ import annotations

import pytest

from audit import audit_document
from bench.make_corpus import make_corpus
from ingest.pipeline import parse_file
from tests.conftest import SAMPLE


def audit_file(path):
    p = parse_file(path)
    return audit_document(p.document, p.facts, p.lines, p.tables)


def key(findings):
    return sorted((f.rule, f.message) for f in findings)


@pytest.mark.parametrize("layout", ["unruled", "split"])
def test_sample_as_pdf_finds_nothing_its_text_does_not(tmp_path, layout, sample_text):
    """Every finding on the PDF is one of the text's (no layout misreading); the table/text ones are all
    there. (A 绩效目标表 whose 项目名称 row the reader loses is not compared: fewer findings, none false.)"""
    from bench.pdfgen import text_to_pdf
    path = tmp_path / f"sample-{layout}.pdf"
    text_to_pdf(sample_text, path, layout=layout)
    from_pdf = audit_file(path)
    assert set(key(from_pdf)) <= set(key(audit_file(SAMPLE)))
    assert {"text.item", "perf.overall", "form.number_prefix"} <= {f.rule for f in from_pdf}
    assert all(f.page for f in from_pdf)


def test_consistent_generated_disclosures_have_no_findings(tmp_path):
    """bench/make_corpus.py writes disclosures whose figures agree (children sum to parents, the text
    restates the tables, 政府性基金 money in some); budgets and final accounts, text and PDF."""
    make_corpus(14, tmp_path, seed=11, pdf_share=0.3, questions_per_doc=0)
    files = sorted(tmp_path.glob("*.txt")) + sorted(tmp_path.glob("*.pdf"))
    assert len(files) == 14 and any(f.suffix == ".pdf" for f in files)
    found = {f.name: [x.message for x in audit_file(f)] for f in files}
    assert {k: v for k, v in found.items() if v} == {}


# ------------------------------------------------------------------ the line builder (ingest/pdf_layout.py)
def second_baseline_pdf(path, drop: float, size: float = 10.5) -> None:
    """Two wrapped lines of one paragraph as Word/ONLYOFFICE print them: the Chinese in STSong-Light,
    the figures (Helvetica) and the quotation marks `drop` points below the Chinese baseline."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    lines = [[("本部门", 0), ("“", 1), ("三公", 0), ("”", 1), ("经费预算为", 0), ("12.50", 2), ("万元，比上年减少", 0)],
             [("3.20", 2), ("万元，下降", 0), ("20.38%", 2), ("，主要原因是", 0), ("“", 1), ("过紧日子", 0), ("”", 1), ("。", 0)]]
    y = 700.0
    for parts in lines:
        x = 72.0
        for text, kind in parts:
            face = "Helvetica" if kind == 2 else "STSong-Light"
            c.setFont(face, size)
            c.drawString(x, y - (drop if kind else 0), text)
            x += pdfmetrics.stringWidth(text, face, size)
        y -= 1.6 * size
    c.save()


@pytest.mark.parametrize("drop", [0.0, 3.0, 5.0, 7.0, 8.0])
def test_figures_and_quotes_on_a_second_baseline_stay_in_their_line(tmp_path, drop):
    """Digits and “” printed up to about 3/4 of the font size below the Chinese baseline are read in
    their line, in order: no line of their own, no paragraph cut, nothing shuffled. (At 7 pt the quotes
    made rows of their own, took the figures with them and the sentence lost 12.50.)"""
    from ingest.pdf_read import pdf_to_blocks
    from schema import Line
    path = tmp_path / "baseline.pdf"
    second_baseline_pdf(path, drop)
    blocks, _ = pdf_to_blocks(path)
    texts = [b.text.replace(" ", "") for b in blocks if isinstance(b, Line)]
    assert texts == ["本部门“三公”经费预算为12.50万元，比上年减少", "3.20万元，下降20.38%，主要原因是“过紧日子”。"]


def test_a_unit_wrapped_in_its_cell_is_read_whole():
    """`单位：万` with `元` on the next line of a narrow cell (江苏省高级人民法院 2019, 公开09表) is 万元."""
    from ingest.pdf_layout import PageData, make_char, page_to_regions
    chars = [make_char(ch, 400 + 10 * k, 410 + 10 * k, 100, 110) for k, ch in enumerate("单位：万")]
    chars += [make_char("元", 430.1, 440.1, 113, 123)]
    chars += [make_char(ch, 60 + 10 * k, 70 + 10 * k, 113, 123) for k, ch in enumerate("部门名称：某法院")]
    texts = [r.block.text for r in page_to_regions(PageData(1, tuple(chars), ()), None)]
    assert "单位：万元" in texts and "部门名称：某法院" in texts


def test_justified_sentences_with_wide_gaps_are_not_an_unruled_table():
    """Lines of a justified paragraph whose spacing opens a column-wide gap before each figure
    (江苏省人民检察院 2018, p.23) stay sentences; a table of label | figure rows stays a table."""
    from ingest.pdf_layout import PageData, make_char, page_to_regions
    from schema import Grid

    def row(y, left, right, x2=300.0):
        out = [make_char(ch, 60 + 12 * k, 72 + 12 * k, y, y + 12) for k, ch in enumerate(left)]
        return out + [make_char(ch, x2 + 7 * k, x2 + 7 * k + 6, y, y + 12) for k, ch in enumerate(right)]
    prose = [("（一）收入预算总计", "21,955.35万元。包括："), ("1．财政拨款收入预算总计", "21,940.96万元。其中"),
             ("（1）一般公共预算收入预算", "21,940.96万元，与上")]
    chars = [c for k, (a, b) in enumerate(prose) for c in row(100 + 20 * k, a, b)]
    regions = page_to_regions(PageData(1, tuple(chars), ()), None)
    assert not any(isinstance(r.block, Grid) for r in regions) and len(regions) == 3
    table = [("基本支出", "13,994.31"), ("项目支出", "5,573.00"), ("单位预留机动经费", "2,388.04")]
    chars = [c for k, (a, b) in enumerate(table) for c in row(100 + 20 * k, a, b)]
    from ingest.pdf_layout import unruled_to_grids
    blocks = unruled_to_grids([r.block for r in page_to_regions(PageData(1, tuple(chars), ()), None)])
    assert any(isinstance(b, Grid) for b in blocks)
