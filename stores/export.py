"""Facts and findings to CSV and XLSX, and back. Pure: strings and bytes in and out.

CSV keeps every field as the raw text stored (field names as header). Excel has one Chinese header
row; figures are numbers (the printed decimals kept as the cell's number format, so 8277.80 shows
as 8277.80), page and row numbers are integers, and everything else is text (never a formula).
"""
from __future__ import annotations

import csv
import io
from dataclasses import fields
from decimal import Decimal

from prompts.staff_zh import FACT_HEADERS, FINDING_HEADERS
from schema import Fact

FACT_FIELDS = [f.name for f in fields(Fact)]
OPTIONAL = {"table", "table_name", "table_no", "section", "page", "code", "level", "parent", "value"}
INTS = {"page", "row"}
FINDING_FIELDS = list(FINDING_HEADERS)
TEXT = "@"


# ------------------------------------------------------------------ facts
def fact_to_row(f: Fact) -> list[str]:
    return ["" if getattr(f, name) is None else str(getattr(f, name)) for name in FACT_FIELDS]


def row_to_fact(row: dict[str, str]) -> Fact:
    kw = {}
    for name in FACT_FIELDS:
        v = row.get(name, "")
        v = "" if v is None else str(v)
        if name in OPTIONAL and v == "":
            kw[name] = None
        elif name == "value":
            kw[name] = Decimal(v)
        elif name in INTS:
            kw[name] = int(v) if v != "" else (None if name in OPTIONAL else 0)
        else:
            kw[name] = v
    return Fact(**kw)


def facts_to_csv(facts) -> str:
    """One row per fact, field names as header (UTF-8 text; write it with utf-8-sig for Excel)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FACT_FIELDS)
    for f in facts:
        w.writerow(fact_to_row(f))
    return buf.getvalue()


def csv_to_facts(text: str) -> list[Fact]:
    return [row_to_fact(r) for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def decimal_format(value: Decimal, raw: str = "") -> str:
    """The number format that shows `value` with its printed decimals: 8277.80 -> 0.00; "8,277.80" -> #,##0.00."""
    places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
    whole = "#,##0" if "," in raw else "0"
    return whole + ("." + "0" * places if places else "")


def format_to_decimal(number, number_format: str) -> Decimal:
    """A number cell read back with its format's decimals: 8277.8 under 0.00 -> Decimal('8277.80')."""
    places = len(number_format.rsplit(".", 1)[1]) if "." in number_format else 0
    return Decimal(str(number)).quantize(Decimal(1).scaleb(-places))


def fact_to_cells(f: Fact) -> list[tuple[object, str]]:
    """(value, number format) per field: the figure as a number, page and row as integers, the rest text."""
    cells = []
    for name in FACT_FIELDS:
        v = getattr(f, name)
        if name == "value" and v is not None:
            cells.append((v, decimal_format(v, f.raw)))
        elif name in INTS and v is not None:
            cells.append((int(v), "0"))
        else:
            cells.append(("" if v is None else str(v), TEXT))
    return cells


def facts_to_xlsx(facts) -> bytes:
    return _xlsx("数据", [FACT_HEADERS[n] for n in FACT_FIELDS], [fact_to_cells(f) for f in facts])


def xlsx_to_facts(data: bytes) -> list[Fact]:
    """The workbook facts_to_xlsx wrote -> the same facts (figures rebuilt with their printed decimals)."""
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    by_header = {h: n for n, h in FACT_HEADERS.items()}
    names = [by_header[str(c.value)] for c in ws[1]]
    return [row_to_fact({n: _cell_text(n, c) for n, c in zip(names, r)}) for r in ws.iter_rows(min_row=2)]


def _cell_text(name: str, cell) -> str:
    if cell.value is None:
        return ""
    if name == "value" and cell.data_type == "n":
        return str(format_to_decimal(cell.value, cell.number_format))
    return str(cell.value)


# ------------------------------------------------------------------ findings
def finding_to_row(f) -> list[str]:
    where = " | ".join(filter(None, ((c.table or c.section or "") for c in f.citations)))
    return [f.doc_id, f.severity, f.family, f.family_name, f.rule, "" if f.page is None else str(f.page), f.message,
            " / ".join(f.figures), where, " || ".join(c.text for c in f.citations),
            " / ".join("" if c.page is None else str(c.page) for c in f.citations)]


def findings_to_csv(findings) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FINDING_FIELDS)
    for f in findings:
        w.writerow(finding_to_row(f))
    return buf.getvalue()


def finding_to_cells(f) -> list[tuple[object, str]]:
    row = finding_to_row(f)
    return [(int(v), "0") if name == "page" and v else (v, TEXT) for name, v in zip(FINDING_FIELDS, row)]


def findings_to_xlsx(findings) -> bytes:
    return _xlsx("核查结果", list(FINDING_HEADERS.values()), [finding_to_cells(f) for f in findings])


def _xlsx(title: str, headers: list[str], rows: list[list[tuple[object, str]]]) -> bytes:
    """Row 1: the Chinese headers; then one row per record. Text cells are stored as text, never formulas."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for r, cells in enumerate(rows, start=2):
        for c, (value, number_format) in enumerate(cells, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if number_format == TEXT:
                cell.data_type = "s"
            cell.number_format = number_format
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
