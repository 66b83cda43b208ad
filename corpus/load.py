"""Files -> stores. Parsing runs in worker processes; writes happen here, one writer at a time.

A file's identity is its content: a file whose bytes are already stored (under any name, from any
folder) is not ingested again. A new content replaces the stored file it is a new version of, else it
is one more file:
- from disk (`python -m corpus`): the file ingested before from the same path;
- uploaded (the app, `POST /api/ingest`): the stored file of the same name in the same document.
A stored file keeps its name unless another stored file has it: then its body (or its content hash)
is added, `2026年部门预算（某某局）.txt`, and the result says so (`extra["stored_as"]`).

Order per batch, under the store's writer lock: chunks of the new versions are added to Chroma, then
per file one SQL transaction swaps its facts and makes its version active, then its old version's
chunks are deleted. Retrieval only uses chunks of active versions, so a question never sees half a
file, and a run killed at any point leaves a consistent store that a rerun completes. A disclosure
printed in two files (text, and tables that print no year) becomes one document in any order: a file
joins the stored document it belongs to, and a stored document that belongs to a newly written one
is moved into it (corpus/join.py). A process that serves answers ingests in a child (corpus/child.py).
"""
from __future__ import annotations

import errno
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from config import SAMPLE_DIR
from corpus.join import join_stored_documents
from corpus.lifeline import die_with_parent
from ingest.errors import IngestError
from ingest.identity import unify_identity
from ingest.pipeline import file_hash, parse_file
from prompts.store_zh import INGEST as M
from schema import Document, IngestResult, Parsed
from stores import Stores
from stores.embedder import Embedder, is_fork_safe, worker_embedder
from stores.facts import DiskFull, StoredFile, StoreUnavailable
from stores.vectors import VectorDiskFull, VectorUnavailable, embed_chunks

SUFFIXES = {".pdf", ".txt", ".text", ".md"}
TEMPLATE_ZH, TEMPLATE_EN = M["template"].split(" / ", 1)
WRITE_BATCH_CHUNKS = 500     # chunks of several files go to Chroma in one upsert (2-3x faster than per file)
UPLOAD_NICE = 19             # an upload is parsed in a child process below the answers' priority


@dataclass(frozen=True)
class Incoming:
    """A file to ingest: where its bytes are, its name as given, and where it came from (the absolute
    path of a file on disk; None for an upload, whose temporary path means nothing)."""
    path: Path
    name: str
    source: str | None


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def _parse(path: Path) -> Parsed | IngestError:
    try:
        return parse_file(path)
    except IngestError as e:
        return e
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the other files
        zh, en = M["parse_failed"].format(kind=type(e).__name__, detail=e).split(" / ", 1)
        return IngestError(zh, en)


_WORKER_EMBEDDER: Embedder | None = None


def _init_worker(spec: str | None, nice: int = 0) -> None:
    global _WORKER_EMBEDDER
    die_with_parent()                   # a killed ingest leaves no parse worker behind
    if nice:
        os.nice(nice)
    _WORKER_EMBEDDER = worker_embedder(spec) if spec is not None else None


def _parse_and_embed(path: Path) -> tuple[Parsed | IngestError, np.ndarray | None]:
    """In a worker: parse, then embed the chunks there too, so that the main process only writes
    (embedding is most of ingest time; docs/scale.md)."""
    parsed = _parse(path)
    if _WORKER_EMBEDDER is None or not isinstance(parsed, Parsed) or not parsed.chunks:
        return parsed, None
    try:
        return parsed, np.asarray(embed_chunks(_WORKER_EMBEDDER, list(parsed.chunks)), dtype=np.float32)
    except Exception:  # noqa: BLE001 - the main process embeds instead
        return parsed, None


# ------------------------------------------------------------------ which stored file a file is
def replaced_file(item: Incoming, doc_id: str, stored: list[StoredFile]) -> StoredFile | None:
    """The stored file `item` is a new version of: from disk, the one from the same path; uploaded (or
    stored before paths were kept), the one of the same name in the same document."""
    if item.source is not None:
        same_path = next((s for s in stored if s.source == item.source), None)
        if same_path:
            return same_path
    return next((s for s in stored if s.original == item.name and s.doc_id == doc_id
                 and (s.source is None or item.source is None)), None)


def free_name(name: str, body: str, digest: str, taken: set[str]) -> str:
    """`name`, or when another file has it, the name with the body, then the content hash, added."""
    p = Path(name)
    candidates = [name, f"{p.stem}（{body}）{p.suffix}", f"{p.stem}（{digest[:8]}）{p.suffix}"]
    candidates += [f"{p.stem}（{digest[:8]}-{n}）{p.suffix}" for n in range(2, 100)]
    return next(c for c in candidates if c not in taken)


