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
printed in two files becomes one document in any order: each file is written under its own reading,
then a stored document shown to belong to another (the same body printed, or the same file name, or one
upload; the same year; agreeing totals) is moved into it (corpus/join.py). A body the file does not
print is stored under the file's name and marked 单位待确认; staff correct it with `--as`, stored by
content so that it survives re-ingest (`correct`). Each file records the parser version that read it;
a file read by an older one is re-read when ingested again or by `reread`. A process that serves
answers ingests in a child (corpus/child.py).
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from config import SAMPLE_DIR
from corpus.join import join_stored_documents
from corpus.lifeline import die_with_parent
from ingest.errors import IngestError, NotADisclosure
from ingest.identity import doc_id_for, rekey_parsed
from ingest.pipeline import PARSER_VERSION, Reading, file_hash, read_file
from prompts.ingest_zh import SAY
from prompts.store_zh import INGEST as M
from schema import Document, IngestResult, Parsed
from stores import Stores
from stores.embedder import Embedder, is_fork_safe, worker_embedder
from stores.facts import DiskFull, StoredFile, StoreUnavailable
from stores.vectors import VectorDiskFull, VectorUnavailable, embed_chunks

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
    key: str | None = None          # the stored file this re-reads (an older parser's reading, a correction)
    why: str = ""                   # reread | corrected: why a stored content is read again
    batch: str | None = None        # the upload it came in with other files


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and every file of a folder but hidden ones (a README or a spreadsheet there gets
    its own line: not a PDF or text disclosure)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*") if x.is_file()
                              and not any(part.startswith(".") for part in x.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def _parse(task: tuple[Path, str]) -> Reading | IngestError:
    path, name = task
    try:
        return read_file(path, name)
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


def _parse_and_embed(task: tuple[Path, str]) -> tuple[Reading | IngestError, np.ndarray | None]:
    """In a worker: parse, then embed the chunks there too, so that the main process only writes
    (embedding is most of ingest time; docs/scale.md)."""
    reading = _parse(task)
    if _WORKER_EMBEDDER is None or not isinstance(reading, Reading) or not reading.parsed.chunks:
        return reading, None
    try:
        return reading, np.asarray(embed_chunks(_WORKER_EMBEDDER, list(reading.parsed.chunks)), dtype=np.float32)
    except Exception:  # noqa: BLE001 - the main process embeds instead
        return reading, None


# ------------------------------------------------------------------ staff's corrections
KINDS = {"部门预算": ("部门", "预算"), "单位预算": ("单位", "预算"), "部门决算": ("部门", "决算"),
         "单位决算": ("单位", "决算"), "预算": ("部门", "预算"), "决算": ("部门", "决算")}


def parse_as(spec: str) -> dict:
    """`某某大学,2023,部门预算` -> {body, year, scope, kind}; ValueError with a Chinese line otherwise."""
    parts = [x.strip() for x in spec.replace("，", ",").split(",")]
    if len(parts) != 3 or not parts[0] or parts[2] not in KINDS or not (parts[1].isdigit() and len(parts[1]) == 4):
        raise ValueError(SAY["as_format"].format(spec=spec))
    scope, kind = KINDS[parts[2]]
    return {"body": parts[0], "year": int(parts[1]), "scope": scope, "kind": kind}


def apply_correction(reading: Reading, fix: dict | None) -> Reading:
    """The reading filed under the identity staff gave its content."""
    if not fix:
        return reading
    d = reading.parsed.document
    doc_id = doc_id_for(fix["body"], fix["year"], fix["scope"], fix["kind"])
    title = f"{fix['body']}{fix['year']}年度{fix['scope']}{fix['kind']}公开"
    parsed = rekey_parsed(reading.parsed, doc_id, fix["body"], fix["year"], title if doc_id != d.doc_id else d.title,
                          kind=fix["kind"], scope=fix["scope"])
    return replace(reading, parsed=parsed, confirmed=True,
                   evidence=(SAY["corrected"].format(body=fix["body"], year=fix["year"], kind=fix["scope"] + fix["kind"]),))


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
    reading: Reading
    vectors: object
    key: str = ""
    replaced: bool = False
    stored_path: str = ""

    @property
    def parsed(self) -> Parsed:
        return self.reading.parsed


def write_batch(stores: Stores, items: list[tuple[Incoming, Reading | IngestError, object]]) -> list[IngestResult]:
    """Writes parsed files under the writer lock, in order: (1) a copy of each source file, (2) the
    chunks of all of them in one upsert, then per file (3) one SQL transaction that swaps its facts and
    activates its version and (4) the deletion of its old version's chunks. Chunks of a version that
    is not active are never read, so a kill at any step leaves a consistent store."""
    results: list[IngestResult | None] = [None] * len(items)
    ready: list[Ready] = []
    for i, (item, parsed, vectors) in enumerate(items):
        if isinstance(parsed, NotADisclosure):
            results[i] = IngestResult(file=str(item.path), ok=True, skipped=True, error=str(parsed),
                                      extra={"not_disclosure": True, "name": item.name})
        elif isinstance(parsed, IngestError):
            results[i] = failed_result(item, f"{parsed.reason_zh} / {parsed.reason_en}")
        elif parsed.parsed.document.is_template:
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
            stores.facts.replace_file(r.parsed, r.key, r.stored_path, source=r.item.source, original=r.item.name,
                                      version=_version(r.parsed), reading=_reading_columns(r))
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
        same = None if r.item.key else stores.facts.find_content(d.content_hash)
        if same is not None:
            results[r.index] = _same_content(r.item, same)
            continue
        old = next((s for s in stored if s.name == r.item.key), None) or replaced_file(r.item, d.doc_id, stored)
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
    extra = {"stored_as": r.key, "replaced": r.replaced and not r.item.key, "name": r.item.name}
    if r.item.key:
        extra[r.item.why or "reread"] = True
    if not r.reading.confirmed:
        extra["unconfirmed"] = d.body
    shown = r.item.source or r.item.name if r.item.why == "reread" else str(r.item.path)    # not the store's copy
    return IngestResult(file=shown, ok=True, doc_id=d.doc_id, facts=len(r.parsed.facts),
                        chunks=len(r.parsed.chunks), pages=d.pages or 0, extra=extra)


def _reading_columns(r: Ready) -> dict:
    own = r.reading.parsed.document
    return {"year": own.year, "kind": own.kind, "scope": own.scope, "review": not r.reading.confirmed,
            "parser": r.reading.parser, "evidence": "；".join(r.reading.evidence), "batch": r.item.batch}


def _same_content(item: Incoming, same: StoredFile) -> IngestResult:
    why = M["unchanged"] if same.source == item.source and same.original == item.name else \
        M["same_content"].format(name=same.name)
    return IngestResult(file=str(item.path), ok=True, doc_id=same.doc_id, skipped=True,
                        error="" if why == M["unchanged"] else why, extra={"stored_as": same.name, "name": item.name})


def _version(parsed: Parsed) -> str:
    """A file's version: its content, the document it is filed under and the parser that read it (a new
    reading or a correction is a new version, so every process reloads it)."""
    d = parsed.document
    return hashlib.sha1(f"{d.content_hash}|{d.doc_id}|{PARSER_VERSION}".encode()).hexdigest()[:12]


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
    """Ingest files or folders. `uploads`: the files are uploads (identity by name, not path; an upload of
    two files is one disclosure's, which a join counts as evidence); `isolate`: parse in a child process at
    low priority, so a large file does not slow the answers of the process that serves them."""
    paths = expand_paths(paths)
    batch = uuid.uuid4().hex[:16] if uploads and len(paths) == 2 else None     # one upload of a disclosure's two files
    items = [Incoming(p, p.name, None if uploads else str(p.resolve()), batch=batch) for p in paths]
    results, todo = _precheck(stores, items)
    results += ingest_items(stores, todo, workers, progress, isolate)
    return _in_given_order(results, items)


def ingest_items(stores: Stores, todo: list[Incoming], workers: int = 1,
                 progress: Callable[[int, int, str], None] | None = None, isolate: bool = False) -> list[IngestResult]:
    """Parse, correct, write and join these files (none is skipped for its content)."""
    pairs = _parsed_in_order(todo, workers, stores.settings.embedder, isolate)
    return write_readings(stores, pairs, progress, len(todo))


def write_readings(stores: Stores, pairs: Iterable[tuple[Incoming, Reading | IngestError, object]],
                   progress: Callable[[int, int, str], None] | None = None, total: int = 0) -> list[IngestResult]:
    """Files already read (each: item, reading or error, vectors or None): corrected, written in
    batches, then joined."""
    results: list[IngestResult] = []
    fixes = stores.facts.corrections()
    batch: list[tuple[Incoming, Reading | IngestError, object]] = []
    todo = 0
    for i, (item, reading, vectors) in enumerate(pairs):
        todo += 1
        if progress:
            progress(i, total, item.name)
        if any(b[0].name == item.name for b in batch):
            results.extend(write_batch(stores, batch))     # what it may replace is written first
            batch = []
        if isinstance(reading, Reading):
            reading = apply_correction(reading, fixes.get(reading.parsed.document.content_hash))
        batch.append((item, reading, vectors))
        if sum(len(b[1].parsed.chunks) for b in batch if isinstance(b[1], Reading)) >= WRITE_BATCH_CHUNKS:
            results.extend(write_batch(stores, batch))
            batch = []
    results.extend(write_batch(stores, batch))
    if todo:
        _note_joins(results, _join_or_later(stores))
        _note_together(stores, results)
    if progress:
        progress(todo, total, "")
    return results


def _precheck(stores: Stores, items: list[Incoming]) -> tuple[list[IngestResult], list[Incoming]]:
    """Missing files and contents already stored (or twice in this run) are answered without parsing; a
    stored content an older parser read is re-read (into the same stored file)."""
    results, todo, seen = [], [], {}
    for item in items:
        try:
            digest = file_hash(item.path.read_bytes())
        except OSError:
            results.append(failed_result(item, M["not_found"]))
            continue
        same = seen.get(digest) or stores.facts.find_content(digest)
        if same is not None and same.version and same.parser < PARSER_VERSION:
            todo.append(replace(item, name=same.original, source=same.source, key=same.name, why="reread"))
            seen[digest] = replace(same, parser=PARSER_VERSION)
        elif same is not None:
            results.append(_same_content(item, same))
        else:
            seen[digest] = StoredFile(item.name, "", digest, "", None, item.source, item.name, None, PARSER_VERSION)
            todo.append(item)
    return results, todo


def _parsed_in_order(todo: list[Incoming], workers: int, spec: str, isolate: bool):
    """(item, reading or error, vectors) per file, in the order given."""
    parsed = _parse_all([(t.path, t.name) for t in todo], workers, spec, isolate)
    return ((t, *r) for t, r in zip(todo, parsed))


def _join_or_later(stores: Stores) -> list[tuple[str, str, str]]:
    """Joins now; with a store down, the next ingest run does them (the files themselves are written)."""
    try:
        return join_stored_documents(stores)
    except (StoreUnavailable, VectorUnavailable, OSError):
        return []


def _note_joins(results: list[IngestResult], moved: list[tuple[str, str, str]]) -> None:
    """The files of a moved document now answer under its target; both sides' lines say so and why."""
    for old, target, why in moved:
        for i, r in enumerate(results):
            if r.ok and not r.skipped and r.doc_id == old:
                results[i] = replace(r, doc_id=target, extra={**r.extra, "joined_into": {"doc": target, "from": old,
                                                                                         "why": why}})
        mine = next((r for r in results if r.ok and not r.skipped and r.doc_id == target
                     and "joined_into" not in r.extra), None)
        if mine is not None:
            mine.extra.setdefault("joined", []).append(old)            # the API lists these doc ids
            mine.extra.setdefault("join_why", {})[old] = why


def _note_together(stores: Stores, results: list[IngestResult]) -> None:
    """A file written into a document that holds other files (the same body and year read from each):
    its line names them, so a two-file disclosure is seen to be one document."""
    written = [r for r in results if r.ok and not r.skipped and not r.extra.get("joined_into")]
    if not written:
        return
    try:
        files = {d.doc_id: d.files for d in stores.facts.documents()}
    except (StoreUnavailable, OSError):
        return
    for r in written:
        others = [f for f in files.get(r.doc_id or "", ()) if f != r.extra.get("stored_as")]
        if others and not r.extra.get("joined"):
            r.extra["together"] = others


def _in_given_order(results: list[IngestResult], items: list[Incoming]) -> list[IngestResult]:
    order = {str(item.path): n for n, item in enumerate(items)}
    return sorted(results, key=lambda r: order.get(r.file, len(order)))


# ------------------------------------------------------------------ re-reading and correcting
def reread(stores: Stores, workers: int = 1) -> tuple[list[IngestResult], list[dict]]:
    """Re-read every stored file an older parser read, from the store's own copy, each written
    atomically in place of its old reading; then the joins. Returns the results and, per document
    that changed, what changed: {"file", "before", "after", "figures"} (figures: facts that differ)."""
    stale = stores.facts.stale_files(PARSER_VERSION)
    before = {f.name: (f.doc_id, _figures(stores.facts.file_facts(f.name))) for f in stale}
    todo = []
    results: list[IngestResult] = []
    for f in stale:
        copy = stores.facts.stored_path(f.name)
        path = Path(copy) if copy and Path(copy).exists() else (Path(f.source) if f.source else None)
        item = Incoming(path or Path(f.name), f.original, f.source, key=f.name, why="reread")
        if path is None or not path.exists():
            results.append(failed_result(item, M["not_found"]))
        else:
            todo.append(item)
    results += ingest_items(stores, todo, workers)
    after = {f.name: f.doc_id for f in stores.facts.files()}
    changes = []
    for name, (doc, figures) in before.items():
        now = _figures(stores.facts.file_facts(name)) if name in after else figures
        diff = max(len(figures - now), len(now - figures))      # figures read differently
        if after.get(name, doc) != doc or diff:
            changes.append({"file": name, "before": doc, "after": after.get(name, doc), "figures": diff})
    return results, changes


def _figures(facts) -> frozenset:
    return frozenset((f.table, f.label, f.column, f.value, f.unit) for f in facts)


def correct(stores: Stores, path: Path, spec: str) -> list[IngestResult]:
    """Staff's identity for a file (`--as 某某大学,2023,部门预算`): stored by the file's content, so that
    it holds for every later ingest of it, and the file re-filed (or ingested) under it now."""
    fix = parse_as(spec)
    digest = file_hash(path.read_bytes())
    stores.facts.set_correction(digest, fix["body"], fix["year"], fix["kind"], fix["scope"], path.name)
    same = stores.facts.find_content(digest)
    item = Incoming(path, path.name, str(path.resolve()))
    if same is not None:
        item = replace(item, name=same.original, source=same.source, key=same.name)
    return ingest_items(stores, [replace(item, why="corrected")])


def stale_count(stores: Stores) -> int:
    """How many stored files an older parser read (the CLI and the engine offer `--reread`)."""
    return len(stores.facts.stale_files(PARSER_VERSION))


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


def _parse_all(paths: list[tuple[Path, str]], workers: int, spec: str, isolate: bool = False):
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
