"""Query log and audit trail on a real database (REQUIREMENTS R-SEC-01, R-SEC-02, R-SEC-04).

Tampering is done the way an intruder would: raw SQL through the engine, past the service.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from xinyong.audit import chain as hc
from xinyong.audit import service
from xinyong.audit.chain import GENESIS, VerifyResult, entry_hash
from xinyong.audit.cli import app
from xinyong.audit.models import AuditEntry, AuditHead
from xinyong.core import profile as profiles
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import Base, make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.core.periods import Duration, Unit

TABLES = [AuditEntry.__table__, AuditHead.__table__]
SUBJECT = "91220101MA14XK7Q0T"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


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


def query(db_session: Session, at: datetime, *, chain: str = "jilin", i: int = 0, **over: Any) -> AuditEntry:
    args: dict[str, Any] = {
        "actor": f"王{i}",
        "actor_org": "长春市市场监督管理局",
        "channel": "government",
        "purpose": "行政许可审查",
        "authorization_id": None,
        "subject_id": SUBJECT,
        "record_ids": [f"R{i}"],
    }
    args.update(over)
    return service.log_query(db_session=db_session, now=at, chain=chain, **args)


def fill(sessions: sessionmaker[Session], n: int, *, chain: str = "jilin") -> list[int]:
    """n queries on `chain`, one transaction each; their seqs."""
    seqs = []
    for i in range(n):
        with transaction(sessions) as s:
            seqs.append(query(s, T0 + timedelta(minutes=i), chain=chain, i=i).seq)
    return seqs


def verify(sessions: sessionmaker[Session], chain: str = "jilin") -> VerifyResult:
    with transaction(sessions) as s:
        return service.verify_chain(db_session=s, chain=chain)


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def shift_from(engine: Engine, seq: int) -> None:
    """Renumber every row from `seq` on by +1 (two steps: the primary key is checked row by row)."""
    sql(engine, "UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= :s", s=seq)
    sql(engine, "UPDATE audit_log SET seq = seq - 999999 WHERE seq >= 1000000")


def forge(engine: Engine, seq: int, prev_hash: str, *, chain: str = "jilin") -> None:
    """Insert an entry with a valid hash of its own, linked to `prev_hash`."""
    content = {
        "chain": chain,
        "at": T0,
        "kind": "query",
        "actor": "伪造者",
        "actor_org": None,
        "channel": "government",
        "purpose": "伪造 forged",
        "authorization_id": None,
        "subject_id": SUBJECT,
        "record_ids": ["R1"],
        "action": None,
        "details": {},
    }
    row = {**content, "seq": seq, "prev_hash": prev_hash, "hash": entry_hash(prev_hash, content)}
    with engine.begin() as conn:
        conn.execute(insert(AuditEntry.__table__).values(row))


# --------------------------------------------------------------------------- append


def test_log_query_records_who_when_why_and_what(sessions: sessionmaker[Session]) -> None:
    """SCENARIOS.md: time, querier, channel, purpose, authorization, subject, records returned."""
    with transaction(sessions) as s:
        e = query(
            s, T0, channel="authorized", purpose="个人经营贷款审批", authorization_id="A1",
            actor="李四", actor_org="江苏紫金农村商业银行股份有限公司", record_ids=["R1", "R2"],
        )  # fmt: skip
    with transaction(sessions) as s:
        stored = s.get(AuditEntry, e.seq)
        head = s.get(AuditHead, "jilin")
    assert stored is not None and head is not None
    assert (stored.kind, stored.actor, stored.actor_org, stored.channel) == (
        "query", "李四", "江苏紫金农村商业银行股份有限公司", "authorized"
    )  # fmt: skip
    assert (stored.purpose, stored.authorization_id, stored.subject_id) == ("个人经营贷款审批", "A1", SUBJECT)
    assert stored.record_ids == ["R1", "R2"]
    assert stored.at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert stored.prev_hash == GENESIS
    assert stored.hash == entry_hash(GENESIS, stored.content())
    assert (head.last_seq, head.last_hash, head.anchor_seq, head.anchor_hash) == (e.seq, e.hash, 0, GENESIS)


def test_entries_link_and_the_head_follows(sessions: sessionmaker[Session]) -> None:
    seqs = fill(sessions, 3)
    with transaction(sessions) as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        head = s.get(AuditHead, "jilin")
    assert [r.seq for r in rows] == seqs == sorted(seqs)
    assert [r.prev_hash for r in rows] == [GENESIS, rows[0].hash, rows[1].hash]
    assert head is not None and (head.last_seq, head.last_hash) == (rows[2].seq, rows[2].hash)
    assert verify(sessions) == VerifyResult(True, 3)


def test_log_event_and_details_are_stored_as_hashed(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        e = service.log_event(
            db_session=s, now=T0, chain="jilin", actor="省信用中心", action="record.revoked",
            details={"reason": "处罚决定被撤销", "decided_on": date(2026, 3, 1), "at": T0, "n": (1, 2)},
            subject_id=SUBJECT, record_ids=["R1"],
        )  # fmt: skip
    with transaction(sessions) as s:
        stored = s.get(AuditEntry, e.seq)
    assert stored is not None
    assert (stored.kind, stored.action, stored.channel) == ("event", "record.revoked", None)
    assert stored.details == {
        "reason": "处罚决定被撤销",
        "decided_on": "2026-03-01",
        "at": "2026-03-02T01:00:00.000000Z",
        "n": [1, 2],
    }
    assert verify(sessions).ok


def test_nothing_is_committed_by_the_service(sessions: sessionmaker[Session]) -> None:
    """A change and its audit entry are saved together or not at all: the caller's rollback drops both."""
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        query(s, T0)
        raise RuntimeError("the change this entry explains failed")
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert s.get(AuditHead, "jilin") is None
    assert verify(sessions) == VerifyResult(True, 0)


