"""Group commit of checks made by concurrent requests.

Every check writes a `Check` row and a query-log entry. Done in each request's own transaction,
concurrent requests queue on the database write lock (SQLite's busy handler sleeps up to 100 ms a
try) or on the query log's head row (PostgreSQL). Here one writer thread per process takes whatever
checks are waiting, stores them in one transaction (one insert, one bulk log append per unit and
purpose, one commit) and only then answers each request with its check id: a request is answered
after its log entry is durable, so "every look-up is logged" holds as before. While a group is being
written the next one gathers, so groups grow with the load and cost nothing when it is light.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from xinyong.checks import service
from xinyong.core.db import transaction

GROUP_MAX = 500  # checks per transaction


class GroupWriter:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._queue: queue.SimpleQueue[tuple[service.Pending, Future[int]]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="check-writer", daemon=True)
        self._thread.start()

    def store(self, pending: service.Pending, timeout: float = 60.0) -> int:
        """Store one check with whatever else is waiting; its id once committed (raises what the
        write raised)."""
        done: Future[int] = Future()
        self._queue.put((pending, done))
        return done.result(timeout=timeout)

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < GROUP_MAX:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(group)

    def _write(self, group: list[tuple[service.Pending, Future[int]]]) -> None:
        try:
            with transaction(self.factory) as db:
                ids = service.store(db, [p for p, _ in group])
        except Exception as exc:
            if len(group) == 1:
                group[0][1].set_exception(exc)
                return
            for item in group:  # one bad check must not fail the others: write them one by one
                self._write([item])
            return
        for (_, done), check_id in zip(group, ids, strict=True):
            done.set_result(check_id)


_LOCK = threading.Lock()


def writer_for(state: Any) -> GroupWriter:
    """The writer of an application (`app.state`: its `session_factory`), started on first use."""
    found = getattr(state, "check_writer", None)
    if found is None:
        with _LOCK:
            found = getattr(state, "check_writer", None)
            if found is None:
                found = GroupWriter(state.session_factory)
                state.check_writer = found
    return found
