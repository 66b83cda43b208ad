"""Bounded waits for the stores: a file lock that gives up, and a watchdog for calls to a server.

A frozen server (SIGSTOP, a hung host) still accepts TCP and never answers, so neither a connect
timeout nor keepalives end a call to it. The watchdog ends it: when a call outlives its deadline it
runs the call's `on_expire` (for PostgreSQL: shut the connection's socket), the blocked call fails at
once, and the thread that made it is free again.
"""
from __future__ import annotations

import errno
import fcntl
import heapq
import itertools
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


class LockTimeout(Exception):
    """Another process held the lock for longer than the wait allowed."""


class FileLock:
    """flock(2) on one file: shared or exclusive, between processes and between threads of one process
    (each acquisition opens its own file description). Waits poll, so every wait has a bound."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def shared(self, timeout: float) -> Iterator[None]:
        with self._held(fcntl.LOCK_SH, timeout):
            yield

    @contextmanager
    def exclusive(self, timeout: float) -> Iterator[None]:
        with self._held(fcntl.LOCK_EX, timeout):
            yield

    @contextmanager
    def _held(self, mode: int, timeout: float) -> Iterator[None]:
        fd = self._open()
        if fd is None:              # a read-only folder without the lock file: nobody can change it
            yield
            return
        try:
            _acquire(fd, mode, timeout, self.path)
            yield
        finally:
            os.close(fd)            # closing the description releases the lock

    def _open(self) -> int | None:
        """The lock file, opened for writing where it can be, else for reading (flock needs no more)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC):
                raise
        try:
            return os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None


def _acquire(fd: int, mode: int, timeout: float, path: Path) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            raise LockTimeout(f"{path.name} held by another process for over {timeout:g} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


class Watchdog:
    """One daemon thread running the `on_expire` of calls that outlive their deadline."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._live: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextmanager
    def deadline(self, seconds: float, on_expire: Callable[[], None]) -> Iterator[Callable[[], bool]]:
        """Within the block, `on_expire` runs once if `seconds` pass first; yields `expired()`."""
        token = next(self._ids)
        fired = threading.Event()

        def expire() -> None:
            fired.set()
            on_expire()
        with self._cond:
            self._start()
            self._live.add(token)
            heapq.heappush(self._heap, (time.monotonic() + seconds, token, expire))
            self._cond.notify()
        try:
            yield fired.is_set
        finally:
            with self._cond:
                self._live.discard(token)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="store-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                when, token, expire = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                due = token in self._live
                self._live.discard(token)
            if due:
                try:
                    expire()
                except OSError:
                    pass


WATCHDOG = Watchdog()


class BreakerOpen(Exception):
    """A store call refused at once: the last one timed out and the store has not answered since."""


class Breaker:
    """After a call timed out, calls fail at once (BreakerOpen) instead of each waiting out its own
    timeout; after `cooldown` seconds one call is let through to try again, and its success closes it.
    So a frozen server answers every request with 503 within about one timeout."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self._until = 0.0
        self._tripped = self._probing = False
        self._lock = threading.Lock()

    @contextmanager
    def guard(self, is_timeout: Callable[[BaseException], bool]) -> Iterator[None]:
        probe = self._enter()
        try:
            yield
        except BaseException as e:
            if is_timeout(e):
                self._trip()
            raise
        else:
            if probe or self._tripped:
                with self._lock:
                    self._tripped = False
        finally:
            if probe:
                with self._lock:
                    self._probing = False

    def _enter(self) -> bool:
        with self._lock:
            if not self._tripped:
                return False
            if time.monotonic() < self._until or self._probing:
                raise BreakerOpen("the store did not answer in time; waiting before trying again")
            self._probing = True
            return True

    def _trip(self) -> None:
        with self._lock:
            self._tripped, self._until = True, time.monotonic() + self.cooldown
