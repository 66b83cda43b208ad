"""python bench/load_test.py [--clients 50] [--requests 1000] [--seconds 120] [--store DIR] [--uvicorn-workers 1]
                          [--servers]

Starts `uvicorn api:app` on 127.0.0.1 (a free port; loopback only) against STORE (the bundled sample
when empty; PostgreSQL / a Chroma server when BUDGETQA_DATABASE_URL / BUDGETQA_CHROMA_HOST are set),
then runs N concurrent clients against POST /api/ask until the request count or the time is reached,
and prints errors, p50/p95/max latency and throughput. The API's per-client rate limit is turned off
for the run (all clients share one address). --url targets an API already running on loopback.
--servers starts a throwaway PostgreSQL and `chroma run` on loopback (bench/servers.py), ingests the
sample into them once, and runs the uvicorn workers as replicas against them.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, SHARED, machine, percentile, read_jsonl  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FALLBACK = ("住房保障支出是多少？", "办公费预算是多少", "哪个项目的预算最多？", "三公经费预算是多少？",
            "基本支出占总支出的比例是多少", "本部门的主要职责是什么")


def start_servers(store: Path) -> tuple[list, dict]:
    """PostgreSQL + Chroma on loopback with the sample ingested; returns (servers, env for the API)."""
    from bench.servers import ChromaServer, PostgresServer, chroma_bin, postgres_bin
    servers = []
    try:
        servers.append(PostgresServer(postgres_bin()).start())
        servers.append(ChromaServer(chroma_bin()).start())
        env = {"BUDGETQA_DATABASE_URL": servers[0].url, "BUDGETQA_CHROMA_HOST": "127.0.0.1",
               "BUDGETQA_CHROMA_PORT": str(servers[1].port), "BUDGETQA_LOAD_SAMPLE": "0"}
        subprocess.run([sys.executable, "-m", "corpus", str(ROOT / "data" / "sample"), "--store", str(store)],
                       cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
    except BaseException:
        for server in servers:
            server.close()
        raise
    return servers, env


def start_api(store: Path, workers: int, extra_env: dict) -> tuple[subprocess.Popen, str, Path]:
    from bench.servers import free_port, wait_for
    port = free_port()
    env = {**os.environ, "BUDGETQA_STORE": str(store), "BUDGETQA_RATE_LIMIT": "0", **extra_env}
    fd, name = tempfile.mkstemp(prefix="budgetqa-uvicorn-", suffix=".log")
    os.close(fd)
    log = Path(name)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api:app", "--host", "127.0.0.1", "--port",
                                 str(port), "--workers", str(workers), "--log-level", "warning"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(url, proc), 600, "uvicorn api:app", log)
    except BaseException:
        stop_api(proc)
        raise
    return proc, url, log


def healthy(url: str, proc: subprocess.Popen) -> bool:
    import httpx
    if proc.poll() is not None:
        raise RuntimeError(f"uvicorn exited with {proc.returncode}")
    try:
        return httpx.get(f"{url}/api/health", timeout=30).status_code == 200
    except httpx.HTTPError:
        return False


def stop_api(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def run_clients(url: str, questions: list[str], clients: int, requests: int, seconds: float) -> dict:
    import httpx
    feed = itertools.cycle(questions)
    sent = itertools.count()
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()

    async def client(http: httpx.AsyncClient) -> None:
        while next(sent) < requests and time.monotonic() < deadline:
            t = time.perf_counter()
            try:
                r = await http.post(f"{url}/api/ask", json={"question": next(feed)})
                outcomes[str(r.status_code)] += 1
            except httpx.HTTPError as e:
                outcomes[type(e).__name__] += 1
            latencies.append((time.perf_counter() - t) * 1000)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    start = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return {"seconds": time.perf_counter() - start, "latencies": latencies, "outcomes": outcomes}


def load_questions(path: Path | None) -> list[str]:
    for candidate in (path, SHARED / "eval" / "seed_dev.jsonl"):
        if candidate and candidate.exists():
            return [q["question"] for q in read_jsonl(candidate)]
    return list(FALLBACK)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int, default=1000, help="stop after this many requests in all")
    p.add_argument("--seconds", type=float, default=120, help="or after this long")
    p.add_argument("--store", type=Path, help="store folder (default: a temp folder with the sample)")
    p.add_argument("--questions", type=Path, help="JSONL with `question` (default: ../shared/eval/seed_dev.jsonl)")
    p.add_argument("--uvicorn-workers", type=int, default=1)
    p.add_argument("--url", help="an API already running on loopback, e.g. http://127.0.0.1:8000")
    p.add_argument("--servers", action="store_true", help="PostgreSQL + Chroma server on loopback, workers as replicas")
    args = p.parse_args(argv)
    if args.url and urlparse(args.url).hostname not in LOOPBACK:
        p.error("--url must be a loopback address")
    questions = load_questions(args.questions)
    proc, servers, log = None, [], None
    tmp = tempfile.TemporaryDirectory(prefix="budgetqa-load-") if not (args.store or args.url) else None
    try:
        t = time.perf_counter()
        if args.url:
            url = args.url.rstrip("/")
        else:
            store = args.store or Path(tmp.name)
            servers, env = start_servers(store) if args.servers else ([], {})
            proc, url, log = start_api(store, args.uvicorn_workers, env)
            where = "PostgreSQL + Chroma server" if servers else "embedded store"
            print(f"uvicorn api:app on {url} ({args.uvicorn_workers} worker(s), {where}), ready in "
                  f"{time.perf_counter() - t:.1f} s")
        result = asyncio.run(run_clients(url, questions, args.clients, args.requests, args.seconds))
    finally:
        if proc:
            stop_api(proc)
        if log:
            log.unlink(missing_ok=True)
        for server in servers:
            server.close()
        if tmp:
            tmp.cleanup()
    lat, outcomes = result["latencies"], result["outcomes"]
    errors = {k: v for k, v in outcomes.items() if k != "200"}
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"{args.clients} clients, {len(lat)} requests in {result['seconds']:.1f} s = "
          f"{len(lat) / result['seconds']:.1f} req/s; errors: {errors or 'none'}")
    print(f"latency p50 {percentile(lat, 50):.0f} ms, p95 {percentile(lat, 95):.0f} ms, max {max(lat):.0f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
