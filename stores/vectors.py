"""Chunks in Chroma: embedded PersistentClient by default, a Chroma server when a host is set.

The only module that imports chromadb. Our embedder is always passed in (Chroma's default would
download a model), and telemetry is off.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from config import Settings
from schema import Chunk
from stores.embedder import Embedder

COLLECTION = "budget_chunks"


class VectorUnavailable(Exception):
    """The Chroma server or folder cannot be used."""


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


class VectorStore:
    def __init__(self, settings: Settings, embedder: Embedder):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self.embedder = embedder
        try:
            if settings.chroma_host:
                self.client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                                  settings=chroma_settings)
            else:
                path = settings.store_dir / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self.collection = self.client.get_or_create_collection(
                _collection_name(embedder), embedding_function=None, metadata={"hnsw:space": "cosine"})
        except Exception as e:  # noqa: BLE001 - any client failure means the store is unreachable
            raise VectorUnavailable(str(e)) from None

    def _call(self, fn):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001
            raise VectorUnavailable(str(e)) from None

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
        for i in range(0, len(ids), 1000):
            self._call(lambda i=i: self.collection.upsert(
                ids=ids[i:i + 1000], embeddings=vecs[i:i + 1000],
                documents=docs[i:i + 1000], metadatas=metas[i:i + 1000]))

    def delete_file(self, file: str, keep_version: str | None = None) -> None:
        where = {"file": file} if keep_version is None else {"$and": [{"file": file}, {"version": {"$ne": keep_version}}]}
        self._call(lambda: self.collection.delete(where=where))

    def query(self, text: str, k: int = 8, docs: list[str] | None = None) -> list[Hit]:
        vector = self.embedder.embed([text])[0]
        where = None
        if docs:
            where = {"doc": docs[0]} if len(docs) == 1 else {"doc": {"$in": list(docs)}}
        res = self._call(lambda: self.collection.query(query_embeddings=[vector], n_results=k, where=where,
                                                       include=["documents", "metadatas", "distances"]))
        return [Hit(chunk=_to_chunk(cid, doc, m), file=m["file"], version=m["version"], score=1 - dist)
                for cid, doc, m, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                             res["distances"][0])]

    def all_chunks(self, docs: list[str] | None = None) -> list[tuple[Chunk, str, str]]:
        where = None
        if docs:
            where = {"doc": docs[0]} if len(docs) == 1 else {"doc": {"$in": list(docs)}}
        res = self._call(lambda: self.collection.get(where=where, include=["documents", "metadatas"]))
        return [(_to_chunk(cid, doc, m), m["file"], m["version"])
                for cid, doc, m in zip(res["ids"], res["documents"], res["metadatas"])]

    def count(self) -> int:
        return self._call(self.collection.count)


def _to_chunk(cid: str, text: str, m: dict) -> Chunk:
    return Chunk(chunk_id=cid, doc=m["doc"], text=text, page=None if m["page"] == -1 else m["page"],
                 section=m["section"] or None, table=m["table"] or None, kind=m["kind"])
