"""A small, consistent budget disclosure built as records (Document, Facts, Lines, RawTables), for the
audit tests to plant one error at a time. Independent of the ingest code: the records are made
here the way the schema describes them.

Figures (万元): 合计 3000.00 = 基本支出 500.00 + 项目支出 2500.00;
201 一般公共服务支出 500.00 · 208 社会保障和就业支出 60.00 · 221 住房保障支出 2440.00;
人员经费 450.00 + 公用经费 50.00; 三公 12.00 = 2.00 + 4.00 + 6.00 (车 = 0 + 6.00);
政府采购 80.00 = 30.00 + 0 + 50.00; 项目 2400.00 + 100.00.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from schema import Document, Fact, Line, RawTable

BODY = "测试区住房和建设局"
DOC_ID = f"{BODY}-2026-部门预算"
LEVELS = {3: "类", 5: "款", 7: "项"}

EXPENSE_ROWS = [  # code, name, 合计, 基本支出, 项目支出
    ("201", "一般公共服务支出", "500.00", "400.00", "100.00"),
    ("20103", "政府办公厅（室）及相关机构事务", "500.00", "400.00", "100.00"),
    ("2010301", "行政运行", "400.00", "400.00", ""),
    ("2010302", "一般行政管理事务", "100.00", "", "100.00"),
    ("208", "社会保障和就业支出", "60.00", "60.00", ""),
    ("20805", "行政事业单位养老支出", "60.00", "60.00", ""),
    ("2080505", "机关事业单位基本养老保险缴费支出", "40.00", "40.00", ""),
    ("2080506", "机关事业单位职业年金缴费支出", "20.00", "20.00", ""),
    ("221", "住房保障支出", "2440.00", "40.00", "2400.00"),
    ("22101", "保障性安居工程支出", "2400.00", "", "2400.00"),
    ("2210111", "配租型住房保障", "2400.00", "", "2400.00"),
    ("22102", "住房改革支出", "40.00", "40.00", ""),
    ("2210201", "住房公积金", "40.00", "40.00", ""),
]
CLASSES = [("一、一般公共服务支出", "500.00"), ("二、外交支出", ""), ("八、社会保障和就业支出", "60.00"),
           ("二十、住房保障支出", "2440.00")]

NARRATIVE = [
    (1, "测试区住房和建设局"),
    (1, "2026年度部门预算公开"),
    (2, "目 录"),
    (2, "一、2026年收支总表"),
    (2, "二、2026年收入总表"),
    (2, "三、2026年支出总表"),
    (2, "四、2026年财政拨款收支总表"),
    (2, "五、2026年一般公共预算支出表"),
    (2, "六、2026年一般公共预算基本支出表"),
    (2, "七、2026年“三公”经费支出表"),
    (2, "八、2026年政府性基金预算支出表"),
    (2, "九、2026年项目支出表"),
    (10, "第三部分 2026年度部门预算情况说明"),
    (10, "一、收支预算总体情况"),
    (10, "2026年度测试区住房和建设局收入、支出预算总计3,000.00万元，比上年增加300.00万元，增长11.11%。"),
    (10, "纳入本部门2026年部门预算编制范围的预算单位共1家。"),
    (10, "二、支出预算情况说明"),
    (10, "2026年度测试区住房和建设局支出预算3000.00万元，其中：基本支出500.00万元，占16.67%；"
         "项目支出2500.00万元，占83.33%。"),
    (11, "三、一般公共预算支出情况说明"),
    (11, "2026年度测试区住房和建设局一般公共预算当年支出3,000.00万元，主要用于以下方面：一般公共服务"
         "支出500.00万元，占16.67%；社会保障和就业支出60.00万元，占2.00%；住房保障支出2,440.00万元，占81.33%。"),
    (11, "住房保障支出（类）住房改革支出（款）住房公积金（项）支出40.00万元，主要用于住房公积金缴纳。"),
    (11, "四、一般公共预算基本支出情况说明"),
    (11, "2026年度测试区住房和建设局一般公共预算安排基本支出500.00万元，其中：人员经费450.00万元，"
         "公用经费50.00万元。"),
    (12, "五、“三公”经费情况说明"),
    (12, "2026年“三公”经费预算12.00万元，其中：因公出国（境）费2.00万元，公务接待费4.00万元，"
         "公务用车购置及运行费6.00万元。"),
    (12, "六、机关运行经费情况说明"),
    (12, "2026年机关运行经费预算50.00万元。"),
    (12, "七、政府采购情况说明"),
    (12, "2026年政府采购预算总额80.00万元，其中：政府采购货物预算30.00万元、政府采购工程预算0万元、"
         "政府采购服务预算50.00万元。"),
]


@dataclass
class Disclosure:
    """The records of one disclosure; `plant_*` helpers return a changed copy."""
    document: Document
    facts: list[Fact]
    lines: list[Line]
    tables: list[RawTable] = field(default_factory=list)

    def args(self):
        return self.document, self.facts, self.lines, self.tables

    def cells(self, **kw) -> list[Fact]:
        return [f for f in self.facts if all(getattr(f, k) == v for k, v in kw.items())]

    def set_cell(self, raw: str, **kw) -> "Disclosure":
        """Change the printed figure of the matching cells (and the row text as printed)."""
        hits = self.cells(**kw)
        assert hits, kw
        facts = []
        for f in self.facts:
            if f in hits:
                text = f.text.replace(f.raw, raw, 1) if f.raw else f"{f.text} {raw}"
                value = _dec(re.sub(r"^[≥≤<>＜＞=]+|[^\d.,]+$", "", raw))
                kind = f.kind if f.kind in ("indicator", "text") else ("cell" if raw else "empty")
                f = replace(f, raw=raw, value=value, text=text, kind=kind)
            facts.append(f)
        return replace(self, facts=facts)

    def set_line(self, old: str, new: str) -> "Disclosure":
        assert any(old in x.text for x in self.lines), old
        return replace(self, lines=[Line(x.text.replace(old, new), x.page) for x in self.lines])

    def add_lines(self, *texts: str, page: int = 13) -> "Disclosure":
        return replace(self, lines=self.lines + [Line(t, page) for t in texts])

    def without_table(self, name: str) -> "Disclosure":
        return replace(self, facts=[f for f in self.facts if f.table_name != name],
                       tables=[t for t in self.tables if t.name != name])


def _dec(raw: str) -> Decimal | None:
    s = re.sub(r"[,\s]", "", raw or "")
    return Decimal(s) if re.fullmatch(r"-?\d+(?:\.\d+)?", s) else None


def table(title: str, name: str, page: int, header: list[str], rows: list[tuple], unit: str = "万元",
          number: str | None = None, notes: tuple[str, ...] = (), label_cols: int = 1) -> tuple[RawTable, list[Fact]]:
    """rows: (code or None, label, *values as printed); header: the value columns' paths."""
    facts: list[Fact] = []
    printed_rows = [tuple(["科目编码", "科目名称"][:label_cols + 1] + [h.split("/")[-1] for h in header])]
    for i, (code, label, *values) in enumerate(rows, start=1):
        text = " ".join(x for x in ([code or ""] + [label] + list(values)) if x)
        printed_rows.append(tuple([code or "", label] + list(values)))
        for column, raw in zip(header, values):
            facts.append(Fact(doc=DOC_ID, table=title, table_name=name, table_no=number, section=None, page=page,
                              code=code, level=LEVELS.get(len(code)) if code else None,
                              parent=(code[:-2] if code and len(code) > 3 else None), label=label, column=column,
                              value=_dec(raw), raw=raw, unit=unit, text=text, kind="cell" if raw else "empty",
                              row=i, file="test.pdf"))
    raw_table = RawTable(title=title, number=number, name=name, unit=unit, page=page, rows=tuple(printed_rows),
                         row_pages=tuple(page for _ in printed_rows), notes=notes)
    return raw_table, facts


