"""The audit on the bundled sample (晋城经开区建设管理部 2026 部门预算). Every finding below was checked by
hand against the text; all are true inconsistencies of the published document (none a misreading).
The list is exact: a new finding, true or false, must be looked at and recorded here."""
from __future__ import annotations

import pytest

from audit import audit_document

EXPECTED = [
    # (rule, words the message must hold)                                  verdict (checked by hand)
    ("text.item", "涉及部门预算资金为8617.83万元", "8277.83"),             # true: 整体绩效目标 text vs 支出总表 合计
    ("text.item", "项目支出为8288万元", "7948.00"),                         # true: same sentence, 项目支出 8288 vs 7948
    ("repeat.text", "开发区范围内…道路", "9条与19条"),                      # true: 环境卫生 project, 9 vs 19 roads
    ("repeat.text", "金匠工业园区雨水干管改造工程", "5682米与3765米"),       # true: 项目概况 5682 m vs 总体目标 3765 m
    ("perf.indicator", "地下面积”为17989平方米", "17714平方米"),             # true: 44902 + 17989 = 62891; 概况 17714
    ("perf.indicator", "拟建保障性住房”为916套", "924套"),                  # true: indicators 916 vs 项目概况 924
    ("perf.source", "中央财政资金3206万元", "中央财政为0元"),                # true: 概况 says 中央, the rows say 省级
    ("perf.overall", "项目支出为7788.00万元", "7948.00万元"),               # true: 整体绩效申报表 7788 vs 7948
    ("perf.cost_cap", "≤6838200元", "6,988,200元"),                        # true (提示): cap below the funds
    ("form.brackets", "〈山西省", "书名号〈〉"),                              # true (提示): 〈 closed by 》
    ("form.brackets", "“项目—班子—模式", "引号"),                           # true (提示): opening “ never closed
    ("form.number_prefix", "部门公开表9", "预算公开表"),                     # true (提示): 表9 numbered 部门公开表
]


@pytest.fixture(scope="module")
def findings(sample_parsed):
    p = sample_parsed
    return audit_document(p.document, p.facts, p.lines, p.tables)


def test_sample_findings_are_exactly_the_recorded_true_ones(findings):
    assert len(findings) == len(EXPECTED), "\n".join(f.message for f in findings)
    for rule, *words in EXPECTED:
        assert any(f.rule == rule and all(w in f.message for w in words) for f in findings), (rule, words)


def test_errors_come_before_hints(findings):
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "错误")
    assert severities.count("错误") == 8


def test_sample_findings_cite_both_sides_as_printed(findings):
    f = next(f for f in findings if f.rule == "perf.indicator" and "916" in f.message)
    assert f.citations[0].table.endswith("（保障性租赁住房项目）") and f.citations[0].text == "拟建保障性住房 916套"
    assert "拟建保障性租赁住房924套" in f.citations[1].text and f.citations[1].section.endswith("项目概况")
    f = next(f for f in findings if f.rule == "perf.overall")
    assert f.citations[1].table == "2026年预算支出总表" and f.citations[1].text == "合计 8277.83 329.83 7948.00"


def test_sample_rounding_tails_are_not_findings(findings):
    """收入总表: 5 类 sum to 8277.84 against 8277.83; 基本支出 column 329.84 vs 329.83 (the note says 尾差)."""
    assert not any("8277.84" in f.message or "329.84" in f.message for f in findings)
