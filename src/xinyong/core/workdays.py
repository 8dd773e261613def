"""Working days (工作日): the State Council holiday schedule with 调休, plus operator-loaded years.

A day is a working day when the schedule says people work that day: Monday–Friday unless it is a
statutory holiday (法定节假日), and a Saturday or Sunday that the schedule turns into a working day
(调休上班). The bundled schedule is the ``chinese_calendar`` package (State Council notices
2004–2026 in version 1.11); the operator loads later years (``xinyong calendar load``), and a
loaded day overrides the bundled one.

A year is *known* when the bundled schedule or the operator has it. Outside a known year the
calendar counts Monday–Friday and every deadline it touches says ``provisional=True``; once the
year is loaded the same call gives the exact, non-provisional answer (SCENARIOS.md "Dates and
periods").

>>> cal = WorkCalendar()
>>> cal.add_working_days(date(2026, 4, 30), 1)    # 5月1日–5日 劳动节
Deadline(due=datetime.date(2026, 5, 6), provisional=False)
>>> cal.is_workday(date(2026, 2, 14))             # Saturday, 春节调休上班
True
>>> cal.add_working_days(date(2027, 1, 1), 1)     # not loaded: Monday–Friday, provisional
Deadline(due=datetime.date(2027, 1, 4), provisional=True)
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

import chinese_calendar

BUNDLED_SOURCE = f"chinese_calendar {chinese_calendar.__version__}"


@dataclass(frozen=True)
class Deadline:
    """The last day (inclusive) of a period; `provisional` if it rests on an unknown year."""

    due: date
    provisional: bool


@cache
def bundled_knows(year: int) -> bool:
    """Whether the bundled ``chinese_calendar`` data covers `year` (it raises for other years)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=128)
def _base_flags(year: int) -> bytes:
    """One byte per day of `year`: 1 for a working day per the bundled schedule, else Mon–Fri."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    if bundled_knows(year):
        return bytes(chinese_calendar.is_workday(first + timedelta(i)) for i in range(days))
    return bytes((first + timedelta(i)).weekday() < 5 for i in range(days))


@dataclass(frozen=True)
class _Year:
    first: int  # ordinal of 1 January
    flags: bytes  # flags[ordinal - first] == 1 for a working day
    workdays: tuple[int, ...]  # sorted ordinals of working days, for bisect
    known: bool


class WorkCalendar:
    """Working days per the bundled schedule, with operator-loaded days and years on top.

    `holidays` and `workdays` are operator overrides (a day cannot be both); `loaded_years` are
    the years whose whole schedule the operator loaded, which makes them known. Instances are
    immutable; per-year tables are built once on first use, so lookups are a bisect.
    """

    __slots__ = ("_cache", "_holidays", "_loaded", "_overrides", "_workdays")

    def __init__(
        self, holidays: Iterable[date] = (), workdays: Iterable[date] = (), loaded_years: Iterable[int] = ()
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        both = self._holidays & self._workdays
        if both:
            raise ValueError(f"{min(both).isoformat()} is both a holiday and a working day")
        self._loaded = frozenset(int(y) for y in loaded_years)
        overrides: defaultdict[int, list[tuple[date, bool]]] = defaultdict(list)
        for day in self._holidays:
            overrides[day.year].append((day, False))
        for day in self._workdays:
            overrides[day.year].append((day, True))
        self._overrides = dict(overrides)
        self._cache: dict[int, _Year] = {}

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(holidays={len(self._holidays)}, workdays={len(self._workdays)}, "
            f"loaded_years={sorted(self._loaded)})"
        )

    @property
    def loaded_years(self) -> frozenset[int]:
        return self._loaded

    def knows(self, year: int) -> bool:
        return year in self._loaded or bundled_knows(year)

    def _year(self, year: int) -> _Year:
        info = self._cache.get(year)
        if info is None:
            flags = bytearray(_base_flags(year))
            first = date(year, 1, 1).toordinal()
            for day, working in self._overrides.get(year, ()):
                flags[day.toordinal() - first] = working
            workdays = tuple(first + i for i, flag in enumerate(flags) if flag)
            info = _Year(first, bytes(flags), workdays, self.knows(year))
            self._cache[year] = info
        return info

    def is_workday(self, day: date) -> bool:
        info = self._year(day.year)
        return bool(info.flags[day.toordinal() - info.first])

    def special_days(self, year: int) -> list[tuple[date, bool]]:
        """Days of `year` that differ from Monday–Friday: (day, is_workday), in date order."""
        info = self._year(year)
        out = []
        for i, flag in enumerate(info.flags):
            day = date.fromordinal(info.first + i)
            if bool(flag) != (day.weekday() < 5):
                out.append((day, bool(flag)))
        return out

    def next_workday(self, day: date) -> Deadline:
        """The first working day on or after `day`; provisional if a day it looked at is unknown."""
        after = day.toordinal() - 1
        year = day.year
        provisional = False
        while True:
            info = self._year(year)
            provisional = provisional or not info.known
            i = bisect_right(info.workdays, after)
            if i < len(info.workdays):
                return Deadline(date.fromordinal(info.workdays[i]), provisional)
            year += 1

    def add_working_days(self, start: date, n: int, *, paused: Iterable[tuple[date, date]] = ()) -> Deadline:
        """The end of the n-th working day strictly after `start` (SCENARIOS.md "Dates and periods").

        Days inside a `paused` interval (both ends inclusive) are not counted: time for
        inspection, testing, quarantine, appraisal or expert review (Henan 第四十一条).
        `provisional` is true iff some day in (start, due] lies in a year that is not known.
        """
        if n < 0:
            raise ValueError(f"negative number of working days: {n}")
        if n == 0:
            return Deadline(start, False)
        pauses = _merge(paused)
        starts = [lo for lo, _ in pauses]
        after = start.toordinal()
        year = date.fromordinal(after + 1).year  # the first day classified is the day after start
        remaining = n
        provisional = False
        while True:
            info = self._year(year)
            provisional = provisional or not info.known
            days = info.workdays
            i = bisect_right(days, after)
            if not pauses:
                if remaining <= len(days) - i:
                    return Deadline(date.fromordinal(days[i + remaining - 1]), provisional)
                remaining -= len(days) - i
            else:
                for ordinal in days[i:]:
                    k = bisect_right(starts, ordinal) - 1
                    if k >= 0 and ordinal <= pauses[k][1]:
                        continue
                    remaining -= 1
                    if remaining == 0:
                        return Deadline(date.fromordinal(ordinal), provisional)
            year += 1

    def count_working_days(self, start: date, end: date, *, paused: Iterable[tuple[date, date]] = ()) -> int:
        """How many working days lie in (start, end], not counting paused days."""
        pauses = _merge(paused)
        lo, hi = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year).workdays
            for ordinal in days[bisect_right(days, lo) : bisect_right(days, hi)]:
                if not any(p_lo <= ordinal <= p_hi for p_lo, p_hi in pauses):
                    count += 1
        return count


def _merge(paused: Iterable[tuple[date, date]]) -> list[tuple[int, int]]:
    """Paused intervals as sorted, non-overlapping (first, last) ordinals."""
    spans = []
    for lo, hi in paused:
        if hi < lo:
            raise ValueError(f"paused interval ends before it starts: {lo.isoformat()}..{hi.isoformat()}")
        spans.append((lo.toordinal(), hi.toordinal()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
