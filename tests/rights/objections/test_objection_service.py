"""Objection cases and record corrections on SQLite and PostgreSQL: marks, decisions, versions,
notices, audit entries, refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.audit.models import AuditEntry
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import WorkCalendar
from xinyong.notices import service as notices_service
from xinyong.notices.models import Notice
from xinyong.records import rules as record_rules
from xinyong.records import service as records_service
from xinyong.records.models import Record, RecordEvent
from xinyong.rights.objections import service
from xinyong.rights.objections.models import ObjectionCase, ObjectionEvent
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

from .builders import World, at, operator, profile, provider, subject_actor, with_objection


def due_on(notice: Notice) -> date | None:
    """The notice's due day as read now (computed from its rule; no calendar year is loaded here)."""
    found = notices_service.due_of(notice, WorkCalendar())
    return found.due if found else None


def due_provisional(notice: Notice) -> bool:
    found = notices_service.due_of(notice, WorkCalendar())
    return bool(found and found.provisional)


D = date.fromisoformat


@pytest.fixture
def shenzhen(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("shenzhen"))


@pytest.fixture
def jilin(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("jilin"))


def refused(code: str, w: World, fn: object, now: object, **kw: object) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        w.do(fn, now, **kw)  # type: ignore[arg-type]
    assert info.value.code == code, info.value
    return info.value


def record_events(w: World, record_id: int) -> list[RecordEvent]:
    with transaction(w.factory) as db:
        return records_service.events_of(db, [record_id])[record_id]


def see(w: World, now: object, subject_id: int, channel: str) -> dict[int, records_service.RecordView]:
    with transaction(w.factory) as db:
        subject = db.get(Subject, subject_id)
        assert subject is not None
        view = records_service.read_archive(
            db_session=db,
            profile=w.profile,
            now=now,  # type: ignore[arg-type]
            actor=operator(),
            subject=subject,
            channel=record_rules.Channel(channel),
            purpose="test",
        )
        return {v.record.id: v for v in view.records}


def notices_of(w: World, case_id: int | None = None, ref: str | None = None) -> list[Notice]:
    with transaction(w.factory) as db:
        stmt = select(Notice).order_by(Notice.id)
        if case_id is not None or ref is not None:
            stmt = stmt.where(Notice.case_ref == (ref or f"OBJ-{case_id}"))
        return list(db.scalars(stmt))


def actions(w: World) -> list[str]:
    with transaction(w.factory) as db:
        return [
            e.action
            for e in db.scalars(select(AuditEntry).where(AuditEntry.kind == "event").order_by(AuditEntry.seq))
        ]


# --------------------------------------------------------------------------- filing and the mark


def test_shenzhen_37_mark_applied_on_acceptance_and_shown_on_every_channel(shenzhen: World) -> None:
    """Shenzhen 第三十七条第二款: marked the day it is accepted; the mark does not stop disclosure."""
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1, decided_on="2026-10-28")
    case_id = w.file(at("2026-11-10", 10), r1, c1, known_on=D("2026-11-09"))
    marks = [e for e in record_events(w, r1) if e.kind == "objection"]
    assert len(marks) == 1 and marks[0].data == {"case": case_id} and marks[0].at == at("2026-11-10", 10)
    for channel in ("public", "government", "self", "provider"):
        shown = see(w, at("2026-11-10", 16), c1, channel)
        assert shown[r1].marks == ["objection"], channel
    assert "record.objection" in actions(w) and "objection.filed" in actions(w)
    with transaction(w.factory) as db:
        assert audit.verify_chain(db_session=db, chain="shenzhen").ok


def test_a_profile_whose_mark_suspends_disclosure_hides_the_record_while_open(
    session_factory: sessionmaker[Session],
) -> None:
    p = with_objection(profile("shenzhen"), mark_suspends_disclosure=True)
    w = World(session_factory, p)
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-03"), r1, c1)
    assert r1 not in see(w, at("2026-11-03", 10), c1, "public")
    assert r1 not in see(w, at("2026-11-03", 10), c1, "government")
    assert r1 in see(w, at("2026-11-03", 10), c1, "self")
    w.do(service.resolve, at("2026-11-04"), actor=operator(), case_id=case_id, outcome="upheld")
    shown = see(w, at("2026-11-04", 10), c1, "public")
    assert r1 in shown and shown[r1].marks == []


