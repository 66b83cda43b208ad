"""What the UI edges share (the chat app, the API, the staff pages): the engine with the bundled
sample loaded, the admin-token check, upload names, and saving uploads then ingesting them."""
from __future__ import annotations

import hmac
import re
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable

from config import Settings
from corpus import load_sample_if_empty
from corpus.child import ingest_in_child
from prompts.store_zh import UPLOAD
from retrieval.engine import Engine, get_engine
from schema import Answer, AnswerPart, Citation, IngestResult
from stores.feedback import FeedbackStore

_START_LOCK = threading.Lock()
_INGEST_LOCK = threading.Lock()


def open_engine(settings: Settings) -> Engine:
    """The process's engine; an empty store first gets the bundled sample when settings ask for it.
    Sessions opening at once wait for one another, so the sample is ingested once."""
    with _START_LOCK:
        engine = get_engine(settings)
        if settings.load_sample:
            load_sample_if_empty(engine.stores)
        return engine


def token_ok(given: str | None, expected: str) -> bool:
    """The given token matches the configured one. No token configured: nothing is unlocked (safe as
    installed: visitors read, and upload and the staff pages stay closed until a token is set)."""
    if not expected:
        return False
    return bool(given) and hmac.compare_digest(given.strip().encode(), expected.encode())


def bearer_token(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def safe_name(name: str | None) -> str:
    """An uploaded file's name as a plain base name (no folders, no control characters)."""
    base = re.sub(r"[\x00-\x1f/\\]", "_", Path(name or "").name).strip(" .")
    return base or "upload.txt"


def ingest_uploads(engine: Engine, files: Iterable[tuple[str, bytes]],
                   progress: Callable[[int, int, str], None] | None = None) -> list[IngestResult]:
    """Uploaded (name, content) pairs -> each saved under its safe name in its own temporary folder (two
    uploads may share a name) -> ingested as uploads: the same content is not stored twice, a new content
    replaces the stored file of the same name in the same document, and any other is one more file
    (corpus/load.py). The ingest runs in a process of its own (its parsing at low priority), so the
    answers of this process keep their pace; the engine sees the new files on its next question."""
    with tempfile.TemporaryDirectory(prefix="budgetqa-upload-") as tmp:
        paths = []
        for n, (name, data) in enumerate(files):
            path = Path(tmp) / str(n) / safe_name(name)
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        with _INGEST_LOCK:
            return ingest_in_child(engine.settings, paths, uploads=True, progress=progress)


def upload_note(r: IngestResult) -> str:
    """What an upload was kept as, when that is not simply its name: the stored name, a replaced
    old version (shown after the result line of the app and in the API's `stored_as` / `replaced`)."""
    note = ""
    if r.ok and not r.skipped and r.extra.get("stored_as") not in (None, r.extra.get("name")):
        note += UPLOAD["stored_as"].format(name=r.extra["stored_as"])
    if r.ok and r.extra.get("replaced"):
        note += UPLOAD["replaced"]
    return note


def answer_from_json(d: dict) -> Answer:
    """An answer as `Answer.to_json` wrote it (the browser's kept chat, the widget's feedback) -> the record."""
    cites = tuple(Citation(**{k: c.get(k) for k in ("doc", "page", "table", "section", "text")},
                           **{k: c.get(k) or "" for k in ("doc_id", "file", "label", "column", "role")})
                  for c in d.get("citations", []))
    parts = tuple(AnswerPart(**p) for p in d.get("parts", []))
    return Answer(question=str(d["question"]), answer=str(d["answer"]), answerable=bool(d["answerable"]),
                  value=d.get("value"), unit=d.get("unit"), citations=cites,
                  latency_ms=float(d.get("latency_ms") or 0), docs=tuple(d.get("docs", [])),
                  suggestions=tuple(d.get("suggestions", [])), mode=str(d.get("mode") or "composer"),
                  note=str(d.get("note") or ""), parts=parts)


def record_feedback(settings: Settings, answer_id: str, answer: dict, rating: int | None, comment: str = "") -> None:
    """👍/👎 (and a 👎's one line) on an answer shown by the widget, in the same store as the chat's."""
    store = FeedbackStore.in_store(settings.store_dir)
    store.record(answer_id, answer_from_json(answer), rating)
    if comment and rating == 0:
        store.comment(answer_id, comment)
