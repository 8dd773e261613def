"""Explicit time: every rule receives `now`; nothing reads the wall clock but the edge.

All instants are timezone-aware. Legal days are counted in Asia/Shanghai, the time of every
regulation this platform implements (the profile may name another zone).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_HOUR = time(9, 0)  # a bare date in a scenario means 09:00 local time (SCENARIOS.md)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    if at.tzinfo is None:
        raise ValueError("a clock must be timezone-aware")
    return lambda: at


def local_date(at: datetime, tz: tzinfo = SHANGHAI) -> date:
    """The calendar day `at` falls on in the jurisdiction's time zone."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware instant")
    return at.astimezone(tz).date()


def start_of_day(day: date, tz: tzinfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def end_of_day(day: date, tz: tzinfo = SHANGHAI) -> datetime:
    """The last instant still inside `day` (used when a deadline is 'the end of day D')."""
    return start_of_day(day + timedelta(days=1), tz) - timedelta(microseconds=1)


def parse_instant(value: str | date | datetime, tz: tzinfo = SHANGHAI) -> datetime:
    """A scenario `at`: a date means 09:00 local; an ISO datetime must carry its offset."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"datetime {value.isoformat()} has no UTC offset")
        return value
    if isinstance(value, date):
        return datetime.combine(value, DEFAULT_HOUR, tzinfo=tz)
    text = str(value).strip()
    if "T" not in text and " " not in text:
        return datetime.combine(date.fromisoformat(text), DEFAULT_HOUR, tzinfo=tz)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {text} has no UTC offset")
    return parsed
