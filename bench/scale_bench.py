"""python bench/scale_bench.py [--n 500] [--workers 2] [--corpus DIR] [--store DIR] [--profile]

A whole city's disclosures: generates N documents (bench/make_corpus.py), ingests them with
`ingest_paths(..., workers=2)` and prints pages/s, peak memory and store size; then asks the generated
question set and prints p50/p95 latency and accuracy (figure right; strict: and the right document).

Uses BUDGETQA_DATABASE_URL / BUDGETQA_CHROMA_HOST when set, so the same run measures the servers.
Targets on a 2-core machine: ingest >= 30 pages/s, answer p50 <= 60 ms, p95 <= 500 ms, accuracy >= 95 %.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import folder_mb, judge, judge_strict, machine, peak_rss_mb, percentile, read_jsonl  # noqa: E402


def ensure_corpus(corpus: Path, n: int, seed: int, pdf_share: float) -> list[dict]:
    manifest = corpus / "corpus.jsonl"
    if manifest.exists() and len(read_jsonl(manifest)) == n:
        return read_jsonl(manifest)
    from bench.make_corpus import make_corpus
    if corpus.exists():
        shutil.rmtree(corpus)
    t = time.perf_counter()
    made, _ = make_corpus(n, corpus, seed=seed, pdf_share=pdf_share)
    print(f"generated {n} disclosures in {time.perf_counter() - t:.1f} s")
    return made


def bench_ingest(settings, corpus: Path, manifest: list[dict], workers: int) -> dict:
    from corpus.load import ingest_paths
    from stores import open_stores
    stores = open_stores(settings)
    stores.vectors.embedder.embed(["预热"])          # model load is not ingest work
    pages = {m["file"]: m["pages"] for m in manifest}
    paths = [corpus / m["file"] for m in manifest]
    t = time.perf_counter()
    results = ingest_paths(stores, paths, workers=workers)
    seconds = time.perf_counter() - t
    ok = [r for r in results if r.ok and not r.skipped]
    done_pages = sum(r.pages or pages[Path(r.file).name] for r in ok)
    failed = [r for r in results if not r.ok]
    for r in failed[:5]:
        print(f"  FAILED {Path(r.file).name}: {r.error}")
    return {"files": len(paths), "ingested": len(ok), "failed": len(failed), "pages": done_pages,
            "peak_rss_mb": round(peak_rss_mb()[0]), "worker_rss_mb": round(peak_rss_mb()[1]),
            "seconds": round(seconds, 1), "pages_per_s": round(done_pages / seconds, 1),
            "facts": sum(r.facts for r in ok), "chunks": sum(r.chunks for r in ok),
            "by_format": dict(Counter(Path(r.file).suffix for r in ok))}


def bench_answers(settings, questions: list[dict], profile: bool = False) -> dict:
    from retrieval.engine import Engine
    t = time.perf_counter()
    engine = Engine(settings)
    engine.documents()                               # loads facts, chunks and the BM25 index once
    cold = time.perf_counter() - t
    profiler = _profiler() if profile else None
    times, right, strict, wrong = [], Counter(), Counter(), []
    kinds = Counter(q["kind"] for q in questions)
    for q in questions:
        t = time.perf_counter()
        a = engine.ask(q["question"]).to_json(q["id"])
        times.append((time.perf_counter() - t) * 1000)
        right[q["kind"]] += judge(q, a)
        ok = judge_strict(q, a)
        strict[q["kind"]] += ok
        if not ok:
            wrong.append((q, a))
    if profiler:
        _print_profile(profiler)
    n = len(questions)
    return {"questions": n, "cold_load_s": round(cold, 1), "peak_rss_mb": round(peak_rss_mb()[0]),
            "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1), "accuracy": round(100 * sum(right.values()) / n, 1),
            "accuracy_strict": round(100 * sum(strict.values()) / n, 1),
            "by_kind": {k: f"{strict[k]}/{right[k]}/{kinds[k]}" for k in sorted(kinds)}, "wrong": wrong}


def _profiler():
    try:
        from pyinstrument import Profiler
        p = Profiler()
    except ImportError:
        import cProfile
        p = cProfile.Profile()
        p.enable()
        return p
    p.start()
    return p


def _print_profile(p) -> None:
    if hasattr(p, "output_text"):
        p.stop()
        print(p.output_text(unicode=True, color=False, show_all=False)[:12000])
        return
    import pstats
    p.disable()
    pstats.Stats(p).sort_stats("cumulative").print_stats(30)


def report(args, ingest: dict | None, answers: dict, store: Path, settings) -> None:
    where = ("PostgreSQL" if settings.database_url else "SQLite") + " + " + (
        f"Chroma server {settings.chroma_host}" if settings.chroma_host else "embedded Chroma")
    print(f"\nmachine: {machine()}; load average now {os.getloadavg()[0]:.1f}; stores: {where}")
    if ingest:
        print(f"ingest: {ingest['ingested']}/{ingest['files']} files {ingest['by_format']}, {ingest['pages']} pages in "
              f"{ingest['seconds']} s with {args.workers} workers = {ingest['pages_per_s']} pages/s (target >= 30); "
              f"{ingest['facts']} facts, {ingest['chunks']} chunks; failed {ingest['failed']}")
        print(f"ingest peak memory: main process {ingest['peak_rss_mb']} MB, largest worker {ingest['worker_rss_mb']} MB")
    print(f"store on disk: {folder_mb(store):.1f} MB in {store}")
    print(f"answers: {answers['questions']} questions, cold load {answers['cold_load_s']} s, "
          f"p50 {answers['p50_ms']} ms (target <= 60), p95 {answers['p95_ms']} ms (target <= 500), "
          f"max {answers['max_ms']} ms; peak memory with the engine loaded {answers['peak_rss_mb']} MB")
    print(f"accuracy: {answers['accuracy']} % (figure right), {answers['accuracy_strict']} % strict "
          f"(figure right and the asked document first); target >= 95 %")
    print("by kind (strict/figure/total): " + ", ".join(f"{k} {v}" for k, v in answers["by_kind"].items()))
    for q, a in answers["wrong"][:args.show_wrong]:
        print(f"  WRONG {q['id']} {q['question']} expected {q['answer_value']} ({q['doc']}); "
              f"got {a['value']} docs={a['docs'][:2]} :: {a['answer'][:100]}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pdf-share", type=float, default=0.3)
    p.add_argument("--corpus", type=Path, default=None, help="default: /tmp/budgetqa-corpus-N")
    p.add_argument("--store", type=Path, default=None, help="emptied first and kept; default: a temp folder, removed")
    p.add_argument("--answers-only", action="store_true", help="keep --store as it is: skip the ingest")
    p.add_argument("--questions", type=int, default=0, help="ask only the first K questions (0: all)")
    p.add_argument("--profile", action="store_true", help="profile the answer loop (pyinstrument or cProfile)")
    p.add_argument("--show-wrong", type=int, default=15)
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--servers", action="store_true",
                   help="throwaway PostgreSQL + `chroma run` on loopback (bench/servers.py) instead of the embedded store")
    args = p.parse_args(argv)
    from config import load_settings
    corpus = args.corpus or Path(f"/tmp/budgetqa-corpus-{args.n}")
    manifest = ensure_corpus(corpus, args.n, args.seed, args.pdf_share)
    store = args.store or Path(tempfile.mkdtemp(prefix="budgetqa-scale-"))
    if args.answers_only and not args.store:
        p.error("--answers-only needs --store")
    if not args.answers_only:
        shutil.rmtree(store, ignore_errors=True)
    servers = []
    settings = load_settings(store_dir=store, load_sample=False)
    if args.servers:
        from bench.servers import ChromaServer, PostgresServer, chroma_bin, postgres_bin
        servers = [PostgresServer(postgres_bin()).start(), ChromaServer(chroma_bin()).start()]
        settings = load_settings(store_dir=store, load_sample=False, database_url=servers[0].url,
                                 chroma_host="127.0.0.1", chroma_port=servers[1].port)
    try:
        _run(args, settings, corpus, manifest, store)
    finally:
        for server in servers:
            server.close()
    if args.store is None:
        shutil.rmtree(store, ignore_errors=True)     # a temp store is only for this run
    return 0


def _run(args, settings, corpus: Path, manifest: list[dict], store: Path) -> None:
    ingest = None if args.answers_only else bench_ingest(settings, corpus, manifest, args.workers)
    questions = read_jsonl(corpus / "questions.jsonl")
    questions = questions[:args.questions] if args.questions else questions
    answers = bench_answers(settings, questions, args.profile)
    report(args, ingest, answers, store, settings)
    if args.json:
        out = {"machine": machine(), "ingest": ingest, "store_mb": round(folder_mb(store), 1),
               **{k: v for k, v in answers.items() if k != "wrong"}}
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
