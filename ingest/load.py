"""Files -> stores. Parsing runs in worker processes; writes happen here, one file at a time.

Order per file: chunks of the new version are added to Chroma, then one SQL transaction swaps
the file's facts and makes the new version active, then the old version's chunks are deleted.
Retrieval only uses chunks of active versions, so a question never sees half a file, and a run
killed at any point leaves a consistent store that a rerun completes.
"""
from __future__ import annotations

import shutil
from dataclasses import replace
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ingest.errors import IngestError
from ingest.pipeline import file_hash, parse_file
from retrieval.facts_store import StoreUnavailable
from retrieval.stores import Stores
from retrieval.embed import Embedder, is_fork_safe, worker_embedder
from retrieval.vector import VectorUnavailable, embed_chunks
from schema import Document, IngestResult, Parsed

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


def write_parsed(stores: Stores, path: Path, parsed: Parsed, vectors=None) -> IngestResult:
    d = parsed.document
    if d.is_template:
        return IngestResult(file=str(path), ok=True, skipped=True, error=f"{TEMPLATE_ZH} / {TEMPLATE_EN}",
                            extra={"template": True})
    version = d.content_hash[:12]
    files_dir = stores.settings.store_dir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    stored = files_dir / f"{d.content_hash[:16]}{path.suffix.lower()}"
    if not stored.exists():
        tmp = stored.with_suffix(stored.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(stored)
    stores.vectors.add(list(parsed.chunks), path.name, version, vectors=vectors)
    stores.facts.replace_file(parsed, path.name, str(stored))
    stores.vectors.delete_file(path.name, keep_version=version)
    return IngestResult(file=str(path), ok=True, doc_id=d.doc_id, facts=len(parsed.facts),
                        chunks=len(parsed.chunks), pages=d.pages or 0)


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
    for i, (path, parsed, vectors) in enumerate(pairs):
        if progress:
            progress(i, len(todo), path.name)
        if isinstance(parsed, Parsed) and parsed.document.year is None:
            parsed = unify_identity(parsed, stores.facts.documents())
        results.append(_store_one(stores, path, parsed, vectors))
    if progress:
        progress(len(todo), len(todo), "")
    return results


def unify_identity(parsed: Parsed, known: list[Document]) -> Parsed:
    """A file whose year is not printed (tables published apart from the text) joins the document
    of the same body and kind that states it."""
    d = parsed.document
    if d.year is not None:
        return parsed
    same = sorted((k for k in known if k.body == d.body and k.kind == d.kind and k.scope == d.scope and k.year),
                  key=lambda k: -(k.year or 0))
    if not same:
        return parsed
    target = same[0]
    return Parsed(document=replace(d, doc_id=target.doc_id, year=target.year, title=target.title),
                  facts=tuple(replace(f, doc=target.doc_id) for f in parsed.facts),
                  chunks=tuple(replace(c, doc=target.doc_id) for c in parsed.chunks),
                  tables=parsed.tables, lines=parsed.lines)


def _parse_all(paths: list[Path], workers: int, spec: str):
    """(parsed or error, vectors or None) per path, in order. With workers, each worker parses and
    embeds (a fork-safe embedder only); alone, the main process embeds when it writes."""
    if workers <= 1 or len(paths) <= 1:
        yield from ((_parse(p), None) for p in paths)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(spec if is_fork_safe(spec) else None,)) as pool:
        yield from pool.map(_parse_and_embed, paths, chunksize=1)


def _store_one(stores: Stores, path: Path, parsed: Parsed | IngestError, vectors=None) -> IngestResult:
    if isinstance(parsed, IngestError):
        return IngestResult(file=str(path), ok=False, error=f"{parsed.reason_zh} / {parsed.reason_en}")
    try:
        return write_parsed(stores, path, parsed, vectors)
    except (StoreUnavailable, VectorUnavailable) as e:
        return IngestResult(file=str(path), ok=False, error=f"存储不可用，文件未导入 / store unavailable: {e}")
    except OSError as e:
        return IngestResult(file=str(path), ok=False,
                            error=f"写入存储失败（{e.strerror}），文件未导入 / could not write the store: {e.strerror}")
