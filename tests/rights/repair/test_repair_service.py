"""Credit repair service on real SQLite and PostgreSQL: apply, extend, decide, 复审, effects, queue.

Each use case runs in one `transaction(session_factory)`, as the API, the CLI and the scenario
runner do, and every assertion names the exact code, date or row the law requires.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from repair_helpers import CC_COMPANY, CC_SAMR, SZ_COMPANY, SZ_OTHER, SZ_SAMR, submit
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import at, government, operator, provider, ric, subject_actor
from xinyong.audit.models import AuditEntry
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import WorkCalendar
from xinyong.notices import service as notices_service
from xinyong.notices.models import Notice
from xinyong.records import service as records_service
from xinyong.records.models import RecordEvent
from xinyong.records.rules import Channel
from xinyong.rights.repair import service
from xinyong.rights.repair.models import RepairCase, RepairEvent
from xinyong.subjects.models import Subject


def due_on(notice: Notice) -> date | None:
    """The notice's due day as read now (computed from its rule; no calendar year is loaded here)."""
    found = notices_service.due_of(notice, WorkCalendar())
    return found.due if found else None


def due_provisional(notice: Notice) -> bool:
    found = notices_service.due_of(notice, WorkCalendar())
    return bool(found and found.provisional)


SHENZHEN = profiles.get("shenzhen")
JILIN = profiles.get("jilin")
HENAN = profiles.get("henan")
NANJING = profiles.get("nanjing")

Factory = sessionmaker[Session]


def sz_record(sf: Factory, **over: Any) -> tuple[int, int]:
    values: dict[str, Any] = {
        "subject_id": SZ_COMPANY,
        "subject_name": "深圳市罗湖区某某贸易有限公司",
        "provider": SZ_SAMR,
        "decided_on": "2026-03-02",
        "document": "深市监罚〔2026〕101号",
        "data": {"min_period_until": "2026-09-02"},
    }
    values.update(over)
    return submit(sf, SHENZHEN, date(2026, 3, 2), **values)


def apply(sf: Factory, profile: Any, day: date, actor: Actor, record_id: int, **kw: Any) -> int:
    kw.setdefault("measures", ["commitment_letter", "training"])
    with transaction(sf) as db:
        case = service.apply(
            db_session=db, profile=profile, now=at(day), actor=actor, record_id=record_id, **kw
        )
        return case.id


def decide(
    sf: Factory, profile: Any, day: date, actor: Actor, case_id: int, outcome: str, **kw: Any
) -> RepairCase:
    with transaction(sf) as db:
        return service.decide(
            db_session=db, profile=profile, now=at(day), actor=actor, case_id=case_id, outcome=outcome, **kw
        )


def refused(fn: Any, *args: Any, **kw: Any) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        fn(*args, **kw)
    return info.value


def public_ids(
    sf: Factory, profile: Any, subject_id: int, day: date, channel: Channel = Channel.public
) -> list[int]:
    actor = government() if channel is Channel.government else operator()
    with transaction(sf) as db:
        subject = db.get(Subject, subject_id)
        view = records_service.read_archive(
            db_session=db,
            profile=profile,
            now=at(day),
            actor=actor,
            subject=subject,
            channel=channel,
            purpose="依职权查询" if channel is Channel.government else None,
        )
        return [v.record.id for v in view.records]


# --------------------------------------------------------------------------- apply


def test_shenzhen_63_apply_too_early_then_accepted_with_event_audit_and_notice(
    session_factory: Factory,
) -> None:
    """Shenzhen 第六十三条: before the provider's minimum ends too_early; the next day accepted (受理),
    the provider is told and must decide within 5 WD (第六十五条)."""
    rid, sid = sz_record(session_factory)
    me = subject_actor(sid)
    err = refused(apply, session_factory, SHENZHEN, date(2026, 9, 2), me, rid)
    assert (err.code, err.field) == ("too_early", "record")
    case_id = apply(session_factory, SHENZHEN, date(2026, 9, 3), me, rid)
    with transaction(session_factory) as db:
        case = db.get(RepairCase, case_id)
        assert (case.state, case.handling_unit, case.measures) == (
            "received",
            SZ_SAMR,
            ["commitment_letter", "training"],
        )
        assert case.commitment_published_at == at(date(2026, 9, 3))  # 第六十四条: 予以公示
        assert [e.kind for e in db.scalars(select(RepairEvent))] == ["filed"]
        actions = [a for a in db.scalars(select(AuditEntry.action)) if a and a.startswith("repair.")]
        assert actions == ["repair.filed"]
        notice = db.scalars(select(Notice).where(Notice.kind == "repair.received")).one()
        # Thu 09-03: 09-04, 09-07, 09-08, 09-09, 09-10
        assert (notice.recipient, notice.recipient_kind, due_on(notice), due_provisional(notice)) == (
            SZ_SAMR,
            "provider",
            date(2026, 9, 10),
            False,
        )


