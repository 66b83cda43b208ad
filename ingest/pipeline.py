"""One file -> Parsed (document identity, facts, chunks). Pure apart from reading the file."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from ingest.chunks import sections_to_chunks, tables_to_chunks
from ingest.errors import IngestError
from ingest.identity import Identity, blocks_to_identity, doc_id_for
from ingest.layout import blocks_to_tables, split_frames
from ingest.narrative import lines_to_sections, sections_to_facts
from ingest.tables import table_to_facts
from ingest.text import text_to_blocks
from prompts.ingest_zh import reason
from schema import Block, Document, Fact, Parsed

TEXT_SUFFIXES = {".txt", ".text", ".md", ".tsv"}
MAX_BYTES = 200 * 1024 * 1024


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    if b"\x00" in data[:4096]:
        raise IngestError(*reason("file_type"))
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
    narrative = (bool(identity.body) and not identity.placeholder and identity.year is not None
                 and any(f.value is not None for f in facts if f.table is None))
    return tables_empty and not narrative


def blocks_to_parsed(blocks: list[Block], name: str, digest: str, pages: int | None) -> Parsed:
    blocks = split_frames(blocks)
    who = blocks_to_identity(blocks)
    doc_id = doc_id_for(who.body, who.year, who.scope, who.kind)
    tables, lines = blocks_to_tables(blocks)
    sections = lines_to_sections(lines)
    facts = [f for t in tables for f in table_to_facts(t, doc_id, name)]
    facts += sections_to_facts(sections, doc_id, name, who.body)
    if not tables and not facts:
        raise IngestError(*reason("not_disclosure"))
    version = digest[:12]
    chunks = (tables_to_chunks(tables, doc_id, who.title, version)
              + sections_to_chunks(sections, doc_id, who.title, version))
    document = Document(doc_id=doc_id, title=who.title, body=who.body, year=who.year, kind=who.kind,
                        scope=who.scope, files=(name,), content_hash=digest,
                        is_template=is_blank_form(who, facts), pages=pages)
    return Parsed(document=document, facts=tuple(facts), chunks=tuple(chunks), tables=tuple(tables),
                  lines=tuple(lines))


def parse_file(path: str | Path) -> Parsed:
    """Read a PDF or text disclosure. Raises IngestError with a clear reason."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(*reason("unreadable", reason=e.strerror)) from None
    if len(data) > MAX_BYTES:
        raise IngestError(*reason("too_large"))
    blocks, pages = read_blocks(path, data)
    parsed = blocks_to_parsed(blocks, path.name, file_hash(data), pages)
    return replace(parsed, document=replace(parsed.document, files=(path.name,)))
