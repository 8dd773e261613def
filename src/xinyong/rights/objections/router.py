"""Objections API (异议) and record versions; mounted under /api/v1/{jurisdiction}.

Who may do what: a subject files against its own records (an interested party where the profile
allows), and asks for review of its cases; an operator (the platform) forwards, extends, pauses,
resumes and decides its own errors and reviews, and may record a written application for a
subject; the record's provider decides forwarded cases and corrects its own records. Refusals are
problem+json with a stable `code`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.core.actor import Actor, Role
from xinyong.core.errors import XinyongError
from xinyong.queues.service import sort_key
from xinyong.records.redaction import shown_data
from xinyong.rights.objections import service
from xinyong.rights.objections.schemas import (
    CaseRead,
    CaseSummaryRead,
    CorrectionIn,
    ExtendIn,
    ObjectionCreate,
    ResolveIn,
    Step,
    VersionRead,
    WindowExtensionCreate,
    WindowExtensionDecision,
    WindowExtensionRead,
)
from xinyong.subjects import service as subjects_service

router = APIRouter()


def _read(db_session: DbSession, profile: CurrentProfile, now: Now, actor: Actor, case_id: int) -> CaseRead:
    return CaseRead.of(
        service.get_case(db_session=db_session, profile=profile, now=now, actor=actor, case_id=case_id)
    )


def _after(db_session: DbSession, profile: CurrentProfile, now: Now, case_id: int) -> CaseRead:
    """The case as it stands after the caller's change (read as the platform: the actor may lose
    sight of nothing it just did)."""
    case = service.get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    return CaseRead.of(service.view(db_session=db_session, profile=profile, now=now, case=case))


@router.post(
    "/objections",
    response_model=CaseRead,
    status_code=201,
    summary="File an objection (异议)",
    responses=problems.AUTH_CONFLICT,
)
def file_objection(
    body: ObjectionCreate, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CaseRead:
    """File an objection against a record or an evaluation record. The record is marked at once.

    Refusals: `not_allowed` (not the subject, or an interested party where the profile does not
    allow one), `window_closed`, `not_eligible` (evidence required, not an evaluation, a case
    already open), `unknown_record`.
    """
    by_id = None
    if body.by is not None:
        by_id = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=body.by).id
    case = service.file_objection(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=body.record,
        reason=body.reason,
        by_subject_id=by_id,
        target=body.target,
        known_on=body.known_on,
        evidence=body.evidence,
        filed_with=body.filed_with,
        ground=body.ground,
        received_by=body.received_by,
    )
    return _after(db_session, profile, now, case.id)


@router.post(
    "/objections/window-extensions",
    response_model=WindowExtensionRead,
    status_code=201,
    summary="Ask to file an objection after the window (异议申请期限延长)",
    responses=problems.AUTH_CONFLICT,
)
def request_window_extension(
    body: WindowExtensionCreate, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> WindowExtensionRead:
    """The filer could not object within the window for force majeure or another legitimate reason
    (Shenzhen 第三十八条). Refusals: `not_eligible` (the profile's window is not extendable, or the
    window is still open), `not_allowed`, `invalid_field` (a reason kind the text does not name)."""
    by_id = None
    if body.by is not None:
        by_id = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=body.by).id
    ext = service.request_window_extension(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=body.record,
        ground=body.ground,
        reason=body.reason,
        known_on=body.known_on,
        by_subject_id=by_id,
    )
    return WindowExtensionRead.of(
        service.window_extension_view(db_session=db_session, profile=profile, extension=ext)
    )


@router.post(
    "/objections/window-extensions/{request_id}/decision",
    response_model=WindowExtensionRead,
    summary="Approve or deny a window extension (核实批准)",
    responses=problems.AUTH_CONFLICT,
)
def decide_window_extension(
    request_id: RowId,
    body: WindowExtensionDecision,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> WindowExtensionRead:
    """Operators approve (with `until`, the last day to file) or deny; the applicant is told."""
    ext = service.decide_window_extension(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        request_id=request_id,
        approve=body.approve,
        until=body.until,
        reason=body.reason,
        version=body.version,
    )
    return WindowExtensionRead.of(
        service.window_extension_view(db_session=db_session, profile=profile, extension=ext)
    )


@router.get(
    "/objections/window-extensions/{request_id}",
    response_model=WindowExtensionRead,
    summary="A window extension request",
    responses=problems.AUTH,
)
def get_window_extension(
    request_id: RowId, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> WindowExtensionRead:
    """A request to file an objection after the window (Shenzhen 第三十八条): reason, decision, last day."""
    ext = service.get_window_extension(
        db_session=db_session, profile=profile, actor=actor, request_id=request_id
    )
    return WindowExtensionRead.of(
        service.window_extension_view(db_session=db_session, profile=profile, extension=ext)
    )


@router.get(
    "/objections",
    response_model=list[CaseSummaryRead],
    summary="Open objections: the work queue",
    responses=problems.AUTH,
)
def open_objections(
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    overdue: Annotated[bool, Query(description="only overdue cases")] = False,
) -> list[CaseSummaryRead]:
    """Open cases with what each waits for and when: overdue first, then by due date (operators;
    a provider sees the cases it has)."""
    actor.require_jurisdiction(profile.id)
    actor.require(Role.operator, Role.provider, Role.agency)
    rows = service.open_cases(db_session=db_session, jurisdiction=profile.id, now=now, profile=profile)
    if actor.role in (Role.provider, Role.agency):
        rows = [r for r in rows if r.handling_unit == actor.organization]
    if overdue:
        rows = [r for r in rows if r.overdue]
    rows.sort(key=sort_key)
    return [
        CaseSummaryRead(
            ref=r.ref,
            subject=r.subject,
            handling_unit=r.handling_unit,
            stage=r.stage,
            due=r.due[0] if r.due else None,
            provisional=bool(r.due and r.due[1]),
            overdue=r.overdue,
            opened_at=r.opened_at,
        )
        for r in rows
    ]


@router.get(
    "/objections/{case_id}",
    response_model=CaseRead,
    summary="One objection with its stages and due dates",
    responses=problems.AUTH,
)
def get_objection(
    case_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CaseRead:
    """The case: state, every stage with its due date (computed now) and overdue flag, every event."""
    return _read(db_session, profile, now, actor, case_id)


@router.post(
    "/objections/{case_id}/forward",
    response_model=CaseRead,
    summary="Forward to the provider (转交核查)",
    responses=problems.AUTH_CONFLICT,
)
def forward_objection(
    case_id: RowId, body: Step, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CaseRead:
    """The platform finds no error of its own and sends the objection to the record's provider."""
    service.forward(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        reason=body.reason,
        version=body.version,
    )
    return _after(db_session, profile, now, case_id)


