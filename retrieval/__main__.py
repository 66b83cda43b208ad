"""python -m retrieval ask "QUESTION" [--json] [--store DIR] | explain "QUESTION" | batch QUESTIONS.jsonl [--store DIR] | audit ..."""
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
    x = sub.add_parser("explain", help="why: the query as read, each document's candidates, scores and coverage")
    x.add_argument("question")
    x.add_argument("--store")
    x.add_argument("--doc")
    b = sub.add_parser("batch", help="answer a JSONL file of questions (id, question)")
    b.add_argument("questions")
    b.add_argument("--store")
    args = p.parse_args(argv)
    from config import load_settings
    from stores import StoreMissing, open_error_line
    from stores.facts import StoreUnavailable
    from stores.vectors import VectorUnavailable
    settings = load_settings().with_store(args.store)
    try:
        engine = open_engine(settings, explicit=args.store is not None)
        if args.cmd == "explain":
            print("\n".join(x.text() for x in engine.explain(args.question, doc=args.doc)))
            return 0
        return ask(engine, args) if args.cmd == "ask" else batch(engine, args.questions)
    except (StoreMissing, StoreUnavailable, VectorUnavailable, OSError) as e:
        print(open_error_line(e, settings.store_dir), file=sys.stderr)
        return 1


def open_engine(settings, explicit: bool):
    """The engine on the store; a store named with --store must exist (a misspelt one is not created,
    and no sample is loaded into it)."""
    from retrieval.engine import get_engine
    from stores import check_exists
    if explicit:
        check_exists(settings)
    return get_engine(settings)


def ask(engine, args) -> int:
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


def batch(engine, questions: str) -> int:
    with open(questions, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                ans = engine.ask(item["question"])
                print(json.dumps(ans.to_json(item.get("id")), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
