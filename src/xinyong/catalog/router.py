"""Catalog API: the items of a jurisdiction, their versions, operator changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now
from xinyong.catalog import service
from xinyong.core.actor import Role

router = APIRouter()


class CatalogItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    version: int
    effective_from: date
    layer: str
    status: str
    definition: dict[str, Any]
    created_at: datetime
    created_by: str
    reason: str | None


class CatalogChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: dict[str, Any] = Field(description="providers, update_frequency, legal_basis, data_format, note")
    reason: str
    effective_from: date | None = None


@router.get(
    "/catalog",
    response_model=list[CatalogItemRead],
    summary="The catalog (目录)",
    responses=problems.PUBLIC,
)
def list_catalog(db_session: DbSession, profile: CurrentProfile, now: Now) -> list[CatalogItemRead]:
    """Every item in force in this jurisdiction's catalog (目录), newest version."""
    service.sync(db_session=db_session, profile=profile, now=now)
    rows = service.latest_versions(db_session=db_session, jurisdiction=profile.id)
    return [CatalogItemRead.model_validate(rows[c]) for c in profile.catalog.items]


@router.get(
    "/catalog/{code}/versions",
    response_model=list[CatalogItemRead],
    summary="An item's versions",
    responses=problems.PUBLIC,
)
def versions(code: str, db_session: DbSession, profile: CurrentProfile, now: Now) -> list[CatalogItemRead]:
    """Every version of one item."""
    service.sync(db_session=db_session, profile=profile, now=now)
    return [
        CatalogItemRead.model_validate(r)
        for r in service.history(db_session=db_session, jurisdiction=profile.id, code=code)
    ]


@router.post(
    "/catalog/{code}/versions",
    response_model=CatalogItemRead,
    status_code=201,
    summary="Change an item (operators)",
    responses=problems.AUTH,
)
def change(
    code: str,
    body: CatalogChangeIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> CatalogItemRead:
    """An operator changes an item's operational attributes: a new version, with its reason.

    Records keep the version they were accepted under. Legal attributes (class, scopes, periods)
    change only in the profile file: naming one here is refused with `invalid_catalog`.
    """
    actor.require_jurisdiction(profile.id)
    actor.require(Role.operator)
    row = service.update_item(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor.username,
        code=code,
        changes=body.changes,
        reason=body.reason,
        effective_from=body.effective_from,
    )
    return CatalogItemRead.model_validate(row)
