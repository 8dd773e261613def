"""A throwaway PostgreSQL server for the test suite.

`open_server()` either connects to the server named by XINYONG_TEST_PG_URL or starts a private one:
a fresh data directory in /tmp, listening on 127.0.0.1 only (free port, socket in the same temp dir),
trust authentication, and durability switched off because the data dies with the session anyway.

PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` system user (created
by the Debian package; a throwaway system user is added when it is missing).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

PG_URL_ENV = "XINYONG_TEST_PG_URL"
REQUIRE_ENV = "XINYONG_REQUIRE_PG"
SERVICE_USER = "postgres"
FALLBACK_USER = "xinyong-pg"  # only created when the Debian `postgres` user does not exist

# Per-session settings: nothing here needs to survive a crash.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "'UTC'",
    "max_connections": "100",
    "max_parallel_workers_per_gather": "0",  # small containers have a tiny /dev/shm
    "log_min_messages": "warning",
}

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PgUnavailable(Exception):
    """No PostgreSQL server can be used (binaries missing, or the server would not start)."""


def pg_required() -> bool:
    """In CI (or when asked) a missing PostgreSQL is a failure, never a skip."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get(REQUIRE_ENV, "") == "1"


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/bin$", path)
    return tuple(int(p) for p in match.group(1).split(".") if p) if match else (0,)


def find_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl: PATH first, then the highest /usr/lib/postgresql/*/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # PATH entries are often symlinks (/usr/local/bin/initdb); the real dir also holds `postgres`.
        return Path(os.path.realpath(pg_ctl)).parent
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if os.access(os.path.join(bindir, "initdb"), os.X_OK) and os.access(
            os.path.join(bindir, "pg_ctl"), os.X_OK
        ):
            return Path(bindir)
    return None


@dataclass
class PgServer:
    """A reachable server; `url(db)` gives SQLAlchemy URLs, the rest administers test databases."""

    base: URL
    version: str = ""
    started_here: bool = False
    description: str = ""
    _stop: Callable[[], None] | None = field(default=None, repr=False)

    def url(self, dbname: str) -> str:
        return self.base.set(drivername="postgresql+psycopg", database=dbname).render_as_string(
            hide_password=False
        )

    def conninfo(self, dbname: str | None = None) -> str:
        """libpq URL (psycopg, psql); defaults to the maintenance database."""
        url = self.base.set(drivername="postgresql")
        if dbname is not None:
            url = url.set(database=dbname)
        return url.render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name`; returns its SQLAlchemy URL."""
        _check_name(name)
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        _check_name(name)
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._stop is not None:
            stop, self._stop = self._stop, None
            stop()


def _check_name(name: str) -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"test database names are lower-case identifiers, got {name!r}")


def _query_version(server: PgServer) -> str:
    with psycopg.connect(server.conninfo(), autocommit=True, connect_timeout=10) as conn:
        row = conn.execute("select version()").fetchone()
    return str(row[0]) if row else ""


def connect_external(url: str) -> PgServer:
    """Use an existing server; its URL's database is the maintenance database (default `postgres`)."""
    base = make_url(url)
    if not base.database:
        base = base.set(database="postgres")
    server = PgServer(base=base, description=f"{PG_URL_ENV}={base.render_as_string(hide_password=True)}")
    try:
        server.version = _query_version(server)
    except psycopg.Error as exc:
        raise PgUnavailable(f"cannot connect to {PG_URL_ENV}: {exc}") from exc
    return server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _service_user() -> pwd.struct_passwd:
    for name in (SERVICE_USER, FALLBACK_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    useradd = shutil.which("useradd")
    if useradd is None:
        raise PgUnavailable("running as root, no `postgres` user and no useradd to create one")
    cmd = [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER]
    result = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise PgUnavailable(f"no `postgres` user and `{shlex.join(cmd)}` failed: {result.stderr.strip()}")
    return pwd.getpwnam(FALLBACK_USER)


def _as_user(cmd: list[str], user: str | None) -> list[str]:
    """Wrap `cmd` to run as `user` (root only); runuser execs directly, su needs a shell."""
    if user is None:
        return cmd
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", user, "--", *cmd]
    if su := shutil.which("su"):
        return [su, "-s", "/bin/sh", user, "-c", shlex.join(cmd)]
    raise PgUnavailable("running as root but neither runuser nor su is available")


def _run(cmd: list[str], user: str | None, cwd: Path, what: str) -> None:
    result = subprocess.run(
        _as_user(cmd, user), cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise PgUnavailable(f"{what} failed (exit {result.returncode}): {output[-2000:]}")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _interrupt_on_sigterm() -> None:
    """CI timeouts send SIGTERM, which by default skips all cleanup; unwind like Ctrl-C instead so
    pytest tears the fixtures down and the server is stopped rather than orphaned."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
        signal.SIG_DFL,
        None,
    ):
        signal.signal(signal.SIGTERM, _raise_interrupt)


def start_local(bindir: Path) -> PgServer:
    """initdb + pg_ctl start in a fresh temp dir; the returned server's stop() removes it all."""
    account = _service_user() if os.geteuid() == 0 else None  # PostgreSQL refuses to run as root
    user = account.pw_name if account else None
    root = Path(tempfile.mkdtemp(prefix="xinyong-pg-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if account:
        for path in (root, sock):
            os.chown(path, account.pw_uid, account.pw_gid)
    port = _free_port()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        if (data / "postmaster.pid").exists():
            pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "30", "stop"]
            quiet = {"cwd": root, "capture_output": True, "stdin": subprocess.DEVNULL}
            result = subprocess.run(_as_user([*pg_ctl, "-m", "fast"], user), **quiet)
            if result.returncode != 0:
                subprocess.run(_as_user([*pg_ctl, "-m", "immediate"], user), **quiet)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)  # backstop if the session never reaches fixture teardown
    _interrupt_on_sigterm()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            user,
            root,
            "initdb",
        )
        settings = {**SERVER_SETTINGS, "port": str(port), "unix_socket_directories": f"'{sock}'"}
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# xinyong test server\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        _run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "30", "start"],
            user,
            root,
            "pg_ctl start",
        )
    except BaseException as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        stop()
        if isinstance(exc, PgUnavailable) and tail:
            raise PgUnavailable(f"{exc}\nserver log:\n{tail}") from exc
        raise
    base = make_url(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    server = PgServer(base=base, started_here=True, _stop=stop)
    server.description = f"started by the tests on 127.0.0.1:{port} from {bindir}" + (
        f" as user {user}" if user else ""
    )
    deadline = time.monotonic() + 10
    while True:  # pg_ctl -w already waited; this only covers a slow first connection
        try:
            server.version = _query_version(server)
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                stop()
                raise
            time.sleep(0.05)
    return server


def open_server() -> PgServer:
    """The server for this session: XINYONG_TEST_PG_URL if set, else a private one; PgUnavailable if none."""
    if url := os.environ.get(PG_URL_ENV):
        return connect_external(url)
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable(
            "PostgreSQL server binaries not found (initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin); "
            "install the `postgresql` package or set " + PG_URL_ENV
        )
    return start_local(bindir)
