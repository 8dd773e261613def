"""On PostgreSQL the ingest's bulk inserts use COPY (records/service.py, `_Insert`): every value is
stored exactly as the same row sent by `executemany` INSERT is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from xinyong.records import service
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _record(n: int, **over: Any) -> list[Any]:
    values: dict[str, Any] = {
        "id": n,
        "jurisdiction": "jiangsu",
        "key": f"R{n}",
        "item": "admin_penalty",
        "catalog_version": 3,
        "info_class": "punitive",
        "subject_id": 1,
        "provider": "南京市市场监督管理局",
        "provider_code": None,
        "source": "public",
        "batch_id": 1,
        "submitted_at": NOW,
        "submitted_by": "cli:某单位",
        "decided_on": date(2024, 2, 29),
        "effective_on": None,
        "severity": "general",
        "procedure": None,
        "document": "宁市监罚〔2024〕1号",
        "valid_until": None,
        "disclosure_until": date(2027, 2, 28),
        "consent": False,
        "data": {"basis": "《条例》第十条", "amount": 1500.5, "nested": {"a": [1, "二", None]}},
    }
    values.update(over)
    return [values[c] for c in service._RECORD_INSERT]


def _subject(n: int, **over: Any) -> list[Any]:
    values: dict[str, Any] = {
        "id": n,
        "kind": "natural_person",
        "id_type": "ric",
        "identifier": "32011319850426173X",
        "name": "王\t伟\\n",  # characters COPY's text format escapes
        "birth_date": date(1985, 4, 26),
        "created_at": NOW,
    }
    values.update(over)
    return [values[c] for c in service._SUBJECT_INSERT]


def test_postgresql_copy_stores_what_executemany_stores(db_url: str, engine: Engine) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("COPY is the PostgreSQL path; SQLite inserts with executemany")
    cases = [
        (
            Record.__table__,
            service._RECORD_INSERT,
            [
                _record(1),
                _record(2, provider_code="11320100MB0000000X", effective_on=date(2024, 3, 1), consent=True),
                _record(3, data={}, document=None, severity=None, disclosure_until=None),
                _record(4, data={"text": "line\nbreak\ttab\\slash \"quote\" 'single'", "n": 0}),
            ],
        ),
        (
            Subject.__table__,
            service._SUBJECT_INSERT,
            [
                _subject(1),
                _subject(
                    2, kind="legal_person", id_type="uscc", identifier="91220101MA14XK7Q0T", birth_date=None
                ),
            ],
        ),
    ]
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table, columns, rows in cases:
            insert = service._Insert(table, columns, engine.dialect)
            listed = ", ".join(columns)
            for name in ("by_copy", "by_insert"):
                cursor.execute(f"CREATE TEMP TABLE {name} (LIKE {table.name})")
            by_copy = service._Insert(table, columns, engine.dialect)
            by_copy.copy = f"COPY by_copy ({listed}) FROM STDIN"
            by_copy.insert(cursor, [list(r) for r in rows])
            marks = ", ".join(["%s"] * len(columns))
            converted = [list(r) for r in rows]
            by_insert = service._Insert(table, columns, engine.dialect)
            by_insert.copy = None
            by_insert.sql = f"INSERT INTO by_insert ({listed}) VALUES ({marks})"
            by_insert.insert(cursor, converted)
            assert insert.copy is not None  # the service's own path on PostgreSQL is COPY
            cursor.execute(f"SELECT {listed} FROM by_copy ORDER BY id")
            copied = cursor.fetchall()
            cursor.execute(f"SELECT {listed} FROM by_insert ORDER BY id")
            inserted = cursor.fetchall()
            assert copied == inserted and len(copied) == len(rows)
            cursor.execute(
                "SELECT count(*) FROM (SELECT * FROM by_copy EXCEPT ALL SELECT * FROM by_insert) d"
            )
            assert cursor.fetchone()[0] == 0
            cursor.execute("DROP TABLE by_copy; DROP TABLE by_insert")
        connection.rollback()
    finally:
        connection.close()
