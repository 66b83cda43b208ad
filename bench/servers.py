"""Real PostgreSQL and Chroma servers on free loopback ports in temp folders, started and stopped here.

Used by the benchmarks and, through the fixtures in tests/servers.py, by the server and fault tests.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class ServerError(RuntimeError):
    """A server that is installed did not start or stop."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise ServerError(f"{what} not ready after {seconds:.0f} s\n{tail}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def children_of(pid: int) -> list[int]:
    """Direct children of a process, from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


# ---------------------------------------------------------------- PostgreSQL
def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


class PostgresServer:
    """initdb in a temp folder, `postgres` on 127.0.0.1:<free port>, trust auth for user `budgetqa`.

    As root the server runs as the `postgres` user (initdb refuses root)."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="budgetqa-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = free_port()
        self._as = []
        if os.geteuid() == 0:     # initdb refuses root: run the server as `postgres`
            try:
                shutil.chown(self.dir, "postgres")
            except LookupError:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise ServerError("running as root needs a `postgres` user to run PostgreSQL as") from None
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> None:
        proc = subprocess.run(self._as + [str(self.bin / args[0]), *args[1:]], capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            raise ServerError(f"{args[0]} failed ({proc.returncode}): {proc.stderr[-1500:] or proc.stdout[-1500:]}")

    def start(self) -> "PostgresServer":
        first = not self.data.exists()
        if first:
            self._run("initdb", "-D", str(self.data), "-U", "budgetqa", "--auth=trust", "-E", "UTF8",
                      "--locale=C", "-N")
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off")   # commits stay synchronous: a crash test must lose nothing committed
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", opts, "start")
        if first:
            self.create_database("budgetqa")
        return self

    def stop(self, mode: str = "fast") -> None:
        """mode `immediate` is a crash (no checkpoint); `fast` a clean shutdown."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def pids(self) -> list[int]:
        """The postmaster and its children (one backend per connection), of this server only."""
        try:
            main = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [main, *children_of(main)]

    def freeze(self) -> None:
        """SIGSTOP every process of the server: it accepts TCP and never answers (a hung host)."""
        for pid in reversed(self.pids()):
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.pids():
            os.kill(pid, signal.SIGCONT)

    def create_database(self, name: str) -> str:
        import psycopg
        with psycopg.connect(self.url_for("postgres"), autocommit=True, connect_timeout=5) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def url_for(self, database: str) -> str:
        return f"postgresql://budgetqa@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_for("budgetqa")

    def close(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- Chroma
def chroma_bin() -> str | None:
    return shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")


class ChromaServer:
    """`chroma run --path <temp> --host 127.0.0.1 --port <free port>` in its own process group."""

    def __init__(self, binary: str):
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="budgetqa-chroma-"))
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> "ChromaServer":
        import httpx
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([self.binary, "run", "--path", str(self.dir / "data"), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise ServerError(f"chroma run exited with {self.proc.returncode}:\n"
                                  f"{self.log.read_text(errors='replace')[-2000:]}")
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False
        wait_for(ready, 60, "chroma run", self.log)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGKILL is a crash; SIGTERM a clean shutdown. Signals only the group this object started."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        wait_for(lambda: not port_open(self.port), 15, "chroma port release")

    def freeze(self) -> None:
        """SIGSTOP the server's process group: it accepts TCP and never answers (a hung host)."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def clear(self) -> None:
        """Drop every collection, so a test starts from an empty server."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        client = chromadb.HttpClient(host="127.0.0.1", port=self.port,
                                     settings=ChromaSettings(anonymized_telemetry=False))
        for c in client.list_collections():
            client.delete_collection(c.name if hasattr(c, "name") else c)

    def close(self) -> None:
        try:
            self.stop(signal.SIGKILL)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- the API itself
class ApiServer:
    """`uvicorn api:app` on a free loopback port in its own process group, with the given environment;
    its log goes to a temp file (`log_text()`), its resident memory is `rss_mb()`."""

    def __init__(self, env: dict[str, str], workers: int = 1, cwd: Path | None = None, log_level: str = "warning",
                 http: str = "auto"):
        self.env, self.workers, self.log_level, self.http = env, workers, log_level, http
        self.cwd = cwd or Path(__file__).resolve().parent.parent
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="budgetqa-uvicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    def start(self, ready_seconds: float = 600) -> "ApiServer":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api:app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers), "--log-level", self.log_level, "--http", self.http],
                cwd=self.cwd, env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.healthy, ready_seconds, "uvicorn api:app", self.log)
        return self

    def healthy(self) -> bool:
        import httpx
        if self.proc.poll() is not None:
            raise ServerError(f"uvicorn exited with {self.proc.returncode}:\n{self.log_text()[-2000:]}")
        try:
            return httpx.get(f"{self.url}/api/health", timeout=30).status_code == 200
        except httpx.HTTPError:
            return False

    def pids(self) -> list[int]:
        """The server and its worker processes."""
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()] or [self.proc.pid]

    def rss_mb(self) -> float:
        """Resident memory of the server's processes together, in MB."""
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += int(status.split("VmRSS:")[1].split()[0])
        return total / 1024

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time (user + system) used so far by each of the server's processes."""
        out = {}
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        return out

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self.log.unlink(missing_ok=True)
