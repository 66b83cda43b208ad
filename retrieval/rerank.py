"""Optional cross-encoder rerank of passages (sentence-transformers), when BUDGETQA_RERANK_MODEL is set."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=2)
def _model(name: str):
    from sentence_transformers import CrossEncoder
    return CrossEncoder(name, device="cpu")


def rerank(model: str, query: str, texts: list[str]) -> list[int]:
    """Indices of texts, best first."""
    if not texts:
        return []
    scores = _model(model).predict([(query, t) for t in texts])
    return sorted(range(len(texts)), key=lambda i: -float(scores[i]))
