"""Credit repair cases (信用修复) and their events.

A case row holds where the case stands (`state`, the times its stages were done) and a `version`
that every change moves on: two officers deciding at once both read version N, and only the first
UPDATE ... WHERE version = N succeeds (the other gets `conflict`). What happened and why is never
overwritten: each step is a RepairEvent, written with an audit entry in the same transaction.
Due dates are not stored; they are computed from these times when read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class RepairCase(Base):
    __tablename__ = "repair_cases"
    __table_args__ = (
        Index("ix_repair_cases_jurisdiction_state", "jurisdiction", "state"),
        Index("ix_repair_cases_record", "record_id"),
        Index("ix_repair_cases_subject", "subject_id"),
        Index("ix_repair_cases_listing", "listing_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # None: a listing's repair
    # the listing whose removal is asked (Shenzhen 第六十三条第一款: 移出名单的修复申请);
    # None: a record's repair
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"))
    applicant: Mapped[str] = mapped_column(String(120))  # the user who filed (the subject or an operator)
    handling_unit: Mapped[str] = mapped_column(String(200))  # who decides: the record's provider
    state: Mapped[str] = mapped_column(String(16))  # rules.RepairState
    measures: Mapped[list[str]] = mapped_column(JSONType, default=list)
    commitment: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # 信用修复承诺书: text, goals
    commitment_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    implementing_units: Mapped[list[str]] = mapped_column(JSONType, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # the decision's written reasons (书面说明理由)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def ref(self) -> str:
        return f"REP-{self.id}"


class RepairEvent(Base):
    """One step of a case: filed, extended, decided, reviewed. Never updated or deleted."""

    __tablename__ = "repair_events"
    __table_args__ = (Index("ix_repair_events_case", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("repair_cases.id"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer)  # the case version this step produced
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