def indicator(title: str, page: int, label: str, raw: str, unit: str, column: str, row: int) -> Fact:
    value = _dec(re.sub(r"^[≥≤<>＜＞=]+|[^\d.,]+$", "", raw))
    return Fact(doc=DOC_ID, table=title, table_name="绩效目标表", table_no=None, section=None, page=page, code=None,
                level=None, parent=None, label=label, column=column, value=value, raw=raw, unit=unit,
                text=f"{label} {raw}", kind="indicator", row=row, file="test.pdf")


def cell_sentence(title: str, heading: str, page: int, sentence: str) -> Fact:
    """A sentence inside a 绩效目标表 cell, as the narrative facts carry it (one figure is enough)."""
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(万元|元|套|平方米|米|条)", sentence)
    return Fact(doc=DOC_ID, table=None, table_name=None, table_no=None, section=f"{title} / {heading}", page=page,
                code=None, level=None, parent=None, label=heading, column="文字说明", value=_dec(m.group(1)),
                raw=m.group(1), unit=m.group(2), text=sentence, kind="text", row=1, file="test.pdf")


PERF = "项目支出绩效目标表（保障性租赁住房项目）"
OVERALL = "部门整体支出绩效目标申报表"


def performance_facts() -> list[Fact]:
    p = 30
    return [
        indicator(PERF, p, "年度资金总额", "24,000,000", "元", "保障性租赁住房项目/项目资金(元)", 3),
        indicator(PERF, p, "其中:中央财政资金", "0", "元", "保障性租赁住房项目/其中:中央财政资金", 4),
        indicator(PERF, p, "省级财政资金", "0", "元", "保障性租赁住房项目/省级财政资金", 5),
        indicator(PERF, p, "市县(区)财政资金", "24,000,000", "元", "保障性租赁住房项目/市县(区)财政资金", 6),
        indicator(PERF, p, "拟建保障性住房", "500套", "套", "保障性租赁住房项目/产出指标", 17),
        indicator(PERF, p, "总建筑面积", "30000平方米", "平方米", "保障性租赁住房项目/产出指标", 18),
        indicator(PERF, p, "项目成本", "≤24000000元", "元", "保障性租赁住房项目/成本指标", 25),
        cell_sentence(PERF, "项目概况", p, "项目总建筑面积30000平方米,拟建保障性租赁住房500套。"),
        cell_sentence(PERF, "项目概况", p, "2026年安排市县财政资金2400万元。"),
        indicator(OVERALL, 29, "合计", "3000.00", "万元", "合计", 8),
        indicator(OVERALL, 29, "其中:基本支出", "500.00", "万元", "其中:一般公共预算资金", 9),
        indicator(OVERALL, 29, "项目支出", "2500.00", "万元", "政府性基金预算资金", 10),
    ]


