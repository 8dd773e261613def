"""Statements, withholding, archive requests, contests and reorganization over the API.

Mounted under /api/v1/{jurisdiction}. The subject asks for itself; an operator may record a request
on its behalf. Each route calls one service function.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.rights.marks import service
from xinyong.rights.marks.models import MarkCase
from xinyong.rights.marks.schemas import (
    ContestEndIn,
    ContestIn,
    CourtNoticeIn,
    MarkRead,
    ReorganizeIn,
    StatementIn,
    WithholdIn,
    mark_read,
)
from xinyong.subjects import service as subjects_service

router = APIRouter()


def _read(db_session: DbSession, profile: CurrentProfile, case: MarkCase) -> MarkRead:
    return mark_read(service.view(db_session=db_session, profile=profile, case=case))


@router.post(
    "/records/{record_id}/statements",
    response_model=MarkRead,
    status_code=201,
    summary="Attach a statement to a record (附注)",
    responses=problems.AUTH_CONFLICT,
)
def add_statement(
    record_id: RowId,
    body: StatementIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> MarkRead:
    """The subject's statement is attached to its record and shown with it (Shenzhen 第六十条)."""
    actor.require_jurisdiction(profile.id)
    case = service.statement(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=record_id,
        text=body.text,
        ground=body.ground,
    )
    return _read(db_session, profile, case)


@router.post(
    "/records/{record_id}/withholding",
    response_model=MarkRead,
    status_code=201,
    summary="Withhold good information (不予公开)",
    responses=problems.AUTH_CONFLICT,
)
def withhold_record(
    record_id: RowId,
    body: WithholdIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> MarkRead:
    """Good information leaves outside channels at once (Nanjing 第六十一条: at the latest within 2 WD)."""
    actor.require_jurisdiction(profile.id)
    case = service.withhold(
        db_session=db_session, profile=profile, now=now, actor=actor, record_id=record_id, mode=body.mode
    )
    return _read(db_session, profile, case)


@router.post(
    "/records/{record_id}/archive-request",
    response_model=MarkRead,
    status_code=201,
    summary="Ask that an expired record be archived (转为档案保存)",
    responses=problems.AUTH_CONFLICT,
)
def request_archive(
    record_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> MarkRead:
    """An expired record not yet converted is converted to archive storage (Henan 第四十四条)."""
    actor.require_jurisdiction(profile.id)
    case = service.archive(db_session=db_session, profile=profile, now=now, actor=actor, record_id=record_id)
    return _read(db_session, profile, case)


@router.post(
    "/records/{record_id}/contest",
    response_model=MarkRead,
    status_code=201,
    summary="Administrative review or litigation starts (复议、诉讼)",
    responses=problems.AUTH_CONFLICT,
)
def start_contest(
    record_id: RowId,
    body: ContestIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> MarkRead:
    """Disclosure and sharing of the record are suspended while it is contested (Shenzhen 第六十一条)."""
    actor.require_jurisdiction(profile.id)
    case = service.contest(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=record_id,
        proceeding=body.proceeding,
        document=body.document,
    )
    return _read(db_session, profile, case)


@router.post(
    "/records/{record_id}/contest/end",
    response_model=MarkRead,
    summary="The review or litigation is over",
    responses=problems.AUTH_CONFLICT,
)
def end_contest(
    record_id: RowId,
    body: ContestEndIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> MarkRead:
    """The suspension ends; the record is disclosed again unless its own procedure changed it."""
    actor.require_jurisdiction(profile.id)
    case = service.contest_end(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=record_id,
        outcome=body.outcome,
    )
    return _read(db_session, profile, case)


@router.post(
    "/subjects/{identifier}/reorganization",
    response_model=MarkRead,
    status_code=201,
    summary="Present a court-approved reorganization plan (破产重整)",
    responses=problems.AUTH_CONFLICT,
)
def reorganize_subject(
    identifier: str,
    body: ReorganizeIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> MarkRead:
    """Every pre-plan record is marked at once (Shenzhen 第六十九条: within 7 WD); the enterprise is rated as
    newly established (第七十条) and pre-plan records are no factor against it (第七十一条)."""
    actor.require_jurisdiction(profile.id)
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    case = service.reorganize(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        document=body.document,
        plan_on=body.plan_on,
    )
    return _read(db_session, profile, case)


@router.post(
    "/subjects/{identifier}/court-notice",
    response_model=MarkRead,
    status_code=201,
    summary="Carry out a court's notice of assistance in enforcement (协助执行通知书, operators)",
    responses=problems.AUTH_CONFLICT,
)
def court_notice(
    identifier: str,
    body: CourtNoticeIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> MarkRead:
    """During plan execution (Shenzhen 第七十二条): the enterprise leaves the lists a court's notice removes
    it from (reason `court`) and the related records are deleted."""
    actor.require_jurisdiction(profile.id)
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    case = service.court_notice(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        document=body.document,
        record_ids=body.records,
    )
    return _read(db_session, profile, case)


@router.post(
    "/subjects/{identifier}/reorganization/end",
    response_model=MarkRead,
    summary="Plan execution is over (operators)",
    responses=problems.AUTH_CONFLICT,
)
def end_reorganization(
    identifier: str, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> MarkRead:
    """The reorganization marks end with the plan's execution."""
    actor.require_jurisdiction(profile.id)
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    case = service.end_reorganization(
        db_session=db_session, profile=profile, now=now, actor=actor, subject=subject
    )
    return _read(db_session, profile, case)


@router.get(
    "/mark-requests",
    response_model=list[MarkRead],
    summary="Statements, withholding, archive, contest and reorganization requests",
    responses=problems.AUTH,
)
def list_requests(
    db_session: DbSession,
    profile: CurrentProfile,
    actor: CurrentActor,
    kind: Annotated[
        str | None,
        Query(
            pattern="^(statement|withholding|archive|contest|reorganization)$", description="only this kind"
        ),
    ] = None,
) -> list[MarkRead]:
    """A subject sees its own requests, an operator all, each with the platform's due date."""
    actor.require_jurisdiction(profile.id)
    return [
        mark_read(v)
        for v in service.list_cases(db_session=db_session, profile=profile, actor=actor, kind=kind)
    ]
