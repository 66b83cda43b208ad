"""Chunks in Chroma: embedded PersistentClient by default, a Chroma server when a host is set.

The only module that imports chromadb. Our embedder is always passed in (Chroma's default would
download a model), and telemetry is off.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from config import Settings
from retrieval.embed import Embedder
from schema import Chunk

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
    """What a chunk is embedded by. Prose: all of it. A table chunk: its title and header only; its
    rows (labels and figures) are found by BM25 and answered from facts, and embedding them tripled
    ingest time without changing an answer (docs/scale.md)."""
    if chunk.kind != "table":
        return chunk.text
    return "\n".join(chunk.text.split("\n", 2)[:2])


def embed_chunks(embedder: Embedder, chunks: list[Chunk]):
    return embedder.embed([embedding_text(c) for c in chunks])


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
        """Stores chunks with their full text; `vectors` (one per chunk, from `embed_chunks`, e.g.
        computed in a parse worker) are embedded here when not given."""
        if not chunks:
            return
        if vectors is None:
            vectors = embed_chunks(self.embedder, chunks)
        metas = [{"doc": c.doc, "file": file, "version": version, "page": -1 if c.page is None else c.page,
                  "section": c.section or "", "table": c.table or "", "kind": c.kind} for c in chunks]
        for i in range(0, len(chunks), 1000):
            self._call(lambda i=i: self.collection.upsert(
                ids=[c.chunk_id for c in chunks[i:i + 1000]], embeddings=vectors[i:i + 1000],
                documents=[c.text for c in chunks[i:i + 1000]], metadatas=metas[i:i + 1000]))

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
