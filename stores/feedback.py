"""👍/👎 on answers, kept in SQLite next to the store (`feedback.sqlite3`).

One row per shown answer: a changed rating overwrites the earlier one, a cleared rating removes
it; a 👎 may carry one line of comment (what was wrong: “正确的数字是…”). Nothing is created until the
first rating is written. A file written before the comment column existed gets it when opened.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from schema import Answer

FILE_NAME = "feedback.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,          -- JSON list, as in Answer.to_json()["citations"]
    rating INTEGER NOT NULL,          -- 1: helpful (👍), 0: not helpful (👎)
    mode TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,         -- ISO 8601, UTC
    comment TEXT NOT NULL DEFAULT ''  -- one line: what was wrong (👎)
)
"""
MAX_COMMENT = 500


class FeedbackStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    @classmethod
    def in_store(cls, store_dir: str | Path) -> "FeedbackStore":
        return cls(Path(store_dir) / FILE_NAME)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(SCHEMA)
        columns = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
        if "comment" not in columns:                       # a file of an earlier version: add the column
            with conn:
                conn.execute("ALTER TABLE feedback ADD COLUMN comment TEXT NOT NULL DEFAULT ''")
        return conn

    def record(self, answer_id: str, answer: Answer, rating: int | None) -> None:
        """Store (or replace) the rating of one shown answer; None removes it."""
        with closing(self._connect()) as conn, conn:
            if rating is None:
                conn.execute("DELETE FROM feedback WHERE answer_id = ?", (answer_id,))
                return
            cites = json.dumps(answer.to_json()["citations"], ensure_ascii=False)
            conn.execute(
                "INSERT INTO feedback (answer_id, question, answer, citations, rating, mode, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(answer_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at,"
                " comment = CASE WHEN excluded.rating = 1 THEN '' ELSE feedback.comment END",
                (answer_id, answer.question, answer.answer, cites, 1 if rating else 0, answer.mode,
                 datetime.now(timezone.utc).isoformat(timespec="seconds")))

    def comment(self, answer_id: str, text: str) -> bool:
        """Attach one line of comment to a stored rating (newlines folded, capped); False if none is stored."""
        line = " ".join((text or "").split())[:MAX_COMMENT]
        with closing(self._connect()) as conn, conn:
            return conn.execute("UPDATE feedback SET comment = ? WHERE answer_id = ?", (line, answer_id)).rowcount > 0

    def rows(self) -> list[dict]:
        """All ratings, oldest first (for review and export)."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as conn:
            conn.row_factory = sqlite3.Row
            out = [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]
        for r in out:
            r["citations"] = json.loads(r["citations"])
        return out
