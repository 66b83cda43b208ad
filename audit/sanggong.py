"""“三公” and 政府采购 parts, as a table prints them (by rows or by columns) and as the text states them."""
from __future__ import annotations

import re
from collections import defaultdict

from audit.common import amount, leaf
from audit.figures import Printed
from audit.view import Row, TableView
from labels import label_key

PARTS = ("abroad", "reception", "car")
CAR_PARTS = ("car_buy", "car_run")
NAMES = {"total": "“三公”经费合计", "abroad": "因公出国（境）费", "reception": "公务接待费",
         "car": "公务用车购置及运行费", "car_buy": "公务用车购置费", "car_run": "公务用车运行维护费"}


def classify(text: str, table_has_others: bool) -> str | None:
    """Which 三公 part a label or column path names."""
    t = re.sub(r"\s+", "", text)
    if "机关运行" in t or "会议费" in t or "培训费" in t:
        return None
    if "因公出国" in t:
        return "abroad"
    if "公务接待" in t:
        return "reception"
    last = t.split("/")[-1]
    if "购置及运行" in t:
        if last in ("小计", "合计") or re.search(r"购置及运行(维护)?费$", last):
            return "car"
        if re.search(r"购置费?$", last):
            return "car_buy"
        if re.search(r"运行(维护)?费$", last):
            return "car_run"
        return None
    if re.search(r"公务用车购置费?$|^①?公务用车购置", last):
        return "car_buy"
    if re.search(r"公务用车运行(维护)?费$|^②?公务用车运行", last):
        return "car_run"
    if "三公" in t and last in ("合计", "小计", "“三公”经费", "三公经费") or (last == "合计" and not table_has_others):
        return "total"
    return None


def table_parts(t: TableView) -> dict[tuple, dict[str, tuple[Row, str, Printed]]]:
    """(row or column key) -> part -> (row, column, figure), for one 三公 table."""
    others = any("会议费" in c or "培训费" in c for c in t.columns)
    groups: dict[tuple, dict[str, tuple[Row, str, Printed]]] = defaultdict(dict)
    for r in t.rows:
        by_label = classify(label_key(r.label), others) if label_key(r.label) not in ("合计",) else "total"
        for f in r.cells:
            p = amount(f)
            if p is None:
                continue
            stage = leaf(f.column) if leaf(f.column) in ("预算数", "决算数") else ""
            path = f.column.rsplit("/", 1)[0] if stage else f.column
            part: str | None
            key: tuple[str, str] | tuple[str, int, str]
            if r.label != f.column and by_label:
                part, key = by_label, ("col", f.column)
            else:
                part, key = classify(path, others), ("row", r.index, stage)
            if part:
                groups[key].setdefault(part, (r, f.column, p))
    return groups
