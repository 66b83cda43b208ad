"""A follow-up question read with the conversation before it (那城乡社区支出呢？ 那2025年呢？). Pure."""
from __future__ import annotations

from retrieval.understand import question_to_query
from retrieval.wording import words

FOLLOWUP_HEAD = words("followup_head")


def previous_question(history) -> str:
    prev = [h.get("content", "") for h in (history or []) if h.get("role") == "user"]
    return prev[-1] if prev else ""


def is_followup(q: str) -> bool:
    return len(q) <= 12 and (q.startswith(FOLLOWUP_HEAD) or q.rstrip("？?").endswith("呢"))


def resolve_followup(question: str, history) -> str:
    """The question as it would be asked alone."""
    q = question.strip()
    before = previous_question(history).rstrip("？?。")
    if not before or not is_followup(q):
        return q
    core = q.lstrip("那么还有另外再问个").rstrip("？?。").rstrip("呢")
    new, old = question_to_query(core), question_to_query(before)
    if new.item and new.item in core and not new.measures and old.item and old.item in before:
        return before.replace(old.item, new.item, 1)     # 那城乡社区支出呢: the same question of another item
    return f"{before}，{core}"                           # 那2025年呢, 那项目支出呢: the same item, narrowed
