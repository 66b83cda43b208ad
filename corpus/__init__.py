"""Files -> stores: parse (ingest/), embed and write atomically (stores/). The ingest CLI
(`python -m corpus`), the app's and the API's uploads all come through here."""
from __future__ import annotations

from corpus.load import expand_paths, ingest_paths, load_sample_if_empty, remove, reread, stale_count

__all__ = ["expand_paths", "ingest_paths", "load_sample_if_empty", "remove", "reread", "stale_count"]
