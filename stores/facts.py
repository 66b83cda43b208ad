"""Facts, documents, tables and narrative lines in SQL: SQLite by default, PostgreSQL by URL.

One SQLAlchemy Core adapter serves both engines. A file's new version replaces its old one in a
single transaction, so a question never sees half of it.

A stored file is keyed by `files.name`: the name it was given, or, when another stored file already
has that name, the name with its body (or content hash) added (`2026年部门预算（某某局）.txt`). Its
identity is kept beside it: `hash` (its content), `source` (the path it was ingested from, or NULL
for an upload) and `original` (the name as given). Which stored file a new one replaces is decided
in corpus/load.py. Every call has a timeout (`timeout` for reads, `write_timeout` for writes); a
PostgreSQL server that stops answering is cut off by the watchdog.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from schema import Document, Fact, Line, Parsed, RawTable
from stores import sqlite_open
from stores.timeouts import WATCHDOG, Breaker, BreakerOpen, FileLock, LockTimeout

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
    sa.Column("doc_id", sa.String(300), index=True), sa.Column("hash", sa.String(64), index=True),
    sa.Column("version", sa.String(20)), sa.Column("pages", sa.Integer), sa.Column("stored_path", sa.Text),
    sa.Column("source", sa.Text), sa.Column("original", sa.String(500)),
    sa.Column("title", sa.Text), sa.Column("body", sa.Text),
    # the file's own reading (before any join): year, kind, scope; review: its body is not printed in it
    # (单位待确认); parser: the PARSER_VERSION that read it (NULL: before versions were kept); batch: one upload
    sa.Column("year", sa.Integer), sa.Column("kind", sa.String(10)), sa.Column("scope", sa.String(10)),
    sa.Column("review", sa.Boolean), sa.Column("parser", sa.Integer), sa.Column("evidence", sa.Text),
    sa.Column("batch", sa.String(40)))
corrections = sa.Table(      # staff's identity for a file's content (python -m corpus FILE --as 某某大学,2023,部门预算)
    "corrections", meta,
    sa.Column("hash", sa.String(64), primary_key=True), sa.Column("body", sa.Text), sa.Column("year", sa.Integer),
    sa.Column("kind", sa.String(10)), sa.Column("scope", sa.String(10)), sa.Column("name", sa.String(500)))
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
ADDED_COLUMNS = ("source", "original", "title", "body", "year", "kind", "scope", "review", "parser", "evidence",
                 "batch")      # files columns newer than the first schema


class StoreUnavailable(Exception):
    """The fact database cannot be reached (server down or frozen, disk gone, not a database)."""


class DiskFull(StoreUnavailable):
    """The disk under the store is full."""


class StoreTimeout(StoreUnavailable):
    """The database did not answer within the timeout (a frozen server, a lock held too long)."""


@dataclass(frozen=True)
class StoredFile:
    name: str                   # the key: facts.file, chunks' `file`, citations' file
    doc_id: str
    hash: str
    version: str
    pages: int | None
    source: str | None          # the path it was ingested from; None: an upload, or stored before sources
    original: str               # the name as given
    stored_path: str | None
    parser: int = 1             # the parser version that read it (1: stored before versions were kept)


def _fact_row(f: Fact, file: str) -> dict:
    return {"doc": f.doc, "file": file, "tbl": f.table, "table_name": f.table_name, "table_no": f.table_no,
            "section": f.section, "page": f.page, "code": f.code, "level": f.level, "parent": f.parent,
            "label": f.label, "col": f.column, "value": None if f.value is None else str(f.value),
            "raw": f.raw, "unit": f.unit, "text": f.text, "kind": f.kind, "row": f.row}


def row_to_fact(r) -> Fact:
    return Fact(doc=r.doc, table=r.tbl, table_name=r.table_name, table_no=r.table_no, section=r.section,
                page=r.page, code=r.code, level=r.level, parent=r.parent, label=r.label, column=r.col,
                value=None if r.value is None else Decimal(r.value), raw=r.raw, unit=r.unit, text=r.text,
                kind=r.kind, row=r.row, file=r.file)


def row_to_stored_file(r) -> StoredFile:
    return StoredFile(name=r.name, doc_id=r.doc_id, hash=r.hash, version=r.version, pages=r.pages,
                      source=r.source, original=r.original or r.name, stored_path=r.stored_path,
                      parser=getattr(r, "parser", None) or 1)


def error_to_unavailable(e: BaseException, folder: Path | None = None) -> StoreUnavailable:
    """The store's error as StoreUnavailable, or DiskFull when the disk is why (SQLite on a full disk
    often says only "disk I/O error": then the free space of the store's own disk decides)."""
    text = str(getattr(e, "orig", None) or e)
    return (DiskFull if is_disk_full(e, folder) else StoreUnavailable)(text)


