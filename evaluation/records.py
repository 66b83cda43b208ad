"""Records of the generated evaluation: frozen, free of framework imports."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Figure:
    """One printed figure of an item: its value, unit and where it is printed."""
    value: Decimal
    unit: str
    raw: str
    table: str
    page: int | None


@dataclass(frozen=True)
class Item:
    """A row label of one document as a question names it, with every figure it is printed with."""
    key: str                    # label_to_key of the asked label
    label: str                  # the label as asked
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Probe:
    doc_id: str                 # the document the question is about
    family: str                 # row | named | colloquial | two | notfound
    question: str
    expect: tuple[tuple[Figure, ...], ...] = ()   # per item asked: the figures that count; () for notfound
    scope: str | None = None    # ask of this document only (None: the whole store)
    note: str = ""              # what the probe asks, for the report
    variant: str = ""           # named: the name used; notfound: other document's item | people | plans

    @property
    def wants_figure(self) -> bool:
        return self.family != "notfound"


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    correct: bool
    got: str                    # the answer's figure or its first words, for the report
    answerable: bool
    latency_ms: float = 0.0
