"""Figures as printed: precision, units, and comparisons that respect both (尾差 is not an error)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000), "万": Decimal(10000)}
NUM = r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
PCT = re.compile(rf"({NUM})\s*[%％]")


@dataclass(frozen=True)
class Printed:
    """A figure as printed: its value, decimals shown and unit."""
    value: Decimal
    decimals: int
    unit: str = ""
    raw: str = ""

    @property
    def half(self) -> Decimal:
        """Half a unit of the last printed digit, in the printed unit."""
        return Decimal(5) / (Decimal(10) ** (self.decimals + 1))

    def in_yuan(self) -> Decimal:
        return self.value * MONEY_UNITS.get(self.unit, Decimal(1))

    def half_in_yuan(self) -> Decimal:
        return self.half * MONEY_UNITS.get(self.unit, Decimal(1))


def decimals_of(raw: str) -> int:
    m = re.search(r"\.(\d+)", raw or "")
    return len(m.group(1)) if m else 0


def to_decimal(raw: str) -> Decimal | None:
    s = re.sub(r"[,，\s]", "", raw or "")
    m = re.search(r"-?\d+(?:\.\d+)?", s)
    return Decimal(m.group(0)) if m else None


def printed(raw: str, unit: str = "", value: Decimal | None = None) -> Printed | None:
    v = value if value is not None else to_decimal(raw)
    if v is None:
        return None
    return Printed(v, decimals_of(raw), unit, raw)


def same_amount(a: Printed, b: Printed) -> bool:
    """Two printed amounts (any money units) agree if their rounding intervals overlap
    (2.22 and 2.23 do not: they only touch)."""
    diff = abs(a.in_yuan() - b.in_yuan())
    return diff == 0 or diff < a.half_in_yuan() + b.half_in_yuan()


def sum_gap(total: Printed, parts: list[Printed]) -> Decimal:
    """How far a printed total is from the sum of its printed parts, in yuan."""
    return abs(total.in_yuan() - sum((p.in_yuan() for p in parts), Decimal(0)))


def sum_slack(total: Printed, parts: list[Printed]) -> Decimal:
    """Half a unit of the last printed digit of the total and of each part, in yuan: the most that
    rounding each figure on its own can move a sum."""
    return total.half_in_yuan() + sum((p.half_in_yuan() for p in parts), Decimal(0))


def sum_verdict(total: Printed, parts: list[Printed]) -> str:
    """`ok` when the total equals the sum of its parts at the printed precision, `tail` (尾差) when
    it differs by no more than the parts' rounding can explain, `error` beyond that."""
    gap = sum_gap(total, parts)
    if gap == 0:
        return "ok"
    return "tail" if gap <= sum_slack(total, parts) else "error"


def sum_agrees(total: Printed, parts: list[Printed]) -> bool:
    """A printed total agrees with its printed parts within their rounding (尾差 per summed row)."""
    return sum_verdict(total, parts) != "error"


def whole_as_written(items: list[Printed]) -> list[Printed]:
    """Figures of one sentence-level sum: when any prints decimals, a whole number among them is
    written without its zeros (15万元 beside 21.56万元 is 15.00), so it gets the same decimals."""
    d = max((p.decimals for p in items if p.decimals < 9), default=0)
    return [Printed(p.value, d, p.unit, p.raw) if p.decimals == 0 and d else p for p in items]


def ratio_range(num: Printed, den: Printed) -> tuple[Decimal, Decimal] | None:
    """Percent range of num/den given both figures' rounding; None when den may be zero."""
    lo_d, hi_d = den.in_yuan() - den.half_in_yuan(), den.in_yuan() + den.half_in_yuan()
    if lo_d <= 0:
        return None
    lo_n = max(num.in_yuan() - num.half_in_yuan(), Decimal(0))
    hi_n = num.in_yuan() + num.half_in_yuan()
    return lo_n / hi_d * 100, hi_n / lo_d * 100


def percent_agrees(pct: Printed, rng: tuple[Decimal, Decimal]) -> bool:
    """Printed percent is what some value in the recomputed range rounds to, half-up, at the
    printed decimals (no other slack)."""
    return rng[0] <= pct.value + pct.half and rng[1] >= pct.value - pct.half


def percent_off_by_one(pct: Printed, rng: tuple[Decimal, Decimal]) -> bool:
    """Printed percent one unit of its last digit from the range (a share moved to make a list
    total 100%)."""
    return rng[0] <= pct.value + pct.half * 3 and rng[1] >= pct.value - pct.half * 3


def exact_percent(num: Printed, den: Printed, decimals: int) -> Decimal:
    q = Decimal(1) / (Decimal(10) ** decimals)
    return (num.in_yuan() / den.in_yuan() * 100).quantize(q, rounding=ROUND_HALF_UP)


def fmt(v: Decimal, decimals: int = 2) -> str:
    q = Decimal(1) / (Decimal(10) ** decimals)
    return str(v.quantize(q, rounding=ROUND_HALF_UP))


def fmt_in(v_yuan: Decimal, unit: str, decimals: int = 2) -> str:
    return fmt(v_yuan / MONEY_UNITS.get(unit, Decimal(1)), decimals)


def unit_decimals(items: list[Printed]) -> int:
    return max((p.decimals for p in items), default=2)
