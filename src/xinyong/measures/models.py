"""Local supplementary measures lists loaded by an operator, stored with their version and date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class MeasureList(Base):
    """One loaded version of a local list (地方补充清单). Never updated: a new version is a new row."""

    __tablename__ = "measure_lists"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "list_id", "version"),
        Index("ix_measure_lists_jurisdiction", "jurisdiction", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    list_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))  # file name as loaded
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the file text
    text: Mapped[str] = mapped_column(Text)  # the file as loaded (TOML), re-validated when read
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    loaded_by: Mapped[str] = mapped_column(String(120))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # codes, counts
