"""The lines ingest and the command lines print about files and stores, Chinese / English.

Plain data. `{name}` slots are filled with `str.format`.
"""
from __future__ import annotations

INGEST = {
    "not_found": "文件不存在 / file not found",
    "unchanged": "未变化 unchanged",
    "same_content": "与已导入的 {name} 内容相同，未重复导入 / the same content is already stored as {name}",
    "template": "这是空白的决算/预算表样（模板），不是公开文件，未导入 / a blank form (template), not a disclosure: not ingested",
    "write_failed": "写入存储失败（{reason}），文件未导入 / could not write the store: {reason}",
    "disk_full": "磁盘已满，文件未导入 / the disk is full: file not ingested",
    "store_down": "存储不可用，文件未导入 / store unavailable: {detail}",
    "parse_failed": "无法解析该文件（{kind}） / could not parse the file ({kind}: {detail})",
    "child_died": "导入进程意外退出，文件未导入 / the ingest process died: file not ingested",
}

CLI = {
    "ok": "成功 OK {file}: {doc} facts={facts} chunks={chunks}",
    "stored_as": "，保存为 stored as {name}",
    "replaced": "，替换了旧版本 replaced its old version",
    "joined": "，并入了 joined {names}",
    "skipped": "跳过 skipped {file}: {why}",
    "failed": "失败 FAILED {file}: {error}",
    "removed": "已删除 removed: {names}",
    "removed_none": "（无匹配 nothing matched）",
    "store_down": "失败 FAILED: 存储不可用，未导入任何文件 / store unavailable, nothing ingested: {detail}",
    "disk_full": "失败 FAILED: 磁盘已满，未导入任何文件 / the disk is full, nothing ingested",
    "cannot_write": "失败 FAILED: 无法写入存储目录（{reason}）/ cannot write the store: {detail}",
    "no_store": "失败 FAILED: 找不到存储 {path}（其中没有 facts.sqlite3；请检查 --store）/ no store at {path}",
    "cannot_open": "失败 FAILED: 无法打开存储 {path}（{detail}）/ cannot open the store",
}

UPLOAD = {
    "stored_as": "（已有同名文件，本文件保存为“{name}”）",
    "replaced": "（替换了同名文件的旧版本）",
}
