"""The two stores behind one object: facts (SQL) and chunks (Chroma)."""
from __future__ import annotations

from dataclasses import dataclass

from config import Settings
from stores.embedder import get_embedder
from stores.facts import FactStore
from stores.vectors import VectorStore


@dataclass
class Stores:
    settings: Settings
    facts: FactStore
    vectors: VectorStore


def open_stores(settings: Settings) -> Stores:
    facts = FactStore(settings.facts_db)
    vectors = VectorStore(settings, get_embedder(settings.embedder))
    return Stores(settings=settings, facts=facts, vectors=vectors)
