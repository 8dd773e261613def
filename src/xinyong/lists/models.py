"""Listings (名单认定) and their events.

A listing row holds what the listing is now: its stage (proposed → notified → listed → removed),
the notice and the decision document as served (JSON, bilingual), the instants each stage was
reached, and a version that every change bumps (SQLAlchemy `version_id_col`): two officers deciding
the same listing at once cannot both win. `expired` and a key-attention conversion are never
stored: they are computed when read (xinyong.lists.rules), so no job has to run for a subject to
leave a list on time. Every change is also a `ListingEvent` numbered per listing (unique
`(listing_id, seq)`): who, when, what, why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (
        Index("ix_listings_subject", "jurisdiction", "subject_id"),
        Index("ix_listings_list_state", "jurisdiction", "list", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    list_name: Mapped[str] = mapped_column(
        "list", String(24)
    )  # severe / red / key_attention / business_anomaly
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    ground: Mapped[str] = mapped_column(String(40))
    basis_record_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    proposed_by: Mapped[str] = mapped_column(String(120))  # the user
    determining_body: Mapped[str] = mapped_column(String(200))  # 认定机关 (the proposing unit)
    state: Mapped[str] = mapped_column(String(16))  # proposed / notified / listed / removed
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notice: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # 事前告知 / 公示 / 警示 as served
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # the decision document
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[date | None] = mapped_column(Date)  # last day on the list; None: until removed
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removal_reason: Mapped[str | None] = mapped_column(String(16))  # repair/expiry/revocation/court/...
    removal_announcement: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    objections_open: Mapped[int] = mapped_column(Integer, default=0)  # objections not yet verified
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return f"LST-{self.id}"


class ListingEvent(Base):
    """One step of a listing, never updated: proposed, notified, objected, objection_resolved,
    decided, removed."""

    __tablename__ = "listing_events"
    __table_args__ = (UniqueConstraint("listing_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(String(200))
    state_before: Mapped[str | None] = mapped_column(String(16))
    state_after: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
