"""The test infrastructure itself: a real PostgreSQL server, one fresh database per test, SQLite in
WAL mode, and UTC timestamps that come back timezone-aware on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from xinyong.core.db import UTCDateTime, make_engine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _stamps_table() -> tuple[MetaData, Table]:
    metadata = MetaData()
    table = Table("stamps", metadata, Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    return metadata, table


@pytest.mark.postgres
def test_pg_server_is_a_real_local_server(pg_server) -> None:
    engine = create_engine(pg_server.url("postgres"))
    try:
        with engine.connect() as conn:
            version = conn.execute(text("select version()")).scalar_one()
            settings = {
                name: conn.execute(text(f"show {name}")).scalar_one()
                for name in ("fsync", "synchronous_commit", "full_page_writes", "listen_addresses")
            }
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL ")
    assert pg_server.version == version
    if pg_server.started_here:
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "listen_addresses": "127.0.0.1",
        }
        assert make_url(pg_server.url("x")).host == "127.0.0.1"


@pytest.mark.postgres
def test_pg_url_shape(pg_server) -> None:
    url = pg_server.url("some_db")
    assert url.startswith("postgresql+psycopg://")
    assert make_url(url).database == "some_db"


_seen_pg_databases: list[str] = []


def _pg_tables(conn) -> list[str]:
    return list(
        conn.execute(
            text("select table_name from information_schema.tables where table_schema = 'public'")
        ).scalars()
    )


@pytest.mark.postgres
def test_create_database_is_empty_and_drop_removes_it(pg_server) -> None:
    name = f"t_probe_{uuid.uuid4().hex}"
    probe = create_engine(pg_server.create_database(name))
    admin = create_engine(pg_server.url("postgres"))
    try:
        with probe.connect() as conn:
            assert _pg_tables(conn) == []
        probe.dispose()
        pg_server.drop_database(name)
        with admin.connect() as conn:
            query = text("select datname from pg_database where datname = :n")
            found = conn.execute(query, {"n": name}).all()
        assert found == []
    finally:
        probe.dispose()
        admin.dispose()
        pg_server.drop_database(name)


@pytest.mark.parametrize("turn", [1, 2])
def test_db_url_is_fresh_per_test(db_url: str, turn: int) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                database = make_url(db_url).database
                assert database is not None and database.startswith("t_")
                assert database not in _seen_pg_databases
                assert _pg_tables(conn) == []
                seen = set(conn.execute(text("select datname from pg_database")).scalars())
                assert not seen & set(_seen_pg_databases), "a previous test's database was not dropped"
                _seen_pg_databases.append(database)
            else:
                tables = conn.execute(text("select name from sqlite_master where type = 'table'")).all()
                assert tables == []
            conn.execute(text("create table leftover (id integer)"))  # must not leak into turn 2
    finally:
        engine.dispose()


def test_sqlite_engine_is_in_wal_mode(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()


def test_utc_datetime_round_trips_aware(db_url: str) -> None:
    """An instant written in +08:00 comes back as the same instant, in UTC, with microseconds."""
    metadata, stamps = _stamps_table()
    engine = make_engine(db_url)
    written = datetime(2026, 3, 2, 0, 30, 15, 123456, tzinfo=SHANGHAI)  # 2026-03-01 16:30:15 UTC
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET TIME ZONE 'Asia/Shanghai'"))  # session zone must not matter
            conn.execute(insert(stamps).values(id=1, at=written))
            read = conn.execute(select(stamps.c.at).where(stamps.c.id == 1)).scalar_one()
            # the stored value is ordered by instant: a later UTC instant compares later
            later = datetime(2026, 3, 1, 16, 30, 16, tzinfo=UTC)
            conn.execute(insert(stamps).values(id=2, at=later))
            ordered = list(conn.execute(select(stamps.c.id).order_by(stamps.c.at)).scalars())
    finally:
        engine.dispose()
    assert read == written
    assert read.utcoffset() == timedelta(0)
    assert (read.year, read.month, read.day, read.hour, read.minute, read.second, read.microsecond) == (
        2026,
        3,
        1,
        16,
        30,
        15,
        123456,
    )
    assert ordered == [1, 2]


def test_utc_datetime_refuses_naive(db_url: str) -> None:
    metadata, stamps = _stamps_table()
    engine = make_engine(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn, pytest.raises(StatementError) as caught:
            conn.execute(insert(stamps).values(id=1, at=datetime(2026, 3, 2, 8, 0)))
        assert isinstance(caught.value.orig, ValueError)
        assert "naive datetime refused" in str(caught.value.orig)
        with engine.connect() as conn:
            assert conn.execute(select(stamps.c.id)).all() == []
    finally:
        engine.dispose()


def test_engine_fixture_creates_the_schema(db_url: str, request: pytest.FixtureRequest) -> None:
    """`engine` runs create_all over every registered model (needs xinyong.models)."""
    pytest.importorskip("xinyong.models")
    from sqlalchemy import inspect

    from xinyong.core.db import Base

    engine = request.getfixturevalue("engine")
    factory = request.getfixturevalue("session_factory")
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables)
    with factory() as session:
        assert session.execute(text("select 1")).scalar_one() == 1