def test_nanjing_58_one_working_day_for_the_mark_but_marked_at_once(
    session_factory: sessionmaker[Session],
) -> None:
    """Nanjing 第五十八条: the text allows 1 working day; the platform marks the moment it records."""
    w = World(session_factory, profile("nanjing"))
    c1 = w.subject(at("2026-09-30"))
    r1 = w.record(at("2026-09-30"), c1)
    case_id = w.file(at("2026-09-30", 16), r1, c1)
    assert see(w, at("2026-09-30", 16), c1, "public")[r1].marks == ["objection"]
    mark = w.stage(at("2026-09-30", 16), case_id, "mark")
    assert (mark.due.due, mark.status, mark.met_on) == (D("2026-10-08"), "met", D("2026-09-30"))


def test_filing_events_notices_and_first_version(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1, reason="罚款数额错误", known_on=D("2026-11-01"))
    with transaction(w.factory) as db:
        case = db.get(ObjectionCase, case_id)
        assert case is not None
        assert (case.state, case.filer_kind, case.target, case.known_on) == (
            "received",
            "subject",
            "record",
            D("2026-11-01"),
        )
        events = list(db.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id == case_id)))
        assert [(e.seq, e.kind, e.reason, e.role) for e in events] == [
            (1, "filed", "罚款数额错误", "subject")
        ]
    notes = notices_of(w, case_id)
    assert [(n.recipient_kind, n.kind, due_on(n)) for n in notes] == [
        ("applicant", "objection.accepted", None)
    ]


def test_shenzhen_42_units_that_received_the_record_are_told_of_the_mark_within_one_working_day(
    shenzhen: World,
) -> None:
    """Shenzhen 第四十二条 (and 第三十七条第二款): a unit that queried the record is told of the mark,
    due 1 working day after acceptance; of the correction, 1 working day after the decision."""
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    with transaction(w.factory) as db:  # a government unit receives the record through sharing
        subject = db.get(Subject, c1)
        records_service.read_archive(
            db_session=db,
            profile=w.profile,
            now=at("2026-11-02", 11),
            actor=Actor(username="gov", role=Role.government, organization="深圳市发展和改革委员会"),
            subject=subject,  # type: ignore[arg-type]
            channel=record_rules.Channel.government,
            purpose="行政许可审查",
        )
    case_id = w.file(at("2026-11-06"), r1, c1)  # a Friday: due Monday
    units = [n for n in notices_of(w, case_id) if n.recipient_kind == "sharing_unit"]
    assert [(n.recipient, n.kind, due_on(n), due_provisional(n)) for n in units] == [
        ("深圳市发展和改革委员会", "objection.marked", D("2026-11-09"), False)
    ]
    stage = w.stage(at("2026-11-10"), case_id, "notify_sharing_units")
    assert stage.status == "open" and stage.overdue
    w.do(
        service.resolve,
        at("2026-11-10"),
        actor=operator(),
        case_id=case_id,
        outcome="corrected",
        changes={"fine_amount": "3000"},
        reason="罚款数额以决定书为准",
    )
    units = [n for n in notices_of(w, case_id) if n.recipient_kind == "sharing_unit"]
    assert [(n.kind, due_on(n)) for n in units] == [
        ("objection.marked", D("2026-11-09")),
        ("objection.corrected", D("2026-11-11")),
    ]


# --------------------------------------------------------------------------- decisions and versions


