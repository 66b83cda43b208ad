"""One file -> Parsed (document identity, facts, chunks). Pure apart from reading the file.

`read_file` gives a Reading: the Parsed file with how its identity was read (the evidence, whether
the body is printed in it) and the parser version that read it. PARSER_VERSION is bumped whenever a
change here or below reads a file differently (identity, tables, figures): a store records it per file
and `python -m corpus --reread` re-reads the files an older version read.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ingest.chunks import sections_to_chunks, tables_to_chunks
from ingest.errors import IngestError, NotADisclosure
from ingest.identity import Identity, blocks_to_identity, doc_id_for, facts_to_totals
from ingest.layout import blocks_to_tables, split_frames
from ingest.narrative import lines_to_sections, sections_to_facts
from ingest.tables import table_to_facts
from ingest.text import text_to_blocks
from prompts.ingest_zh import reason
from schema import Block, Document, Fact, Parsed

PARSER_VERSION = 2      # 1: every reading before versions were recorded; 2: identity with evidence, joins on it
TEXT_SUFFIXES = {".txt", ".text", ".md", ".tsv"}
MAX_BYTES = 200 * 1024 * 1024
UNCONFIRMED = "（单位待确认）"
OTHER_FILES = (         # (what it is, name endings, leading bytes): files that are not a PDF or text disclosure
    ("spreadsheet", (".xls", ".xlsx", ".xlsm", ".ods", ".csv", ".et"), ()),
    ("image", (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"),
     (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"RIFF")),
    ("word", (".doc", ".docx", ".wps", ".odt", ".rtf"), (b"{\\rtf",)),
    ("archive", (".zip", ".rar", ".7z", ".gz"), (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")),
)
NOTES = (".md", ".markdown", ".rst", ".html", ".htm", ".json", ".yaml", ".yml")     # a README, SOURCES.md …


@dataclass(frozen=True)
class Reading:
    """One file as read: its Parsed form, and what a store keeps about the reading."""
    parsed: Parsed
    confirmed: bool                     # the body is printed in the file (else: 单位待确认)
    evidence: tuple[str, ...]
    totals: frozenset[Decimal]          # its income/spending totals in 万元 (a join checks they agree)
    parser: int = PARSER_VERSION


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def other_file_kind(path: Path, data: bytes) -> str | None:
    """What a file that is not a PDF or text disclosure is (spreadsheet, image, word, archive, other)."""
    if data[:5] == b"%PDF-":
        return None
    suffix = path.suffix.lower()
    for kind, suffixes, magics in OTHER_FILES:
        if suffix in suffixes or any(data.startswith(m) for m in magics):
            return kind
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":           # an old Office file (.xls or .doc)
        return "spreadsheet" if suffix.startswith(".x") else "word"
    return "other" if b"\x00" in data[:4096] else None


def not_a_disclosure(kind: str) -> IngestError:
    if kind == "other":
        return IngestError(*reason("file_type"))
    what, what_en = reason(f"what_{kind}")
    return NotADisclosure(*reason("not_a_disclosure_file", what=what, what_en=what_en))


def read_blocks(path: Path, data: bytes) -> tuple[list[Block], int | None]:
    if not data.strip():
        raise IngestError(*reason("empty"))
    if data[:5] == b"%PDF-" or path.suffix.lower() == ".pdf":
        from ingest.pdf_read import PdfError, pdf_to_blocks
        try:
            blocks, pages = pdf_to_blocks(path)
        except PdfError as e:
            raise IngestError(e.reason_zh, e.reason_en) from None
        return blocks, pages
    kind = other_file_kind(path, data)
    if kind is not None:
        raise not_a_disclosure(kind)
    if path.suffix.lower() not in TEXT_SUFFIXES:      # corpus.jsonl, LICENSE, notes.json beside the disclosures
        raise not_a_disclosure("notes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise IngestError(*reason("encoding")) from None
    return text_to_blocks(text), None


def is_blank_form(identity: Identity, facts: list[Fact]) -> bool:
    """A blank form: every table cell empty, and no narrative of a real body and year stating a figure
    (a narrative file with no tables, or with empty ones, is a disclosure)."""
    tables_empty = not any(f.value is not None for f in facts if f.table)
    narrative = (identity.confirmed and not identity.placeholder and identity.year is not None
                 and any(f.value is not None for f in facts if f.table is None))
    return tables_empty and not narrative


def blocks_to_reading(blocks: list[Block], name: str, digest: str, pages: int | None,
                      meta_title: str = "") -> Reading:
    blocks = split_frames(blocks)
    who = blocks_to_identity(blocks, name, meta_title)
    # a body the file does not print names a document of its own until a join or staff place it
    doc_id = doc_id_for(who.body if who.confirmed else who.body + UNCONFIRMED, who.year, who.scope, who.kind)
    tables, lines = blocks_to_tables(blocks)
    sections = lines_to_sections(lines)
    facts = [f for t in tables for f in table_to_facts(t, doc_id, name)]
    facts += sections_to_facts(sections, doc_id, name, who.body if who.confirmed else "")
    if not tables and not facts:
        raise IngestError(*reason("not_disclosure"))
    version = hashlib.sha1(f"{digest}|{PARSER_VERSION}".encode()).hexdigest()[:12]
    chunks = (tables_to_chunks(tables, doc_id, who.title, version)
              + sections_to_chunks(sections, doc_id, who.title, version))
    document = Document(doc_id=doc_id, title=who.title, body=who.body, year=who.year, kind=who.kind,
                        scope=who.scope, files=(name,), content_hash=digest,
                        is_template=is_blank_form(who, facts), pages=pages)
    parsed = Parsed(document=document, facts=tuple(facts), chunks=tuple(chunks), tables=tuple(tables),
                    lines=tuple(lines))
    return Reading(parsed, who.confirmed, who.evidence, facts_to_totals(facts))


def blocks_to_parsed(blocks: list[Block], name: str, digest: str, pages: int | None) -> Parsed:
    return blocks_to_reading(blocks, name, digest, pages).parsed


def read_file(path: str | Path, name: str | None = None) -> Reading:
    """Read a PDF or text disclosure (`name`: the file's name when the path is a copy of it). Raises
    IngestError with one clear reason; a file that is not a PDF or text disclosure (a spreadsheet, an
    image, a README) is said to be so, never called a template."""
    path = Path(path)
    name = name or path.name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(*reason("unreadable", reason=e.strerror)) from None
    if len(data) > MAX_BYTES:
        raise IngestError(*reason("too_large"))
    blocks, pages = read_blocks(path, data)
    meta = ""
    if pages is not None:
        from ingest.pdf_read import pdf_title
        meta = pdf_title(path)
    try:
        reading = blocks_to_reading(blocks, name, file_hash(data), pages, meta)
    except IngestError:
        if pages is None and Path(name).suffix.lower() in NOTES:
            raise not_a_disclosure("notes") from None
        raise
    if pages is None and Path(name).suffix.lower() in NOTES and reading.parsed.document.is_template:
        raise not_a_disclosure("notes")
    return reading


def parse_file(path: str | Path) -> Parsed:
    """Read a PDF or text disclosure. Raises IngestError with a clear reason."""
    return read_file(path).parsed
