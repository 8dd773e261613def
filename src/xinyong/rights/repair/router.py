"""Credit repair API: apply, extend, decide, re-review, read, list; the published commitment letters.

Mounted under /api/v1/{jurisdiction}. Routes are thin: each calls one service function.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.core.actor import Actor, Role
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.rights.repair import service
from xinyong.rights.repair.models import RepairCase
from xinyong.rights.repair.schemas import (
    CommitmentPublic,
    DecisionIn,
    ExtensionIn,
    RepairIn,
    RepairRead,
    ReviewIn,
    commitment_public,
    repair_read,
)
from xinyong.subjects import service as subjects_service

router = APIRouter()


def _read(db_session: DbSession, profile: Profile, now: Now, case: RepairCase) -> RepairRead:
    return repair_read(service.view(db_session=db_session, profile=profile, now=now, case=case))


def _may_read(actor: Actor, case: RepairCase) -> None:
    if actor.role is Role.operator:
        return
    if actor.role is Role.provider and actor.organization == case.handling_unit:
        return
    if actor.role is Role.subject and actor.subject_id == case.subject_id:
        return
    raise XinyongError("not_allowed", detail="a repair case is read by its parties and operators")


@router.post(
    "/repairs",
    response_model=RepairRead,
    status_code=201,
    summary="Apply for credit repair (信用修复申请)",
    responses=problems.AUTH_CONFLICT,
)
def apply_repair(
    body: RepairIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> RepairRead:
    """The subject applies for the repair of one of its records; accepted (受理) at once or refused with
    `too_early`, `not_repairable`, `not_eligible` or `not_allowed` and the article applied."""
    actor.require_jurisdiction(profile.id)
    case = service.apply(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=body.record,
        listing_id=body.listing,
        measures=list(body.measures),
        commitment=body.commitment.model_dump() if body.commitment else None,
        implementing_units=body.implementing_units,
    )
    return _read(db_session, profile, now, case)


@router.get("/repairs", response_model=list[RepairRead], summary="Repair cases", responses=problems.AUTH)
def list_repairs(
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    state: Annotated[
        str | None, Query(pattern="^(received|under_review|approved|denied)$", description="only this state")
    ] = None,
    overdue: Annotated[bool | None, Query(description="only overdue (true) or not overdue (false)")] = None,
) -> list[RepairRead]:
    """Cases overdue first, then by the due date of what each waits for. A provider sees the cases it
    decides, a subject its own, an operator all."""
    actor.require_jurisdiction(profile.id)
    views = service.list_cases(
        db_session=db_session, profile=profile, now=now, actor=actor, state=state, overdue=overdue
    )
    return [repair_read(v) for v in views]


@router.get(
    "/repairs/{case_id}", response_model=RepairRead, summary="One repair case", responses=problems.AUTH
)
def get_repair(
    case_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> RepairRead:
    """The case with each stage's due date (computed now), overdue flags and every event."""
    actor.require_jurisdiction(profile.id)
    case = service.get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    _may_read(actor, case)
    return _read(db_session, profile, now, case)


@router.post(
    "/repairs/{case_id}/extension",
    response_model=RepairRead,
    summary="Extend the decision time (complex case)",
    responses=problems.AUTH_CONFLICT,
)
def extend_repair(
    case_id: RowId,
    body: ExtensionIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> RepairRead:
    """An approved extension (Shenzhen 第六十五条: 5 to 10 working days), once per case."""
    actor.require_jurisdiction(profile.id)
    case = service.extend(
        db_session=db_session, profile=profile, now=now, actor=actor, case_id=case_id, reason=body.reason
    )
    return _read(db_session, profile, now, case)


@router.post(
    "/repairs/{case_id}/decision",
    response_model=RepairRead,
    summary="Decide a repair case",
    responses=problems.AUTH_CONFLICT,
)
def decide_repair(
    case_id: RowId,
    body: DecisionIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> RepairRead:
    """The deciding unit (the record's provider, or an operator for the platform) approves or denies.

    A concurrent decision on the same case gets `conflict`; a closed case `case_closed`."""
    actor.require_jurisdiction(profile.id)
    case = service.decide(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        outcome=body.outcome,
        reason=body.reason,
        ground=body.ground,
        implementing_units=body.implementing_units,
    )
    return _read(db_session, profile, now, case)


@router.post(
    "/repairs/{case_id}/review",
    response_model=RepairRead,
    summary="Re-review an approval (复审)",
    responses=problems.AUTH_CONFLICT,
)
def review_repair(
    case_id: RowId,
    body: ReviewIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> RepairRead:
    """The platform's 复审 of a unit's approval (Jilin 第三十八条): passed repairs the record."""
    actor.require_jurisdiction(profile.id)
    case = service.review(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        outcome=body.outcome,
        reason=body.reason,
    )
    return _read(db_session, profile, now, case)


@router.get(
    "/public/subjects/{identifier}/repair-commitments",
    response_model=list[CommitmentPublic],
    tags=["public"],
    summary="Published repair commitment letters (信用修复承诺书公示)",
    responses=problems.PUBLIC,
)
def public_commitments(
    identifier: str, db_session: DbSession, profile: CurrentProfile
) -> list[CommitmentPublic]:
    """Commitment letters the profile publishes (Shenzhen 第六十四条第二款); no login needed."""
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    return [
        commitment_public(p)
        for p in service.published_commitments(db_session=db_session, profile=profile, subject=subject)
    ]