def is_disk_full(e: BaseException, folder: Path | None = None) -> bool:
    text = str(getattr(e, "orig", None) or e)
    if "disk is full" in text or "No space left" in text or getattr(e, "errno", None) == errno.ENOSPC:
        return True
    return folder is not None and free_bytes(folder) < FULL_BELOW


FULL_BELOW = 1024 * 1024          # a disk with less free space than this is full for a store


def free_bytes(folder: Path) -> int:
    """Free space on the disk under `folder` (its nearest existing parent)."""
    for p in (folder, *folder.parents):
        if p.exists():
            try:
                return shutil.disk_usage(p).free
            except OSError:
                return FULL_BELOW
    return FULL_BELOW


WRITER_LOCK = 4207151          # the advisory lock id of the one writer


class Cutoff:
    """What the watchdog does to a call that outlived its timeout: on PostgreSQL, shut the socket of
    the connection it uses, so the blocked call fails at once (SQLite waits at most its busy timeout)."""

    def __init__(self, active: bool):
        self.active, self.fired, self._fd = active, False, None
        self._lock = threading.Lock()

    def watch(self, c) -> None:
        if self.active:
            with self._lock:
                self._fd = c.connection.dbapi_connection.fileno()

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._fd is not None:
                _shut(self._fd)


UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.InternalError, sa.exc.TimeoutError,
               LockTimeout, OSError)


