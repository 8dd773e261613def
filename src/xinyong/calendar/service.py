"""Load, read and describe working-day schedules (工作日历).

`load_schedule` stores a year's State Council schedule; `get_calendar` builds the
:class:`~xinyong.core.workdays.WorkCalendar` every deadline is computed with. Schedule files are
YAML (docs/calendar.md)::

    year: 2027                  # or  years: [2027, 2028]
    source: 国务院办公厅关于2027年部分节假日安排的通知  # optional: where the dates come from
    note: free text             # optional
    holidays: [2027-01-01, ...] # or grouped by festival:  holidays: {元旦: [2027-01-01], ...}
    workdays: [2027-02-06, ...] # 调休上班; optional, same two shapes

Loading is strict: unknown or duplicate keys, bad dates, a date outside the declared years or in
both lists stop it, and the message names the file and the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import chinese_calendar
import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from xinyong.calendar.models import CalendarDay, CalendarYear
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import BUNDLED_SOURCE, WorkCalendar, bundled_knows

# ---------------------------------------------------------------------------------------------
# loading into the database


def _bad(detail: str, field_name: str | None = None) -> XinyongError:
    return XinyongError("invalid_calendar", detail=detail, field=field_name)


def _check_dates(values: list[date], key: str) -> set[date]:
    out = set()
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise _bad(f"{value!r} is not a date", key)
        out.add(value)
    return out


def load_schedule(
    *,
    db_session: Session,
    holidays: list[date],
    workdays: list[date],
    years: list[int] | None,
    source: str,
    now: datetime,
    note: str | None = None,
    notes: dict[date, str] | None = None,
) -> list[int]:
    """Store the schedule of whole years; returns the years loaded, which become known.

    `years=None` takes the years of the dates given. Re-loading a year replaces all its days.
    `notes` may name the festival of some days (元旦, 春节 调休上班, ...).
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware `now`")
    if not source or not source.strip():
        raise _bad("a schedule needs its source (the State Council notice or the file)", "source")
    off = _check_dates(list(holidays), "holidays")
    on = _check_dates(list(workdays), "workdays")
    both = off & on
    if both:
        raise _bad(f"{min(both).isoformat()} is both a holiday and a working day", "holidays")
    if years is None:
        declared = sorted({day.year for day in off | on})
        if not declared:
            raise _bad("no dates and no years: nothing to load", "years")
    else:
        if not years:
            raise _bad("empty list of years", "years")
        for year in years:
            if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
                raise _bad(f"{year!r} is not a year", "years")
        declared = sorted(set(years))
    for key, days in (("holidays", off), ("workdays", on)):
        for day in sorted(days):
            if day.year not in declared:
                raise _bad(f"{day.isoformat()} is not in the declared years {declared}", key)
    notes = notes or {}
    for day in notes:
        if day not in off | on:
            raise _bad(f"note for {day!r}, which is neither a holiday nor a working day", "notes")

    for year in declared:  # a re-load replaces the whole year
        db_session.execute(
            delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        )
        db_session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    db_session.flush()
    for year in declared:
        db_session.add(CalendarYear(year=year, loaded_at=now, source=source, note=note))
    for days, working in ((off, False), (on, True)):
        for day in sorted(days):
            db_session.add(
                CalendarDay(day=day, is_workday=working, note=notes.get(day), loaded_at=now, source=source)
            )
    db_session.flush()
    return declared


def get_calendar(*, db_session: Session) -> WorkCalendar:
    """The working-day calendar: bundled schedule, plus every loaded day and year."""
    rows = db_session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    years = db_session.scalars(select(CalendarYear.year)).all()
    return WorkCalendar(
        holidays=[day for day, working in rows if not working],
        workdays=[day for day, working in rows if working],
        loaded_years=years,
    )


# ---------------------------------------------------------------------------------------------
# describing a year (what `xinyong calendar show` prints)


@dataclass(frozen=True)
class DayView:
    day: date
    is_workday: bool
    note: str | None
    source: str


@dataclass(frozen=True)
class YearView:
    year: int
    known: bool
    source: str | None  # the loaded notice, or the bundled package; None when unknown
    loaded_at: datetime | None
    note: str | None
    days: list[DayView] = field(default_factory=list)  # holidays and 调休 working days, in order


def _bundled_note(day: date) -> str | None:
    if not bundled_knows(day.year):
        return None
    _, name = chinese_calendar.get_holiday_detail(day)
    if name is None:
        return None
    try:
        return chinese_calendar.Holiday(name).chinese
    except ValueError:
        return name


