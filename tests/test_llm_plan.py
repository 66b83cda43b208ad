"""The optional LLM reading of a question (plan.py) through the real ChatOpenAI client against the loopback
stub: a plan that checks is answered by the same drafting; a malformed or hostile one is ignored."""
from __future__ import annotations

import pytest

from retrieval.engine import Engine
from retrieval.plan import reply_to_plan
from schema import Document
from tests.conftest import make_settings
from tests.openai_stub import OpenAIStub, Reply

RIDDLE = "给住的地方攒的那笔钱今年交了几何"        # 住房公积金, in words the offline reading does not know
DOCS = [Document(doc_id="d", title="t", body="晋城经济技术开发区建设管理部", year=2026, kind="预算", scope="部门")]
LABELS = frozenset({"住房公积金", "办公费", "住房保障支出"})


@pytest.fixture()
def stub():
    with OpenAIStub() as s:
        yield s


def planner(store, url: str) -> Engine:
    return Engine(make_settings(store, BUDGETQA_LLM_BASE_URL=url, BUDGETQA_LLM_MODEL="stub",
                                BUDGETQA_LLM_API_KEY="x", BUDGETQA_LLM_TIMEOUT="5", BUDGETQA_LLM_PLAN="1"))


def test_offline_reading_alone_does_not_reach_the_riddle(sample_engine):
    assert not sample_engine.ask(RIDDLE).answerable


def test_a_plan_that_checks_is_answered_from_the_facts(sample_engine, stub):
    stub.script(Reply('{"item": "住房公积金", "intent": "lookup", "measures": [], "bodies": [], "years": [2026]}'),
                Reply("住房公积金为35.03万元[1]。"))
    a = planner(sample_engine.settings.store_dir, stub.url).ask(RIDDLE)
    assert a.answerable and a.value == "35.03" and any(c.text.endswith("35.03 35.03") for c in a.citations)
    assert "<问题>" in stub.requests[0].user and "晋城经济技术开发区建设管理部" in stub.requests[0].user


@pytest.mark.parametrize("reply", [
    "住房公积金",                                                       # no JSON
    '{"item": "住房公积金", "intent": "lookup", "answer": "9999万元"}',     # a key of its own
    '{"item": "住房公积金为9999万元", "intent": "lookup"}',                 # a figure in the item
    '{"item": "住房公积金", "intent": "drop table"}',                     # not one of our intents
    '{"item": "住房公积金", "intent": "lookup", "bodies": ["财政部"]}',     # a body that is not loaded
    '{"item": "住房公积金", "intent": "lookup", "years": [2031]}',         # a year that is not loaded
    '{"item": "火星基地", "intent": "lookup"}',                           # an item no label prints
    '[' * 2000,                                                          # nested past any depth
])
def test_a_malformed_or_hostile_plan_is_ignored(sample_engine, stub, reply):
    stub.script(Reply(reply))
    a = planner(sample_engine.settings.store_dir, stub.url).ask(RIDDLE)
    assert not a.answerable and a.mode == "composer" and "9999" not in a.answer
    assert reply_to_plan(reply, DOCS, LABELS) is None


def test_no_plan_is_asked_for_unless_configured(sample_engine, stub):
    engine = Engine(make_settings(sample_engine.settings.store_dir, BUDGETQA_LLM_BASE_URL=stub.url,
                                  BUDGETQA_LLM_MODEL="stub", BUDGETQA_LLM_API_KEY="x"))
    assert not engine.ask(RIDDLE).answerable and stub.requests == []
