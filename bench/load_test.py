"""python bench/load_test.py [--clients 50] [--requests 1000] [--seconds 120] [--store DIR] [--uvicorn-workers 1]
                          [--real] [--upload-pages N] [--servers] [--url URL]

Starts `uvicorn api:app` on 127.0.0.1 (a free port; loopback only) against STORE (the bundled sample
when empty; PostgreSQL / a Chroma server when BUDGETQA_DATABASE_URL / BUDGETQA_CHROMA_HOST are set),
then runs N concurrent clients against POST /api/ask until the request count or the time is reached,
and prints errors, p50/p95/max latency and throughput, with the load average before and after. The
API's per-client rate limit is turned off for the run (all clients share one address).

--real          the store holds every real PDF of ../shared/corpus/real; the questions are real_dev*.jsonl
--upload-pages  meanwhile an admin uploads a generated PDF of that many pages through POST /api/ingest;
                the answers given while it is ingested are reported on their own
--url           targets an API already running on loopback
--servers       a throwaway PostgreSQL and `chroma run` on loopback (bench/servers.py), the sample
                ingested into them, the uvicorn workers as replicas against them

The issue's figure: python bench/load_test.py --real --uvicorn-workers 2 --upload-pages 200
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, SHARED, machine, percentile, read_jsonl  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REAL = SHARED / "corpus" / "real"
TOKEN = "load-test-admin"
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
        ingest(store, [ROOT / "data" / "sample"], env)
    except BaseException:
        for server in servers:
            server.close()
        raise
    return servers, env


def ingest(store: Path, paths: list[Path], env: dict) -> None:
    """`python -m corpus` into the store (a blank template among the real PDFs is refused: not an error)."""
    out = subprocess.run([sys.executable, "-m", "corpus", *map(str, paths), "--store", str(store), "--workers", "2"],
                         cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if not any(line.startswith(("成功", "跳过")) for line in out.stdout.splitlines()):
        raise RuntimeError(f"nothing ingested:\n{out.stdout}{out.stderr}")


class Upload:
    """The admin's upload of a large PDF, in a thread; `window` is when it ran (monotonic seconds)."""

    def __init__(self, url: str, pdf: Path):
        self.url, self.pdf = url, pdf
        self.window: tuple[float, float] | None = None
        self.result = ""
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        import httpx
        start = time.monotonic()
        r = httpx.post(f"{self.url}/api/ingest", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=900,
                       files={"files": (self.pdf.name, self.pdf.read_bytes(), "application/pdf")})
        self.window = (start, time.monotonic())
        self.result = f"{r.status_code} {r.json().get('results', r.text)}"


async def ask_once(host: str, port: int, question: str) -> int:
    """One POST /api/ask on a new connection, closed after the answer, as a reverse proxy without
    upstream keep-alive sends it (so each request goes to whichever worker accepts first). A minimal
    HTTP/1.1 client: the clients' own CPU stays small beside the server's on a shared machine."""
    body = json.dumps({"question": question}, ensure_ascii=False).encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"POST /api/ask HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        reply = await reader.read()
    finally:
        writer.close()
    if not reply.startswith(b"HTTP/1.1 "):
        raise ConnectionError("no HTTP reply")
    return int(reply[9:12])


async def run_clients(url: str, questions: list[str], clients: int, requests: int, seconds: float,
                      upload: Upload | None = None, upload_after: float = 5.0) -> dict:
    where = urlparse(url)
    feed = itertools.cycle(questions)
    sent = itertools.count()
    deadline = time.monotonic() + seconds
    timings: list[tuple[float, float]] = []          # (start, milliseconds)
    outcomes: Counter[str] = Counter()

    def going() -> bool:      # the request count, and with an upload until it has finished
        more = next(sent) < requests or (upload is not None and upload.window is None)
        return more and time.monotonic() < deadline

    async def client() -> None:
        while going():
            t = time.monotonic()
            try:
                status = await asyncio.wait_for(ask_once(where.hostname, where.port, next(feed)), 120)
                outcomes[str(status)] += 1
            except (OSError, asyncio.TimeoutError) as e:
                outcomes[type(e).__name__] += 1
            timings.append((t, (time.monotonic() - t) * 1000))

    async def start_upload() -> None:
        await asyncio.sleep(upload_after)
        upload.start()

    start = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)), *([start_upload()] if upload else []))
    return {"seconds": time.monotonic() - start, "timings": timings, "outcomes": outcomes}


def load_questions(path: Path | None, real: bool) -> list[str]:
    candidates = [path] if path else []
    candidates += [SHARED / "eval" / "real_dev.jsonl", SHARED / "eval" / "real_dev2.jsonl"] if real else \
        [SHARED / "eval" / "seed_dev.jsonl"]
    found = [q["question"] for c in candidates if c and c.exists() for q in read_jsonl(c)]
    return found or list(FALLBACK)


def warm(url: str, questions: list[str], clients: int) -> None:
    """Every question once, `clients` at a time, unmeasured: both workers load their documents."""
    asyncio.run(run_clients(url, questions * 2, clients, len(questions) * 2, 600))


