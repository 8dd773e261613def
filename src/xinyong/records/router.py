"""Records API: submit one or a batch, read one, report a revocation, read a subject's archive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.api import problems
from xinyong.api.deps import DB_ID_MAX, CurrentActor, CurrentProfile, DbSession, Now, RowId, aware
from xinyong.authorizations import service as authorizations_service
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.records import rules, service
from xinyong.records.ingest import SourceRow
from xinyong.records.models import Batch
from xinyong.records.schemas import (
    ArchiveFull,
    ArchivePublic,
    BatchIn,
    BatchReportRead,
    RecordFull,
    RevokeIn,
    StatusRead,
    SubmissionIn,
    archive_full,
    archive_public,
    record_full,
)
from xinyong.subjects import service as subjects_service

router = APIRouter()
PUBLIC = Actor(username="public", role=Role.subject)  # anyone on the portal: the public channel only


@router.post(
    "/records",
    response_model=RecordFull,
    status_code=201,
    summary="Submit one record (归集)",
    responses=problems.AUTH_CONFLICT,
)
def submit_record(
    submission: SubmissionIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> RecordFull:
    """Submit one record (归集). Resubmitting the same `record_id` returns the stored record.

    A refusal carries the first problem's code (`invalid_identifier`, `prohibited_data`, ...) and
    lists every problem found in `errors`.
    """
    actor.require_jurisdiction(profile.id)
    record, _ = service.submit(
        db_session=db_session, profile=profile, now=now, actor=actor, values=submission.values()
    )
    return _as_written(db_session, profile, now, record.id)


@router.post(
    "/batches",
    response_model=BatchReportRead,
    status_code=201,
    summary="Submit a batch of records",
    responses=problems.AUTH,
)
def submit_batch(
    batch: BatchIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> BatchReportRead:
    """Submit up to 10,000 records; good rows are kept, each bad row is reported with row, field and code."""
    actor.require_jurisdiction(profile.id)
    report = service.submit_batch(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        name=batch.name,
        rows=[SourceRow(row=i, values=r.values()) for i, r in enumerate(batch.rows, 1)],
    )
    return BatchReportRead.model_validate(report, from_attributes=True)


@router.get(
    "/batches/{batch_id}",
    response_model=BatchReportRead,
    summary="A batch's report",
    responses=problems.AUTH,
)
def get_batch(
    batch_id: RowId, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> BatchReportRead:
    """A batch's report: counts and every rejected row (its provider unit or an operator)."""
    actor.require_jurisdiction(profile.id)
    batch = db_session.get(Batch, batch_id)
    if batch is None or batch.jurisdiction != profile.id:
        raise XinyongError("unknown_batch", detail=str(batch_id))
    if actor.role is Role.provider and batch.provider != actor.organization:
        raise XinyongError("not_allowed")
    actor.require(Role.provider, Role.operator)
    return BatchReportRead(
        batch_id=batch.id,
        total=batch.total,
        accepted=batch.accepted,
        duplicates=batch.duplicates,
        rejected=batch.rejected,
        errors=batch.errors,
        record_ids={},
    )


