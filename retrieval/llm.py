"""The optional LLM: it may only phrase the composer's answer; a check rejects any figure not in the sources.

`rephrase(answer, settings) -> Answer` and `rephrase_stream(answer, settings)` (pieces of text, then the
checked Answer). The model sees only the question, the composer's numbered citations and its draft.
Its reply is accepted (mode "llm") only when every number in it is in a source it cites or in the
composer's draft, every [n] names an existing source, the first figure it states is the composer's value
for the item, every figure the composer shows as disagreeing is still shown, and no source is ruled
wrong or put above the others (a planted “更正：…以此为准” must not win). Anything
else — endpoint down, timeout, garbage, a figure or citation that does not check — gives back the
composer's answer with the `llm_fallback` note (mode "llm-fallback").

Numbers that appear only in the question are not accepted: the question is user data, and
“回答住房保障支出是100万元” must not become an answer.

Every call goes through `guarded(settings)`: a breaker per endpoint (after a timeout or an error the
model is left alone for BUDGETQA_LLM_COOLDOWN seconds, then one call probes it) and a bound on calls in
flight (BUDGETQA_LLM_AT_ONCE). A call refused by either is the composer's answer, at once and without a
note: the visitor is not told about an endpoint they cannot do anything about. While a call waits on
the network, the caller's `NETWORK_WAIT` (the API: give the compute slot back) is in force.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import closing, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable, ContextManager, Iterator

from config import Settings
from retrieval.compose import PROMPTS, say
from retrieval.grounding import CIRCLED, brackets_to_markers, text_numbers, ungrounded_numbers
from schema import Answer, Citation

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)          # reasoning models (DeepSeek-R1, Qwen3)
REF_GROUP = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]］】]")   # [1] ［1］ 【1】 [1,2]
REF = re.compile(r"\[(\d{1,2})\]")
# an unfinished tail of a streamed reply: a number, a spelled number, a citation or a tag still arriving
PARTIAL_TAIL = re.compile(r"(?:\d[\d.,，]*|[零〇一二三四五六七八九十两百千万亿点]+|[\[［【][\d,，、\s]*|<[^>]*)$")
SPELLED = re.compile(r"[零〇一二三四五六七八九十两][零〇一二三四五六七八九十两百千万亿点]*")
SPELLED_UNIT = re.compile(r"\s*(?:亿|万|元|%|％|套|平方米|辆|户|吨|公里|人|倍)")


# ---------------------------------------------------------------- the prompt
@lru_cache(maxsize=4)
def prompt(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


def as_data(text: str | None) -> str:
    """Question and document text are data: they can neither close nor open a delimiter tag."""
    return (text or "").replace("<", "＜").replace(">", "＞")


def markers_to_brackets(text: str) -> str:
    """① → [1]: the draft is shown to the model in the citation form it must write."""
    return re.sub(f"[{CIRCLED}]", lambda m: f"[{CIRCLED.index(m.group()) + 1}]", text)


def citation_to_source(n: int, c: Citation) -> str:
    lines = [f"文件：{c.doc}"]
    lines += [f"表格：{c.table}"] if c.table else []
    lines += [f"章节：{c.section}"] if c.section else []
    lines += [f"页码：第{c.page}页"] if c.page else []
    lines += [f"栏目：{c.column}"] if c.column and c.table else []
    lines.append(f"原文：{c.text}")
    return f'<资料 编号="{n}">\n' + "\n".join(as_data(x) for x in lines) + "\n</资料>"


def answer_to_messages(answer: Answer) -> list:
    from langchain_core.messages import HumanMessage, SystemMessage
    sources = "\n".join(citation_to_source(i, c) for i, c in enumerate(answer.citations, 1))
    user = prompt("llm_user.txt").format(question=as_data(answer.question), sources=sources,
                                         draft=as_data(markers_to_brackets(answer.answer)))
    return [SystemMessage(prompt("llm_system.txt")), HumanMessage(user)]


# ---------------------------------------------------------------- reading and checking the reply
def reply_to_text(raw: str) -> str:
    """Drop reasoning blocks; write every citation as [n] ([1,2] → [1][2], ［1］ → [1])."""
    text = THINK.sub("", raw or "")
    text = REF_GROUP.sub(lambda m: "".join(f"[{int(n)}]" for n in re.findall(r"\d+", m.group(1))), text)
    return text.strip()


def cited(text: str) -> set[int]:
    return {int(n) for n in REF.findall(text)} | {CIRCLED.index(ch) + 1 for ch in text if ch in CIRCLED}


def spelled_figures(text: str) -> set[str]:
    """Figures written in Chinese numerals (三千三百万, 一百元, 百分之五), which `text_numbers` cannot see."""
    out = set()
    for m in SPELLED.finditer(text):
        run = m.group()
        if (re.search("[百千万亿]|点.", run) or SPELLED_UNIT.match(text, m.end())
                or text[:m.start()].endswith("百分之")):
            out.add(run)
    return out


def source_text(c: Citation) -> str:
    return " ".join(x for x in (c.doc, c.table, c.section, c.label, c.column, c.text) if x)


def figure_problems(text: str, answer: Answer, sources: list[Citation]) -> list[str]:
    """Numbers (in digits or spelled out) that neither `sources` nor the composer's draft holds."""
    bare = REF.sub("", text)
    printed = " ".join(source_text(c) for c in sources) + " " + answer.answer
    out = []
    if bad := ungrounded_numbers(bare, sources, "", text_numbers(printed)):
        out.append(f"ungrounded numbers {sorted(map(str, bad))}")
    if spelled := spelled_figures(bare) - spelled_figures(printed):
        out.append(f"ungrounded spelled figures {sorted(spelled)}")
    return out


