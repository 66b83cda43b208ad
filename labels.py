"""How labels are compared: the one normalisation shared by ingest, retrieval and the audit. Pure."""
from __future__ import annotations

import re
from functools import lru_cache

ORDINAL = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[）)]|[①②③④⑤⑥⑦⑧⑨⑩]|\d+[、.．])\s*")
QUOTES = re.compile(r"[“”\"‘’'《》〈〉「」\s]")


def clean(cell: str) -> str:
    """Remove line-wrap spaces inside Chinese text (`国有资本经营 预算` -> `国有资本经营预算`)."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", (cell or "").strip())


def label_key(label: str) -> str:
    """Label without ordinal prefix and spaces, for matching."""
    return re.sub(r"\s+", "", ORDINAL.sub("", clean(label)))


def normalize(text: str) -> str:
    """Quotes and spaces out, brackets and colons in one width: what questions and labels are compared in."""
    t = QUOTES.sub("", text or "")
    return t.replace("(", "（").replace(")", "）").replace("：", ":")


@lru_cache(maxsize=200_000)
def label_to_key(label: str) -> str:
    """The key a printed label is matched by (`一、住房保障支出` -> `住房保障支出`)."""
    return normalize(label_key(label)).rstrip(":")
