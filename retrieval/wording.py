"""The answering code's phrasing as data: named regular expressions and word lists in lexicon/wording.tsv (same
format as vocabulary.tsv: a kind ending in _re is one whole regular expression), each named for what it
recognises, loaded once. The code keeps the mechanisms only. Pure."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from vocabulary import read_kinds

WORDING = Path(__file__).with_name("lexicon") / "wording.tsv"


def words(kind: str) -> tuple[str, ...]:
    """The kind's words, in the file's order."""
    return read_kinds(WORDING)[kind]


@lru_cache(maxsize=None)
def rx(kind: str) -> re.Pattern:
    """The named regular expression (a kind ending in _re), compiled once."""
    return re.compile(read_kinds(WORDING)[kind][0])


def template(kind: str) -> str:
    """A named regular expression as text, with {} where vocabulary.pattern puts a kind's alternation."""
    return read_kinds(WORDING)[kind][0]