@router.post(
    "/objections/{case_id}/extend",
    response_model=CaseRead,
    summary="Extend the checking time (延期)",
    responses=problems.AUTH_CONFLICT,
)
def extend_objection(
    case_id: RowId,
    body: ExtendIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> CaseRead:
    """An approved extension; `extension_exceeds_cap` past the profile's cap, `not_eligible` where the
    profile provides none."""
    service.extend(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        working_days=body.working_days,
        reason=body.reason,
        version=body.version,
    )
    return _after(db_session, profile, now, case_id)


@router.post(
    "/objections/{case_id}/pause",
    response_model=CaseRead,
    summary="Pause for inspection or expert review",
    responses=problems.AUTH_CONFLICT,
)
def pause_objection(
    case_id: RowId, body: Step, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CaseRead:
    """Inspection, testing, quarantine, appraisal or expert review starts; its time is not counted
    where the profile says so (Henan 第四十一条)."""
    service.pause(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        reason=body.reason,
        version=body.version,
    )
    return _after(db_session, profile, now, case_id)


@router.post(
    "/objections/{case_id}/resume",
    response_model=CaseRead,
    summary="Resume after a pause",
    responses=problems.AUTH_CONFLICT,
)
def resume_objection(
    case_id: RowId, body: Step, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CaseRead:
    """Inspection, testing or expert review is over; paused days stay out of due dates (Henan 第四十一条)."""
    service.resume(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        reason=body.reason,
        version=body.version,
    )
    return _after(db_session, profile, now, case_id)


@router.post(
    "/objections/{case_id}/resolve",
    response_model=CaseRead,
    summary="Decide the objection (or its review)",
    responses=problems.AUTH_CONFLICT,
)
def resolve_objection(
    case_id: RowId,
    body: ResolveIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> CaseRead:
    """corrected (with `changes` and the change reason), deleted, upheld, or unverifiable (deleted
    where the profile says so). Two officers deciding at once: the second gets `conflict`."""
    service.resolve(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        outcome=body.outcome,
        by=body.by,
        reason=body.reason,
        changes=body.changes,
        version=body.version,
    )
    return _after(db_session, profile, now, case_id)


@router.post(
    "/objections/{case_id}/review",
    response_model=CaseRead,
    summary="Ask for review (复核)",
    responses=problems.AUTH_CONFLICT,
)
def review_objection(
    case_id: RowId, body: Step, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CaseRead:
    """The applicant asks for review of the decision, where the profile provides one."""
    service.request_review(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        case_id=case_id,
        reason=body.reason,
        version=body.version,
    )
    return _after(db_session, profile, now, case_id)


@router.get(
    "/subjects/{identifier}/objections",
    response_model=list[CaseRead],
    summary="A subject's objections",
    responses=problems.AUTH,
)
def subject_objections(
    identifier: str, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> list[CaseRead]:
    """Every case about the subject's records or filed by it (the subject itself, or an operator)."""
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    views = service.list_cases(
        db_session=db_session, profile=profile, now=now, actor=actor, subject_id=subject.id
    )
    return [CaseRead.of(v) for v in views]


@router.post(
    "/records/{record_id}/corrections",
    response_model=list[VersionRead],
    status_code=201,
    summary="Correct a record (更正) as its provider",
    responses=problems.AUTH_CONFLICT,
)
def correct_record(
    record_id: RowId,
    body: CorrectionIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> list[VersionRead]:
    """The provider corrects its own record: a new version with the change reason (变动理由); every
    earlier version stays and units that received the record are told."""
    service.correct_record(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=record_id,
        changes=body.changes,
        reason=body.reason,
        document=body.document,
    )
    return _versions(db_session, profile, actor, record_id)


@router.get(
    "/records/{record_id}/versions",
    response_model=list[VersionRead],
    summary="A record's versions: what changed, when, by whom and why",
    responses=problems.AUTH,
)
def record_versions(
    record_id: RowId, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> list[VersionRead]:
    """Every version of the record's data, the first as submitted (the subject, its provider, operators)."""
    return _versions(db_session, profile, actor, record_id)


def _versions(
    db_session: DbSession, profile: CurrentProfile, actor: Actor, record_id: int
) -> list[VersionRead]:
    channel = "self" if actor.role is Role.subject else "provider"
    out = []
    for v in service.versions(db_session=db_session, profile=profile, actor=actor, record_id=record_id):
        read = VersionRead.of(v)
        read.data = shown_data(read.data, profile, channel)
        read.changes = shown_data(read.changes, profile, channel)
        out.append(read)
    if not out:
        raise XinyongError("unknown_record", detail=str(record_id))
    return out
