"""Database fixtures shared by the whole suite.

- `db_url`: one test, two real databases: SQLite (WAL, a file in tmp_path) and PostgreSQL (a fresh
  database per test on the session's server). The PostgreSQL case carries the `postgres` marker,
  so `-m "not postgres"` runs SQLite only.
- `sqlite_url`: SQLite only, for tests that do not need both.
- `engine`, `session_factory`: the project's engine and sessions on `db_url`, schema created.
- `pg_server`: the session's PostgreSQL server (see tests/support/pg.py). Missing binaries skip the
  PostgreSQL cases with the reason, except in CI (CI=true) or with XINYONG_REQUIRE_PG=1, where they fail.

The terminal summary says which databases ran.
"""

from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

# `support` lives next to this file; pytest's default import mode already puts this directory on
# sys.path, other modes (importlib) do not.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from support.pg import PgServer, PgUnavailable, open_server, pg_required

# What the session used, for the terminal summary; keys "sqlite" and "postgresql".
DB_REPORT = pytest.StashKey[dict[str, str]]()


def _report(config: pytest.Config) -> dict[str, str]:
    return config.stash.setdefault(DB_REPORT, {})


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[PgServer]:
    report = _report(request.config)
    try:
        server = open_server()
    except PgUnavailable as exc:
        reason = f"PostgreSQL unavailable: {exc}"
        if pg_required():
            report["postgresql"] = f"FAILED: {exc}"
            pytest.fail(f"{reason} (required: CI=true or XINYONG_REQUIRE_PG=1)", pytrace=False)
        report["postgresql"] = f"skipped: {exc}"
        pytest.skip(reason)
    short = server.version.split(" on ")[0]  # "PostgreSQL 15.18 (Debian 15.18-0+deb12u1)"
    report["postgresql"] = f"{short}, {server.description}"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLAlchemy URL of an empty database of each kind, private to this test."""
    if request.param == "sqlite":
        yield _sqlite(request.config, tmp_path)
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLAlchemy URL of an empty SQLite file in this test's tmp_path."""
    return _sqlite(request.config, tmp_path)


def _sqlite(config: pytest.Config, tmp_path: Path) -> str:
    _report(config)["sqlite"] = f"SQLite {sqlite3.sqlite_version}"
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The project's engine on `db_url` with every model's table created."""
    from xinyong.core import db

    eng = db.make_engine(db_url)
    try:
        db.create_all(eng)
        yield eng
    finally:
        eng.dispose()  # before db_url's teardown drops the PostgreSQL database


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    from xinyong.core import db

    return db.session_factory(engine)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(DB_REPORT, {})
    terminalreporter.write_sep("-", "databases")
    terminalreporter.write_line(f"sqlite: {report.get('sqlite', 'not used')}")
    terminalreporter.write_line(f"postgresql: {report.get('postgresql', 'not used')}")
