"""Periods (期间) per 民法典 第二百零一条–第二百零三条.

* 第二百零一条: a period counted in days, months or years does not count its starting day; it runs
  from the next day.
* 第二百零二条: a month or year period ends on the corresponding day (对应日) of its final month, or
  on that month's last day where there is none.
* 第二百零三条: where the last day of a period within which a person may act is a statutory
  holiday or rest day, the period ends on the first working day after. Disclosure periods are
  never lengthened this way (SCENARIOS.md "Dates and periods"), so that is :func:`window_end`,
  separate from :func:`end_of`.

A duration keeps the regulation's own unit: 一年 is ``1 year``, never ``12 month`` or ``365 day``.
``working_day`` periods are counted by the calendar (:mod:`xinyong.core.workdays`).

>>> end_of(date(2026, 3, 2), Duration(1, Unit.year))     # public through 2027-03-02
datetime.date(2027, 3, 2)
>>> end_of(date(2025, 8, 31), Duration(6, Unit.month))   # no 31 February: the month's last day
datetime.date(2026, 2, 28)
>>> str(Duration(15, Unit.working_day))
'15 working_day'
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from xinyong.core.workdays import Deadline, WorkCalendar


class Unit(StrEnum):
    day = "day"
    month = "month"
    year = "year"
    working_day = "working_day"


@dataclass(frozen=True)
class Duration:
    """A length of time in the regulation's own unit, e.g. ``Duration(1, Unit.year)``."""

    value: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"duration value must be an int, not {self.value!r}")
        if self.value < 0:
            raise ValueError(f"negative duration: {self.value}")
        object.__setattr__(self, "unit", Unit(self.unit))  # accept "year" from data files

    def __str__(self) -> str:
        return f"{self.value} {self.unit.value}"


def _add_months(start: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day (第二百零二条)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _gregorian.monthrange(year, month)[1]))


def end_of(start: date, duration: Duration) -> date:
    """Last day (inclusive) of a period that starts on `start`, the start day not counted.

    民法典 第二百零一条、第二百零二条. Raises ValueError for working-day periods, which need a
    calendar (:meth:`WorkCalendar.add_working_days`).
    """
    n = duration.value
    match duration.unit:
        case Unit.day:
            return start + timedelta(days=n)
        case Unit.month:
            return _add_months(start, n)
        case Unit.year:
            # the corresponding day n years on; 29 February falls back to the 28th
            return _add_months(start, 12 * n)
        case Unit.working_day:
            raise ValueError(f"{duration} is counted on the working-day calendar: use window_end")
    raise ValueError(f"unknown unit {duration.unit!r}")  # pragma: no cover


def window_end(start: date, duration: Duration, calendar: WorkCalendar) -> Deadline:
    """Last day of a period within which a person may act (民法典 第二百零三条).

    If the last day is not a working day (statutory holiday or rest day) the window ends on the
    first working day after it. Working-day periods are counted by the calendar. The deadline is
    provisional when it rests on a year whose schedule is not known.
    """
    if duration.unit is Unit.working_day:
        return calendar.add_working_days(start, duration.value)
    return calendar.next_workday(end_of(start, duration))


def is_within(day: date, start: date, duration: Duration, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether `day` is on or before the last day of the period (no 第二百零三条 extension).

    Working-day periods need `calendar`.
    """
    if duration.unit is Unit.working_day:
        if calendar is None:
            raise ValueError(f"{duration} needs a working-day calendar")
        return day <= calendar.add_working_days(start, duration.value).due
    return day <= end_of(start, duration)