def test_corrected_shows_the_new_data_and_keeps_every_version(jilin: World) -> None:
    """Jilin 第三十六条第二款: the platform corrects its own error; the view shows the corrected data,
    the earlier version stays with who, when and why (变动理由)."""
    w = jilin
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-09"), r1, c1)
    w.do(
        service.resolve,
        at("2026-11-10"),
        actor=operator(),
        case_id=case_id,
        outcome="corrected",
        by="platform",
        changes={"fine_amount": "3000"},
        reason="平台录入错误，以处罚决定书为准",
    )
    shown = see(w, at("2026-11-10", 10), c1, "self")
    assert shown[r1].data["fine_amount"] == "3000" and shown[r1].marks == []
    assert shown[r1].record.data["fine_amount"] == "5000"  # the row itself is never updated
    corrected = [e for e in record_events(w, r1) if e.kind == "corrected"]
    assert [(e.data, e.reason) for e in corrected] == [
        ({"changes": {"fine_amount": "3000"}, "case": case_id}, "平台录入错误，以处罚决定书为准")
    ]
    ends = [e for e in record_events(w, r1) if e.kind == "objection.end"]
    assert len(ends) == 1 and ends[0].data["case"] == case_id
    with transaction(w.factory) as db:
        versions = service.versions(db_session=db, profile=w.profile, actor=subject_actor(c1), record_id=r1)
    assert [(v.number, v.changes, v.data["fine_amount"], v.reason, v.case) for v in versions] == [
        (1, {}, "5000", None, None),
        (2, {"fine_amount": "3000"}, "3000", "平台录入错误，以处罚决定书为准", case_id),
    ]
    with transaction(w.factory) as db:
        case = db.get(ObjectionCase, case_id)
        assert case is not None and (case.state, case.outcome, case.decided_by) == (
            "corrected",
            "corrected",
            "platform",
        )
    assert {"record.corrected", "record.objection.end", "objection.decided"} <= set(actions(w))
    notes = [(n.recipient_kind, n.kind, due_on(n)) for n in notices_of(w, case_id)]
    assert ("applicant", "objection.decided", D("2026-11-17")) in notes  # Jilin: told within 5 working days
    assert ("provider", "objection.decided", None) in notes  # its record changed


def test_deleted_leaves_every_channel(jilin: World) -> None:
    w = jilin
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-09"), r1, c1)
    w.do(
        service.resolve,
        at("2026-11-10"),
        actor=operator(),
        case_id=case_id,
        outcome="deleted",
        reason="重复归集",
    )
    for channel in ("public", "government", "self", "provider"):
        assert r1 not in see(w, at("2026-11-10", 10), c1, channel), channel
    deleted = [e for e in record_events(w, r1) if e.kind == "deleted"]
    assert len(deleted) == 1 and deleted[0].reason == "重复归集"
    with transaction(w.factory) as db:
        record = db.get(Record, r1)
        assert (
            records_service.record_status(
                db_session=db, profile=w.profile, now=at("2026-11-10", 10), record=record
            )
            == "deleted"
        )  # type: ignore[arg-type]


