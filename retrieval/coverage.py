"""Does a candidate cover what the question names? Pure, and explainable term by term.

The item asked is cut into its content terms (generic words such as 预算/支出/经费 and function words
left out; the colloquial lexicon's keys kept whole). A candidate (a row with its column, table and
section, a table title, or a sentence with its section) covers the item when every term is found in
its context: literally, as an abbreviation (公车 in 公务用车), through the lexicon (看病 -> 卫生健康), by
the same pinyin (办工费 -> 办公费, a typing slip: reported as a near miss), or by semantic similarity
above a calibrated threshold. A candidate that misses a term is another item (住房保障支出 is not
住房公积金; 会议费 is not 人代会二次会议经费): never presented as the one asked.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from labels import normalize
from retrieval.wording import words as wording_words
from vocabulary import pattern, words

SEMANTIC = 0.86         # cosine of USE v3 vectors at or above which two short terms are the same item
                        # (calibrated in tests/test_coverage.py: 人员编制~在编人员 0.86; 高中教育~普通教育 0.80
                        # and 养老院~养老 0.81 are other items)
Similar = Callable[[str, str], float]


@dataclass(frozen=True)
class Covered:
    term: str
    how: str            # literal | abbreviation | lexicon | pinyin | semantic | missing
    by: str = ""        # what in the context covered it


@dataclass(frozen=True)
class Coverage:
    terms: tuple[Covered, ...]

    @property
    def ok(self) -> bool:
        return all(t.how != "missing" for t in self.terms)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(t.term for t in self.terms if t.how == "missing")

    @property
    def beside(self) -> bool:
        """Some words were let stand beside a label printed whole, not covered by it."""
        return any(t.how == "beside" for t in self.terms)

    @property
    def near_miss(self) -> tuple[Covered, ...]:
        return tuple(t for t in self.terms if t.how == "pinyin")


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(words("generic_item")) | frozenset(words("stop"))


def item_terms(item: str, cut: Callable[[str], list[str]], lexicon_keys: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Content terms of the item, in order: the tokenizer's words, neighbours that together are a lexicon
    key joined (扫/马路 -> 扫马路), generic and function words left out."""
    tokens = cut(pattern("residue_re").sub("", normalize(item)))
    keys = set(lexicon_keys)
    merged: list[str] = []
    i = 0
    while i < len(tokens):
        j = next((j for j in range(len(tokens), i + 1, -1) if "".join(tokens[i:j]) in keys), i + 1)
        merged.append("".join(tokens[i:j]))
        i = j
    generic = _generic()
    merged = [w[:-2] if len(w) >= 4 and w[-2:] in wording_words("generic_tail") and w not in keys else w
              for w in merged]      # 服务项目 is 服务 and the generic 项目; a lexicon key stays whole
    merged = [w[:-1] if len(w) >= 3 and w[-1] in "上里内中边" and w[:-1] in keys else w
              for w in merged]      # 马路上的路灯: where it stands, 马路
    content = [w for w in merged if w not in generic and w.strip() and not w.isdigit() and not is_mark(w)
               and (w in keys or not is_function_word(w))]
    terms = joined_singles(content)
    return tuple(dict.fromkeys(w for w in terms if len(w) >= 2 or len(terms) == 1))


@lru_cache(maxsize=1)
def _tagger():
    import jieba
    import jieba.posseg
    jieba.setLogLevel(60)
    return jieba.posseg


def is_mark(word: str) -> bool:
    """Brackets and other marks (（, ）, 、) are no word of an item: 空调机（总预算20万以下） is 空调机 … 以下."""
    return not any(ch.isalnum() for ch in word)


@lru_cache(maxsize=8192)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """The tagger's words of a text with their part of speech (jieba's own dictionary, no HMM guesses)."""
    return tuple((w, flag) for w, flag in _tagger().lcut(text, HMM=False))


@lru_cache(maxsize=8192)
def is_function_word(word: str) -> bool:
    """A word of a closed class (pronoun, adverb, numeral, measure word, particle …: vocabulary kind closed_pos)
    names no item: 那边, 就要, 自己, 这些 are how people ask, not what. Words that qualify an item (其他:
    vocabulary kind weak) are kept."""
    if len(word) < 2:
        return False
    tags = [flag for _, flag in tagged(word)]
    closed = frozenset(words("closed_pos"))
    return bool(tags) and all(t in closed for t in tags) and word not in words("weak")


def joined_singles(words: list[str]) -> list[str]:
    """Single characters in a row are one unknown word (办/工 -> 办工: a slip for 办公)."""
    out: list[str] = []
    single_before = False
    for w in words:
        if len(w) == 1 and single_before:
            out[-1] += w
        else:
            out.append(w)
        single_before = len(w) == 1
    return out


WORD_FREQ = 100     # jieba frequency from which two characters are a word of their own (邮电 514, 水电 775)


