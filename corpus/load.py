"""Files -> stores. Parsing runs in worker processes; writes happen here, one file at a time.

Order per file: chunks of the new version are added to Chroma, then one SQL transaction swaps
the file's facts and makes the new version active, then the old version's chunks are deleted.
Retrieval only uses chunks of active versions, so a question never sees half a file, and a run
killed at any point leaves a consistent store that a rerun completes.
"""
from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from config import SAMPLE_DIR
from ingest.errors import IngestError
from ingest.identity import unify_identity
from ingest.pipeline import file_hash, parse_file
from schema import Document, IngestResult, Parsed
from stores import Stores
from stores.embedder import Embedder, is_fork_safe, worker_embedder
from stores.facts import StoreUnavailable
from stores.vectors import VectorUnavailable, embed_chunks

SUFFIXES = {".pdf", ".txt", ".text", ".md"}
TEMPLATE_ZH = "这是空白的决算/预算表样（模板），不是公开文件，未导入"
TEMPLATE_EN = "a blank form (template), not a disclosure: not ingested"


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
        return IngestError(f"无法解析该文件（{type(e).__name__}）", f"could not parse the file ({type(e).__name__}: {e})")


_WORKER_EMBEDDER: Embedder | None = None


def _init_worker(spec: str | None) -> None:
    global _WORKER_EMBEDDER
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


def _unchanged(stores: Stores, path: Path) -> IngestResult | None:
    try:
        digest = file_hash(path.read_bytes())
    except OSError:
        return None
    seen = stores.facts.file_version(path.name)
    if seen and seen[0] == digest:
        return IngestResult(file=str(path), ok=True, doc_id=seen[1], skipped=True)
    return None


WRITE_BATCH_CHUNKS = 500     # chunks of several files go to Chroma in one upsert (2-3x faster than per file)


def _store_copy(stores: Stores, path: Path, d: Document) -> Path:
    files_dir = stores.settings.store_dir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    stored = files_dir / f"{d.content_hash[:16]}{path.suffix.lower()}"
    if not stored.exists():
        tmp = stored.with_suffix(stored.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(stored)
    return stored


def write_batch(stores: Stores, items: list[tuple[Path, Parsed | IngestError, object]]) -> list[IngestResult]:
    """Writes parsed files, in order: (1) a copy of each source file, (2) the chunks of all of them in
    one upsert, then per file (3) one SQL transaction that swaps its facts and activates its version
    and (4) the deletion of its old version's chunks. Chunks of a version that is not active are
    never read, so a kill at any step leaves a consistent store."""
    results: list[IngestResult | None] = [None] * len(items)
    ready: list[tuple[int, Path, Parsed, Path, object]] = []
    for i, (path, parsed, vectors) in enumerate(items):
        if isinstance(parsed, IngestError):
            results[i] = _failed(path, f"{parsed.reason_zh} / {parsed.reason_en}")
        elif parsed.document.is_template:
            results[i] = IngestResult(file=str(path), ok=True, skipped=True, error=f"{TEMPLATE_ZH} / {TEMPLATE_EN}",
                                      extra={"template": True})
        else:
            try:
                ready.append((i, path, parsed, _store_copy(stores, path, parsed.document), vectors))
            except OSError as e:
                results[i] = _failed(path, _write_error(e))
    try:
        stores.vectors.add_many([(list(p.chunks), path.name, _version(p), vectors)
                                 for _, path, p, _, vectors in ready])
    except (StoreUnavailable, VectorUnavailable, OSError) as e:
        for i, path, *_ in ready:
            results[i] = _failed(path, _store_error(e))
        ready = []
    for i, path, parsed, stored, _ in ready:
        try:
            stores.facts.replace_file(parsed, path.name, str(stored))
            stores.vectors.delete_file(path.name, keep_version=_version(parsed))
            d = parsed.document
            results[i] = IngestResult(file=str(path), ok=True, doc_id=d.doc_id, facts=len(parsed.facts),
                                      chunks=len(parsed.chunks), pages=d.pages or 0)
        except (StoreUnavailable, VectorUnavailable, OSError) as e:
            results[i] = _failed(path, _store_error(e))
    return [r for r in results if r is not None]


def _version(parsed: Parsed) -> str:
    return parsed.document.content_hash[:12]


def _failed(path: Path, error: str) -> IngestResult:
    return IngestResult(file=str(path), ok=False, error=error)


def _write_error(e: OSError) -> str:
    return f"写入存储失败（{e.strerror}），文件未导入 / could not write the store: {e.strerror}"


def _store_error(e: Exception) -> str:
    if isinstance(e, OSError):
        return _write_error(e)
    return f"存储不可用，文件未导入 / store unavailable: {e}"


def ingest_paths(stores: Stores, paths: Iterable[str | Path], workers: int = 1,
                 progress: Callable[[int, int, str], None] | None = None) -> list[IngestResult]:
    files = expand_paths(paths)
    results: list[IngestResult] = []
    todo: list[Path] = []
    for p in files:
        if not p.exists():
            results.append(IngestResult(file=str(p), ok=False, error="文件不存在 / file not found"))
        elif (r := _unchanged(stores, p)) is not None:
            results.append(r)
        else:
            todo.append(p)
    spec = stores.settings.embedder
    parsed_all = list(_parse_all(todo, workers, spec)) if len(todo) <= 64 else None
    if parsed_all is not None:   # a disclosure in two files: those that state the year go first
        order = sorted(range(len(todo)), key=lambda i: isinstance(parsed_all[i][0], Parsed)
                       and parsed_all[i][0].document.year is None)
        pairs = [(todo[i], *parsed_all[i]) for i in order]
    else:
        pairs = ((p, *r) for p, r in zip(todo, _parse_all(todo, workers, spec)))
    batch: list[tuple[Path, Parsed | IngestError, object]] = []
    for i, (path, parsed, vectors) in enumerate(pairs):
        if progress:
            progress(i, len(todo), path.name)
        joins = isinstance(parsed, Parsed) and parsed.document.year is None
        if joins or any(b[0].name == path.name for b in batch):
            results.extend(write_batch(stores, batch))     # what it joins (or replaces) is written first
            batch = []
        if joins:
            parsed = unify_identity(parsed, stores.facts.documents())
        batch.append((path, parsed, vectors))
        if sum(len(b[1].chunks) for b in batch if isinstance(b[1], Parsed)) >= WRITE_BATCH_CHUNKS:
            results.extend(write_batch(stores, batch))
            batch = []
    results.extend(write_batch(stores, batch))
    if progress:
        progress(len(todo), len(todo), "")
    return results


def remove(stores: Stores, doc_or_file: str) -> list[str]:
    """Delete a document (by id) or one file from both stores; returns the file names removed."""
    names = stores.facts.remove(doc_or_file)
    for n in names:
        stores.vectors.delete_file(n)
    return names


def load_sample_if_empty(stores: Stores) -> list[IngestResult]:
    """The bundled sample disclosure, ingested into an empty store (the chat opens on it)."""
    if stores.facts.documents():
        return []
    return ingest_paths(stores, sorted(SAMPLE_DIR.glob("*.txt")))


def _parse_all(paths: list[Path], workers: int, spec: str):
    """(parsed or error, vectors or None) per path, in order. With workers, each worker parses and
    embeds (a fork-safe embedder only); alone, the main process embeds when it writes."""
    if workers <= 1 or len(paths) <= 1:
        yield from ((_parse(p), None) for p in paths)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(spec if is_fork_safe(spec) else None,)) as pool:
        yield from pool.map(_parse_and_embed, paths, chunksize=1)
