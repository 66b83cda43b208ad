"""Facts, documents, tables and narrative lines in SQL: SQLite by default, PostgreSQL by URL.

One SQLAlchemy Core adapter serves both engines. A file's new version replaces its old one in a
single transaction, so a question never sees half of it.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from schema import Document, Fact, Line, Parsed, RawTable

meta = sa.MetaData()
documents = sa.Table(
    "documents", meta,
    sa.Column("doc_id", sa.String(300), primary_key=True),
    sa.Column("title", sa.Text), sa.Column("body", sa.Text), sa.Column("year", sa.Integer),
    sa.Column("kind", sa.String(10)), sa.Column("scope", sa.String(10)),
    sa.Column("is_template", sa.Boolean), sa.Column("pages", sa.Integer))
files = sa.Table(
    "files", meta,
    sa.Column("name", sa.String(500), primary_key=True),
    sa.Column("doc_id", sa.String(300), index=True), sa.Column("hash", sa.String(64)),
    sa.Column("version", sa.String(20)), sa.Column("pages", sa.Integer), sa.Column("stored_path", sa.Text))
facts = sa.Table(
    "facts", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc", sa.String(300), index=True), sa.Column("file", sa.String(500), index=True),
    sa.Column("tbl", sa.Text), sa.Column("table_name", sa.String(50)), sa.Column("table_no", sa.String(30)),
    sa.Column("section", sa.Text), sa.Column("page", sa.Integer), sa.Column("code", sa.String(12), index=True),
    sa.Column("level", sa.String(4)), sa.Column("parent", sa.String(12)), sa.Column("label", sa.Text),
    sa.Column("col", sa.Text), sa.Column("value", sa.String(40)), sa.Column("raw", sa.Text),
    sa.Column("unit", sa.String(20)), sa.Column("text", sa.Text), sa.Column("kind", sa.String(12)),
    sa.Column("row", sa.Integer))
lines = sa.Table(
    "lines", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc", sa.String(300), index=True), sa.Column("file", sa.String(500), index=True),
    sa.Column("page", sa.Integer), sa.Column("text", sa.Text))
tables = sa.Table(
    "tables", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc", sa.String(300), index=True), sa.Column("file", sa.String(500), index=True),
    sa.Column("title", sa.Text), sa.Column("number", sa.String(30)), sa.Column("name", sa.String(50)),
    sa.Column("unit", sa.String(10)), sa.Column("page", sa.Integer), sa.Column("rows", sa.Text),
    sa.Column("row_pages", sa.Text), sa.Column("notes", sa.Text))


class StoreUnavailable(Exception):
    """The fact database cannot be reached (server down, disk gone)."""


def _fact_row(f: Fact) -> dict:
    return {"doc": f.doc, "file": f.file, "tbl": f.table, "table_name": f.table_name, "table_no": f.table_no,
            "section": f.section, "page": f.page, "code": f.code, "level": f.level, "parent": f.parent,
            "label": f.label, "col": f.column, "value": None if f.value is None else str(f.value),
            "raw": f.raw, "unit": f.unit, "text": f.text, "kind": f.kind, "row": f.row}


def row_to_fact(r) -> Fact:
    return Fact(doc=r.doc, table=r.tbl, table_name=r.table_name, table_no=r.table_no, section=r.section,
                page=r.page, code=r.code, level=r.level, parent=r.parent, label=r.label, column=r.col,
                value=None if r.value is None else Decimal(r.value), raw=r.raw, unit=r.unit, text=r.text,
                kind=r.kind, row=r.row, file=r.file)


class FactStore:
    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"pool_pre_ping": True}
        if url.startswith("postgresql"):
            kwargs["connect_args"] = {"connect_timeout": 3}
        self.engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), **kwargs)
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._run(lambda: meta.create_all(self.engine))

    def _run(self, fn):
        try:
            return fn()
        except sa.exc.OperationalError as e:
            raise StoreUnavailable(str(e.orig) if getattr(e, "orig", None) else str(e)) from None

    # ------------------------------------------------------------ writes
    def file_version(self, name: str) -> tuple[str, str] | None:
        def q():
            with self.engine.connect() as c:
                r = c.execute(sa.select(files.c.hash, files.c.doc_id).where(files.c.name == name)).first()
                return (r.hash, r.doc_id) if r else None
        return self._run(q)

    def replace_file(self, parsed: Parsed, name: str, stored_path: str = "") -> None:
        """Swap one file's facts, lines and tables for a new version in one transaction."""
        d = parsed.document

        def tx():
            with self.engine.begin() as c:
                old = c.execute(sa.select(files.c.doc_id).where(files.c.name == name)).first()
                for t in (facts, lines, tables):
                    c.execute(t.delete().where(t.c.file == name))
                c.execute(files.delete().where(files.c.name == name))
                c.execute(files.insert().values(name=name, doc_id=d.doc_id, hash=d.content_hash,
                                                version=d.content_hash[:12], pages=d.pages, stored_path=stored_path))
                c.execute(documents.delete().where(documents.c.doc_id == d.doc_id))
                c.execute(documents.insert().values(doc_id=d.doc_id, title=d.title, body=d.body, year=d.year,
                                                    kind=d.kind, scope=d.scope, is_template=d.is_template,
                                                    pages=d.pages))
                if parsed.facts:
                    c.execute(facts.insert(), [_fact_row(f) for f in parsed.facts])
                if parsed.lines:
                    c.execute(lines.insert(), [{"doc": d.doc_id, "file": name, "page": x.page, "text": x.text}
                                               for x in parsed.lines])
                if parsed.tables:
                    c.execute(tables.insert(), [_table_row(t, d.doc_id, name) for t in parsed.tables])
                if old and old.doc_id != d.doc_id:
                    _drop_orphan(c, old.doc_id)
        self._run(tx)

    def remove(self, doc_or_file: str) -> list[str]:
        """Delete a document (by id) or one file; returns the file names removed."""
        def tx():
            with self.engine.begin() as c:
                names = [r.name for r in c.execute(sa.select(files.c.name).where(
                    (files.c.doc_id == doc_or_file) | (files.c.name == doc_or_file)))]
                docs = {r.doc_id for r in c.execute(sa.select(files.c.doc_id).where(files.c.name.in_(names)))}
                for t in (facts, lines, tables):
                    c.execute(t.delete().where(t.c.file.in_(names)))
                c.execute(files.delete().where(files.c.name.in_(names)))
                for doc in docs:
                    _drop_orphan(c, doc)
                return names
        return self._run(tx)

    # ------------------------------------------------------------ reads
    def documents(self) -> list[Document]:
        def q():
            with self.engine.connect() as c:
                fl: dict[str, list[str]] = {}
                for r in c.execute(sa.select(files.c.name, files.c.doc_id).order_by(files.c.name)):
                    fl.setdefault(r.doc_id, []).append(r.name)
                return [Document(doc_id=r.doc_id, title=r.title, body=r.body, year=r.year, kind=r.kind,
                                 scope=r.scope, files=tuple(fl.get(r.doc_id, ())), is_template=bool(r.is_template),
                                 pages=r.pages)
                        for r in c.execute(sa.select(documents).order_by(documents.c.year.desc(), documents.c.doc_id))]
        return self._run(q)

    def active_versions(self) -> dict[str, str]:
        def q():
            with self.engine.connect() as c:
                return {r.name: r.version for r in c.execute(sa.select(files.c.name, files.c.version))}
        return self._run(q)

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        def q():
            s = sa.select(facts).order_by(facts.c.id)
            if doc_id:
                s = s.where(facts.c.doc == doc_id)
            with self.engine.connect() as c:
                return [row_to_fact(r) for r in c.execute(s)]
        return self._run(q)

    def labels(self) -> list[str]:
        """Every distinct row label (the understanding of questions matches against them)."""
        def q():
            with self.engine.connect() as c:
                return [r.label for r in c.execute(sa.select(facts.c.label).distinct()) if r.label]
        return self._run(q)

    def lines(self, doc_id: str) -> list[Line]:
        def q():
            with self.engine.connect() as c:
                return [Line(r.text, r.page) for r in c.execute(
                    sa.select(lines).where(lines.c.doc == doc_id).order_by(lines.c.id))]
        return self._run(q)

    def tables(self, doc_id: str) -> list[RawTable]:
        def q():
            with self.engine.connect() as c:
                return [RawTable(title=r.title, number=r.number, name=r.name, unit=r.unit, page=r.page,
                                 rows=tuple(tuple(x) for x in json.loads(r.rows)),
                                 row_pages=tuple(json.loads(r.row_pages)), notes=tuple(json.loads(r.notes)))
                        for r in c.execute(sa.select(tables).where(tables.c.doc == doc_id).order_by(tables.c.id))]
        return self._run(q)

    def stored_path(self, name: str) -> str | None:
        def q():
            with self.engine.connect() as c:
                r = c.execute(sa.select(files.c.stored_path).where(files.c.name == name)).first()
                return r.stored_path if r and r.stored_path else None
        return self._run(q)

    def ping(self) -> None:
        def q():
            with self.engine.connect() as c:
                c.execute(sa.text("SELECT 1"))
        self._run(q)


def _table_row(t: RawTable, doc_id: str, name: str) -> dict:
    return {"doc": doc_id, "file": name, "title": t.title, "number": t.number, "name": t.name, "unit": t.unit,
            "page": t.page, "rows": json.dumps(t.rows, ensure_ascii=False),
            "row_pages": json.dumps(t.row_pages), "notes": json.dumps(t.notes, ensure_ascii=False)}


def _drop_orphan(c, doc_id: str) -> None:
    if not c.execute(sa.select(files.c.name).where(files.c.doc_id == doc_id)).first():
        c.execute(documents.delete().where(documents.c.doc_id == doc_id))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
