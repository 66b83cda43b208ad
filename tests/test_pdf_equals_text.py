"""The bundled sample printed as a PDF (tests/pdfgen.py) gives the same facts as its text form.

Every field but the page and the file name must agree: table, table name and number, code, level,
label, column path, value, raw figure, unit, row text and row index, and the narrative facts too.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from ingest.pipeline import parse_file
from tests import pdfgen

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
