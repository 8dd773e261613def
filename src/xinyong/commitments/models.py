"""Credit commitments (信用承诺) and their events; matters an operator added to a commitment list.

A commitment row holds what the commitment is now (open, kept or broken) and a version number every
change bumps, so two units verifying the same commitment at once cannot both win. Every change is
also a `CommitmentEvent` — who, when, what, which records it created — never updated. The records a
verification creates live in the records table like any provider's record (provider = the accepting
unit); the event keeps their ids.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class Commitment(Base):
    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_subject", "jurisdiction", "subject_id"),
        Index("ix_commitments_open", "jurisdiction", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    kind: Mapped[str] = mapped_column(String(20))  # notification / missing_materials / public
    matter: Mapped[str] = mapped_column(String(120))  # a matter code (the list's for a route kind)
    unit: Mapped[str] = mapped_column(String(200))  # the accepting unit (承诺受理单位)
    made_on: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it was recorded
    made_by: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)  # what is promised (the written commitment)
    breach_consequences: Mapped[str | None] = mapped_column(Text)  # Shenzhen 第五十一条第二款
    accepts_constraints: Mapped[bool] = mapped_column(Boolean, default=False)  # Henan 第五十八条
    area: Mapped[str | None] = mapped_column(String(20))  # Nanjing 第三十一条第二款
    public_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # as the profile decided when made
    public_cite: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)  # 容缺受理: materials promised by this day
    state: Mapped[str] = mapped_column(String(10))  # open / kept / broken
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[str | None] = mapped_column(String(120))  # the user
    verifier_unit: Mapped[str | None] = mapped_column(String(200))
    finding: Mapped[str | None] = mapped_column(Text)
    serious: Mapped[bool | None] = mapped_column(Boolean)
    document: Mapped[str | None] = mapped_column(String(200))  # the verification document
    made_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    outcome_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class CommitmentEvent(Base):
    """One step of a commitment, never updated: made, kept, broken."""

    __tablename__ = "commitment_events"
    __table_args__ = (UniqueConstraint("commitment_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(String(200))
    state_before: Mapped[str | None] = mapped_column(String(10))
    state_after: Mapped[str] = mapped_column(String(10))
    record_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class CommitmentMatter(Base):
    """A matter an operator put on the commitment matters list (清单), with the document that published it.

    Withdrawal sets `withdrawn_at` once; the row is never deleted, so an eligibility answer given
    while the matter was listed can be explained later.
    """

    __tablename__ = "commitment_matters"
    __table_args__ = (Index("ix_commitment_matters", "jurisdiction", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    basis: Mapped[str] = mapped_column(String(300))  # the published list or decision (公布文件)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(120))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(120))
