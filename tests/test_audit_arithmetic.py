"""表内算术 on a small disclosure built in the test: one planted error at a time, found with its citations."""
from __future__ import annotations

from dataclasses import replace

from audit import audit_document
from tests.audit_disclosure import build


def findings(d, family="arithmetic"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def test_clean_disclosure_has_no_findings_at_all():
    assert audit_document(*build().args()) == []


def test_child_rows_not_summing_to_their_kuan_is_found_with_both_rows_cited():
    d = build().set_cell("410.00", table_name="支出总表", code="2010301", column="2026年预算数/合计")
    d = d.set_cell("410.00", table_name="支出总表", code="2010301", column="2026年预算数/基本支出")
    f = next(f for f in findings(d) if f.rule == "sum.children")
    assert "20103" in f.message and "500.00万元" in f.message and "510.00万元" in f.message and "相差10.00万元" in f.message
    assert f.citations[0].table == "2026年支出总表" and f.citations[0].page == 5
    assert f.citations[0].text == "20103 政府办公厅（室）及相关机构事务 500.00 400.00 100.00"
    assert any(c.text.startswith("2010301 行政运行 410.00") for c in f.citations)


def test_total_not_equal_to_basic_plus_project_on_a_row():
    d = build().set_cell("2450.00", table_name="一般公共预算支出表", code="221", column="2026年预算数/合计")
    rules = {f.rule for f in findings(d)}
    assert "sum.row" in rules
    f = next(f for f in findings(d) if f.rule == "sum.row")
    assert "基本支出＋项目支出之和为2440.00万元" in f.message and f.citations[0].page == 7


def test_heji_row_not_the_sum_of_the_lei():
    d = build().set_cell("3100.00", table_name="收入总表", label="合计", column="本年收入/合计")
    d = d.set_cell("3100.00", table_name="收入总表", label="合计", column="本年收入/一般公共预算")
    f = next(f for f in findings(d) if f.rule == "sum.total_row")
    assert "3100.00万元" in f.message and "3000.00万元" in f.message


def test_personnel_plus_public_not_the_basic_total():
    d = build().set_cell("45.00", table_name="基本支出分经济科目表", label="合计", column="2026年预算数/公用经费")
    f = [f for f in findings(d) if f.rule == "sum.row"]
    assert f and "人员经费＋公用经费之和为495.00万元" in f[0].message


def test_project_lines_not_summing_to_the_project_total():
    d = build().set_cell("120.00", table_name="项目支出表", label="政务服务项目", column="合计")
    d = d.set_cell("120.00", table_name="项目支出表", label="政务服务项目", column="2026年财政拨款/一般公共预算")
    f = next(f for f in findings(d) if f.rule == "sum.projects")
    assert "2个项目之和为2520.00万元" in f.message and f.citations[0].table == "2026年项目支出表"


def test_income_total_not_equal_to_expense_total():
    d = build().set_cell("3000.50", table_name="收支总表", label="支出总计")
    f = next(f for f in findings(d) if f.rule == "balance")
    assert "收入总计3000.00万元" in f.message and "支出总计3000.50万元" in f.message
    assert [c.label for c in f.citations] == ["收入总计", "支出总计"]


def test_sanggong_total_not_the_sum_of_its_three_parts_and_car_parts():
    d = build().set_cell("5.00", table_name="三公经费表", label="公务接待费")
    f = next(f for f in findings(d) if f.rule == "sum.sanggong")
    assert "“三公”经费合计为12.00万元" in f.message and "之和为13.00万元" in f.message
    d = build().set_cell("5.00", table_name="三公经费表", label="②公务用车运行维护费")
    f = next(f for f in findings(d) if f.rule == "sum.sanggong")
    assert "公务用车购置及运行费为6.00万元" in f.message


def test_procurement_total_in_the_text_not_the_sum_of_goods_works_services():
    d = build().set_line("政府采购服务预算50.00万元", "政府采购服务预算55.00万元")
    f = next(f for f in findings(d) if f.rule == "sum.text")
    assert "政府采购预算总额为80.00万元" in f.message and "之和为85.00万元" in f.message
    assert f.citations[0].page == 12


def test_sanggong_parts_in_the_text():
    d = build().set_line("公务接待费4.00万元", "公务接待费5.00万元")
    assert any(f.rule == "sum.text" and "“三公”经费预算为12.00万元" in f.message for f in findings(d))


def test_a_total_that_drops_the_cents_is_named_as_such():
    d = build().set_cell("2400.35", table_name="项目支出表", label="保障性租赁住房项目", column="合计")
    d = d.set_cell("2400.35", table_name="项目支出表", label="保障性租赁住房项目", column="2026年财政拨款/一般公共预算")
    d = d.set_cell("2500", table_name="项目支出表", label="测试区住房和建设局", column="合计")
    f = next(f for f in findings(d) if f.rule == "sum.cents")
    assert "印为2500万元" in f.message and "明细之和为2500.35万元" in f.message and "舍去了角分" in f.message


def tail_of_one_cent():
    d = build().set_cell("39.99", table_name="支出总表", code="2210201", column="2026年预算数/合计")
    return d.set_cell("39.99", table_name="支出总表", code="2210201", column="2026年预算数/基本支出")


def test_rounding_tail_of_one_cent_per_row_is_not_an_error():
    """A 尾差 (0.01 within the parts' rounding) is reported once, as a 提示 naming it, never as 错误."""
    f = findings(tail_of_one_cent())
    assert [(x.severity, x.rule) for x in f] == [("提示", "sum.tail")]
    assert "“住房改革支出”" in f[0].message and "40.00万元" in f[0].message and "39.99万元" in f[0].message
    assert "相差0.01万元（尾差）" in f[0].message and f[0].citations[0].page == 5


def test_rounding_tail_is_silent_when_the_tables_note_mentions_it():
    d = tail_of_one_cent()
    d.tables[0] = replace(d.tables[0], notes=("注：本套报表因取数时四舍五入，部分金额可能存在尾差",))
    assert findings(d) == []
    d = tail_of_one_cent().add_lines("注：表中数据四舍五入，合计数与分项之和可能存在尾差。", page=5)
    assert findings(d) == []


def test_a_gap_beyond_rounding_is_an_error_not_a_tail():
    d = build().set_cell("39.97", table_name="支出总表", code="2210201", column="2026年预算数/合计")
    d = d.set_cell("39.97", table_name="支出总表", code="2210201", column="2026年预算数/基本支出")
    d.tables[0] = replace(d.tables[0], notes=("注：本套报表因取数时四舍五入，部分金额可能存在尾差",))
    assert {(x.severity, x.rule) for x in findings(d)} >= {("错误", "sum.children")}


def test_an_empty_total_cell_is_not_compared():
    """A total printed in a merged cell the reader put elsewhere must not read as 0."""
    d = build().set_cell("", table_name="收支总表", label="本年支出合计")
    assert [f for f in findings(d) if f.rule in ("sum.ordinal", "balance")] == []


def test_a_part_listed_after_qizhong_larger_than_its_whole():
    d = build().add_lines("2026年本部门面向中小企业预留政府采购项目预算金额30.00万元，其中，预留给小型和微型企业的政府采购项目预算为20.00万元。")
    assert findings(d) == []
    f = findings(d.set_line("预算为20.00万元。", "预算为40.00万元。"))
    assert [x.rule for x in f] == ["sum.part_over_whole"] and "40.00万元大于" in f[0].message


def test_two_complementary_parts_that_do_not_make_their_whole():
    line = "本工程规划建筑面积约为13459平方米，其中地上建筑面积为8103平方米（其中计容面积7998平方米，不计容面积105平方米），" \
           "地下建筑面积为5356平方米。"
    assert findings(build().add_lines(line)) == []
    f = findings(build().add_lines(line.replace("8103平方米", "8013平方米")))
    assert [x.rule for x in f] == ["sum.pair"] and "地上建筑面积8013平方米" in f[0].message and "8103平方米" in f[0].message
    f = findings(build().add_lines(line.replace("5356平方米", "5536平方米")))
    assert [x.rule for x in f] == ["sum.pair"] and "13459平方米" in f[0].message and "13639平方米" in f[0].message
