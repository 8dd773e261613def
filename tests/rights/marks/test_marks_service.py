"""Statements, withholding, archive, contest and reorganization on real SQLite and PostgreSQL:
the request row, the record event with its audit entry, what each channel sees, the notices owed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from marks_helpers import NJ_CIVIL, NJ_COMPANY, SZ_COMPANY, SZ_OTHER, SZ_SAMR, ZZ_COMPANY, ZZ_SAMR, submit
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import amended, at, government, operator, provider, subject_actor
from xinyong.audit.models import AuditEntry
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import WorkCalendar
from xinyong.notices import service as notices_service
from xinyong.notices.models import Notice
from xinyong.records import service as records_service
from xinyong.records.models import RecordEvent
from xinyong.records.rules import Channel
from xinyong.rights.marks import rules, service
from xinyong.rights.marks.models import MarkCase
from xinyong.subjects.models import Subject


def due_on(notice: Notice) -> date | None:
    """The notice's due day as read now (computed from its rule; no calendar year is loaded here)."""
    found = notices_service.due_of(notice, WorkCalendar())
    return found.due if found else None


def due_provisional(notice: Notice) -> bool:
    found = notices_service.due_of(notice, WorkCalendar())
    return bool(found and found.provisional)


SHENZHEN = profiles.get("shenzhen")
NANJING = profiles.get("nanjing")
HENAN = profiles.get("henan")
JIANGSU = profiles.get("jiangsu")

Factory = sessionmaker[Session]


def sz(sf: Factory, day: date = date(2026, 3, 2), **over: Any) -> tuple[int, int]:
    values: dict[str, Any] = {
        "subject_id": SZ_COMPANY,
        "provider": SZ_SAMR,
        "document": "深市监罚〔2026〕101号",
    }
    values.update(over)
    return submit(sf, SHENZHEN, day, **values)


def good(sf: Factory, profile: Any, day: date, **over: Any) -> tuple[int, int]:
    values: dict[str, Any] = {
        "item": "commendation",
        "severity": None,
        "procedure": None,
        "document": "宁民发〔2026〕88号",
        "data": {"award": "南京慈善奖"},
        "subject_id": NJ_COMPANY,
        "provider": NJ_CIVIL,
    }
    values.update(over)
    return submit(sf, profile, day, **values)


def seen(sf: Factory, profile: Any, subject_id: int, day: date, channel: Channel) -> dict[int, list[str]]:
    """Record id -> marks, as `channel` sees the subject on `day`."""
    actor = government() if channel is Channel.government else operator()
    with transaction(sf) as db:
        view = records_service.read_archive(
            db_session=db,
            profile=profile,
            now=at(day),
            actor=actor,
            subject=db.get(Subject, subject_id),
            channel=channel,
            purpose="依职权查询" if channel is Channel.government else None,
        )
        return {v.record.id: v.marks for v in view.records}


def run(sf: Factory, fn: Any, **kw: Any) -> MarkCase:
    with transaction(sf) as db:
        return fn(db_session=db, **kw)


def refused(sf: Factory, fn: Any, **kw: Any) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        run(sf, fn, **kw)
    return info.value


def record_events(sf: Factory, record_id: int) -> list[tuple[str, dict[str, Any]]]:
    with transaction(sf) as db:
        return [
            (e.kind, e.data)
            for e in db.scalars(
                select(RecordEvent).where(RecordEvent.record_id == record_id).order_by(RecordEvent.id)
            )
        ]


# --------------------------------------------------------------------------- statement


def test_shenzhen_60_statement_attached_and_shown_with_the_record(session_factory: Factory) -> None:
    rid, sid = sz(session_factory)
    now = at(date(2026, 3, 5))
    case = run(
        session_factory,
        service.statement,
        profile=SHENZHEN,
        now=now,
        actor=subject_actor(sid),
        record_id=rid,
        text="因台风停电导致延误",
        ground="force_majeure",
    )
    assert case.ref == f"STM-{case.id}"
    assert record_events(session_factory, rid) == [
        ("statement", {"case": case.ref, "text": "因台风停电导致延误", "ground": "force_majeure"})
    ]
    for channel in (Channel.public, Channel.self, Channel.government):
        assert seen(session_factory, SHENZHEN, sid, date(2026, 3, 5), channel) == {rid: ["statement"]}
    with transaction(session_factory) as db:
        assert "record.statement" in set(db.scalars(select(AuditEntry.action)))