def build(year: int = 2026, kind: str = "预算", scope: str = "部门") -> Disclosure:
    """The clean disclosure: every check finds nothing."""
    doc = Document(doc_id=DOC_ID, title=f"{BODY}{year}年度{scope}{kind}公开", body=BODY, year=year, kind=kind,
                   scope=scope, files=("test.pdf",), pages=40)
    income_side = [(None, "一、一般公共预算", "3000.00"), (None, "二、政府性基金预算", ""),
                   (None, "本年收入合计", "3000.00"), (None, "收入总计", "3000.00")]
    expense_side = [(None, n, v) for n, v in CLASSES] + [(None, "本年支出合计", "3000.00"), (None, "支出总计", "3000.00")]
    t1, f1 = table("2026年收支总表", "收支总表", 3, ["收入/预算数"], income_side, number="公开表1")
    _, f1b = table("2026年收支总表", "收支总表", 3, ["支出/预算数"], expense_side, number="公开表1")
    f1 = _two_sided(f1, f1b)
    t2, f2 = table("2026年收入总表", "收入总表", 4, ["本年收入/合计", "本年收入/一般公共预算", "本年收入/政府性基金"],
                   [(None, "合计", "3000.00", "3000.00", "")] + [(c, n, t, t, "") for c, n, t, _, _ in EXPENSE_ROWS],
                   number="公开表2")
    t3, f3 = table("2026年支出总表", "支出总表", 5, ["2026年预算数/合计", "2026年预算数/基本支出", "2026年预算数/项目支出"],
                   [(None, "合计", "3000.00", "500.00", "2500.00")] + [tuple(r) for r in EXPENSE_ROWS], number="公开表3")
    t4, f4 = table("2026年财政拨款收支总表", "财政拨款收支总表", 6, ["支出/金额/小计", "支出/金额/一般公共预算"],
                   [(None, n, v, v) for n, v in CLASSES] + [(None, "本年支出合计", "3000.00", "3000.00")],
                   number="公开表4")
    _, f4b = table("2026年财政拨款收支总表", "财政拨款收支总表", 6, ["收入/金额"],
                   [(None, "一、一般公共预算", "3000.00"), (None, "收入总计", "3000.00")], number="公开表4")
    f4 += [replace(f, row=f.row + 100) for f in f4b]
    t5, f5 = table("2026年一般公共预算支出表（不含上年结转）", "一般公共预算支出表", 7,
                   ["2026年预算数/合计", "2026年预算数/基本支出", "2026年预算数/项目支出"],
                   [(None, "合计", "3000.00", "500.00", "2500.00")] + [tuple(r) for r in EXPENSE_ROWS], number="公开表5")
    econ = [("301", "工资福利支出", "440.00", "440.00", ""), ("30101", "基本工资", "300.00", "300.00", ""),
            ("30102", "津贴补贴", "100.00", "100.00", ""), ("30113", "住房公积金", "40.00", "40.00", ""),
            ("302", "商品和服务支出", "50.00", "", "50.00"), ("30201", "办公费", "30.00", "", "30.00"),
            ("30211", "差旅费", "20.00", "", "20.00"), ("303", "对个人和家庭的补助", "10.00", "10.00", ""),
            ("30302", "退休费", "10.00", "10.00", "")]
    t6, f6 = table("2026年一般公共预算基本支出表", "基本支出分经济科目表", 8,
                   ["2026年预算数/合计", "2026年预算数/人员经费", "2026年预算数/公用经费"],
                   [(None, "合计", "500.00", "450.00", "50.00")] + econ, number="公开表6")
    t7, f7 = table("2026年“三公”经费支出表", "三公经费表", 9, ["2026年预算数/合计"],
                   [(None, "因公出国（境）费", "2.00"), (None, "公务接待费", "4.00"), (None, "公务用车购置及运行费", "6.00"),
                    (None, "①公务用车购置费", ""), (None, "②公务用车运行维护费", "6.00"), (None, "合计", "12.00")],
                   number="公开表7")
    t8, f8 = table("2026年政府性基金预算支出表", "政府性基金支出表", 9, ["合计", "基本支出", "项目支出"],
                   [(None, "合计", "", "", "")], number="公开表8", notes=("注：本表无数据",))
    t9, f9 = table("2026年项目支出表", "项目支出表", 10, ["合计", "2026年财政拨款/一般公共预算"],
                   [(None, BODY, "2500.00", "2500.00"), (None, "保障性租赁住房项目", "2400.00", "2400.00"),
                    (None, "政务服务项目", "100.00", "100.00")], number="公开表9")
    t10, f10 = table("2026年机关运行经费预算表", "机关运行经费表", 9, ["2026年预算数/合计"],
                     [(None, "合计", "50.00")], number="公开表10")
    lines = [Line(text, page) for page, text in NARRATIVE]
    facts = f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8 + f9 + f10 + performance_facts()
    return Disclosure(doc, facts, lines, [t1, t2, t3, t4, t5, t6, t7, t8, t9, t10])


