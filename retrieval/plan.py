"""With an LLM configured, a question the offline reading cannot answer may be read by the model into the
same structured query (item, measures, intent, bodies, years) — never into figures.

The model's reply is data: one JSON object, checked field by field against what is loaded (the intent
one of ours, the years loaded years, the bodies loaded bodies, the measures our measures, the item a
short name with no digit that some printed label covers). Anything else — no JSON, other keys, a figure
in the item, an unknown body, an endpoint down — and the plan is ignored: the offline answer stands.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from config import Settings
from retrieval.compose import PROMPTS
from retrieval.coverage import coverage
from retrieval.match import lexicon, terms_of
from retrieval.understand import Query, phrases
from schema import Document

log = logging.getLogger(__name__)

INTENTS = ("lookup", "rank_max", "rank_min", "top", "list", "count", "share", "change", "describe",
           "compare_max", "compare_min")
KEYS = {"item", "measures", "intent", "bodies", "years"}
MAX_ITEM = 30
OBJECT = re.compile(r"\{.*\}", re.S)


@dataclass(frozen=True)
class Plan:
    item: str
    intent: str
    measures: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


@lru_cache(maxsize=1)
def measure_names() -> frozenset[str]:
    return frozenset(m for _, m in phrases()["measure"])


def reply_to_plan(raw: str, docs: list[Document], labels: frozenset[str]) -> Plan | None:
    """The model's JSON, if every field checks against what is loaded; else None."""
    found = OBJECT.search(raw or "")
    try:
        data = json.loads(found.group(0)) if found else None
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or not set(data) <= KEYS or not isinstance(data.get("item"), str):
        return None
    item, intent = data["item"].strip(), data.get("intent", "lookup")
    measures, bodies, years = data.get("measures", []), data.get("bodies", []), data.get("years", [])
    if not (isinstance(measures, list) and isinstance(bodies, list) and isinstance(years, list)):
        return None
    loaded_bodies = {d.body for d in docs}
    loaded_years = {d.year for d in docs if d.year}
    if (intent not in INTENTS or not item or len(item) > MAX_ITEM or re.search(r"\d", item)
            or not all(isinstance(m, str) and m in measure_names() for m in measures)
            or not all(isinstance(b, str) and b in loaded_bodies for b in bodies)
            or not all(isinstance(y, int) and y in loaded_years for y in years)
            or not printed(item, labels)):
        return None
    return Plan(item, intent, tuple(measures), tuple(bodies), tuple(years))


def printed(item: str, labels: frozenset[str]) -> bool:
    """Some loaded label covers every term of the item (the model names what is there, or nothing)."""
    terms = terms_of(item)
    return bool(terms) and any(coverage(terms, (label,), lexicon()).ok for label in labels)


def plan_to_query(plan: Plan, q: Query) -> Query:
    return replace(q, item=plan.item, intent=plan.intent, measures=plan.measures or q.measures,
                   bodies=plan.bodies or q.bodies, years=plan.years or q.years, expansions=(), broad=(), codes=())


def plan_messages(question: str, docs: list[Document]) -> list:
    from langchain_core.messages import HumanMessage, SystemMessage
    listing = "\n".join(f"- {d.body}（{d.year}年{d.kind}）" for d in docs[:40])
    system = (PROMPTS / "llm_plan.txt").read_text(encoding="utf-8")
    user = f"<已载入文件>\n{listing}\n</已载入文件>\n<问题>{question.replace('<', '＜').replace('>', '＞')}</问题>"
    return [SystemMessage(system.replace("{intents}", "、".join(INTENTS))), HumanMessage(user)]


def plan_question(question: str, settings: Settings, docs: list[Document], labels: frozenset[str]) -> Plan | None:
    """Ask the configured model for a plan; None on any failure (the offline answer stands)."""
    from retrieval.llm import content_text, guarded, model_for
    try:
        with guarded(settings):
            reply = model_for(settings).invoke(plan_messages(question, docs))
    except Exception as e:  # noqa: BLE001 - breaker open, endpoint down, timeout, garbage: no plan
        log.info("no plan from the model: %s", e)
        return None
    return reply_to_plan(content_text(reply.content), docs, labels)
