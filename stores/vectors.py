"""Chunks in Chroma: embedded PersistentClient by default, a Chroma server when a host is set.

The only module that imports chromadb. Our embedder is always passed in (Chroma's default would
download a model), and telemetry is off.

Several processes on one embedded store (the chat app, API workers, `python -m corpus`): an embedded
client keeps the vector index in memory as it was when the client opened, so after another process
writes, a search that meets the new chunks fails ("Error finding id"), and a client that writes
from a stale index overwrites the others' vectors on disk. So every change to the collection is made
under an exclusive lock (`chroma.lock` in the store folder), by a client that first reopens if the
collection changed since it opened, and each change leaves a new token in `chroma.generation`. Every
read compares that token with the one its client opened at and, when it differs, reopens (under the
shared lock, so never halfway through another process's write) before it reads. A Chroma server has
one index for all its clients and needs none of this; its calls have an HTTP timeout instead.

Read-only is a mode: Chroma cannot open a folder it may not write (its own SQLite needs a journal), so
when the disk is full or the folder read-only, the index is read from a copy in a temporary folder
(taken under the shared lock, taken again when another process changes the folder), and a change is
refused as the disk being full or the store read-only.
"""
from __future__ import annotations

import atexit
import errno
import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config import Settings
from schema import Chunk
from stores.embedder import Embedder
from stores.facts import free_bytes, is_disk_full
from stores.timeouts import Breaker, BreakerOpen, FileLock, LockTimeout

COLLECTION = "budget_chunks"
log = logging.getLogger(__name__)


class VectorUnavailable(Exception):
    """The Chroma server or folder cannot be used."""


class VectorDiskFull(VectorUnavailable):
    """The disk under the Chroma folder is full."""


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    file: str
    version: str
    score: float


def embedding_text(chunk: Chunk) -> str:
    """What a chunk is embedded by. Dense search always runs inside the documents already chosen, so
    the document's title (the first line of every chunk) is left out. Prose: its section and text. A
    table chunk: the table's title and header; its rows (labels and figures) are found by BM25 and
    answered from facts, and embedding them tripled ingest time without changing an answer
    (docs/scale.md). The stored text, shown and searched by BM25, stays whole."""
    body = chunk.text.split("\n", 1)[-1]
    if chunk.kind == "table":
        header = body.split("\n", 1)[0]
        return f"{chunk.table or ''}\n{header}".strip()
    return f"{chunk.section or ''}\n{body}".strip()


def embed_chunks(embedder: Embedder, chunks: list[Chunk]) -> list:
    """One vector per chunk; chunks of one table share their embedding text, embedded once."""
    texts = [embedding_text(c) for c in chunks]
    unique = list(dict.fromkeys(texts))
    vectors = dict(zip(unique, embedder.embed(unique)))
    return [vectors[t] for t in texts]


def _collection_name(embedder: Embedder) -> str:
    return f"{COLLECTION}_{re.sub(r'[^A-Za-z0-9]+', '_', embedder.name)[-40:]}".strip("_")


WRITE_SLACK = 8 * 2**20          # what a change needs on disk beyond its data: Chroma's journal and log


def _unavailable(e: Exception, folder: Path | None = None, need: int = 0) -> VectorUnavailable:
    """The error as VectorUnavailable, or VectorDiskFull when the disk is why. Chroma reports a write
    that ran out of room in many words ("Error in compaction: Failed to apply logs…") and frees the
    room as it rolls back, so a failed change that needed more than the disk has free is a full disk."""
    full = is_disk_full(e, folder) or (folder is not None and need > 0 and free_bytes(folder) < need)
    return (VectorDiskFull if full else VectorUnavailable)(str(e) or type(e).__name__)


def _is_timeout(e: BaseException) -> bool:
    """A read that waited out its timeout (an HTTP timeout of the server, the folder's lock)."""
    import httpx
    cause = e.__cause__ or e.__context__
    return isinstance(e, (httpx.TimeoutException, LockTimeout)) or (
        cause is not None and isinstance(cause, (httpx.TimeoutException, LockTimeout))) or "timed out" in str(e)


