"""Which loaded bodies a question names, however people shorten them. Pure.

A body is named by a stretch of the question whose characters appear in order in the body's name
(区府办 -> 上海市普陀区人民政府办公室, 万里街道 -> …人民政府万里街道办事处, 社工部 -> 中共…区委社会工作部),
compactly (the matched characters are not spread over the whole name), holding at least one character
of the name proper (not only its place or its generic tail: 办公室 alone is a room, not a body), and
ending like a body name ends (…局, …委, …街道, …人大). A stretch that runs into a label of the loaded
documents is not a body (政府采购 is an item; 江苏人大办公费 is 江苏人大 + 办公费).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from retrieval.wording import rx, template
from vocabulary import pattern, words

MIN_COMPACT = 0.3       # matched characters / the stretch of the name they span
CJK = rx("cjk_re")
NOT_IN_NAME = rx("not_in_name_re")


@dataclass(frozen=True)
class BodyName:
    """A body's printed name, split into party/place prefix, the name proper, and a generic tail."""
    body: str
    start: int          # where the name proper begins
    tail: int           # where the generic tail (办公室, 委员会 …) begins


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    bodies: tuple[str, ...]     # the loaded bodies this stretch names best
    score: float


@lru_cache(maxsize=4096)
def body_to_name(body: str) -> BodyName:
    start = 0
    party = pattern("party", "^(?:{})").match(body)
    if party:
        start = party.end()
    place = pattern("place_level", template("place_then_level_re"))      # .match at `start` (no ^)
    while (m := place.match(body, start)) and len(body) - m.end() >= 2:
        start = m.end()
    tail = pattern("body_tail", "(?:{})$").search(body, start)
    return BodyName(body, start, tail.start() if tail and tail.start() > start else len(body))


def min_window(span: str, name: str) -> tuple[int, ...] | None:
    """Positions in `name` of `span`'s characters, in order, within the shortest stretch (None: not in order)."""
    best: tuple[int, ...] | None = None
    for first in (i for i, ch in enumerate(name) if ch == span[0]):
        pos = [first]
        for ch in span[1:]:
            nxt = name.find(ch, pos[-1] + 1)
            if nxt < 0:
                break
            pos.append(nxt)
        if len(pos) == len(span) and (best is None or pos[-1] - pos[0] < best[-1] - best[0]):
            best = tuple(pos)
    return best


def span_score(span: str, name: BodyName) -> float | None:
    """How well a stretch of the question names the body; None when it does not."""
    pos = min_window(span, name.body)
    if pos is None:
        return None
    compact = len(span) / (pos[-1] - pos[0] + 1)
    proper = sum(name.start <= p < name.tail for p in pos)
    if compact < MIN_COMPACT or proper == 0:
        return None
    level = 1.0 if span[0] in "省市区县" and span[0] in name.body[:name.start] else 0.0   # 区|府办, 省|政协
    return proper + 2 * compact + (1.0 if pos[-1] >= name.tail - 1 else 0.0) + level


@lru_cache(maxsize=1)
def _ends() -> tuple[str, ...]:
    return tuple(sorted(words("body_end"), key=len, reverse=True))


def ends_like_a_body(span: str) -> bool:
    return len(span) >= 2 and span.endswith(_ends())


def runs_into_label(text: str, end: int, grams: frozenset[str], span: int = 0) -> bool:
    """The characters across the stretch's end belong to a label: four of them (政府/采购, 人大/会议), or three
    after a long name (江苏人大办/公费, where 江苏人大 + 办公费 reads better). 区府办/公务用车 is a body, then an item."""
    if end >= len(text) or text[end].isdigit():
        return False            # a figure after the name (江苏高院2018年): nothing runs on; a bracket may (办公厅（室）)
    fours = (text[i:i + 4] for i in range(max(0, end - 3), end))
    if any(len(g) == 4 and g in grams for g in fours):
        return True
    return span >= 4 and text[end - 1:end + 2] in grams


def label_trigrams(labels) -> frozenset[str]:
    """The labels' three- and four-character stretches (where a body name runs into an item)."""
    return frozenset(lab[i:i + n] for lab in labels for n in (3, 4) for i in range(len(lab) - n + 1))


