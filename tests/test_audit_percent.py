"""比例与增减: shares, growth and completion rates recomputed; direction words checked."""
from __future__ import annotations

from dataclasses import replace

from audit import audit_document
from schema import Line
from tests.audit_disclosure import build, with_final_sanggong


def findings(d, family="percent"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def test_clean_percentages_agree():
    assert findings(build()) == []


def test_share_of_housing_recomputed_with_the_figures_it_names():
    d = build().set_line("占81.33%", "占81.03%")
    f = next(f for f in findings(d) if f.rule == "pct.share")
    assert f.message == "住房保障支出占比应为81.33%（2,440.00万元÷3,000.00万元），文中为81.03%"
    assert f.citations[0].page == 11 and "占81.03%" in f.citations[0].text


def test_share_in_a_list_after_qizhong_uses_the_lead_total():
    d = build().set_line("项目支出2500.00万元，占83.33%", "项目支出2500.00万元，占88.33%")
    assert any("项目支出占比应为83.33%" in f.message for f in findings(d))


def test_one_unit_tail_in_shares_forced_to_100_is_not_an_error():
    """16.66% for 500/3000 (16.667%): half-up rounding gives 16.67%, so it is a 提示 “尾差”, never a 错误;
    when the list is made to total 100.00% (one share moved by a unit), it is not reported at all."""
    f = findings(build().set_line("占16.67%；社会保障", "占16.66%；社会保障"))
    assert [(x.severity, x.rule) for x in f] == [("提示", "pct.tail")]
    assert "应为16.67%（500.00万元÷3,000.00万元），文中为16.66%（尾差）" in f[0].message
    d = build().set_line("占16.67%；社会保障", "占16.66%；社会保障").set_line("占2.00%", "占2.01%")
    assert findings(d) == []


def test_a_share_two_units_off_is_an_error_even_when_the_list_totals_100():
    d = build().set_line("占16.67%；社会保障", "占16.65%；社会保障").set_line("占2.00%", "占2.02%")
    assert {(x.severity, x.rule) for x in findings(d)} == {("错误", "pct.share")}


def test_growth_rate_recomputed_from_the_increase_and_this_year():
    d = build().set_line("增长11.11%", "增长12.11%")
    f = next(f for f in findings(d) if f.rule == "pct.growth")
    assert "增长幅度应为11.11%（300.00万元÷2700.00万元）" in f.message and "文中为12.11%" in f.message


def test_direction_words_that_contradict_each_other():
    d = build().set_line("比上年增加300.00万元，增长11.11%", "比上年增加300.00万元，下降11.11%")
    assert any(f.rule == "dir.words" and "“增加”又写“下降”" in f.message for f in findings(d))


def _final_accounts(*texts):
    d = build(kind="决算")
    return replace(d, lines=d.lines + [Line(t, 20) for t in texts])


def test_completion_rate_recomputed():
    d = _final_accounts("一般公共预算财政拨款支出年初预算为3,000.00万元，全年预算为3,100.00万元，支出决算为3,000.00万元，"
                        "完成全年预算的98.77%。")
    f = next(f for f in findings(d) if f.rule == "pct.completion")
    assert "完成率应为96.77%（3000.00万元÷3100.00万元）" in f.message.replace(",", "")


def test_completion_of_a_zero_budget_names_the_base_that_fits():
    d = _final_accounts("一般公共预算财政拨款支出年初预算为0万元，全年预算为3,100.00万元，支出决算为3,000.00万元，"
                        "完成年初预算的96.77%。")
    f = next(f for f in findings(d) if f.rule == "pct.zero_base")
    assert "但年初预算为0万元" in f.message and "全年预算3,100.00万元" in f.message


def test_less_than_budget_said_of_a_figure_above_it():
    d = _final_accounts("行政运行（项）全年预算为390.00万元，支出决算为400.00万元。决算数小于全年预算数的主要原因是人员增加。")
    f = next(f for f in findings(d) if f.rule == "dir.compare")
    assert "决算数400.00万元" in f.message and "全年预算数390.00万元" in f.message


def test_less_than_budget_with_figures_one_cent_apart_is_right():
    d = _final_accounts("行政运行（项）全年预算为400.01万元，支出决算为400.00万元。决算数小于全年预算数的主要原因是节约。")
    assert [f for f in findings(d) if f.rule == "dir.compare"] == []


def test_completion_of_a_part_whose_budget_only_the_table_prints():
    """因公出国（境）费决算为1.00万元，完成预算的50.00%: the budget is the 三公 table's 年初预算数 (2.00), not the
    三公 total's 12.00 stated before it for another item."""
    d = with_final_sanggong(build(kind="决算"))
    assert findings(d) == []
    f = findings(d.set_line("完成预算的50.00%", "完成预算的55.00%"))
    assert [x.rule for x in f] == ["pct.completion"]
    assert "因公出国（境）费完成率应为50.00%（1.00万元÷2.00万元），文中为55.00%" in f[0].message


def test_growth_against_the_stated_execution_level_is_recomputed():
    line = "“住房保障支出（类）住房改革支出（款）住房公积金（项）”科目40.00万元，主要用于住房公积金。" \
           "2025年当年预算执行数为38.00万元，2026年预算安排40.00万元，比2025年预算执行数增加5.26%。"
    assert findings(build().add_lines(line)) == []
    f = findings(build().add_lines(line.replace("增加5.26%", "增加6.26%")))
    assert [x.rule for x in f] == ["pct.levels"]
    assert "增长幅度应为5.26%（40.00万元比预算执行数38.00万元），文中为6.26%" in f[0].message
    f = findings(build().add_lines(line.replace("增加5.26%", "减少5.26%")))     # the word, not the rate, is wrong
    assert [x.rule for x in f] == ["dir.levels"] and "40.00万元比2025年预算执行数38.00万元“减少”，实为增加" in f[0].message
