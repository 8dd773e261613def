"""API shapes for objections and record versions (the tables are in models.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.rights.objections import rules
from xinyong.rights.objections.service import CaseView, Version, WindowExtensionView

DB_ID_MAX = 2**31 - 1


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ObjectionCreate(_In):
    record: int = Field(ge=1, le=DB_ID_MAX, description="the record (or evaluation record) objected to")
    target: Literal["record", "evaluation"] = "record"
    reason: str = Field(min_length=1, max_length=4000, description="异议理由")
    known_on: date | None = Field(
        None, description="the day the applicant knew of the problem (filing window)"
    )
    evidence: list[str] = Field(default_factory=list, max_length=100, description="supporting materials")
    by: str | None = Field(
        None, max_length=40, description="operators recording a written application: the filer's identifier"
    )
    filed_with: Literal["platform", "provider", "agency"] = Field(
        "platform", description="who received it: the platform, the provider, a credit service agency"
    )
    received_by: str | None = Field(
        None, max_length=200, description="with filed_with agency: the agency that received it"
    )
    ground: str | None = Field(
        None, max_length=32, description="异议事由 from the profile list; the reason stays free"
    )


class WindowExtensionCreate(_In):
    record: int = Field(ge=1, le=DB_ID_MAX)
    ground: Literal["force_majeure", "other_legitimate"] = Field(description="不可抗力 / 其他正当理由")
    reason: str = Field(min_length=1, max_length=4000, description="what kept the filer from filing in time")
    known_on: date | None = None
    by: str | None = Field(None, max_length=40, description="operators: the filer's identifier")


class WindowExtensionDecision(_In):
    approve: bool
    until: date | None = Field(None, description="approved: the last day the objection may be filed")
    reason: str | None = Field(None, max_length=4000, description="the verification behind the decision")
    version: int | None = Field(None, ge=1, le=DB_ID_MAX)


class WindowExtensionRead(BaseModel):
    id: int
    ref: str
    record: int
    ground: str
    reason: str
    known_on: date | None
    window_ended: date = Field(description="the window's last day (民法典 第二百零三条), computed now")
    window_ended_provisional: bool
    requested_at: datetime
    state: str = Field(description="requested / approved / denied")
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    until: date | None
    objection: str | None = Field(description="the objection filed under it")
    version: int

    @classmethod
    def of(cls, v: WindowExtensionView) -> WindowExtensionRead:
        e = v.extension
        return cls(
            id=e.id,
            ref=e.ref,
            record=e.record_id,
            ground=e.ground,
            reason=e.reason,
            known_on=e.known_on,
            window_ended=v.window_ended.due,
            window_ended_provisional=v.window_ended.provisional,
            requested_at=e.requested_at,
            state=e.state,
            decided_at=e.decided_at,
            decided_by=e.decided_by,
            decision_reason=e.decision_reason,
            until=e.until,
            objection=f"OBJ-{e.objection_id}" if e.objection_id else None,
            version=e.version,
        )


class Step(_In):
    reason: str | None = Field(None, max_length=4000)
    version: int | None = Field(
        None, ge=1, le=DB_ID_MAX, description="the case version you saw (else: conflict)"
    )


class ExtendIn(Step):
    working_days: int = Field(ge=1, le=366)


class ResolveIn(Step):
    outcome: Literal["corrected", "deleted", "upheld", "unverifiable"]
    by: Literal["platform", "provider", "agency"] | None = None
    changes: dict[str, Any] | None = Field(None, description="new field values, with outcome corrected")


class CorrectionIn(_In):
    changes: dict[str, Any] = Field(description="new field values")
    reason: str = Field(min_length=1, max_length=4000, description="变动理由")
    document: str | None = Field(None, max_length=200)


class StageRead(BaseModel):
    name: str
    cite: str
    within: str
    from_: str = Field(alias="from", serialization_alias="from")
    start: date | None
    due: date | None
    provisional: bool
    status: str  # pending / open / met / not_applicable
    met_on: date | None
    overdue: bool
    late: bool
    extended_by: int
    cap: date | None

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def of(cls, v: rules.StageView) -> StageRead:
        return cls(
            name=v.name,
            cite=v.cite,
            within=v.within,
            from_=v.from_,
            start=v.start,
            due=v.due.due if v.due else None,
            provisional=bool(v.due and v.due.provisional),
            status=v.status,
            met_on=v.met_on,
            overdue=v.overdue,
            late=v.late,
            extended_by=v.extended_by,
            cap=v.cap.due if v.cap else None,
        )


class EventRead(BaseModel):
    seq: int
    kind: str
    at: datetime
    actor: str
    role: str
    organization: str | None
    state_before: str | None
    state_after: str
    reason: str | None
    data: dict[str, Any]


class CaseRead(BaseModel):
    id: int
    ref: str
    jurisdiction: str
    record: int
    target: str
    filer_kind: str
    filed_with: str
    received_by: str | None
    ground: str | None
    window_extension: str | None
    reason: str
    evidence: list[str]
    known_on: date | None
    received_at: datetime
    status: str = Field(description="received / forwarded / corrected / deleted / upheld / under_review")
    outcome: str | None
    decided_by: str | None
    decided_at: datetime | None
    review_outcome: str | None
    paused: bool
    version: int
    handling_unit: str
    waiting: StageRead | None = Field(description="what the case waits for now (earliest open stage)")
    overdue: bool
    as_of: datetime
    stages: list[StageRead]
    events: list[EventRead]

    @classmethod
    def of(cls, v: CaseView) -> CaseRead:
        c = v.case
        return cls(
            id=c.id,
            ref=c.ref,
            jurisdiction=c.jurisdiction,
            record=c.record_id,
            target=c.target,
            filer_kind=c.filer_kind,
            filed_with=c.filed_with,
            received_by=c.received_by,
            ground=c.ground,
            window_extension=f"OWX-{c.window_extension_id}" if c.window_extension_id else None,
            reason=c.reason,
            evidence=list(c.evidence or []),
            known_on=c.known_on,
            received_at=c.received_at,
            status=c.state,
            outcome=c.outcome,
            decided_by=c.decided_by,
            decided_at=c.decided_at,
            review_outcome=c.review_outcome,
            paused=c.paused_at is not None,
            version=c.version,
            handling_unit=v.handling_unit,
            waiting=StageRead.of(v.waiting) if v.waiting else None,
            overdue=v.overdue,
            as_of=v.as_of,
            stages=[StageRead.of(s) for s in v.stages],
            events=[
                EventRead(
                    seq=e.seq,
                    kind=e.kind,
                    at=e.at,
                    actor=e.actor,
                    role=e.role,
                    organization=e.organization,
                    state_before=e.state_before,
                    state_after=e.state_after,
                    reason=e.reason,
                    data=e.data or {},
                )
                for e in v.events
            ],
        )


class CaseSummaryRead(BaseModel):
    ref: str
    subject: str
    handling_unit: str
    stage: str
    due: date | None
    provisional: bool
    overdue: bool
    opened_at: datetime


class VersionRead(BaseModel):
    number: int
    at: datetime
    actor: str
    reason: str | None = Field(description="变动理由")
    changes: dict[str, Any]
    data: dict[str, Any]
    case: int | None

    @classmethod
    def of(cls, v: Version) -> VersionRead:
        return cls(
            number=v.number,
            at=v.at,
            actor=v.actor,
            reason=v.reason,
            changes=v.changes,
            data=v.data,
            case=v.case,
        )
