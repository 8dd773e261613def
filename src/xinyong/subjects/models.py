"""Credit subjects (信用主体) and the responsible persons linked to organisations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, UTCDateTime


class Subject(Base):
    """One subject, one archive (信用档案): keyed by its identifier, shared by every jurisdiction."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("id_type", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # legal_person / unincorporated_org / natural_person
    id_type: Mapped[str] = mapped_column(String(32))  # uscc / ric / passport / ...
    identifier: Mapped[str] = mapped_column(String(40))  # compact, validated form
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    responsible: Mapped[list[ResponsiblePerson]] = relationship(
        foreign_keys="ResponsiblePerson.organization_id", back_populates="organization", lazy="selectin"
    )


class ResponsiblePerson(Base):
    """法定代表人, 实际控制人, 主要负责人, 其他直接责任人 of an organisation (R-SUB-05)."""

    __tablename__ = "responsible_persons"
    __table_args__ = (
        UniqueConstraint("organization_id", "person_id", "role"),
        Index("ix_responsible_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    role: Mapped[str] = mapped_column(String(32))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organization: Mapped[Subject] = relationship(foreign_keys=[organization_id], back_populates="responsible")
    person: Mapped[Subject] = relationship(foreign_keys=[person_id], lazy="joined")
