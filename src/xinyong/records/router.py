"""Records API: submit one or a batch, read one, report a revocation, read a subject's archive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now
from xinyong.authorizations import service as authorizations_service
from xinyong.core.actor import Actor, Role
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


@router.post("/records", response_model=RecordFull, status_code=201)
def submit_record(
    submission: SubmissionIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> RecordFull:
    """Submit one record (归集). Resubmitting the same `record_id` returns the stored record."""
    actor.require_jurisdiction(profile.id)
    record, _ = service.submit(
        db_session=db_session, profile=profile, now=now, actor=actor, values=submission.values()
    )
    return _full(db_session, profile, now, actor, record.id)


@router.post("/batches", response_model=BatchReportRead, status_code=201)
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


@router.get("/batches/{batch_id}", response_model=BatchReportRead)
def get_batch(
    batch_id: int, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> BatchReportRead:
    """A batch's report."""
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


@router.get("/records/{record_id}", response_model=RecordFull)
def get_record(
    record_id: int, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> RecordFull:
    """One record as its provider or an operator sees it (state, window, events)."""
    actor.require(Role.provider, Role.operator)
    return _full(db_session, profile, now, actor, record_id)


@router.post("/records/{record_id}/revocation", response_model=RecordFull, status_code=201)
def revoke_record(
    record_id: int,
    body: RevokeIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> RecordFull:
    """The provider reports that the decision behind the record was revoked, changed or voided."""
    service.revoke(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        record_id=record_id,
        document=body.document,
        reason=body.reason,
    )
    return _full(db_session, profile, now, actor, record_id)


@router.get("/records/{record_id}/status", response_model=StatusRead)
def record_status(
    record_id: int, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> StatusRead:
    """The record's state: active, revoked, expired, archived or deleted."""
    actor.require(Role.provider, Role.operator)
    record = service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    return StatusRead(
        record=record.id,
        state=service.record_status(db_session=db_session, profile=profile, now=now, record=record),
    )


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
            return record_full(v, profile, "provider")
    raise XinyongError("unknown_record", detail=str(record_id))


@router.get("/public/subjects/{identifier}", response_model=ArchivePublic, tags=["public"])
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


@router.get("/subjects/{identifier}/archive", response_model=ArchiveFull)
def archive(
    identifier: str,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    channel: Annotated[rules.Channel, Query(description="government / self / authorized / provider")],
    purpose: Annotated[str | None, Query(description="why: written to the query log")] = None,
    authorization: Annotated[int | None, Query(description="authorization id for `authorized`")] = None,
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
    if as_of is not None and as_of.tzinfo is None:
        raise XinyongError(
            "invalid_date", field="as_of", detail="give a UTC offset, e.g. 2027-03-03T09:00:00+08:00"
        )
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
