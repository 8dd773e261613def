"""Objection cases (异议) and their events.

A case row holds what the case is now (state, route, the instants its stages run from) and a
version number that every change bumps: two officers deciding the same case at once cannot both
win (SQLAlchemy `version_id_col`; the loser's UPDATE matches no row). Every action is also an
`ObjectionEvent` — who, when, what, why — numbered per case (unique `(objection_id, seq)`), so
nothing decided is ever lost. Due dates are never stored: they are computed when read from these
instants, the profile and the calendar (rules.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, UTCDateTime


class ObjectionCase(Base):
    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_subject", "subject_id", "jurisdiction"),
        Index("ix_objections_record", "record_id"),
        Index("ix_objections_open", "jurisdiction", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))  # whose record it is
    filer_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))  # who objects
    filer_kind: Mapped[str] = mapped_column(String(20))  # subject / interested_party
    target: Mapped[str] = mapped_column(String(12))  # record / evaluation
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSONType, default=list)
    known_on: Mapped[date | None] = mapped_column(Date)  # when the filer knew of the problem
    filed_by: Mapped[str] = mapped_column(String(120))  # the user who recorded the filing
    filed_with: Mapped[str] = mapped_column(String(10), default="platform")  # platform / provider / agency
    received_by: Mapped[str | None] = mapped_column(
        String(200)
    )  # the receiving unit's name (agency, provider)
    ground: Mapped[str | None] = mapped_column(String(32))  # profile_rights.ObjectionGround, or unstated
    # the approved window extension it was filed under (Shenzhen 第三十八条)
    window_extension_id: Mapped[int | None] = mapped_column(ForeignKey("objection_window_extensions.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)  # received = accepted = marked
    state: Mapped[str] = mapped_column(String(16))  # rules.State
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first decision
    decided_by: Mapped[str | None] = mapped_column(String(10))  # platform / provider / agency
    outcome: Mapped[str | None] = mapped_column(String(16))  # corrected / deleted / upheld / unverifiable
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_outcome: Mapped[str | None] = mapped_column(String(16))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # an open pause (Henan 第四十一条)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # seq of the case's latest event
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return f"OBJ-{self.id}"


class ObjectionEvent(Base):
    """One step of a case, never updated: filed, forwarded, extended, paused, resumed, decided, ..."""

    __tablename__ = "objection_events"
    __table_args__ = (UniqueConstraint("objection_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per case; a second writer of the same seq fails
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))  # the user
    role: Mapped[str] = mapped_column(String(16))  # their role when acting
    organization: Mapped[str | None] = mapped_column(String(200))
    state_before: Mapped[str | None] = mapped_column(String(16))
    state_after: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)  # why: the applicant's reason, 变动理由, ...
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class WindowExtension(Base):
    """A request to extend the filing window (Shenzhen 第三十八条: 确因不可抗力或者其他正当理由…经有关部门
    核实批准，异议申请期限可以适当延长) and its decision. Kept when denied; `objection_id` names the
    objection filed under it (each approval serves one filing)."""

    __tablename__ = "objection_window_extensions"
    __table_args__ = (Index("ix_objection_window_ext_record", "record_id", "filer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))  # whose record it is
    filer_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))  # who would object
    ground: Mapped[str] = mapped_column(String(20))  # force_majeure / other_legitimate
    reason: Mapped[str] = mapped_column(Text)  # what kept the filer from filing in time
    known_on: Mapped[date | None] = mapped_column(Date)  # the window's last day is computed from it when read
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(12))  # requested / approved / denied
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision_reason: Mapped[str | None] = mapped_column(Text)  # the verification (核实) behind it
    until: Mapped[date | None] = mapped_column(Date)  # the extended last day to file (approved)
    objection_id: Mapped[int | None] = mapped_column(Integer)  # the objection filed under it
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return f"OWX-{self.id}"