def question_to_mentions(text: str, bodies: tuple[str, ...], trigrams: frozenset[str] = frozenset()) -> tuple[Mention, ...]:
    """The stretches of the question that name loaded bodies, best first, not overlapping."""
    names = [body_to_name(b) for b in dict.fromkeys(bodies)]
    found: list[Mention] = []
    for i, ch in enumerate(text):
        if not CJK.match(ch):
            continue
        for name in (n for n in names if ch in n.body):
            found.extend(spans_at(text, i, name, trigrams))
    return pick(found)


@lru_cache(maxsize=4096)
def core_name(name: BodyName) -> str:
    """The distinctive part of a name, without its generic words (…人民政府万里街道办事处 -> 万里)."""
    proper = name.body[name.start:name.tail]
    return pattern("body_generic").sub("", proper)


def spans_at(text: str, i: int, name: BodyName, trigrams: frozenset[str]) -> list[Mention]:
    core = core_name(name)
    if len(core) >= 2 and text.startswith(core, i) and rx("mention_end_re").match(text[i + len(core):i + len(core) + 1]):
        return [Mention(i, i + len(core), core, (name.body,), 2.0 + 0.5 * len(core))]    # 万里2024年…
    out = []
    for j in range(i + 2, min(len(text), i + len(name.body) + 1) + 1):
        span = text[i:j]
        if not CJK.match(span[-1]) or min_window(span, name.body) is None:
            break
        if not ends_like_a_body(span) or runs_into_label(text, j, trigrams, len(span)):
            continue
        score = span_score(span, name)
        if score is not None:
            out.append(Mention(i, j, span, (name.body,), score + 0.5 * len(span)))
    return out


def pick(found: list[Mention]) -> tuple[Mention, ...]:
    """Best-scoring stretches that do not overlap; bodies tied on the same stretch are kept together."""
    merged: dict[tuple[int, int], Mention] = {}
    for m in found:
        old = merged.get((m.start, m.end))
        if old is None or m.score > old.score + 1e-9:
            merged[(m.start, m.end)] = m
        elif abs(m.score - old.score) <= 1e-9:
            merged[(m.start, m.end)] = Mention(m.start, m.end, m.text, old.bodies + m.bodies, m.score)
    chosen: list[Mention] = []
    for m in sorted(merged.values(), key=lambda m: (-m.score, m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return tuple(sorted(chosen, key=lambda m: m.start))


def without_mentions(text: str, mentions: tuple[Mention, ...]) -> str:
    """The question with the body names taken out (with 中共 before one, and a 的 right after one)."""
    out, last = [], 0
    for m in mentions:
        party = pattern("party", "(?:{})$").search(text[last:m.start])
        out.append(text[last:m.start][:party.start()] if party else text[last:m.start])
        last = m.end + (1 if text[m.end:m.end + 1] == "的" else 0)
    out.append(text[last:])
    return "".join(out)


def absent_body(candidates: tuple[str, ...], mentions: tuple[Mention, ...], text: str = "",
                trigrams: frozenset[str] = frozenset()) -> str | None:
    """A clear body name with a place (晋城市财政局; 晋城市教育局 when only another place's 教育局 is loaded)
    that no loaded body matches: the question is about a document that is not loaded. Candidates are
    names read from the start of the question."""
    place = pattern("place_level", template("place_then_level_re"))
    for name in candidates:
        if NOT_IN_NAME.search(name) or any(name in m.text for m in mentions):
            continue
        at = text.find(name)
        if at >= 0 and runs_into_label(text, at + len(name), trigrams, len(name)):
            continue            # 常委会会议经费及省人大|工作会议经费: a label, not a body
        inside = [m for m in mentions if m.text in name]
        rest = name
        for m in inside:
            rest = rest.replace(m.text, "")
        if not place.search(pattern("not_place").sub("", rest)):
            continue
        if not inside or all(min_window(rest, b) is None for m in inside for b in m.bodies):
            return name
    return None
