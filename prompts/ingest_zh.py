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
}


def reason(key: str, **slots) -> tuple[str, str]:
    zh, en = REASONS[key]
    return zh.format(**slots), en.format(**slots)
