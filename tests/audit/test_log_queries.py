"""Bulk query logging (`audit.service.log_queries`) on a real database (REQUIREMENTS R-SEC-01, R-SEC-04).

An automatic check logs up to 100,000 look-ups per call: one head lock, one bulk insert, the chain
hashed in Python. The chain it leaves must be the one that many `log_query` calls would leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import chain as hc
from xinyong.audit import service
from xinyong.audit.chain import GENESIS, VerifyResult, entry_hash
from xinyong.audit.models import AuditEntry, AuditHead
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import Base, make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError

TABLES = [AuditEntry.__table__, AuditHead.__table__]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
SUBJECTS = ["91220101MA14XK7Q0T", "91220101MA14XK7Q1X", None]


@pytest.fixture
def audit_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    Base.metadata.create_all(engine, tables=TABLES)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sessions(audit_engine: Engine) -> sessionmaker[Session]:
    return session_factory(audit_engine)


def bulk(db_session: Session, entries: list[tuple[str | None, list[str]]], **over: Any) -> int:
    args: dict[str, Any] = {
        "now": T0,
        "chain": "jilin",
        "actor": "自动核查",
        "actor_org": "吉林省公共信用信息中心",
        "channel": "government",
        "purpose": "联合奖惩自动核查",
    }
    args.update(over)
    return service.log_queries(db_session=db_session, entries=entries, **args)


def looked_up(n: int) -> list[tuple[str | None, list[str]]]:
    return [(SUBJECTS[i % 3], [f"R{i}", f"R{i + 1}"] if i % 4 else []) for i in range(n)]


def verify(sessions: sessionmaker[Session]) -> VerifyResult:
    with transaction(sessions) as s:
        return service.verify_chain(db_session=s, chain="jilin")


def test_bulk_entries_are_the_entries_log_query_would_write(sessions: sessionmaker[Session]) -> None:
    entries = looked_up(5)
    with transaction(sessions) as s:
        assert bulk(s, entries) == 5
    with transaction(sessions) as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        head = s.get(AuditHead, "jilin")
    assert len(rows) == 5 and head is not None
    prev = GENESIS
    for row, (subject_id, record_ids) in zip(rows, entries, strict=True):
        assert (row.kind, row.actor, row.actor_org, row.channel, row.purpose) == (
            "query", "自动核查", "吉林省公共信用信息中心", "government", "联合奖惩自动核查"
        )  # fmt: skip
        assert (row.subject_id, row.record_ids, row.authorization_id, row.action, row.details) == (
            subject_id, record_ids, None, None, {}
        )  # fmt: skip
        assert row.at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        assert row.prev_hash == prev and row.hash == entry_hash(prev, row.content())
        prev = row.hash
    assert (head.last_seq, head.last_hash) == (rows[-1].seq, rows[-1].hash)
    assert verify(sessions) == VerifyResult(True, 5)


def test_bulk_links_to_single_appends_before_and_after(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        service.log_query(
            db_session=s, now=T0, chain="jilin", actor="王一", actor_org=None, channel="self",
            purpose=None, authorization_id=None, subject_id=SUBJECTS[0], record_ids=["R1"],
        )  # fmt: skip
    with transaction(sessions) as s:
        assert bulk(s, looked_up(300), now=T0 + timedelta(minutes=1)) == 300
    with transaction(sessions) as s:
        after = service.log_event(
            db_session=s, now=T0 + timedelta(minutes=2), chain="jilin", actor="op", action="check.done",
            details={"count": 300},
        )  # fmt: skip
    with transaction(sessions) as s:
        head = s.get(AuditHead, "jilin")
        count = len(s.scalars(select(AuditEntry.seq)).all())
    assert head is not None and (head.last_seq, head.last_hash) == (after.seq, after.hash)
    assert count == 302
    assert verify(sessions) == VerifyResult(True, 302)


def test_nothing_to_log_appends_nothing(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        assert bulk(s, []) == 0
        assert s.get(AuditHead, "jilin") is None
    assert verify(sessions) == VerifyResult(True, 0)


def test_bulk_is_refused_whole_on_bad_input(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        with pytest.raises(XinyongError) as err:
            bulk(s, looked_up(3), channel="internet")
        assert (err.value.code, err.value.field) == ("invalid_field", "channel")
        with pytest.raises(XinyongError) as err:
            bulk(s, [(SUBJECTS[0], ["R1"]), (SUBJECTS[1], "R2")])  # type: ignore[list-item]
        assert (err.value.code, err.value.field) == ("invalid_field", "record_ids")
        with pytest.raises(XinyongError) as err:
            bulk(s, looked_up(3), actor="")
        assert (err.value.code, err.value.field) == ("missing_field", "actor")
        with pytest.raises(ValueError, match="naive"):
            bulk(s, looked_up(3), now=datetime(2026, 3, 2, 9, 0))
    assert verify(sessions) == VerifyResult(True, 0)


def test_tampered_bulk_entry_is_named(sessions: sessionmaker[Session], audit_engine: Engine) -> None:
    """Nanjing 第五十三条(二), Jilin 第四十条(二): a bulk-logged look-up altered afterwards is found."""
    with transaction(sessions) as s:
        bulk(s, looked_up(1000))
    with transaction(sessions) as s:
        seqs = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    victim = seqs[617]
    with audit_engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET subject_id = '91220101MA14XK7Q1X' WHERE seq = :s"), {"s": victim}
        )
    assert verify(sessions) == VerifyResult(False, 618, victim, hc.ALTERED)


def test_appends_from_two_engines_interleaved_stay_linked(db_url: str, audit_engine: Engine) -> None:
    """Each process remembers the last hash it appended (PostgreSQL appends in one statement when
    the head is still there): another process appending in between must not fork the chain."""
    other = make_engine(db_url)
    try:
        factories = [session_factory(audit_engine), session_factory(other)]
        for i in range(6):
            with transaction(factories[i % 2 if i < 4 else 0]) as s:
                service.log_query(
                    db_session=s, now=T0 + timedelta(minutes=i), chain="jilin", actor=f"王{i}",
                    actor_org=None, channel="government", purpose=None, authorization_id=None,
                    subject_id=SUBJECTS[0], record_ids=[f"R{i}"],
                )  # fmt: skip
        with transaction(factories[1]) as s:
            bulk(s, looked_up(3))
        with transaction(factories[0]) as s:
            service.log_event(db_session=s, now=T0, chain="jilin", actor="op", action="x", details={})
        with transaction(factories[0]) as s:
            assert service.verify_chain(db_session=s, chain="jilin") == VerifyResult(True, 10)
    finally:
        other.dispose()


def test_an_append_after_a_rolled_back_one_links_to_what_was_committed(
    sessions: sessionmaker[Session],
) -> None:
    """The process remembers the hash it appended last, even when that transaction is rolled back:
    the next append must see that the head ends elsewhere and link to the committed entry."""

    def look_up(s: Session, i: int) -> AuditEntry:
        return service.log_query(
            db_session=s, now=T0 + timedelta(minutes=i), chain="jilin", actor=f"王{i}", actor_org=None,
            channel="government", purpose=None, authorization_id=None, subject_id=SUBJECTS[0],
            record_ids=[f"R{i}"],
        )  # fmt: skip

    with transaction(sessions) as s:
        first = look_up(s, 0)
    with sessions() as s:
        look_up(s, 1)
        s.rollback()
    with transaction(sessions) as s:
        second = look_up(s, 2)
        head = s.get(AuditHead, "jilin")
        assert head is not None and (head.last_seq, head.last_hash) == (second.seq, second.hash)
    assert second.prev_hash == first.hash
    assert verify(sessions) == VerifyResult(True, 2)
