"""pytest fixtures for real PostgreSQL and Chroma servers (bench/servers.py starts and stops them).

Under CI=true a missing binary fails the test; locally it skips with the reason. A server that is
installed but does not start always fails: that is a bug, not a missing tool.
"""
from __future__ import annotations

import time

import pytest

from bench.servers import ChromaServer, PostgresServer, chroma_bin, port_open, postgres_bin
from tests.conftest import skip_or_fail


def need_binary(found, what: str, install: str):
    if found:
        return found
    skip_or_fail(f"{what} not installed ({install})")


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL for the session; tests that stop it start it again before they end."""
    bin_dir = need_binary(postgres_bin(), "PostgreSQL", "apt-get install postgresql")
    server = PostgresServer(bin_dir)
    try:
        yield server.start()
    finally:
        server.close()


@pytest.fixture(scope="session")
def chroma_server():
    server = ChromaServer(need_binary(chroma_bin(), "chroma CLI", "pip install chromadb"))
    try:
        yield server.start()
    finally:
        server.close()


@pytest.fixture
def pg_url(postgres_server, request) -> str:
    """A fresh database on the session server for this test."""
    if not port_open(postgres_server.port):
        postgres_server.start()
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    return postgres_server.create_database(f"{name}_{time.monotonic_ns() % 10**8}")


@pytest.fixture
def chroma(chroma_server) -> ChromaServer:
    """The session Chroma server, running and empty."""
    if chroma_server.proc is None or chroma_server.proc.poll() is not None:
        chroma_server.start()
    chroma_server.clear()
    return chroma_server