class FactStore:
    def __init__(self, url: str, timeout: float = 5.0, write_timeout: float = 120.0, root: Path | None = None):
        self.url, self.timeout, self.write_timeout = url, timeout, write_timeout
        self.root = Path(root) if root else None       # stored file paths are relative to it
        self._disk = None if url.startswith("postgresql") else self.root     # whose fullness explains errors
        self.is_postgres = url.startswith("postgresql")
        self._breaker = Breaker(cooldown=min(timeout, 5.0))
        kwargs: dict = {}
        if url.startswith("sqlite:///"):
            self._lock = FileLock(Path(url.removeprefix("sqlite:///") + ".lock"))
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if self.is_postgres:      # no pre-ping (it would wait on a frozen server before the watchdog is armed)
            kwargs = {"connect_args": {"connect_timeout": max(1, round(min(timeout, 10)))}, "pool_timeout": timeout}
        if url.startswith("sqlite:///"):     # writable when it can be, else read-only (stores/sqlite_open.py)
            path = Path(url.removeprefix("sqlite:///"))
            kwargs = {"creator": lambda: sqlite_open.connect(path)}
        self.engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), **kwargs)
        if url.startswith("sqlite:///"):
            sa.event.listen(self.engine, "checkout", _renew_read_only)
        if self._read(lambda c: _schema_to_do(c)):       # a new or older store: one process sets it up
            with self.writer_lock():
                self._write(_create_and_migrate)

    # ------------------------------------------------------------ bounded calls
    def _read(self, fn):
        return self._call(fn, self.timeout, write=False)

    def _write(self, fn):
        return self._call(fn, self.write_timeout, write=True)

    def _call(self, fn, timeout: float, write: bool):
        """fn(connection) within `timeout`; after a call timed out, the next ones fail at once until the
        database answers again (the breaker)."""
        try:
            with self._breaker.guard(lambda e: isinstance(e, StoreTimeout)):
                return self._attempt(fn, timeout, write)
        except BreakerOpen as e:
            raise StoreUnavailable(str(e)) from None

    def _attempt(self, fn, timeout: float, write: bool):
        """fn(connection) within `timeout`; a connection the server dropped (restart) is retried once."""
        for attempt in (0, 1):
            cutoff = Cutoff(self.is_postgres)
            try:
                with WATCHDOG.deadline(timeout, cutoff.fire), self.engine.connect() as c:
                    cutoff.watch(c)
                    if not write:
                        return fn(c)
                    with c.begin():
                        return fn(c)
            except sa.exc.DBAPIError as e:
                if attempt == 0 and e.connection_invalidated and not cutoff.fired:
                    continue
                if cutoff.fired:
                    raise StoreTimeout(f"no answer from the database within {timeout:g} s") from None
                if not isinstance(e, UNAVAILABLE) and type(e) is not sa.exc.DatabaseError:
                    raise
                raise error_to_unavailable(e, self._disk) from None
            except UNAVAILABLE as e:
                raise error_to_unavailable(e, self._disk) from None

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One writer at a time over this store, across processes (SQLite: a lock file beside the
        database; PostgreSQL: an advisory lock, so replicas on several hosts take turns too)."""
        if not self.is_postgres:
            try:
                with self._lock.exclusive(self.write_timeout):
                    yield
            except LockTimeout as e:
                raise StoreUnavailable(str(e)) from None
            return
        cutoff = Cutoff(True)
        try:
            with self.engine.connect() as c:
                cutoff.watch(c)
                with WATCHDOG.deadline(self.write_timeout, cutoff.fire):
                    c.execute(sa.text(f"SELECT pg_advisory_lock({WRITER_LOCK})"))
                    c.commit()
                try:
                    yield
                finally:
                    with WATCHDOG.deadline(self.timeout, cutoff.fire):
                        c.execute(sa.text(f"SELECT pg_advisory_unlock({WRITER_LOCK})"))
                        c.commit()
        except sa.exc.DBAPIError as e:
            raise error_to_unavailable(e, self._disk) from None

    # ------------------------------------------------------------ writes
    def replace_file(self, parsed: Parsed, name: str, stored_path: str = "", source: str | None = None,
                     original: str | None = None, version: str | None = None, reading: dict | None = None) -> None:
        """Swap one stored file's facts, lines and tables for a new version in one transaction
        (`reading`: the files columns of its own reading: year, kind, scope, review, parser, evidence, batch)."""
        d = parsed.document
        own = {k: v for k, v in (reading or {}).items() if k in ADDED_COLUMNS}

        def tx(c):
            old = c.execute(sa.select(files.c.doc_id).where(files.c.name == name)).first()
            for t in (facts, lines, tables):
                c.execute(t.delete().where(t.c.file == name))
            c.execute(files.delete().where(files.c.name == name))
            c.execute(files.insert().values(name=name, doc_id=d.doc_id, hash=d.content_hash,
                                            version=version or d.content_hash[:12], pages=d.pages,
                                            stored_path=stored_path, source=source, original=original or name,
                                            title=d.title, body=d.body, **own))
            if parsed.facts:
                c.execute(facts.insert(), [_fact_row(f, name) for f in parsed.facts])
            if parsed.lines:
                c.execute(lines.insert(), [{"doc": d.doc_id, "file": name, "page": x.page, "text": x.text}
                                           for x in parsed.lines])
            if parsed.tables:
                c.execute(tables.insert(), [_table_row(t, d.doc_id, name) for t in parsed.tables])
            _write_document(c, d)
            if old and old.doc_id != d.doc_id:
                _drop_orphan(c, old.doc_id)
        self._write(tx)

    def rekey_document(self, old_doc: str, target: Document, versions: dict[str, str]) -> None:
        """Move every file of `old_doc` into the stored document `target` (facts, lines, tables and
        files), giving each file its new version, in one transaction."""
        def tx(c):
            for t in (facts, lines, tables):
                c.execute(t.update().where(t.c.doc == old_doc).values(doc=target.doc_id))
            for name, version in versions.items():
                c.execute(files.update().where(files.c.name == name).values(
                    doc_id=target.doc_id, version=version, title=target.title, body=target.body))
            c.execute(documents.delete().where(documents.c.doc_id == old_doc))
            _write_document(c, target)
        self._write(tx)

    def remove(self, doc_or_file: str) -> list[str]:
        """Delete a document (by id) or one file; returns the file names removed."""
        def tx(c):
            names = [r.name for r in c.execute(sa.select(files.c.name).where(
                (files.c.doc_id == doc_or_file) | (files.c.name == doc_or_file)))]
            docs = {r.doc_id for r in c.execute(sa.select(files.c.doc_id).where(files.c.name.in_(names)))}
            for t in (facts, lines, tables):
                c.execute(t.delete().where(t.c.file.in_(names)))
            c.execute(files.delete().where(files.c.name.in_(names)))
            for doc in docs:
                _drop_orphan(c, doc)
            return names
        return self._write(tx)

    # ------------------------------------------------------------ reads
    def documents(self) -> list[Document]:
        def q(c):
            fl: dict[str, list[str]] = {}
            for r in c.execute(sa.select(files.c.name, files.c.doc_id).order_by(files.c.name)):
                fl.setdefault(r.doc_id, []).append(r.name)
            return [Document(doc_id=r.doc_id, title=r.title, body=r.body, year=r.year, kind=r.kind,
                             scope=r.scope, files=tuple(fl.get(r.doc_id, ())), is_template=bool(r.is_template),
                             pages=r.pages)
                    for r in c.execute(sa.select(documents).order_by(documents.c.year.desc(), documents.c.doc_id))]
        return self._read(q)

    def files(self) -> list[StoredFile]:
        return self._read(lambda c: [row_to_stored_file(r) for r in c.execute(sa.select(files).order_by(files.c.name))])

    def find_content(self, digest: str) -> StoredFile | None:
        """The stored file with exactly this content, if any."""
        def q(c):
            r = c.execute(sa.select(files).where(files.c.hash == digest).order_by(files.c.name)).first()
            return row_to_stored_file(r) if r else None
        return self._read(q)

    def active_versions(self) -> dict[str, str]:
        return self._read(lambda c: {r.name: r.version for r in c.execute(sa.select(files.c.name, files.c.version))})

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        s = sa.select(facts).order_by(facts.c.id)
        if doc_id:
            s = s.where(facts.c.doc == doc_id)
        return self._read(lambda c: [row_to_fact(r) for r in c.execute(s)])

    def labels(self) -> list[str]:
        """Every distinct row label (the understanding of questions matches against them)."""
        return self._read(lambda c: [r.label for r in c.execute(sa.select(facts.c.label).distinct()) if r.label])

    def lines(self, doc_id: str) -> list[Line]:
        return self._read(lambda c: [Line(r.text, r.page) for r in c.execute(
            sa.select(lines).where(lines.c.doc == doc_id).order_by(lines.c.id))])

    def tables(self, doc_id: str) -> list[RawTable]:
        def q(c):
            return [RawTable(title=r.title, number=r.number, name=r.name, unit=r.unit, page=r.page,
                             rows=tuple(tuple(x) for x in json.loads(r.rows)),
                             row_pages=tuple(json.loads(r.row_pages)), notes=tuple(json.loads(r.notes)))
                    for r in c.execute(sa.select(tables).where(tables.c.doc == doc_id).order_by(tables.c.id))]
        return self._read(q)

    def stored_path(self, name: str) -> str | None:
        """Where the copy of a stored file is, resolved against the store (which may have moved)."""
        def q(c):
            r = c.execute(sa.select(files.c.stored_path).where(files.c.name == name)).first()
            return r.stored_path if r and r.stored_path else None
        return stored_to_path(self._read(q), self.root)

    def join_files(self) -> list:
        """Per stored file: name, doc_id, original name, review and batch (what a join weighs)."""
        return self._read(lambda c: list(c.execute(sa.select(
            files.c.name, files.c.doc_id, files.c.original, files.c.review, files.c.batch).order_by(files.c.name))))

    def totals(self, doc_ids: list[str]) -> dict[str, list[Fact]]:
        """The short 收入…/支出… rows of these documents (their totals are among them)."""
        def q(c):
            out: dict[str, list[Fact]] = {d: [] for d in doc_ids}
            s = sa.select(facts).where(facts.c.doc.in_(doc_ids), sa.func.length(facts.c.label) <= 14,
                                       facts.c.label.like("%收%") | facts.c.label.like("%支%"))
            for r in c.execute(s):
                out[r.doc].append(row_to_fact(r))
            return out
        return self._read(q) if doc_ids else {}

    def file_facts(self, name: str) -> list[Fact]:
        return self._read(lambda c: [row_to_fact(r) for r in c.execute(
            sa.select(facts).where(facts.c.file == name).order_by(facts.c.id))])

    def stale_files(self, parser: int) -> list[StoredFile]:
        """Stored files read by a parser older than `parser` (or before versions were kept)."""
        return [f for f in self.files() if f.parser < parser]

    def unconfirmed(self) -> list[str]:
        """Documents whose body no file of theirs prints (单位待确认): stored under a file's own name."""
        def q(c):
            rows = list(c.execute(sa.select(files.c.doc_id, files.c.review)))
            return sorted({r.doc_id for r in rows if r.review} - {r.doc_id for r in rows if not r.review})
        return self._read(q)

    def set_correction(self, digest: str, body: str, year: int | None, kind: str, scope: str, name: str) -> None:
        def tx(c):
            c.execute(corrections.delete().where(corrections.c.hash == digest))
            c.execute(corrections.insert().values(hash=digest, body=body, year=year, kind=kind, scope=scope, name=name))
        self._write(tx)

    def corrections(self) -> dict[str, dict]:
        """Staff's identities by content hash: {hash: {body, year, kind, scope, name}}."""
        return self._read(lambda c: {r.hash: dict(r._mapping) for r in c.execute(sa.select(corrections))})

    def ping(self) -> None:
        self._read(lambda c: c.execute(sa.text("SELECT 1")))


