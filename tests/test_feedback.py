"""👍/👎 with a one-line comment, in SQLite next to the store; an older file gains the column when opened."""
from __future__ import annotations

import sqlite3

from schema import Answer, Citation
from stores.feedback import FeedbackStore

ANSWER = Answer(question="住房保障支出是多少？", answer="住房保障支出预算为3241.03万元①。", answerable=True,
                value="3241.03", unit="万元",
                citations=(Citation(doc="示例", page=3, table="收支总表", section=None, text="住房保障支出 3241.03"),))


def test_a_thumbs_down_keeps_one_line_of_comment(tmp_path):
    store = FeedbackStore.in_store(tmp_path)
    store.record("a1", ANSWER, 0)
    assert store.comment("a1", "正确的数字是\n3200.00万元")
    row = store.rows()[0]
    assert row["rating"] == 0 and row["comment"] == "正确的数字是 3200.00万元"
    store.record("a1", ANSWER, 0)                              # the same rating again keeps the comment
    assert store.rows()[0]["comment"] == "正确的数字是 3200.00万元"
    store.record("a1", ANSWER, 1)                              # changed to 👍: the complaint no longer stands
    assert store.rows()[0]["comment"] == ""


def test_a_comment_without_a_rating_is_not_stored(tmp_path):
    store = FeedbackStore.in_store(tmp_path)
    assert not store.comment("nope", "x") and store.rows() == []


def test_a_feedback_file_of_an_earlier_version_gains_the_comment_column(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL UNIQUE,"
                     " question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, rating INTEGER NOT NULL,"
                     " mode TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)")
        conn.execute("INSERT INTO feedback (answer_id, question, answer, citations, rating, created_at)"
                     " VALUES ('old', 'q', 'a', '[]', 0, '2025-01-01T00:00:00+00:00')")
    conn.close()
    store = FeedbackStore(path)
    assert store.rows()[0]["comment"] == ""                    # migrated in place, the old row kept
    assert store.comment("old", "数字不对")
    assert [r["comment"] for r in store.rows()] == ["数字不对"]
