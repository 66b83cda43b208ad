"""The audit on the real disclosures in ../shared/corpus/real: what it finds as published (each finding
checked by hand against the PDF, see the notes), and errors planted at test time in the extracted
facts and lines (figure, percentage, direction word, year, name), each found. None may come from a
misreading of the layout: the recorded lists are exact.

Skips without ../shared; fails instead under CI=true (need_shared)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from audit import audit_document, view_to_findings
from audit.view import build_view
from ingest.identity import unify_identity
from ingest.pipeline import parse_file
from schema import Line
from tests.conftest import REAL, need_shared

QUFUBAN = "shanghai-putuo-qufuban-2025-dept-budget.pdf"
SHANGWUWEI = "shanghai-putuo-shangwuwei-2025-unit-budget.pdf"
SHEHUI = "shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf"
JIANGSU = "jiangsu-renda-2019-dept-budget.pdf"
JIANGSU_TABLES = "jiangsu-renda-2019-dept-budget-tables.pdf"
TEMPLATE = "template-dept-final-accounts-blank.pdf"


@pytest.fixture(scope="module")
def docs():
    """name -> (document, facts, lines, tables); the Jiangsu text and its tables file joined as at ingest."""
    need_shared(REAL)
    parsed = {p.name: parse_file(p) for p in sorted(REAL.glob("*.pdf"))}
    out = {n: (p.document, list(p.facts), list(p.lines), list(p.tables)) for n, p in parsed.items()}
    text, tables = parsed[JIANGSU], unify_identity(parsed[JIANGSU_TABLES], [parsed[JIANGSU].document])
    out[JIANGSU] = (text.document, list(text.facts) + list(tables.facts), list(text.lines) + list(tables.lines),
                    list(text.tables) + list(tables.tables))
    return out


def audit(doc):
    return audit_document(*doc)


def summary(findings):
    return sorted((f.rule, f.page) for f in findings)


def plant_line(doc, old, new):
    d, facts, lines, tables = doc
    assert sum(old in x.text for x in lines) == 1, old
    return d, facts, [Line(x.text.replace(old, new), x.page) for x in lines], tables


def plant_cell(doc, raw, **kw):
    d, facts, lines, tables = doc
    hits = [f for f in facts if all(getattr(f, k) == v for k, v in kw.items())]
    assert hits, kw
    new = [replace(f, raw=raw, value=Decimal(raw.replace(",", "")), text=f.text.replace(f.raw, raw))
           if f in hits else f for f in facts]
    return d, new, lines, tables


def rules(findings):
    return {f.rule for f in findings}


# ------------------------------------------------------------------ as published
def test_qufuban_as_published_has_no_findings(docs):
    """Checked by hand: tables in 元 and text in 万元 agree (1,202.95 … 186.77), 三公 867.50 = 839.00 +
    28.50, 机关运行经费 213.28 = 公用经费 2,132,777.54 元, 人员 + 公用 = 合计, every 款 sums."""
    assert audit(docs[QUFUBAN]) == []


def test_shangwuwei_unit_budget_as_published_has_no_findings(docs):
    """Checked by hand: 16 科目 amounts in the text match the tables, 收支总表's 人员/公用/项目 columns sum,
    三公 1.00 and 机关运行经费 171.01 agree; 本部门 never appears in this 单位 disclosure."""
    assert audit(docs[SHANGWUWEI]) == []


def test_shehuigongzuobu_final_accounts_as_published(docs):
    """One true finding (p.18): 完成年初预算的95.89% while 年初预算 is 0; 95.89% = 307.82 / 321.02 (全年预算).
    Not findings: 基本支出 105.58 vs 95.36 + 10.23 = 105.59 (尾差); 9.55% for 29.42/307.82 = 9.557%
    (shares forced to 100.00%, one unit of 尾差); 增长100.00% from a zero base (new body)."""
    f = audit(docs[SHEHUI])
    assert summary(f) == [("pct.zero_base", 18)]
    assert "完成年初预算的95.89%" in f[0].message and "全年预算321.02万元" in f[0].message


def test_jiangsu_text_and_tables_as_published(docs):
    """All true (checked against the PDF): p.5 纳入本部门2018年部门汇总预算编制范围 in the 2019 budget;
    template alternatives 增加（减少）/增长（减少） left in the 一、(p.9), 九、 and 十、 (p.16) sections;
    p.16 政府性基金支出预算支出 万元 with the amount missing; 行政事业单位离退休 and 住房改革支出 written as
    （类） though the tables print them as 款 20805 and 22102 (pp.13-14)."""
    f = audit(docs[JIANGSU])
    assert summary(f) == [("form.alternatives", 9), ("form.alternatives", 16), ("form.alternatives", 16),
                          ("form.missing_amount", 16), ("text.code_level", 13), ("text.code_level", 14),
                          ("year.other", 5)]
    assert [x.severity for x in f[:5]] == ["错误"] * 5 and [x.severity for x in f[5:]] == ["提示"] * 2


def test_blank_template_is_not_audited_but_its_residue_is_recognised(docs):
    assert audit(docs[TEMPLATE]) == []
    d, facts, lines, tables = docs[TEMPLATE]
    found = view_to_findings(build_view(replace(d, is_template=False), facts, lines, tables), ["form"])
    assert {"form.placeholder", "form.alternatives"} <= rules(found)
    assert any("“XXXXXXXX”" in x.message for x in found)


# ------------------------------------------------------------------ planted at test time
def test_planted_figure_in_yuan_tables_vs_wan_yuan_text(docs):
    doc = plant_line(docs[QUFUBAN], "科目1,202.95万元", "科目1,220.95万元")
    f = [x for x in audit(doc) if x.rule == "text.code"]
    assert len(f) == 1 and "2010301“行政运行”为1202.95万元（表中12,029,501.84元）" in f[0].message
    assert f[0].citations[0].page == 6 and f[0].citations[1].page in (9, 11, 14)


def test_planted_sanggong_figure(docs):
    doc = plant_line(docs[QUFUBAN], "因公出国（境）费839万元", "因公出国（境）费893万元")
    f = [x for x in audit(doc) if x.rule == "text.item"]
    assert len(f) == 1 and "839.00万元" in f[0].message and f[0].citations[1].page == 20


def test_planted_table_cell_breaks_the_kuan_sum_and_the_other_tables(docs):
    doc = plant_cell(docs[QUFUBAN], "46,410,000.00", table_name="支出总表", code="2010302")
    found = audit(doc)
    assert {"sum.children", "cross.code"} <= rules(found)
    assert all(c.page for x in found for c in x.citations)


def test_planted_year(docs):
    doc = plant_line(docs[QUFUBAN], "2025年部门预算编制说明", "2023年部门预算编制说明")
    f = [x for x in audit(doc) if x.rule == "year.other"]
    assert len(f) == 1 and "2023年部门预算" in f[0].message and f[0].citations[0].page == 6


def test_planted_name_variant(docs):
    doc = plant_line(docs[QUFUBAN], "2025年，上海市普陀区人民政府办公室收入", "2025年，上海市普陀区人民政府办公厅收入")
    f = [x for x in audit(doc) if x.rule == "name.variant"]
    assert len(f) == 1 and "上海市普陀区人民政府办公厅" in f[0].message


def test_planted_share(docs):
    doc = plant_line(docs[SHEHUI], "占 86.05%", "占 68.05%")
    f = [x for x in audit(doc) if x.rule == "pct.share"]
    assert len(f) == 1 and "占比应为86.05%" in f[0].message and f[0].citations[0].page == 18


def test_planted_completion_rate_and_comparison_word(docs):
    doc = plant_line(docs[SHEHUI], "完成全年预算数的 98.69%。决算数小于全", "完成全年预算数的 89.69%。决算数大于全")
    found = audit(doc)
    assert {"pct.completion", "dir.compare"} <= rules(found)
    assert any("完成率应为98.69%" in x.message for x in found)


def test_planted_growth_rate_and_direction_word(docs):
    doc = plant_line(docs[JIANGSU], "增长16.88%", "增长18.66%")
    f = [x for x in audit(doc) if x.rule == "pct.growth"]
    assert len(f) == 1 and "增长幅度应为16.88%" in f[0].message
    doc = plant_line(docs[JIANGSU], "1075.88万元，增长16.88%", "1075.88万元，下降16.88%")
    assert "dir.words" in rules(audit(doc))


def test_planted_cell_in_the_separate_tables_file(docs):
    doc = plant_cell(docs[JIANGSU], "792.00", table="财政拨款支出预算表（功能科目）", code="2010105")
    found = audit(doc)
    assert {"sum.children", "cross.code"} <= rules(found)
    assert any("一般公共预算支出预算表（功能科目）为729.00万元" in x.message for x in found)


def test_planted_unit_budget_figures(docs):
    doc = plant_line(docs[SHANGWUWEI], "938.99万元", "983.99万元")
    assert any(x.rule == "text.code" and "2011301" in x.message for x in audit(doc))
    doc = plant_cell(docs[SHANGWUWEI], "2.00", table_name="三公经费表", column="“三公”经费预算数/合计")
    assert "sum.sanggong" in rules(audit(doc))
