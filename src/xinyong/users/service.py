"""Users, roles and API tokens. A token is shown once and stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from xinyong.core.actor import Actor, Role
from xinyong.core.errors import XinyongError
from xinyong.users.models import ApiToken, Organization, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_or_create_org(
    *, db_session: Session, now: datetime, name: str, code: str | None = None
) -> Organization:
    org = db_session.scalars(select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name, code=code, created_at=now)
        db_session.add(org)
        db_session.flush()
    return org


def create_user(
    *,
    db_session: Session,
    now: datetime,
    username: str,
    role: Role | str,
    display_name: str | None = None,
    organization: str | None = None,
    subject_id: int | None = None,
    jurisdiction: str | None = None,
) -> User:
    role = Role(role)
    if db_session.scalars(select(User).where(User.username == username)).first() is not None:
        raise XinyongError("invalid_request", field="username", detail=f"{username} exists")
    if role in (Role.provider, Role.government, Role.agency) and not organization:
        raise XinyongError(
            "missing_field", field="organization", detail=f"a {role.value} user belongs to a unit"
        )
    if role is Role.subject and subject_id is None:
        raise XinyongError("missing_field", field="subject", detail="a subject user is linked to its archive")
    org = get_or_create_org(db_session=db_session, now=now, name=organization) if organization else None
    user = User(
        username=username,
        display_name=display_name or username,
        role=role.value,
        organization_id=org.id if org else None,
        subject_id=subject_id,
        jurisdiction=jurisdiction,
        created_at=now,
    )
    db_session.add(user)
    db_session.flush()
    return user


def issue_token(*, db_session: Session, now: datetime, user: User, label: str | None = None) -> str:
    token = "xy_" + secrets.token_urlsafe(32)
    db_session.add(ApiToken(user_id=user.id, token_hash=_hash(token), label=label, created_at=now))
    db_session.flush()
    return token


def actor_of(user: User) -> Actor:
    return Actor(
        username=user.username,
        role=Role(user.role),
        organization=user.organization.name if user.organization else None,
        subject_id=user.subject_id,
        jurisdiction=user.jurisdiction,
    )


def authenticate(*, db_session: Session, now: datetime, token: str | None) -> Actor:
    if not token:
        raise XinyongError("unauthenticated")
    # one Core round trip on every API call (no ORM objects): the token, its user and organization
    row = db_session.execute(_AUTH, {"token_hash": _hash(token)}).first()
    if row is None or (row.revoked_at is not None and row.revoked_at <= now):
        raise XinyongError("unauthenticated")
    return Actor(
        username=row.username,
        role=Role(row.role),
        organization=row.organization,
        subject_id=row.subject_id,
        jurisdiction=row.jurisdiction,
    )


_AUTH = (
    select(
        ApiToken.revoked_at,
        User.username,
        User.role,
        User.subject_id,
        User.jurisdiction,
        Organization.name.label("organization"),
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Organization, Organization.id == User.organization_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
    .limit(1)
)


def revoke_token(*, db_session: Session, now: datetime, token: str) -> ApiToken:
    """Stop a token from `now` on; the row stays, with the time it was revoked (a second revoke keeps it)."""
    row = db_session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None:
        raise XinyongError("not_found", field="token", detail="no such token")
    if row.revoked_at is None:
        row.revoked_at = now
        db_session.flush()
    return row