def stored_to_path(stored: str | None, root: Path | None) -> str | None:
    """A stored copy's path: relative paths are under the store; an absolute one (stores written before
    paths were relative) that no longer exists is looked for in the store's files/ folder."""
    if not stored:
        return None
    p = Path(stored)
    if not p.is_absolute():
        return str(root / p) if root else str(p)
    if p.exists() or root is None:
        return str(p)
    return str(root / "files" / p.name)


def _table_row(t: RawTable, doc_id: str, name: str) -> dict:
    return {"doc": doc_id, "file": name, "title": t.title, "number": t.number, "name": t.name, "unit": t.unit,
            "page": t.page, "rows": json.dumps(t.rows, ensure_ascii=False),
            "row_pages": json.dumps(t.row_pages), "notes": json.dumps(t.notes, ensure_ascii=False)}


def _write_document(c, d: Document) -> None:
    """The document row from all its files: the longest title and body any of them gives (the fullest
    name, whatever order the files came in) and the pages of all of them."""
    rows = c.execute(sa.select(files.c.title, files.c.body, files.c.pages).where(files.c.doc_id == d.doc_id)).all()
    old = c.execute(sa.select(documents).where(documents.c.doc_id == d.doc_id)).first()
    titles = [r.title for r in rows if r.title] + [d.title] + ([old.title] if old and old.title else [])
    bodies = [r.body for r in rows if r.body] + [d.body] + ([old.body] if old and old.body else [])
    pages = sum(r.pages or 0 for r in rows) or d.pages
    values = dict(title=max(titles, key=lambda t: (len(t), t)), body=max(bodies, key=lambda b: (len(b), b)),
                  year=d.year if d.year is not None else (old.year if old else None), kind=d.kind, scope=d.scope,
                  is_template=d.is_template, pages=pages)
    if old:
        c.execute(documents.update().where(documents.c.doc_id == d.doc_id).values(**values))
    else:
        c.execute(documents.insert().values(doc_id=d.doc_id, **values))