def describe_year(*, db_session: Session, year: int) -> YearView:
    """Holidays and adjusted working days of `year`, and whether the year is known."""
    calendar = get_calendar(db_session=db_session)
    loaded = db_session.get(CalendarYear, year)
    rows = {
        row.day: row
        for row in db_session.scalars(
            select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        )
    }
    special = {day for day, _ in calendar.special_days(year)}
    days = []
    for day in sorted(special | set(rows) | _bundled_named_days(year)):
        row = rows.get(day)
        if row is not None:
            note, source = row.note, row.source
        else:
            note, source = _bundled_note(day), (BUNDLED_SOURCE if bundled_knows(year) else "Monday–Friday")
        days.append(DayView(day, calendar.is_workday(day), note, source))
    if loaded is not None:
        return YearView(year, True, loaded.source, loaded.loaded_at, loaded.note, days)
    if bundled_knows(year):
        return YearView(year, True, BUNDLED_SOURCE, None, None, days)
    return YearView(year, False, None, None, None, days)


def _bundled_named_days(year: int) -> set[date]:
    """Holiday-period days the bundled schedule names, weekends included (e.g. 春节 on a Sunday)."""
    if not bundled_knows(year):
        return set()
    return {
        day
        for table in (chinese_calendar.holidays, chinese_calendar.workdays)
        for day in table
        if day.year == year
    }


# ---------------------------------------------------------------------------------------------
# schedule files


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEYS = {"year", "years", "source", "note", "holidays", "workdays"}


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (we parse them, to name the bad one) and refuses
    duplicate keys (PyYAML silently keeps the last)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int) and key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key if isinstance(key, str | int) else id(key_node))
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass(frozen=True)
class ScheduleFile:
    path: Path
    years: list[int]
    holidays: list[date]
    workdays: list[date]
    notes: dict[date, str]  # festival names, when the file groups its dates
    source: str | None
    note: str | None


def read_schedule_file(path: str | Path) -> ScheduleFile:
    """Parse and check a schedule file; every error names the file and the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise XinyongError("invalid_file", detail=f"{path}: {exc}") from exc
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _bad(f"{path}: not valid YAML: {exc}") from exc

    def bad(key: str, problem: str) -> XinyongError:
        return _bad(f"{path}: `{key}`: {problem}", key)

    if not isinstance(data, dict):
        raise _bad(f"{path}: expected a mapping with `year` and `holidays`")
    for key in data:
        if key not in _KEYS:
            raise bad(str(key), f"unknown key (allowed: {', '.join(sorted(_KEYS))})")
    if ("year" in data) == ("years" in data):
        raise bad("year", "give exactly one of `year` or `years`")
    if "year" in data:
        key, raw_years = "year", [data["year"]]
    else:
        key, raw_years = "years", data["years"]
        if not isinstance(raw_years, list) or not raw_years:
            raise bad(key, "expected a non-empty list of years")
    years = []
    for value in raw_years:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 9998:
            raise bad(key, f"{value!r} is not a year")
        if value in years:
            raise bad(key, f"year {value} given twice")
        years.append(value)

    for key in ("source", "note"):
        if key in data and not isinstance(data[key], str):
            raise bad(key, "expected text")
    if "holidays" not in data:
        raise bad("holidays", "missing: list the statutory holidays of the year")
    notes: dict[date, str] = {}
    holidays = _date_list(data["holidays"], "holidays", years, notes, bad)
    workdays = _date_list(data.get("workdays") or [], "workdays", years, notes, bad)
    both = set(holidays) & set(workdays)
    if both:
        raise bad("workdays", f"{min(both).isoformat()} is also listed as a holiday")
    for year in years:
        if not any(day.year == year for day in holidays):
            raise bad("holidays", f"no holiday listed for {year}")
    return ScheduleFile(path, years, holidays, workdays, notes, data.get("source"), data.get("note"))


def _date_list(
    raw: Any, key: str, years: list[int], notes: dict[date, str], bad: Callable[[str, str], XinyongError]
) -> list[date]:
    """A list of dates, or a mapping festival name -> list of dates (the name becomes the note)."""
    if isinstance(raw, dict):
        groups = list(raw.items())
    elif isinstance(raw, list):
        groups = [(None, raw)]
    else:
        raise bad(key, "expected a list of dates or a mapping of names to lists of dates")
    out: list[date] = []
    for name, values in groups:
        where = key if name is None else f"{key}.{name}"
        if name is not None and not isinstance(name, str):
            raise bad(where, "group names are text")
        if not isinstance(values, list):
            raise bad(where, "expected a list of dates")
        for value in values:
            text = str(value)
            try:
                if not _DATE.fullmatch(text):
                    raise ValueError
                day = date.fromisoformat(text)
            except ValueError:
                raise bad(where, f"{value!r} is not a date (YYYY-MM-DD)") from None
            if day.year not in years:
                raise bad(where, f"{text} is not in the declared years {years}")
            if day in out:
                raise bad(where, f"{text} listed twice")
            out.append(day)
            if name is not None:
                notes[day] = name
    return out


def parse_schedule_file(path: str | Path) -> tuple[list[int], list[date], list[date]]:
    """(years, holidays, workdays) of a schedule file; see :func:`read_schedule_file`."""
    parsed = read_schedule_file(path)
    return parsed.years, parsed.holidays, parsed.workdays
