"""Facts and findings to CSV and XLSX, and back. Pure: strings and bytes in and out.

Both speak Chinese: one Chinese header row (prompts/staff_zh.py), the type of a figure in words (表格数字,
空单元格, 文字 …), findings' families and rules as words with their codes in columns of their own. CSV keeps
every other field as the raw text stored; Excel has figures as numbers (the printed decimals kept as the
cell's number format, so 8277.80 shows as 8277.80), page and row numbers as integers, everything else as
text (never a formula), and column widths set to the text. Both read back give the same facts.
"""
from __future__ import annotations

import csv
import io
from dataclasses import fields
from decimal import Decimal

from prompts.staff_zh import FACT_HEADERS, FINDING_HEADERS, KIND_NAMES, RULE_NAMES
from schema import Fact

FACT_FIELDS = [f.name for f in fields(Fact)]
OPTIONAL = {"table", "table_name", "table_no", "section", "page", "code", "level", "parent", "value"}
INTS = {"page", "row"}
FINDING_FIELDS = list(FINDING_HEADERS)
TEXT = "@"
KIND_CODES = {v: k for k, v in KIND_NAMES.items()}
MAX_WIDTH = 60                      # Excel column width cap (characters)


# ------------------------------------------------------------------ facts
def field_text(f: Fact, name: str) -> str:
    v = getattr(f, name)
    if name == "kind":
        return KIND_NAMES.get(v, v)
    return "" if v is None else str(v)


def fact_to_row(f: Fact) -> list[str]:
    return [field_text(f, name) for name in FACT_FIELDS]


def row_to_fact(row: dict[str, str]) -> Fact:
    """A row keyed by field name or by its Chinese header -> the fact (types read back from their words)."""
    by_header = {h: n for n, h in FACT_HEADERS.items()}
    row = {by_header.get(k, k): v for k, v in row.items()}
    kw = {}
    for name in FACT_FIELDS:
        v = row.get(name, "")
        v = "" if v is None else str(v)
        if name == "kind":
            v = KIND_CODES.get(v, v)
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
    """One row per fact under the Chinese header (UTF-8 text; write it with utf-8-sig for Excel)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([FACT_HEADERS[n] for n in FACT_FIELDS])
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
            cells.append((field_text(f, name), TEXT))
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
    """A finding in the columns of FINDING_HEADERS: family and rule in words, each code beside it."""
    where = " | ".join(filter(None, ((c.table or c.section or "") for c in f.citations)))
    values = {"doc_id": f.doc_id, "severity": f.severity, "family_name": f.family_name, "family": f.family,
              "rule_name": RULE_NAMES.get(f.rule, f.rule), "rule": f.rule,
              "page": "" if f.page is None else str(f.page), "message": f.message, "figures": " / ".join(f.figures),
              "where": where, "cited_text": " || ".join(c.text for c in f.citations),
              "cited_pages": " / ".join("" if c.page is None else str(c.page) for c in f.citations)}
    return [values[name] for name in FINDING_FIELDS]


def findings_to_csv(findings) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(FINDING_HEADERS.values()))
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
    set_widths(ws, headers, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def text_width(value) -> int:
    """Columns a text takes in Excel: a CJK character two, others one (the longest line of the text)."""
    lines = str(value).splitlines() or [""]
    return max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in lines)


def set_widths(ws, headers: list[str], rows: list[list[tuple[object, str]]]) -> None:
    """Each column as wide as its header or widest cell (capped), so nothing opens as ####."""
    from openpyxl.utils import get_column_letter
    for i, header in enumerate(headers):
        widest = max([text_width(header)] + [text_width(r[i][0]) for r in rows[:2000] if i < len(r)])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(widest + 2, MAX_WIDTH)
