"""API shapes for statements, withholding, archive requests, contests and reorganization."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.rights.marks.service import MarkView


class StatementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000, description="the statement and its reasons (陈述理由)")
    ground: str | None = Field(
        None,
        max_length=60,
        description="force_majeure / non_intentional (Shenzhen 第六十条), where the profile names grounds",
    )


class WithholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["withhold", "delete"] = Field(
        "withhold",
        description="withhold from outside channels, or delete where allowed (Shenzhen 第五十九条)",
    )


class ContestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proceeding: Literal["administrative_review", "litigation"] | None = Field(
        None, description="行政复议 or 行政诉讼"
    )
    document: str | None = Field(
        None, max_length=200, description="the application or the court's filing notice"
    )


class ContestEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str | None = Field(None, max_length=200, description="how the review or lawsuit ended")


class ReorganizeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(min_length=1, max_length=200, description="the court's ruling (人民法院裁定书)")
    plan_on: date | None = Field(None, description="the day the court approved the plan (default: today)")


class CourtNoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(min_length=1, max_length=200, description="the court's 协助执行通知书")
    records: list[int] | None = Field(
        None, max_length=1000, description="records the notice names; default: the removed listings' basis"
    )


class MarkRead(BaseModel):
    ref: str
    id: int
    kind: str = Field(
        description="statement / withholding / archive / contest / reorganization / court_notice"
    )
    jurisdiction: str
    subject: str
    record: int | None
    requested_by: str
    received_at: datetime
    plan_on: date | None
    data: dict[str, Any]
    due: date | None = Field(description="the platform's deadline where the profile sets one (computed now)")
    provisional: bool
    done_at: datetime = Field(description="the platform acted when the request was recorded")
    ended_at: datetime | None


def mark_read(v: MarkView) -> MarkRead:
    c = v.case
    return MarkRead(
        ref=c.ref,
        id=c.id,
        kind=c.kind,
        jurisdiction=c.jurisdiction,
        subject=v.subject.identifier,
        record=c.record_id,
        requested_by=c.requested_by,
        received_at=c.received_at,
        plan_on=c.plan_on,
        data=c.data or {},
        due=v.due.due if v.due else None,
        provisional=v.due.provisional if v.due else False,
        done_at=v.done_at,
        ended_at=c.ended_at,
    )
