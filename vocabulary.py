"""Named kinds of words (body suffixes, change words …) as data in vocabulary.tsv, loaded once. Pure."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

VOCABULARY = Path(__file__).with_name("vocabulary.tsv")


@lru_cache(maxsize=None)
def read_kinds(path: Path) -> dict[str, tuple[str, ...]]:
    """A file of named kinds: `kind<TAB>words` (| separated), or `kind_re<TAB>one whole regular expression`."""
    out: dict[str, tuple[str, ...]] = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        if row.strip() and not row.startswith("#"):
            kind, words = row.split("\t", 1)
            out[kind] = (words.strip(),) if kind.endswith("_re") else tuple(w for w in words.strip().split("|") if w)
    return out


def _kinds() -> dict[str, tuple[str, ...]]:
    return read_kinds(VOCABULARY)


def words(kind: str) -> tuple[str, ...]:
    return _kinds()[kind]


def kinds() -> dict[str, tuple[str, ...]]:
    return dict(_kinds())


@lru_cache(maxsize=None)
def pattern(kind: str, template: str = "(?:{})") -> re.Pattern:
    """The kind's words as one alternation, longest first, placed in `template` ({} is the alternation).
    Several kinds joined by + are one alternation (compared+direction)."""
    every = [w for k in kind.split("+") for w in words(k)]
    alternation = "|".join(sorted(every, key=len, reverse=True))
    return re.compile(template.format(alternation))
