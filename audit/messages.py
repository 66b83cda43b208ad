"""The audit's sentences: the templates are data in prompts/audit_zh.py."""
from __future__ import annotations

from prompts.audit_zh import MESSAGES


def say(key: str, **slots) -> str:
    return MESSAGES[key].format(**slots)
