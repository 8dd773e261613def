"""Authorizations (授权查询): granted by the subject, limited in items, purpose and time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.authorizations.models import Authorization
from xinyong.catalog.standard import standard_catalog
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.periods import end_of
from xinyong.core.profile import Profile
from xinyong.subjects.models import Subject


def grant(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: Subject,
    grantee: str,
    purpose: str,
    until: date | None,
    items: list[str] | None = None,
    valid_from: date | None = None,
    grantee_code: str | None = None,
    document: str | None = None,
) -> Authorization:
    """Record a written authorization. One with no end, or beyond the profile's maximum term, is refused."""
    if actor.role is Role.subject and actor.subject_id != subject.id:
        raise XinyongError(
            "not_allowed", detail="only the subject grants an authorization over its own information"
        )
    actor.require(Role.subject, Role.operator)
    cite = profile.authorization.cite
    if until is None:
        raise XinyongError(
            "lifetime_authorization",
            field="until",
            cite=cite,
            detail="no end date: 一次性授权终身采集、使用 is not allowed",
        )
    today = local_date(now)
    start = valid_from or today
    if until < start:
        raise XinyongError("invalid_date", field="until", detail=f"{until} is before {start}")
    if profile.authorization.max_term is not None and until > end_of(
        start, profile.authorization.max_term.to_duration()
    ):
        raise XinyongError(
            "lifetime_authorization",
            field="until",
            cite=cite,
            detail=f"longer than {profile.authorization.max_term}",
        )
    if not grantee.strip():
        raise XinyongError("missing_field", field="grantee")
    if not purpose.strip():
        raise XinyongError(
            "missing_field", field="purpose", detail="授权查询须约定用途 / an agreed purpose is required"
        )
    codes = None
    if items is not None:
        codes = []
        standard = standard_catalog()
        for raw in items:
            code = standard.resolve(raw)
            if code is None or profile.item(code) is None:
                raise XinyongError("unknown_item", field="items", detail=raw)
            if code not in codes:  # a code and its Chinese name are the same item
                codes.append(code)
    auth = Authorization(
        jurisdiction=profile.id,
        subject_id=subject.id,
        grantee=grantee.strip(),
        grantee_code=grantee_code,
        purpose=purpose.strip(),
        items=codes,
        valid_from=start,
        valid_until=until,
        document=document,
        granted_at=now,
        granted_by=actor.username,
    )
    db_session.add(auth)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="authorization.granted",
        subject_id=subject.identifier,
        details={
            "authorization": auth.id,
            "grantee": auth.grantee,
            "purpose": auth.purpose,
            "items": codes,
            "valid_from": start.isoformat(),
            "valid_until": until.isoformat(),
        },
    )
    return auth


def get_or_raise(*, db_session: Session, authorization_id: int, jurisdiction: str) -> Authorization:
    auth = db_session.get(Authorization, authorization_id)
    if auth is None or auth.jurisdiction != jurisdiction:
        raise XinyongError("unknown_authorization", field="authorization", detail=str(authorization_id))
    return auth


def withdraw(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, auth: Authorization
) -> Authorization:
    """The subject withdraws an authorization; it stops at once."""
    if actor.role is Role.subject and actor.subject_id != auth.subject_id:
        raise XinyongError("not_allowed")
    actor.require(Role.subject, Role.operator)
    if auth.revoked_at is None:
        auth.revoked_at = now  # the one field that changes: the withdrawal time, logged below
        subject = db_session.get(Subject, auth.subject_id)
        audit.log_event(
            db_session=db_session,
            now=now,
            chain=profile.id,
            actor=actor.username,
            action="authorization.withdrawn",
            subject_id=subject.identifier if subject else None,
            details={"authorization": auth.id},
        )
    return auth


def of_subject(*, db_session: Session, jurisdiction: str, subject_id: int) -> list[Authorization]:
    return list(
        db_session.scalars(
            select(Authorization)
            .where(Authorization.jurisdiction == jurisdiction, Authorization.subject_id == subject_id)
            .order_by(Authorization.id)
        )
    )
