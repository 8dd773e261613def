"""Notices API: operators list and send the outbox; units and subjects read the notices addressed to them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, PlainSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.calendar import service as calendar_service
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import WorkCalendar
from xinyong.notices import service
from xinyong.notices.models import Notice
from xinyong.notices.transports import get_transport
from xinyong.subjects import service as subjects_service

router = APIRouter()

UTCInstant = Annotated[datetime, PlainSerializer(lambda v: v.astimezone(UTC), return_type=datetime)]


class DueRead(BaseModel):
    date: date
    provisional: bool


class NoticeRead(BaseModel):
    id: int
    jurisdiction: str
    recipient: str
    recipient_kind: str
    kind: str
    subject_id: int | None
    case_ref: str | None
    content: dict[str, Any]
    due: DueRead | None
    overdue: bool
    created_at: UTCInstant
    sent_at: UTCInstant | None
    transport: str | None
    attempts: int
    last_error: str | None

    @classmethod
    def of(cls, notice: Notice, today: date, calendar: WorkCalendar) -> NoticeRead:
        due = service.due_of(notice, calendar)  # computed now from the notice's rule
        return cls(
            id=notice.id,
            jurisdiction=notice.jurisdiction,
            recipient=notice.recipient,
            recipient_kind=notice.recipient_kind,
            kind=notice.kind,
            subject_id=notice.subject_id,
            case_ref=notice.case_ref,
            content=notice.content,
            due=DueRead(date=due.due, provisional=due.provisional) if due else None,
            overdue=service.is_overdue(notice, today, calendar),
            created_at=notice.created_at,
            sent_at=notice.sent_at,
            transport=notice.transport,
            attempts=notice.attempts,
            last_error=notice.last_error,
        )


class DeliveryRead(BaseModel):
    transport: str
    sent: list[int]
    failed: dict[int, str]


def _visible(db_session: Session, actor: Actor, jurisdiction: str) -> Any:
    """The notices `actor` may read: operators all, units theirs, a subject its own."""
    stmt = select(Notice).where(Notice.jurisdiction == jurisdiction)
    match actor.role:
        case Role.operator:
            return stmt
        case Role.subject:
            subject = subjects_service.get(db_session=db_session, subject_id=actor.subject_id or 0)
            if subject is None:
                raise XinyongError("not_allowed", detail="the account is not linked to a subject")
            return stmt.where(
                Notice.recipient_kind.in_(("applicant", "subject")),
                or_(
                    Notice.recipient == subject.identifier,
                    (Notice.recipient_kind == "subject") & (Notice.subject_id == subject.id),
                ),
            )
        case _:
            if not actor.organization:
                raise XinyongError("not_allowed", detail="the account names no unit")
            return stmt.where(Notice.recipient == actor.organization)


@router.get("/notices", response_model=list[NoticeRead], summary="Notices (通知)", responses=problems.AUTH)
def list_notices(
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    pending: Annotated[bool, Query(description="only notices not sent yet")] = False,
    case_ref: Annotated[str | None, Query(max_length=80)] = None,
    recipient: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[NoticeRead]:
    """Operators see the whole outbox; a unit the notices addressed to it; a subject its own notices."""
    actor.require_jurisdiction(profile.id)
    stmt = _visible(db_session, actor, profile.id)
    if pending:
        stmt = stmt.where(Notice.sent_at.is_(None))
    if case_ref is not None:
        stmt = stmt.where(Notice.case_ref == case_ref)
    if recipient is not None:
        stmt = stmt.where(Notice.recipient == recipient)
    rows = db_session.scalars(stmt.order_by(Notice.created_at, Notice.id).offset(offset).limit(limit))
    today = local_date(now)
    calendar = calendar_service.get_calendar(db_session=db_session)
    return [NoticeRead.of(n, today, calendar) for n in rows]


@router.get("/notices/{notice_id}", response_model=NoticeRead, summary="One notice", responses=problems.AUTH)
def get_notice(
    notice_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> NoticeRead:
    """One notice, if the caller may read it."""
    actor.require_jurisdiction(profile.id)
    notice = db_session.scalars(_visible(db_session, actor, profile.id).where(Notice.id == notice_id)).first()
    if notice is None:
        raise XinyongError("not_found", detail=f"notice {notice_id}")
    return NoticeRead.of(notice, local_date(now), calendar_service.get_calendar(db_session=db_session))


@router.post(
    "/notices/send", response_model=DeliveryRead, summary="Send pending notices", responses=problems.AUTH
)
def send_notices(
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    transport: Annotated[Literal["file", "console"], Query()] = "file",
) -> DeliveryRead:
    """Operators: deliver this jurisdiction's pending notices (file: JSON Lines in the outbox directory)."""
    actor.require_jurisdiction(profile.id)
    actor.require(Role.operator)
    carrier = get_transport(transport)
    report = service.deliver_pending(
        db_session=db_session, now=now, transport=carrier, jurisdiction=profile.id
    )
    return DeliveryRead(transport=carrier.name, sent=report.sent, failed=report.failed)
