"""Objection grounds from the profile's list, the extendable filing window (Shenzhen 第三十八条) and
objections received by a credit service agency (Shenzhen 第三十七条, 第三十九条), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.models import AuditEntry
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import WorkCalendar
from xinyong.notices.models import Notice
from xinyong.rights.objections import rules, service
from xinyong.rights.objections.models import ObjectionCase, WindowExtension

from .builders import World, at, operator, profile, subject_actor, with_objection

D = date.fromisoformat
AGENCY = "深圳市某某信用服务有限公司"


@pytest.fixture
def shenzhen(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("shenzhen"))


@pytest.fixture
def jilin(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("jilin"))


@pytest.fixture
def nanjing(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("nanjing"))


def refused(code: str, w: World, fn: object, now: object, **kw: object) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        w.do(fn, now, **kw)  # type: ignore[arg-type]
    assert info.value.code == code, info.value
    return info.value


def agency(name: str = AGENCY) -> Actor:
    return Actor(username="agency-user", role=Role.agency, organization=name)


# --------------------------------------------------------------------------- grounds


def test_jilin_35_a_ground_the_list_gives_is_recorded_with_a_free_reason(jilin: World) -> None:
    """Jilin 第三十五条（三）: dishonest information still published after its period is a ground."""
    c1 = jilin.subject(at("2026-03-02"))
    r1 = jilin.record(at("2026-03-02"), c1)
    case_id = jilin.file(
        at("2026-03-03"), r1, c1, ground="published_after_period", reason="公示期已满仍在公示"
    )
    with transaction(jilin.factory) as db:
        case = db.get(ObjectionCase, case_id)
        assert case is not None and (case.ground, case.reason) == (
            "published_after_period",
            "公示期已满仍在公示",
        )
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "objection.filed")).one()
        assert audit.details["ground"] == "published_after_period"


def test_jilin_35_a_ground_outside_the_closed_list_is_refused(jilin: World) -> None:
    """Jilin 第三十五条 lists five cases (存在下列情形之一的): 不适当 (a Shenzhen ground) is not one."""
    c1 = jilin.subject(at("2026-03-02"))
    r1 = jilin.record(at("2026-03-02"), c1)
    exc = refused(
        rules.GROUND_REFUSED,
        jilin,
        service.file_objection,
        at("2026-03-03"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="信息不适当",
        ground="inappropriate",
    )
    assert (exc.field, exc.cite) == ("ground", "吉林 第三十五条")
    refused(
        "invalid_field",
        jilin,
        service.file_objection,
        at("2026-03-03"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
        ground="no_such_ground",
    )
    # no ground named: the contract's objection has only a free reason, and it is accepted
    assert jilin.file(at("2026-03-03"), r1, c1, reason="任何理由")


def test_shenzhen_37_grounds_and_henan_41_open_list(session_factory: sessionmaker[Session]) -> None:
    """Shenzhen 第三十七条: 不准确、不完整、不适当, 评价不当 — a closed list without other_law;
    Henan 第四十一条 ends its list with 等情形: any ground of the vocabulary is accepted."""
    sz = profile("shenzhen").objection
    henan = profile("henan").objection
    assert sz is not None and henan is not None
    rules.check_ground(sz, "inappropriate")
    with pytest.raises(XinyongError) as info:
        rules.check_ground(sz, "other_law")
    assert info.value.code == rules.GROUND_REFUSED
    assert henan.grounds_rule == "open"
    rules.check_ground(henan, "published_after_period")
    rules.check_ground(henan, None)


# --------------------------------------------------------------------------- window extension


def test_shenzhen_38_late_objection_accepted_under_an_approved_extension(shenzhen: World) -> None:
    """Shenzhen 第三十八条: known 2026-08-02, the 60 days end on 10-01 (National Day), so the window
    ends on 2026-10-08 (民法典 第二百零三条). Filed 10-09: window_closed; the request while the window
    is open is refused; after approval through 10-30, filed on 10-30: accepted; through the last day
    only."""
    w = shenzhen
    c1 = w.subject(at("2026-07-20"))
    r1 = w.record(at("2026-07-20"), c1)
    r2 = w.record(at("2026-07-20"), c1)
    known = D("2026-08-02")
    refused(
        "window_closed",
        w,
        service.file_objection,
        at("2026-10-09"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
        known_on=known,
    )
    ask = dict(
        actor=subject_actor(c1), record_id=r1, ground="force_majeure", reason="台风停工", known_on=known
    )
    refused("not_eligible", w, service.request_window_extension, at("2026-10-08"), **ask)  # still open
    refused("invalid_field", w, service.request_window_extension, at("2026-10-12"), **(ask | {"ground": "x"}))
    ext = w.do(service.request_window_extension, at("2026-10-12"), **ask)
    assert ext.state == "requested"
    # undecided: still closed
    refused(
        "window_closed",
        w,
        service.file_objection,
        at("2026-10-12"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
        known_on=known,
    )
    decide = dict(actor=operator(), request_id=ext.id, approve=True)
    refused(
        "not_allowed",
        w,
        service.decide_window_extension,
        at("2026-10-13"),
        **(decide | {"actor": subject_actor(c1)}),
    )
    refused("missing_field", w, service.decide_window_extension, at("2026-10-13"), **decide)
    refused(
        "invalid_date",
        w,
        service.decide_window_extension,
        at("2026-10-13"),
        **(decide | {"until": D("2026-10-08")}),
    )
    done = w.do(service.decide_window_extension, at("2026-10-13"), **(decide | {"until": D("2026-10-30")}))
    assert (done.state, done.until, done.decided_by) == ("approved", D("2026-10-30"), "operator")
    refused(
        "case_closed",
        w,
        service.decide_window_extension,
        at("2026-10-14"),
        **(decide | {"until": D("2026-10-30")}),
    )
    # another record has no extension
    refused(
        "window_closed",
        w,
        service.file_objection,
        at("2026-10-30"),
        actor=subject_actor(c1),
        record_id=r2,
        reason="x",
        known_on=known,
    )
    case_id = w.file(at("2026-10-30"), r1, c1, known_on=known, reason="台风期间无法提出")
    with transaction(w.factory) as db:
        case = db.get(ObjectionCase, case_id)
        used = db.get(WindowExtension, ext.id)
        assert case is not None and used is not None
        assert (case.window_extension_id, used.objection_id) == (ext.id, case_id)
        view = service.window_extension_view(db_session=db, profile=w.profile, extension=used)
        assert (view.window_ended.due, view.window_ended.provisional) == (D("2026-10-08"), False)
        told = db.scalars(select(Notice).where(Notice.case_ref == ext.ref)).one()
        assert (told.recipient_kind, told.kind) == ("applicant", "objection.window_extension_approved")


def test_shenzhen_38_extension_ends_on_its_last_day_and_a_denial_is_kept(shenzhen: World) -> None:
    w = shenzhen
    c1 = w.subject(at("2026-07-20"))
    r1 = w.record(at("2026-07-20"), c1)
    known = D("2026-08-02")
    ask = dict(
        actor=subject_actor(c1), record_id=r1, ground="other_legitimate", reason="住院", known_on=known
    )
    first = w.do(service.request_window_extension, at("2026-10-12"), **ask)
    denied = w.do(
        service.decide_window_extension,
        at("2026-10-12"),
        actor=operator(),
        request_id=first.id,
        approve=False,
    )
    assert (denied.state, denied.until) == ("denied", None)
    second = w.do(service.request_window_extension, at("2026-10-13"), **ask)
    w.do(
        service.decide_window_extension,
        at("2026-10-13"),
        actor=operator(),
        request_id=second.id,
        approve=True,
        until=D("2026-10-30"),
    )
    refused(
        "window_closed",
        w,
        service.file_objection,
        at("2026-10-31"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
        known_on=known,
    )
    with transaction(w.factory) as db:
        states = [e.state for e in db.scalars(select(WindowExtension).order_by(WindowExtension.id))]
        assert states == ["denied", "approved"]


def test_window_not_extendable_elsewhere(jilin: World, session_factory: sessionmaker[Session]) -> None:
    """Jilin sets no window (silent): nothing to extend. A profile with a window that is not
    extendable refuses too."""
    c1 = jilin.subject(at("2026-03-02"))
    r1 = jilin.record(at("2026-03-02"), c1)
    ask = dict(actor=subject_actor(c1), record_id=r1, ground="force_majeure", reason="x")
    refused("not_eligible", jilin, service.request_window_extension, at("2026-06-02"), **ask)
    fixed = World(session_factory, with_objection(profile("shenzhen"), window_extendable=False))
    c2 = fixed.subject(at("2026-07-20"))
    r2 = fixed.record(at("2026-07-20"), c2)
    exc = refused(
        "not_eligible",
        fixed,
        service.request_window_extension,
        at("2026-10-12"),
        actor=subject_actor(c2),
        record_id=r2,
        ground="force_majeure",
        reason="x",
        known_on=D("2026-08-02"),
    )
    assert exc.cite == "深圳 第三十八条"


def test_extension_rules_pure() -> None:
    section = profile("shenzhen").objection
    assert section is not None
    filing = rules.Filing(
        filer_is_subject=True,
        filer_is_interested=False,
        received_on=D("2026-10-09"),
        known_on=D("2026-08-02"),
        evidence=(),
        target="record",
        record_item="admin_penalty",
        extended_until=D("2026-10-09"),
    )
    rules.check_filing(section, filing, WorkCalendar())  # the extension's last day is in time
    with pytest.raises(XinyongError) as info:
        rules.check_filing(
            section, filing.__class__(**{**filing.__dict__, "received_on": D("2026-10-10")}), WorkCalendar()
        )
    assert info.value.code == "window_closed"
    assert "2026-10-09" in (info.value.detail or "")


# --------------------------------------------------------------------------- credit service agency


def test_shenzhen_39_an_agency_receives_with_the_platform_deadlines(shenzhen: World) -> None:
    """Shenzhen 第三十七条: filed with a credit service agency by the source of the information;
    第三十九条: the agency compares within 2 working days and notifies the provider within 2, the
    provider replies within 10 of the notice. Received Monday 2026-11-02: compare due 11-04;
    forwarded 11-03: provider reply due 11-17."""
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    refused(
        "missing_field",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
        filed_with="agency",
    )
    case_id = w.file(at("2026-11-02"), r1, c1, filed_with="agency", received_by=AGENCY)
    v = w.view(at("2026-11-02"), case_id)
    assert (v.case.state, v.case.filed_with, v.case.received_by, v.handling_unit) == (
        "received",
        "agency",
        AGENCY,
        AGENCY,
    )
    assert w.deadline(at("2026-11-02"), case_id) == (D("2026-11-04"), False, "compare")
    # another agency may not act on it; the receiving one forwards to the provider
    refused(
        "not_allowed", w, service.forward, at("2026-11-03"), actor=agency("别的信用服务机构"), case_id=case_id
    )
    w.do(service.forward, at("2026-11-03"), actor=agency(), case_id=case_id)
    assert w.deadline(at("2026-11-03"), case_id) == (D("2026-11-17"), False, "provider_reply")
    with transaction(w.factory) as db:
        rows = service.open_cases(db_session=db, jurisdiction="shenzhen", now=at("2026-11-03"))
        assert [(r.handling_unit, r.stage, r.due) for r in rows] == [
            (w.provider_name, "provider_reply", (D("2026-11-17"), False))
        ]


def test_shenzhen_41_an_agency_decides_its_own_error(shenzhen: World) -> None:
    """An agency that finds its own error decides (第三十九条); unverifiable information is deleted
    (第四十一条: 市公共信用机构、信用服务机构应当予以删除)."""
    w = shenzhen
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.do(
        service.file_objection,
        at("2026-11-02"),
        actor=agency(),
        record_id=r1,
        reason="记载不准确",
        by_subject_id=c1,
        filed_with="agency",
        ground="error",
    ).id
    refused(
        "not_allowed",
        w,
        service.file_objection,
        at("2026-11-02"),
        actor=agency(),
        record_id=r1,
        reason="x",
        by_subject_id=c1,
        filed_with="platform",
    )
    w.do(service.resolve, at("2026-11-03"), actor=agency(), case_id=case_id, outcome="unverifiable")
    v = w.view(at("2026-11-03"), case_id)
    assert (v.case.state, v.case.decided_by) == ("deleted", "agency")


def test_nanjing_58_an_agency_may_receive_but_the_days_bind_the_platform(nanjing: World) -> None:
    """Nanjing 第五十八条第二款 lets a credit service agency receive an objection; the 1 and 15
    working days of 第三款 bind the 市公共信用信息管理机构: an agency's case has no day (not invented)."""
    w = nanjing
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1, filed_with="agency", received_by="南京某信用服务公司")
    with pytest.raises(XinyongError) as info:
        w.deadline(at("2026-11-02"), case_id)
    assert info.value.code == "not_eligible"
    platform_case = w.file(at("2026-11-02"), w.record(at("2026-11-02"), c1), c1)
    assert w.deadline(at("2026-11-02"), platform_case)[:2] == (D("2026-11-23"), False)


def test_jilin_35_only_the_platform_receives(jilin: World) -> None:
    """Jilin 第三十五条: to the 县级以上信用信息综合服务机构 only."""
    c1 = jilin.subject(at("2026-03-02"))
    r1 = jilin.record(at("2026-03-02"), c1)
    exc = refused(
        "not_eligible",
        jilin,
        service.file_objection,
        at("2026-03-03"),
        actor=subject_actor(c1),
        record_id=r1,
        reason="x",
        filed_with="agency",
        received_by="某信用服务机构",
    )
    assert exc.field == "filed_with"
