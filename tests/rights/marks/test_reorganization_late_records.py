"""Shenzhen 第七十一条 on SQLite and PostgreSQL: pre-plan information is excluded from adverse
decisions by the day it was decided, whenever its provider submitted it."""

from __future__ import annotations

from datetime import date

from marks_helpers import SZ_COMPANY, SZ_SAMR, submit
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import at, operator, provider, subject_actor
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.records.models import Record, RecordEvent
from xinyong.rights.marks import rules, service
from xinyong.rights.marks.models import MarkCase
from xinyong.subjects.models import Subject

SHENZHEN = profiles.get("shenzhen")
JIANGSU = profiles.get("jiangsu")
Factory = sessionmaker[Session]
LICENSE = "administrative_license"


def sz(sf: Factory, day: date, decided_on: str, n: int) -> tuple[int, int]:
    return submit(
        sf,
        SHENZHEN,
        day,
        subject_id=SZ_COMPANY,
        provider=SZ_SAMR,
        decided_on=decided_on,
        document=f"深市监罚〔2026〕{300 + n}号",
    )


def reorganize(sf: Factory, sid: int, day: date, plan_on: date) -> MarkCase:
    with transaction(sf) as db:
        return service.reorganize(
            db_session=db,
            profile=SHENZHEN,
            now=at(day),
            actor=subject_actor(sid),
            subject=db.get(Subject, sid),
            document="(2026)粤03破12号之一",
            plan_on=plan_on,
        )


def excluded(sf: Factory, sid: int, day: date, matter: str = LICENSE) -> set[int]:
    with transaction(sf) as db:
        return service.excluded_records(
            db_session=db, profile=SHENZHEN, now=at(day), subject_id=sid, matter=matter
        )


def test_shenzhen_71_record_decided_before_the_plan_but_submitted_after_the_request(
    session_factory: Factory,
) -> None:
    """Plan approved 2026-06-10, presented 06-15. R_old (decided 03-02) is marked at once; R_late
    (decided 06-09, submitted 06-20) carries no mark but is pre-plan: excluded as well. R_day
    (decided 06-10, the plan's day) and R_new (decided 07-01) are used."""
    sf = session_factory
    old, sid = sz(sf, date(2026, 3, 2), "2026-03-02", 1)
    reorganize(sf, sid, date(2026, 6, 15), date(2026, 6, 10))
    late, _ = sz(sf, date(2026, 6, 20), "2026-06-09", 2)
    day, _ = sz(sf, date(2026, 6, 20), "2026-06-10", 3)
    new, _ = sz(sf, date(2026, 7, 1), "2026-07-01", 4)
    assert excluded(sf, sid, date(2026, 7, 1)) == {old, late}
    assert excluded(sf, sid, date(2026, 7, 1), "government_procurement") == {old, late}
    assert excluded(sf, sid, date(2026, 7, 1), "tendering") == {old, late}
    assert excluded(sf, sid, date(2026, 7, 1), "honors") == set()  # not a matter of 第七十一条
    assert day not in excluded(sf, sid, date(2026, 7, 1)) and new not in excluded(sf, sid, date(2026, 7, 1))
    # before the request reached the platform nothing was excluded (the plan was not known)
    assert excluded(sf, sid, date(2026, 6, 14)) == set()


def test_a_late_pre_plan_record_takes_the_plans_mark_when_submitted(session_factory: Factory) -> None:
    """A pre-plan record reaching the platform during execution is marked when it is submitted
    (第六十九条) and its mark ends with the plan; a post-plan record is not. Marking is idempotent:
    mark_submitted_record on a record the submission already marked adds nothing."""
    sf = session_factory
    old, sid = sz(sf, date(2026, 3, 2), "2026-03-02", 1)
    case = reorganize(sf, sid, date(2026, 6, 15), date(2026, 6, 10))
    late, _ = sz(sf, date(2026, 6, 20), "2026-06-09", 2)
    new, _ = sz(sf, date(2026, 6, 20), "2026-06-12", 3)
    with transaction(sf) as db:  # the submission itself marked the late pre-plan record
        marked = {
            e.record_id for e in db.scalars(select(RecordEvent).where(RecordEvent.kind == "reorganization"))
        }
        assert marked == {old, late}
    with transaction(sf) as db:
        for rid in (late, new):
            record = db.get(Record, rid)
            assert record is not None
            found = service.mark_submitted_record(
                db_session=db,
                profile=SHENZHEN,
                now=at(date(2026, 6, 20)),
                actor=provider(SZ_SAMR),
                record=record,
            )
            assert (found is not None) == (rid == late)
    with transaction(sf) as db:
        marks = {
            (e.record_id, e.kind, e.data["case"])
            for e in db.scalars(select(RecordEvent).where(RecordEvent.kind.like("reorganization%")))
        }
        assert marks == {(old, "reorganization", case.ref), (late, "reorganization", case.ref)}
        assert db.get(MarkCase, case.id).data["records"] == [old, late]  # type: ignore[union-attr]
    with transaction(sf) as db:
        service.end_reorganization(
            db_session=db,
            profile=SHENZHEN,
            now=at(date(2026, 12, 1)),
            actor=operator(),
            subject=db.get(Subject, sid),
        )
    with transaction(sf) as db:
        ended = {
            e.record_id
            for e in db.scalars(select(RecordEvent).where(RecordEvent.kind == "reorganization.end"))
        }
        assert ended == {old, late}
    # the plan's execution is over: nothing is excluded any more, and nothing new is marked
    assert excluded(sf, sid, date(2026, 12, 2)) == set()
    later, _ = sz(sf, date(2026, 12, 2), "2026-05-01", 5)
    with transaction(sf) as db:
        record = db.get(Record, later)
        assert (
            service.mark_submitted_record(
                db_session=db,
                profile=SHENZHEN,
                now=at(date(2026, 12, 2)),
                actor=provider(SZ_SAMR),
                record=record,  # type: ignore[arg-type]
            )
            is None
        )


def test_pure_rule_with_plans_and_silent_profiles() -> None:
    from xinyong.records.rules import RecordFacts

    record = RecordFacts(
        id=1,
        item="admin_penalty",
        subject_kind="legal_person",
        provider=SZ_SAMR,
        decided_on=date(2026, 6, 9),
        submitted_on=date(2026, 6, 20),
    )
    plan = rules.Plan(date(2026, 6, 10), at(date(2026, 6, 15)), None)
    assert rules.excluded_from_adverse_use(record, LICENSE, SHENZHEN, at(date(2026, 6, 20)), [plan])
    assert not rules.excluded_from_adverse_use(record, LICENSE, SHENZHEN, at(date(2026, 6, 14)), [plan])
    same_day = RecordFacts(**{**record.__dict__, "decided_on": date(2026, 6, 10)})
    assert not rules.excluded_from_adverse_use(same_day, LICENSE, SHENZHEN, at(date(2026, 6, 20)), [plan])
    ended = rules.Plan(date(2026, 6, 10), at(date(2026, 6, 15)), at(date(2026, 9, 1)))
    assert not rules.excluded_from_adverse_use(record, LICENSE, SHENZHEN, at(date(2026, 9, 1)), [ended])
    assert rules.excluded_from_adverse_use(record, LICENSE, SHENZHEN, None, [plan])
    # the other four texts are silent on reorganization (R-BKR)
    assert not rules.excluded_from_adverse_use(record, LICENSE, JIANGSU, at(date(2026, 6, 20)), [plan])