def test_statement_refusals(session_factory: Factory) -> None:
    rid, sid = sz(session_factory)
    _, other = sz(session_factory, subject_id=SZ_OTHER, document="深市监罚〔2026〕102号")
    now = at(date(2026, 3, 5))
    kw = {"profile": SHENZHEN, "now": now, "record_id": rid, "text": "说明"}
    assert refused(session_factory, service.statement, actor=subject_actor(other), **kw).code == "not_allowed"
    assert refused(session_factory, service.statement, actor=provider(SZ_SAMR), **kw).code == "not_allowed"
    assert (
        refused(session_factory, service.statement, actor=subject_actor(sid), **{**kw, "text": " "}).code
        == "missing_field"
    )
    assert (
        refused(session_factory, service.statement, actor=operator(), **{**kw, "record_id": 999}).code
        == "unknown_record"
    )
    nj, njs = submit(
        session_factory, NANJING, date(2026, 3, 2), subject_id=NJ_COMPANY, provider="南京市市场监督管理局"
    )
    err = refused(
        session_factory,
        service.statement,
        profile=NANJING,
        now=now,
        actor=subject_actor(njs),
        record_id=nj,
        text="说明",
    )
    assert err.code == "not_eligible"


# --------------------------------------------------------------------------- withholding


def test_nanjing_61_withheld_at_once_provider_told_within_two_working_days(session_factory: Factory) -> None:
    """Nanjing 第六十一条: asked Fri 2026-11-06, due Tue 11-10; the platform stops outside queries at
    once; government sharing is not an outside query and goes on; the provider is told."""
    rid, sid = good(session_factory, NANJING, date(2026, 11, 4))
    now = at(date(2026, 11, 6))
    case = run(
        session_factory, service.withhold, profile=NANJING, now=now, actor=subject_actor(sid), record_id=rid
    )
    assert seen(session_factory, NANJING, sid, date(2026, 11, 6), Channel.public) == {}
    assert rid in seen(session_factory, NANJING, sid, date(2026, 11, 6), Channel.government)
    assert rid in seen(session_factory, NANJING, sid, date(2026, 11, 6), Channel.self)
    [(kind, data)] = record_events(session_factory, rid)
    assert (kind, data["due_on"], data["provisional"]) == ("withheld", "2026-11-10", False)
    with transaction(session_factory) as db:
        notice = db.scalars(select(Notice)).one()
        assert (notice.recipient, notice.recipient_kind, notice.kind, due_on(notice)) == (
            NJ_CIVIL,
            "provider",
            "withholding.done",
            date(2026, 11, 10),
        )
        v = service.view(db_session=db, profile=NANJING, case=db.get(MarkCase, case.id))
        assert (v.due.due, v.due.provisional, v.done_at) == (date(2026, 11, 10), False, now)
    err = refused(
        session_factory, service.withhold, profile=NANJING, now=now, actor=subject_actor(sid), record_id=rid
    )
    assert err.code == "not_eligible"


