"""What the two staff pages (pages/1_核查.py, pages/2_数据浏览.py) share: their strings, the store they
read, the admin-token gate, and pure helpers to filter and show facts and findings."""
from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.audit.model import FAMILIES, Finding
from schema import Fact

UI = {
    "audit_title": "一致性核查",
    "audit_caption": "逐份核对表内算术、表间数字、文表数字、比例与增减、重复表述、年度名称和格式残留。"
                     "“错误”为数字或表述确有矛盾，“提示”需人工判断；四舍五入的尾差不计。",
    "browse_title": "数据浏览",
    "browse_caption": "已载入文件的全部数字，按原样保存：可按文件、表格、科目编码、项目、栏目、单位、页码筛选和搜索，并导出。",
    "doc": "文件",
    "doc_all": "全部文件",
    "severity": "严重程度",
    "family": "类别",
    "count_errors": "错误",
    "count_hints": "提示",
    "none": "未发现问题。",
    "no_docs": "尚未载入公开文件。请先在问答页上传，或用 python -m ingest 导入。",
    "template": "（空白表样，不核查）",
    "page": "第 {page} 页",
    "export_csv": "导出 CSV",
    "export_xlsx": "导出 Excel",
    "locked": "此页面仅供工作人员使用，请输入管理口令。",
    "token": "管理口令",
    "token_wrong": "口令不正确。",
    "table": "表格",
    "code": "科目编码",
    "label": "项目",
    "column": "栏目",
    "unit": "单位",
    "pages": "页码范围",
    "kind": "类型",
    "search": "搜索（任意字段）",
    "shown": "共 {n} 条，显示 {m} 条",
    "too_many": "仅显示前 {n} 条，导出包含全部筛选结果。",
    "error_store": "数据服务暂时不可用，请稍后再试。",
}
KIND_NAMES = {"cell": "表格数字", "empty": "空单元格", "text": "文中数字", "indicator": "绩效指标"}
COLUMNS = {"doc": "文件", "table": "表格", "page": "页码", "code": "科目编码", "label": "项目", "column": "栏目",
           "raw": "数值（原样）", "unit": "单位", "kind": "类型", "text": "原文行", "section": "章节"}


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


def token_ok(given: str, expected: str) -> bool:
    import hmac
    return not expected or (bool(given) and hmac.compare_digest(given.encode(), expected.encode()))


def open_store(settings):
    """The facts store; an empty one gets the bundled sample the way the chat page does."""
    from retrieval.facts_store import FactStore
    store = FactStore(settings.facts_db)
    if settings.load_sample and not store.documents():
        from retrieval.engine import get_engine
        get_engine(settings)
    return store
