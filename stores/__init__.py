"""The two stores behind one object: facts (SQL) and chunks (Chroma)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from config import Settings
from stores.embedder import LazyEmbedder, get_embedder
from stores.facts import FactStore
from stores.vectors import VectorStore


class StoreMissing(Exception):
    """An explicitly named store folder holds no store (a misspelt --store must not become a new one)."""

    def __init__(self, store_dir: Path):
        super().__init__(str(store_dir))
        self.store_dir = store_dir


@dataclass
class Stores:
    settings: Settings
    facts: FactStore
    vectors: VectorStore


def open_facts(settings: Settings, must_exist: bool = False) -> FactStore:
    if must_exist:
        check_exists(settings)
    return FactStore(settings.facts_db, timeout=settings.store_timeout, write_timeout=settings.store_write_timeout,
                     root=settings.store_dir)


def open_stores(settings: Settings, must_exist: bool = False, lazy_embedder: bool = False) -> Stores:
    """Both stores; `must_exist`: refuse (StoreMissing) rather than create a store that is not there;
    `lazy_embedder`: load the embedding model only if something is embedded here."""
    facts = open_facts(settings, must_exist)
    embedder = LazyEmbedder(settings.embedder) if lazy_embedder else get_embedder(settings.embedder)
    vectors = VectorStore(settings, embedder)
    return Stores(settings=settings, facts=facts, vectors=vectors)


def check_exists(settings: Settings) -> None:
    """With SQLite the store is its folder's facts.sqlite3; a database URL names an existing server."""
    if not settings.database_url and not (settings.store_dir / "facts.sqlite3").is_file():
        raise StoreMissing(settings.store_dir)


def open_error_line(e: Exception, store_dir: Path) -> str:
    """The one line a command prints when it cannot open a store."""
    from prompts.store_zh import CLI
    if isinstance(e, StoreMissing):
        return CLI["no_store"].format(path=e.store_dir)
    detail = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return CLI["cannot_open"].format(path=store_dir, detail=detail.splitlines()[0][:200])
