"""The model of one synthetic disclosure (bench/make_corpus.py): a department's staff, its 经济科目
items, its 科目编码 tree and projects, all as integer 分 of 万元 so that parents are exact sums.
Deterministic from (seed, district, department, year, kind)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.corpus_spec import CITY, COMMON_LEAVES, NAMES, Dept


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
