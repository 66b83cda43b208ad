"""Every sentence the audit writes, as data. `{name}` slots are filled with str.format (audit/messages.py)."""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    # 表内算术
    "sum.children": "{table}中{code}“{label}”的{column}为{total}，下级科目之和为{sum}，相差{diff}",
    "sum.total_row": "{table}的“{label}”行{column}为{total}，各{level}科目之和为{sum}，相差{diff}",
    "sum.ordinal": "{table}的“{label}”为{total}，所列各项之和为{sum}，相差{diff}",
    "sum.row": "{table}中“{label}”一行：{column}为{total}，{names}之和为{sum}，相差{diff}",
    "sum.cents": "{table}的“{label}”{column}印为{total}，明细之和为{sum}，合计行舍去了角分",
    "sum.tail": "{table}中“{label}”的{column}为{total}，明细之和为{sum}，相差{diff}（尾差）",
    "sum.projects": "{table}的“{label}”为{total}，所列{n}个项目之和为{sum}，相差{diff}",
    "balance": "{table}的收入总计{income}与支出总计{expense}不相等，相差{diff}",
    "parts.text": "{what}为{total}，{parts}之和为{sum}，相差{diff}",
    "parts.over_whole": "其中所列{part}{value}大于{whole}{total}",
    "parts.pair": "文中{whole}与其中{parts}之和{sum}不一致",
    "parts.table": "{table}中{what}为{total}，{parts}之和为{sum}，相差{diff}",
    # 表间一致
    "cross.code": "{code}“{label}”的{role}：{table_a}为{a}，{table_b}为{b}",
    "cross.total": "{role}合计：{table_a}为{a}，{table_b}为{b}",
    # 文表一致
    "text.item": "文中{item}为{text_value}，{table}为{table_value}",
    "text.code": "文中{path}为{text_value}，{table}中{code}“{label}”为{table_value}",
    "text.code_level": "文中把“{name}”写作{text_level}级科目，表中{code}“{name}”是{table_level}级科目",
    "text.code_name": "文中“{written}”与表中{code}科目名称“{name}”不一致",
    "text.old_name": "文中科目“{written}”用的是旧名称，表中{code}现名“{name}”",
    "text.tail": "文中{n}处金额与表中换算后相差末位一个单位（尾差，疑为截尾而非四舍五入）：{items}",
    # 比例与增减
    "pct.share": "{item}占比应为{expected}%（{num}÷{den}），文中为{printed}%",
    "pct.tail": "{item}占比按四舍五入应为{expected}%（{num}÷{den}），文中为{printed}%（尾差）",
    "pct.levels": "{item}{direction}幅度应为{expected}%（{current}比{base_name}{base}），文中为{printed}%",
    "pct.growth": "{item}{direction}幅度应为{expected}%（{diff}÷{base}），文中为{printed}%",
    "pct.completion": "{item}完成率应为{expected}%（{num}÷{den}），文中为{printed}%",
    "pct.zero_base": "文中称{item}“完成{base_name}的{printed}%”，但{base_name}为{base}；{printed}%与{other_name}{other}的完成率相符",
    "dir.words": "同一处比较写了“{a}”又写“{b}”，增减方向自相矛盾：{snippet}",
    "dir.compare": "文中称{item}{word}，但{left_name}{left}、{right_name}{right}",
    # 重复表述与绩效
    "repeat.text": "“{item}”在文中出现两个数：{a}与{b}",
    "perf.indicator": "{project}绩效指标“{indicator}”为{a}，项目概况写{b}",
    "perf.fund": "{project}：项目支出表安排{table_value}，绩效目标表年度资金总额为{perf_value}",
    "perf.cost_cap": "{project}成本指标“{indicator}”上限{cap}低于年度资金总额{funds}",
    "perf.source": "{project}项目概况称{source}资金{text_value}，资金来源栏{source}为{cell_value}",
    "perf.overall": "整体支出绩效目标表中{item}为{a}，{table}为{b}",
    "perf.overall_sum": "整体支出绩效目标表中按资金方向合计{total}，基本支出{basic}＋项目支出{project}＝{sum}",
    # 年度与名称
    "year.other": "文中写“{year}年{context}”，本文件是{doc_year}年{kind}",
    "year.compare": "{doc_year}年{kind}中写“比{year}年{what}”，上年应为{prev}年",
    "year.as_of": "文中“截至{date}”，{doc_year}年{kind}应截至{expected}",
    "year.period": "项目实施期“{period}”不含本年度{doc_year}年",
    "year.title": "表格标题年度为{year}年，本文件是{doc_year}年{kind}：{title}",
    "scope.dept_in_unit": "单位{kind}公开中出现部门口径的“{word}”",
    "name.variant": "单位名称写法不一致：“{variant}”与“{body}”",
    # 格式残留
    "form.missing_table": "缺少{kind}公开必备的{table}",
    "form.toc_missing": "目录列有“{entry}”，正文中没有这张表",
    "form.empty_table": "{table}没有数据，也没有“本表无数据”之类的说明",
    "form.placeholder": "模板占位符“{token}”未替换：{snippet}",
    "form.alternatives": "模板备选措辞“{token}”未删除：{snippet}",
    "form.missing_amount": "金额缺失：“{snippet}”",
    "form.brackets": "{mark}不成对：{snippet}",
    "form.double_punct": "标点重复“{token}”：{snippet}",
    "form.percent_sign": "比例缺少%：{snippet}",
    "form.sentence_end": "段末缺少句末标点：{snippet}",
    "form.number_prefix": "表号写法不一致：“{number}”与其他表的“{usual}”",
}

# python -m audit
CLI = {
    "head": "《{title}》：错误 {errors} 条，提示 {hints} 条",
    "none": "  未发现问题。",
    "template": "  （空白表样，不核查）",
    "line": "{n:>3}. [{severity}][{family}]{page} {message}",
    "cite": "       ↳ {where}{page}：{text}",
    "no_docs": "没有可核查的文件（存储为空，或 --doc 不存在）。",
    "written": "已导出 {n} 条核查结果到 {path}",
}
