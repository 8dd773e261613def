"""Checks (比对记录), batches of checks and the units' feedback (反馈) on each measure returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class CheckBatch(Base):
    """One batch call: its counts. Only the subjects it returned measures for get a `Check` row."""

    __tablename__ = "check_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    matter: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    total: Mapped[int] = mapped_column(Integer, default=0)
    with_measures: Mapped[int] = mapped_column(Integer, default=0)
    restricted: Mapped[int] = mapped_column(Integer, default=0)
    incentive: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)


class Check(Base):
    """One subject checked for one matter by one unit, and the measures returned (code and version)."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_jurisdiction_at", "jurisdiction", "at"),
        Index("ix_checks_subject", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    matter: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("check_batches.id"))
    restricted: Mapped[bool] = mapped_column(Boolean)
    incentive: Mapped[bool] = mapped_column(Boolean)
    # [{code, kind, version, list}] — what feedback and statistics refer to
    measures: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class CheckFeedback(Base):
    """A unit's answer for one measure of a check: applied or not, and why not (Nanjing 第三十四条)."""

    __tablename__ = "check_feedback"
    __table_args__ = (
        UniqueConstraint("check_id", "measure"),
        Index("ix_check_feedback_jurisdiction_at", "jurisdiction", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"))
    jurisdiction: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(40))
    applied: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
