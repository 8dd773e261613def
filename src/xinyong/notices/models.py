"""The notice outbox. A notice row is never deleted: sending sets sent_at, failures count attempts.

A notice's due day is computed when read from the rule it was given (`due_from` + `due_rule`), like
every other deadline: nothing stored goes stale when an operator loads a calendar year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_pending", "sent_at", "created_at"),
        Index("ix_notices_subject", "subject_id"),
        Index("ix_notices_case", "case_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(200))
    # applicant / provider / sharing_unit / subject / implementing_unit
    recipient_kind: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(60))  # e.g. objection.accepted
    subject_id: Mapped[int | None] = mapped_column(Integer)
    case_ref: Mapped[str | None] = mapped_column(String(80))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # {"zh": ..., "en": ...}
    # a due day the caller fixed (no working-day count to redo); rule-based notices leave it empty
    due_on: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # the rule a due day is computed from when read (service.DueRule): the day it runs from and
    # {"within": [...], "paused": [...]}, so a year loaded later makes a provisional day exact
    due_from: Mapped[date | None] = mapped_column(Date)
    due_rule: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transport: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
