"""The real app over real HTTP: uvicorn in a background thread on 127.0.0.1, on both databases.

`api` starts `create_app(engine, lambda: clock.now)` on a free port over the `engine` fixture
(SQLite and PostgreSQL), seeds one user per role (tests/api/helpers.py: USERS) and hands tests an
httpx client per user. Tests move `api.clock.now` (`api.travel(day)`) and the server reads it on
every request.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from api.helpers import Api, Clock, at, seed
from xinyong.api.app import create_app


class ThreadedServer(uvicorn.Server):
    """uvicorn in a background thread (uvicorn installs signal handlers only on the main thread)."""

    def start(self, sock: socket.socket) -> threading.Thread:
        thread = threading.Thread(target=self.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        return thread


def _wait_until_answers(base_url: str, thread: threading.Thread, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not thread.is_alive():
            raise RuntimeError("the API server thread died while starting")
        try:
            if httpx.get(base_url + "/", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the API server at {base_url} did not answer within {timeout} s")
        time.sleep(0.02)


@pytest.fixture
def clock() -> Clock:
    return Clock(at("2026-03-02"))


@contextmanager
def serve(engine: Engine, clock: Clock) -> Iterator[str]:
    """Serve `create_app(engine, lambda: clock.now)` with uvicorn on a free 127.0.0.1 port; yield its URL."""
    app = create_app(engine, lambda: clock.now)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the OS picks a free port and uvicorn serves this very socket: no race
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
    )
    server = ThreadedServer(config)
    thread = server.start(sock)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answers(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the API server did not shut down"


@pytest.fixture
def live_server(engine: Engine, clock: Clock) -> Iterator[str]:
    """Base URL of the real app over `engine` (SQLite and PostgreSQL); shut down at teardown."""
    with serve(engine, clock) as base_url:
        yield base_url


@pytest.fixture
def api(live_server: str, engine: Engine, clock: Clock) -> Iterator[Api]:
    """The server with its users seeded; `api.<username>` is that user's client, `api.anonymous` none."""
    tokens = seed(engine, clock.now)
    api = Api(base_url=live_server, clock=clock)
    api.clients["anonymous"] = httpx.Client(base_url=live_server, timeout=30.0)
    for username, token in tokens.items():
        api.clients[username] = httpx.Client(
            base_url=live_server, timeout=30.0, headers={"Authorization": f"Bearer {token}"}
        )
    try:
        yield api
    finally:
        for client in api.clients.values():
            client.close()
