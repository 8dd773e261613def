"""Issued credit reports: the number, who got it, whether it was free, and the hash of its content.

The content itself is stored too, so a report can be shown again exactly as it was issued and a number
presented by a third party can be checked against the hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class IssuedReport(Base):
    __tablename__ = "issued_reports"
    __table_args__ = (
        Index("ix_issued_reports_subject", "subject_id", "jurisdiction"),
        Index("ix_issued_reports_series", "jurisdiction", "year", "sequence", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    requested_by: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    free: Mapped[bool | None] = mapped_column(Boolean)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical JSON content
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