def test_shenzhen_64_commitment_letter_required(session_factory: Factory) -> None:
    rid, sid = sz_record(session_factory)
    err = refused(
        apply, session_factory, SHENZHEN, date(2026, 9, 3), subject_actor(sid), rid, measures=["training"]
    )
    assert (err.code, err.field, err.cite) == ("not_eligible", "measures", SHENZHEN.repair.cite)


def test_repair_of_another_subjects_record_not_allowed(session_factory: Factory) -> None:
    rid, _ = sz_record(session_factory)
    _, other = sz_record(session_factory, subject_id=SZ_OTHER, document="深市监罚〔2026〕102号")
    err = refused(apply, session_factory, SHENZHEN, date(2026, 9, 3), subject_actor(other), rid)
    assert err.code == "not_allowed"
    # nor may a provider or a government unit file it
    assert (
        refused(apply, session_factory, SHENZHEN, date(2026, 9, 3), provider(SZ_SAMR), rid).code
        == "not_allowed"
    )


def test_operator_files_for_the_subject_and_second_open_case_refused(session_factory: Factory) -> None:
    rid, _ = sz_record(session_factory)
    apply(session_factory, SHENZHEN, date(2026, 9, 3), operator(), rid)
    err = refused(apply, session_factory, SHENZHEN, date(2026, 9, 4), operator(), rid)
    assert err.code == "not_eligible" and "open" in (err.detail or "")


def test_unknown_record_and_listing(session_factory: Factory) -> None:
    assert (
        refused(apply, session_factory, SHENZHEN, date(2026, 9, 3), operator(), 999).code == "unknown_record"
    )
    err = refused(apply, session_factory, SHENZHEN, date(2026, 9, 3), operator(), None, listing_id=1)
    assert (err.code, err.field) == ("unknown_listing", "listing")


def test_nanjing_60_suspension_order_never_repaired(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory,
        NANJING,
        date(2026, 3, 2),
        subject_id="91320105MA1NQ3R4TH",
        provider="南京市市场监督管理局",
        data={"suspension_order": True},
    )
    err = refused(
        apply, session_factory, NANJING, date(2026, 3, 3), subject_actor(sid), rid, measures=["report"]
    )
    assert (err.code, err.cite) == ("not_repairable", "南京 第六十条第三款 (被处以责令停产停业)")


# --------------------------------------------------------------------------- decide


def test_shenzhen_66_approval_stops_disclosure_and_sharing_and_tells_everyone(
    session_factory: Factory,
) -> None:
    """Shenzhen 第六十六条: repaired penalty information is no longer disclosed or shared (第一项);
    sharing units are told within 1 WD (第四十二条), implementers to stop their measures (第三项)."""
    rid, sid = sz_record(session_factory)
    assert rid in public_ids(session_factory, SHENZHEN, sid, date(2026, 9, 1), Channel.government)  # shared
    case_id = apply(
        session_factory,
        SHENZHEN,
        date(2026, 9, 3),
        subject_actor(sid),
        rid,
        implementing_units=["深圳市住房和建设局"],
    )
    case = decide(
        session_factory,
        SHENZHEN,
        date(2026, 9, 30),
        provider(SZ_SAMR),
        case_id,
        "approved",
        reason="整改到位",
    )
    assert (case.state, case.decided_at, case.closed_at, case.version) == (
        "approved",
        at(date(2026, 9, 30)),
        at(date(2026, 9, 30)),
        2,
    )
    assert rid not in public_ids(session_factory, SHENZHEN, sid, date(2026, 9, 30))
    assert rid not in public_ids(session_factory, SHENZHEN, sid, date(2026, 9, 30), Channel.government)
    with transaction(session_factory) as db:
        events = db.scalars(select(RecordEvent).where(RecordEvent.record_id == rid)).all()
        assert [(e.kind, e.data["case"]) for e in events] == [("repaired", f"REP-{case_id}")]
        notices = {(n.kind, n.recipient_kind): n for n in db.scalars(select(Notice))}
        shared = notices[("repair.approved", "sharing_unit")]
        # decided Wed 09-30; the next working day is 10-08 (National Day)
        assert (shared.recipient, due_on(shared)) == ("长春市发展和改革委员会", date(2026, 10, 8))
        assert notices[("repair.approved", "implementing_unit")].recipient == "深圳市住房和建设局"
        assert notices[("repair.approved", "applicant")].recipient == SZ_COMPANY
        assert ("repair.approved", "provider") not in notices  # the provider decided itself
        actions = [a for a in db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)) if a]
        assert actions[-2:] == ["repair.decided", "record.repaired"]


