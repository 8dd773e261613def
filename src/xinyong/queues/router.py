"""Work-queue API: open cases by due date, overdue first, per handling unit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, PlainSerializer

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now
from xinyong.core.actor import Role
from xinyong.queues import service
from xinyong.queues.types import CaseSummary

router = APIRouter()

UTCInstant = Annotated[datetime, PlainSerializer(lambda v: v.astimezone(UTC), return_type=datetime)]


class DueRead(BaseModel):
    date: date
    provisional: bool


class CaseRead(BaseModel):
    ref: str
    kind: str
    jurisdiction: str
    subject: str
    handling_unit: str
    stage: str
    due: DueRead | None
    overdue: bool
    opened_at: UTCInstant

    @classmethod
    def of(cls, case: CaseSummary) -> CaseRead:
        return cls(
            ref=case.ref,
            kind=case.kind,
            jurisdiction=case.jurisdiction,
            subject=case.subject,
            handling_unit=case.handling_unit,
            stage=case.stage,
            due=DueRead(date=case.due[0], provisional=case.due[1]) if case.due else None,
            overdue=case.overdue,
            opened_at=case.opened_at,
        )


class UnitQueue(BaseModel):
    unit: str
    open: int
    overdue: int
    cases: list[CaseRead]


class QueueRead(BaseModel):
    jurisdiction: str
    as_of: UTCInstant
    total: int
    overdue: int
    units: list[UnitQueue]
    missing: list[str]  # case features not loaded: the queue may be incomplete


@router.get("/queue", response_model=QueueRead, summary="Work queue (待办)", responses=problems.AUTH)
def work_queue(
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    unit: Annotated[str | None, Query(max_length=200, description="one handling unit")] = None,
    overdue: Annotated[bool, Query(description="only overdue cases")] = False,
) -> QueueRead:
    """Open cases of every kind, overdue first, then by due date; operators see every unit, a
    provider unit its own cases."""
    actor.require_jurisdiction(profile.id)
    actor.require(Role.operator, Role.provider)
    if actor.role is Role.provider:
        unit = actor.organization
    queue = service.gather(
        db_session=db_session, now=now, jurisdiction=profile.id, unit=unit, overdue_only=overdue
    )
    units = [
        UnitQueue(
            unit=name,
            open=len(cases),
            overdue=sum(c.overdue for c in cases),
            cases=[CaseRead.of(c) for c in cases],
        )
        for name, cases in queue.by_unit().items()
    ]
    return QueueRead(
        jurisdiction=profile.id,
        as_of=now,
        total=len(queue.cases),
        overdue=sum(c.overdue for c in queue.cases),
        units=units,
        missing=queue.missing,
    )
