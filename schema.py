"""Records shared by ingest, retrieval, the app and the API.

Frozen dataclasses, free of framework imports. Money and measures are `Decimal`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


# ---------------------------------------------------------------- reading layer
@dataclass(frozen=True)
class Line:
    """One line of running text as printed, with its page (None for text input)."""
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Grid:
    """One table region as cells, rows top to bottom; "" for a blank cell."""
    rows: tuple[tuple[str, ...], ...]
    page: int | None = None
    row_pages: tuple[int | None, ...] = ()


Block = Line | Grid


@dataclass(frozen=True)
class RawTable:
    """A table with its title, unit and grid rows (header rows included)."""
    title: str
    number: str | None          # as printed: 表一, 预算公开表1, 公开表九
    name: str | None            # canonical name: 收支总表, 三公经费表 ...
    unit: str | None            # 万元 / 元 from the 单位 line
    page: int | None
    rows: tuple[tuple[str, ...], ...]
    row_pages: tuple[int | None, ...]
    notes: tuple[str, ...] = ()  # 注：本表无数据 ...


# ---------------------------------------------------------------- stored records
@dataclass(frozen=True)
class Document:
    doc_id: str                 # stable slug: body-year-kind
    title: str                  # e.g. 晋城经济技术开发区建设管理部2026年度部门预算公开
    body: str                   # 部门/单位 name as printed
    year: int | None
    kind: str                   # 预算 | 决算
    scope: str                  # 部门 | 单位
    files: tuple[str, ...] = ()
    content_hash: str = ""
    is_template: bool = False
    pages: int | None = None


@dataclass(frozen=True)
class Fact:
    """One figure: a table cell or a figure stated in a sentence."""
    doc: str                    # Document.doc_id
    table: str | None           # table title as printed (None for narrative facts)
    table_name: str | None      # canonical table name
    table_no: str | None        # table number as printed
    section: str | None         # narrative section heading (None for table cells)
    page: int | None
    code: str | None            # 科目编码 (joined when printed split)
    level: str | None           # 类 | 款 | 项
    parent: str | None          # parent code
    label: str                  # row label as printed
    column: str                 # column path, e.g. 2026年预算数/基本支出
    value: Decimal | None       # None: the cell is empty
    raw: str                    # value as printed
    unit: str                   # 万元, 元, %, 平方米 ...
    text: str                   # source row or sentence as printed
    kind: str = "cell"          # cell | empty | text | indicator
    row: int = 0                # row index inside its table (order of printing)
    file: str = ""              # source file name


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc: str
    text: str
    page: int | None
    section: str | None
    table: str | None
    kind: str = "text"          # text | table


@dataclass(frozen=True)
class Parsed:
    document: Document
    facts: tuple[Fact, ...]
    chunks: tuple[Chunk, ...]
    tables: tuple[RawTable, ...] = ()
    lines: tuple[Line, ...] = ()


# ---------------------------------------------------------------- answers
@dataclass(frozen=True)
class Citation:
    doc: str                    # document title
    page: int | None
    table: str | None
    section: str | None
    text: str                   # row or sentence as printed
    doc_id: str = ""
    file: str = ""
    label: str = ""
    column: str = ""
    role: str = ""              # main: the figure answered | agrees: another table printing it | differs


@dataclass(frozen=True)
class AnswerPart:
    """One document's block of an answer; an answer about several documents has one block each."""
    doc_id: str
    heading: str                # the document as named to a reader ("" when the answer is about one)
    text: str                   # its sentences, with the answer's citation markers
    value: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    answerable: bool
    value: str | None = None
    unit: str | None = None
    citations: tuple[Citation, ...] = ()
    latency_ms: float = 0.0
    docs: tuple[str, ...] = ()          # doc_ids the answer is about
    suggestions: tuple[str, ...] = ()   # nearest items when not found
    mode: str = "composer"              # composer | llm | llm-fallback
    note: str = ""
    parts: tuple[AnswerPart, ...] = ()  # per document, in the order of the text

    def to_json(self, qid: str | None = None) -> dict:
        out = {
            "question": self.question, "answer": self.answer, "answerable": self.answerable,
            "value": self.value, "unit": self.unit,
            "citations": [
                {"doc": c.doc, "page": c.page, "table": c.table, "section": c.section,
                 "text": c.text, "doc_id": c.doc_id, "file": c.file, "role": c.role}
                for c in self.citations
            ],
            "latency_ms": round(self.latency_ms, 2), "docs": list(self.docs),
            "suggestions": list(self.suggestions), "mode": self.mode, "note": self.note,
            "parts": [{"doc_id": p.doc_id, "heading": p.heading, "text": p.text, "value": p.value, "unit": p.unit}
                      for p in self.parts],
        }
        if qid is not None:
            out = {"id": qid, **out}
        return out


@dataclass(frozen=True)
class IngestResult:
    file: str
    ok: bool
    doc_id: str | None = None
    facts: int = 0
    chunks: int = 0
    skipped: bool = False        # unchanged file
    error: str = ""              # one clear line, Chinese / English
    pages: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.file.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def error_zh(self) -> str:
        return self.error.split(" / ", 1)[0]
