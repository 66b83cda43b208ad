"""Every Chinese string the staff pages (核查, 数据浏览) show. Plain data."""
from __future__ import annotations

UI = {
    "back": "返回问答",
    "audit_title": "一致性核查",
    "audit_caption": "逐份核对表内算术、表间数字、文表数字、比例与增减、重复表述、年度名称和格式残留。"
                     "“错误”为数字或表述确有矛盾，“提示”需人工判断；末位一个单位的尾差列为“提示”，表注已说明四舍五入的不再列出。",
    "browse_title": "数据浏览",
    "browse_caption": "已载入文件的全部数字，按原样保存：可按文件、表格、科目编码、项目、栏目、单位、页码筛选和搜索，并导出。",
    "doc": "文件",
    "doc_all": "全部文件",
    "severity": "严重程度",
    "family": "类别",
    "count_errors": "错误",
    "count_hints": "提示",
    "none": "未发现问题。",
    "no_docs": "尚未载入公开文件。请先在问答页上传，或用 python -m corpus 导入。",
    "template": "（空白表样，不核查）",
    "page": "第 {page} 页",
    "export_csv": "导出 CSV",
    "export_xlsx": "导出 Excel",
    "locked": "此页面仅供工作人员使用，请输入管理口令。",
    "disabled": "工作人员页面未启用。启用方法：启动前设置环境变量 BUDGETQA_ADMIN_TOKEN（管理口令），"
                "例如 BUDGETQA_ADMIN_TOKEN=口令 make run，再打开本页输入该口令。未设置时问答页只供查询，不能上传。",
    "token": "管理口令",
    "token_wrong": "口令不正确。",
    "table": "表格",
    "code": "科目编码",
    "label": "项目",
    "column": "栏目",
    "unit": "单位",
    "pages": "页码范围",
    "kind": "类型",
    "search": "搜索（任意字段）",
    "shown": "共 {n} 条，显示 {m} 条",
    "too_many": "仅显示前 {n} 条，导出包含全部筛选结果。",
    "error_store": "数据服务暂时不可用，请稍后再试。",
}
KIND_NAMES = {"cell": "表格数字", "empty": "空单元格", "text": "文字", "indicator": "绩效指标"}
COLUMNS = {"doc": "文件", "table": "表格", "page": "页码", "code": "科目编码", "label": "项目", "column": "栏目",
           "raw": "数值（原样）", "unit": "单位", "kind": "类型", "text": "原文行", "section": "章节"}

# The one header row of the Excel exports (stores/export.py), by field name.
FACT_HEADERS = {"doc": "文件", "table": "表格", "table_name": "表名", "table_no": "表号", "section": "章节",
                "page": "页码", "code": "科目编码", "level": "级次", "parent": "上级编码", "label": "项目",
                "column": "栏目", "value": "数值", "raw": "原文数字", "unit": "单位", "text": "原文行",
                "kind": "类型", "row": "行序", "file": "源文件"}
FINDING_HEADERS = {"doc_id": "文件", "severity": "严重程度", "family_name": "类别", "family": "类别代码",
                   "rule_name": "规则", "rule": "规则代码", "page": "页码", "message": "问题", "figures": "涉及数字",
                   "where": "位置", "cited_text": "原文", "cited_pages": "各处页码"}

# The audit's checks (audit/*.py `rule`) as staff read them; the code stays in a column of its own.
RULE_NAMES = {
    "sum.children": "下级科目之和", "sum.total_row": "合计行", "sum.ordinal": "分项之和", "sum.row": "行内各栏之和",
    "sum.cents": "分位尾差", "sum.tail": "末位尾差", "sum.group": "分组之和", "sum.projects": "项目之和",
    "balance": "收支平衡", "parts.text": "文中分项之和", "parts.over_whole": "分项大于总数", "parts.pair": "成对数字",
    "parts.table": "表中分项之和", "cross.code": "表间同一科目", "cross.total": "表间总数", "text.item": "文表同一项目",
    "text.code": "文表同一科目", "text.code_level": "科目级次", "text.code_name": "科目名称", "text.unknown_item": "文中项目表中未列",
    "text.old_name": "旧科目名称", "text.tail": "文表末位尾差", "pct.share": "占比", "pct.tail": "占比末位尾差",
    "pct.levels": "各级占比", "pct.growth": "增减幅度", "pct.growth_tail": "增减幅度末位尾差", "pct.completion": "完成率",
    "pct.zero_base": "上年为零的增幅", "dir.words": "增减表述", "dir.levels": "各级增减方向", "dir.compare": "增减对比",
    "repeat.text": "重复表述", "perf.indicator": "绩效指标", "perf.fund": "绩效资金", "perf.cost_cap": "成本上限",
    "perf.source": "资金来源", "perf.overall": "整体绩效", "perf.overall_sum": "整体绩效之和", "year.other": "年度不符",
    "year.compare": "比较年度", "year.as_of": "时点年度", "year.period": "期间年度", "year.title": "标题年度",
    "scope.dept_in_unit": "部门与单位口径", "name.heading": "标题名称", "name.variant": "名称不一致",
    "form.missing_table": "缺少表格", "form.toc_missing": "目录缺项", "form.empty_but_stated": "空表却有说明",
    "form.empty_note": "空表说明", "form.empty_slot": "留空", "form.semicolon_end": "句末分号", "form.empty_table": "空表",
    "form.placeholder": "占位符残留", "form.alternatives": "选项未删", "form.missing_amount": "缺少金额",
    "form.brackets": "括号不配对", "form.double_punct": "重复标点", "form.percent_sign": "百分号", "form.sentence_end": "句末标点",
    "form.number_prefix": "序号",
}
