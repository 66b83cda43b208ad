"""An ingest in a process of its own, for a process that serves answers (the app, the API).

Chroma holds the interpreter lock while it writes (an upsert of 900 chunks stops every other thread
of the process for 1.2 s), so a serving process that wrote an upload itself would stall its answers.
"""
from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path
from typing import Callable

from config import Settings
from corpus.load import Incoming, failed_result, ingest_paths
from prompts.store_zh import INGEST as M
from schema import IngestResult
from stores.facts import StoreUnavailable
from stores.vectors import VectorUnavailable


def ingest_in_child(settings: Settings, paths: list[Path], uploads: bool = False,
                    progress: Callable[[int, int, str], None] | None = None) -> list[IngestResult]:
    """`ingest_paths` in a fresh process (its parsing below the answers' priority), for a process that
    serves answers: Chroma holds the interpreter lock while it writes (1.2 s for 900 chunks), which
    would stall every answer of the serving process. Progress and results come back over a queue; a
    store error is raised here as it was there."""
    ctx = multiprocessing.get_context("spawn")        # not fork: the serving process has Chroma's threads
    events = ctx.Queue()
    child = ctx.Process(target=_child_ingest, args=(settings, [str(p) for p in paths], uploads, events))
    child.start()
    try:
        while True:
            try:
                kind, payload = events.get(timeout=1)
            except queue.Empty:
                if not child.is_alive():
                    return [failed_result(Incoming(Path(p), Path(p).name, None), M["child_died"]) for p in paths]
                continue
            if kind == "progress" and progress:
                progress(*payload)
            elif kind in ("done", "error"):
                break
    finally:
        child.join(timeout=30)
    if kind == "error":
        raise payload
    return payload


def _child_ingest(settings: Settings, paths: list[str], uploads: bool, events) -> None:
    from corpus.lifeline import die_with_parent
    from stores import open_stores
    die_with_parent()                   # the serving process killed: this ingest (and its workers) ends too
    try:
        stores = open_stores(settings, lazy_embedder=True)       # the parse worker embeds
        results = ingest_paths(stores, paths, uploads=uploads, isolate=True,
                               progress=lambda i, n, name: events.put(("progress", (i, n, name))))
        events.put(("done", results))
    except (StoreUnavailable, VectorUnavailable, OSError) as e:
        events.put(("error", e))