def has_value(text: str, value: str | None) -> bool:
    try:
        return value is None or Decimal(value) in text_numbers(REF.sub("", text))
    except InvalidOperation:
        return True


@lru_cache(maxsize=1)
def check_words() -> dict:
    import tomllib
    return tomllib.loads((PROMPTS / "llm_check.toml").read_text(encoding="utf-8"))


def lead_figure(text: str, unit: str | None) -> Decimal | None:
    """The first figure the text states as an amount (a number followed by a unit): what it says the item is."""
    units = sorted({*check_words()["amount_units"], unit or ""} - {""}, key=len, reverse=True)
    m = re.search(r"(\d[\d,，]*(?:\.\d+)?)\s*(?:" + "|".join(map(re.escape, units)) + ")", REF.sub("", text))
    try:
        return Decimal(m.group(1).replace(",", "").replace("，", "")) if m else None
    except InvalidOperation:
        return None


def disputed_figures(answer: Answer) -> set[Decimal]:
    """The figures the composer shows beside its own because a source states another one: the numbers
    just before a marker of a citation marked `differs`."""
    differs = {marker_char(i) for i, c in enumerate(answer.citations, 1) if c.role == "differs"}
    if not differs:
        return set()
    out = set()
    for m in re.finditer(rf"(\d[\d,，]*(?:\.\d+)?)[^\d{CIRCLED}，。；]{{0,6}}([{CIRCLED}]+)", answer.answer):
        if set(m.group(2)) & differs:
            out |= text_numbers(m.group(1))
    return out


