"""Authorizations (授权查询) on real SQLite and PostgreSQL: granted by the subject, never for life.

江苏 第六十一条第二项, 深圳 第二十四条第二款: 不得一次性授权终身采集、使用. The texts set no maximum
term; an operator may add one to the profile (`authorization.max_term`) with its basis.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import agency, amended, at, government, operator, penalty, provider, subject_actor, uscc
from xinyong.audit.models import AuditEntry
from xinyong.authorizations import service
from xinyong.authorizations.models import Authorization
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import service as records_service
from xinyong.records.rules import Channel
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

Factory = sessionmaker[Session]
JILIN = profiles.get("jilin")
T0 = at(date(2026, 3, 2))


def with_max_term(profile: Profile, value: int, unit: str) -> Profile:
    def change(data: dict[str, Any]) -> None:
        data["authorization"]["max_term"] = {"value": value, "unit": unit}

    return amended(profile, change)


@pytest.fixture
def subject(session_factory: Factory) -> Subject:
    with transaction(session_factory) as db:
        return subjects_service.get_or_create(
            db_session=db, now=T0, kind="legal_person", identifier=uscc(1), name="长春某某科技有限公司"
        )


def grant(sf: Factory, subject: Subject, *, actor: Actor | None = None, **over: Any) -> Authorization:
    args: dict[str, Any] = {
        "profile": JILIN,
        "now": T0,
        "grantee": "某某信用服务有限公司",
        "purpose": "融资授信审查",
        "until": date(2026, 12, 31),
    }
    args.update(over)
    with transaction(sf) as db:
        return service.grant(db_session=db, actor=actor or subject_actor(subject.id), subject=subject, **args)


def refused(sf: Factory, subject: Subject, **over: Any) -> XinyongError:
    with pytest.raises(XinyongError) as exc:
        grant(sf, subject, **over)
    return exc.value


def test_grant_is_stored_and_audited(session_factory: Factory, subject: Subject) -> None:
    auth = grant(
        session_factory, subject, items=["行政处罚", "admin_license", "admin_penalty"], document="授权书001"
    )
    assert (auth.jurisdiction, auth.subject_id, auth.grantee, auth.purpose) == (
        "jilin",
        subject.id,
        "某某信用服务有限公司",
        "融资授信审查",
    )
    assert (auth.items, auth.valid_from, auth.valid_until, auth.revoked_at) == (
        ["admin_penalty", "admin_license"],
        date(2026, 3, 2),
        date(2026, 12, 31),
        None,
    )
    with transaction(session_factory) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "authorization.granted")).one()
    assert (entry.chain, entry.subject_id) == ("jilin", uscc(1))
    assert entry.details["valid_until"] == "2026-12-31"
    assert entry.details["items"] == ["admin_penalty", "admin_license"]


def test_no_end_date_is_a_lifetime_authorization(session_factory: Factory, subject: Subject) -> None:
    """吉林 第十七条第二款; no authorization lasts for life (DESIGN principle 5)."""
    err = refused(session_factory, subject, until=None)
    assert (err.code, err.field, err.cite) == ("lifetime_authorization", "until", JILIN.authorization.cite)


def test_until_before_start_is_invalid_date(session_factory: Factory, subject: Subject) -> None:
    err = refused(session_factory, subject, until=date(2026, 3, 1))
    assert (err.code, err.field) == ("invalid_date", "until")
    err = refused(session_factory, subject, valid_from=date(2026, 4, 1), until=date(2026, 3, 31))
    assert (err.code, err.field) == ("invalid_date", "until")
    assert grant(session_factory, subject, until=date(2026, 3, 2)).valid_until == date(2026, 3, 2)  # one day


def test_unknown_item_refused(session_factory: Factory, subject: Subject) -> None:
    err = refused(session_factory, subject, items=["admin_penalty", "没有这个信息项"])
    assert (err.code, err.field, err.detail) == ("unknown_item", "items", "没有这个信息项")
    err = refused(session_factory, subject, items=["drunk_driving"])  # a Nanjing item, not Jilin's
    assert err.code == "unknown_item"


def test_grantee_and_purpose_required(session_factory: Factory, subject: Subject) -> None:
    assert (refused(session_factory, subject, grantee=" ").field) == "grantee"
    err = refused(session_factory, subject, purpose="")
    assert (err.code, err.field) == ("missing_field", "purpose")


def test_subject_grants_only_for_itself(session_factory: Factory, subject: Subject) -> None:
    with transaction(session_factory) as db:
        other = subjects_service.get_or_create(
            db_session=db, now=T0, kind="legal_person", identifier=uscc(2), name="另一家公司"
        )
    err = refused(session_factory, subject, actor=subject_actor(other.id))
    assert err.code == "not_allowed"
    for actor in (agency(), government(), provider()):
        assert refused(session_factory, subject, actor=actor).code == "not_allowed"
    assert grant(session_factory, subject, actor=operator()).subject_id == subject.id  # recorded on paper


def test_max_term_refuses_a_longer_authorization(session_factory: Factory, subject: Subject) -> None:
    """An operator's max_term of one year from 2026-03-02 ends 2027-03-02 (民法典 第二百零二条)."""
    profile = with_max_term(JILIN, 1, "year")
    assert grant(session_factory, subject, profile=profile, until=date(2027, 3, 2)).valid_until == date(
        2027, 3, 2
    )
    err = refused(session_factory, subject, profile=profile, until=date(2027, 3, 3))
    assert (err.code, err.field, err.detail) == ("lifetime_authorization", "until", "longer than 1 year")


