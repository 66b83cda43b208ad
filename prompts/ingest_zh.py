"""Every line ingest says about a file it cannot read, in Chinese and English (zh, en). `{name}` slots are
filled with str.format. Plain data."""
from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "encrypted": ("PDF 已加密（需要密码），请提供未加密的文件", "the PDF is encrypted (password protected)"),
    "corrupt": ("PDF 文件已损坏或无法解析", "the PDF is corrupt or unreadable"),
    "empty": ("文件为空", "the file is empty"),
    "scanned": ("PDF 没有文字层（扫描件或图片），暂不支持 OCR 识别",
                "the PDF has no text layer (scanned images): OCR is not supported"),
    "no_unicode": ("PDF 字体没有文字编码，无法提取文字", "the PDF's fonts carry no text mapping: text cannot be extracted"),
    "too_many_pages": ("PDF 页数超过上限（{limit} 页），请拆分后上传", "the PDF has more than {limit} pages: split it"),
    "unreadable": ("无法读取文件（{reason}）", "cannot read the file ({reason})"),
    "page_range": ("页码超出范围（共 {pages} 页）", "page {page} out of range (1-{pages})"),
    "file_type": ("不支持的文件类型（仅支持 PDF 和文本）", "unsupported file type (PDF or text only)"),
    "encoding": ("无法识别的文本编码", "unreadable text encoding"),
    "not_disclosure": ("未识别到预算/决算公开的表格或数字，不像是预算公开文件",
                       "no budget tables or figures found: not a budget disclosure"),
    "too_large": ("文件过大", "file too large"),
    "not_a_disclosure_file": ("不是 PDF 或文本格式的预算公开文件（{what}），未导入",
                              "not a PDF or text disclosure ({what_en}): not ingested"),
    "what_spreadsheet": ("电子表格", "a spreadsheet"),
    "what_image": ("图片", "an image"),
    "what_word": ("Word 文档，请另存为 PDF", "a Word document: save it as PDF"),
    "what_archive": ("压缩包，请解压后导入其中的 PDF", "an archive: unpack it first"),
    "what_notes": ("说明文档，如 README 或 SOURCES.md", "a README or notes file"),
    "what_other": ("无法识别的文件类型", "an unknown file type"),
}


def reason(key: str, **slots) -> tuple[str, str]:
    zh, en = REASONS[key]
    return zh.format(**slots), en.format(**slots)


# What `python -m corpus` says about the files it kept, joined, re-read and the run as a whole.
SAY: dict[str, str] = {
    "ok": "成功 OK {file}：{doc}，{facts} 个数字，{chunks} 段文字",
    "pages": "，{pages} 页",
    "unconfirmed": "；单位待确认：文件中未印出单位名称，暂按文件名“{name}”保存，请工作人员核对"
                   "（python -m corpus 文件 --as 单位,年度,部门预算）",
    "reread": "，已用新版解析器重新读取",
    "corrected_line": "，已按工作人员更正的单位、年度和类别保存（以后重新导入仍按此保存）",
    "corrected_count": "；更正 {n} 份",
    "joined_into": "；与 {doc} 是同一份公开（{why}），两个文件合为一份文档",
    "joined_from": "；{doc} 并入本文档（{why}），两个文件合为一份文档",
    "together": "；与 {files} 同属一份公开（同一单位、同一年度），合为一份文档",
    "summary": "共 {files} 个文件：新增 {new} 份，替换 {replaced} 份，合并 {joined} 组，重新读取 {reread} 份，"
               "跳过 {skipped} 个，失败 {failed} 个",
    "summary_reasons": "（{reasons}）",
    "review_count": "；{n} 份单位待确认",
    "as_format": "--as 的格式应为“单位,年度,类别”，如“某某大学,2023,部门预算”（类别：部门预算、单位预算、部门决算、"
                 "单位决算），收到：{spec}",
    "as_needs_one_file": "--as 只能用于一个文件",
    "corrected": "单位：{body}，年度：{year}，类别：{kind}（工作人员更正）",
    "stale": "提示：存储中有 {n} 个文件由旧版解析器读取，运行 python -m corpus --reread 可重新读取 / "
             "{n} stored files were read by an older parser: run python -m corpus --reread",
    "reread_none": "没有需要重新读取的文件（都由当前版本 {version} 读取）",
    "reread_changed": "变化：{file}：{what}",
    "reread_identity": "文档由 {before} 改为 {after}",
    "reread_figures": "{n} 个数字不同",
    "reread_same": "重新读取 {n} 个文件，文档与数字都没有变化",
}
