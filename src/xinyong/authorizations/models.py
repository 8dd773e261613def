"""Authorizations (授权) a subject grants a querier: items, purpose, and always an end date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class Authorization(Base):
    __tablename__ = "authorizations"
    __table_args__ = (Index("ix_authorizations_subject", "subject_id", "jurisdiction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    grantee: Mapped[str] = mapped_column(String(200))
    grantee_code: Mapped[str | None] = mapped_column(String(18))
    purpose: Mapped[str] = mapped_column(Text)
    items: Mapped[list[str] | None] = mapped_column(JSONType)  # None: every item the channel allows
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)  # inclusive; never open-ended
    document: Mapped[str | None] = mapped_column(String(200))  # the written authorization (书面授权书)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by: Mapped[str] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
