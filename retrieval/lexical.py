"""BM25 over jieba tokens. Each corpus has its own tokenizer, with the corpus's labels added as words,
so what one store loads never changes how another process or test cuts its text."""
from __future__ import annotations

import logging
import threading
from collections.abc import Set as AbstractSet
from functools import lru_cache

from rank_bm25 import BM25Okapi

from retrieval.wording import rx

logging.getLogger("jieba").setLevel(logging.WARNING)
PUNCT = rx("punct_re")
_BASE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _base():
    """jieba's dictionary, loaded once per process (about a second); tokenizers copy it."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    with _BASE_LOCK:
        t = jieba.Tokenizer()
        t.initialize()
    return t


class Tokenizer:
    """A jieba tokenizer of its own: the base dictionary plus the words given to it."""

    def __init__(self, words: AbstractSet[str] = frozenset()):
        import jieba
        base = _base()
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ, self._jieba.total = dict(base.FREQ), base.total
        self._jieba.initialized = True
        self.words: frozenset[str] = frozenset()
        self.add(words)

    def add(self, words: AbstractSet[str]) -> bool:
        """Adds label words (2-20 characters); True when any was new (indexes cut before must be rebuilt)."""
        new = {w for w in words if 2 <= len(w) <= 20} - self.words
        for w in new:
            self._jieba.add_word(w, freq=2000)
        self.words |= new
        return bool(new)

    def tokenize(self, text: str) -> list[str]:
        return [t for t in self._jieba.lcut_for_search(text, HMM=False) if t.strip() and not PUNCT.match(t)]


class Bm25Index:
    def __init__(self, ids: list[str], texts: list[str], tokenizer: Tokenizer):
        self.ids = ids
        self.tokenizer = tokenizer
        self._bm25 = BM25Okapi([tokenizer.tokenize(t) or ["_"] for t in texts]) if texts else None

    def search(self, query: str, k: int = 8, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        if self._bm25 is None:
            return []
        scores = self._bm25.get_scores(self.tokenizer.tokenize(query) or ["_"])
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