def _two_sided(income: list[Fact], expense: list[Fact]) -> list[Fact]:
    """收支总表: income and expense rows printed side by side (same row numbers, different labels)."""
    out = list(income)
    totals = {"本年收入合计": "本年支出合计", "收入总计": "支出总计"}
    rows = {f.label: f.row for f in income}
    for f in expense:
        match = next((k for k, v in totals.items() if v == f.label), None)
        out.append(replace(f, row=rows[match] if match else f.row + 50))
    return sorted(out, key=lambda f: f.row)      # printed row by row, both sides of a row together


def with_non_fiscal_carry_over(d: Disclosure) -> Disclosure:
    """The clean disclosure for a body whose income is 100% 一般公共预算 but which also spends 200.00
    of non-fiscal 年初结转和结余 on 221 保障性安居工程 (all-funds tables 3,200.00, fiscal ones 3,000.00),
    the text saying so. The all-funds and fiscal figures are different money: no finding at all."""
    for table, code, values in (("支出总表", "221", ("2640.00", "40.00", "2600.00")),
                                ("支出总表", "22101", ("2600.00", "", "2600.00")),
                                ("支出总表", "2210111", ("2600.00", "", "2600.00"))):
        for column, raw in zip(("2026年预算数/合计", "2026年预算数/基本支出", "2026年预算数/项目支出"), values):
            d = d.set_cell(raw, table_name=table, code=code, column=column)
    d = d.set_cell("3200.00", table_name="支出总表", label="合计", column="2026年预算数/合计")
    d = d.set_cell("2700.00", table_name="支出总表", label="合计", column="2026年预算数/项目支出")
    for label in ("二十、住房保障支出", "本年支出合计", "支出总计", "收入总计"):
        d = d.set_cell({"二十、住房保障支出": "2640.00"}.get(label, "3200.00"), table_name="收支总表", label=label)
    total = d.cells(table_name="收支总表", label="本年收入合计")[0]
    carry = replace(total, label="年初结转和结余", raw="200.00", value=Decimal("200.00"), text="年初结转和结余 200.00",
                    row=total.row + 1)
    facts = list(d.facts)
    facts.insert(facts.index(total) + 1, carry)
    d = replace(d, facts=facts)
    d = d.set_line("收入、支出预算总计3,000.00万元，比上年增加300.00万元，增长11.11%",
                   "收入、支出预算总计3,200.00万元，比上年增加300.00万元，增长10.34%")
    return d.set_line("支出预算3000.00万元，其中：基本支出500.00万元，占16.67%；项目支出2500.00万元，占83.33%",
                      "支出预算3200.00万元，其中：基本支出500.00万元，占15.63%；项目支出2700.00万元，占84.38%")


