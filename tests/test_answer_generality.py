"""Answer the item asked, or say it is not there: on the sample, on variants of it this test writes, and on
the real PDFs. A figure of a wider class or a neighbouring row is never presented as the item asked."""
from __future__ import annotations

import re

import pytest

from corpus import ingest_paths
from retrieval.engine import Engine
from retrieval.grounding import ungrounded_numbers
from tests.conftest import make_settings


def ask(engine, q, history=()):
    a = engine.ask(q, history)
    assert not ungrounded_numbers(a.answer, a.citations, q), a.answer
    return a


def variant_engine(tmp_path, text: str) -> Engine:
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    engine = Engine(make_settings(tmp_path / "store"))
    assert all(r.ok for r in ingest_paths(engine.stores, [tmp_path / "d.txt"]))
    return engine


def test_an_item_the_document_does_not_list_is_not_answered_with_its_wider_class(tmp_path, sample_text):
    """Without its 住房公积金 rows the sample still prints 住房保障支出 3241.03: that is not 住房公积金."""
    text = "\n".join(x for x in sample_text.splitlines() if "住房公积金" not in x and "住房改革" not in x)
    a = ask(variant_engine(tmp_path, text), "住房公积金是多少？")
    assert not a.answerable and a.value is None
    assert "3241.03" not in a.answer or ("未单列" in a.answer and "不是“住房公积金”本身" in a.answer), a.answer


@pytest.mark.parametrize("question", ["高中教育支出是多少", "局长的工资是多少", "明年计划建几个公园", "部门负责人是谁"])
def test_what_the_document_does_not_hold_is_not_found_with_questions_to_click(sample_engine, question):
    a = ask(sample_engine, question)
    assert not a.answerable and a.value is None and question.rstrip("？") in a.answer
    assert a.suggestions and all(s.endswith("？") for s in a.suggestions)


def test_a_figure_stated_in_the_text_is_given_for_a_cell_read_empty(tmp_path, sample_text):
    text = sample_text.replace("收入总计\t8277.83", "收入总计\t")        # every table: only the text states it
    a = ask(variant_engine(tmp_path, text), "收入总计是多少？")
    assert a.answerable and "8,277.83" in a.answer and "未安排" not in a.answer and "核对" in a.note, a.answer


def test_two_items_get_both_figures_each_cited_and_which_is_more_from_the_printed_figures(sample_engine):
    a = ask(sample_engine, "办公费和差旅费哪个多？")
    assert "17.00万元" in a.answer and "1.00万元" in a.answer and "办公费比差旅费多" in a.answer
    assert len({c.text for c in a.citations if c.role == "main"}) == 2


def test_last_year_is_never_answered_with_this_years_figure(sample_engine):
    for a in (ask(sample_engine, "去年住房保障支出是多少"),
              ask(sample_engine, "去年呢？", [{"role": "user", "content": "住房保障支出是多少？"}])):
        assert not a.answerable and "3241.03" not in a.answer and "上一年" in a.answer, a.answer


def test_last_year_is_the_previous_years_document_when_it_is_loaded(tmp_path, sample_text):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "2026.txt").write_text(sample_text, encoding="utf-8")
    (folder / "2025.txt").write_text(sample_text.replace("2026", "2025").replace("3241.03", "2241.03"), encoding="utf-8")
    engine = Engine(make_settings(tmp_path / "store"))
    assert all(r.ok for r in ingest_paths(engine.stores, [folder]))
    assert ask(engine, "去年住房保障支出是多少").value == "2241.03"
    assert ask(engine, "今年住房保障支出是多少").value == "3241.03"


def test_a_question_in_english_gets_a_chinese_line_and_three_example_questions(sample_engine):
    a = sample_engine.ask("How much is the housing budget?")
    assert not a.answerable and "请用中文提问" in a.answer and len(a.suggestions) == 3
    assert all(re.search(r"[\u4e00-\u9fff]", s) for s in a.suggestions)


@pytest.mark.parametrize("question,value", [
    ("城鄉社區支出是多少？", "4742.00"),       # 繁体
    ("办工费是多少", "17.00"),                 # the same pinyin: read as 办公费, and said so
    ("有多少人", "15人"),                      # 多少人: the staff establishment
    ("办公室多大", "336"),                     # 多大 of a room: the office floor space
    ("给职工交住房公积金多少钱", "35.03"),
])
def test_citizens_words_reach_the_item(sample_engine, question, value):
    a = ask(sample_engine, question)
    assert a.answerable and a.value == value, a.answer
    if question.startswith("办工费"):
        assert "按“办公费”理解" in a.answer


