"""年度与名称: years, 部门/单位 wording, the body's name, 类/款/项 names and levels."""
from __future__ import annotations

from dataclasses import replace

from audit import audit_document
from tests.audit_disclosure import build


def findings(d, family="identity"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def test_clean_names_and_years():
    assert findings(build()) == []


def test_budget_of_another_year_is_found():
    d = build().set_line("纳入本部门2026年部门预算编制范围", "纳入本部门2025年部门预算编制范围")
    f = next(f for f in findings(d) if f.rule == "year.other")
    assert "2025年部门预算编制范围" in f.message and "本文件是2026年预算" in f.message and f.severity == "错误"
    d = build().add_lines("本部门2024年度部门预算已按要求公开。")
    assert any("2024年度部门预算" in f.message for f in findings(d))


def test_years_in_comparisons_dates_titles_and_document_numbers_are_not_findings():
    d = build().add_lines("与2025年预算相比增加300.00万元。", "截至2025年12月31日，共有车辆0辆。",
                          "根据《关于2024年度部门预算编制的通知》（测财〔2024〕5号）编制。")
    assert findings(d) == []


def test_table_title_with_another_year():
    d = build()
    d = replace(d, facts=[replace(f, table="2025年支出总表") if f.table == "2026年支出总表" else f for f in d.facts])
    f = next(f for f in findings(d) if f.rule == "year.title")
    assert "2025年" in f.message and f.citations[0].table == "2025年支出总表"


def test_department_wording_in_a_unit_disclosure():
    d = build(scope="单位")
    assert any(f.rule == "scope.dept_in_unit" for f in findings(d))
    assert [f for f in findings(build()) if f.rule == "scope.dept_in_unit"] == []


def test_body_name_spelled_another_way():
    d = build().add_lines("测试区住房和建设部负责本区住房保障工作。")
    f = next(f for f in findings(d) if f.rule == "name.variant")
    assert "“测试区住房和建设部”与“测试区住房和建设局”" in f.message


def test_kuan_name_written_as_a_lei():
    d = build().set_line("住房保障支出（类）住房改革支出（款）", "住房改革支出（类）")
    f = next(f for f in findings(d) if f.rule == "text.code_level")
    assert "“住房改革支出”写作类级科目" in f.message and "22102" in f.message and "款级科目" in f.message


def test_compared_with_its_own_year_in_a_budget():
    """In the 2026 budget the year compared with is 2025: 比2026年预算 (or a later year) is wrong."""
    f = findings(build().add_lines("“三公”经费预算12.00万元，比2026年预算减少1.00万元。"))
    assert [(x.rule, x.severity) for x in f] == [("year.compare", "错误")]
    assert "2026年预算中写“比2026年预算”，上年应为2025年" in f[0].message and f[0].citations[0].page == 13
    assert findings(build().add_lines("“三公”经费预算12.00万元，比2025年预算减少1.00万元。")) == []
    assert findings(build().add_lines("机关运行经费比2019年增加较多，主要是人员增加。")) == []


def test_a_final_account_may_set_its_own_budget_against_it_but_not_its_own_year():
    assert findings(build(kind="决算").add_lines("决算数与2026年预算数相比减少1.00万元。")) == []
    f = findings(build(kind="决算").add_lines("与2026年度相比，收入支出总计增加300.00万元。"))
    assert [x.rule for x in f] == ["year.compare"]


def test_as_of_dates_of_a_budget_and_a_final_account():
    """A 2026 budget counts assets as of a day of 2025; a 2026 决算 as of 2026年12月31日."""
    assert findings(build().add_lines("截至2025年8月31日，本部门共有车辆7辆。")) == []
    f = findings(build().add_lines("截至2026年8月31日，本部门共有车辆7辆。"))
    assert [x.rule for x in f] == ["year.as_of"] and "截至2026年8月31日" in f[0].message
    assert findings(build(kind="决算").add_lines("截至2026年12月31日，本部门共有车辆7辆。")) == []
    f = findings(build(kind="决算").add_lines("截至2025年12月31日，本部门共有车辆7辆。"))
    assert [x.rule for x in f] == ["year.as_of"] and "应截至2026年12月31日" in f[0].message


def test_project_period_that_does_not_reach_the_year():
    assert findings(build().add_lines("项目实施期限：2026年1月-2026年12月。")) == []
    assert findings(build().add_lines("项目实施周期为2024年1月至2027年12月。")) == []
    f = findings(build().add_lines("项目实施期限：2025年1月-2025年12月。"))
    assert [x.rule for x in f] == ["year.period"] and "2025年1月-2025年12月" in f[0].message


def test_this_years_figures_introduced_with_another_year():
    f = findings(build().add_lines("2025年“三公”经费预算12.00万元。"))
    assert [x.rule for x in f] == ["year.stated"] and "本文件是2026年预算" in f[0].message
    assert findings(build().add_lines("2025年“三公”经费预算执行数为11.00万元。")) == []
