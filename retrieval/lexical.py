"""BM25 over jieba tokens, with the ingested labels added to jieba's dictionary. Built once per corpus version."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from rank_bm25 import BM25Okapi

logging.getLogger("jieba").setLevel(logging.WARNING)
PUNCT = re.compile(r"^[\W_]+$")


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def add_words(words: set[str]) -> None:
    jb = _jieba()
    for w in words:
        if 2 <= len(w) <= 20:
            jb.add_word(w, freq=2000)


def tokenize(text: str) -> list[str]:
    return [t for t in _jieba().lcut_for_search(text) if t.strip() and not PUNCT.match(t)]


class Bm25Index:
    def __init__(self, ids: list[str], texts: list[str]):
        self.ids = ids
        self._bm25 = BM25Okapi([tokenize(t) or ["_"] for t in texts]) if texts else None

    def search(self, query: str, k: int = 8, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        if self._bm25 is None:
            return []
        scores = self._bm25.get_scores(tokenize(query) or ["_"])
        ranked = sorted(range(len(self.ids)), key=lambda i: -scores[i])
        out = [(self.ids[i], float(scores[i])) for i in ranked if allowed is None or self.ids[i] in allowed]
        return [x for x in out[:k] if x[1] > 0]


def rrf(rankings: list[list[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of several ranked id lists."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda kv: -kv[1])
