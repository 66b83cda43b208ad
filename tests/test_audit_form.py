"""格式残留: missing tables, the 目录, empty tables, template residue and typography."""
from __future__ import annotations

from dataclasses import replace

from audit import audit_document
from tests.audit_disclosure import build


def findings(d, family="form"):
    return [f for f in audit_document(*d.args()) if f.family == family]


def rules(d):
    return [f.rule for f in findings(d)]


def test_clean_form():
    assert findings(build()) == []


def test_required_table_missing():
    d = build().without_table("三公经费表")
    f = next(f for f in findings(d) if f.rule == "form.missing_table")
    assert "缺少预算公开必备的“三公”经费支出表" == f.message


def test_toc_lists_a_table_the_body_lacks():
    d = build().without_table("项目支出表")
    f = next(f for f in findings(d) if f.rule == "form.toc_missing")
    assert "九、2026年项目支出表" in f.message and f.citations[0].page == 2


def test_empty_table_without_a_note_or_an_explanation():
    d = build()
    d = replace(d, tables=[replace(t, notes=()) if t.name == "政府性基金支出表" else t for t in d.tables])
    assert "form.empty_table" in rules(d)
    explained = d.add_lines("本部门2026年无政府性基金预算拨款安排的支出。")
    assert "form.empty_table" not in rules(explained)


def test_placeholders_and_template_alternatives_left_in():
    d = build().add_lines("主要原因：XXXXXXXX。", "与上年相比增加（减少）0万元，增长（下降）0%。")
    got = {f.rule: f for f in findings(d)}
    assert "“XXXXXXXX”" in got["form.placeholder"].message
    assert "“增加（减少）”" in got["form.alternatives"].message and got["form.alternatives"].citations[0].page == 13


def test_missing_amount_before_wan_yuan():
    d = build().add_lines("2026年政府性基金支出预算支出 万元。")
    assert "form.missing_amount" in rules(d)


def test_unbalanced_quotes_and_brackets_doubled_punctuation_percent_without_sign():
    d = build().add_lines("按照“项目—班子—模式推进。", "依据《关于印发〈管理办法》的通知》执行。", "支出增加，，主要是人员增加。",
                          "住房保障支出2440.00万元，占81.33。")
    got = rules(d)
    assert got.count("form.brackets") == 2 and "form.double_punct" in got and "form.percent_sign" in got


def test_table_number_written_another_way():
    d = build()
    d = replace(d, tables=[replace(t, number="部门公开表9") if t.name == "项目支出表" else t for t in d.tables])
    f = next(f for f in findings(d) if f.rule == "form.number_prefix")
    assert "“部门公开表9”与其他表的“公开表”" in f.message


def test_paragraph_that_runs_into_a_heading_without_its_full_stop():
    d = build().set_line("2026年机关运行经费预算50.00万元。", "2026年机关运行经费预算50.00万元，主要用于办公费、水电费等支出")
    f = [x for x in findings(d) if x.rule == "form.sentence_end"]
    assert len(f) == 1 and f[0].severity == "提示" and f[0].citations[0].page == 12
    assert "水电费等支出" in f[0].message


def test_a_paragraph_split_at_a_full_stop_inside_brackets_is_one_paragraph():
    """A line ending in 。 while a bracket is open goes on in the next line: no unbalanced bracket."""
    d = build().add_lines("2026年本部门政府采购预算80.00万元（含上年结转资金。", "具体以采购合同为准）。")
    assert findings(d) == []


def test_template_instruction_left_in_the_text():
    d = build().add_lines("人员经费450.00万元，主要包括：基本工资、津贴补贴等。（按“部门预算公开06表”中实际发生经济分类支出事项填写）")
    f = [x for x in findings(d) if x.rule == "form.placeholder"]
    assert len(f) == 1 and "（按“部门预算公开06表”中实际发生经济分类支出事项填写）" in f[0].message