SANGONG_FINAL = ("2026年度“三公”经费财政拨款支出预算数为12.00万元，支出决算为10.00万元，完成预算的83.33%，其中："
                 "因公出国（境）费决算为1.00万元，完成预算的50.00%；公务接待费支出决算为3.00万元，完成预算的75.00%；"
                 "公务用车购置及运行维护费支出决算为6.00万元，完成预算的100.00%。")


def with_final_sanggong(d: Disclosure) -> Disclosure:
    """A 决算's 三公 table with its budget and final columns (年初预算数 2.00 + 4.00 + 6.00 = 12.00;
    决算数 1.00 + 3.00 + 6.00 = 10.00) and the text stating them (SANGONG_FINAL)."""
    _, facts = table("2026年“三公”经费支出决算表", "三公经费表", 9, ["年初预算数", "决算数"],
                     [(None, "因公出国（境）费", "2.00", "1.00"), (None, "公务接待费", "4.00", "3.00"),
                      (None, "公务用车购置及运行费", "6.00", "6.00"), (None, "合计", "12.00", "10.00")])
    old = [f for f in d.facts if f.table_name == "三公经费表"]
    at = d.facts.index(old[0])
    d = replace(d, facts=d.facts[:at] + facts + [f for f in d.facts[at:] if f not in old])
    return d.set_line("2026年“三公”经费预算12.00万元，其中：因公出国（境）费2.00万元，公务接待费4.00万元，"
                      "公务用车购置及运行费6.00万元。", SANGONG_FINAL)