def test_decision_on_a_closed_case_and_by_another_unit(session_factory: Factory) -> None:
    rid, sid = sz_record(session_factory)
    case_id = apply(session_factory, SHENZHEN, date(2026, 9, 3), subject_actor(sid), rid)
    assert (
        refused(
            decide,
            session_factory,
            SHENZHEN,
            date(2026, 9, 4),
            provider("深圳市生态环境局"),
            case_id,
            "approved",
        ).code
        == "not_allowed"
    )
    assert (
        refused(
            decide, session_factory, SHENZHEN, date(2026, 9, 4), subject_actor(sid), case_id, "approved"
        ).code
        == "not_allowed"
    )
    assert (
        refused(decide, session_factory, SHENZHEN, date(2026, 9, 4), operator(), case_id, "maybe").code
        == "invalid_field"
    )
    decide(
        session_factory,
        SHENZHEN,
        date(2026, 9, 4),
        operator(),
        case_id,
        "denied",
        reason="情节特别严重",
        ground="especially_serious",
    )
    err = refused(decide, session_factory, SHENZHEN, date(2026, 9, 5), operator(), case_id, "approved")
    assert err.code == "case_closed"
    assert (
        refused(decide, session_factory, SHENZHEN, date(2026, 9, 5), operator(), 999, "approved").code
        == "unknown_case"
    )
    with transaction(session_factory) as db:
        # the platform decided: the provider is told, with the reasons in writing to the applicant
        kinds = sorted(
            (n.kind, n.recipient_kind) for n in db.scalars(select(Notice)) if n.kind != "repair.received"
        )
        assert kinds == [("repair.denied", "applicant"), ("repair.denied", "provider")]
        assert db.scalars(select(RecordEvent)).all() == []  # a denial changes nothing on the record


def test_refusal_ground_must_be_the_profiles(session_factory: Factory) -> None:
    rid, sid = sz_record(session_factory)
    case_id = apply(session_factory, SHENZHEN, date(2026, 9, 3), subject_actor(sid), rid)
    err = refused(
        decide, session_factory, SHENZHEN, date(2026, 9, 4), operator(), case_id, "denied", ground="dislike"
    )
    assert (err.code, err.field) == ("invalid_field", "ground")


def test_shenzhen_65_extension_once_to_ten_working_days(session_factory: Factory) -> None:
    """Shenzhen 第六十五条: accepted Tue 09-29, due 10-12; extended, due 10-19; no second extension."""
    rid, sid = sz_record(session_factory)
    case_id = apply(session_factory, SHENZHEN, date(2026, 9, 29), subject_actor(sid), rid)
    with transaction(session_factory) as db:
        v = service.view(
            db_session=db, profile=SHENZHEN, now=at(date(2026, 10, 13)), case=db.get(RepairCase, case_id)
        )
        assert (v.waiting.name, v.waiting.due, v.overdue) == ("decision", date(2026, 10, 12), True)
    with transaction(session_factory) as db:
        service.extend(
            db_session=db,
            profile=SHENZHEN,
            now=at(date(2026, 10, 9)),
            actor=provider(SZ_SAMR),
            case_id=case_id,
            reason="情况复杂",
        )
    with transaction(session_factory) as db:
        v = service.view(
            db_session=db, profile=SHENZHEN, now=at(date(2026, 10, 13)), case=db.get(RepairCase, case_id)
        )
        assert (v.waiting.due, v.overdue) == (date(2026, 10, 19), False)
        assert [e.kind for e in v.events] == ["filed", "extended"]
    with transaction(session_factory) as db, pytest.raises(XinyongError) as info:
        service.extend(
            db_session=db, profile=SHENZHEN, now=at(date(2026, 10, 9)), actor=operator(), case_id=case_id
        )
    assert info.value.code == "extension_exceeds_cap"


def test_no_extension_where_the_profile_allows_none(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory,
        HENAN,
        date(2026, 3, 2),
        subject_id="91410105MA45C6D7ED",
        provider="郑州市市场监督管理局",
    )
    case_id = apply(session_factory, HENAN, date(2026, 3, 3), subject_actor(sid), rid, measures=[])
    with transaction(session_factory) as db, pytest.raises(XinyongError) as info:
        service.extend(
            db_session=db, profile=HENAN, now=at(date(2026, 3, 3)), actor=operator(), case_id=case_id
        )
    assert info.value.code == "not_eligible"