def test_the_answer_leads_with_one_plain_sentence_then_the_tables_that_agree(sample_engine):
    a = ask(sample_engine, "住房保障支出是多少？")
    lead = a.answer.split("。")[0] + "。"
    assert lead == "晋城经济技术开发区建设管理部2026年住房保障支出预算为3241.03万元①。", a.answer
    assert "另有二张表数字一致" in a.answer and [c.role for c in a.citations][:3] == ["main", "agrees", "agrees"]


def test_a_year_not_loaded_for_the_named_body_is_refused_not_answered_from_another_body(real_engine):
    # 省委办公厅 is loaded for 2018 and 2019 (two-file disclosures both years); 2020 is loaded for no body
    a = real_engine.ask("省委办公厅2020年计划安排多少“三公”经费？")
    assert not a.answerable and "2020" in a.answer and not a.citations


def test_two_measures_of_one_body_are_both_given(real_engine):
    a = real_engine.ask("万里街道2024年基本支出和项目支出分别是多少？")
    assert "99,706,020" in a.answer and "56,505,103" in a.answer
    assert set(a.docs) == {"上海市普陀区人民政府万里街道办事处-2024-部门预算"}


def test_an_item_of_one_body_asked_of_another_is_not_found(real_engine):
    a = real_engine.ask("区财政局2025年人代会二次会议经费是多少？")
    assert not a.answerable and not re.search(r"\d+\.\d\d万元", a.answer), a.answer


@pytest.mark.parametrize("question,value,wider", [
    ("省政协2019年买家具的预算有多少？", "198.00", "300.00"),           # 家具用具, not the lexicon's 办公设备购置
    ("省政协2019年给退休的人发了多少钱？", "707.43", "858.51"),        # 退休费, not 行政事业单位离退休
    ("商务委2025年公用经费是多少？", "1,710,062.00", "1,632,062.00"),   # the 公用经费 column, not 商品和服务支出
    ("万里街道2025年打算买几辆车？", "1", "8"),                        # cars to be bought, not the cars held
])
def test_a_row_or_column_printed_with_the_asked_name_beats_a_wider_or_neighbouring_item(real_engine, question,
                                                                                         value, wider):
    a = ask(real_engine, question)
    assert a.answerable and a.value == value, a.answer
    assert not re.search(rf"(?<![\d,.]){re.escape(wider)}(?![\d.])", a.answer.split("另有")[0]), a.answer


def test_words_shared_after_the_last_item_belong_to_every_item(real_engine):
    a = ask(real_engine, "区府办2025年行政单位和事业单位的医疗保险各安排了多少？")
    assert "782,855.28" in a.answer and "314,218.15" in a.answer and "1家" not in a.answer, a.answer


def test_a_sentences_lead_in_names_which_item_its_label_is_of(sample_engine):
    a = ask(sample_engine, "其他运转类项目共涉及多少金额？")
    assert a.value == "160.00" and "7,788" not in a.answer and "不一致" not in a.answer, a.answer
    a = ask(sample_engine, "特定目标类项目涉及金额多少")
    assert a.value == "7788.00" or a.value == "7,788.00", a.answer


def test_two_items_asked_which_block_is_more_get_both_figures(sample_engine):
    a = ask(sample_engine, "城乡社区公共设施和环境卫生这两块，哪块花钱多？")
    assert "2914.65" in a.answer and "1667.35" in a.answer and "城乡社区公共设施比环境卫生多" in a.answer, a.answer


def test_words_that_say_what_a_printed_label_is_spent_on_describe_it_a_noun_before_it_makes_another_item(real_engine):
    a = ask(real_engine, "省委办公厅2018年打电话寄信的邮电费是多少？")
    assert a.answerable and a.value == "200.00", a.answer
    a = ask(real_engine, "省委办公厅2018年高中的教育支出是多少")
    assert not a.answerable and a.value is None, a.answer


def test_a_budget_and_what_was_actually_spent_asked_in_two_clauses_get_both_figures(real_engine):
    a = ask(real_engine, "社工部2024年事业运行那一项，全年预算多少、实际花了多少？")
    assert "17.68" in a.answer and "11.31" in a.answer, a.answer


def test_a_share_asked_in_its_own_clause_is_the_share_of_the_clause_before(sample_engine):
    a = ask(sample_engine, "建设管理部日常运转的一般公共服务支出，占今年一般公共预算支出的百分之几？")
    assert a.answer.startswith("晋城经济技术开发区建设管理部2026年一般公共服务支出") and "100.00%" not in a.answer, a.answer
