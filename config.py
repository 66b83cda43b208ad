"""One settings object, built once from the environment at the entry points.

No other module reads `os.environ`. Every setting is listed in SETTINGS_DOC (the README's
configuration table is checked against it by a test).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SAMPLE_DIR = ROOT / "data" / "sample"

# env name -> (field, default, description)
SETTINGS_DOC: dict[str, tuple[str, str, str]] = {
    "BUDGETQA_STORE": ("store_dir", "./data/store", "Folder of the embedded store (SQLite facts + Chroma chunks)."),
    "BUDGETQA_EMBEDDER": ("embedder", "use", "`use` (offline multilingual USE v3, default) or a sentence-transformers model name or path."),
    "BUDGETQA_DATABASE_URL": ("database_url", "", "PostgreSQL URL for facts (e.g. postgresql://user:pw@host/db); empty: SQLite in the store."),
    "BUDGETQA_CHROMA_HOST": ("chroma_host", "", "Chroma server host (client/server mode); empty: embedded PersistentClient."),
    "BUDGETQA_CHROMA_PORT": ("chroma_port", "8000", "Chroma server port."),
    "BUDGETQA_LLM_BASE_URL": ("llm_base_url", "", "OpenAI-compatible endpoint (DeepSeek, Qwen, vLLM, Ollama); empty: deterministic composer."),
    "BUDGETQA_LLM_MODEL": ("llm_model", "", "Model name at that endpoint."),
    "BUDGETQA_LLM_API_KEY": ("llm_api_key", "", "API key for the endpoint (any string for local servers)."),
    "BUDGETQA_LLM_TIMEOUT": ("llm_timeout", "20", "Seconds before the LLM is given up and the deterministic answer is used."),
    "BUDGETQA_LLM_COOLDOWN": ("llm_cooldown", "30", "Seconds the LLM is left alone after a timeout or an error (questions get the deterministic answer at once); then one question probes it. 0: every question tries it."),
    "BUDGETQA_LLM_AT_ONCE": ("llm_at_once", "4", "LLM calls in flight per process; a question over the bound gets the deterministic answer at once."),
    "BUDGETQA_LLM_PLAN": ("llm_plan", "0", "1: a question the offline reading cannot answer is read by the LLM into a query (item, intent, bodies, years; never figures), checked against the loaded documents."),
    "BUDGETQA_RERANK_MODEL": ("rerank_model", "", "Optional sentence-transformers cross-encoder name or path for reranking chunks."),
    "BUDGETQA_LOAD_SAMPLE": ("load_sample", "1", "1: ingest the bundled sample disclosure into an empty store at start."),
    "BUDGETQA_CORS_ORIGINS": ("cors_origins", "", "Comma-separated origins allowed to call the API (portal sites)."),
    "BUDGETQA_FRAME_ANCESTORS": ("frame_ancestors", "'self'", "CSP frame-ancestors for pages that may frame the app."),
    "BUDGETQA_ADMIN_TOKEN": ("admin_token", "", "Token that enables the API's write routes (upload); empty: read-only API."),
    "BUDGETQA_RATE_LIMIT": ("rate_limit", "30", "Questions per minute per client on the API."),
    "BUDGETQA_MAX_UPLOAD_MB": ("max_upload_mb", "50", "Largest upload accepted, in MB (the API: one request, all its files)."),
    "BUDGETQA_CACHE_DOCS": ("cache_docs", "64", "Documents whose facts and search index each process keeps in memory (≈ 2–3 MB each); others load on use."),
    "BUDGETQA_ANSWER_CACHE": ("answer_cache", "2000", "Answers each API process keeps per corpus version (the same question asked again is answered at once; any ingest starts afresh); 0: none."),
    "BUDGETQA_STORE_TIMEOUT": ("store_timeout", "5", "Seconds a read of the fact database or the Chroma index may take; past it the question gets 503 and the worker is free."),
    "BUDGETQA_STORE_WRITE_TIMEOUT": ("store_write_timeout", "120", "Seconds one write of an ingest (or its wait for another process's write) may take before the file is reported not ingested."),
}


@dataclass(frozen=True)
class Settings:
    store_dir: Path = Path("./data/store")
    embedder: str = "use"
    database_url: str = ""
    chroma_host: str = ""
    chroma_port: int = 8000
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 20.0
    llm_cooldown: float = 30.0
    llm_at_once: int = 4
    llm_plan: bool = False
    rerank_model: str = ""
    load_sample: bool = True
    cors_origins: tuple[str, ...] = ()
    frame_ancestors: str = "'self'"
    admin_token: str = ""
    rate_limit: int = 30
    max_upload_mb: int = 50
    cache_docs: int = 64
    answer_cache: int = 2000
    store_timeout: float = 5.0
    store_write_timeout: float = 120.0

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def facts_db(self) -> str:
        return self.database_url or f"sqlite:///{self.store_dir / 'facts.sqlite3'}"

    def with_store(self, store_dir: str | Path | None) -> "Settings":
        return self if store_dir is None else replace(self, store_dir=Path(store_dir))


def _convert(field_name: str, raw: str):
    kind = Settings.__dataclass_fields__[field_name].type
    if kind == "Path":
        return Path(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw.strip().lower() not in ("0", "false", "no", "off", "")
    if kind.startswith("tuple"):
        return tuple(x.strip() for x in raw.split(",") if x.strip())
    return raw


def load_settings(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Build Settings from environment variables (the only place that reads them)."""
    env = dict(os.environ if env is None else env)
    values = {}
    for name, (field_name, default, _doc) in SETTINGS_DOC.items():
        values[field_name] = _convert(field_name, env.get(name, default))
    values.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(values.get("store_dir"), str):
        values["store_dir"] = Path(values["store_dir"])
    return Settings(**values)