def test_jilin_38_unit_approves_platform_re_reviews_then_marks(session_factory: Factory) -> None:
    """Jilin 第三十八条: the unit's written decision goes to the provincial agency for 复审; once passed,
    the record is marked repaired (3 WD from receiving the decision) and stays disclosed (mark only)."""
    rid, sid = submit(
        session_factory,
        JILIN,
        date(2026, 3, 2),
        subject_id=CC_COMPANY,
        provider=CC_SAMR,
        effective_on="2026-03-02",
    )
    case_id = apply(
        session_factory, JILIN, date(2026, 9, 15), subject_actor(sid), rid, measures=["commitment_letter"]
    )
    case = decide(session_factory, JILIN, date(2026, 9, 30), provider(CC_SAMR), case_id, "approved")
    assert case.state == "under_review"
    assert (
        refused(
            decide, session_factory, JILIN, date(2026, 9, 30), provider(CC_SAMR), case_id, "approved"
        ).code
        == "wrong_stage"
    )
    with transaction(session_factory) as db:
        assert db.scalars(select(RecordEvent)).all() == []  # not repaired before the 复审
        v = service.view(db_session=db, profile=JILIN, now=at(date(2026, 10, 12)), case=case)
        assert (v.waiting.name, v.waiting.due, v.overdue) == ("mark", date(2026, 10, 10), True)
        with pytest.raises(XinyongError) as info:
            service.review(
                db_session=db,
                profile=JILIN,
                now=at(date(2026, 10, 9)),
                actor=provider(CC_SAMR),
                case_id=case_id,
                outcome="passed",
            )
        assert info.value.code == "not_allowed"
    with transaction(session_factory) as db:
        case = service.review(
            db_session=db,
            profile=JILIN,
            now=at(date(2026, 10, 9)),
            actor=operator(),
            case_id=case_id,
            outcome="passed",
        )
        assert case.state == "approved"
    with transaction(session_factory) as db:
        v = service.view(
            db_session=db, profile=JILIN, now=at(date(2026, 10, 12)), case=db.get(RepairCase, case_id)
        )
        assert not v.overdue and {s.name: s.late for s in v.stages} == {
            "decision": False,
            "re_review": False,
            "mark": False,
        }
        subject = db.get(Subject, sid)
        view = records_service.read_archive(
            db_session=db,
            profile=JILIN,
            now=at(date(2026, 10, 9)),
            actor=operator(),
            subject=subject,
            channel=Channel.public,
        )
        assert [(r.record.id, r.marks) for r in view.records] == [(rid, ["repaired"])]
        notices = sorted(
            (n.kind, n.recipient_kind) for n in db.scalars(select(Notice)) if n.kind != "repair.received"
        )
        assert notices == [("repair.approved", "applicant"), ("repair.approved", "provider")]


def test_jilin_38_re_review_failed_denies(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory,
        JILIN,
        date(2026, 3, 2),
        subject_id=CC_COMPANY,
        provider=CC_SAMR,
        effective_on="2026-03-02",
    )
    case_id = apply(session_factory, JILIN, date(2026, 9, 15), subject_actor(sid), rid, measures=[])
    decide(session_factory, JILIN, date(2026, 9, 30), provider(CC_SAMR), case_id, "approved")
    with transaction(session_factory) as db:
        case = service.review(
            db_session=db,
            profile=JILIN,
            now=at(date(2026, 10, 9)),
            actor=operator(),
            case_id=case_id,
            outcome="failed",
            reason="材料不全",
        )
        assert (case.state, case.reason) == ("denied", "材料不全")
        assert db.scalars(select(RecordEvent)).all() == []
        with pytest.raises(XinyongError) as info:
            service.review(
                db_session=db,
                profile=JILIN,
                now=at(date(2026, 10, 9)),
                actor=operator(),
                case_id=case_id,
                outcome="passed",
            )
        assert info.value.code == "case_closed"


