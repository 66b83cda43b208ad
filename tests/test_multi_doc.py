"""Several disclosures in one store: named questions pick theirs, unnamed ones are labelled per document."""
from __future__ import annotations

import pytest

from corpus import ingest_paths
from retrieval.engine import Engine
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def two_docs(tmp_path_factory, sample_text):
    folder = tmp_path_factory.mktemp("docs")
    (folder / "jianshe-2026.txt").write_text(sample_text, encoding="utf-8")
    other = (sample_text.replace("晋城经济技术开发区建设管理部", "晋城经济技术开发区教育局")
             .replace("2026", "2025").replace("3241.03", "2241.03"))
    (folder / "jiaoyu-2025.txt").write_text(other, encoding="utf-8")
    engine = Engine(make_settings(tmp_path_factory.mktemp("store")))
    results = ingest_paths(engine.stores, [folder])
    assert all(r.ok for r in results)
    return engine


def test_question_naming_a_body_gets_that_document(two_docs):
    a = two_docs.ask("教育局住房保障支出是多少？")
    assert a.value == "2241.03" and a.docs == ("晋城经济技术开发区教育局-2025-部门预算",)
    b = two_docs.ask("建设管理部住房保障支出是多少？")
    assert b.value == "3241.03"


def test_question_naming_a_year_gets_that_document(two_docs):
    assert two_docs.ask("2025年住房保障支出是多少").value == "2241.03"
    assert two_docs.ask("2026年住房保障支出是多少").value == "3241.03"


def test_unnamed_question_is_answered_per_document_with_labels(two_docs):
    a = two_docs.ask("住房保障支出是多少？")
    assert "【晋城经济技术开发区建设管理部" in a.answer and "【晋城经济技术开发区教育局" in a.answer
    assert "3241.03" in a.answer and "2241.03" in a.answer
    assert {c.doc_id for c in a.citations} == set(a.docs) and len(a.docs) == 2


def test_this_year_means_the_newest_year_loaded(two_docs):
    assert two_docs.ask("今年住房保障支出是多少").value == "3241.03"


def test_body_not_loaded_is_not_found(two_docs):
    a = two_docs.ask("晋城市财政局2026年住房保障支出是多少")
    assert not a.answerable and "晋城市财政局" in a.answer


def test_body_name_is_not_read_as_an_item(two_docs):
    a = two_docs.ask("晋城经济技术开发区教育局2025年政府采购预算总额是多少？")
    assert a.value == "132.49" and "教育支出" not in a.answer


def test_minimum_living_allowance_is_not_a_ranking():
    from retrieval.understand import question_to_query
    q = question_to_query("民政局2019年最低生活保障是多少？")
    assert q.intent == "lookup" and "最低生活保障" in q.item


def test_a_document_without_the_item_does_not_answer_with_a_wider_class(tmp_path, sample_text):
    """普法宣传教育 is a project of one body; the other's empty 教育支出 row is not its answer."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(sample_text.replace("公建公司园林绿化养护项目", "普法宣传教育"), encoding="utf-8")
    (folder / "b.txt").write_text(sample_text.replace("晋城经济技术开发区建设管理部", "晋城经济技术开发区司法局")
                                  .replace("公建公司园林绿化养护项目", "公建公司苗木补植项目"), encoding="utf-8")
    engine = Engine(make_settings(tmp_path / "store"))
    assert all(r.ok for r in ingest_paths(engine.stores, [folder]))
    a = engine.ask("普法宣传教育安排了多少资金？")
    assert a.value == "698.82" and len(a.docs) == 1 and "教育支出" not in a.answer, a.answer
    assert {c.doc_id for c in a.citations} == set(a.docs)