def test_bad_input_is_refused(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        with pytest.raises(XinyongError) as err:
            query(s, T0, channel="internet")
        assert (err.value.code, err.value.field) == ("invalid_field", "channel")
        with pytest.raises(XinyongError) as err:
            query(s, T0, record_ids="R1")
        assert (err.value.code, err.value.field) == ("invalid_field", "record_ids")
        with pytest.raises(XinyongError) as err:
            query(s, T0, actor="")
        assert (err.value.code, err.value.field) == ("missing_field", "actor")
        with pytest.raises(ValueError, match="naive"):
            query(s, datetime(2026, 3, 2, 9, 0))


def test_concurrent_appends_serialise_on_the_head(sessions: sessionmaker[Session]) -> None:
    """Two writers on one chain never link to the same predecessor."""
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for i in range(15):
                with transaction(sessions) as s:
                    query(s, T0 + timedelta(seconds=i), i=100 * w + i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert verify(sessions) == VerifyResult(True, 30)


# --------------------------------------------------------------------------- tampering (R-SEC-04)


def test_updated_entry_is_named_altered(sessions: sessionmaker[Session], audit_engine: Engine) -> None:
    """Nanjing 第五十三条(二), Jilin 第四十条(二): tampering with a query log leaves evidence."""
    seqs = fill(sessions, 5)
    sql(audit_engine, "UPDATE audit_log SET purpose = '贷款审批' WHERE seq = :s", s=seqs[2])
    assert verify(sessions) == VerifyResult(False, 3, seqs[2], hc.ALTERED)


def test_deleted_middle_entry_names_the_one_after(
    sessions: sessionmaker[Session], audit_engine: Engine
) -> None:
    """Henan 第二十五条(二): wrongful deletion (and concealment) is detectable."""
    seqs = fill(sessions, 5)
    sql(audit_engine, "DELETE FROM audit_log WHERE seq = :s", s=seqs[2])
    assert verify(sessions) == VerifyResult(False, 3, seqs[3], hc.MISSING)


def test_forged_entry_inserted_by_renumbering(sessions: sessionmaker[Session], audit_engine: Engine) -> None:
    """Shenzhen 第七十九条(二): fabrication is detectable even when the forged entry's own hash is valid."""
    seqs = fill(sessions, 5)
    with transaction(sessions) as s:
        link = s.get(AuditEntry, seqs[1]).hash  # type: ignore[union-attr]
    shift_from(audit_engine, seqs[2])
    forge(audit_engine, seqs[2], link)
    assert verify(sessions) == VerifyResult(False, 4, seqs[2], hc.INSERTED)


def test_deleted_last_entry_is_caught_by_the_head(
    sessions: sessionmaker[Session], audit_engine: Engine
) -> None:
    seqs = fill(sessions, 4)
    sql(audit_engine, "DELETE FROM audit_log WHERE seq = :s", s=seqs[-1])
    assert verify(sessions) == VerifyResult(False, 3, seqs[-1], hc.TAIL_MISSING)


def test_entry_appended_behind_the_service_is_named(
    sessions: sessionmaker[Session], audit_engine: Engine
) -> None:
    seqs = fill(sessions, 3)
    with transaction(sessions) as s:
        link = s.get(AuditEntry, seqs[-1]).hash  # type: ignore[union-attr]
    forge(audit_engine, seqs[-1] + 1, link)
    assert verify(sessions) == VerifyResult(False, 4, seqs[-1] + 1, hc.BEYOND_HEAD)


def test_deleted_head_row_is_a_finding(sessions: sessionmaker[Session], audit_engine: Engine) -> None:
    fill(sessions, 2)
    sql(audit_engine, "DELETE FROM audit_heads")
    assert verify(sessions) == VerifyResult(False, 2, None, hc.HEAD_MISSING)


def test_chains_are_independent(sessions: sessionmaker[Session], audit_engine: Engine) -> None:
    jilin = fill(sessions, 3, chain="jilin")
    fill(sessions, 3, chain="nanjing")
    sql(audit_engine, "UPDATE audit_log SET actor = 'x' WHERE seq = :s", s=jilin[0])
    with transaction(sessions) as s:
        results = service.verify_all(db_session=s)
    assert results == {
        "jilin": VerifyResult(False, 1, jilin[0], hc.ALTERED),
        "nanjing": VerifyResult(True, 3),
    }


# --------------------------------------------------------------------------- who looked at me


def test_queries_of_subject_non_public_newest_first(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        a = query(s, T0, i=1, channel="government")
        query(s, T0 + timedelta(hours=1), i=2, channel="public")
        b = query(s, T0 + timedelta(hours=2), i=3, channel="authorized", authorization_id="A1")
        query(s, T0 + timedelta(hours=3), i=4, subject_id="91220101MA14XK7Q1X")  # another subject
        query(s, T0 + timedelta(hours=4), i=5, chain="nanjing")  # another chain
        service.log_event(
            db_session=s, now=T0, chain="jilin", actor="op", action="x", details={}, subject_id=SUBJECT
        )
        c = query(s, T0 + timedelta(days=1), i=6, channel="self")
    with transaction(sessions) as s:
        found = service.queries_of_subject(db_session=s, chain="jilin", subject_id=SUBJECT)
        recent = service.queries_of_subject(
            db_session=s, chain="jilin", subject_id=SUBJECT, since=T0 + timedelta(hours=2)
        )
    assert [e.seq for e in found] == [c.seq, b.seq, a.seq]
    assert [e.seq for e in recent] == [c.seq, b.seq]


# --------------------------------------------------------------------------- retention (R-SEC-02)


def purge(sessions: sessionmaker[Session], today: date, retention: Any, chain: str = "jilin") -> int:
    with transaction(sessions) as s:
        return service.purge(db_session=s, chain=chain, retention=retention, today=today)


def queries_left(sessions: sessionmaker[Session], chain: str = "jilin") -> list[str]:
    with transaction(sessions) as s:
        stmt = select(AuditEntry.actor).where(AuditEntry.chain == chain, AuditEntry.kind == "query")
        return list(s.scalars(stmt.order_by(AuditEntry.seq)))


def test_jilin_profile_keeps_queries_three_years() -> None:
    """Jilin 第二十条: 查询记录自查询之日起保存三年."""
    log = profiles.get("jilin").query_log
    assert log.retention != "long_term" and log.retention != "unspecified"
    assert log.retention.to_duration() == Duration(3, Unit.year)


def test_jilin_query_kept_through_the_last_day_of_three_years(sessions: sessionmaker[Session]) -> None:
    """Jilin 第二十条: a query on 2026-03-02 is kept on 2029-03-02 and purged on 2029-03-03."""
    retention = profiles.get("jilin").query_log.retention
    with transaction(sessions) as s:
        query(s, datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), actor="D")
        # 16:30 UTC on 2 March is 00:30 on 3 March in Changchun: a day later by local date
        query(s, datetime(2026, 3, 2, 16, 30, tzinfo=UTC), actor="D+1")
        query(s, datetime(2026, 3, 3, 23, 59, tzinfo=SHANGHAI), actor="D+1 late")
        query(s, datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI), actor="later")
    assert purge(sessions, date(2029, 3, 2), retention) == 0
    assert queries_left(sessions) == ["D", "D+1", "D+1 late", "later"]
    assert purge(sessions, date(2029, 3, 3), retention) == 1
    assert queries_left(sessions) == ["D+1", "D+1 late", "later"]
    assert verify(sessions).ok
    assert purge(sessions, date(2029, 3, 4), retention) == 2
    assert queries_left(sessions) == ["later"]
    assert verify(sessions).ok


def test_purge_removes_only_a_prefix(sessions: sessionmaker[Session]) -> None:
    """An old entry behind a newer one waits: the chain is only ever cut at its start."""
    with transaction(sessions) as s:
        query(s, datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), actor="old 1")
        query(s, datetime(2028, 1, 1, 9, 0, tzinfo=SHANGHAI), actor="new")
        query(s, datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), actor="old 2 (clock behind)")
    assert purge(sessions, date(2029, 6, 1), Duration(3, Unit.year)) == 1
    assert queries_left(sessions) == ["new", "old 2 (clock behind)"]
    assert verify(sessions).ok