def test_henan_43_mark_only_where_the_effect_is_silent(session_factory: Factory) -> None:
    """Henan 第四十三条 says 修复 without saying what it does to disclosure: the record is marked."""
    rid, sid = submit(
        session_factory,
        HENAN,
        date(2026, 3, 2),
        subject_id="91410105MA45C6D7ED",
        provider="郑州市市场监督管理局",
    )
    case_id = apply(session_factory, HENAN, date(2026, 4, 30), subject_actor(sid), rid, measures=[])
    with transaction(session_factory) as db:
        v = service.view(
            db_session=db, profile=HENAN, now=at(date(2026, 5, 7)), case=db.get(RepairCase, case_id)
        )
        assert (v.waiting.due, v.overdue) == (date(2026, 5, 6), True)
    decide(session_factory, HENAN, date(2026, 5, 7), operator(), case_id, "approved")
    assert rid in public_ids(session_factory, HENAN, sid, date(2026, 5, 7))
    with transaction(session_factory) as db:
        v = service.view(
            db_session=db, profile=HENAN, now=at(date(2026, 5, 8)), case=db.get(RepairCase, case_id)
        )
        assert [(s.name, s.late, s.overdue) for s in v.stages] == [("decision", True, False)]


# --------------------------------------------------------------------------- reading


def test_list_and_open_cases_overdue_first(session_factory: Factory) -> None:
    """The queue: overdue first, then by due date; a provider sees only its own cases."""
    r1, s1 = sz_record(session_factory)
    r2, s2 = sz_record(session_factory, subject_id=SZ_OTHER, document="深市监罚〔2026〕102号")
    r3, s3 = sz_record(session_factory, document="深市监罚〔2026〕103号", provider="深圳市生态环境局")
    late = apply(session_factory, SHENZHEN, date(2026, 9, 3), subject_actor(s1), r1)  # due 09-10
    later = apply(session_factory, SHENZHEN, date(2026, 9, 8), subject_actor(s2), r2)  # due 09-15
    other = apply(session_factory, SHENZHEN, date(2026, 9, 7), subject_actor(s3), r3)  # due 09-14
    now = at(date(2026, 9, 11))
    with transaction(session_factory) as db:
        rows = service.open_cases(db_session=db, jurisdiction="shenzhen", now=now)
        assert [(r.ref, r.overdue, r.due, r.stage) for r in rows] == [
            (f"REP-{late}", True, (date(2026, 9, 10), False), "decision"),
            (f"REP-{other}", False, (date(2026, 9, 14), False), "decision"),
            (f"REP-{later}", False, (date(2026, 9, 15), False), "decision"),
        ]
        assert rows[0].handling_unit == SZ_SAMR and rows[0].subject == SZ_COMPANY and rows[0].kind == "repair"
        mine = service.list_cases(db_session=db, profile=SHENZHEN, now=now, actor=provider(SZ_SAMR))
        assert [v.case.id for v in mine] == [late, later]
        assert [
            v.case.id for v in service.list_cases(db_session=db, profile=SHENZHEN, now=now, overdue=True)
        ] == [late]
        assert [
            v.case.id
            for v in service.list_cases(db_session=db, profile=SHENZHEN, now=now, actor=subject_actor(s2))
        ] == [later]
        with pytest.raises(XinyongError):
            service.list_cases(db_session=db, profile=SHENZHEN, now=now, actor=government())


def test_shenzhen_64_commitment_letter_published_natural_person_masked(session_factory: Factory) -> None:
    person = ric(7, division="440303", born=date(1988, 5, 12))
    rid, sid = sz_record(
        session_factory, subject_kind="natural_person", subject_id=person, subject_name="王小明"
    )
    apply(
        session_factory,
        SHENZHEN,
        date(2026, 9, 3),
        subject_actor(sid),
        rid,
        commitment={"text": "承诺依法经营", "goals": "不再违法"},
    )
    with transaction(session_factory) as db:
        [letter] = service.published_commitments(
            db_session=db, profile=SHENZHEN, subject=db.get(Subject, sid)
        )
        assert (letter.subject, letter.subject_name) == (person[:4] + "*" * 10 + person[-4:], "王**")
        assert letter.commitment == {"text": "承诺依法经营", "goals": "不再违法"}
        assert (letter.record, letter.item, letter.published_at) == (
            rid,
            "admin_penalty",
            at(date(2026, 9, 3)),
        )


def test_not_published_where_the_profile_does_not_say_so(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory,
        JILIN,
        date(2026, 3, 2),
        subject_id=CC_COMPANY,
        provider=CC_SAMR,
        effective_on="2026-03-02",
    )
    apply(session_factory, JILIN, date(2026, 9, 15), subject_actor(sid), rid, measures=["commitment_letter"])
    with transaction(session_factory) as db:
        assert service.published_commitments(db_session=db, profile=JILIN, subject=db.get(Subject, sid)) == []
