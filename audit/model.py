"""The audit's one record: a Finding, with a citation for each side it compares."""
from __future__ import annotations

from dataclasses import dataclass

from schema import Citation

ERROR = "错误"
HINT = "提示"
SEVERITY_ORDER = {ERROR: 0, HINT: 1}

# family keys (stable, used in JSON / CSV) -> names shown to staff
FAMILIES: dict[str, str] = {
    "arithmetic": "表内算术",
    "cross_table": "表间一致",
    "text_table": "文表一致",
    "percent": "比例与增减",
    "repeat": "重复表述与绩效",
    "identity": "年度与名称",
    "form": "格式残留",
}


@dataclass(frozen=True)
class Finding:
    family: str                          # a FAMILIES key
    severity: str                        # 错误 | 提示
    message: str                         # one Chinese sentence a reviewer can act on
    citations: tuple[Citation, ...]      # each side: page, table or section, row as printed
    figures: tuple[str, ...] = ()        # the figures involved, as printed or recomputed
    rule: str = ""                       # which check, e.g. sum.children
    doc_id: str = ""

    @property
    def page(self) -> int | None:
        pages = [c.page for c in self.citations if c.page is not None]
        return min(pages) if pages else None

    @property
    def family_name(self) -> str:
        return FAMILIES.get(self.family, self.family)

    def to_json(self) -> dict:
        return {
            "doc_id": self.doc_id, "family": self.family, "family_name": self.family_name,
            "severity": self.severity, "rule": self.rule, "message": self.message,
            "figures": list(self.figures), "page": self.page,
            "citations": [{"page": c.page, "table": c.table, "section": c.section, "text": c.text,
                           "label": c.label, "column": c.column, "file": c.file} for c in self.citations],
        }


def sort_findings(findings) -> list[Finding]:
    """Severity first (错误 before 提示), then page (unpaged last), then family and message."""
    def key(f: Finding):
        page = f.page
        return (SEVERITY_ORDER.get(f.severity, 9), page is None, page or 0,
                list(FAMILIES).index(f.family) if f.family in FAMILIES else 99, f.message)
    return sorted(dedupe(findings), key=key)


def dedupe(findings) -> list[Finding]:
    seen: set = set()
    out = []
    for f in findings:
        k = (f.family, f.rule, f.message)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out
