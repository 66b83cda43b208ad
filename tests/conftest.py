"""Shared fixtures: the bundled sample, real stores under tmp paths, the shared corpus when present."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from config import SAMPLE_DIR, load_settings
from corpus import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpus" / "real"
EVAL = SHARED / "eval"
SAMPLE = next(SAMPLE_DIR.glob("*.txt"))


# a small disclosure whose text carries markup: it must always be shown as inert text
SCRIPT_DISCLOSURE = """示例区市场监督管理局
2025年度部门预算公开

第二部分 2025年部门预算报表

预算公开表1
2025年预算收支总表
部门名称：示例区市场监督管理局
单位：万元
收入\t\t支出\t\t\t
项目\t2025年\t项目\t2025年合计\t当年预算安排\t上年结转安排
一、一般公共预算\t512.30\t一、一般公共服务支出\t400.00\t400.00\t
\t\t二、住房保障支出<script>alert(1)</script><img src=x onerror=alert(2)>\t112.30\t112.30\t
收入总计\t512.30\t支出总计\t512.30\t512.30\t
"""


def skip_or_fail(reason: str) -> None:
    """Locally a missing tool or file skips with its reason; under CI=true nothing skips: it fails."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: nothing skips)", pytrace=False)
    pytest.skip(reason)


def need_shared(path: Path) -> None:
    if not path.exists():
        skip_or_fail(f"{path} not present (../shared is not beside the repo)")


def make_settings(store: Path, **env):
    base = {"BUDGETQA_STORE": str(store), "BUDGETQA_LOAD_SAMPLE": "0"}
    base.update({k: str(v) for k, v in env.items()})
    return load_settings(env=base)


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_parsed():
    from ingest.pipeline import parse_file
    return parse_file(SAMPLE)


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory):
    """One real engine (SQLite + Chroma + USE) on the bundled sample, shared by read-only tests."""
    from service import open_engine
    store = tmp_path_factory.mktemp("sample-store")
    return open_engine(make_settings(store, BUDGETQA_LOAD_SAMPLE="1"))


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """One engine on every real PDF of ../shared/corpus/real (the blank template is refused)."""
    need_shared(REAL)
    from retrieval.engine import Engine
    engine = Engine(make_settings(tmp_path_factory.mktemp("real-store")))
    results = ingest_paths(engine.stores, sorted(REAL.glob("*.pdf")))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return engine
