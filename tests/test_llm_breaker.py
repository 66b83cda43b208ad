"""A hanging or failing LLM never makes anyone wait: the breaker leaves it alone after a timeout or an
error and probes it again later; calls in flight are bounded; the API's other routes never queue
behind a question that waits on the model (a real `uvicorn api:app`, a loopback OpenAI-compatible stub)."""
from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from retrieval.engine import Engine
from retrieval.llm import Breaker
from tests.conftest import make_settings
from tests.openai_stub import OpenAIStub, Reply

HOUSING = "住房保障支出是多少？"
FAITHFUL = "根据预算收支总表，住房保障支出为3241.03万元[1]，其中项目支出3206.00万元[2]。"
NOT_SENT = "月球基地建设支出是多少"        # unanswerable: never sent to the model
HANG = Reply(FAITHFUL, delay=600)         # accepts the request, never answers
TIMEOUT = 2


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- the breaker itself
def test_breaker_opens_on_failure_then_lets_one_probe_through_after_the_cooldown():
    clock = Clock()
    b = Breaker(cooldown=30, at_once=4, clock=clock)
    assert b.enter()
    b.leave(ok=False)
    assert b.is_open and not b.enter()              # open: refused at once
    clock.now = 29.9
    assert not b.enter()
    clock.now = 30.0
    assert b.enter()                                # half-open: one probe ...
    assert not b.enter()                            # ... and only one
    b.leave(ok=False)
    assert not b.enter()                            # the probe failed: open again for a cooldown
    clock.now = 60.0
    assert b.enter()
    b.leave(ok=True)
    assert not b.is_open and b.enter() and b.enter()    # closed: calls go through again


def test_calls_in_flight_are_bounded_and_a_call_over_the_bound_is_refused():
    b = Breaker(cooldown=30, at_once=2)
    assert b.enter() and b.enter()
    assert not b.enter()
    b.leave(ok=True)
    assert b.enter()


# ---------------------------------------------------------------- on a real engine
@pytest.fixture()
def stub():
    with OpenAIStub() as s:
        yield s


def llm_engine(store, url: str, **env) -> Engine:
    return Engine(make_settings(store, BUDGETQA_LLM_BASE_URL=url, BUDGETQA_LLM_MODEL="stub",
                                BUDGETQA_LLM_API_KEY="x", **env))


def test_after_a_timeout_questions_get_the_composer_at_once_then_a_probe_finds_the_model_back(
        sample_engine, stub):
    store = sample_engine.settings.store_dir
    composed = sample_engine.ask(HOUSING)
    engine = llm_engine(store, stub.url, BUDGETQA_LLM_TIMEOUT=1, BUDGETQA_LLM_COOLDOWN=2)
    stub.script(Reply(FAITHFUL, delay=30))
    first = engine.ask(HOUSING)                                      # times out after ~1 s
    assert first.mode == "llm-fallback" and len(stub.requests) == 1
    start = time.monotonic()
    second = engine.ask(HOUSING)
    *_, streamed = engine.ask_stream(HOUSING)
    assert time.monotonic() - start < 0.9                            # neither waits for the model
    assert len(stub.requests) == 1                                   # the model was left alone
    for a in (second, streamed):                                     # the composer's answer, no note
        assert (a.mode, a.note, a.answer, a.value) == ("composer", "", composed.answer, composed.value)
    time.sleep(2.1)
    stub.script(Reply(FAITHFUL))
    probed = engine.ask(HOUSING)                                     # half-open: this one probes
    assert probed.mode == "llm" and len(stub.requests) == 2
    stub.script(Reply(FAITHFUL))
    assert engine.ask(HOUSING).mode == "llm" and len(stub.requests) == 3      # closed again


def test_an_endpoint_error_opens_the_breaker_and_the_plan_call_respects_it(sample_engine, stub):
    store = sample_engine.settings.store_dir
    engine = llm_engine(store, stub.url, BUDGETQA_LLM_PLAN=1, BUDGETQA_LLM_COOLDOWN=60)
    stub.script(Reply(status=500))
    assert engine.ask(HOUSING).mode == "llm-fallback" and len(stub.requests) == 1
    engine.ask(NOT_SENT + "？请按计划读")                                # would ask for a plan: refused
    assert len(stub.requests) == 1


# ---------------------------------------------------------------- through the real API
@pytest.fixture()
def hanging_api(tmp_path):
    from bench.servers import ApiServer
    with OpenAIStub(default=HANG) as stub:
        env = {"BUDGETQA_STORE": str(tmp_path / "store"), "BUDGETQA_LOAD_SAMPLE": "1", "BUDGETQA_RATE_LIMIT": "0",
               "BUDGETQA_LLM_BASE_URL": stub.url, "BUDGETQA_LLM_MODEL": "stub", "BUDGETQA_LLM_API_KEY": "x",
               "BUDGETQA_LLM_TIMEOUT": str(TIMEOUT), "BUDGETQA_LLM_AT_ONCE": "4", "BUDGETQA_LLM_COOLDOWN": "60"}
        server = ApiServer(env).start()
        try:
            yield server, stub
        finally:
            server.stop()


async def burst(url: str) -> tuple[list[tuple[int, dict, float]], list[float]]:
    """Six questions at once; meanwhile, while they wait on the model, the document list four times."""
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=20)) as http:
        async def ask():
            t = time.monotonic()
            r = await http.post(url + "/api/ask", json={"question": HOUSING})
            return r.status_code, r.json(), time.monotonic() - t

        async def docs_while_waiting():
            out = []
            await asyncio.sleep(0.6)
            for _ in range(4):
                t = time.monotonic()
                r = await http.get(url + "/api/docs")
                assert r.status_code == 200 and r.json()["documents"]
                out.append(time.monotonic() - t)
                await asyncio.sleep(0.2)
            return out
        *answers, docs = await asyncio.gather(*(ask() for _ in range(6)), docs_while_waiting())
    return answers, docs


def test_a_hanging_llm_answers_six_questions_within_the_timeout_and_docs_do_not_wait(hanging_api):
    server, stub = hanging_api
    warm = httpx.post(server.url + "/api/ask", json={"question": NOT_SENT}, timeout=60)
    assert warm.status_code == 200 and stub.requests == []
    answers, docs = asyncio.run(burst(server.url))
    print("answers (s):", [round(s, 2) for *_, s in answers], "docs (ms):", [round(d * 1000) for d in docs])
    for status, body, seconds in answers:
        assert status == 200 and body["value"] == "3241.03" and body["mode"] in ("composer", "llm-fallback")
        assert seconds < TIMEOUT + 1, [round(s, 2) for *_, s in answers]
    assert 1 <= len(stub.requests) <= 4                     # at most BUDGETQA_LLM_AT_ONCE calls in flight
    assert max(docs) < 0.5, docs                             # never queued behind a question (~2 s if it were)
    # the breaker is open now: the next question does not wait for the model at all
    t = time.monotonic()
    after = httpx.post(server.url + "/api/ask", json={"question": HOUSING}, timeout=60).json()
    assert time.monotonic() - t < 1 and (after["mode"], after["note"]) == ("composer", "")
    assert len(stub.requests) <= 4
