"""重复表述与绩效: the same item twice with different figures; 绩效目标 tables against their own text, the
project table and the spending tables."""
from __future__ import annotations

from dataclasses import replace

from audit import audit_document
from tests.audit_disclosure import OVERALL, PERF, build, cell_sentence


def findings(d, family="repeat"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def test_clean_performance_tables_agree():
    assert findings(build()) == []


def test_indicator_916_against_924_in_the_project_overview():
    d = build().set_cell("916套", table=PERF, label="拟建保障性住房")
    f = next(f for f in findings(d) if f.rule == "perf.indicator")
    assert "“拟建保障性住房”为916套" in f.message and "项目概况写500套" in f.message
    assert f.citations[0].table == PERF and f.citations[1].section == f"{PERF} / 项目概况"


def test_annual_funds_in_yuan_against_the_project_table_in_wan_yuan():
    d = build().set_cell("23,000,000", table=PERF, label="年度资金总额")
    f = next(f for f in findings(d) if f.rule == "perf.fund")
    assert "项目支出表安排2400.00万元" in f.message and "年度资金总额为23,000,000元" in f.message


def test_cost_cap_below_the_annual_funds_is_a_hint():
    d = build().set_cell("≤23800000元", table=PERF, label="项目成本")
    f = next(f for f in findings(d) if f.rule == "perf.cost_cap")
    assert f.severity == "提示" and "≤23800000元" in f.message


def test_overview_names_central_funds_the_source_rows_do_not_show():
    d = build()
    d = replace(d, facts=[f for f in d.facts if "市县财政资金2400万元" not in f.text]
                + [cell_sentence(PERF, "项目概况", 30, "2026年安排中央财政补助资金2400万元。")])
    f = next(f for f in findings(d) if f.rule == "perf.source")
    assert "中央财政资金2400万元" in f.message and "资金来源栏中央财政为0元" in f.message


def test_overall_target_project_spending_against_the_spending_table():
    d = build().set_cell("2340.00", table=OVERALL, label="项目支出")
    f = next(f for f in findings(d) if f.rule == "perf.overall")
    assert "项目支出为2340.00万元" in f.message and "2500.00万元" in f.message


def test_same_item_stated_twice_in_a_project_with_different_lengths():
    d = build()
    d = replace(d, facts=d.facts + [
        cell_sentence(PERF, "项目概况", 30, "包括金匠工业园区雨水干管改造工程5682米。"),
        cell_sentence(PERF, "总体目标", 30, "完成金匠工业园区雨水干管改造工程3765米。")])
    f = next(f for f in findings(d) if f.rule == "repeat.text")
    assert "“金匠工业园区雨水干管改造工程”在文中出现两个数：5682米与3765米" == f.message


def test_thresholds_such_as_50_and_100_wan_yuan_and_up_are_not_a_repeat():
    d = build().add_lines("占有使用价值50万元（原值）以上的通用设备0台（套）；占有使用价值100万元（原值）以上的通用设备0台（套）。")
    assert findings(d) == []


def test_two_items_budget_sentences_are_not_one_repeated_statement():
    """Each numbered item says “2025年当年预算执行数为…，2026年预算安排…”: 预算安排 names no item of its own."""
    d = build().add_lines("1. “一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）”400.00万元。"
                          "2025年当年预算执行数为380.00万元，2026年预算安排400.00万元，比2025年预算执行数增加5.26%。",
                          "2. “住房保障支出（类）住房改革支出（款）住房公积金（项）”40.00万元。"
                          "2025年当年预算执行数为38.00万元，2026年预算安排40.00万元，比2025年预算执行数增加5.26%。")
    assert audit_document(*d.args()) == []


def test_items_listed_under_different_heads_are_not_paired():
    """共有车辆7辆，其中其他用车7辆 / 安排购置车辆1辆，其中其他用车1辆; 中小企业 / 小微企业 采购金额."""
    d = build().add_lines("截至2025年8月31日，本部门共有车辆7辆，其中：执法执勤用车0辆、其他用车7辆。",
                          "2026年部门预算安排购置车辆1辆，其中：执法执勤用车0辆、其他用车1辆。",
                          "在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额30.00万元；"
                          "在面向小微企业预留政府采购项目中，由小微企业供应商中标或成交的，采购金额20.00万元；"
                          "在其他政府采购项目中，由中小企业供应商中标或成交的，采购金额10.00万元。")
    assert findings(d) == []
    d = d.add_lines("本部门共有车辆7辆，其中：其他用车6辆。")
    f = findings(d)
    assert len(f) == 1 and "6辆" in f[0].message and "7辆" in f[0].message
