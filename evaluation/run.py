"""Probes -> outcomes: each question asked of an Engine (the CLI's and the app's one way in)."""
from __future__ import annotations

from typing import Callable, Iterable

from evaluation.judge import got_of, judge
from evaluation.records import Outcome, Probe
from schema import Answer


def ask_probe(ask: Callable[..., Answer], p: Probe) -> Outcome:
    a = ask(p.question, doc=p.scope)
    return Outcome(probe=p, correct=judge(p, a), got=got_of(a), answerable=a.answerable, latency_ms=a.latency_ms)


def run_probes(engine, probes: Iterable[Probe]) -> list[Outcome]:
    return [ask_probe(engine.ask, p) for p in probes]
