"""Operator-loaded working-day schedules (工作日历).

A `CalendarYear` row says the operator loaded the State Council schedule for a whole year, which
makes that year *known*: deadlines in it are no longer provisional. `CalendarDay` rows are the
days that differ from the bundled schedule or from Monday–Friday: statutory holidays and the
adjusted working days (调休上班). Re-loading a year replaces its rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, UTCDateTime


class CalendarYear(Base):
    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(500))  # the State Council notice, or the file loaded
    note: Mapped[str | None] = mapped_column(String(2000), default=None)


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200), default=None)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(500))