def test_purge_moves_the_anchor_and_logs_itself(sessions: sessionmaker[Session]) -> None:
    seqs = fill(sessions, 4)
    with transaction(sessions) as s:
        query(s, datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI), actor="kept")
        kept = s.scalars(select(AuditEntry).where(AuditEntry.actor == "kept")).one()
    assert purge(sessions, date(2029, 3, 3), Duration(3, Unit.year)) == 4
    with transaction(sessions) as s:
        head = s.get(AuditHead, "jilin")
        event = s.scalars(select(AuditEntry).where(AuditEntry.kind == "event")).one()
    assert head is not None
    assert (head.anchor_seq, head.anchor_hash) == (seqs[-1], kept.prev_hash)
    assert (event.action, event.actor) == ("audit.purged", "system")
    assert event.details == {
        "through_seq": seqs[-1],
        "count": 4,
        "retention": "3 year",
        "today": "2029-03-03",
    }
    assert event.at == datetime(2029, 3, 3, 0, 0, tzinfo=SHANGHAI)  # default: the start of `today`
    assert verify(sessions) == VerifyResult(True, 2)


def test_purge_everything_then_append(sessions: sessionmaker[Session]) -> None:
    fill(sessions, 3)
    assert purge(sessions, date(2030, 1, 1), Duration(1, Unit.year)) == 3
    assert queries_left(sessions) == []
    assert verify(sessions) == VerifyResult(True, 1)  # the purge event
    fill(sessions, 1)
    assert verify(sessions) == VerifyResult(True, 2)


