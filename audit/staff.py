"""Pure helpers of the two staff pages (pages/1_核查.py, pages/2_数据浏览.py): filter and show facts and
findings. Their strings are in prompts/staff_zh.py; the token gate and the store in service.py."""
from __future__ import annotations

import re
from dataclasses import dataclass

from audit.model import FAMILIES, Finding
from prompts.staff_zh import COLUMNS, KIND_NAMES
from schema import Fact


@dataclass(frozen=True)
class FactFilter:
    docs: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    code: str = ""
    label: str = ""
    column: str = ""
    units: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    pages: tuple[int, int] | None = None
    search: str = ""


def filter_facts(facts: list[Fact], f: FactFilter) -> list[Fact]:
    """Facts passing every filter; text filters are substrings (code: prefix), search spans all fields."""
    words = [w for w in re.split(r"\s+", f.search.strip()) if w]
    out = []
    for x in facts:
        if (f.docs and x.doc not in f.docs) or (f.tables and (x.table or x.section or "") not in f.tables):
            continue
        if (f.code and not (x.code or "").startswith(f.code.strip())) or (f.label and f.label not in x.label):
            continue
        if (f.column and f.column not in x.column) or (f.units and x.unit not in f.units) or (f.kinds and x.kind not in f.kinds):
            continue
        if f.pages and (x.page is None or not f.pages[0] <= x.page <= f.pages[1]):
            continue
        if words:
            hay = " ".join(str(v) for v in (x.doc, x.table, x.section, x.code, x.label, x.column, x.raw, x.unit, x.text))
            if not all(w in hay for w in words):
                continue
        out.append(x)
    return out


def fact_records(facts: list[Fact]) -> list[dict[str, str]]:
    """Rows for a table on screen: figures as printed, blank for what is not there."""
    return [{COLUMNS[k]: ("" if getattr(x, k) is None else
                          KIND_NAMES.get(x.kind, x.kind) if k == "kind" else
                          (x.table or x.section or "") if k == "table" else str(getattr(x, k)))
             for k in COLUMNS} for x in facts]


def group_by_family(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    return [(FAMILIES[k], [f for f in findings if f.family == k]) for k in FAMILIES
            if any(f.family == k for f in findings)]


def filter_findings(findings: list[Finding], severities=(), families=()) -> list[Finding]:
    return [f for f in findings if (not severities or f.severity in severities)
            and (not families or f.family_name in families)]