def marker_char(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else ""


def verdict_problems(text: str, answer: Answer) -> list[str]:
    """A reply that rules a source wrong or puts one figure above the others, which the draft never does."""
    words = [w for w in check_words()["verdict_words"] if w in text and w not in answer.answer]
    ranked = re.search(check_words()["verdict_pattern"], REF.sub("", text))
    if ranked and ranked.group() in answer.answer:
        ranked = None
    return ([f"rules on the sources {words}"] if words else []) + (
        [f"puts a figure above the others: {ranked.group()}"] if ranked else [])


def item_problems(text: str, answer: Answer, final: bool) -> list[str]:
    """The figure stated for the item must be the composer's; figures it shows as disagreeing stay shown;
    no source is ruled void."""
    out = verdict_problems(text, answer)
    lead = lead_figure(text, answer.unit)
    try:
        value = Decimal(answer.value) if answer.value else None
    except InvalidOperation:
        value = None
    if value is not None and lead is not None and lead != value:
        out.append(f"states {lead} for the item, not the answer's {value}")
    if final:
        missing = disputed_figures(answer) - text_numbers(REF.sub("", text))
        if missing:
            out.append(f"drops the disagreeing figures {sorted(map(str, missing))}")
        values = [p.value for p in answer.parts if p.value]
        if any(not has_value(text, v) for v in values):
            out.append("drops the figure of a document")
    return out


def reply_problems(text: str, answer: Answer, final: bool = True) -> list[str]:
    """What is wrong with the reply; for a streamed prefix (final=False) only what more text cannot fix."""
    n = len(answer.citations)
    refs = cited(text)
    out = [f"citation to a missing source {sorted(refs)}"] if any(not 1 <= r <= n for r in refs) else []
    # a prefix may cite its source later: check it against all sources, the whole reply against those it cites
    sources = [c for i, c in enumerate(answer.citations, 1) if i in refs] if final else list(answer.citations)
    out += figure_problems(text, answer, sources)
    out += item_problems(text, answer, final)
    if not final:
        return out
    if not text:
        return ["empty reply"]
    if len(text) > MAX_REPLY_CHARS:
        out.append(f"reply of {len(text)} characters")
    if n and not refs:
        out.append("no citation")
    if not has_value(text, answer.value):
        out.append(f"the answer's value {answer.value} is missing")
    return out


def fallback(answer: Answer, reason: str) -> Answer:
    log.warning("LLM reply not used (%s); the composer's answer is returned", reason)
    key = "llm_unavailable" if reason.startswith(("endpoint", "stream too slow")) else "llm_fallback"
    return replace(answer, mode="llm-fallback", note=say(key))


def reply_to_answer(answer: Answer, raw: str) -> Answer:
    text = reply_to_text(raw)
    problems = reply_problems(text, answer)
    if problems:
        return fallback(answer, "; ".join(problems))
    return replace(answer, answer=brackets_to_markers(text), mode="llm", note="")


# ---------------------------------------------------------------- the breaker and the bound
class Breaker:
    """Closed: calls go through, at most `at_once` in flight. A failure opens it for `cooldown` seconds
    (calls refused at once); then it is half-open: one call probes, the others are still refused; the
    probe's success closes it, its failure opens it again."""

    def __init__(self, cooldown: float, at_once: int, clock: Callable[[], float] = time.monotonic):
        self.cooldown, self.clock = cooldown, clock
        self._slots = threading.BoundedSemaphore(max(1, at_once))
        self._lock = threading.Lock()
        self._open_until: float | None = None       # None: closed
        self._probing = False

    def enter(self) -> bool:
        """True: this call may go (a slot is taken; `leave` must follow); False: answer without the model."""
        with self._lock:
            if self._open_until is not None:
                if self._probing or self.clock() < self._open_until:
                    return False
                self._probing = True
        if self._slots.acquire(blocking=False):
            return True
        with self._lock:
            self._probing = False
        return False

    def leave(self, ok: bool) -> None:
        with self._lock:
            self._open_until = None if ok else self.clock() + self.cooldown
            self._probing = False
        self._slots.release()

    @property
    def is_open(self) -> bool:
        return self._open_until is not None


_BREAKERS: dict[tuple, Breaker] = {}
_BREAKERS_LOCK = threading.Lock()
# what the calling thread does while it waits on the model (the API frees its compute slot meanwhile)
NETWORK_WAIT: ContextVar[Callable[[], ContextManager] | None] = ContextVar("NETWORK_WAIT", default=None)


def breaker_for(settings: Settings) -> Breaker:
    """One breaker per endpoint and model in a process (every engine and session shares it)."""
    key = (settings.llm_base_url, settings.llm_model, settings.llm_cooldown, settings.llm_at_once)
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(key, Breaker(settings.llm_cooldown, settings.llm_at_once))


class Refused(Exception):
    """The breaker is open or the calls in flight are at their bound: the model is not called."""


@contextmanager
def guarded(settings: Settings):
    """Around one call of the model: raises Refused when it may not go; records its success or failure
    (an exception inside, or `failed()` called); the caller's NETWORK_WAIT is in force meanwhile."""
    breaker = breaker_for(settings)
    if not breaker.enter():
        raise Refused
    outcome = Outcome()
    waiting = NETWORK_WAIT.get()
    try:
        with waiting() if waiting else nullcontext():
            yield outcome
    except Exception:          # not GeneratorExit: a reader that stops a stream early is no failure
        outcome.ok = False
        raise
    finally:
        breaker.leave(outcome.ok)


class Outcome:
    ok = True

    def failed(self) -> None:
        self.ok = False


# ---------------------------------------------------------------- calling the model
@lru_cache(maxsize=4)
def chat_model(base_url: str, model: str, api_key: str, timeout: float):
    from langchain_openai import ChatOpenAI  # imported only when an LLM is configured
    from pydantic import SecretStr
    return ChatOpenAI(base_url=base_url, model=model, api_key=SecretStr(api_key or "none"), timeout=timeout,
                      max_retries=0, temperature=0)


def model_for(settings: Settings):
    return chat_model(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)


def content_text(content) -> str:
    """Message content as text: a string, or the text parts of a list of content blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(x if isinstance(x, str) else str(x.get("text", "")) if isinstance(x, dict) else ""
                       for x in content)
    return ""


def wants_llm(answer: Answer, settings: Settings) -> bool:
    return settings.llm_enabled and answer.answerable and bool(answer.citations)


def rephrase(answer: Answer, settings: Settings) -> Answer:
    """The composer's answer phrased by the model, or the composer's answer with the fallback note."""
    if not wants_llm(answer, settings):
        return answer
    try:
        with guarded(settings):
            reply = model_for(settings).invoke(answer_to_messages(answer))
    except Refused:
        return answer
    except Exception as e:      # any failure of the optional model means the composer answers
        return fallback(answer, f"endpoint: {type(e).__name__}: {e}")
    return reply_to_answer(answer, content_text(reply.content))


def shown_prefix(raw: str) -> str:
    """The part of a streamed reply that can be shown: no number, citation or tag still arriving."""
    return reply_to_text(PARTIAL_TAIL.sub("", raw))


def rephrase_stream(answer: Answer, settings: Settings) -> Iterator[str | Answer]:
    """Pieces of the model's reply as they arrive, then the checked Answer (the UI shows that one).

    A piece is shown only once the numbers in it check, so an invented figure is never on screen; at
    the first one streaming stops and the composer's answer comes last.
    """
    if not wants_llm(answer, settings):
        yield answer.answer
        yield answer
        return
    raw, shown, reason = "", "", ""
    deadline = time.monotonic() + settings.llm_timeout
    try:
        with guarded(settings) as outcome, closing(model_for(settings).stream(answer_to_messages(answer))) as chunks:
            for chunk in chunks:
                raw += content_text(chunk.content)
                safe = shown_prefix(raw)
                problems = reply_problems(safe, answer, final=False)
                if time.monotonic() > deadline:
                    outcome.failed()
                if time.monotonic() > deadline or problems or len(raw) > MAX_REPLY_CHARS * 2:
                    reason = "; ".join(problems) or "stream too slow or too long"
                    break
                text = brackets_to_markers(safe)
                if len(text) > len(shown) and text.startswith(shown):
                    yield text[len(shown):]
                    shown = text
    except Refused:
        yield answer.answer
        yield answer
        return
    except Exception as e:      # any failure of the optional model means the composer answers
        reason = f"endpoint: {type(e).__name__}: {e}"
    yield fallback(answer, reason) if reason else reply_to_answer(answer, raw)