def report(result: dict, clients: int, upload: Upload | None) -> int:
    timings, outcomes = result["timings"], result["outcomes"]
    lat = [ms for _, ms in timings]
    errors = {k: v for k, v in outcomes.items() if k != "200"}
    print(f"machine: {machine()}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{clients} clients, {len(lat)} requests in {result['seconds']:.1f} s = "
          f"{len(lat) / result['seconds']:.1f} req/s; errors: {errors or 'none'}")
    print(f"latency p50 {percentile(lat, 50):.0f} ms, p95 {percentile(lat, 95):.0f} ms, max {max(lat):.0f} ms")
    if upload and upload.window:
        a, b = upload.window
        during = [ms for t, ms in timings if a <= t <= b]
        print(f"upload of {upload.pdf.name}: {b - a:.1f} s, {upload.result[:160]}")
        if during:
            print(f"  answers during it: {len(during)}, p95 {percentile(during, 95):.0f} ms, max {max(during):.0f} ms")
            slices = [[ms for t, ms in timings if a + i <= t < a + i + 10] for i in range(0, int(b - a) + 1, 10)]
            print("  slowest answer in each 10 s of it: " + ", ".join(f"{max(x):.0f}" for x in slices if x))
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int, default=1000, help="stop after this many requests in all")
    p.add_argument("--seconds", type=float, default=120, help="or after this long")
    p.add_argument("--store", type=Path, help="store folder (default: a temp folder with the sample)")
    p.add_argument("--questions", type=Path, help="JSONL with `question` (default: ../shared/eval/seed_dev.jsonl)")
    p.add_argument("--uvicorn-workers", type=int, default=1)
    p.add_argument("--real", action="store_true", help="every real PDF of ../shared/corpus/real in the store")
    p.add_argument("--upload-pages", type=int, default=0, help="meanwhile upload a generated PDF of N pages")
    p.add_argument("--upload-after", type=float, default=5.0, help="seconds into the run the upload starts")
    p.add_argument("--url", help="an API already running on loopback, e.g. http://127.0.0.1:8000")
    p.add_argument("--servers", action="store_true", help="PostgreSQL + Chroma server on loopback, workers as replicas")
    args = p.parse_args(argv)
    if args.url and urlparse(args.url).hostname not in LOOPBACK:
        p.error("--url must be a loopback address")
    questions = load_questions(args.questions, args.real)
    tmp = tempfile.TemporaryDirectory(prefix="budgetqa-load-")
    print(f"load average at start {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    api, servers = None, []
    try:
        if args.url:
            url = args.url.rstrip("/")
        else:
            api, servers = serve(args, Path(tmp.name))
            url = api.url
        warm(url, questions, args.clients)
        result, upload = measure(args, url, questions, api, Path(tmp.name))
    finally:
        if api:
            api.close()
        for server in servers:
            server.close()
        tmp.cleanup()
    return report(result, args.clients, upload)


def serve(args, tmp: Path):
    """The API on its store (the sample, or every real PDF; on throwaway servers with --servers)."""
    from bench.servers import ApiServer
    t = time.perf_counter()
    store = args.store or tmp / "store"
    servers, env = start_servers(store) if args.servers else ([], {})
    if args.real:
        env["BUDGETQA_LOAD_SAMPLE"] = "0"
        ingest(store, [REAL], env)
    env = {"BUDGETQA_STORE": str(store), "BUDGETQA_RATE_LIMIT": "0", "BUDGETQA_ADMIN_TOKEN": TOKEN,
           "BUDGETQA_MAX_UPLOAD_MB": "200", **env}
    api = ApiServer(env, workers=args.uvicorn_workers, log_level=os.environ.get("LOAD_TEST_LOG", "warning")).start()
    where = "PostgreSQL + Chroma server" if servers else "embedded store"
    print(f"uvicorn api:app on {api.url} ({args.uvicorn_workers} worker(s), {where}), ready in "
          f"{time.perf_counter() - t:.1f} s")
    return api, servers


def measure(args, url: str, questions: list[str], api, tmp: Path) -> tuple[dict, Upload | None]:
    """The clients' run (with the upload meanwhile when asked), and the CPU each process used."""
    upload = None
    if args.upload_pages:
        from bench.ingest_bench import write_big_pdf
        upload = Upload(url, write_big_pdf(tmp, args.upload_pages))
    cpu, mine = (api.cpu_seconds() if api else {}), time.process_time()
    result = asyncio.run(run_clients(url, questions, args.clients, args.requests, args.seconds, upload,
                                     args.upload_after))
    if upload:
        upload.join()
    if api:
        used = {pid: s - cpu.get(pid, 0) for pid, s in api.cpu_seconds().items()}
        print("CPU seconds during the run: server processes "
              + ", ".join(f"{s:.1f}" for s in sorted(used.values(), reverse=True) if s >= 0.05)
              + f"; the clients {time.process_time() - mine:.1f}")
        if any(k != "200" for k in result["outcomes"]):
            print(f"errors: the server's log ends with\n{api.log_text()[-3000:]}")
    return result, upload

if __name__ == "__main__":
    sys.exit(main())
