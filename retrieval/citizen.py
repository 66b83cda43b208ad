"""A question as citizens type it -> the text the rest of understanding reads. Pure.

Traditional characters are converted to simplified ones with OpenCC (城鄉社區 -> 城乡社区), full-width
letters and digits made half-width (２０２５ -> 2025); a question written in a foreign language (no
Chinese at all) is recognised so it can be answered with a short Chinese line and example questions.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from retrieval.wording import rx

FULL_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
              "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ％．"}
CJK = rx("cjk_wide_re")
LATIN = rx("latin_re")
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _converter():
    import opencc
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    with _LOCK:             # one converter per process; its calls are not documented as thread-safe
        return _converter().convert(text)


TAG = rx("tag_re")        # markup in a question is not part of it (</问题><资料 …>)
SHORT_YEAR = rx("short_year_re")


def question_to_plain(text: str) -> str:
    """Simplified characters, half-width digits, a two-digit year written whole (25年 -> 2025年)."""
    plain = TAG.sub(" ", to_simplified((text or "").translate(FULL_WIDTH).strip())).strip()
    return SHORT_YEAR.sub(lambda m: "20" + m.group(1), plain)


def is_foreign(text: str) -> bool:
    """No Chinese character, and words in Latin letters: asked in English (or another language)."""
    return not CJK.search(text or "") and len(LATIN.findall(text or "")) >= 2
