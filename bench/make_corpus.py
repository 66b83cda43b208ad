"""python bench/make_corpus.py N [--out DIR] [--seed S] [--pdf-share 0.3]

Writes N synthetic disclosures of one city's departments (部门预算 / 部门决算, 2019–2026) in the
bundled sample's form (title lines, 单位：万元, tab-separated tables with 科目编码 rows, 三公 table,
project table, narrative 第三部分 stating totals and shares), a share of them as PDF via
`tests/pdfgen.py` when it exists, and beside them:

  corpus.jsonl     one line per file: file, doc_id, body, year, kind, pages
  questions.jsonl  id, question (naming department and year), answer_value, unit, kind, doc, source

Figures are consistent inside a document (children sum to parents, 合计 = 基本 + 项目, the narrative
restates the tables) and deterministic from the seed. Amounts are held as integer 分 of 万元.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus_spec import CITY, CLASSES, COMMON_LEAVES, DEPARTMENTS, DISTRICTS, NAMES, Dept  # noqa: E402

YEARS = tuple(range(2019, 2027))
KINDS = ("预算", "决算")
LINES_PER_PAGE = 40


# ---------------------------------------------------------------- the model of one disclosure
@dataclass(frozen=True)
class Leaf:
    code: str
    basic: int = 0          # 分 of 万元 (1 = 0.01万元)
    project: int = 0
    fund: bool = False      # paid from 政府性基金 instead of 一般公共预算

    @property
    def total(self) -> int:
        return self.basic + self.project


@dataclass(frozen=True)
class Project:
    name: str
    amount: int
    fund: bool = False


@dataclass
class Model:
    body: str
    dept: Dept
    year: int
    kind: str
    staff: int
    leaves: list[Leaf]
    econ: list[tuple[str, str, int, bool]]      # (name, group, amount, personnel?)
    projects: list[Project]
    sangong: dict[str, int]
    cars: int
    office_area: int
    procurement: tuple[int, int, int]           # goods, works, services
    prev_total: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def basic(self) -> int:
        return sum(x.basic for x in self.leaves)

    @property
    def project(self) -> int:
        return sum(x.project for x in self.leaves)

    @property
    def total(self) -> int:
        return self.basic + self.project

    @property
    def fund(self) -> int:
        return sum(x.total for x in self.leaves if x.fund)

    @property
    def gpb(self) -> int:
        return self.total - self.fund

    @property
    def personnel(self) -> int:
        return sum(a for _, _, a, p in self.econ if p)

    @property
    def public(self) -> int:
        return sum(a for _, _, a, p in self.econ if not p)


def yuan(cents: int) -> str:
    """分 of 万元 -> `1234.56`."""
    return f"{cents // 100}.{cents % 100:02d}"


def yuan_c(cents: int) -> str:
    """分 of 万元 -> `1,234.56` (as the narrative prints large totals)."""
    return f"{cents // 100:,}.{cents % 100:02d}"


def pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.2f}" if whole else "0"


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random("|".join(map(str, (seed, *parts))))


def wage_items(r: random.Random, staff: int, growth: float) -> list[tuple[str, str, int, bool]]:
    per = lambda lo, hi: int(staff * r.uniform(lo, hi) * growth * 100)  # noqa: E731
    basic, allowance, merit = per(3.2, 4.0), per(0.8, 1.6), per(3.5, 5.0)
    base = basic + allowance + merit
    items = [("基本工资", basic), ("津贴补贴", allowance), ("绩效工资", merit),
             ("机关事业单位基本养老保险缴费", base * 16 // 100), ("职业年金缴费", base * 8 // 100),
             ("职工基本医疗保险缴费", base * 7 // 100), ("公务员医疗补助缴费", base * 3 // 100),
             ("其他社会保障缴费", base // 200), ("住房公积金", base * 12 // 100),
             ("其他工资福利支出", per(0.1, 0.6))]
    return [(n, "工资福利支出", a, True) for n, a in items if a > 0]


def goods_items(r: random.Random, staff: int, cars: int, growth: float) -> list[tuple[str, str, int, bool]]:
    per = lambda lo, hi: int(staff * r.uniform(lo, hi) * growth * 100)  # noqa: E731
    items = [("办公费", per(0.2, 0.5)), ("印刷费", per(0.02, 0.08)), ("水费", per(0.01, 0.04)),
             ("电费", per(0.05, 0.15)), ("邮电费", per(0.02, 0.06)), ("差旅费", per(0.05, 0.2)),
             ("维修（护）费", per(0.03, 0.1)), ("会议费", per(0.01, 0.05)), ("培训费", per(0.02, 0.08)),
             ("公务接待费", per(0.01, 0.04) if r.random() < 0.6 else 0), ("工会经费", per(0.08, 0.12)),
             ("福利费", per(0.05, 0.1)), ("公务用车运行维护费", cars * int(r.uniform(1.5, 3.0) * 100)),
             ("其他交通费用", per(0.1, 0.3)), ("其他商品和服务支出", per(0.02, 0.1))]
    return [(n, "商品和服务支出", a, False) for n, a in items if a > 0]


def build_model(seed: int, district: str, dept: Dept, year: int, kind: str) -> Model:
    r = rng_for(seed, district, dept.name, year, kind)
    d = rng_for(seed, district, dept.name)                 # stable per department across years
    growth = (1 + d.uniform(0.01, 0.06)) ** (year - 2019) * (r.uniform(0.9, 1.02) if kind == "决算" else 1)
    staff = d.randint(*dept.staff)
    cars = d.choice((0, 0, 1, 2, 3)) if dept.cars else 0
    retired = d.randint(0, staff // 4)
    econ = wage_items(r, staff, growth) + goods_items(r, staff, cars, growth)
    pension = retired * int(r.uniform(2.5, 3.5) * growth * 100)
    if pension:
        econ.append(("退休费", "对个人和家庭的补助", pension, True))
    amounts = {n: a for n, _, a, _ in econ}
    leaves = [Leaf(dept.admin_leaf, basic=_admin_cost(amounts))]
    for code, econ_name in COMMON_LEAVES:
        if amounts.get(econ_name):
            leaves.append(Leaf(code, basic=amounts[econ_name]))
    projects: list[Project] = []
    for code, pool, lo, hi, fund in dept.programmes:
        names = r.sample(pool, k=min(len(pool), r.randint(1, 3)))
        ps = [Project(n, int(r.uniform(lo, hi) * growth * 100), fund) for n in names]
        projects.extend(ps)
        leaves.append(Leaf(code, project=sum(p.amount for p in ps), fund=fund))
    leaves.sort(key=lambda x: x.code)
    sangong = {"公务接待费": amounts.get("公务接待费", 0), "公务用车运行维护费": amounts.get("公务用车运行维护费", 0),
               "公务用车购置费": (int(r.uniform(12, 25) * 100) if cars and r.random() < 0.15 else 0),
               "因公出国（境）费": 0}
    goods = int(r.uniform(0.5, 3) * staff * 100)
    services = int(sum(p.amount for p in projects) * r.uniform(0.05, 0.3))
    m = Model(body=f"{CITY}{district}{dept.name}", dept=dept, year=year, kind=kind, staff=staff, leaves=leaves,
              econ=econ, projects=projects, sangong=sangong, cars=cars,
              office_area=d.randint(staff * 18, staff * 30), procurement=(goods, 0, services))
    m.extra["sections"] = d.sample(dept.offices, k=min(len(dept.offices), d.randint(3, 6)))
    return m


def _admin_cost(amounts: dict[str, int]) -> int:
    """行政运行 = all of 基本支出 except what has its own 项 (pensions, medical, housing fund, retirement)."""
    own = {econ for _, econ in COMMON_LEAVES}
    return sum(a for n, a in amounts.items() if n not in own)


def model_for(seed: int, district: str, dept: Dept, year: int, kind: str) -> Model:
    m = build_model(seed, district, dept, year, kind)
    m.prev_total = build_model(seed, district, dept, year - 1, kind).total
    return m


# ---------------------------------------------------------------- functional classification tree
def tree_rows(leaves: list[Leaf], pick=lambda leaf: True) -> list[tuple[str, str, int, int, int]]:
    """(code, name, total, basic, project) for 类, 款 and 项 rows, parents summed from their leaves."""
    sums: dict[str, list[int]] = {}
    for leaf in leaves:
        if not pick(leaf):
            continue
        for code in (leaf.code[:3], leaf.code[:5], leaf.code):
            s = sums.setdefault(code, [0, 0])
            s[0] += leaf.basic
            s[1] += leaf.project
    return [(c, NAMES[c], b + p, b, p) for c, (b, p) in sorted(sums.items())]


def blank(v: int) -> str:
    return yuan(v) if v else ""


def row(*cells: object) -> str:
    return "\t".join("" if c is None else str(c) for c in cells)


def table_head(number: str | None, title: str, body: str) -> list[str]:
    out = [number] if number else []
    return out + [title, f"部门名称：{body}", "单位：万元"]


# ---------------------------------------------------------------- the tables
def summary_table(m: Model, no: str, title: str) -> list[str]:
    y, final = m.year, m.kind == "决算"
    by_class = {c: t for c, _, t, _, _ in tree_rows(m.leaves) if len(c) == 3}
    income = [("一、一般公共预算", m.gpb), ("二、政府性基金预算", m.fund), ("三、国有资本经营预算", 0),
              ("四、财政专户管理资金", 0), ("五、单位资金", 0)]
    head = ["收入\t\t支出\t\t\t",
            row("项目", "决算数" if final else f"{y}年", "项目", "决算数" if final else f"{y}年合计",
                "基本支出" if final else "当年预算安排", "项目支出" if final else "上年结转安排")]
    lines = table_head(no, title, m.body) + head
    basic = {c: b for c, _, _, b, _ in tree_rows(m.leaves) if len(c) == 3}
    for i, (code, name) in enumerate(CLASSES):
        left = income[i] if i < len(income) else ("", 0)
        t = by_class.get(code, 0)
        third = (blank(basic.get(code, 0)), blank(t - basic.get(code, 0))) if final else (blank(t), "")
        lines.append(row(left[0], blank(left[1]), f"{_ordinal(i + 1)}、{name}", blank(t), *third))
    tail = (yuan(m.basic), yuan(m.project)) if final else (yuan(m.total), "")
    lines += [row("本年收入合计", yuan(m.total), "本年支出合计", yuan(m.total), *tail),
              row("上年结转", "", "年终结转", "", "", ""),
              row("收入总计", yuan(m.total), "支出总计", yuan(m.total), *tail)]
    return lines + ["", "注：本套报表因取数时四舍五入，部分金额可能存在尾差"]


def income_table(m: Model, no: str, title: str) -> list[str]:
    lines = table_head(no, title, m.body)
    lines += [row("项目", "", "本年收入", "", "", "", "", "", "上年结转"),
              row("科目编码", "科目名称", "合计", "一般公共预算", "政府性基金", "国有资本经营 预算",
                  "财政专户管理 资金", "单位资金", ""),
              row("合计", "", yuan(m.total), blank(m.gpb), blank(m.fund), "", "", "", "")]
    fund = {c: t for c, _, t, _, _ in tree_rows(m.leaves, lambda x: x.fund)}
    for code, name, total, _, _ in tree_rows(m.leaves):
        f = fund.get(code, 0)
        lines.append(row(code, name, yuan(total), blank(total - f), blank(f), "", "", "", ""))
    return lines


def spending_table(m: Model, no: str | None, title: str, pick=lambda leaf: True) -> list[str]:
    rows = tree_rows(m.leaves, pick)
    col = f"{m.year}年决算数" if m.kind == "决算" else f"{m.year}年预算数"
    lines = table_head(no, title, m.body) + [row("项目", "", col, "", ""),
                                             row("科目编码", "科目名称", "合计", "基本支出", "项目支出")]
    if not rows:
        return lines + [row("合计", "", "", "", ""), "", "注：本表无数据"]
    b = sum(x[3] for x in rows if len(x[0]) == 3)
    p = sum(x[4] for x in rows if len(x[0]) == 3)
    lines.append(row("合计", "", yuan(b + p), blank(b), blank(p)))
    lines += [row(code, name, yuan(t), blank(bb), blank(pp)) for code, name, t, bb, pp in rows]
    return lines


def grant_table(m: Model, no: str | None, title: str) -> list[str]:
    by_class = {c: t for c, _, t, _, _ in tree_rows(m.leaves) if len(c) == 3}
    fund = {c: t for c, _, t, _, _ in tree_rows(m.leaves, lambda x: x.fund) if len(c) == 3}
    lines = table_head(no, title, m.body)
    lines += ["收入\t\t支出\t\t\t\t",
              row("项目", "金额", "项目", "金额", "", "", ""),
              row("", "", "", "小计", "一般公共预算", "政府性基金预算", "国有资本经营预算")]
    income = [("一、一般公共预算", m.gpb), ("二、政府性基金预算", m.fund), ("三、国有资本经营预算", 0)]
    for i, (code, name) in enumerate(CLASSES):
        left = income[i] if i < len(income) else ("", 0)
        t, f = by_class.get(code, 0), fund.get(code, 0)
        lines.append(row(left[0], blank(left[1]), f"{_ordinal(i + 1)}、{name}", blank(t), blank(t - f), blank(f), ""))
    lines += [row("本年收入合计", yuan(m.total), "本年支出合计", yuan(m.total), blank(m.gpb), blank(m.fund), ""),
              row("收入总计", yuan(m.total), "支出总计", yuan(m.total), blank(m.gpb), blank(m.fund), "")]
    return lines


def economic_table(m: Model, no: str | None, title: str) -> list[str]:
    col = f"{m.year}年决算数" if m.kind == "决算" else f"{m.year}年预算数"
    lines = table_head(no, title, m.body)
    lines += [row("部门预算支出经济科目名称", "政府预算支出经济科目名称", col, "", ""),
              row("", "", "合计", "人员经费", "公用经费"),
              row("合计", "", yuan(m.basic), yuan(m.personnel), yuan(m.public))]
    groups: dict[str, list] = {}
    for item in m.econ:
        groups.setdefault(item[1], []).append(item)
    for group, items in groups.items():
        total = sum(a for _, _, a, _ in items)
        personnel = items[0][3]
        lines.append(row(group, "", yuan(total), yuan(total) if personnel else "", "" if personnel else yuan(total)))
        for name, _, a, p in items:
            gov = "离退休费" if group == "对个人和家庭的补助" else group
            lines.append(row(name, gov, yuan(a), yuan(a) if p else "", "" if p else yuan(a)))
    return lines


def empty_table(no: str | None, title: str, body: str, header: list[str], first: str) -> list[str]:
    return table_head(no, title, body) + header + [first, "", "注：本表无数据"]


def sangong_table(m: Model, no: str | None, title: str) -> list[str]:
    s = m.sangong
    car = s["公务用车购置费"] + s["公务用车运行维护费"]
    total = car + s["公务接待费"] + s["因公出国（境）费"]
    col = f"{m.year}年决算数" if m.kind == "决算" else f"{m.year}年预算数"
    lines = table_head(no, title, m.body) + [row("项目", col, "", "", ""),
                                             row("", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算")]
    items = [("因公出国（境）费", s["因公出国（境）费"]), ("公务接待费", s["公务接待费"]),
             ("公务用车购置及运行费", car), ("①公务用车购置费", s["公务用车购置费"]),
             ("②公务用车运行维护费", s["公务用车运行维护费"]), ("合计", total)]
    lines += [row(n, blank(v), blank(v), "", "") for n, v in items]
    return lines + (["", "注：本表无数据"] if not total else [])


def office_cost_table(m: Model, no: str | None, title: str) -> list[str]:
    col = f"{m.year}决算数" if m.kind == "决算" else f"{m.year}预算数"
    lines = table_head(no, title, m.body) + [row("单位名称", col, "", "", ""),
                                             row("", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算")]
    return lines + [row("部门合计", yuan(m.public), yuan(m.public), "", "")]


def project_table(m: Model, no: str | None, title: str) -> list[str]:
    lines = table_head(no, title, m.body)
    lines += [row("项目名称", "合计", f"{m.year}年财政拨款", "", "", "财政专户管理 资金", "单位资金"),
              row("", "", "一般公共预算", "政府性 基金预 算", "国有资本经营 预算", "", ""),
              row(1, 2, 3, 4, 5, 6, 7)]
    gpb = sum(p.amount for p in m.projects if not p.fund)
    fund = sum(p.amount for p in m.projects if p.fund)
    for _ in range(2):      # 部门 and 单位 lines, as printed
        lines.append(row(m.body, yuan(gpb + fund), blank(gpb), blank(fund), "", "", ""))
    for p in m.projects:
        lines.append(row(p.name, yuan(p.amount), "" if p.fund else yuan(p.amount), yuan(p.amount) if p.fund else "",
                         "", "", ""))
    return lines


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


# ---------------------------------------------------------------- the document
def budget_tables(m: Model) -> list[list[str]]:
    y, b = m.year, m.body
    fund_rows = [row("合计", "", yuan(m.fund)), row("1030148", "国有土地使用权出让收入", yuan(m.fund))] if m.fund else []
    fund_head = [row("项目", "", "政府性基金收入预算"), row("收入科目编码", "科目名称", "")]
    fund_in = (table_head("预算公开表7", f"{y}年政府性基金预算收入表（不含上年结转）", b) + fund_head + fund_rows
               if m.fund else empty_table("预算公开表7", f"{y}年政府性基金预算收入表（不含上年结转）", b,
                                          fund_head, row("合计", "", "")))
    return [
        summary_table(m, "预算公开表1", f"{y}年预算收支总表"),
        income_table(m, "预算公开表2", f"{y}年预算收入总表"),
        spending_table(m, "预算公开表3", f"{y}年预算支出总表"),
        grant_table(m, "预算公开表4", f"{y}年财政拨款收支总表"),
        spending_table(m, "预算公开表5", f"{y}年一般公共预算支出预算表（不含上年结转）", lambda x: not x.fund),
        economic_table(m, "预算公开表6", f"{y}年一般公共预算安排基本支出分经济科目表（不含上年结转）"),
        fund_in,
        spending_table(m, "预算公开表8", f"{y}年政府性基金预算支出表（不含上年结转）", lambda x: x.fund),
        empty_table("预算公开表9", f"{y}年国有资本经营预算收支预算表（不含上年结转）", b,
                    [row("国有资本经营预算收入", "", "国有资本经营预算支出", "", "", "", ""),
                     row("项目", "国有资本经营收入预算", "科目编码", "科目名称", "合计", "基本支出", "项目支出")],
                    row("合计", "", "", "", "", "", "")),
        sangong_table(m, "预算公开表10", f"{y}年财政拨款安排“三公”经费支出预算表"),
        office_cost_table(m, "预算公开表11", f"{y}年财政拨款安排机关运行经费预算表"),
        project_table(m, "预算公开表12", f"{y}年项目支出预算表（本年预算）"),
        empty_table("预算公开表13", f"{y}年项目支出预算表（上年结转）", b,
                    [row("项目名称", "合计", f"{y}年财政拨款", "", ""),
                     row("", "", "一般公共预算", "政府性基金预算", "国有资本经营预算"), row(1, 2, 3, 4, 5)],
                    row("合计", "", "", "", "")),
    ]


def final_tables(m: Model) -> list[list[str]]:
    y, b = m.year, m.body
    return [
        summary_table(m, "决算公开表1", f"{y}年度收入支出决算总表"),
        income_table(m, "决算公开表2", f"{y}年度收入决算表"),
        spending_table(m, "决算公开表3", f"{y}年度支出决算表"),
        grant_table(m, "决算公开表4", f"{y}年度财政拨款收入支出决算总表"),
        spending_table(m, "决算公开表5", f"{y}年度一般公共预算财政拨款支出决算表", lambda x: not x.fund),
        economic_table(m, "决算公开表6", f"{y}年度一般公共预算财政拨款基本支出决算表"),
        spending_table(m, "决算公开表7", f"{y}年度政府性基金预算财政拨款支出决算表", lambda x: x.fund),
        empty_table("决算公开表8", f"{y}年度国有资本经营预算财政拨款支出决算表", b,
                    [row("项目", "", "本年支出", "", ""), row("科目编码", "科目名称", "合计", "基本支出", "项目支出")],
                    row("合计", "", "", "", "")),
        sangong_table(m, "决算公开表9", f"{y}年度财政拨款“三公”经费支出决算表"),
    ]


def change_words(now: int, before: int) -> tuple[str, str, str, str]:
    """(增加|减少, amount, 增长|下降, percent) of now against before."""
    d = now - before
    return ("增加" if d >= 0 else "减少", yuan(abs(d)), "增长" if d >= 0 else "下降", pct(abs(d), before))


REASONS = ("严格落实过“紧日子”要求，从严从紧核定年初预算，压减非刚性、非重点项目支出",
           "人员调资及社会保障缴费基数调整，基本支出相应增加", "新增重点项目资金安排",
           "上级专项资金减少，部分项目已完工")


def narrative(m: Model, prev: Model) -> list[str]:
    y, b, w = m.year, m.body, m.kind
    up, d, grow, p = change_words(m.total, prev.total)
    reason = REASONS[(y + len(b)) % len(REASONS)]
    classes = [(n, t) for c, n, t, _, _ in tree_rows(m.leaves) if len(c) == 3]
    gpb_classes = [(n, t) for c, n, t, _, _ in tree_rows(m.leaves, lambda x: not x.fund) if len(c) == 3]
    out = [f"第三部分 {y}年度部门{w}情况说明", f"一、部门{w}收支数据变动情况及原因",
           f"{y}年度{b}{w}收入总计{yuan_c(m.total)}万元，其中：本年收入{yuan_c(m.total)}万元，上年结转0万元，"
           f"比上年{up}{d}万元，{grow}{p}%，主要原因是{reason}；本年部门{w}支出总计{yuan_c(m.total)}万元，"
           f"比上年{up}{d}万元，{grow}{p}%，主要原因是{reason}。",
           f"二、收入{w}情况说明",
           f"{y}年度{b}{w}收入{yuan_c(m.total)}万元，主要包括一般公共预算拨款收入{yuan_c(m.gpb)}万元，"
           f"占{pct(m.gpb, m.total)}%；政府性基金预算拨款收入{yuan(m.fund) if m.fund else '0'}万元，"
           f"占{pct(m.fund, m.total)}%；国有资本经营预算拨款收入0万元，占0%；单位资金0万元，占0%。",
           f"三、支出{w}情况说明",
           f"{y}年度{b}支出{w}{yuan(m.total)}万元，其中：基本支出{yuan(m.basic)}万元，占{pct(m.basic, m.total)}%；"
           f"项目支出{yuan(m.project)}万元，占{pct(m.project, m.total)}%。",
           f"四、财政拨款收支{w}总体情况说明",
           f"{y}年度{b}财政拨款收支总{w}{yuan_c(m.total)}万元。其中：一般公共预算拨款{yuan_c(m.gpb)}万元，"
           f"政府性基金预算拨款{yuan(m.fund) if m.fund else '0'}万元，国有资本经营预算拨款0万元。支出包括："
           + "、".join(f"{n}{yuan_c(t)}万元" for n, t in classes) + "等。",
           "五、一般公共预算支出情况说明", "（一）一般公共预算当年支出规模变化情况"]
    up2, d2, grow2, p2 = change_words(m.gpb, prev.gpb)
    out += [f"{y}年度{b}一般公共预算当年支出{yuan_c(m.gpb)}万元，比上年{up2}{d2}万元，{grow2}{p2}%。",
            "（二）一般公共预算当年支出结构情况",
            f"{y}年度{b}一般公共预算当年支出{yuan_c(m.gpb)}万元，主要用于以下方面："
            + "；".join(f"{n}{yuan_c(t)}万元，占{pct(t, m.gpb)}%" for n, t in gpb_classes) + "等。"]
    return out + narrative_rest(m, prev)


def narrative_rest(m: Model, prev: Model) -> list[str]:
    y, b, w = m.year, m.body, m.kind
    people = "、".join(n for n, _, _, p in m.econ if p)
    goods = "、".join(n for n, _, _, p in m.econ if not p)
    total3 = sum(m.sangong.values())
    out = ["六、一般公共预算基本支出情况说明",
           f"{y}年度{b}一般公共预算安排基本支出{yuan(m.basic)}万元，其中：",
           f"人员经费{yuan(m.personnel)}万元，主要包括：{people}等；", f"公用经费{yuan(m.public)}万元，主要包括：{goods}等。",
           "七、“三公”经费增减变动原因说明"]
    if total3:
        up, d, _, _ = change_words(total3, sum(prev.sangong.values()))
        car = m.sangong["公务用车购置费"] + m.sangong["公务用车运行维护费"]
        out.append(f"{y}年“三公”经费{w}{yuan(total3)}万元，比上年{up}{d}万元。其中：因公出国（境）费0万元；"
                   f"公务接待费{yuan(m.sangong['公务接待费'])}万元；公务用车购置及运行费{yuan(car)}万元。")
    else:
        out.append(f"本部门无“三公”经费{w}。")
    up, d, grow, p = change_words(m.public, prev.public)
    goods_p, works_p, services_p = m.procurement
    out += ["八、机关运行经费增减变动原因说明",
            f"{y}年{b}机关运行经费{w}{yuan(m.public)}万元，比上年{up}{d}万元，{grow}{p}%，主要原因是办公经费调整。",
            "九、政府采购情况",
            f"{y}年{b}政府采购{w}总额{yuan(goods_p + works_p + services_p)}万元。其中：政府采购货物{w}{yuan(goods_p)}万元、"
            f"政府采购工程{w}0万元、政府采购服务{w}{yuan(services_p)}万元。",
            "十、绩效管理情况",
            f"{y}年{b}纳入绩效目标管理的项目{len(m.projects)}个，共计金额{yuan_c(m.project)}万元。",
            "十一、国有资产占有使用情况", "1、车辆情况：",
            f"截至{y - 1}年12月31日，{b}共有公务用车编制{m.cars}辆，实有{m.cars}辆，其中：执法执勤用车{m.cars}辆，"
            "其他公务用车0辆。",
            "2、房屋情况：", f"截至{y - 1}年12月31日，{b}使用的办公用房建筑总面积{m.office_area}平方米。",
            "十二、其他说明", f"本部门{y}年度无其他说明事项。"]
    return out


def overview(m: Model) -> list[str]:
    offices = m.extra["sections"]
    n = _ordinal(len(offices))
    return ["第一部分 概况", "一、本部门职责", m.dept.duties, "二、机构设置情况", "本部门无下属单位。",
            f"本部门下设{n}个科室：分别为{'、'.join(offices)}。"]


def glossary() -> list[str]:
    return ["第四部分 名词解释",
            "一、基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。",
            "二、项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
            "三、“三公”经费：指用财政拨款安排的因公出国（境）费用、公务用车购置及运行费和公务接待费。",
            "四、机关运行经费：指行政单位和参照公务员法管理的事业单位使用财政拨款安排的基本支出中的公用经费支出。"]


def model_to_text(m: Model, prev: Model) -> str:
    y, w = m.year, m.kind
    tables = budget_tables(m) if w == "预算" else final_tables(m)
    toc = ["目 录", row("第一部分 概况", 1), row("一、本部门职责.....", 1), row("二、机构设置情况.....", 1),
           row(f"第二部分 {y}年部门{w}报表", 2)]
    toc += [row(t[1] + ".....", 2 + i) for i, t in enumerate(tables)]
    toc += [row(f"第三部分 {y}年度部门{w}情况说明", 2 + len(tables)), row("第四部分 名词解释", 3 + len(tables))]
    parts = [[m.body, f"{y}年度部门{w}公开"], toc, overview(m), [f"第二部分 {y}年部门{w}报表"]]
    parts += tables + [narrative(m, prev), glossary()]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"


# ---------------------------------------------------------------- questions drawn from the model
ECON_ASKED = ("办公费", "差旅费", "培训费", "印刷费", "电费", "绩效工资", "基本工资", "津贴补贴", "工会经费")


def candidate_questions(m: Model, prev: Model) -> list[tuple[int, dict]]:
    """(weight, question) pairs; each question names the department, the year and the kind."""
    ask = f"{m.body}{m.year}年部门{m.kind}中"
    money = lambda q, v, src, kind="lookup": {"question": ask + q, "answer_value": yuan(v), "unit": "万元",  # noqa: E731
                                             "kind": kind, "source": src}
    rows = tree_rows(m.leaves)
    names = [n for _, n, _, _, _ in rows]
    out: list[tuple[int, dict]] = []
    for code, name, total, _, _ in rows:
        values = {t for _, n, t, _, _ in rows if n == name}
        if len(values) == 1 and (len(code) == 3 or names.count(name) == 1 or len(code) == 7):
            out.append((3 if len(code) == 3 else 1, money(f"{name}是多少？", total, "支出总表")))
    out += [(2, money("基本支出是多少？", m.basic, "支出总表")), (2, money("项目支出合计多少？", m.project, "支出总表")),
            (2, money("人员经费是多少？", m.personnel, "基本支出分经济科目表")),
            (2, money("收入总计是多少？", m.total, "收支总表"))]
    econ = {n: a for n, _, a, _ in m.econ}
    out += [(1, money(f"{n}是多少？", econ[n], "基本支出分经济科目表")) for n in ECON_ASKED if econ.get(n)]
    if m.kind == "预算":
        out += [(1, money(f"{p.name}安排了多少资金？", p.amount, "项目支出表")) for p in m.projects]
        top = max(m.projects, key=lambda p: p.amount)
        if sum(p.amount == top.amount for p in m.projects) == 1:
            out.append((2, money("哪个项目的预算最多？", top.amount, "项目支出表", "rank")))
    total3 = sum(m.sangong.values())
    out.append((2, money("“三公”经费是多少？", total3, "三公经费表") if total3 else
                {"question": ask + "“三公”经费是多少？", "answer_value": "0", "unit": "万元", "kind": "empty",
                 "source": "三公经费表"}))
    out.append((2, {"question": ask + "基本支出占总支出的比例是多少？", "answer_value": pct(m.basic, m.total),
                    "unit": "%", "kind": "ratio", "source": "第三部分"}))
    out.append((2, {**money("收入总计比上年增减了多少？", abs(m.total - prev.total), "第三部分", "change")}))
    procurement = sum(m.procurement)
    out.append((2, money(f"政府采购{m.kind}总额是多少？", procurement, "第三部分", "text")))
    out.append((2, {"question": ask + "办公用房建筑面积是多少平方米？", "answer_value": str(m.office_area),
                    "unit": "平方米", "kind": "text", "source": "第三部分"}))
    return out


def pick_questions(r: random.Random, candidates: list[tuple[int, dict]], k: int) -> list[dict]:
    pool = list(candidates)
    chosen: list[dict] = []
    while pool and len(chosen) < k:
        i = r.choices(range(len(pool)), weights=[w for w, _ in pool])[0]
        chosen.append(pool.pop(i)[1])
    return chosen


# ---------------------------------------------------------------- files
@dataclass(frozen=True)
class Spec:
    district: int
    dept: int
    year: int
    kind: str

    @property
    def stem(self) -> str:
        return f"yunchuan-d{self.district + 1}-{self.dept + 1:02d}-{self.year}-{'budget' if self.kind == '预算' else 'final'}"


def choose_specs(n: int, seed: int) -> list[Spec]:
    every = [Spec(d, p, y, k) for d in range(len(DISTRICTS)) for p in range(len(DEPARTMENTS))
             for y in YEARS for k in KINDS]
    if n > len(every):
        raise SystemExit(f"at most {len(every)} distinct disclosures (districts × departments × years × kinds)")
    random.Random(seed).shuffle(every)
    return sorted(every[:n], key=lambda s: s.stem)


def pdf_writer():
    """tests/pdfgen.py's text_to_pdf when it exists, else None."""
    try:
        from tests.pdfgen import text_to_pdf
    except ImportError:
        return None
    return text_to_pdf


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def write_one(spec: Spec, out: Path, seed: int, as_pdf, questions_per_doc: int) -> tuple[dict, list[dict]]:
    dept = DEPARTMENTS[spec.dept]
    m = model_for(seed, DISTRICTS[spec.district], dept, spec.year, spec.kind)
    prev = build_model(seed, DISTRICTS[spec.district], dept, spec.year - 1, spec.kind)
    text = model_to_text(m, prev)
    if as_pdf:
        path = out / f"{spec.stem}.pdf"
        as_pdf(text, path)
        pages = pdf_pages(path)
    else:
        path = out / f"{spec.stem}.txt"
        path.write_text(text, encoding="utf-8")
        pages = -(-text.count("\n") // LINES_PER_PAGE)
    doc_id = f"{m.body}-{m.year}-部门{m.kind}"
    entry = {"file": path.name, "doc_id": doc_id, "body": m.body, "year": m.year, "kind": m.kind, "pages": pages,
             "format": path.suffix[1:]}
    qs = pick_questions(rng_for(seed, "q", spec.stem), candidate_questions(m, prev), questions_per_doc)
    return entry, [{**q, "doc": doc_id, "file": path.name} for q in qs]


def make_corpus(n: int, out: Path, seed: int = 7, pdf_share: float = 0.3, questions_per_doc: int = 2,
                pdf_layout: str | None = None) -> tuple[list[dict], list[dict]]:
    """Write the files, corpus.jsonl and questions.jsonl under `out`; returns (manifest, questions)."""
    out.mkdir(parents=True, exist_ok=True)
    writer = pdf_writer() if pdf_share > 0 else None
    if pdf_share > 0 and writer is None:
        print("tests/pdfgen.py not found: writing every disclosure as text", file=sys.stderr)
    if writer and pdf_layout:
        base = writer
        writer = lambda text, path: base(text, path, layout=pdf_layout)  # noqa: E731
    pick = random.Random(f"{seed}|pdf")
    manifest, questions = [], []
    for spec in choose_specs(n, seed):
        as_pdf = writer if writer and pick.random() < pdf_share else None
        entry, qs = write_one(spec, out, seed, as_pdf, questions_per_doc)
        manifest.append(entry)
        questions.extend(qs)
    for i, q in enumerate(questions, 1):
        q["id"] = f"g{i:04d}"
    _write_jsonl(out / "corpus.jsonl", manifest)
    _write_jsonl(out / "questions.jsonl", [{"id": q.pop("id"), **q} for q in questions])
    return manifest, questions


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of disclosures")
    p.add_argument("--out", type=Path, default=Path("/tmp/budgetqa-corpus"))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pdf-share", type=float, default=0.3, help="share written as PDF (needs tests/pdfgen.py)")
    p.add_argument("--pdf-layout", default=None, help="layout passed to tests/pdfgen.text_to_pdf")
    p.add_argument("--questions-per-doc", type=int, default=2)
    args = p.parse_args(argv)
    manifest, questions = make_corpus(args.n, args.out, args.seed, args.pdf_share, args.questions_per_doc,
                                      args.pdf_layout)
    pdfs = sum(1 for m in manifest if m["format"] == "pdf")
    print(f"{len(manifest)} disclosures ({pdfs} PDF, {sum(m['pages'] for m in manifest)} pages) and "
          f"{len(questions)} questions in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
