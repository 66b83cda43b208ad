"""CSV and XLSX export of facts and findings: CSV exactly as stored, Excel with numbers as numbers under one
Chinese header row; both read back give the same facts."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

from openpyxl import load_workbook

from audit import audit_document
from prompts.staff_zh import FACT_HEADERS, FINDING_HEADERS, RULE_NAMES
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


def test_csv_has_a_chinese_header_and_types_in_words_and_reads_back_with_a_bom():
    text = facts_to_csv(build().facts)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [FACT_HEADERS[n] for n in FACT_FIELDS] and rows[0][:3] == ["文件", "表格", "表名"]
    kinds = {r[rows[0].index("类型")] for r in rows[1:]}
    assert kinds and kinds <= {"表格数字", "空单元格", "文字", "绩效指标"}          # never cell/empty/text
    assert csv_to_facts("\ufeff" + text) == build().facts


def test_xlsx_round_trip_gives_the_same_facts():
    facts = tricky(build().facts)
    assert xlsx_to_facts(facts_to_xlsx(facts)) == facts


def test_xlsx_has_one_chinese_header_row_and_figures_as_numbers_with_printed_decimals():
    facts = tricky(build().facts)
    ws = load_workbook(io.BytesIO(facts_to_xlsx(facts))).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["文件", "表格", "表名"] and "数值" in header and "原文数字" in header
    assert not any(h in FACT_FIELDS for h in header) and ws.freeze_panes == "A2"
    col = {name: header.index(h) for name, h in zip(FACT_FIELDS, header)}
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(facts)
    formula_row = next(r for r in rows if r[col["text"]].value == "=SUM(A1:A3)")
    assert formula_row[col["text"]].data_type == "s"                       # text, never a formula
    figure = formula_row[col["value"]]
    assert figure.data_type == "n" and figure.value == 8277.8 and figure.number_format == "#,##0.00"
    assert formula_row[col["raw"]].value == "8,277.80" and formula_row[col["raw"]].data_type == "s"
    percent = next(r for r in rows if r[col["label"]].value == "@备注")
    assert percent[col["value"]].value == 0.05 and percent[col["value"]].number_format == "0.0000"
    empty = next(r for r in rows if r[col["label"]].value == "-")
    assert empty[col["value"]].value is None and empty[col["page"]].value is None
    first = rows[0]
    assert isinstance(first[col["page"]].value, int) and isinstance(first[col["row"]].value, int)
    coded = next(r for r in rows if r[col["code"]].value)
    assert coded[col["code"]].data_type == "s"                              # 科目编码 stays text: 2210201


def test_xlsx_keeps_every_sample_figure_equal_to_the_stored_value(sample_parsed):
    facts = [f for f in sample_parsed.facts if f.value is not None]
    ws = load_workbook(io.BytesIO(facts_to_xlsx(facts))).worksheets[0]
    col = [c.value for c in ws[1]].index("数值")
    cells = [r[col] for r in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in cells)
    assert [Decimal(str(c.value)) for c in cells] == [f.value for f in facts]
    assert {c.number_format for c in cells} >= {"0.00"}


def test_findings_export_to_csv_and_xlsx():
    d = build().set_line("占81.33%", "占81.03%")
    found = audit_document(*d.args())
    rows = list(csv.DictReader(io.StringIO(findings_to_csv(found))))
    assert rows[0]["严重程度"] == "错误" and rows[0]["类别"] == "比例与增减" and rows[0]["类别代码"] == "percent"
    assert rows[0]["规则"] == RULE_NAMES[rows[0]["规则代码"]] and rows[0]["规则代码"].startswith("pct.")
    assert "81.03%" in rows[0]["问题"] and rows[0]["页码"] == "11"
    ws = load_workbook(io.BytesIO(findings_to_xlsx(found))).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == list(FINDING_HEADERS.values())
    message, page = header.index("问题") + 1, header.index("页码") + 1
    assert "81.03%" in ws.cell(2, message).value
    assert ws.cell(2, page).value == 11 and ws.cell(2, page).data_type == "n" and ws.max_row == len(found) + 1
    assert ws.column_dimensions["A"].width >= 8 and ws.column_dimensions[chr(64 + message)].width >= 20


def test_every_audit_rule_has_a_chinese_name():
    from prompts.audit_zh import MESSAGES
    assert set(MESSAGES) <= set(RULE_NAMES)


def test_xlsx_columns_are_as_wide_as_their_text():
    facts = list(build().facts)
    ws = load_workbook(io.BytesIO(facts_to_xlsx(facts))).worksheets[0]
    header = [c.value for c in ws[1]]
    text_col = chr(65 + header.index("原文行"))
    page_col = chr(65 + header.index("页码"))
    assert ws.column_dimensions[text_col].width > ws.column_dimensions[page_col].width >= 6
    assert all(ws.column_dimensions[chr(65 + i)].width <= 60 for i in range(len(header)))
