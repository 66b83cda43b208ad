"""表间一致: the same 科目编码 and scope carry the same figure in every table; scope is respected."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from audit import audit_document
from tests.audit_disclosure import build, with_non_fiscal_carry_over


def findings(d, family="cross_table"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def test_clean_disclosure_tables_agree():
    assert findings(build()) == []


def test_same_code_different_figure_in_the_general_budget_table_cites_both_tables():
    d = build()
    for col in ("2026年预算数/合计", "2026年预算数/项目支出"):
        d = d.set_cell("3410.00" if col.endswith("合计") else "3370.00", table_name="一般公共预算支出表", code="221",
                       column=col)
    fs = [f for f in findings(d) if "221“住房保障支出”的金额" in f.message]
    assert fs, findings(d)
    f = fs[0]
    assert "2026年一般公共预算支出表（不含上年结转）为3410.00万元" in f.message and "2440.00万元" in f.message
    assert {c.table for c in f.citations} >= {"2026年一般公共预算支出表（不含上年结转）"}
    assert all(c.page for c in f.citations)


def test_class_row_of_the_fiscal_summary_table_compared_by_its_name():
    d = build().set_cell("61.00", table_name="财政拨款收支总表", label="八、社会保障和就业支出",
                         column="支出/金额/小计")
    d = d.set_cell("61.00", table_name="财政拨款收支总表", label="八、社会保障和就业支出",
                   column="支出/金额/一般公共预算")
    assert any("208“社会保障和就业支出”" in f.message and "61.00万元" in f.message for f in findings(d))


def test_all_funds_and_general_budget_totals_may_differ_when_the_body_has_fund_income():
    """收入总表 shows 政府性基金 income: 支出总表 (all funds) and 一般公共预算支出表 are different money."""
    d = build().set_cell("100.00", table_name="收入总表", label="合计", column="本年收入/政府性基金")
    d = d.set_cell("3100.00", table_name="收入总表", label="合计", column="本年收入/合计")
    d = d.set_cell("2540.00", table_name="支出总表", code="221", column="2026年预算数/合计")
    d = d.set_cell("2500.00", table_name="支出总表", code="221", column="2026年预算数/项目支出")
    assert [f for f in findings(d) if "221" in f.message and "一般公共预算支出表" in f.message] == []


def test_carried_over_money_makes_the_current_year_table_differ_without_a_finding():
    d = build()
    carry = replace(d.cells(table_name="收支总表", label="收入总计")[0], label="上年结转", raw="40.00", row=5,
                    value=d.cells(table_name="收支总表", label="收入总计")[0].value.__class__("40.00"), text="上年结转 40.00")
    d = replace(d, facts=d.facts + [carry])
    d = d.set_cell("2480.00", table_name="支出总表", code="221", column="2026年预算数/合计")
    d = d.set_cell("2440.00", table_name="支出总表", code="221", column="2026年预算数/项目支出")
    d = d.set_cell("80.00", table_name="支出总表", code="221", column="2026年预算数/基本支出")
    assert [f for f in findings(d) if "一般公共预算支出表" in f.message and "221" in f.message] == []


def test_a_body_with_non_fiscal_carry_over_gets_no_scope_finding():
    """Income 100% 一般公共预算, but 200.00 of non-fiscal 年初结转和结余 spent: 支出总表 (all funds, 221 is
    2,640.00) and 一般公共预算支出表 (221 is 2,440.00) are different money. The 收支总表's 收入总计 3,200.00
    against the 财政拨款收支总表's 3,000.00 proves it; scopes are merged only when such totals agree."""
    assert audit_document(*with_non_fiscal_carry_over(build()).args()) == []


def test_with_non_fiscal_carry_over_a_fiscal_table_that_disagrees_is_still_found():
    d = with_non_fiscal_carry_over(build())
    for col in ("2026年预算数/合计", "2026年预算数/项目支出"):
        d = d.set_cell({"2026年预算数/合计": "2450.00"}.get(col, "2410.00"), table_name="一般公共预算支出表",
                       code="221", column=col)
    found = findings(d)
    assert found and all("一般公共预算支出表" in f.message or "财政拨款收支总表" in f.message for f in found)
    assert not any("2640.00" in f.message for f in found)        # never against the all-funds 支出总表


def test_personnel_spending_of_the_summary_table_against_the_basic_spending_table():
    """人员经费 / 公用经费 are compared wherever a table prints them (here the 支出总表 carries the split)."""
    d = build()
    extra = [replace(f, column=f.column.replace("基本支出", name), raw=raw, value=Decimal(raw), text=f"合计 {raw}")
             for f in d.cells(table_name="支出总表", label="合计", column="2026年预算数/基本支出")
             for name, raw in (("人员经费", "450.00"), ("公用经费", "50.00"))]
    at = d.facts.index(d.cells(table_name="支出总表", label="合计", column="2026年预算数/项目支出")[0]) + 1
    d = replace(d, facts=d.facts[:at] + extra + d.facts[at:])
    assert findings(d) == []
    d = d.set_cell("45.00", table_name="基本支出分经济科目表", label="合计", column="2026年预算数/公用经费")
    f = [x for x in findings(d) if "公用经费" in x.message]
    assert f and "45.00万元" in f[0].message and "50.00万元" in f[0].message
    assert {c.table for c in f[0].citations} == {"2026年支出总表", "2026年一般公共预算基本支出表"}
