"""One document's facts, tables and lines arranged for the checks: table rows, and sentences
with their section and page. Built once per audit; pure."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.narrative import PAGE_MARK, heading_level, lines_to_sections, text_to_sentences
from labels import label_key
from schema import Citation, Document, Fact, Line, RawTable

TOTAL_LABELS = re.compile(r"^(合计|总计|部门合计|本年(收入|支出)?合计|本年(收入|支出)?小计|当年(收入|支出)?小计|"
                          r"(收入|支出)(总计|合计)|收入支出总计)$")


@dataclass(frozen=True)
class Row:
    """One printed row of one side of a table: its label, code and value cells by column path."""
    table: "TableView"
    index: int
    label: str
    code: str | None
    level: str | None
    parent: str | None
    page: int | None
    text: str
    cells: tuple[Fact, ...]

    @property
    def key(self) -> str:
        return label_key(self.label)

    @property
    def is_total(self) -> bool:
        return not self.code and bool(TOTAL_LABELS.match(self.key))

    def cell(self, column: str) -> Fact | None:
        return next((f for f in self.cells if f.column == column), None)

    def cite(self, doc_title: str, column: str = "") -> Citation:
        return Citation(doc=doc_title, page=self.page, table=self.table.title, section=None, text=self.text,
                        doc_id=self.table.doc, file=self.table.file, label=self.label, column=column)


@dataclass(frozen=True)
class TableView:
    doc: str
    title: str
    name: str | None
    number: str | None
    unit: str
    file: str
    segment: int = 0      # 0: the body's own tables; 1, 2 …: another body's set (a title printed again)
    rows: list[Row] = field(default_factory=list, compare=False, hash=False)

    @property
    def columns(self) -> list[str]:
        out: list[str] = []
        for r in self.rows:
            for f in r.cells:
                if f.column not in out:
                    out.append(f.column)
        return out

    @property
    def has_values(self) -> bool:
        return any(f.value is not None for r in self.rows for f in r.cells)


@dataclass(frozen=True)
class Sentence:
    text: str
    page: int | None
    section: str
    index: int            # order in the document
    paragraph: int        # sentences of one paragraph share it
    file: str = ""
    in_table: bool = False  # a sentence inside a table cell (项目概况 …)

    def cite(self, doc_title: str, doc_id: str = "") -> Citation:
        return Citation(doc=doc_title, page=self.page, table=None, section=self.section or None,
                        text=self.text, doc_id=doc_id, file=self.file)


@dataclass(frozen=True)
class View:
    document: Document
    tables: list[TableView]
    sentences: list[Sentence]
    lines: list[Line]
    raw_tables: list[RawTable]
    facts: list[Fact]
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, fn):
        """A value computed once per view (scope collapse, code names …)."""
        if key not in self.cache:
            self.cache[key] = fn(self)
        return self.cache[key]

    @property
    def title(self) -> str:
        return self.document.title

    @property
    def narrative(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.in_table]

    def paragraph(self, s: Sentence) -> list[Sentence]:
        return [x for x in self.sentences if x.paragraph == s.paragraph and x.in_table == s.in_table]

    def tables_named(self, *names: str) -> list[TableView]:
        """The body's own tables of these names (not a subordinate unit's set printed after them)."""
        return [t for t in self.tables if t.name in names and t.segment == 0]

    def rows(self, *names: str) -> list[Row]:
        return [r for t in self.tables if not names or t.name in names for r in t.rows]


def facts_to_tables(facts: list[Fact]) -> list[TableView]:
    """Table cells in printed order -> tables of rows; a new table starts when the title changes
    or the row index goes back."""
    tables: list[TableView] = []
    groups: dict[tuple[int, str], list[Fact]] = {}
    last: tuple | None = None
    last_row = -1
    segment = 0
    titles: set[str] = set()
    for f in facts:
        if not f.table or f.kind not in ("cell", "empty"):
            continue
        ident = (f.file, f.table, f.table_no)
        if ident != last or f.row < last_row:
            if f.table in titles and f.table != tables[-1].title:
                segment, titles = segment + 1, set()     # an earlier title again: a subordinate unit's tables follow
            titles.add(f.table)
            tables.append(TableView(f.doc, f.table, f.table_name, f.table_no, f.unit, f.file, segment))
            last = ident
        last_row = f.row
        groups.setdefault((len(tables) - 1, f"{f.row}\x00{f.label}\x00{f.code or ''}"), []).append(f)
    for (ti, _), cells in groups.items():
        first = cells[0]
        tables[ti].rows.append(Row(tables[ti], first.row, first.label, first.code, first.level, first.parent,
                                   first.page, first.text, tuple(cells)))
    return tables


def _section_of_lines(lines: list[Line]) -> dict[int, str]:
    """id(line) -> the section path it is printed under."""
    out: dict[int, str] = {}
    for section in lines_to_sections(lines):
        path = " / ".join(p for p in (section.path or section.heading).split(" / ")
                          if not (re.match(r"^\d{1,2}[、.．]", p) and len(p) > 16))
        for line in section.lines:
            out[id(line)] = path
    return out


def _is_heading(text: str) -> bool:
    if re.search(r"[：:].", text) or _open_marks(text):
        return False          # a definition or a wrapped line, not a heading
    level = heading_level(text)
    return level in (0, 1, 2) or (level == 3 and len(text) <= 16 and not re.search(r"[，。；：:]", text))


def _open_marks(text: str) -> bool:
    return text.count("（") + text.count("(") != text.count("）") + text.count(")") or \
        text.count("“") != text.count("”")


def _closes_bracket(before: str, line: str) -> bool:
    """A line ending in 。 inside an open bracket, and the next line closes it: one paragraph."""
    depth = before.count("（") + before.count("(") - before.count("）") - before.count(")")
    return depth > 0 and bool(re.search(r"[）)]", line))


def lines_to_paragraphs(lines: list[Line]) -> list[tuple[str, int | None, str]]:
    """Printed lines -> (paragraph, page, section). A wrapped line joins the one before unless that
    ended a sentence or is a heading; numbered list items (1、 2、) wrapped mid-name still join."""
    lines = [x for x in lines if x.text.strip() and not PAGE_MARK.match(x.text.strip())]
    sections = _section_of_lines(lines)
    out: list[list] = []
    prev_heading = True
    section = ""
    for line in lines:
        text = line.text.strip()
        heading = _is_heading(text)
        section = sections.get(id(line), section)
        if heading:
            out.append([text, line.page, text])
            prev_heading = True
            continue
        if out and not prev_heading and (not re.search(r"[。；;！？：:]$", out[-1][0]) or _closes_bracket(out[-1][0], text)):
            out[-1][0] += text
        else:
            out.append([text, line.page, sections.get(id(line), section)])
        prev_heading = False
    return [(t, p, sec) for t, p, sec in out]


def lines_to_sentences(lines: list[Line], start: int = 0) -> list[Sentence]:
    out: list[Sentence] = []
    for para, (text, page, section) in enumerate(lines_to_paragraphs(lines), start + 1):
        for s in text_to_sentences(text):
            out.append(Sentence(s, page, section, start + len(out), para))
    return out


def cell_sentences(facts: list[Fact], start: int) -> list[Sentence]:
    """Sentences inside table cells (项目概况 …), as the narrative facts carry them: their section is
    `table title / row heading`."""
    out: list[Sentence] = []
    seen: set[tuple[str, str]] = set()
    titles = {f.table for f in facts if f.table}
    para = start
    for f in facts:
        if f.kind == "text" and f.section and f.section.split(" / ")[0] in titles and (f.section, f.text) not in seen:
            seen.add((f.section, f.text))
            para += 1
            out.append(Sentence(f.text, f.page, f.section, start + len(out), para, f.file, True))
    return out


def build_view(document: Document, facts: list[Fact], lines: list[Line], tables: Sequence[RawTable] = ()) -> View:
    sentences = lines_to_sentences(list(lines))
    narrative = {s.text for s in sentences}
    cells = [s for s in cell_sentences(list(facts), len(sentences) + 10_000) if s.text not in narrative]
    return View(document, facts_to_tables(list(facts)), sentences + cells, list(lines), list(tables), list(facts))
