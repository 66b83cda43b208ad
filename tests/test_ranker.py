"""The item asked on disclosures the code was not written for: the reading's scope, the gates, the fitted ranker."""
from __future__ import annotations

import json

import numpy as np
import pytest

from evaluation.fit import Example, fit, top_right
from retrieval.coverage import is_function_word
from retrieval.rank import FEATURES, WEIGHTS, Ranker, load_ranker, ranker_from_json, ranker_to_json, using

pytestmark = pytest.mark.real


def test_a_body_name_followed_by_its_year_is_the_body(real_engine):
    a = real_engine.ask("江苏高院2018年预留的机动经费是多少？")
    assert a.value in ("3,258.06", "3258.06") and a.docs == ("江苏省高级人民法院-2018-部门预算",), a.answer


def test_an_empty_cell_of_a_row_that_prints_the_figure_is_not_the_item_printed_empty(real_engine):
    # 公开 05 表 p.16 prints 2040405 … 1895.00; the row's other columns are read empty
    a = real_engine.ask("省检察院2018年“公诉、审判、侦查、执行等检察监督支出”安排了多少？")
    assert a.value in ("1895.00", "1,895.00") and "未安排" not in a.answer, a.answer


def test_a_change_against_a_loaded_year_gives_each_documents_figure_and_which_is_more(real_engine):
    a = real_engine.ask("省委办公厅2019年的办公费比2018年多还是少？")
    assert "450.00" in a.answer and "489.30" in a.answer and "2019年比2018年少" in a.answer, a.answer
    assert {c.doc_id for c in a.citations if c.role == "main"} >= {"中共江苏省委办公厅-2019-部门预算",
                                                                    "中共江苏省委办公厅-2018-部门预算"}


def test_a_reason_is_answered_by_the_sentence_that_gives_one_never_a_definition(real_engine):
    a = real_engine.ask("为什么上海市财政局今年拿到的财政拨款变少了？")
    assert "主要原因是" in a.answer and "是市级预算主管部门" not in a.answer, a.answer


def test_a_measure_inside_the_items_words_that_no_candidate_holds_is_not_found(real_engine):
    a = real_engine.ask("普陀区人民政府万里街道办事处2023年离退休人员经费是多少？")
    assert not a.answerable and a.value is None, a.answer      # not 行政单位离退休 177,240


def test_a_generic_label_inside_a_longer_name_is_not_that_name(real_engine):
    a = real_engine.ask("江苏省委办公厅2019年其他城乡社区管理事务支出是多少？")
    assert not a.answerable, a.answer                          # not the 事务支出 of a 一般行政管理 sentence


def test_the_item_in_its_own_table_covers_more_than_the_basic_spending_table(real_engine):
    # “三公”经费、会议费、培训费支出预算表 p.14: 培训费 1,666.25; the 基本支出 table holds its basic part 45.37
    assert real_engine.ask("江苏省高级人民法院2018年部门预算的培训费是多少？").value == "1,666.25"


def test_explain_shows_each_features_share_of_the_ranked_candidates(real_engine):
    text = "\n".join(x.text() for x in real_engine.explain("江苏高院2019年开会的钱有多少？"))
    assert "ranked:" in text and "total_column" in text


def test_closed_class_words_name_no_item_and_qualifiers_stay():
    assert is_function_word("那边") and is_function_word("自己") and is_function_word("这些")
    assert not is_function_word("其他") and not is_function_word("特定") and not is_function_word("法官")


def toy_examples() -> list[Example]:
    """Questions whose right candidate is the one whose column holds the measure asked."""
    col, total = FEATURES.index("measure_in_column"), FEATURES.index("total_column")
    out = []
    for k in range(6):
        x = np.zeros((2, len(FEATURES)))
        x[0, col], x[1, total] = 1.0, 1.0
        x[:, FEATURES.index("label_explained")] = 0.5 + 0.05 * k
        out.append(Example("body", "toy", x, np.array([True, False]), np.array([1.0, 1.0])))
    return out


def test_fitting_is_deterministic_and_puts_the_right_candidate_first():
    examples = toy_examples()
    w1, band1 = fit(examples, steps=200)
    w2, band2 = fit(examples, steps=200)
    assert np.array_equal(w1, w2) and band1 == band2
    assert all(top_right(e, w1, band1) for e in examples)
    assert w1[FEATURES.index("measure_in_column")] > w1[FEATURES.index("total_column")]


def test_the_shipped_weights_name_every_feature_and_round_trip():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and len(data["weights"]) == len(FEATURES)
    r = load_ranker()
    assert ranker_from_json(ranker_to_json(r, {})) == r
    assert r.weights[FEATURES.index("empty_cell")] < 0 < r.weights[FEATURES.index("measure_in_column")]


def test_other_weights_change_the_answer_only_while_they_are_used(real_engine):
    question = "江苏省高级人民法院2018年部门预算的培训费是多少？"
    shipped = real_engine.ask(question).value
    own = FEATURES.index("own_table")
    against = Ranker(FEATURES, tuple(-20.0 if i == own else 0.0 for i in range(len(FEATURES))), 0.0, 1.0)
    with using(against):
        assert real_engine.ask(question).value != shipped
    assert real_engine.ask(question).value == shipped