@router.get(
    "/records/{record_id}",
    response_model=RecordFull,
    summary="One record (provider channel)",
    responses=problems.AUTH,
)
def get_record(
    record_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> RecordFull:
    """One record as its provider or an operator sees it (state, window, events). Logged as a query."""
    actor.require_jurisdiction(profile.id)
    actor.require(Role.provider, Role.operator)
    return _full(db_session, profile, now, actor, record_id)


@router.post(
    "/records/{record_id}/revocation",
    response_model=RecordFull,
    status_code=201,
    summary="Report a revoked decision (撤销、变更、确认无效)",
    responses=problems.AUTH_CONFLICT,
)
def revoke_record(
    record_id: RowId,
    body: RevokeIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> RecordFull:
    """The provider reports that the decision behind the record was revoked, changed or voided.

    The record leaves the public, government and authorized channels at once. The `revoked` event
    carries the platform's deadline to act (`due_on`) where the profile sets one and, given
    `document_effective_on`, the provider's own deadline to report (`provider_due_on`) and whether
    this report came after it (`provider_late`). Where the profile lets the revoking unit report
    (Nanjing 第五十九条), a unit other than the record's provider may, naming its `document`.
    """
    actor.require_jurisdiction(profile.id)
    service.revoke(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=record_id,
        document=body.document,
        reason=body.reason,
        document_effective_on=body.document_effective_on,
    )
    return _as_written(db_session, profile, now, record_id)


@router.get(
    "/records/{record_id}/status",
    response_model=StatusRead,
    summary="A record's state",
    responses=problems.AUTH,
)
def record_status(
    record_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> StatusRead:
    """The record's state: active, revoked, expired, archived or deleted."""
    actor.require_jurisdiction(profile.id)
    actor.require(Role.provider, Role.operator)
    record = service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    if actor.role is Role.provider and record.provider != actor.organization:
        raise XinyongError("not_allowed", detail="another unit's record")
    return StatusRead(
        record=record.id,
        state=service.record_status(db_session=db_session, profile=profile, now=now, record=record),
    )


def _as_written(db_session: DbSession, profile: CurrentProfile, now: datetime, record_id: int) -> RecordFull:
    """The record as its provider sees it right after a change the caller made (submit, revocation).

    Not an archive read: a write is not a look-up, so nothing goes to the subject's query log, and
    a record the change took out of every channel (revoked where the profile deletes, or submitted
    after its period ended) is still answered instead of failing the change with `unknown_record`.
    """
    record = service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    subject = subjects_service.get(db_session=db_session, subject_id=record.subject_id)
    assert subject is not None
    events = service.events_of(db_session, [record.id])[record.id]
    facts = service.facts_of(record, subject.kind, events)
    today = local_date(now)
    view = service.RecordView(
        record=record,
        state=rules.status_name(facts, profile, now, today),
        marks=rules.marks(facts, now, today),
        window=rules.window(facts, profile),
        events=events,
        # TODO(lead): a public service.record_view() should build this, for read_archive too
        due=service._event_deadlines(db_session, profile, events, []),
        provider_notice=service.provider_notices(db_session, profile, events),
    )
    return record_full(view, profile, rules.Channel.provider.value)


def _full(
    db_session: DbSession, profile: CurrentProfile, now: datetime, actor: Actor, record_id: int
) -> RecordFull:
    record = service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    if actor.role is Role.provider and record.provider != actor.organization:
        raise XinyongError("not_allowed", detail="another unit's record")
    subject = subjects_service.get(db_session=db_session, subject_id=record.subject_id)
    assert subject is not None
    view = service.read_archive(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        channel=rules.Channel.provider,
    )
    for v in view.records:
        if v.record.id == record_id:
            v.provider_notice = service.provider_notices(db_session, profile, v.events)
            return record_full(v, profile, "provider")
    raise XinyongError("unknown_record", detail=str(record_id))


@router.get(
    "/public/subjects/{identifier}",
    response_model=ArchivePublic,
    tags=["public"],
    summary="A subject's public archive (依法公开)",
    responses=problems.PUBLIC,
)
def public_archive(
    identifier: str, db_session: DbSession, profile: CurrentProfile, now: Now
) -> ArchivePublic:
    """依法公开: what anyone sees. Natural persons are masked; no login needed."""
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    view = service.read_archive(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=PUBLIC,
        subject=subject,
        channel=rules.Channel.public,
    )
    return archive_public(view, profile)


@router.get(
    "/subjects/{identifier}/archive",
    response_model=ArchiveFull,
    summary="A subject's archive through a non-public channel",
    responses=problems.AUTH,
)
def archive(
    identifier: str,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    channel: Annotated[rules.Channel, Query(description="government / self / authorized / provider")],
    purpose: Annotated[str | None, Query(description="why: written to the query log")] = None,
    authorization: Annotated[
        int | None, Query(ge=1, le=DB_ID_MAX, description="authorization id for `authorized`")
    ] = None,
    as_of: Annotated[
        datetime | None, Query(description="operators only: read the view at another time")
    ] = None,
) -> ArchiveFull:
    """A subject's archive through a non-public channel. Every call is written to the query log."""
    actor.require_jurisdiction(profile.id)
    if channel is rules.Channel.public:
        raise XinyongError("invalid_request", field="channel", detail="use /public/subjects/{identifier}")
    if channel is rules.Channel.government and not purpose:
        raise XinyongError(
            "missing_field", field="purpose", detail="依职权查询须说明用途 / state the purpose"
        )
    as_of = aware(as_of, "as_of")
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    auth = None
    if authorization is not None:
        auth = authorizations_service.get_or_raise(
            db_session=db_session, authorization_id=authorization, jurisdiction=profile.id
        )
    view = service.read_archive(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        channel=channel,
        purpose=purpose,
        authorization=auth,
        as_of=as_of,
    )
    return archive_full(view, profile)
