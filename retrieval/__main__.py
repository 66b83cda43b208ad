"""python -m retrieval ask "问题" [--json] [--store DIR] | batch QUESTIONS.jsonl [--store DIR] | audit ..."""
from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "audit":
        from audit.cli import audit_main
        return audit_main(argv[1:])
    p = argparse.ArgumentParser(prog="python -m retrieval", description="预算公开问答 / budget Q&A")
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ask", help="ask one question")
    a.add_argument("question")
    a.add_argument("--json", action="store_true")
    a.add_argument("--store")
    a.add_argument("--doc")
    b = sub.add_parser("batch", help="answer a JSONL file of questions (id, question)")
    b.add_argument("questions")
    b.add_argument("--store")
    args = p.parse_args(argv)
    from config import load_settings
    from retrieval.engine import get_engine
    settings = load_settings().with_store(args.store)
    engine = get_engine(settings)
    if args.cmd == "ask":
        ans = engine.ask(args.question, doc=args.doc)
        if args.json:
            print(json.dumps(ans.to_json(), ensure_ascii=False))
        else:
            print(ans.answer)
            if ans.note:
                print(ans.note)
            for i, c in enumerate(ans.citations, 1):
                where = c.table or c.section or ""
                page = f" 第{c.page}页" if c.page else ""
                print(f"  [{i}] {c.doc} · {where}{page} · {c.text[:120]}")
        return 0 if ans.answerable else 1
    with open(args.questions, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                ans = engine.ask(item["question"])
                print(json.dumps(ans.to_json(item.get("id")), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
