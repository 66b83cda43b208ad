"""The sample disclosure as text: every table row, empty tables, indicators and narrative figures."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

from tests.conftest import ROOT, SAMPLE


def cells(parsed, **kw):
    return [f for f in parsed.facts if all(getattr(f, k) == v for k, v in kw.items())]


def test_document_identity_read_from_cover(sample_parsed):
    d = sample_parsed.document
    assert (d.body, d.year, d.kind, d.scope) == ("晋城经济技术开发区建设管理部", 2026, "预算", "部门")
    assert d.doc_id == "晋城经济技术开发区建设管理部-2026-部门预算"


def test_housing_3241_03_in_all_five_tables(sample_parsed):
    tables = {f.table_name for f in sample_parsed.facts
              if f.value == Decimal("3241.03") and "住房保障支出" in f.label and f.unit == "万元"}
    assert {"收支总表", "收入总表", "支出总表", "财政拨款收支总表", "一般公共预算支出表"} <= tables


def test_code_rows_carry_level_and_parent(sample_parsed):
    f = cells(sample_parsed, code="2210201", table_name="支出总表", column="2026年预算数/合计")[0]
    assert (f.label, f.level, f.parent, f.value, f.unit) == ("住房公积金", "项", "22102", Decimal("35.03"), "万元")
    assert cells(sample_parsed, code="221", table_name="收入总表")[0].level == "类"
    assert cells(sample_parsed, code="22101", table_name="收入总表")[0].level == "款"


def test_column_path_joins_spanning_headers(sample_parsed):
    f = cells(sample_parsed, code="221", table_name="支出总表", column="2026年预算数/项目支出")[0]
    assert f.value == Decimal("3206.00")
    assert f.text == "221 住房保障支出 3241.03 35.03 3206.00"


def test_economic_items_and_projects(sample_parsed):
    office = cells(sample_parsed, label="办公费", table_name="基本支出分经济科目表", column="2026年预算数/合计")[0]
    assert office.value == Decimal("17.00")
    project = cells(sample_parsed, label="保障性租赁住房项目", table_name="项目支出表", column="合计")[0]
    assert project.value == Decimal("3206.00")


def test_side_by_side_income_and_spending_in_summary_table(sample_parsed):
    income = cells(sample_parsed, label="一、一般公共预算", table_name="收支总表")[0]
    spend = cells(sample_parsed, label="二十、住房保障支出", table_name="收支总表", column="支出/2026年合计")[0]
    assert (income.column, income.value) == ("收入/2026年", Decimal("8277.83"))
    assert spend.text == "二十、住房保障支出 3241.03 3241.03"


def test_empty_tables_are_recorded_as_empty(sample_parsed):
    sangong = [f for f in sample_parsed.facts if f.table_name == "三公经费表"]
    assert sangong and all(f.value is None and f.kind == "empty" for f in sangong)
    assert {"因公出国（境）费", "公务接待费", "合计"} <= {f.label for f in sangong}
    fund = [f for f in sample_parsed.facts if f.table_name == "政府性基金支出表"]
    assert fund and all(f.value is None for f in fund)
    tables = {t.title: t for t in sample_parsed.tables}
    assert "注：本表无数据" in tables["2026年财政拨款安排“三公”经费支出预算表"].notes


def test_performance_indicators_with_units(sample_parsed):
    ind = [f for f in sample_parsed.facts if f.kind == "indicator"]
    area = [f for f in ind if f.label == "保障性租赁住房项目总建筑面积"][0]
    assert (area.value, area.unit) == (Decimal("62891"), "平方米")
    assert any(f.raw == "≥95%" and f.unit == "%" for f in ind)
    fund = [f for f in ind if f.label == "年度资金总额" and "建设工程质量安全监管服务费" in f.table][0]
    assert (fund.value, fund.unit) == (Decimal("700000"), "元")
    green = [f for f in ind if f.label == "区域绿化覆盖面积"][0]
    assert (green.value, green.unit) == (Decimal("590480"), "平方米")


def test_narrative_figures_become_facts_with_their_sentence(sample_parsed):
    text = [f for f in sample_parsed.facts if f.kind == "text"]
    def find(label, value):
        return [f for f in text if f.label == label and f.value == Decimal(value)]
    assert find("政府采购预算总额", "132.49")[0].unit == "万元"
    share = find("基本支出占比", "3.98")[0]
    assert share.unit == "%" and "基本支出329.83万元，占3.98%" in share.text
    assert find("预算收入总计比上年减少", "18867.76")
    assert find("办公用房建筑总面积", "336")[0].unit == "平方米"
    assert find("下设个科室", "5")[0].raw == "五"


def test_dry_run_prints_facts_as_json_and_writes_nothing(tmp_path):
    out = subprocess.run([sys.executable, "-m", "corpus", str(SAMPLE), "--dry-run", "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert {"doc", "table", "section", "page", "code", "label", "column", "value", "unit", "text"} <= set(rows[0])
    assert all(r["page"] is None for r in rows)
    assert any(r["code"] == "221" and r["value"] == "3241.03" for r in rows)
    assert not (tmp_path / "store").exists()


def test_contents_page_without_dot_leaders_is_not_a_section_and_page_titles_start_parts():
    from ingest.narrative import lines_to_sections
    from schema import Line
    lines = [Line("目 录", 2), Line("一、单位主要职能", 2), Line("二、单位机构设置", 2), Line("1. 2025年预算单位收入预算总表", 2),
             Line("六、其他相关情况说明", 2),
             Line("上海市普陀区商务委员会主要职能", 3), Line("主管全区产业经济，加挂粮食和物资储备局牌子。", 3),
             Line("2025年单位预算编制说明", 7), Line("2025年，收入预算37,151.47万元。", 7),
             Line("一、2025年“三公”经费预算情况说明", 22), Line("“三公”经费预算数为1.00万元。", 22)]
    paths = [(s.path, s.lines[0].page) for s in lines_to_sections(lines) if s.lines]
    assert paths == [("上海市普陀区商务委员会主要职能", 3), ("2025年单位预算编制说明", 7),
                     ("2025年单位预算编制说明 / 一、2025年“三公”经费预算情况说明", 22)]
