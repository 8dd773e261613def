"""Catalog item versions (目录信息项): a record keeps the version it was accepted under."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class CatalogItemVersion(Base):
    """One version of one item in one jurisdiction's catalog. Never updated: a change adds a version."""

    __tablename__ = "catalog_items"
    __table_args__ = (UniqueConstraint("jurisdiction", "code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    effective_from: Mapped[date] = mapped_column(Date)
    layer: Mapped[str] = mapped_column(String(16))  # national / local
    status: Mapped[str] = mapped_column(String(16))  # published / withdrawn
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)
