"""What a reader sees first: whose figure, for which year; one numbering; one style of year; no internal words."""
from __future__ import annotations

import re

import pytest

from retrieval.compose import not_found_answer, short_body
from retrieval.grounding import ungrounded_numbers

CIRCLES = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳" + "".join(map(chr, range(0x3251, 0x3260))) + "".join(map(chr, range(0x32B1, 0x32C0)))


@pytest.mark.parametrize("full,short", [
    ("上海市普陀区人民政府万里街道办事处", "万里街道"),
    ("江苏省人民检察院", "省检察院"),
    ("上海市普陀区财政局", "区财政局"),
    ("上海市财政局", "市财政局"),
    ("上海市普陀区人民政府办公室", "区政府办公室"),
    ("中共江苏省委办公厅", "省委办公厅"),
    ("中国人民政治协商会议江苏省委员会办公厅", "省政协办公厅"),
    ("江苏省人民代表大会常务委员会办公厅", "省人大常委会办公厅"),
    ("某某县某某镇人民政府", "某某镇"),
    ("晋城经济技术开发区建设管理部", "晋城经济技术开发区建设管理部"),     # no region prefix: kept whole
    ("北京市", "北京市"),                                                 # nothing left: kept whole
])
def test_a_bodys_short_form_drops_the_region_and_keeps_its_level(full, short):
    assert short_body(full) == short


def test_the_lead_sentence_names_body_year_and_measure(real_engine):
    a = real_engine.ask("万里街道2024年三公经费预算是多少")
    assert a.value == "47.91"
    assert a.answer.startswith("万里街道2024年“三公”经费预算数为47.91万元①"), a.answer
    assert not ungrounded_numbers(a.answer, a.citations, a.question)


def test_the_year_named_is_cited_from_the_documents_title_when_no_row_prints_it(real_engine):
    a = real_engine.ask("省检察院2019年人员经费多少")
    assert a.answer.startswith("省检察院2019年"), a.answer
    printed = " ".join(f"{c.text} {c.table or ''} {c.section or ''}" for c in a.citations)
    assert "2019" in printed                     # a row, a table title, or the document's title (role doc)
    assert all(c.role != "doc" or c.text == c.doc for c in a.citations)


def test_an_answer_for_many_documents_numbers_the_shown_sources_first_and_never_in_brackets(real_engine):
    a = real_engine.ask("住房公积金是多少")
    assert len(a.parts) > 3
    shown = [n for n in dict.fromkeys(CIRCLES.index(m) + 1 for m in re.findall(f"[{CIRCLES}]", a.answer))
             if a.citations[n - 1].role in ("main", "differs")]      # the sources shown under each block
    assert shown == list(range(1, len(shown) + 1)) and len(shown) >= len(a.parts)   # ①②③… in reading order
    assert not re.search(r"\[\d+\]", a.answer) and "〇" not in a.answer and "依据" not in a.answer
    assert all(re.search(r"20\d\d年", p.heading) for p in a.parts)   # every block title carries its year
    used = {CIRCLES.index(m) + 1 for m in re.findall(f"[{CIRCLES}]", a.answer)}
    assert used == set(range(1, max(used) + 1))                    # the numbers in the text run without a gap


def test_a_ranking_across_bodies_writes_years_in_digits(real_engine):
    a = real_engine.ask("哪个单位的会议费最多")
    assert a.answerable and "〇" not in a.answer and re.search(r"2019年预算", a.answer), a.answer


def test_not_found_lists_each_suggestion_once_and_never_starts_a_list_with_a_comma():
    a = not_found_answer("无人机购置费是多少？", ("、办公费是多少？", "办公费是多少？", "", "差旅费是多少？"))
    assert a.suggestions == ("办公费是多少？", "差旅费是多少？")
    assert a.answer.count("办公费是多少") == 1 and "：、" not in a.answer and "“、" not in a.answer
    assert "？”、" not in a.answer                  # no question mark inside the list: a sentence split never cuts it


def test_suggestions_keep_the_body_and_year_of_the_question(real_engine):
    a = real_engine.ask("万里街道2025年无人机购置费是多少")
    assert not a.answerable and a.suggestions
    assert all(s.startswith("万里街道2025年") for s in a.suggestions), a.suggestions
    assert "2025年" not in a.answer.split("您可能想问")[1]       # the text names the items; a click keeps the scope
    picked = real_engine.ask(a.suggestions[-1])
    assert picked.answerable and len(picked.docs) == 1 and "2025" in picked.docs[0]
