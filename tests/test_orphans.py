"""A killed ingest leaves no process behind: its parse workers end with it (corpus/lifeline.py), whatever
moment the SIGKILL hits, and so do the ingest child of a serving process and its workers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REAL, ROOT, need_shared

FILES = ("jiangsu-jianchayuan-2019-dept-budget.pdf", "jiangsu-jianchayuan-2018-dept-budget.pdf",
         "jiangsu-zhengxie-2019-dept-budget.pdf", "jiangsu-zhengxie-2018-dept-budget.pdf",
         "jiangsu-gaoyuan-2019-dept-budget.pdf", "jiangsu-gaoyuan-2018-dept-budget.pdf")


def stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")       # a zombie has ended


def descendants(pid: int) -> set[int]:
    """Every living process below `pid`, from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = stat_fields(int(stat.parent.name))
        if fields:
            parents[int(stat.parent.name)] = int(fields[1])
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, parent in parents.items() if parent == p}
        out |= kids
        todo += kids
    return {p for p in out if alive(p)}


def in_session(sid: int) -> set[int]:
    """Living processes of the session the run was started in (its own), wherever they were reparented."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = stat_fields(int(stat.parent.name))
        if fields and int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            out.add(int(stat.parent.name))
    return out


def wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def kill_mid_ingest(cmd: list[str], after_workers: float, count: int = 2) -> tuple[set[int], set[int]]:
    """Start `cmd` in a session of its own, SIGKILL only its first process `after_workers` seconds after
    `count` processes below it exist; (the processes seen, what of the session is alive 5 s later)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        assert wait_until(lambda: len(descendants(proc.pid)) >= count or proc.poll() is not None, 300)
        assert proc.poll() is None, "the ingest ended before its workers were seen"
        workers = descendants(proc.pid)
        time.sleep(after_workers)
        assert proc.poll() is None, "the ingest ended before it was killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        wait_until(lambda: not in_session(proc.pid), 5)
        return workers, in_session(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)         # whatever outlived it, so one failure does not leak
        except ProcessLookupError:
            pass


@pytest.mark.parametrize("after_workers", [0.0, 0.7, 2.5])
def test_a_killed_ingest_leaves_no_parse_worker_behind(tmp_path, after_workers):
    need_shared(REAL)
    files = [str(REAL / f) for f in FILES]
    cmd = [sys.executable, "-m", "corpus", *files, "--workers", "2", "--store", str(tmp_path / "store")]
    workers, left = kill_mid_ingest(cmd, after_workers)
    assert len(workers) >= 2
    assert not left, f"processes outlived the killed ingest: {sorted(left)}"


def test_a_killed_server_process_takes_its_ingest_child_and_workers_with_it(tmp_path):
    """`ingest_in_child` (the API's and the app's uploads) started from a process that is then killed."""
    need_shared(REAL)
    files = [str(REAL / f) for f in FILES[:4]]
    script = ("import sys; from pathlib import Path; from config import load_settings; "
              "from corpus.child import ingest_in_child; "
              f"s = load_settings(env={{'BUDGETQA_STORE': {str(tmp_path / 'store')!r}}}); "
              "ingest_in_child(s, [Path(p) for p in sys.argv[1:]])")
    # below it: the ingest child, its parse worker and multiprocessing's resource tracker
    workers, left = kill_mid_ingest([sys.executable, "-c", script, *files], 1.0, count=3)
    assert len(workers) >= 3
    assert not left, f"processes outlived the killed server: {sorted(left)}"
