"""The generated evaluation (evaluation/): questions drawn from every real PDF's own facts, asked of one
engine over all of them, with the thresholds of issue 14; and the generation and judging it rests on."""
from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest

from evaluation.collect import skipped_of, sources_to_probes, store_to_sources
from evaluation.generate import sample_probes
from evaluation.inventory import facts_to_inventory, path_to_label, skip_reason
from evaluation.judge import judge, same_figure
from evaluation.names import short_names
from evaluation.records import Figure, Probe
from evaluation.report import FAMILIES, outcomes_to_report
from evaluation.run import run_probes
from schema import Answer, Fact

ROW_THRESHOLD = 0.98          # row labels answered with their own figure, on every document
NOTFOUND_THRESHOLD = 0.95     # not-found probes answered not found, on every document
CI_CAPS = {"row": 40, "named": 20, "colloquial": 10, "two": 6, "notfound": 4}   # per document, family, variant


def cell(label, column, value, row=1, table="2025年部门支出预算总表", unit="元"):
    return Fact(doc="d", table=table, table_name="支出总表", table_no=None, section=None, page=3, code=None,
                level=None, parent=None, label=label, column=column, value=None if value is None else Decimal(value),
                raw=value or "", unit=unit, text="", kind="cell" if value else "empty", row=row)


def figure(value, unit="元"):
    return Figure(value=Decimal(value), unit=unit, raw=value, table="t", page=1)


# ---------------------------------------------------------------- which figure counts
def test_a_rows_figure_is_its_total_column_and_one_figure_printed_twice_counts_once():
    facts = [cell("住房公积金", "支出预算/合计", "100.00"), cell("住房公积金", "支出预算/基本支出", "60.00"),
             cell("住房公积金", "一般公共预算支出/合计", "100.00", table="一般公共预算支出表")]
    items = facts_to_inventory(facts).items
    assert [(i.key, [f.value for f in i.figures]) for i in items] == [("住房公积金", [Decimal("100.00")])]


def test_a_label_printed_with_two_figures_accepts_each_and_an_empty_total_is_skipped():
    facts = [cell("一、一般公共服务支出", "合计", "500.00"), cell("一般公共服务支出", "金额", "480.00", row=2),
             cell("购房补贴", "合计", None, row=3), cell("购房补贴", "基本支出", "5.00", row=3),
             cell("合计", "合计", "985.00", row=4), cell("其他", "合计", "1.00", row=5)]
    inv = facts_to_inventory(facts)
    assert {i.key: sorted(f.value for f in i.figures) for i in inv.items} == {
        "一般公共服务支出": [Decimal("480.00"), Decimal("500.00")]}
    assert dict(inv.skipped) == {"empty total cell": 1, "total word (合计/小计/总计)": 1, "其他": 1}


def test_items_printed_as_columns_are_named_by_their_last_header_part():
    assert path_to_label("“三公”经费预算数/公务用车购置及运行费/小计") == "公务用车购置及运行费"
    assert path_to_label("2024年“三公”经费预算数/合计") == "“三公”经费"
    assert path_to_label("“三公”经费预算数/公务用车购置及运行费/购置费") is None
    assert path_to_label("2024年机关运行经费预算数") == "机关运行经费"
    for label, reason in [("科目名称", "column header"), ("2010301", "number or code"), ("小计", "total word (合计/小计/总计)")]:
        assert skip_reason(label) == reason


def test_short_names_people_use_for_a_body():
    assert short_names("上海市普陀区财政局") == ("上海市普陀区财政局", "普陀区财政局", "区财政局", "财政局")
    assert "万里街道" in short_names("上海市普陀区人民政府万里街道办事处")
    assert "省委办公厅" in short_names("中共江苏省委办公厅")
    assert "办公室" not in short_names("上海市普陀区人民政府办公室")


