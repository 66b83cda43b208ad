"""Connections to the SQLite fact database: writable when they can be, read-only when they cannot.

Read-only is a mode, not a failure. A store on a full disk, or in a folder this process may not write,
still answers: in WAL mode even a reader needs the `-shm` index beside the database, which a full disk
cannot grow and a read-only folder cannot hold, so such a connection falls back to `mode=ro`, and when
that cannot open either, to `immutable=1` — only while the write-ahead log is empty, when the
database file alone is the whole store. A write through a read-only connection fails ("readonly
database"), reported by the caller as a full disk or a read-only store. A read-only connection is
replaced once it is a few seconds old, so a process whose disk was freed writes again.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

READ_ONLY_FOR = 5.0             # seconds a read-only connection serves before a writable one is tried again
# the errors of a connection that cannot write or set up its WAL index here
CANNOT_WRITE = ("disk is full", "disk i/o error", "readonly database", "read-only", "unable to open database file")


class ReadOnlyConnection(sqlite3.Connection):
    """A connection opened read-only because a writable one could not be (knows its age)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened = time.monotonic()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.opened > READ_ONLY_FOR


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the database at `path`: writable (WAL) unless the disk or the folder refuses it,
    then read-only. A missing database is created (writable) as before."""
    try:
        return _writable(path)
    except sqlite3.OperationalError as e:
        if not path.exists() or not cannot_write(e):
            raise
    return read_only_connection(path)


def cannot_write(e: BaseException) -> bool:
    text = str(e).lower()
    return any(x in text for x in CANNOT_WRITE)


def _writable(path: Path) -> sqlite3.Connection:
    c = sqlite3.connect(path, check_same_thread=False)
    try:
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute("PRAGMA busy_timeout=10000")
        c.execute("SELECT count(*) FROM sqlite_master").fetchone()      # the WAL index is set up here
    except sqlite3.Error:
        c.close()
        raise
    return c


def read_only_connection(path: Path) -> sqlite3.Connection:
    """`mode=ro`; where even that cannot open (no WAL index can be made), `immutable=1` over an empty log."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        return _probed(uri)
    except sqlite3.OperationalError as e:
        if not cannot_write(e) or not log_is_empty(path):
            raise
    return _probed(uri + "&immutable=1")


def _probed(uri: str) -> sqlite3.Connection:
    c = sqlite3.connect(uri, uri=True, check_same_thread=False, factory=ReadOnlyConnection)
    try:
        c.execute("PRAGMA busy_timeout=10000")
        c.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        c.close()
        raise
    return c


def log_is_empty(path: Path) -> bool:
    """No committed write waits in the WAL: the database file alone holds every transaction."""
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True
