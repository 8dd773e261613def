"""API shapes for listings (the tables are in models.py): one read shape for the parties, one for the
public (masked, without basis or documents)."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.core.clock import local_date
from xinyong.core.identifiers import mask, mask_name
from xinyong.lists.models import Listing, ListingEvent
from xinyong.lists.service import ListingView
from xinyong.subjects.models import Subject

DB_ID_MAX = 2**31 - 1


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListingCreate(_In):
    list: str = Field(
        max_length=40, description="severe, red, key_attention or business_anomaly (the profile's lists)"
    )
    subject: str = Field(min_length=1, max_length=40, description="the subject's identifier")
    ground: str = Field(min_length=1, max_length=40, description="a ground code the profile permits")
    basis: builtins.list[int] = Field(
        min_length=1, max_length=100, description="record ids the listing rests on"
    )
    reason: str | None = Field(None, max_length=4000)


class Step(_In):
    version: int | None = Field(None, ge=1, le=DB_ID_MAX, description="the listing version you saw")


class DecideIn(Step):
    valid_until: date | None = Field(
        None, description="last day on the list, where the profile leaves validity to the determining body"
    )


class RemoveIn(Step):
    reason: Literal["repair", "revocation", "court", "other"]
    note: str | None = Field(None, max_length=4000)


class ObjectIn(_In):
    reason: str = Field(min_length=1, max_length=4000, description="异议理由")
    by: str | None = Field(
        None, max_length=40, description="operators recording an objection: its identifier"
    )


class ResolveObjectionIn(Step):
    outcome: Literal["unfounded", "founded"]
    reason: str | None = Field(None, max_length=4000)


class EventRead(BaseModel):
    seq: int
    kind: str
    at: datetime
    actor: str
    organization: str | None
    state_after: str
    reason: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: ListingEvent) -> EventRead:
        return cls(
            seq=e.seq,
            kind=e.kind,
            at=e.at,
            actor=e.actor,
            organization=e.organization,
            state_after=e.state_after,
            reason=e.reason,
            data=dict(e.data or {}),
        )


class ListingRead(BaseModel):
    id: int
    ref: str
    list: str
    subject_id: int
    ground: str
    basis: builtins.list[int]
    determining_body: str
    state: str = Field(description="proposed, notified, listed, removed or expired (computed now)")
    ended_reason: str | None = Field(None, description="repair, expiry, conversion, ... once off the list")
    ended_on: date | None = None
    proposed_at: datetime
    notified_at: datetime | None
    notice: dict[str, Any] | None
    objection_until: date | None
    objection_until_provisional: bool
    objections_open: int
    decided_at: datetime | None
    decision: dict[str, Any] | None
    valid_until: date | None
    removed_at: datetime | None
    removal_announcement: dict[str, Any] | None
    via_organization: int | None = Field(None, description="shown on a responsible person: the organization")
    version: int
    events: builtins.list[EventRead]
    as_of: datetime

    @classmethod
    def of(cls, v: ListingView) -> ListingRead:
        x: Listing = v.listing
        return cls(
            id=x.id,
            ref=x.ref,
            list=x.list_name,
            subject_id=x.subject_id,
            ground=x.ground,
            basis=[int(i) for i in x.basis_record_ids or ()],
            determining_body=x.determining_body,
            state=v.status,
            ended_reason=v.state.reason,
            ended_on=v.state.ended_on,
            proposed_at=x.proposed_at,
            notified_at=x.notified_at,
            notice=x.notice,
            objection_until=v.objection_due.due if v.objection_due else None,
            objection_until_provisional=bool(v.objection_due and v.objection_due.provisional),
            objections_open=x.objections_open or 0,
            decided_at=x.decided_at,
            decision=x.decision,
            valid_until=x.valid_until,
            removed_at=x.removed_at,
            removal_announcement=x.removal_announcement,
            via_organization=v.via_organization,
            version=x.version,
            events=[EventRead.of(e) for e in v.events],
            as_of=v.as_of,
        )


class ListingPublic(BaseModel):
    """What everyone sees: the subject (a natural person masked), the list, the ground, the dates."""

    ref: str
    subject: str
    subject_name: str
    ground: str
    state: str
    listed_on: date | None
    valid_until: date | None
    determining_body: str

    @classmethod
    def of(cls, x: Listing, s: Subject, state: str) -> ListingPublic:
        return cls(
            ref=x.ref,
            subject=mask(s.identifier, s.kind),
            subject_name=mask_name(s.name, s.kind),
            ground=x.ground,
            state=state,
            listed_on=local_date(x.decided_at) if x.decided_at else None,
            valid_until=x.valid_until,
            determining_body=x.determining_body,
        )


class AnnouncementPublic(BaseModel):
    ref: str
    subject: str
    subject_name: str
    announcement: dict[str, Any]


class PublishedList(BaseModel):
    list: str
    name: str
    cite: str
    conditions: dict[str, Any] = Field(
        description="entry/exit conditions and remedies published with the list"
    )
    listings: builtins.list[ListingPublic]
    announcements: builtins.list[AnnouncementPublic]
    as_of: datetime
