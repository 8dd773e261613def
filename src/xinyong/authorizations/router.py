"""Authorizations API: a subject grants, lists and withdraws authorizations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.authorizations import service
from xinyong.core.actor import Role
from xinyong.core.errors import XinyongError
from xinyong.subjects import service as subjects_service

router = APIRouter()

# one form whether the row was just written (in the clock's zone) or read back (UTC)
UTCInstant = Annotated[datetime, PlainSerializer(lambda v: v.astimezone(UTC), return_type=datetime)]


class AuthorizationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(description="the subject's identifier")
    grantee: str
    grantee_code: str | None = None
    purpose: str
    items: list[str] | None = Field(
        None, description="catalog items; omitted = every item the channel allows"
    )
    valid_from: date | None = None
    until: date | None = Field(
        None, description="last day (inclusive); required — no authorization is for life"
    )
    document: str | None = Field(None, description="reference of the written authorization")


class AuthorizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    jurisdiction: str
    grantee: str
    purpose: str
    items: list[str] | None
    valid_from: date
    valid_until: date
    granted_at: UTCInstant
    revoked_at: UTCInstant | None


@router.post(
    "/authorizations",
    response_model=AuthorizationRead,
    status_code=201,
    summary="Grant an authorization (授权查询)",
    responses=problems.AUTH,
)
def grant(
    body: AuthorizationIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> AuthorizationRead:
    """The subject authorizes a querier (授权查询) for stated items, purpose and period.

    No authorization lasts for life: one without `until`, or longer than the profile allows, is
    refused with `lifetime_authorization` and the article applied.
    """
    actor.require_jurisdiction(profile.id)
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=body.subject)
    auth = service.grant(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        grantee=body.grantee,
        grantee_code=body.grantee_code,
        purpose=body.purpose,
        items=body.items,
        valid_from=body.valid_from,
        until=body.until,
        document=body.document,
    )
    return AuthorizationRead.model_validate(auth)


@router.get(
    "/subjects/{identifier}/authorizations",
    response_model=list[AuthorizationRead],
    summary="A subject's authorizations",
    responses=problems.AUTH,
)
def list_authorizations(
    identifier: str, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> list[AuthorizationRead]:
    """The authorizations a subject has granted (the subject itself or an operator)."""
    actor.require_jurisdiction(profile.id)
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    if not (actor.role is Role.operator or (actor.role is Role.subject and actor.subject_id == subject.id)):
        raise XinyongError("not_allowed")
    rows = service.of_subject(db_session=db_session, jurisdiction=profile.id, subject_id=subject.id)
    return [AuthorizationRead.model_validate(a) for a in rows]


@router.delete(
    "/authorizations/{authorization_id}",
    response_model=AuthorizationRead,
    summary="Withdraw an authorization",
    responses=problems.AUTH,
)
def withdraw(
    authorization_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> AuthorizationRead:
    """Withdraw an authorization; it stops at once."""
    actor.require_jurisdiction(profile.id)
    auth = service.get_or_raise(
        db_session=db_session, authorization_id=authorization_id, jurisdiction=profile.id
    )
    return AuthorizationRead.model_validate(
        service.withdraw(db_session=db_session, profile=profile, now=now, actor=actor, auth=auth)
    )
