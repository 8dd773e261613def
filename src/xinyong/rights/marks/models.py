"""Requests that put a mark or an effect on records: statements (附注), withholding good information,
archive requests, contests (复议、诉讼期间暂停披露) and bankruptcy reorganization (破产重整).

One row per request. Its effect is a RecordEvent (records/models.py) whose data["case"] is the
request's ref, so a mark that ends (a contest, a reorganization) is closed by a `<kind>.end` event
with the same ref. The request keeps when it was received: due dates are computed from it when read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime

PREFIX = {
    "statement": "STM",
    "withholding": "WHD",
    "archive": "ARC",
    "contest": "CON",
    "reorganization": "REO",
    "court_notice": "CRT",  # 协助执行通知书 during plan execution (Shenzhen 第七十二条)
}


class MarkCase(Base):
    __tablename__ = "mark_cases"
    __table_args__ = (
        Index("ix_mark_cases_subject", "subject_id", "jurisdiction"),
        Index("ix_mark_cases_record", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # statement / withholding / archive / contest / reorganization / court_notice
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("records.id")
    )  # None: every record (reorganization)
    requested_by: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    plan_on: Mapped[date | None] = mapped_column(Date)  # reorganization: the day the court approved the plan
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # text, ground, document, mode, ...
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # contest / reorganization over
    ended_by: Mapped[str | None] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def ref(self) -> str:
        return f"{PREFIX[self.kind]}-{self.id}"
