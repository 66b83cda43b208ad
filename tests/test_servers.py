"""Facts in a real PostgreSQL, chunks in a real `chroma run` server, both on loopback: same answers
as the embedded store, and a second replica sees the first one's ingest."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from corpus import ingest_paths
from tests.conftest import SAMPLE, make_settings

pytest_plugins = ("tests.servers",)   # postgres_server, chroma_server, pg_url, chroma
pytestmark = pytest.mark.servers

QUESTIONS = (
    "住房保障支出是多少？",
    "科目2120106工程建设管理安排了多少钱",
    "办公费预算是多少",
    "哪个项目的预算最多？",
    "基本支出占总支出的比例是多少",
    "三公经费预算是多少？",
    "政府采购预算总额是多少",
    "本部门的主要职责是什么",
    "2025年住房保障支出是多少",
)


def server_settings(tmp_path, url: str, chroma_port: int):
    return make_settings(tmp_path / "store", BUDGETQA_DATABASE_URL=url, BUDGETQA_CHROMA_HOST="127.0.0.1",
                         BUDGETQA_CHROMA_PORT=chroma_port)


def answer_key(a) -> tuple:
    return a.answerable, a.answer, a.value, a.unit, tuple((c.table, c.section, c.page, c.text) for c in a.citations)


def test_sample_on_postgres_and_chroma_server_answers_as_embedded(tmp_path, pg_url, chroma, sample_engine):
    from retrieval.engine import Engine
    settings = server_settings(tmp_path, pg_url, chroma.port)
    engine = Engine(settings)
    [result] = ingest_paths(engine.stores, [SAMPLE])
    assert result.ok and result.facts == len(sample_engine.facts()), result
    for q in QUESTIONS:
        assert answer_key(engine.ask(q)) == answer_key(sample_engine.ask(q)), q
    with sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://")).connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM facts")).scalar() == result.facts
    assert engine.stores.vectors.count() == result.chunks
    assert not (settings.store_dir / "facts.sqlite3").exists() and not (settings.store_dir / "chroma").exists()


def test_second_replica_sees_first_replicas_ingest_on_its_next_question(tmp_path, pg_url, chroma, city_files):
    from retrieval.engine import Engine
    first = Engine(server_settings(tmp_path / "a", pg_url, chroma.port))
    second = Engine(server_settings(tmp_path / "b", pg_url, chroma.port))
    (path, question), (path2, question2) = city_files[:2]
    assert ingest_paths(first.stores, [path])[0].ok
    assert second.ask(question["question"]).value == question["answer_value"]
    assert ingest_paths(first.stores, [path2])[0].ok
    assert second.ask(question2["question"]).value == question2["answer_value"]
    assert [d.doc_id for d in second.documents()] == [d.doc_id for d in first.documents()]


@pytest.fixture(scope="module")
def city_files(tmp_path_factory):
    """Two generated disclosures, each with a lookup question about it."""
    from bench.make_corpus import make_corpus
    out = tmp_path_factory.mktemp("city")
    manifest, questions = make_corpus(2, out, seed=21, pdf_share=0, questions_per_doc=6)
    pairs = []
    for m in manifest:
        q = next(q for q in questions if q["file"] == m["file"] and q["kind"] == "lookup")
        pairs.append((out / m["file"], q))
    return pairs
