"""Facts and passages -> a short Chinese answer with numbered citations. Deterministic, no model."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from retrieval.grounding import marker
from schema import Citation, Document, Fact

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=1)
def templates() -> dict[str, str]:
    return tomllib.loads((PROMPTS / "composer.toml").read_text(encoding="utf-8"))


def say(key: str, **kw) -> str:
    return templates()[key].format(**kw)


def table_label(f: Fact) -> str:
    if not f.table:
        return ""
    no = f.table_no or ""
    return f.table if not no or no in f.table else f"{no} {f.table}"


def fact_citation(f: Fact, doc: Document, role: str = "") -> Citation:
    return Citation(doc=doc.title, page=f.page, table=table_label(f) or None,
                    section=f.section if not f.table else None, text=f.text, doc_id=doc.doc_id,
                    file=f.file, label=f.label, column=f.column, role=role)


def passage_citation(text: str, doc: Document, page: int | None, section: str | None, table: str | None,
                     file: str = "") -> Citation:
    return Citation(doc=doc.title, page=page, table=table, section=section, text=text, doc_id=doc.doc_id, file=file)


@dataclass
class Citer:
    """Numbers citations in the order they are first used; the same source gets the same number."""
    citations: list[Citation] = field(default_factory=list)

    def cite(self, c: Citation) -> str:
        key = (c.doc_id, c.table, c.section, c.page, c.text)
        for i, old in enumerate(self.citations):
            if (old.doc_id, old.table, old.section, old.page, old.text) == key:
                return marker(i + 1)
        self.citations.append(c)
        return marker(len(self.citations))


def money_unit(f: Fact) -> str:
    return f.unit or ""


def convert(value: Decimal, unit: str, to: str) -> Decimal | None:
    if unit == "万元" and to == "元":
        return (value * 10000).quantize(Decimal("0.01"))
    if unit == "元" and to == "万元":
        return (value / 10000).quantize(Decimal("0.01"))
    return None


def fmt(d: Decimal) -> str:
    return f"{d:,.2f}"
