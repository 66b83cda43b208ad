"""Sections and tables -> chunks that say what they are about when read alone."""
from __future__ import annotations

import hashlib

from ingest.narrative import Section, lines_to_paragraphs
from ingest.tables import header_count
from labels import clean
from schema import Chunk, RawTable

MAX_CHARS = 360
ROWS_PER_CHUNK = 8


def _cid(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


def sections_to_chunks(sections: list[Section], doc_id: str, title: str, version: str = "") -> list[Chunk]:
    chunks: list[Chunk] = []
    for s_no, section in enumerate(sections):
        buf, page = "", None
        for para in lines_to_paragraphs(section.lines):
            if buf and len(buf) + len(para.text) > MAX_CHARS:
                chunks.append(_text_chunk(doc_id, title, section, buf, page, version, s_no, len(chunks)))
                buf, page = "", None
            buf, page = (buf + para.text), page if page is not None else para.page
            while len(buf) > MAX_CHARS * 2:
                chunks.append(_text_chunk(doc_id, title, section, buf[:MAX_CHARS], page, version, s_no, len(chunks)))
                buf = buf[MAX_CHARS:]
        if buf:
            chunks.append(_text_chunk(doc_id, title, section, buf, page, version, s_no, len(chunks)))
    return chunks


def _text_chunk(doc_id, title, section, text, page, version, s_no, n) -> Chunk:
    head = f"{title} · {section.path}" if section.path else title
    return Chunk(chunk_id=_cid(doc_id, version, "s", s_no, n), doc=doc_id, text=f"{head}\n{text}",
                 page=page, section=section.path or None, table=None, kind="text")


def tables_to_chunks(tables: list[RawTable], doc_id: str, title: str, version: str = "") -> list[Chunk]:
    chunks: list[Chunk] = []
    for t_no, table in enumerate(tables):
        h = header_count(table.rows)
        head = "\n".join(" | ".join(clean(c) for c in r) for r in table.rows[:h])
        body = [r for r in table.rows[h:] if any(c.strip() for c in r)]
        unit = f"（单位：{table.unit}）" if table.unit else ""
        notes = " ".join(table.notes)
        for start in range(0, max(len(body), 1), ROWS_PER_CHUNK):
            rows = body[start:start + ROWS_PER_CHUNK]
            text = "\n".join(" | ".join(clean(c) for c in r if c.strip()) for r in rows)
            page = table.row_pages[h + start] if h + start < len(table.row_pages) else table.page
            chunks.append(Chunk(chunk_id=_cid(doc_id, version, "t", t_no, start), doc=doc_id,
                                text=f"{title} · {table.title}{unit}\n{head}\n{text}\n{notes}".strip(),
                                page=page, section=None, table=table.title, kind="table"))
    return chunks
