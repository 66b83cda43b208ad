"""Small helpers the benchmarks share: percentiles, peak memory, folder size, answer judging."""
from __future__ import annotations

import importlib.util
import json
import os
import platform
import resource
import statistics
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def peak_rss_mb() -> tuple[float, float]:
    """(this process, the largest finished child) peak resident memory in MB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GB RAM, Python {platform.python_version()}, {platform.machine()}"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]


def _shared_judge():
    path = SHARED / "eval" / "score.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("shared_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.judge


def _as_decimal(s) -> Decimal | None:
    try:
        return Decimal(str(s).replace(",", ""))
    except InvalidOperation:
        return None


def _fallback_judge(g: dict, a: dict) -> bool:
    """The figure rule of ../shared/eval/score.py, for when ../shared is absent."""
    if g.get("kind") == "unanswerable":
        return a.get("answerable") is False
    if not a.get("answerable"):
        return False
    if g.get("kind") == "empty":
        return _as_decimal(a.get("value") or "x") == 0 or any(w in a.get("answer", "") for w in ("无", "未安排", "为0"))
    import re
    got = {_as_decimal(x) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", (a.get("answer") or "") + " " + str(a.get("value")))}
    return _as_decimal(g["answer_value"]) in got


judge = _shared_judge() or _fallback_judge


def judge_strict(g: dict, a: dict) -> bool:
    """Correct figure, and the answer is about the asked document (listed first)."""
    docs = a.get("docs") or []
    return judge(g, a) and bool(docs) and docs[0] == g.get("doc")
