"""The bundled sample printed as a PDF (tests/pdfgen.py) gives the same facts as its text form.

Every field but the page and the file name must agree: table, table name and number, code, level,
label, column path, value, raw figure, unit, row text and row index, and the narrative facts too.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from bench import pdfgen
from ingest.pipeline import parse_file

LAYOUTS = ["ruled", "unruled", "landscape"]


@pytest.fixture(scope="module", params=LAYOUTS)
def printed(request, tmp_path_factory, sample_text):
    path = tmp_path_factory.mktemp("printed") / f"sample-{request.param}.pdf"
    pages = pdfgen.text_to_pdf(sample_text, path, layout=request.param)
    return parse_file(path), pages


def comparable(facts, tables: bool) -> Counter:
    return Counter(replace(f, page=None, file="") for f in facts if bool(f.table) == tables)


def test_sample_pdf_has_the_text_forms_table_facts(printed, sample_parsed):
    pdf, _ = printed
    want, got = comparable(sample_parsed.facts, True), comparable(pdf.facts, True)
    assert len(want) > 900
    assert not want - got, sorted(str(f) for f in (want - got))[:5]
    assert not got - want, sorted(str(f) for f in (got - want))[:5]


def test_sample_pdf_has_the_text_forms_narrative_facts_and_identity(printed, sample_parsed):
    pdf, pages = printed
    assert comparable(pdf.facts, False) == comparable(sample_parsed.facts, False)
    assert replace(pdf.document, pages=None, content_hash="", files=()) == replace(
        sample_parsed.document, content_hash="", files=())
    assert pdf.document.pages == pages >= 30


def test_sample_pdf_facts_cite_pdf_pages(printed):
    pdf, pages = printed
    cited = {f.page for f in pdf.facts if f.table}
    assert None not in cited and min(cited) >= 1 and max(cited) <= pages
    housing = [f for f in pdf.facts if f.code == "2210201" and f.table_name == "支出总表" and f.column == "2026年预算数/合计"]
    assert len(housing) == 1 and str(housing[0].value) == "35.03" and housing[0].unit == "万元"


# ---------------------------------------------------------------- shared-layer cases (ingest/layout.py)
SUMMARY = ["预算公开表1", "2026年预算收支总表", "单位：万元", "收入\t\t支出\t\t", "项目\t2026年\t项目\t2026年合计\t当年预算安排"]
SPENDING = ["一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出", "文化旅游体育与传媒支出",
            "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出", "农林水支出"]


def summary_text() -> str:
    rows = [f"一般公共预算\t100.00\t{SPENDING[0]}\t100.00\t100.00"]
    rows += [f"\t\t{name}\t\t" for name in SPENDING[1:]]
    return "\n".join(SUMMARY + rows + ["收入总计\t100.00\t支出总计\t100.00\t100.00"]) + "\n"


def facts_of(path) -> Counter:
    return comparable(parse_file(path).facts, True)


def test_continuation_page_opening_with_label_only_rows_keeps_them(tmp_path):
    text = tmp_path / "summary.txt"
    text.write_text(summary_text(), encoding="utf-8")
    pdf = tmp_path / "summary.pdf"
    assert pdfgen.text_to_pdf(summary_text(), pdf, rows_per_page=6) == 3
    assert facts_of(pdf) == facts_of(text)


def test_header_repeated_on_a_continuation_page_is_not_read_as_rows(tmp_path, sample_text):
    pdf = tmp_path / "split.pdf"
    pdfgen.text_to_pdf(sample_text, pdf, layout="split", rows_per_page=30)
    labels = {f.label for f in parse_file(pdf).facts if f.table_name == "收入总表"}
    assert not labels & {"项目", "科目编码", "科目名称"}
