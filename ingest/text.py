"""Plain-text disclosures (tables as tab-separated rows, as copied from a PDF) -> blocks."""
from __future__ import annotations

from schema import Block, Grid, Line


def _row(line: str) -> tuple[str, ...]:
    return tuple(" ".join(c.split()) for c in line.rstrip("\n").split("\t"))


def _pad(rows: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    width = max(len(r) for r in rows)
    return tuple(r + ("",) * (width - len(r)) for r in rows)


def text_to_blocks(text: str) -> list[Block]:
    """Runs of lines holding a tab become one Grid (blank lines inside a run are page breaks)."""
    blocks: list[Block] = []
    run: list[tuple[str, ...]] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "\t" in raw and raw.strip():
            run.append(_row(raw))
            continue
        if not raw.strip():
            continue
        if run:
            blocks.append(Grid(rows=_pad(run)))
            run = []
        blocks.append(Line(text=raw.strip()))
    if run:
        blocks.append(Grid(rows=_pad(run)))
    return blocks