def test_max_term_counts_from_valid_from(session_factory: Factory, subject: Subject) -> None:
    profile = with_max_term(JILIN, 6, "month")
    ok = grant(
        session_factory, subject, profile=profile, valid_from=date(2026, 8, 31), until=date(2027, 2, 28)
    )
    assert ok.valid_until == date(2027, 2, 28)
    err = refused(
        session_factory, subject, profile=profile, valid_from=date(2026, 8, 31), until=date(2027, 3, 1)
    )
    assert err.code == "lifetime_authorization"


def test_withdraw_stops_the_authorization_at_once(session_factory: Factory, subject: Subject) -> None:
    with transaction(session_factory) as db:
        records_service.submit(db_session=db, profile=JILIN, now=T0, actor=provider(), values=penalty())
    auth = grant(session_factory, subject)
    withdrawn_at = at(date(2026, 4, 1), hour=10)

    def read(now: Any) -> list[int]:
        with transaction(session_factory) as db:
            current = service.get_or_raise(db_session=db, authorization_id=auth.id, jurisdiction="jilin")
            view = records_service.read_archive(
                db_session=db,
                profile=JILIN,
                now=now,
                actor=agency(),
                subject=subject,
                channel=Channel.authorized,
                authorization=current,
            )
            return [v.record.id for v in view.records]

    assert len(read(at(date(2026, 4, 1), hour=9))) == 1
    with transaction(session_factory) as db:
        current = service.get_or_raise(db_session=db, authorization_id=auth.id, jurisdiction="jilin")
        service.withdraw(
            db_session=db, profile=JILIN, now=withdrawn_at, actor=subject_actor(subject.id), auth=current
        )
    with pytest.raises(XinyongError) as refused:
        read(withdrawn_at)
    assert refused.value.code == "authorization_inactive"
    with transaction(session_factory) as db:
        stored = db.get(Authorization, auth.id)
        assert stored is not None
        assert stored.revoked_at == withdrawn_at
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "authorization.withdrawn")).all()
        assert [(e.details, e.subject_id) for e in entries] == [({"authorization": auth.id}, uscc(1))]


def test_withdraw_twice_keeps_the_first_time(session_factory: Factory, subject: Subject) -> None:
    auth = grant(session_factory, subject)
    first, second = at(date(2026, 4, 1)), at(date(2026, 4, 2))
    for now in (first, second):
        with transaction(session_factory) as db:
            current = service.get_or_raise(db_session=db, authorization_id=auth.id, jurisdiction="jilin")
            service.withdraw(
                db_session=db, profile=JILIN, now=now, actor=subject_actor(subject.id), auth=current
            )
    with transaction(session_factory) as db:
        stored = db.get(Authorization, auth.id)
        assert stored is not None and stored.revoked_at == first
        assert (
            len(db.scalars(select(AuditEntry).where(AuditEntry.action == "authorization.withdrawn")).all())
            == 1
        )


def test_only_the_subject_or_an_operator_withdraws(session_factory: Factory, subject: Subject) -> None:
    auth = grant(session_factory, subject)
    for actor in (subject_actor(subject.id + 1), agency()):
        with pytest.raises(XinyongError) as exc, transaction(session_factory) as db:
            current = service.get_or_raise(db_session=db, authorization_id=auth.id, jurisdiction="jilin")
            service.withdraw(db_session=db, profile=JILIN, now=T0, actor=actor, auth=current)
        assert exc.value.code == "not_allowed"


def test_authorization_of_another_jurisdiction_is_unknown(session_factory: Factory, subject: Subject) -> None:
    auth = grant(session_factory, subject)
    with pytest.raises(XinyongError) as exc, transaction(session_factory) as db:
        service.get_or_raise(db_session=db, authorization_id=auth.id, jurisdiction="nanjing")
    assert (exc.value.code, exc.value.field) == ("unknown_authorization", "authorization")


def test_of_subject_lists_in_grant_order(session_factory: Factory, subject: Subject) -> None:
    a = grant(session_factory, subject)
    b = grant(session_factory, subject, grantee="另一家信用服务机构")
    grant(session_factory, subject, profile=profiles.get("nanjing"))
    with transaction(session_factory) as db:
        listed = service.of_subject(db_session=db, jurisdiction="jilin", subject_id=subject.id)
    assert [x.id for x in listed] == [a.id, b.id]
