"""Records (信用信息), their events and the batches that brought them.

A record row is written once and never updated. What happens to it later — revocation,
withholding, correction, archiving — is a RecordEvent with who, when and why; its state on any
channel is computed from the record, its events, the profile and the time (records/rules.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))  # file name or client label
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(String(120))
    total: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "provider", "key"),
        Index("ix_records_subject", "subject_id", "jurisdiction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))  # provider's record id, or a digest of its natural key
    item: Mapped[str] = mapped_column(String(60))
    catalog_version: Mapped[int] = mapped_column(Integer)
    info_class: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    provider: Mapped[str] = mapped_column(String(200))
    provider_code: Mapped[str | None] = mapped_column(String(18))
    source: Mapped[str] = mapped_column(String(8))  # public / market
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(String(120))
    decided_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    severity: Mapped[str | None] = mapped_column(String(8))
    procedure: Mapped[str | None] = mapped_column(String(8))
    document: Mapped[str | None] = mapped_column(String(200))
    valid_until: Mapped[date | None] = mapped_column(Date)
    disclosure_until: Mapped[date | None] = mapped_column(
        Date
    )  # a provider's own 公示截止期, never beyond the law
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class RecordEvent(Base):
    __tablename__ = "record_events"
    __table_args__ = (Index("ix_record_events_record", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    kind: Mapped[str] = mapped_column(String(24))  # revoked / withheld / corrected / archived / ...
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it was recorded
    effective_on: Mapped[date | None] = mapped_column(Date)  # first day it changes what channels see
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
