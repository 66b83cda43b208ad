"""CSV and XLSX export of facts and findings: exactly as stored, and CSV/XLSX read back give the same facts."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

from openpyxl import load_workbook

from audit import audit_document
from stores.export import (
    FACT_FIELDS,
    csv_to_facts,
    facts_to_csv,
    facts_to_xlsx,
    findings_to_csv,
    findings_to_xlsx,
    xlsx_to_facts,
)
from tests.audit_disclosure import build


def tricky(facts):
    """Facts with commas, quotes, line breaks, a formula-looking label, trailing zeros and empty values."""
    f = facts[0]
    return facts + [
        replace(f, label='项目,"甲"\n第二行', raw="8,277.80", value=Decimal("8277.80"), text="=SUM(A1:A3)"),
        replace(f, label="-", raw="", value=None, kind="empty", code=None, level=None, parent=None, page=None),
        replace(f, label="@备注", raw="0.0500", value=Decimal("0.0500"), unit="%", section="（一）说明"),
    ]


def test_csv_round_trip_gives_the_same_facts_for_the_sample(sample_parsed):
    facts = list(sample_parsed.facts)
    assert csv_to_facts(facts_to_csv(facts)) == facts


def test_csv_round_trip_keeps_trailing_zeros_quotes_breaks_and_empty_values():
    facts = tricky(build().facts)
    back = csv_to_facts(facts_to_csv(facts))
    assert back == facts
    assert str(back[-3].value) == "8277.80" and back[-2].value is None and back[-2].page is None


def test_csv_has_the_schema_fields_as_header_and_reads_with_a_bom():
    text = facts_to_csv(build().facts)
    assert next(csv.reader(io.StringIO(text))) == FACT_FIELDS
    assert csv_to_facts("\ufeff" + text) == build().facts


def test_xlsx_round_trip_and_every_cell_is_text_as_stored():
    facts = tricky(build().facts)
    data = facts_to_xlsx(facts)
    assert xlsx_to_facts(data) == facts
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == FACT_FIELDS and ws.cell(2, 1).value == "文件"
    formula_row = next(r for r in ws.iter_rows(min_row=3) if r[header.index("text")].value == "=SUM(A1:A3)")
    assert formula_row[header.index("text")].data_type == "s"
    assert formula_row[header.index("value")].value == "8277.80"


def test_findings_export_to_csv_and_xlsx():
    d = build().set_line("占81.33%", "占81.03%")
    found = audit_document(*d.args())
    rows = list(csv.DictReader(io.StringIO(findings_to_csv(found))))
    assert rows[0]["severity"] == "错误" and rows[0]["family_name"] == "比例与增减"
    assert "81.03%" in rows[0]["message"] and rows[0]["page"] == "11"
    ws = load_workbook(io.BytesIO(findings_to_xlsx(found))).worksheets[0]
    assert ws.cell(2, 7).value == "问题" and "81.03%" in ws.cell(3, 7).value
