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
