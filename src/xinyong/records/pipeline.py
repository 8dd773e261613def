"""Validation of a large batch in a worker process, one chunk ahead of the storing.

Checking a row is pure Python and about half of a bulk load's time (docs/PERFORMANCE.md); storing
a chunk waits on the database. With two cores the next chunk can be checked while the current one
is stored: `checked_chunks` sends each chunk to a worker process and hands back the chunk before
it with its outcomes, in order.

- The worker is a fresh interpreter (`python -m xinyong.records.pipeline`), started once per
  process on first use and kept for later batches: no fork of a possibly threaded server, and,
  unlike multiprocessing's `spawn`, it never re-runs the parent's main script. One batch uses it at
  a time; a batch arriving meanwhile, or any failure to start or to answer, means the rows are
  checked in this process as before (a worker that failed is not tried again).
- It runs the very function the in-process path runs (`service._check_rows`), so the outcomes are
  the same; tests/records/test_pipeline.py compares reports and stored rows.
- Rows travel in compact form: each row's values with `marshal` (plain dicts, strings and numbers,
  ~1 µs a row against ~10 µs for pickle; a chunk holding anything else, such as a date read from a
  spreadsheet, is pickled), checked submissions come back as plain tuples of their fields.
- Only for large batches (PIPELINE_MIN_ROWS) and file imports: for a small API call the transfer
  and the wait for the first chunk cost more than they save.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import gc
import hashlib
import marshal
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import IO, Any

from xinyong.core.actor import Actor
from xinyong.core.profile import Profile
from xinyong.records.ingest import RowError, SourceRow
from xinyong.records.validation import Submission

PIPELINE_MIN_ROWS = 4000  # rows from which submit_batch validates in the worker (two chunks)
# Off unless the operator turns it on: it pays only where a core is free for the worker; on a
# loaded 2-core machine it measured slower than checking in-process (docs/PERFORMANCE.md).
WORKER_SETTING = "XINYONG_INGEST_WORKER"


def worker_enabled() -> bool:
    """Whether large batches use the worker process (XINYONG_INGEST_WORKER=1/on/true/yes)."""
    return os.environ.get(WORKER_SETTING, "").strip().lower() in ("1", "on", "true", "yes")


# What a chunk's check gives per source row: the submission, or the row's errors (as reported).
Outcome = Submission | list[dict[str, Any]]
Chunk = list[SourceRow | RowError]

_FIELDS = tuple(f.name for f in dataclasses.fields(Submission))
# the date fields, sent as day numbers (marshal has no dates); annotations are strings here
_DATES = tuple(i for i, f in enumerate(dataclasses.fields(Submission)) if "date" in str(f.type).split(" | "))
_HEADER = struct.Struct("<Q")  # a message is its length, then its bytes
_FAILED = b""  # the worker's answer when the check itself raised: the chunk is checked here again
# A chunk fits in the pipe (Linux allows 1 MiB without privileges), so sending one seldom waits for
# the worker's reader thread to get the GIL.
_PIPE_SIZE = 1 << 20
_PROFILES_KEPT = 16  # profiles the worker keeps unpickled (one per jurisdiction served)


def checked_chunks(
    chunks: Iterator[Chunk], *, actor: Actor, provider: str | None, profile: Profile, remote: bool
) -> Iterator[tuple[Chunk, list[Outcome]]]:
    """Each chunk with the outcomes of its source rows, in order; checked in the worker if `remote`
    (and the worker is free and working), else here."""
    worker = _Worker.acquire() if remote else None
    if worker is None:
        for chunk in chunks:
            yield chunk, _check_here(chunk, actor, provider, profile)
        return
    try:
        shipped = pickle.dumps(profile, pickle.HIGHEST_PROTOCOL)
        context = (hashlib.sha256(shipped).digest(), shipped, actor, provider)
        pending: deque[tuple[Chunk, bool]] = deque()  # chunk, whether the worker has it
        for chunk in chunks:
            pending.append((chunk, worker.send(context, _sources(chunk))))
            if len(pending) > 1:  # one chunk is checked ahead while the one before it is stored
                yield _outcomes(worker, *pending.popleft(), actor, provider, profile)
        while pending:
            yield _outcomes(worker, *pending.popleft(), actor, provider, profile)
    finally:
        worker.release()


def _sources(chunk: Chunk) -> list[tuple[int, Mapping[str, Any]]]:
    return [(item.row, item.values) for item in chunk if isinstance(item, SourceRow)]


def _check_here(chunk: Chunk, actor: Actor, provider: str | None, profile: Profile) -> list[Outcome]:
    from xinyong.records.service import _check_rows  # the service imports this module

    return _check_rows(_sources(chunk), actor, provider, profile)


def _outcomes(
    worker: _Worker, chunk: Chunk, sent: bool, actor: Actor, provider: str | None, profile: Profile
) -> tuple[Chunk, list[Outcome]]:
    answer = worker.receive() if sent else None
    if not answer:  # not sent, the worker failed, or the check raised there (it raises here again)
        return chunk, _check_here(chunk, actor, provider, profile)
    if answer[:1] == b"P":
        return chunk, [Submission(*o) if type(o) is tuple else o for o in pickle.loads(answer[1:])]
    outcomes: list[Outcome] = []
    for o in marshal.loads(answer[1:]):
        if type(o) is tuple:
            values = list(o)
            for i in _DATES:
                if values[i] is not None:
                    values[i] = date.fromordinal(values[i])
            outcomes.append(Submission(*values))
        else:
            outcomes.append(o)
    return chunk, outcomes


class _Worker:
    """The worker process and the two pipes to it, shared by the batches of this process."""

    _lock = threading.Lock()
    _current: _Worker | None = None
    _broken = False

    def __init__(self) -> None:
        src = str(Path(__file__).resolve().parents[2])  # the directory holding the xinyong package
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xinyong.records.pipeline"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, AttributeError):  # Linux only; 64 KiB pipes still work
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)  # type: ignore[union-attr]
        self.busy = False
        self.sent = 0  # chunks sent and not yet answered

    @classmethod
    def acquire(cls) -> _Worker | None:
        """The worker, reserved for one batch; None if another batch has it or it cannot run."""
        with cls._lock:
            if cls._broken:
                return None
            worker = cls._current
            if worker is None:
                try:
                    worker = cls._current = _Worker()
                except OSError:
                    cls._broken = True
                    return None
                atexit.register(worker.stop)
            if worker.busy:
                return None
            worker.busy = True
            return worker

    def release(self) -> None:
        while self.sent and not self._broken:  # a batch that stopped early: drain its answers
            self.receive()
        with self._lock:
            self.busy = False

    def send(self, context: tuple[Any, ...], sources: list[tuple[int, Mapping[str, Any]]]) -> bool:
        """Send a chunk; False when it is to be checked here."""
        if self._broken:
            return False
        try:
            payload, packed = marshal.dumps(sources), True
        except ValueError:  # a value marshal does not know (a date, a str subclass): pickle the chunk
            try:
                payload, packed = pickle.dumps(sources, pickle.HIGHEST_PROTOCOL), False
            except Exception:  # not picklable either: this chunk stays here
                return False
        message = pickle.dumps((*context, packed, payload), pickle.HIGHEST_PROTOCOL)
        try:
            stdin = self.process.stdin
            assert stdin is not None
            stdin.write(_HEADER.pack(len(message)))
            stdin.write(message)
            stdin.flush()
        except (OSError, ValueError):
            self._fail()
            return False
        self.sent += 1
        return True

    def receive(self) -> bytes | None:
        """The answer to the oldest chunk sent: the pickled outcomes, or None/empty to check it here."""
        if self._broken:
            return None
        try:
            stdout = self.process.stdout
            assert stdout is not None
            answer = _read(stdout)
        except (OSError, ValueError, EOFError, struct.error):
            self._fail()
            return None
        self.sent -= 1
        return answer

    def _fail(self) -> None:
        type(self)._broken = True
        self.sent = 0
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _read(stream: IO[bytes]) -> bytes:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError
    return body


# --------------------------------------------------------------------------- in the worker process


def _serve() -> None:
    """Answer chunks until the parent closes the pipe. A reader thread keeps taking chunks while
    one is checked, so neither side ever blocks writing to a full pipe."""
    from xinyong.records.service import _check_rows

    # Only rows are checked here: their temporaries die by reference counting, and full collections
    # would re-scan the profile and the identifier memo again and again (as in service._chunks).
    young, middle, full = gc.get_threshold()
    gc.set_threshold(max(young, 50_000), middle, max(full, 100))
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    inbox: queue.Queue[bytes | None] = queue.Queue()

    def read() -> None:
        try:
            while True:
                inbox.put(_read(sys.stdin.buffer))
        except (EOFError, OSError):
            inbox.put(None)

    threading.Thread(target=read, daemon=True).start()
    profiles: dict[bytes, Profile] = {}
    while (message := inbox.get()) is not None:
        key, shipped, actor, provider, packed, payload = pickle.loads(message)
        profile = profiles.get(key)
        if profile is None:
            if len(profiles) >= _PROFILES_KEPT:
                profiles.clear()
            profile = profiles[key] = pickle.loads(shipped)
        sources = marshal.loads(payload) if packed else pickle.loads(payload)
        try:
            answer = _answer(_check_rows(sources, actor, provider, profile))
        except Exception:
            answer = _FAILED
        out.write(_HEADER.pack(len(answer)))
        out.write(answer)
        out.flush()


def _answer(outcomes: list[Outcome]) -> bytes:
    """Outcomes for the parent: with marshal, dates as day numbers (b"M"), else pickled (b"P")."""
    compact: list[Any] = []
    for o in outcomes:
        if type(o) is list:
            compact.append(o)
            continue
        values = [getattr(o, name) for name in _FIELDS]
        for i in _DATES:
            if values[i] is not None:
                values[i] = values[i].toordinal()
        compact.append(tuple(values))
    try:
        return b"M" + marshal.dumps(compact)
    except ValueError:  # a date inside `data`, say
        plain = [o if type(o) is list else tuple(getattr(o, name) for name in _FIELDS) for o in outcomes]
        return b"P" + pickle.dumps(plain, pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _serve()
