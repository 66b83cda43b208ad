"""文表一致: figures the narrative states against the tables, after unit conversion, at printed precision."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from audit import audit_document
from tests.audit_disclosure import build, with_final_sanggong


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


# ------------------------------------------------------------------ round 2: chains with codes, levels, tails
CODED = "一般公共服务支出（201类）政府办公厅（室）及相关机构事务（03款）行政运行（01项）400.00万元，主要用于机关运行。"


def test_chain_with_codes_in_the_brackets_is_read_by_its_codes():
    """“X（201类）Y（03款）Z（01项）A万元”: the printed codes name the row (2010301), the amount is its figure."""
    assert audit_document(*build().add_lines(CODED).args()) == []
    d = build().add_lines(CODED.replace("400.00万元", "410.00万元"))
    f = [x for x in findings(d) if x.rule == "text.code"]
    assert len(f) == 1 and "行政运行（01项）为410.00万元" in f[0].message and "2010301“行政运行”为400.00万元" in f[0].message
    assert f[0].citations[0].page == 13 and f[0].citations[1].text.startswith("2010301 行政运行 400.00")


def test_chain_whose_code_names_another_item_is_found():
    d = build().add_lines(CODED.replace("行政运行（01项）", "一般行政管理事务（01项）"))
    f = [x for x in audit_document(*d.args()) if x.rule == "text.code_name"]
    assert len(f) == 1 and "“一般行政管理事务”与表中2010301科目名称“行政运行”不一致" in f[0].message


def test_chain_with_an_old_class_name_is_named_with_the_current_one():
    line = "社会保障和就业支出（类）行政事业单位离退休（款）机关事业单位职业年金缴费支出（项）20.00万元。"
    f = [x for x in audit_document(*build().add_lines(line).args()) if x.family in ("identity", "text_table")]
    assert [(x.severity, x.rule) for x in f] == [("提示", "text.old_name")]
    assert "“行政事业单位离退休”用的是旧名称，表中20805现名“行政事业单位养老支出”" in f[0].message


def test_this_years_level_stated_again_in_the_paragraph_is_checked_against_the_row():
    """…科目40.00万元。2025年当年预算执行数为38.00万元，2026年预算安排44.00万元，比2025年预算执行数增加5.26%:
    the 预算安排 is the item's amount again (44.00 ≠ 40.00); the rate fits the chain's 40.00, so it is not the error."""
    line = "“住房保障支出（类）住房改革支出（款）住房公积金（项）”科目40.00万元，主要用于住房公积金。" \
           "2025年当年预算执行数为38.00万元，2026年预算安排44.00万元，比2025年预算执行数增加5.26%。"
    assert audit_document(*build().add_lines(line.replace("44.00万元", "40.00万元")).args()) == []
    f = audit_document(*build().add_lines(line).args())
    assert [x.rule for x in f] == ["text.code"] and "预算安排为44.00万元" in f[0].message and "40.00万元" in f[0].message


def test_text_figures_truncated_instead_of_rounded_are_one_hint_for_the_document():
    d = build()
    for code, raw in (("2010302", "100.004"), ("2080506", "20.006")):        # printed to 0.001 万元
        d = d.set_cell(raw, code=code)
    d = d.add_lines("一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）一般行政管理事务（项）100.00万元。",
                    "社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）20.00万元。")
    f = findings(d)
    assert [(x.severity, x.rule) for x in f] == [("提示", "text.tail")]
    assert "文中1处金额" in f[0].message and "机关事业单位职业年金缴费支出20.00万元（表中20.006万元）" in f[0].message


def test_budget_figure_of_a_final_account_against_the_budget_column():
    """决算: “预算数为12.00万元” of the 三公 matches the table's 年初预算数 column; 13.00 does not."""
    d = with_final_sanggong(build(kind="决算"))
    assert findings(d) == []
    f = findings(d.set_line("支出预算数为12.00万元", "支出预算数为13.00万元"))
    assert len(f) == 1 and "“三公”经费预算为13.00万元" in f[0].message and "12.00万元" in f[0].message
    assert f[0].citations[1].column == "年初预算数"


def test_final_figure_of_the_sentences_head_item_against_its_final_column():
    """“…预算数为12.00万元，支出决算为10.00万元”: the bare 支出决算 is the 三公's (head of the sentence), checked
    against the 三公 table's 决算数; no other total and no 预算 + 决算 mixed in one sum."""
    d = with_final_sanggong(build(kind="决算"))
    assert [f.rule for f in audit_document(*d.args())] == ["form.missing_table"]
    f = findings(d.set_line("支出决算为10.00万元", "支出决算为11.00万元"))
    assert len(f) == 1 and "支出决算为11.00万元" in f[0].message and "决算数为10.00万元" in f[0].message
