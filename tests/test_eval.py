"""The shared dev sets, scored by ../shared/eval/score.py, with the thresholds the product promises."""
from __future__ import annotations

import importlib.util
import json

from tests.conftest import EVAL, need_shared


def load_scorer():
    need_shared(EVAL / "score.py")
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(engine, golden_path):
    golden = [json.loads(x) for x in golden_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    answers = [engine.ask(g["question"]).to_json(g["id"]) for g in golden]
    return golden, answers


def score(scorer, golden, answers):
    by_id = {a["id"]: a for a in answers}
    ok = {g["id"]: scorer.judge(g, by_id[g["id"]]) for g in golden}
    cited = {g["id"]: scorer.cited(g, by_id[g["id"]]) for g in golden if ok[g["id"]]}
    grounded = [scorer.grounded(g, by_id[g["id"]]) for g in golden]
    return ok, cited, [x for x in grounded if x is not None]


def assert_dev_set(engine, name: str, threshold: float, in_words: tuple[str, ...] = ()) -> None:
    """Correct at the threshold, every answer grounded, every figure answer cited by a source holding it.

    "None" answers (expected 0) cite the empty table or the sentence saying so, and figures printed in
    words (五个科室) hold no digit, so those are not counted for citations."""
    scorer = load_scorer()
    golden, answers = run(engine, EVAL / name)
    ok, cited, grounded = score(scorer, golden, answers)
    wrong = [g["question"] for g in golden if not ok[g["id"]]]
    assert sum(ok.values()) / len(golden) >= threshold, wrong
    assert all(grounded)
    counted = {g["id"] for g in golden if g["kind"] != "empty" and g["answer_value"] not in in_words}
    figures = {k: v for k, v in cited.items() if v is not None and k in counted}
    assert all(figures.values()), [k for k, v in figures.items() if not v]


def test_seed_dev_set_95_percent_correct_cited_and_grounded(sample_engine):
    assert_dev_set(sample_engine, "seed_dev.jsonl", 0.95, in_words=("5",))


def test_real_dev_set_90_percent_correct_cited_and_grounded(real_engine):
    assert_dev_set(real_engine, "real_dev.jsonl", 0.90)


def test_body_named_with_de_is_recognised(real_engine):
    a = real_engine.ask("普陀区政府办公室的政府采购预算")
    assert a.answerable and a.docs == ("上海市普陀区人民政府办公室-2025-部门预算",)


def test_different_items_in_the_text_are_not_reported_as_a_conflict(real_engine):
    a = real_engine.ask("江苏省人大的机关运行经费")
    assert a.value == "1642.08" and "不一致" not in a.answer


def test_description_is_the_section_on_the_topic_from_its_start(real_engine):
    a = real_engine.ask("区府办的主要职能是什么")
    assert "协助区政府领导处理区政府日常工作" in a.answer and "主要职能包括" in a.answer
    assert a.citations[0].section.endswith("主要职能")


def test_yuan_table_question_in_wan_converts_and_cites_the_yuan_row(real_engine):
    a = real_engine.ask("区府办2025年一般公共服务支出预算是多少万元？")
    assert "82,096,797.42元" in a.answer and "8,209.68万元" in a.answer
