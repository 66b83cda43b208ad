"""A model (bench/corpus_model.py) -> the disclosure as text in the bundled sample's form: cover,
目录, 第一部分 概况, the 预算 (13) or 决算 (9) tables, 第三部分 narrative restating the tables, 第四部分."""
from __future__ import annotations

from bench.corpus_model import Model, pct, tree_rows, yuan, yuan_c
from bench.corpus_spec import CLASSES


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
    as_of = y if w == "决算" else y - 1          # a 决算 counts assets at the end of its own year
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
            f"截至{as_of}年12月31日，{b}共有公务用车编制{m.cars}辆，实有{m.cars}辆，其中：执法执勤用车{m.cars}辆，"
            "其他公务用车0辆。",
            "2、房屋情况：", f"截至{as_of}年12月31日，{b}使用的办公用房建筑总面积{m.office_area}平方米。",
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
