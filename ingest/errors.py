"""One clear line per bad input, in Chinese and English."""
from __future__ import annotations


class IngestError(Exception):
    def __init__(self, reason_zh: str, reason_en: str):
        super().__init__(reason_zh, reason_en)      # args kept as given, so a worker process can pickle it
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def __str__(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"


class NotADisclosure(IngestError):
    """A file that is no disclosure at all (a README, a spreadsheet, an image): skipped with its line."""