def test_shenzhen_41_unverifiable_deleted_with_the_reason_recorded(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-03"), r1, c1)
    w.do(service.resolve, at("2026-11-04"), actor=operator(), case_id=case_id, outcome="unverifiable")
    deleted = [e for e in record_events(w, r1) if e.kind == "deleted"]
    assert len(deleted) == 1 and "深圳 第四十一条" in (deleted[0].reason or "")
    assert deleted[0].data == {"case": case_id, "outcome": "unverifiable"}
    with transaction(w.factory) as db:
        case = db.get(ObjectionCase, case_id)
        assert case is not None and (case.state, case.outcome) == ("deleted", "unverifiable")


def test_upheld_removes_the_mark_and_keeps_the_record(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    w.do(service.forward, at("2026-11-03"), actor=operator(), case_id=case_id)
    w.do(
        service.resolve,
        at("2026-11-10"),
        actor=provider(w.provider_name),
        case_id=case_id,
        outcome="upheld",
        by="provider",
    )
    shown = see(w, at("2026-11-10", 10), c1, "public")
    assert shown[r1].marks == [] and shown[r1].data == shown[r1].record.data
    assert [e.kind for e in record_events(w, r1)] == ["objection", "objection.end"]
    # still marked for a reader looking at a moment before the decision
    assert see(w, at("2026-11-10", 8), c1, "public")[r1].marks == ["objection"]


def test_forward_tells_the_provider_with_its_due_date(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    w.do(service.forward, at("2026-11-03"), actor=operator(), case_id=case_id, reason="与报送信息一致")
    provider_notes = [n for n in notices_of(w, case_id) if n.recipient_kind == "provider"]
    assert [(n.recipient, n.kind, due_on(n)) for n in provider_notes] == [
        (w.provider_name, "objection.forwarded", D("2026-11-17"))
    ]
    assert w.deadline(at("2026-11-03"), case_id) == (D("2026-11-17"), False, "provider_reply")
    assert w.view(at("2026-11-03"), case_id).handling_unit == w.provider_name


def test_every_step_is_a_numbered_event_with_who_when_and_why(jilin: World) -> None:
    w = jilin
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-09"), r1, c1, reason="事实错误")
    w.do(service.forward, at("2026-11-12"), actor=operator(), case_id=case_id, reason="与报送信息一致")
    w.do(
        service.resolve,
        at("2026-11-20"),
        actor=provider(w.provider_name),
        case_id=case_id,
        outcome="upheld",
        reason="事实清楚",
    )
    w.do(service.request_review, at("2026-11-23"), actor=subject_actor(c1), case_id=case_id, reason="不服")
    w.do(
        service.resolve,
        at("2026-12-01"),
        actor=operator(),
        case_id=case_id,
        outcome="corrected",
        changes={"violation": "未按规定备案"},
        reason="复核认定事实有误",
    )
    v = w.view(at("2026-12-01"), case_id)
    assert [(e.seq, e.kind, e.state_before, e.state_after, e.reason) for e in v.events] == [
        (1, "filed", None, "received", "事实错误"),
        (2, "forwarded", "received", "forwarded", "与报送信息一致"),
        (3, "decided", "forwarded", "upheld", "事实清楚"),
        (4, "review_requested", "upheld", "under_review", "不服"),
        (5, "reviewed", "under_review", "corrected", "复核认定事实有误"),
    ]
    assert v.events[2].actor == w.provider_name and v.events[2].data["by"] == "provider"
    assert v.events[4].data["changes"] == {"violation": "未按规定备案"}
    assert v.case.review_outcome == "corrected" and v.case.outcome == "upheld"
    review = next(n for n in notices_of(w, case_id) if n.kind == "objection.reviewed")
    assert (review.recipient_kind, due_on(review)) == ("applicant", D("2026-12-21"))  # 20 WD from 11-23


# --------------------------------------------------------------------------- refusals


def test_unknown_record_and_deleted_record(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    refused(
        "unknown_record",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=subject_actor(c1),
        record_id=999,
        reason="x",
    )
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    w.do(service.resolve, at("2026-11-03"), actor=operator(), case_id=case_id, outcome="deleted")
    refused(
        "unknown_record",
        w,
        service.file_objection,
        at("2026-11-04"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
    )


def test_a_record_of_another_jurisdiction_is_unknown(session_factory: sessionmaker[Session]) -> None:
    sz, jl = World(session_factory, profile("shenzhen")), World(session_factory, profile("jilin"))
    c1 = sz.subject(at("2026-11-02"))
    r1 = sz.record(at("2026-11-02"), c1)
    refused(
        "unknown_record",
        jl,
        service.file_objection,
        at("2026-11-02"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
    )


def test_closed_cases_and_out_of_order_steps(jilin: World) -> None:
    w = jilin
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-09"), r1, c1)
    refused(
        "wrong_stage",
        w,
        service.resolve,
        at("2026-11-09"),
        actor=provider(w.provider_name),
        case_id=case_id,
        outcome="upheld",
        by="provider",
    )
    refused(
        "wrong_stage", w, service.request_review, at("2026-11-09"), actor=subject_actor(c1), case_id=case_id
    )
    w.do(service.resolve, at("2026-11-10"), actor=operator(), case_id=case_id, outcome="upheld")
    refused(
        "case_closed",
        w,
        service.resolve,
        at("2026-11-11"),
        actor=operator(),
        case_id=case_id,
        outcome="deleted",
    )
    refused("case_closed", w, service.forward, at("2026-11-11"), actor=operator(), case_id=case_id)
    refused("unknown_case", w, service.forward, at("2026-11-11"), actor=operator(), case_id=case_id + 100)


def test_roles(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    c2 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    refused(
        "not_allowed",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=subject_actor(c2),
        record_id=r1,
        reason="x",
    )
    refused(
        "not_allowed",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=provider(w.provider_name),
        record_id=r1,
        reason="x",
    )
    refused(
        "missing_field",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=operator(),
        record_id=r1,
        reason="x",
    )
    case_id = w.do(
        service.file_objection,
        at("2026-11-02"),
        actor=operator(),
        record_id=r1,
        reason="书面申请",
        by_subject_id=c1,
    ).id
    refused(
        "not_eligible",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="again",
    )
    refused(
        "not_allowed", w, service.forward, at("2026-11-03"), actor=provider(w.provider_name), case_id=case_id
    )
    refused("not_allowed", w, service.forward, at("2026-11-03"), actor=subject_actor(c1), case_id=case_id)
    refused(
        "not_allowed",
        w,
        service.resolve,
        at("2026-11-03"),
        actor=subject_actor(c1),
        case_id=case_id,
        outcome="deleted",
    )
    w.do(service.forward, at("2026-11-03"), actor=operator(), case_id=case_id)
    refused(
        "not_allowed",
        w,
        service.resolve,
        at("2026-11-04"),
        actor=provider("深圳市交通运输局"),
        case_id=case_id,
        outcome="deleted",
        by="provider",
    )
    refused(
        "not_allowed",
        w,
        service.resolve,
        at("2026-11-04"),
        actor=operator(),
        case_id=case_id,
        outcome="deleted",
        by="provider",
    )
    refused("not_allowed", w, service.get_case, at("2026-11-04"), actor=subject_actor(c2), case_id=case_id)
    refused(
        "not_allowed", w, service.request_review, at("2026-11-04"), actor=subject_actor(c2), case_id=case_id
    )
    # the provider that has the case may extend it
    w.do(service.extend, at("2026-11-04"), actor=provider(w.provider_name), case_id=case_id, working_days=3)
    refused(
        "not_allowed",
        w,
        service.extend,
        at("2026-11-04"),
        actor=subject_actor(c1),
        case_id=case_id,
        working_days=1,
    )
    w.do(
        service.resolve,
        at("2026-11-05"),
        actor=provider(w.provider_name),
        case_id=case_id,
        outcome="corrected",
        by="provider",
        changes={"fine_amount": "1000"},
        reason="核查属实",
    )
    assert w.view(at("2026-11-05"), case_id).case.state == "corrected"


def test_shenzhen_37_interested_party_through_a_responsible_person_link(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    p1 = w.subject(at("2026-11-02"), kind="natural_person", name="陈")
    with transaction(w.factory) as db:
        org, person = db.get(Subject, c1), db.get(Subject, p1)
        subjects_service.link_responsible(
            db_session=db, now=at("2026-11-02"), organization=org, person=person, role="legal_representative"
        )  # type: ignore[arg-type]
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-03"), r1, p1)
    v = w.view(at("2026-11-03"), case_id)
    assert (v.case.filer_kind, v.case.filer_id, v.case.subject_id) == ("interested_party", p1, c1)
    with transaction(w.factory) as db:
        assert [
            c.case.id
            for c in service.list_cases(
                db_session=db, profile=w.profile, now=at("2026-11-03"), actor=subject_actor(p1), subject_id=p1
            )
        ] == [case_id]
        assert [
            c.case.id
            for c in service.list_cases(
                db_session=db, profile=w.profile, now=at("2026-11-03"), actor=subject_actor(c1), subject_id=c1
            )
        ] == [case_id]
    refused("not_allowed", w, service.list_cases, at("2026-11-03"), actor=subject_actor(c1), subject_id=p1)


def test_changes_pass_the_intake_gate(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    err = refused(
        "prohibited_data",
        w,
        service.resolve,
        at("2026-11-03"),
        actor=operator(),
        case_id=case_id,
        outcome="corrected",
        changes={"血型": "A"},
    )
    assert err.field == "changes.blood_type"
    refused(
        "invalid_field",
        w,
        service.resolve,
        at("2026-11-03"),
        actor=operator(),
        case_id=case_id,
        outcome="upheld",
        changes={"a": 1},
    )
    refused(
        "invalid_field",
        w,
        service.resolve,
        at("2026-11-03"),
        actor=operator(),
        case_id=case_id,
        outcome="maybe",
    )


def test_a_stale_version_is_a_conflict(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    seen = w.view(at("2026-11-02"), case_id).case.version
    w.do(service.forward, at("2026-11-03"), actor=operator(), case_id=case_id, version=seen)
    refused(
        "conflict",
        w,
        service.resolve,
        at("2026-11-03"),
        actor=operator(),
        case_id=case_id,
        outcome="upheld",
        version=seen,
    )
    assert w.view(at("2026-11-03"), case_id).case.version > seen


# --------------------------------------------------------------------------- queue and deadlines


def test_open_cases_for_the_work_queue(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1, r2, r3 = (w.record(at("2026-11-02"), c1) for _ in range(3))
    late = w.file(at("2026-11-02"), r1, c1)
    fwd = w.file(at("2026-11-05"), r2, c1)
    closed = w.file(at("2026-11-05"), r3, c1)
    w.do(service.forward, at("2026-11-05"), actor=operator(), case_id=fwd)
    w.do(service.resolve, at("2026-11-05"), actor=operator(), case_id=closed, outcome="upheld")
    with transaction(w.factory) as db:
        rows = service.open_cases(db_session=db, jurisdiction="shenzhen", now=at("2026-11-06"))
    by_ref = {r.ref: r for r in rows}
    assert set(by_ref) == {f"OBJ-{late}", f"OBJ-{fwd}"}
    assert (by_ref[f"OBJ-{late}"].stage, by_ref[f"OBJ-{late}"].due, by_ref[f"OBJ-{late}"].overdue) == (
        "compare",
        (D("2026-11-04"), False),
        True,
    )
    assert by_ref[f"OBJ-{late}"].handling_unit == "platform"
    assert (by_ref[f"OBJ-{fwd}"].stage, by_ref[f"OBJ-{fwd}"].due, by_ref[f"OBJ-{fwd}"].overdue) == (
        "provider_reply",
        (D("2026-11-19"), False),
        False,
    )
    assert by_ref[f"OBJ-{fwd}"].handling_unit == w.provider_name
    assert by_ref[f"OBJ-{fwd}"].subject == w.identifier(c1)


def test_deadline_of_a_named_stage_and_refusals(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1, known_on=D("2026-10-01"))
    assert w.deadline(at("2026-11-02"), case_id, "window") == (D("2026-11-30"), False, "window")
    assert w.deadline(at("2026-11-02"), case_id, "own_decision") == (D("2026-11-05"), False, "own_decision")
    with pytest.raises(XinyongError) as info:
        w.deadline(at("2026-11-02"), case_id, "provider_reply")
    assert info.value.code == "wrong_stage"  # not forwarded yet
    with pytest.raises(XinyongError) as info:
        w.deadline(at("2026-11-02"), case_id, "appeal")
    assert info.value.code == "not_eligible"
    w.do(service.resolve, at("2026-11-03"), actor=operator(), case_id=case_id, outcome="upheld")
    assert w.deadline(at("2026-11-03"), case_id) == (D("2026-11-05"), False, "inform_applicant")


# --------------------------------------------------------------------------- provider corrections


def test_shenzhen_42_a_provider_corrects_its_own_record_and_sharing_units_are_told(shenzhen: World) -> None:
    """R-REV-03 with Shenzhen 第四十二条: a new version with the change reason; a unit that received
    the record is told within 1 working day."""
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    gov = Actor(username="gov", role=Role.government, organization="深圳市住房和建设局")
    with transaction(w.factory) as db:
        records_service.read_archive(
            db_session=db,
            profile=w.profile,
            now=at("2026-11-03"),
            actor=gov,
            subject=db.get(Subject, c1),  # type: ignore[arg-type]
            channel=record_rules.Channel.government,
            purpose="资质审查",
        )
    w.do(
        service.correct_record,
        at("2026-11-06", 15),
        actor=provider(w.provider_name),
        record_id=r1,
        changes={"fine_amount": "4500"},
        reason="原报送数额笔误",
    )
    corrected = [e for e in record_events(w, r1) if e.kind == "corrected"]
    assert (
        len(corrected) == 1
        and corrected[0].reason == "原报送数额笔误"
        and corrected[0].actor == w.provider_name
    )
    units = notices_of(w, ref=f"REC-{r1}")
    assert [(n.recipient, n.kind, due_on(n)) for n in units] == [
        ("深圳市住房和建设局", "record.corrected", D("2026-11-09"))
    ]
    assert see(w, at("2026-11-07"), c1, "self")[r1].data["fine_amount"] == "4500"
    refused(
        "missing_field",
        w,
        service.correct_record,
        at("2026-11-07"),
        actor=provider(w.provider_name),
        record_id=r1,
        changes={"a": "b"},
        reason=" ",
    )
    refused(
        "missing_field",
        w,
        service.correct_record,
        at("2026-11-07"),
        actor=provider(w.provider_name),
        record_id=r1,
        changes={},
        reason="x",
    )
    refused(
        "not_allowed",
        w,
        service.correct_record,
        at("2026-11-07"),
        actor=provider("深圳市交通运输局"),
        record_id=r1,
        changes={"a": "b"},
        reason="x",
    )
    refused(
        "not_allowed",
        w,
        service.correct_record,
        at("2026-11-07"),
        actor=subject_actor(c1),
        record_id=r1,
        changes={"a": "b"},
        reason="x",
    )
    refused(
        "prohibited_data",
        w,
        service.correct_record,
        at("2026-11-07"),
        actor=provider(w.provider_name),
        record_id=r1,
        changes={"religion": "x"},
        reason="x",
    )
    with transaction(w.factory) as db:
        versions = service.versions(
            db_session=db, profile=w.profile, actor=provider(w.provider_name), record_id=r1
        )
    assert [(v.number, v.reason, v.data["fine_amount"]) for v in versions] == [
        (1, None, "5000"),
        (2, "原报送数额笔误", "4500"),
    ]
    with transaction(w.factory) as db, pytest.raises(XinyongError) as info:
        service.versions(db_session=db, profile=w.profile, actor=provider("深圳市交通运输局"), record_id=r1)
    assert info.value.code == "not_allowed"


def test_jiangsu_64_no_day_to_wait_for_is_said_not_invented(session_factory: sessionmaker[Session]) -> None:
    """Jiangsu 第六十四条: 规定的时间内 / 及时 — the case has no due day, and `deadline` says so."""
    w = World(session_factory, profile("jiangsu"))
    c1 = w.subject(at("2026-11-02"))
    case_id = w.file(at("2026-11-02"), w.record(at("2026-11-02"), c1), c1)
    with pytest.raises(XinyongError) as info:
        w.deadline(at("2026-11-02"), case_id)
    assert (info.value.code, info.value.cite) == ("not_eligible", "江苏 第六十四条")
    v = w.view(at("2027-06-01"), case_id)
    assert v.waiting is None and not v.overdue


def test_the_work_queue_finds_objections(shenzhen: World) -> None:
    """xinyong.queues gathers every feature's open_cases(); objections take part."""
    from xinyong.queues import service as queues

    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    case_id = w.file(at("2026-11-02"), w.record(at("2026-11-02"), c1), c1)
    with transaction(w.factory) as db:
        queue = queues.gather(db_session=db, now=at("2026-11-06"), jurisdiction="shenzhen")
    mine = [c for c in queue.cases if c.ref == f"OBJ-{case_id}"]
    assert [(c.kind, c.stage, c.due, c.overdue, c.handling_unit) for c in mine] == [
        ("objection", "compare", (D("2026-11-04"), False), True, "platform")
    ]
    assert not any("objections" in m for m in queue.missing)


def test_shenzhen_40_filed_with_the_provider_itself(shenzhen: World) -> None:
    """Shenzhen 第四十条: a provider that receives the objection decides within 3 working days of
    receipt; the platform's own stages do not run."""
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1, filed_with="provider")
    v = w.view(at("2026-11-02"), case_id)
    stages = {s.name: s for s in v.stages}
    assert (v.case.state, v.handling_unit) == ("forwarded", w.provider_name)
    assert stages["provider_direct"].due is not None and stages["provider_direct"].due.due == D("2026-11-05")
    assert {stages[n].status for n in ("compare", "forward", "own_decision", "provider_reply")} == {
        "not_applicable"
    }
    assert v.waiting is not None and v.waiting.name == "provider_direct"
    refused("wrong_stage", w, service.forward, at("2026-11-03"), actor=operator(), case_id=case_id)
    w.do(service.extend, at("2026-11-04"), actor=provider(w.provider_name), case_id=case_id, working_days=5)
    assert w.deadline(at("2026-11-04"), case_id) == (D("2026-11-12"), False, "provider_direct")
    w.do(
        service.resolve, at("2026-11-12"), actor=provider(w.provider_name), case_id=case_id, outcome="upheld"
    )
    assert w.view(at("2026-11-12"), case_id).case.decided_by == "provider"