# ---------------------------------------------------------------- judging
def test_a_figure_in_wan_yuan_is_the_same_as_its_yuan_figure_within_printed_precision():
    assert same_figure(Decimal("312.14"), "万元", figure("3,121,420.00".replace(",", "")))
    assert not same_figure(Decimal("312.15"), "万元", figure("3121420.00"))
    assert same_figure(Decimal("3121420"), "元", figure("312.14", "万元"))


def test_judge_needs_the_items_own_figure_and_not_found_with_no_figure():
    p = Probe("d", "row", "住房公积金是多少？", ((figure("100.00"),),), "d")
    assert judge(p, Answer("q", "住房公积金为100.00元。", True, value="100.00", unit="元"))
    assert not judge(p, Answer("q", "住房保障支出为300.00元。", True, value="300.00", unit="元"))
    assert not judge(p, Answer("q", "未找到。", False))
    two = Probe("d", "two", "X和Y各是多少？", ((figure("1.00"),), (figure("2.00"),)), "d")
    assert judge(two, Answer("q", "X为1.00元，Y为2.00元。", True, value="1.00"))
    assert not judge(two, Answer("q", "X为1.00元。", True, value="1.00"))
    nf = Probe("d", "notfound", "张三的工资是多少？")
    assert judge(nf, Answer("q", "文件未列出。", False)) and not judge(nf, Answer("q", "工资福利支出为5元", True, "5"))


def test_sampling_is_deterministic_and_keeps_every_family_and_variant():
    probes = [Probe("d", f, f"{f}{i}", variant=v) for f in FAMILIES for v in ("a", "b") for i in range(9)]
    a, b = sample_probes(probes, {f: 2 for f in FAMILIES}), sample_probes(list(reversed(probes)), {f: 2 for f in FAMILIES})
    assert {p.question for p in a} == {p.question for p in b}
    assert Counter((p.family, p.variant) for p in a if p.family == "notfound") == {("notfound", "a"): 2, ("notfound", "b"): 2}
    assert {p.family for p in a} == set(FAMILIES)


# ---------------------------------------------------------------- the evaluation over every real PDF
@pytest.fixture(scope="module")
def report(real_engine):
    sources = store_to_sources(real_engine.stores.facts)
    probes = sources_to_probes(sources, CI_CAPS)
    assert {p.doc_id for p in probes} == {d.doc_id for d in real_engine.documents() if not d.is_template}
    for s in sources:
        families = {p.family for p in probes if p.doc_id == s.document.doc_id}
        assert families == set(FAMILIES), (s.document.doc_id, families)
    return outcomes_to_report(run_probes(real_engine, probes), skipped_of(sources), shown=100)


def failures(report, key: str, threshold: float, families: set[str]) -> dict[str, list[str]]:
    """Documents under the threshold: their rate and first wrong answers, as 'question → got'."""
    return {d["doc_id"]: [f"{d[key]['rate']:.1%}"] + [f"{w['question']} → {w['got'][:60]}" for w in d["wrong"]
                                                      if w["family"] in families][:4]
            for d in report["documents"] if d[key]["rate"] < threshold}


def test_row_labels_are_answered_with_their_own_figure_on_every_document(report):
    assert not failures(report, "figure_probes", ROW_THRESHOLD, set(FAMILIES) - {"notfound"})


def test_not_found_probes_are_answered_not_found_on_every_document(report):
    assert not failures(report, "notfound_probes", NOTFOUND_THRESHOLD, {"notfound"})


def test_cli_prints_questions_correct_rate_and_wrong_answers_per_document(real_engine, tmp_path, capsys):
    from evaluation.__main__ import main
    doc = "江苏省政协办公厅-2019-部门预算"
    out = tmp_path / "report.json"
    assert main(["--store", str(real_engine.settings.store_dir), "--doc", doc, "--sample", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{doc}: ") and " questions, " in text and " correct, rate " in text
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in report["documents"]] == [doc]
    d = report["documents"][0]
    assert d["questions"] == sum(f["questions"] for f in d["families"].values()) > 0
    assert all(set(w) >= {"question", "expected", "got"} for w in d["wrong"])
