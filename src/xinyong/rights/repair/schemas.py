"""API shapes for credit repair: what comes in, the case as its parties see it, the public letter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.api.deps import DB_ID_MAX
from xinyong.rights.repair.service import CaseView, PublishedCommitment

Measure = Literal[
    "commitment_letter",
    "training",
    "report",
    "public_service",
    "rectification",
    "credit_check",
    "liability",
    "settlement",
]
Unit = Annotated[str, Field(min_length=1, max_length=200)]


class CommitmentIn(BaseModel):
    """信用修复承诺书 (Shenzhen 第六十四条第二款): the measures and the goals they aim at."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000)
    goals: str | None = Field(None, max_length=2000, description="预期达到的目标或效果")


class RepairIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "record": 12,
                    "measures": ["commitment_letter", "training"],
                    "commitment": {"text": "本企业承诺依法经营……", "goals": "整改到位，不再发生同类违法行为"},
                }
            ]
        },
    )
    record: int | None = Field(None, ge=1, le=DB_ID_MAX, description="the record to repair")
    listing: int | None = Field(
        None,
        ge=1,
        le=DB_ID_MAX,
        description="a listing to be repaired off (移出名单的修复申请), instead of a record",
    )
    measures: list[Measure] = Field(default_factory=list, max_length=8)
    commitment: CommitmentIn | None = None
    implementing_units: list[Unit] = Field(
        default_factory=list, max_length=100, description="units implementing measures on this record"
    )


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=2000, description="why the case is complex (情况复杂)")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["approved", "denied"]
    reason: str | None = Field(None, max_length=5000, description="written reasons (书面说明理由)")
    ground: str | None = Field(None, max_length=60, description="a refusal ground the profile names")
    implementing_units: list[Unit] = Field(default_factory=list, max_length=100)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["passed", "failed"]
    reason: str | None = Field(None, max_length=5000)


class StageRead(BaseModel):
    name: str = Field(description="decision / feedback / re_review / mark")
    due: date | None = Field(description="last day (inclusive); null where the text sets no time")
    provisional: bool = Field(description="the due date rests on a year whose schedule is not loaded")
    done_at: datetime | None
    overdue: bool
    late: bool
    cite: str


class RepairEventRead(BaseModel):
    kind: str
    at: datetime
    actor: str
    version: int
    data: dict[str, Any]


class RepairRead(BaseModel):
    ref: str
    id: int
    jurisdiction: str
    state: str = Field(description="received / under_review / approved / denied")
    subject: str
    record: int | None
    listing: int | None = Field(None, description="the listing whose removal is asked")
    handling_unit: str
    measures: list[str]
    commitment: dict[str, Any] | None
    commitment_published_at: datetime | None
    implementing_units: list[str]
    received_at: datetime
    extended_at: datetime | None
    decided_at: datetime | None
    reviewed_at: datetime | None
    closed_at: datetime | None
    reason: str | None
    version: int
    stages: list[StageRead]
    waiting: StageRead | None = Field(description="what the case waits for now")
    overdue: bool
    events: list[RepairEventRead]


def repair_read(v: CaseView) -> RepairRead:
    c = v.case

    def stage(s: Any) -> StageRead:
        return StageRead(
            name=s.name,
            due=s.due,
            provisional=s.provisional,
            done_at=s.done_at,
            overdue=s.overdue,
            late=s.late,
            cite=s.cite,
        )

    return RepairRead(
        ref=c.ref,
        id=c.id,
        jurisdiction=c.jurisdiction,
        state=c.state,
        subject=v.subject.identifier,
        record=c.record_id,
        listing=c.listing_id,
        handling_unit=c.handling_unit,
        measures=list(c.measures),
        commitment=c.commitment,
        commitment_published_at=c.commitment_published_at,
        implementing_units=list(c.implementing_units),
        received_at=c.received_at,
        extended_at=c.extended_at,
        decided_at=c.decided_at,
        reviewed_at=c.reviewed_at,
        closed_at=c.closed_at,
        reason=c.reason,
        version=c.version,
        stages=[stage(s) for s in v.stages],
        waiting=stage(v.waiting) if v.waiting else None,
        overdue=v.overdue,
        events=[
            RepairEventRead(kind=e.kind, at=e.at, actor=e.actor, version=e.version, data=e.data or {})
            for e in v.events
        ],
    )


class CommitmentPublic(BaseModel):
    """A published 信用修复承诺书; natural persons masked."""

    case: str
    subject: str
    subject_name: str
    record: int | None
    item: str | None
    document: str | None
    measures: list[str]
    commitment: dict[str, Any] | None
    published_at: datetime
    state: str


def commitment_public(p: PublishedCommitment) -> CommitmentPublic:
    return CommitmentPublic(**p.__dict__)