def _drop_orphan(c, doc_id: str) -> None:
    if not c.execute(sa.select(files.c.name).where(files.c.doc_id == doc_id)).first():
        c.execute(documents.delete().where(documents.c.doc_id == doc_id))


def _schema_to_do(c) -> bool:
    """Whether tables, columns or indexes are missing (read only: a read-only store opens)."""
    inspector = sa.inspect(c)
    if not set(meta.tables) <= set(inspector.get_table_names()):
        return True
    have = {col["name"] for col in inspector.get_columns("files")}
    indexes = {ix["name"] for ix in inspector.get_indexes("files")}
    return not set(ADDED_COLUMNS) <= have or any(ix.name not in indexes for ix in files.indexes)


def _create_and_migrate(c) -> None:
    """Create what is missing; a store made before a column existed gets it added (no row is touched)."""
    meta.create_all(c)
    have = {col["name"] for col in sa.inspect(c).get_columns("files")}
    for name in ADDED_COLUMNS:
        if name not in have:
            kind = files.c[name].type.compile(c.dialect)
            c.execute(sa.text(f'ALTER TABLE files ADD COLUMN "{name}" {kind}'))
    for index in files.indexes:
        index.create(c, checkfirst=True)


def _shut(fd: int) -> None:
    """Shut a connection's socket (on a duplicate of its descriptor): the blocked call returns."""
    try:
        s = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    finally:
        s.close()


def _renew_read_only(dbapi_conn, _record, _proxy) -> None:
    """A read-only connection a few seconds old is dropped: the next one is writable if the disk allows."""
    if isinstance(dbapi_conn, sqlite_open.ReadOnlyConnection) and dbapi_conn.stale:
        raise sa.exc.DisconnectionError("read-only connection renewed")