def found_whole(term: str, text: str) -> bool:
    """The term is in the text, not as the tail of another word: 电费 is not in 邮电费 (邮电/费); 环境卫生
    is in 城乡社区环境卫生, 公积金 in 住房公积金. A term of four or more characters is its own word."""
    at = text.find(term)
    while at >= 0:
        if at == 0 or len(term) >= 4 or not is_word(text[at - 1:at + 1]):
            return True
        at = text.find(term, at + 1)
    return False


def is_word(pair: str) -> bool:
    if len(pair) != 2:
        return False
    from retrieval.lexical import _base
    return _base().FREQ.get(pair, 0) >= WORD_FREQ


def is_abbreviation(term: str, context: str) -> str:
    """`公车` in `公务用车`: the term's characters in order within twice its length."""
    if len(term) < 2:
        return ""
    for start in (i for i, ch in enumerate(context) if ch == term[0]):
        i, ok = start, True
        for ch in term[1:]:
            i = context.find(ch, i + 1)
            if i < 0 or i - start >= 2 * len(term):
                ok = False
                break
        if ok:
            return context[start:i + 1]
    return ""


@lru_cache(maxsize=20_000)
def char_sound(ch: str) -> str:
    from pypinyin import lazy_pinyin
    return lazy_pinyin(ch)[0] if "\u4e00" <= ch <= "\u9fff" else ch


def sound(text: str) -> tuple[str, ...]:
    """The pinyin of each character (a character's most common reading; other characters as they are)."""
    return tuple(char_sound(ch) for ch in text)


def same_sound(term: str, context: str) -> str:
    """A stretch of the context that sounds like the term (办工费 / 办公费): an input-method slip."""
    if len(term) < 2 or len(context) < len(term):
        return ""
    want, heard = sound(term), sound(context)
    for i in range(len(context) - len(term) + 1):
        if heard[i:i + len(term)] == want and context[i:i + len(term)] != term:
            return context[i:i + len(term)]
    return ""


def sound_index(labels: tuple[str, ...], lengths: tuple[int, ...] = (2, 3, 4, 5)) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every 2-5 character stretch of the labels by its sound, for finding the word a slip stands for."""
    out: dict[tuple[str, ...], dict[str, None]] = {}
    for label in labels:
        heard = sound(label)
        for n in lengths:
            for i in range(len(label) - n + 1):
                out.setdefault(heard[i:i + n], {})[label[i:i + n]] = None
    return {k: tuple(v) for k, v in out.items()}


def sounds_like(term: str, index: dict[tuple[str, ...], tuple[str, ...]]) -> str:
    """The printed stretch with the term's sound that shares most characters with it (办工 -> 办公, not 般公)."""
    heard = [x for x in index.get(sound(term), ()) if x != term]
    return max(heard, key=lambda x: sum(a == b for a, b in zip(x, term)), default="")


def composed(term: str, lexicon: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A term made of lexicon keys and function words (笔记本/电脑, 出国/考察): the targets of its first key
    that every other key's targets agree with (便携式计算机 holds 计算机)."""
    keys, rest = [], term
    generic = _generic()
    while rest:
        key = next((k for k in sorted(lexicon, key=len, reverse=True) if rest.startswith(k)), "")
        filler = next((g for g in sorted(generic, key=len, reverse=True) if len(g) >= 2 and rest.startswith(g)), "")
        if not key and not filler:
            return ()
        if key:
            keys.append(key)
        rest = rest[len(key or filler):]
    if not keys or keys == [term]:
        return ()
    return tuple(t for t in lexicon[keys[0]] if all(any(normalize(u) in t for u in lexicon[k]) for k in keys[1:]))


def cover_term(term: str, parts: tuple[str, ...], lexicon: dict[str, tuple[str, ...]], similar: Similar | None,
               context_words: tuple[str, ...] = ()) -> Covered:
    """How one term is found in a candidate's context (its label, column, table, section …: each part
    on its own, so an abbreviation never spans two of them)."""
    if any(found_whole(term, p) for p in parts):
        return Covered(term, "literal", term)
    for target in lexicon.get(term, ()) or composed(term, lexicon):
        t = normalize(target)
        if any(found_whole(t, p) or (len(t) <= 3 and is_abbreviation(t, p)) for p in parts):
            return Covered(term, "lexicon", target)      # a long formal name is printed whole, not spread
    for how, test in (("abbreviation", is_abbreviation), ("pinyin", same_sound)):
        for p in parts:
            if by := test(term, p):
                return Covered(term, how, by)
    if similar is not None:
        best = max(((similar(term, w), w) for w in context_words if len(w) >= 2), default=(0.0, ""))
        if best[0] >= SEMANTIC:
            return Covered(term, "semantic", best[1])
    return Covered(term, "missing")


def coverage(terms: tuple[str, ...], parts: tuple[str, ...], lexicon: dict[str, tuple[str, ...]],
             similar: Similar | None = None, context_words: tuple[str, ...] = ()) -> Coverage:
    parts = tuple(normalize(p) for p in parts if p)
    return Coverage(tuple(cover_term(t, parts, lexicon, similar, context_words) for t in terms))