def test_withholding_dishonest_information_not_eligible(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory, NANJING, date(2026, 3, 2), subject_id=NJ_COMPANY, provider="南京市市场监督管理局"
    )
    err = refused(
        session_factory,
        service.withhold,
        profile=NANJING,
        now=at(date(2026, 3, 3)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert (err.code, err.cite) == ("not_eligible", "南京 第六十一条")


def test_shenzhen_59_delete_on_request_nanjing_only_withholds(session_factory: Factory) -> None:
    rid, sid = good(
        session_factory, SHENZHEN, date(2026, 3, 2), subject_id=SZ_COMPANY, provider="深圳市民政局"
    )
    run(
        session_factory,
        service.withhold,
        profile=SHENZHEN,
        now=at(date(2026, 3, 3)),
        actor=subject_actor(sid),
        record_id=rid,
        mode="delete",
    )
    assert [k for k, _ in record_events(session_factory, rid)] == ["deleted"]
    assert seen(session_factory, SHENZHEN, sid, date(2026, 3, 3), Channel.self) == {}
    with transaction(session_factory) as db:
        assert db.scalars(select(Notice)).all() == []  # Shenzhen 第五十九条 sets no notice to the provider
    nj, njs = good(session_factory, NANJING, date(2026, 3, 2))
    err = refused(
        session_factory,
        service.withhold,
        profile=NANJING,
        now=at(date(2026, 3, 3)),
        actor=subject_actor(njs),
        record_id=nj,
        mode="delete",
    )
    assert (err.code, err.field) == ("not_eligible", "mode")


# --------------------------------------------------------------------------- archive


def test_henan_44_archive_on_request_once_after_the_period(session_factory: Factory) -> None:
    rid, sid = submit(session_factory, HENAN, date(2026, 3, 2), subject_id=ZZ_COMPANY, provider=ZZ_SAMR)
    kw = {"profile": HENAN, "actor": subject_actor(sid), "record_id": rid}
    err = refused(session_factory, service.archive, now=at(date(2031, 3, 2)), **kw)
    assert (err.code, err.cite) == ("not_eligible", "河南 第四十四条")
    case = run(session_factory, service.archive, now=at(date(2031, 3, 3)), **kw)
    assert record_events(session_factory, rid) == [("archived", {"case": case.ref})]
    assert refused(session_factory, service.archive, now=at(date(2031, 3, 4)), **kw).code == "not_eligible"
    with transaction(session_factory) as db:
        record = records_service.get_or_raise(db_session=db, record_id=rid)
        assert (
            records_service.record_status(
                db_session=db, profile=HENAN, now=at(date(2031, 3, 4)), record=record
            )
            == "archived"
        )


def test_archive_not_eligible_elsewhere(session_factory: Factory) -> None:
    rid, sid = sz(session_factory)
    err = refused(
        session_factory,
        service.archive,
        profile=SHENZHEN,
        now=at(date(2032, 1, 1)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert err.code == "not_eligible"


# --------------------------------------------------------------------------- contest


def test_shenzhen_61_contest_suspends_then_ends(session_factory: Factory) -> None:
    """Shenzhen 第六十一条第三款: suspended for public and government while contested; shown again after."""
    rid, sid = sz(session_factory)
    assert rid in seen(session_factory, SHENZHEN, sid, date(2026, 3, 3), Channel.government)  # now shared
    case = run(
        session_factory,
        service.contest,
        profile=SHENZHEN,
        now=at(date(2026, 3, 4)),
        actor=subject_actor(sid),
        record_id=rid,
        proceeding="administrative_review",
        document="深府复〔2026〕5号",
    )
    for channel in (Channel.public, Channel.government):
        assert seen(session_factory, SHENZHEN, sid, date(2026, 3, 4), channel) == {}
    assert seen(session_factory, SHENZHEN, sid, date(2026, 3, 4), Channel.self) == {rid: ["suspended"]}
    err = refused(
        session_factory,
        service.contest,
        profile=SHENZHEN,
        now=at(date(2026, 3, 5)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert err.code == "not_eligible"
    with transaction(session_factory) as db:
        told = sorted((n.recipient_kind, n.recipient, due_on(n)) for n in db.scalars(select(Notice)))
        # contested Wed 03-04: sharing units within 1 WD (第四十二条) → Thu 03-05
        assert told == [
            ("provider", SZ_SAMR, None),
            ("sharing_unit", "长春市发展和改革委员会", date(2026, 3, 5)),
        ]
    run(
        session_factory,
        service.contest_end,
        profile=SHENZHEN,
        now=at(date(2026, 5, 6)),
        actor=operator(),
        record_id=rid,
        outcome="维持",
    )
    assert rid in seen(session_factory, SHENZHEN, sid, date(2026, 5, 6), Channel.public)
    assert [k for k, _ in record_events(session_factory, rid)] == ["suspended", "suspended.end"]
    assert record_events(session_factory, rid)[1][1] == {"case": case.ref, "outcome": "维持"}
    err = refused(
        session_factory,
        service.contest_end,
        profile=SHENZHEN,
        now=at(date(2026, 5, 7)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert err.code == "not_eligible"
    # a new review may start again
    run(
        session_factory,
        service.contest,
        profile=SHENZHEN,
        now=at(date(2026, 5, 8)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert seen(session_factory, SHENZHEN, sid, date(2026, 5, 8), Channel.public) == {}


def test_contest_elsewhere(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory,
        JIANGSU,
        date(2026, 3, 2),
        subject_id="91320102MA1P5W6X7D",
        provider="南京市市场监督管理局",
    )
    err = refused(
        session_factory,
        service.contest,
        profile=JIANGSU,
        now=at(date(2026, 3, 3)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert err.code == "not_eligible"
    calm = amended(JIANGSU, lambda d: d.update(contest={"suspends_disclosure": False, "cite": "test"}))
    run(
        session_factory,
        service.contest,
        profile=calm,
        now=at(date(2026, 3, 3)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    assert [k for k, _ in record_events(session_factory, rid)] == ["contested"]
    assert rid in seen(session_factory, calm, sid, date(2026, 3, 3), Channel.public)


def test_concurrent_contest_end_cannot_both_win(session_factory: Factory) -> None:
    rid, sid = sz(session_factory)
    run(
        session_factory,
        service.contest,
        profile=SHENZHEN,
        now=at(date(2026, 3, 4)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    b = session_factory()
    try:
        stale = b.scalars(select(MarkCase)).one()  # B has the pending contest in front of it
        run(
            session_factory,
            service.contest_end,
            profile=SHENZHEN,
            now=at(date(2026, 3, 5)),
            actor=operator(),
            record_id=rid,
        )
        with pytest.raises(XinyongError) as info:
            service._end(b, stale, at(date(2026, 3, 5)), operator())
        assert info.value.code == "conflict"
        b.rollback()
    finally:
        b.close()


# --------------------------------------------------------------------------- reorganization


def test_shenzhen_69_reorganization_marks_pre_plan_records_at_once(session_factory: Factory) -> None:
    """Shenzhen 第六十九条: the plan approved 2026-06-01 is presented Mon 2026-06-15; every record decided
    before 06-01 is marked at once (the 7-WD deadline, 06-24, is kept); a later record is not."""
    old, sid = sz(session_factory)
    newer, _ = sz(
        session_factory, day=date(2026, 6, 10), decided_on="2026-06-05", document="深市监罚〔2026〕201号"
    )
    case = run(
        session_factory,
        service.reorganize,
        profile=SHENZHEN,
        now=at(date(2026, 6, 15)),
        actor=subject_actor(sid),
        subject=_subject(session_factory, sid),
        document="(2026)粤03破12号之一",
        plan_on=date(2026, 6, 1),
    )
    assert (case.ref, case.plan_on, case.data["records"], case.data["treat_as_new"]) == (
        f"REO-{case.id}",
        date(2026, 6, 1),
        [old],
        True,
    )
    assert seen(session_factory, SHENZHEN, sid, date(2026, 6, 15), Channel.public) == {
        old: ["reorganization"],
        newer: [],
    }
    with transaction(session_factory) as db:
        v = service.view(db_session=db, profile=SHENZHEN, case=db.get(MarkCase, case.id))
        # 06-16, 17, 18, (19 端午节), 22, 23, 24, 25 → due Thu 06-25
        assert (v.due.due, v.due.provisional) == (date(2026, 6, 25), False)
        assert service.treated_as_new(db_session=db, profile=SHENZHEN, subject_id=sid)
        rows = service.open_cases(db_session=db, jurisdiction="shenzhen", now=at(date(2026, 6, 15)))
        assert [(r.ref, r.kind, r.stage, r.due) for r in rows] == [
            (case.ref, "reorganization", "plan_execution", None)
        ]
        subject = db.get(Subject, sid)
        facts = {
            r.id: records_service.facts_of(r, subject.kind, records_service.events_of(db, [r.id])[r.id])
            for r in (records_service.get_or_raise(db_session=db, record_id=i) for i in (old, newer))
        }
    assert rules.excluded_from_adverse_use(
        facts[old], "government_procurement", SHENZHEN, at(date(2026, 6, 15))
    )
    assert not rules.excluded_from_adverse_use(
        facts[newer], "government_procurement", SHENZHEN, at(date(2026, 6, 15))
    )
    err = refused(
        session_factory,
        service.reorganize,
        profile=SHENZHEN,
        now=at(date(2026, 6, 16)),
        actor=subject_actor(sid),
        subject=_subject(session_factory, sid),
        document="x",
    )
    assert err.code == "not_eligible"
    run(
        session_factory,
        service.end_reorganization,
        profile=SHENZHEN,
        now=at(date(2027, 6, 1)),
        actor=operator(),
        subject=_subject(session_factory, sid),
    )
    assert seen(session_factory, SHENZHEN, sid, date(2027, 6, 1), Channel.self)[old] == []
    with transaction(session_factory) as db:
        assert not service.treated_as_new(db_session=db, profile=SHENZHEN, subject_id=sid)


def _subject(sf: Factory, sid: int) -> Subject:
    with transaction(sf) as db:
        return db.get(Subject, sid)


def test_reorganization_refusals(session_factory: Factory) -> None:
    _, sid = sz(session_factory)
    _, other = sz(session_factory, subject_id=SZ_OTHER, document="深市监罚〔2026〕102号")
    me = _subject(session_factory, sid)
    now = at(date(2026, 6, 15))
    assert (
        refused(
            session_factory,
            service.reorganize,
            profile=SHENZHEN,
            now=now,
            actor=subject_actor(other),
            subject=me,
            document="x",
        ).code
        == "not_allowed"
    )
    assert (
        refused(
            session_factory,
            service.reorganize,
            profile=SHENZHEN,
            now=now,
            actor=subject_actor(sid),
            subject=me,
            document=None,
        ).code
        == "missing_field"
    )
    assert (
        refused(
            session_factory,
            service.reorganize,
            profile=SHENZHEN,
            now=now,
            actor=operator(),
            subject=me,
            document="x",
            plan_on=date(2026, 6, 16),
        ).code
        == "invalid_date"
    )
    assert (
        refused(
            session_factory,
            service.reorganize,
            profile=JIANGSU,
            now=now,
            actor=operator(),
            subject=me,
            document="x",
        ).code
        == "not_eligible"
    )
    assert (
        refused(
            session_factory,
            service.end_reorganization,
            profile=SHENZHEN,
            now=now,
            actor=operator(),
            subject=me,
        ).code
        == "not_eligible"
    )
    assert (
        refused(
            session_factory,
            service.end_reorganization,
            profile=SHENZHEN,
            now=now,
            actor=subject_actor(sid),
            subject=me,
        ).code
        == "not_allowed"
    )


def test_requests_listed_for_the_subject_and_operators(session_factory: Factory) -> None:
    rid, sid = sz(session_factory)
    run(
        session_factory,
        service.statement,
        profile=SHENZHEN,
        now=at(date(2026, 3, 5)),
        actor=subject_actor(sid),
        record_id=rid,
        text="说明",
    )
    run(
        session_factory,
        service.contest,
        profile=SHENZHEN,
        now=at(date(2026, 3, 6)),
        actor=subject_actor(sid),
        record_id=rid,
    )
    with transaction(session_factory) as db:
        assert [
            v.case.kind for v in service.list_cases(db_session=db, profile=SHENZHEN, actor=operator())
        ] == ["statement", "contest"]
        assert [
            v.case.kind
            for v in service.list_cases(
                db_session=db, profile=SHENZHEN, actor=subject_actor(sid), kind="contest"
            )
        ] == ["contest"]
        assert service.list_cases(db_session=db, profile=SHENZHEN, actor=subject_actor(sid + 100)) == []
        with pytest.raises(XinyongError):
            service.list_cases(db_session=db, profile=SHENZHEN, actor=provider(SZ_SAMR))
        rows = service.open_cases(db_session=db, jurisdiction="shenzhen", now=at(date(2026, 3, 6)))
        assert [(r.kind, r.stage, r.handling_unit, r.overdue) for r in rows] == [
            ("contest", "suspended", "platform", False)
        ]


def test_every_request_and_end_is_audited_even_without_records(session_factory: Factory) -> None:
    """A plan presented by an enterprise with no records yet marks nothing, but the request and its
    end are kept in the audit chain (nothing decided is lost)."""
    with transaction(session_factory) as db:
        from xinyong.subjects import service as subjects_service

        sid = subjects_service.get_or_create(
            db_session=db,
            now=at(date(2026, 6, 1)),
            kind="legal_person",
            identifier=SZ_OTHER,
            name="深圳市另一公司",
        ).id
    me = _subject(session_factory, sid)
    case = run(
        session_factory,
        service.reorganize,
        profile=SHENZHEN,
        now=at(date(2026, 6, 15)),
        actor=subject_actor(sid),
        subject=me,
        document="(2026)粤03破13号",
    )
    assert case.data["records"] == []
    run(
        session_factory,
        service.end_reorganization,
        profile=SHENZHEN,
        now=at(date(2027, 6, 1)),
        actor=operator(),
        subject=me,
    )
    with transaction(session_factory) as db:
        rows = db.execute(
            select(AuditEntry.action, AuditEntry.details).where(AuditEntry.subject_id == SZ_OTHER)
        ).all()
        assert [(a, d["case"]) for a, d in rows] == [
            ("reorganization.requested", case.ref),
            ("reorganization.ended", case.ref),
        ]
