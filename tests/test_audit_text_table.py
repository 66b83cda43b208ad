"""文表一致: figures the narrative states against the tables, after unit conversion, at printed precision."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from audit import audit_document
from tests.audit_disclosure import build


def findings(d, family="text_table"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def test_clean_text_agrees_with_tables():
    assert findings(build()) == []


def test_basic_spending_stated_wrong_cites_sentence_and_row():
    d = build().set_line("基本支出500.00万元，占16.67%", "基本支出520.00万元，占16.67%")
    f = next(f for f in findings(d) if "基本支出为520.00万元" in f.message)
    assert "2026年支出总表“合计”行基本支出为500.00万元" in f.message
    assert f.citations[0].page == 10 and "基本支出520.00万元" in f.citations[0].text
    assert f.citations[1].table == "2026年支出总表" and f.citations[1].text.startswith("合计 3000.00")


def test_class_amount_in_the_text_against_the_code_rows():
    d = build().set_line("社会保障和就业支出60.00万元", "社会保障和就业支出66.00万元")
    f = next(f for f in findings(d) if f.rule == "text.code")
    assert "社会保障和就业支出为66.00万元" in f.message and "208“社会保障和就业支出”为60.00万元" in f.message


def test_lei_kuan_xiang_chain_amount_against_its_code():
    d = build().set_line("住房公积金（项）支出40.00万元", "住房公积金（项）支出44.00万元")
    f = next(f for f in findings(d) if f.rule == "text.code")
    assert "2210201“住房公积金”为40.00万元" in f.message
    assert "住房保障支出（类）住房改革支出（款）住房公积金（项）为44.00万元" in f.message


def test_personnel_spending_wrong():
    d = build().set_line("人员经费450.00万元", "人员经费405.00万元")
    assert any("人员经费为405.00万元" in f.message and "450.00万元" in f.message for f in findings(d))


def test_sanggong_part_against_the_sanggong_table():
    d = build().set_line("因公出国（境）费2.00万元", "因公出国（境）费3.00万元")
    assert any("因公出国（境）费为3.00万元" in f.message for f in findings(d))


def _in_yuan(d):
    """The same disclosure with every table in 元 (the narrative stays in 万元)."""
    facts = []
    for f in d.facts:
        if f.table and f.unit == "万元" and f.value is not None and f.kind == "cell":
            v = f.value * 10000
            raw = f"{v:,.2f}"
            f = replace(f, value=Decimal(f"{v:.2f}"), raw=raw, unit="元", text=f.text.replace(f.raw, raw))
        elif f.table and f.unit == "万元":
            f = replace(f, unit="元")
        facts.append(f)
    return replace(d, facts=facts)


def test_tables_in_yuan_text_in_wan_yuan_agree_after_conversion():
    assert findings(_in_yuan(build())) == []


def test_tables_in_yuan_text_in_wan_yuan_disagree_is_found_and_shown_in_both_units():
    d = _in_yuan(build().set_line("公用经费50.00万元", "公用经费5.00万元"))
    f = next(f for f in findings(d) if "公用经费为5.00万元" in f.message)
    assert "50.00万元（表中500,000.00元）" in f.message


def test_text_rounded_to_wan_yuan_matches_yuan_table_within_printed_precision():
    d = _in_yuan(build()).set_cell("4,000,049.99", table_name="支出总表", label="合计", column="2026年预算数/基本支出")
    d = d.set_line("基本支出500.00万元，占16.67%", "基本支出400万元，占16.67%")
    assert not [f for f in findings(d) if "基本支出为400万元" in f.message]