def _where(docs: list[str] | None):
    if not docs:
        return None
    return {"doc": docs[0]} if len(docs) == 1 else {"doc": {"$in": list(docs)}}


class SharedFolder:
    """The lock and the change token that let several processes use one embedded Chroma folder."""

    def __init__(self, store_dir: Path):
        self.lock = FileLock(store_dir / "chroma.lock")
        self.token_path = store_dir / "chroma.generation"

    def token(self) -> str:
        try:
            return self.token_path.read_text(encoding="ascii")
        except FileNotFoundError:
            return ""

    def new_token(self) -> str:
        token = uuid.uuid4().hex
        tmp = self.token_path.with_name(f"{self.token_path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(token, encoding="ascii")
        tmp.replace(self.token_path)
        return token


class ReadOnlyCopy:
    """The index of a folder this process cannot write, copied where it can (RAM when there is room)."""

    def __init__(self):
        self.path: Path | None = None
        atexit.register(self.drop)

    def refresh(self, source: Path) -> Path:
        """A fresh copy of `source` (the caller holds the folder's shared lock); the old copy goes."""
        need = sum(f.stat().st_size for f in source.rglob("*") if f.is_file())
        where = next((d for d in ("/dev/shm", tempfile.gettempdir()) if _room(d) > 2 * need + 64 * 2**20), None)
        if where is None:
            raise OSError(errno.ENOSPC, "no room for a read-only copy of the index")
        _sweep(Path(where))
        target = Path(tempfile.mkdtemp(prefix=f"{COPY_PREFIX}{os.getpid()}-", dir=where))
        try:
            shutil.copytree(source, target / "chroma", ignore=shutil.ignore_patterns("*.lock"),
                            copy_function=shutil.copyfile)
            for d in (target / "chroma", *(x for x in (target / "chroma").rglob("*") if x.is_dir())):
                d.chmod(0o700)      # the folders keep the source's modes: a read-only one would stay so
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        self.drop()
        self.path = target
        return target / "chroma"

    def drop(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


COPY_PREFIX = "budgetqa-index-"


def _sweep(where: Path) -> None:
    """Copies left by processes that ended without cleaning up (killed, or re-raising SIGTERM)."""
    for old in where.glob(f"{COPY_PREFIX}*-*"):
        pid = old.name.removeprefix(COPY_PREFIX).split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _room(folder: str) -> int:
    try:
        return shutil.disk_usage(folder).free if os.access(folder, os.W_OK) else 0
    except OSError:
        return 0


class VectorStore:
    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings, self.embedder = settings, embedder
        self.timeout, self.write_timeout = settings.store_timeout, settings.store_write_timeout
        self.name = _collection_name(embedder)
        self.folder = None if settings.chroma_host else SharedFolder(settings.store_dir)
        self._folder_dir = None if settings.chroma_host else settings.store_dir
        self._reopen_lock = threading.Lock()
        self._breaker = Breaker(cooldown=min(self.timeout, 5.0))
        self._token = ""
        self._copy = ReadOnlyCopy()         # used while the folder cannot be written
        self.read_only, self._why = False, None     # why: the error of the folder itself
        try:
            if self.folder is None:
                self.collection, self._writer = self._open_server()
            else:
                self.collection, self._writer = self._first_open(), None
        except Exception as e:  # noqa: BLE001 - any client failure means the store is unreachable
            raise _unavailable(e, self._folder_dir) from None

    # ------------------------------------------------------------ opening
    def _chroma_settings(self):
        from chromadb.config import Settings as ChromaSettings
        return ChromaSettings(anonymized_telemetry=False, allow_reset=False)

    def _open_server(self):
        """Two clients: reads give up after the store timeout, writes after the write timeout."""
        import chromadb
        pair = []
        for timeout in (self.timeout, self.write_timeout):
            client = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                         settings=self._chroma_settings())
            _set_http_timeout(client, timeout)
            pair.append(client.get_or_create_collection(self.name, embedding_function=None,
                                                        metadata={"hnsw:space": "cosine"}))
        return pair[0], pair[1]

    def _first_open(self):
        """An existing collection is opened under the shared lock; creating the folder's database or the
        collection is a change, made by one process at a time."""
        if (self.settings.store_dir / "chroma" / "chroma.sqlite3").exists():
            try:
                with self.folder.lock.shared(self.timeout):
                    self._token = self.folder.token()
                    return self._open_embedded(create=False)
            except LockTimeout:
                raise
            except Exception:  # noqa: BLE001 - no such collection yet: create it below
                pass
        with self.folder.lock.exclusive(self.write_timeout):
            self._token = self.folder.token()
            return self._open_embedded(create=True)

    def _open_embedded(self, create: bool = False):
        """A new client on the folder, or, where the folder cannot be written, on a copy of it."""
        path = self.settings.store_dir / "chroma"
        try:
            path.mkdir(parents=True, exist_ok=True)
            collection, self.read_only, self._why = self._open_client(path, create), False, None
            self._copy.drop()
            return collection
        except Exception as e:  # noqa: BLE001 - a full disk, a read-only folder, a log Chroma cannot apply here
            if create or not (path / "chroma.sqlite3").exists():
                raise
            why = e
        try:
            collection = self._open_client(self._copy.refresh(path), False)
        except Exception:  # noqa: BLE001 - the copy does not open either: the folder's own error
            raise why from None
        log.warning("the index folder %s cannot be used in place (%s): answering from a read-only copy", path, why)
        self.read_only, self._why = True, why
        return collection

    def _open_client(self, path: Path, create: bool):
        """A new client on `path` (not the one chromadb caches per path), its index loaded now."""
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        SharedSystemClient._identifier_to_system.pop(str(path), None)
        client = chromadb.PersistentClient(path=str(path), settings=self._chroma_settings())
        if create:
            collection = client.get_or_create_collection(self.name, embedding_function=None,
                                                         metadata={"hnsw:space": "cosine"})
        else:
            collection = client.get_collection(self.name, embedding_function=None)
        _load_index(collection)
        return collection

    def _reopen_if_changed(self, force: bool = False) -> None:
        if self.folder is None or (not force and self.folder.token() == self._token):
            return
        with self._reopen_lock, self.folder.lock.shared(self.timeout):
            token = self.folder.token()
            if force or token != self._token:
                self.collection, self._token = self._open_embedded(), token

    # ------------------------------------------------------------ calls
    def _read(self, fn):
        """fn(collection) on an index as fresh as the folder; a read that meets another process's
        change made after the check is read again on a reopened client. After a read timed out, the
        next ones fail at once until the index answers again (the breaker)."""
        try:
            with self._breaker.guard(_is_timeout):
                return self._read_once(fn)
        except BreakerOpen as e:
            raise VectorUnavailable(str(e)) from None

    def _read_once(self, fn):
        try:
            self._reopen_if_changed()
            try:
                return fn(self.collection)
            except Exception:  # noqa: BLE001 - embedded: reopen and read once more; server: report
                if self.folder is None:
                    raise
                self._reopen_if_changed(force=True)
                return fn(self.collection)
        except VectorUnavailable:
            raise
        except Exception as e:  # noqa: BLE001 - any client failure means the store is unreachable
            raise _unavailable(e, self._folder_dir) from None

    def _change(self, fn, size: int = 0) -> None:
        """fn(collection) as the one writer: under the exclusive lock, from a client that has every
        other process's changes, leaving a new token for the readers (`size`: the bytes it adds)."""
        try:
            if self.folder is None:
                fn(self._writer)
                return
            with self.folder.lock.exclusive(self.write_timeout):
                if self.folder.token() != self._token or self.read_only:
                    self.collection = self._open_embedded()
                if self.read_only:          # never a change to the copy: the folder's own error
                    raise self._why or OSError(errno.EROFS, "the index folder cannot be written")
                fn(self.collection)
                self._token = self.folder.new_token()
        except LockTimeout as e:
            raise VectorUnavailable(str(e)) from None
        except Exception as e:  # noqa: BLE001
            raise _unavailable(e, self._folder_dir, 4 * size + WRITE_SLACK) from None

    # ------------------------------------------------------------ writes
    def add(self, chunks: list[Chunk], file: str, version: str, vectors=None) -> None:
        self.add_many([(chunks, file, version, vectors)])

    def add_many(self, entries: list[tuple[list[Chunk], str, str, object]]) -> None:
        """Stores the chunks of several files (each: chunks, file, version, vectors or None) with their
        full text; vectors not given (one per chunk, from `embed_chunks`) are embedded here."""
        rows: dict[str, tuple] = {}        # by id: a file copied under two names gives the same chunks
        for chunks, file, version, vectors in entries:
            if not chunks:
                continue
            vectors = np.asarray(embed_chunks(self.embedder, chunks) if vectors is None else vectors, dtype=np.float32)
            for c, v in zip(chunks, vectors):
                rows[c.chunk_id] = (v, c.text, {"doc": c.doc, "file": file, "version": version,
                                                "page": -1 if c.page is None else c.page, "section": c.section or "",
                                                "table": c.table or "", "kind": c.kind})
        ids = list(rows)
        vecs, docs, metas = [r[0] for r in rows.values()], [r[1] for r in rows.values()], [r[2] for r in rows.values()]
        for i in range(0, len(ids), 1000):     # one lock per 1,000 chunks: readers are not held long
            size = sum(v.nbytes + 3 * len(d) + 200 for v, d in zip(vecs[i:i + 1000], docs[i:i + 1000]))
            self._change(lambda col, i=i: col.upsert(ids=ids[i:i + 1000], embeddings=vecs[i:i + 1000],
                                                     documents=docs[i:i + 1000], metadatas=metas[i:i + 1000]), size)

    def delete_file(self, file: str, keep_version: str | None = None) -> None:
        where = {"file": file} if keep_version is None else {"$and": [{"file": file}, {"version": {"$ne": keep_version}}]}
        self._change(lambda col: col.delete(where=where))

    def retag_file(self, file: str, doc: str, version: str) -> None:
        """The chunks of a stored file moved to another document, under the file's new version."""
        def change(col):
            got = col.get(where={"file": file}, include=["metadatas"])
            if got["ids"]:
                col.update(ids=got["ids"], metadatas=[{**m, "doc": doc, "version": version} for m in got["metadatas"]])
        self._change(change)

    # ------------------------------------------------------------ reads
    def query(self, text: str, k: int = 8, docs: list[str] | None = None) -> list[Hit]:
        vector = self.embedder.embed([text])[0]
        res = self._read(lambda col: col.query(query_embeddings=[vector], n_results=k, where=_where(docs),
                                               include=["documents", "metadatas", "distances"]))
        return [Hit(chunk=_to_chunk(cid, doc, m), file=m["file"], version=m["version"], score=1 - dist)
                for cid, doc, m, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                             res["distances"][0])]

    def all_chunks(self, docs: list[str] | None = None) -> list[tuple[Chunk, str, str]]:
        res = self._read(lambda col: col.get(where=_where(docs), include=["documents", "metadatas"]))
        return [(_to_chunk(cid, doc, m), m["file"], m["version"])
                for cid, doc, m in zip(res["ids"], res["documents"], res["metadatas"])]

    def count(self) -> int:
        return self._read(lambda col: col.count())

    def probe(self, docs: list[str] | None = None) -> None:
        """What answering needs, once: the embedder, and a search of the index within a document."""
        self.query("预算", k=1, docs=list(docs or [])[:1] or None)


def _load_index(collection) -> None:
    """Search once, so that the index is read from disk now (under the caller's lock), not later."""
    got = collection.get(limit=1, include=["embeddings"])
    if len(got["ids"]):
        collection.query(query_embeddings=[got["embeddings"][0]], n_results=1, include=[])


def _set_http_timeout(client, seconds: float) -> None:
    """chromadb's HTTP client waits forever by default: a frozen server would hold the caller."""
    import httpx
    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is not None:
        session.timeout = httpx.Timeout(seconds)


def _to_chunk(cid: str, text: str, m: dict) -> Chunk:
    return Chunk(chunk_id=cid, doc=m["doc"], text=text, page=None if m["page"] == -1 else m["page"],
                 section=m["section"] or None, table=m["table"] or None, kind=m["kind"])
