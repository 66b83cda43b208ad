"""Write the widget's bundled strings (prompts/ui_zh.py WIDGET and SUGGESTIONS, as GET /api/ui serves them)
into embed.js, so a portal whose origin the API refuses still shows the welcome and suggestions.

    python widget/bundle.py          # rewrite the BUNDLED line of widget/embed.js
    python widget/bundle.py --check  # exit 1 when embed.js is out of date
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

EMBED = Path(__file__).resolve().parent / "embed.js"
LINE = re.compile(r"^  var BUNDLED = .*;$", re.M)


def ui_payload() -> dict:
    """What GET /api/ui answers (api.py builds the same from the same data)."""
    from api import MAX_QUESTION
    from prompts.ui_zh import SUGGESTIONS, WIDGET
    return {"widget": WIDGET, "suggestions": list(SUGGESTIONS), "max_question": MAX_QUESTION}


def bundled_line(payload: dict) -> str:
    return "  var BUNDLED = " + json.dumps(payload, ensure_ascii=False, sort_keys=True).replace("</", "<\\/") + ";"


def embed_bundle(source: str) -> dict:
    """The payload embed.js carries."""
    line = LINE.search(source)
    return json.loads(line.group()[len("  var BUNDLED = "):-1]) if line else {}


def main(argv: list[str]) -> int:
    source = EMBED.read_text(encoding="utf-8")
    updated = LINE.sub(lambda _m: bundled_line(ui_payload()), source, count=1)
    if "--check" in argv:
        return 0 if updated == source else 1
    EMBED.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(EMBED.parent.parent))
    sys.exit(main(sys.argv[1:]))