@pytest.mark.parametrize("retention", ["long_term", "unspecified"])
def test_long_term_or_silent_retention_purges_nothing(
    sessions: sessionmaker[Session], retention: str
) -> None:
    """Nanjing 第五十二条(二): 长期保存; Jiangsu 第三十九条 and Henan 第三十九条 set no period."""
    fill(sessions, 2)
    assert purge(sessions, date(2099, 1, 1), retention) == 0
    assert len(queries_left(sessions)) == 2


def test_purge_never_destroys_evidence(sessions: sessionmaker[Session], audit_engine: Engine) -> None:
    seqs = fill(sessions, 3)
    sql(audit_engine, "UPDATE audit_log SET purpose = 'x' WHERE seq = :s", s=seqs[0])
    with pytest.raises(XinyongError) as err:
        purge(sessions, date(2030, 1, 1), Duration(1, Unit.year))
    assert err.value.code == "not_eligible"
    assert str(seqs[0]) in (err.value.detail or "")
    assert len(queries_left(sessions)) == 3


def test_purge_of_an_unknown_chain_does_nothing(sessions: sessionmaker[Session]) -> None:
    assert purge(sessions, date(2030, 1, 1), Duration(1, Unit.year), chain="shenzhen") == 0
    with transaction(sessions) as s:
        assert s.get(AuditHead, "shenzhen") is None


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_engine(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", sqlite_url)
    engine = make_engine(sqlite_url)
    Base.metadata.create_all(engine, tables=TABLES)
    try:
        yield engine
    finally:
        engine.dispose()


def test_cli_verify_list_and_purge(cli_engine: Engine) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    cli_env = session_factory(cli_engine)
    seqs = fill(cli_env, 3)
    with transaction(cli_env) as s:
        query(s, datetime(2028, 1, 1, 9, 0, tzinfo=SHANGHAI), actor="赵六", purpose="招投标资格审查")

    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert "jilin: OK 4 entries" in result.output

    result = runner.invoke(app, ["list", "--chain", "jilin", "--subject", SUBJECT])
    assert result.exit_code == 0, result.output
    assert "招投标资格审查" in result.output and "2028-01-01 09:00:00" in result.output
    assert "4 queries" in result.output

    result = runner.invoke(app, ["purge", "--chain", "jilin", "--today", "2029-03-03"])
    assert result.exit_code == 0, result.output
    assert "purged 3 entries" in result.output and "吉林 第二十条" in result.output

    sql(cli_engine, "UPDATE audit_log SET actor = 'x' WHERE actor = '赵六'")
    result = runner.invoke(app, ["verify", "--chain", "jilin"])
    assert result.exit_code == 1
    assert f"BROKEN at seq {seqs[-1] + 1}: {hc.ALTERED}" in result.output


def test_cli_refuses_unknown_profile_and_bad_date(cli_engine: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["purge", "--chain", "atlantis"])
    assert result.exit_code == 1
    assert "unknown_profile" in result.output
    result = runner.invoke(app, ["purge", "--chain", "jilin", "--today", "2029-02-30"])
    assert result.exit_code == 2


# --------------------------------------------------------------------------- property, on SQLite


@st.composite
def appends_and_tamper(draw: st.DrawFn) -> tuple[list[str], str, int]:
    """Appends interleaved over two chains ("c" is tampered, "o" only spaces the seqs) and one tamper."""
    order = draw(st.lists(st.sampled_from(["c", "c", "o"]), min_size=1, max_size=10))
    if "c" not in order:
        order.append("c")
    n = order.count("c")
    tamper = draw(st.sampled_from(["alter", "delete", "insert", "truncate"]))
    k = draw(st.integers(0, n - 1))
    return order, tamper, k


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(appends_and_tamper())
def test_any_tamper_in_the_database_is_found_at_the_right_seq(case: tuple[list[str], str, int]) -> None:
    order, tamper, k = case
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'p.db'}")
        try:
            Base.metadata.create_all(engine, tables=TABLES)
            sessions = session_factory(engine)
            seqs, hashes = [], []
            for i, chain in enumerate(order):
                with transaction(sessions) as s:
                    e = query(s, T0 + timedelta(minutes=i), chain=chain, i=i)
                    if chain == "c":
                        seqs.append(e.seq)
                        hashes.append(e.hash)
            assert verify(sessions, "c").ok
            n = len(seqs)
            match tamper:
                case "alter":
                    sql(engine, "UPDATE audit_log SET record_ids = '[\"R99\"]' WHERE seq = :s", s=seqs[k])
                    expected = (seqs[k], hc.ALTERED)
                case "delete":
                    sql(engine, "DELETE FROM audit_log WHERE seq = :s", s=seqs[k])
                    expected = (seqs[k + 1], hc.MISSING) if k < n - 1 else (seqs[k], hc.TAIL_MISSING)
                case "insert":  # right after entry k: renumber whatever follows it
                    shift_from(engine, seqs[k] + 1)
                    forge(engine, seqs[k] + 1, hashes[k], chain="c")
                    expected = (seqs[k] + 1, hc.INSERTED if k < n - 1 else hc.BEYOND_HEAD)
                case _:  # truncate: cut the chain from entry k on
                    sql(engine, "DELETE FROM audit_log WHERE chain = 'c' AND seq >= :s", s=seqs[k])
                    expected = (seqs[-1], hc.TAIL_MISSING)
            result = verify(sessions, "c")
            assert (result.ok, result.first_bad_seq, result.reason) == (False, *expected)
        finally:
            engine.dispose()
