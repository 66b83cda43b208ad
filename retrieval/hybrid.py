"""Passages for a question inside chosen documents: BM25 (per document, in memory) and dense search
(the vector store), fused by reciprocal rank, optionally reranked. Fusion and ranking live here, over
the adapters' results, so a new vector backend cannot change answers."""
from __future__ import annotations

from dataclasses import dataclass

from retrieval.answer import Passage
from retrieval.cache import Lru
from retrieval.lexical import Bm25Index, Tokenizer, rrf
from schema import Chunk


@dataclass(frozen=True)
class DocPassages:
    """One document's active chunks and their BM25 index."""
    chunks: dict[str, tuple[Chunk, str]]      # chunk_id -> (chunk, file)
    bm25: Bm25Index


class HybridSearch:
    """Per-document passage indexes cached by the document's file versions (a bounded LRU)."""

    def __init__(self, vectors, cache_docs: int, rerank_model: str = ""):
        self.vectors = vectors
        self.rerank_model = rerank_model
        self.tokenizer = Tokenizer()
        self._indexes: Lru[DocPassages] = Lru(cache_docs)

    def add_words(self, words: set[str]) -> None:
        """Label words join the tokenizer; indexes cut with the old dictionary are dropped."""
        if self.tokenizer.add(words):
            self._indexes.clear()

    def index(self, doc_id: str, key: tuple, active: dict[str, str]) -> DocPassages:
        def load() -> DocPassages:
            chunks = {c.chunk_id: (c, f) for c, f, v in self.vectors.all_chunks([doc_id]) if active.get(f) == v}
            return DocPassages(chunks, Bm25Index(list(chunks), [c.text for c, _ in chunks.values()], self.tokenizer))
        return self._indexes.get(key, load)

    def search(self, text: str, k: int, indexes: list[DocPassages], docs: list[str]) -> tuple[Passage, ...]:
        dense = [h.chunk.chunk_id for h in self.vectors.query(text, k=k * 2, docs=docs)]
        return self.fuse(text, k, indexes, dense)

    def search_each(self, text: str, k: int, indexes: dict[str, DocPassages]) -> dict[str, tuple[Passage, ...]]:
        """The passages of each document, with one dense query (one embedding) for all of them."""
        dense = [h.chunk.chunk_id for h in self.vectors.query(text, k=k * 2 * len(indexes), docs=list(indexes))]
        return {doc: self.fuse(text, k, [x], dense) for doc, x in indexes.items()}

    def fuse(self, text: str, k: int, indexes: list[DocPassages], dense_ids: list[str]) -> tuple[Passage, ...]:
        chunks = {cid: cf for x in indexes for cid, cf in x.chunks.items()}
        lexical = [cid for cid, _ in sorted((hit for x in indexes for hit in x.bm25.search(text, k=k * 2)),
                                            key=lambda h: -h[1])][:k * 2]
        dense = [cid for cid in dense_ids if cid in chunks][:k * 2]
        fused = rrf([lexical, dense])[:k]
        if self.rerank_model and fused:
            from retrieval.rerank import rerank
            order = rerank(self.rerank_model, text, [chunks[cid][0].text for cid, _ in fused])
            fused = [fused[i] for i in order]
        return tuple(to_passage(*chunks[cid], score) for cid, score in fused)


def to_passage(c: Chunk, file: str, score: float) -> Passage:
    return Passage(text=c.text, page=c.page, section=c.section, table=c.table, file=file, score=score)
