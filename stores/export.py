"""Facts and findings to CSV and XLSX, exactly as stored (every field as text, nothing reformatted),
and CSV/XLSX back to facts. Pure: strings and bytes in and out."""
from __future__ import annotations

import csv
import io
from dataclasses import fields
from decimal import Decimal

from schema import Fact

FACT_FIELDS = [f.name for f in fields(Fact)]
OPTIONAL = {"table", "table_name", "table_no", "section", "page", "code", "level", "parent", "value"}
INTS = {"page", "row"}
FINDING_FIELDS = ["doc_id", "severity", "family", "family_name", "rule", "page", "message", "figures",
                  "where", "cited_text", "cited_pages"]
FACT_HEADERS_ZH = {"doc": "文件", "table": "表格", "table_name": "表名", "table_no": "表号", "section": "章节",
                   "page": "页码", "code": "科目编码", "level": "级次", "parent": "上级编码", "label": "项目",
                   "column": "栏目", "value": "数值", "raw": "原文数字", "unit": "单位", "text": "原文行",
                   "kind": "类型", "row": "行序", "file": "源文件"}


# ------------------------------------------------------------------ facts
def fact_to_row(f: Fact) -> list[str]:
    out = []
    for name in FACT_FIELDS:
        v = getattr(f, name)
        out.append("" if v is None else str(v))
    return out


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


def facts_to_xlsx(facts) -> bytes:
    """A workbook with one sheet of facts; every cell is text so figures stay as printed."""
    return _xlsx("事实", FACT_FIELDS, [fact_to_row(f) for f in facts], [FACT_HEADERS_ZH[n] for n in FACT_FIELDS])


def xlsx_to_facts(data: bytes) -> list[Fact]:
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    names = [str(x) for x in rows[0]]
    return [row_to_fact({n: ("" if v is None else str(v)) for n, v in zip(names, r)}) for r in rows[2:]]


# ------------------------------------------------------------------ findings
def finding_to_row(f) -> list[str]:
    first = f.citations[0] if f.citations else None
    where = " | ".join(filter(None, ((c.table or c.section or "") for c in f.citations)))
    return [f.doc_id, f.severity, f.family, f.family_name, f.rule, "" if f.page is None else str(f.page), f.message,
            " / ".join(f.figures), where, " || ".join(c.text for c in f.citations) if first else "",
            " / ".join("" if c.page is None else str(c.page) for c in f.citations)]


def findings_to_csv(findings) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FINDING_FIELDS)
    for f in findings:
        w.writerow(finding_to_row(f))
    return buf.getvalue()


def findings_to_xlsx(findings) -> bytes:
    headers = ["文件", "严重程度", "类别代码", "类别", "规则", "页码", "问题", "涉及数字", "位置", "原文", "各处页码"]
    return _xlsx("核查结果", FINDING_FIELDS, [finding_to_row(f) for f in findings], headers)


def _xlsx(title: str, names: list[str], rows: list[list[str]], labels: list[str]) -> bytes:
    """Row 1: field names (machine), row 2: Chinese headers, then data; all cells stored as text."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r, values in enumerate([names, labels] + rows, start=1):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = v
            cell.data_type = "s"            # never a formula or a number: text as stored
            cell.number_format = "@"
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