# ------------------------------------------------------------------ writing
def _store_copy(stores: Stores, path: Path, d: Document) -> str:
    """A copy of the source file in the store's files/ folder; its path relative to the store."""
    rel = Path("files") / f"{d.content_hash[:16]}{path.suffix.lower()}"
    stored = stores.settings.store_dir / rel
    stored.parent.mkdir(parents=True, exist_ok=True)
    if not stored.exists():
        tmp = stored.with_suffix(stored.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(stored)
    return str(rel)


@dataclass(frozen=True)
class Ready:
    index: int
    item: Incoming
    parsed: Parsed
    vectors: object
    key: str = ""
    replaced: bool = False
    stored_path: str = ""


def write_batch(stores: Stores, items: list[tuple[Incoming, Parsed | IngestError, object]]) -> list[IngestResult]:
    """Writes parsed files under the writer lock, in order: (1) a copy of each source file, (2) the
    chunks of all of them in one upsert, then per file (3) one SQL transaction that swaps its facts and
    activates its version and (4) the deletion of its old version's chunks. Chunks of a version that
    is not active are never read, so a kill at any step leaves a consistent store."""
    results: list[IngestResult | None] = [None] * len(items)
    ready: list[Ready] = []
    for i, (item, parsed, vectors) in enumerate(items):
        if isinstance(parsed, IngestError):
            results[i] = failed_result(item, f"{parsed.reason_zh} / {parsed.reason_en}")
        elif parsed.document.is_template:
            results[i] = IngestResult(file=str(item.path), ok=True, skipped=True, error=M["template"],
                                      extra={"template": True})
        else:
            ready.append(Ready(i, item, parsed, vectors))
    if not ready:
        return [r for r in results if r is not None]
    try:
        with stores.facts.writer_lock():
            _write_ready(stores, ready, results)
    except (StoreUnavailable, VectorUnavailable, OSError) as e:
        for r in ready:
            results[r.index] = results[r.index] or failed_result(r.item, _store_error(e))
    return [r for r in results if r is not None]


def _write_ready(stores: Stores, ready: list[Ready], results: list) -> None:
    stored = stores.facts.files()
    keyed = _assign_keys(stores, ready, stored, results)
    try:
        stores.vectors.add_many([(list(r.parsed.chunks), r.key, _version(r.parsed), r.vectors) for r in keyed])
    except (StoreUnavailable, VectorUnavailable, OSError) as e:
        for r in keyed:
            results[r.index] = failed_result(r.item, _store_error(e))
        return
    for r in keyed:
        try:
            stores.facts.replace_file(r.parsed, r.key, r.stored_path, source=r.item.source, original=r.item.name)
            stores.vectors.delete_file(r.key, keep_version=_version(r.parsed))
            results[r.index] = _written(r)
        except (StoreUnavailable, VectorUnavailable, OSError) as e:
            results[r.index] = failed_result(r.item, _store_error(e))


def _assign_keys(stores: Stores, ready: list[Ready], stored: list[StoredFile], results: list) -> list[Ready]:
    """Each file's stored name (its old version's, or a free one) and its copy; a content another
    process stored meanwhile is skipped."""
    taken = {s.name for s in stored}
    out = []
    for r in ready:
        d = r.parsed.document
        same = stores.facts.find_content(d.content_hash)
        if same is not None:
            results[r.index] = _same_content(r.item, same)
            continue
        old = replaced_file(r.item, d.doc_id, stored)
        key = old.name if old else free_name(r.item.name, d.body or d.doc_id, d.content_hash, taken)
        taken.add(key)
        try:
            out.append(replace(r, key=key, replaced=old is not None,
                               stored_path=_store_copy(stores, r.item.path, d)))
        except OSError as e:
            results[r.index] = failed_result(r.item, _write_error(e))
    return out


def _written(r: Ready) -> IngestResult:
    d = r.parsed.document
    return IngestResult(file=str(r.item.path), ok=True, doc_id=d.doc_id, facts=len(r.parsed.facts),
                        chunks=len(r.parsed.chunks), pages=d.pages or 0,
                        extra={"stored_as": r.key, "replaced": r.replaced, "name": r.item.name})


def _same_content(item: Incoming, same: StoredFile) -> IngestResult:
    why = M["unchanged"] if same.source == item.source and same.original == item.name else \
        M["same_content"].format(name=same.name)
    return IngestResult(file=str(item.path), ok=True, doc_id=same.doc_id, skipped=True,
                        error="" if why == M["unchanged"] else why, extra={"stored_as": same.name, "name": item.name})


def _version(parsed: Parsed) -> str:
    return parsed.document.content_hash[:12]


def failed_result(item: Incoming, error: str) -> IngestResult:
    return IngestResult(file=str(item.path), ok=False, error=error, extra={"name": item.name})


def _write_error(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return M["disk_full"]
    return M["write_failed"].format(reason=e.strerror or e)


def _store_error(e: Exception) -> str:
    if isinstance(e, (DiskFull, VectorDiskFull)):
        return M["disk_full"]
    if isinstance(e, OSError):
        return _write_error(e)
    return M["store_down"].format(detail=e)


# ------------------------------------------------------------------ the run
def ingest_paths(stores: Stores, paths: Iterable[str | Path], workers: int = 1,
                 progress: Callable[[int, int, str], None] | None = None, uploads: bool = False,
                 isolate: bool = False) -> list[IngestResult]:
    """Ingest files or folders. `uploads`: the files are uploads (identity by name, not path);
    `isolate`: parse in a child process at low priority, so a large file does not slow the answers of
    the process that serves them."""
    items = [Incoming(p, p.name, None if uploads else str(p.resolve())) for p in expand_paths(paths)]
    results, todo = _precheck(stores, items)
    pairs = _parsed_in_order(todo, workers, stores.settings.embedder, isolate)
    known = list(stores.facts.documents()) if todo else []
    batch: list[tuple[Incoming, Parsed | IngestError, object]] = []
    for i, (item, parsed, vectors) in enumerate(pairs):
        if progress:
            progress(i, len(todo), item.name)
        if any(b[0].name == item.name for b in batch):
            results.extend(write_batch(stores, batch))     # what it may replace is written first
            batch = []
        if isinstance(parsed, Parsed):
            parsed = unify_identity(parsed, known)
            known.append(parsed.document)
        batch.append((item, parsed, vectors))
        if sum(len(b[1].chunks) for b in batch if isinstance(b[1], Parsed)) >= WRITE_BATCH_CHUNKS:
            results.extend(write_batch(stores, batch))
            batch = []
    results.extend(write_batch(stores, batch))
    if todo:
        _note_joins(results, _join_or_later(stores))
    if progress:
        progress(len(todo), len(todo), "")
    return _in_given_order(results, items)


def _precheck(stores: Stores, items: list[Incoming]) -> tuple[list[IngestResult], list[Incoming]]:
    """Missing files and contents already stored (or twice in this run) are answered without parsing."""
    results, todo, seen = [], [], {}
    for item in items:
        try:
            digest = file_hash(item.path.read_bytes())
        except OSError:
            results.append(failed_result(item, M["not_found"]))
            continue
        same = seen.get(digest) or stores.facts.find_content(digest)
        if same is not None:
            results.append(_same_content(item, same))
        else:
            seen[digest] = StoredFile(item.name, "", digest, "", None, item.source, item.name, None)
            todo.append(item)
    return results, todo


def _parsed_in_order(todo: list[Incoming], workers: int, spec: str, isolate: bool):
    """(item, parsed or error, vectors) per file; a disclosure in two files: those that state the year
    go first (fewer documents to move afterwards)."""
    parsed = _parse_all([t.path for t in todo], workers, spec, isolate)
    if len(todo) > 64:
        return ((t, *r) for t, r in zip(todo, parsed))
    parsed = list(parsed)
    order = sorted(range(len(todo)), key=lambda i: isinstance(parsed[i][0], Parsed)
                   and parsed[i][0].document.year is None)
    return [(todo[i], *parsed[i]) for i in order]


def _join_or_later(stores: Stores) -> list[tuple[str, str]]:
    """Joins now; with a store down, the next ingest run does them (the files themselves are written)."""
    try:
        return join_stored_documents(stores)
    except (StoreUnavailable, VectorUnavailable, OSError):
        return []


def _note_joins(results: list[IngestResult], moved: list[tuple[str, str]]) -> None:
    for old, target in moved:
        r = next((r for r in results if r.ok and not r.skipped and r.doc_id == target), None)
        if r is not None:
            r.extra.setdefault("joined", []).append(old)


def _in_given_order(results: list[IngestResult], items: list[Incoming]) -> list[IngestResult]:
    order = {str(item.path): n for n, item in enumerate(items)}
    return sorted(results, key=lambda r: order.get(r.file, len(order)))


def remove(stores: Stores, doc_or_file: str) -> list[str]:
    """Delete a document (by id) or one file from both stores; returns the file names removed."""
    with stores.facts.writer_lock():
        names = stores.facts.remove(doc_or_file)
        for n in names:
            stores.vectors.delete_file(n)
    return names


def load_sample_if_empty(stores: Stores) -> list[IngestResult]:
    """The bundled sample disclosure, ingested into an empty store (the chat opens on it)."""
    if stores.facts.documents():
        return []
    return ingest_paths(stores, sorted(SAMPLE_DIR.glob("*.txt")))


def _parse_all(paths: list[Path], workers: int, spec: str, isolate: bool = False):
    """(parsed or error, vectors or None) per path, in order. With workers (or isolated), each worker
    parses and embeds (a fork-safe embedder only); alone, the main process embeds when it writes."""
    if not paths:
        return
    if not isolate and (workers <= 1 or len(paths) <= 1):
        yield from ((_parse(p), None) for p in paths)
        return
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(paths))), initializer=_init_worker,
                             initargs=(spec if is_fork_safe(spec) else None, UPLOAD_NICE if isolate else 0)) as pool:
        yield from pool.map(_parse_and_embed, paths, chunksize=1)
