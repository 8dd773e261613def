"""Operator-loaded working-day years (SCENARIOS.md "Dates and periods", `load_calendar`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.calendar import service
from xinyong.calendar.models import CalendarDay, CalendarYear
from xinyong.core.db import Base, make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.core.workdays import BUNDLED_SOURCE, Deadline

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "calendar-2027.yaml"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Only this feature's tables, on SQLite and (when available) PostgreSQL."""
    engine = make_engine(db_url)
    Base.metadata.create_all(engine, tables=[CalendarDay.__table__, CalendarYear.__table__])
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def _load(sessions: sessionmaker[Session], **kwargs) -> list[int]:
    args = {"holidays": [], "workdays": [], "years": None, "source": "test", "now": NOW} | kwargs
    with transaction(sessions) as db_session:
        return service.load_schedule(db_session=db_session, **args)


def _calendar(sessions: sessionmaker[Session]):
    with transaction(sessions) as db_session:
        return service.get_calendar(db_session=db_session)


def _refused(sessions: sessionmaker[Session], **kwargs) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        _load(sessions, **kwargs)
    assert info.value.code == "invalid_calendar"
    return info.value


# --- load_schedule / get_calendar --------------------------------------------------------------


def test_loading_2027_makes_deadlines_exact(sessions) -> None:
    before = _calendar(sessions)
    assert before.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 1), True)

    years = _load(sessions, holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 9)], years=[2027])
    assert years == [2027]
    after = _calendar(sessions)
    assert after.knows(2027)
    assert after.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), False)
    assert after.add_working_days(date(2027, 1, 8), 1) == Deadline(date(2027, 1, 9), False)  # 调休 Saturday


def test_years_are_taken_from_the_dates_when_not_given(sessions) -> None:
    """The scenario `load_calendar` action gives only holidays and workdays."""
    assert _load(sessions, holidays=[date(2027, 1, 1), date(2028, 1, 3)], workdays=[date(2027, 1, 4)]) == [
        2027,
        2028,
    ]
    cal = _calendar(sessions)
    assert cal.knows(2027) and cal.knows(2028) and not cal.knows(2029)


def test_reloading_a_year_replaces_its_days_only(sessions) -> None:
    _load(
        sessions,
        holidays=[date(2027, 1, 1), date(2028, 1, 3)],
        workdays=[date(2027, 1, 9)],
        years=[2027, 2028],
    )
    _load(sessions, holidays=[date(2027, 1, 4)], years=[2027], source="second", now=LATER)
    cal = _calendar(sessions)
    assert cal.is_workday(date(2027, 1, 1))  # no longer a holiday: a Friday
    assert not cal.is_workday(date(2027, 1, 9))  # no longer 调休: a Saturday
    assert not cal.is_workday(date(2027, 1, 4))
    assert not cal.is_workday(date(2028, 1, 3))  # 2028 untouched
    with transaction(sessions) as db_session:
        assert db_session.scalar(select(func.count()).select_from(CalendarDay)) == 2
        year = db_session.get(CalendarYear, 2027)
        assert (year.source, year.loaded_at) == ("second", LATER)
        assert db_session.get(CalendarYear, 2028).loaded_at == NOW


def test_loaded_days_override_the_bundled_year(sessions) -> None:
    _load(sessions, holidays=[date(2026, 3, 2)], years=[2026])
    cal = _calendar(sessions)
    assert not cal.is_workday(date(2026, 3, 2))
    # the bundled 调休 Saturday is kept
    assert cal.add_working_days(date(2026, 2, 27), 1) == Deadline(date(2026, 2, 28), False)
    assert cal.add_working_days(date(2026, 2, 28), 1) == Deadline(date(2026, 3, 3), False)


def test_a_date_cannot_be_both(sessions) -> None:
    err = _refused(sessions, holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 1)])
    assert "2027-01-01" in err.detail


def test_dates_must_belong_to_the_declared_years(sessions) -> None:
    err = _refused(sessions, holidays=[date(2027, 1, 1), date(2028, 1, 1)], years=[2027])
    assert "2028-01-01" in err.detail and err.field == "holidays"
    err = _refused(sessions, workdays=[date(2026, 12, 26)], years=[2027])
    assert "2026-12-26" in err.detail and err.field == "workdays"


def test_bad_input_is_refused(sessions) -> None:
    assert _refused(sessions).field == "years"  # nothing at all
    assert _refused(sessions, holidays=[date(2027, 1, 1)], years=[]).field == "years"
    assert _refused(sessions, holidays=["2027-01-01"]).field == "holidays"
    assert _refused(sessions, holidays=[datetime(2027, 1, 1, tzinfo=UTC)]).field == "holidays"
    assert _refused(sessions, holidays=[date(2027, 1, 1)], source=" ").field == "source"
    assert _refused(sessions, holidays=[date(2027, 1, 1)], years=["2027"]).field == "years"
    with pytest.raises(ValueError):
        _load(sessions, holidays=[date(2027, 1, 1)], now=datetime(2026, 11, 20))
    with transaction(sessions) as db_session:  # nothing was stored by the refusals
        assert db_session.scalar(select(func.count()).select_from(CalendarYear)) == 0


# --- schedule files ----------------------------------------------------------------------------


def test_example_file_parses_and_loads(sessions) -> None:
    years, holidays, workdays = service.parse_schedule_file(EXAMPLE)
    assert years == [2027]
    assert date(2027, 1, 1) in holidays and date(2027, 10, 7) in holidays and len(holidays) == 29
    assert workdays == [
        date(2027, 1, 31),
        date(2027, 2, 20),
        date(2027, 4, 25),
        date(2027, 9, 26),
        date(2027, 10, 9),
    ]
    parsed = service.read_schedule_file(EXAMPLE)
    assert parsed.notes[date(2027, 2, 20)] == "春节" and parsed.source.startswith("EXAMPLE")

    _load(
        sessions,
        holidays=holidays,
        workdays=workdays,
        years=years,
        source=parsed.source,
        note=parsed.note,
        notes=parsed.notes,
    )
    cal = _calendar(sessions)
    assert cal.add_working_days(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 8), False)
    with transaction(sessions) as db_session:
        view = service.describe_year(db_session=db_session, year=2027)
    assert view.known and view.source == parsed.source and view.loaded_at == NOW
    days = {d.day: d for d in view.days}
    assert days[date(2027, 2, 20)].is_workday and days[date(2027, 2, 20)].note == "春节"
    assert not days[date(2027, 10, 4)].is_workday and days[date(2027, 10, 4)].note == "国庆节"
    assert date(2027, 3, 1) not in days


def test_years_list_and_plain_lists(tmp_path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("years: [2027, 2028]\nholidays: [2027-01-01, 2028-01-03]\n", encoding="utf-8")
    assert service.parse_schedule_file(path) == ([2027, 2028], [date(2027, 1, 1), date(2028, 1, 3)], [])


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("year: 2027\nholidays: [2027-01-01]\nholiday: [2027-01-02]\n", "holiday", "unknown key"),
        ("year: 2027\nholidays: [2027-01-01]\nholidays: [2027-01-02]\n", None, "duplicate key 'holidays'"),
        ("year: 2027\nholidays: [2027-02-30]\n", "holidays", "'2027-02-30' is not a date"),
        ("year: 2027\nholidays: [2027-1-1]\n", "holidays", "'2027-1-1' is not a date"),
        ("year: 2027\nholidays: [2028-01-01]\n", "holidays", "2028-01-01 is not in the declared years"),
        ("year: 2027\nholidays: {元旦: [2026-12-31]}\n", "holidays.元旦", "2026-12-31 is not in"),
        ("year: 2027\nholidays: [2027-01-01, 2027-01-01]\n", "holidays", "2027-01-01 listed twice"),
        (
            "year: 2027\nholidays: [2027-01-01]\nworkdays: [2027-01-01]\n",
            "workdays",
            "2027-01-01 is also listed as a holiday",
        ),
        ("year: 2027\nyears: [2027]\nholidays: [2027-01-01]\n", "year", "exactly one of"),
        ("holidays: [2027-01-01]\n", "year", "exactly one of"),
        ("year: '2027'\nholidays: [2027-01-01]\n", "year", "'2027' is not a year"),
        ("years: []\nholidays: [2027-01-01]\n", "years", "non-empty list"),
        ("years: [2027, 2027]\nholidays: [2027-01-01]\n", "years", "given twice"),
        ("year: 2027\n", "holidays", "missing"),
        ("years: [2027, 2028]\nholidays: [2027-01-01]\n", "holidays", "no holiday listed for 2028"),
        ("year: 2027\nholidays: 2027-01-01\n", "holidays", "expected a list"),
        ("year: 2027\nsource: [a]\nholidays: [2027-01-01]\n", "source", "expected text"),
        ("- 2027-01-01\n", None, "expected a mapping"),
        ("year: 2027\nholidays: [2027-01-01\n", None, "not valid YAML"),
    ],
)
def test_broken_files_name_the_file_and_the_key(tmp_path, text: str, key: str | None, words: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(XinyongError) as info:
        service.parse_schedule_file(path)
    err = info.value
    assert err.code == "invalid_calendar"
    assert str(path) in err.detail and words in err.detail
    if key is not None:
        assert err.field == key and f"`{key}`" in err.detail


def test_missing_file(tmp_path) -> None:
    with pytest.raises(XinyongError) as info:
        service.parse_schedule_file(tmp_path / "nope.yaml")
    assert info.value.code == "invalid_file" and "nope.yaml" in info.value.detail


# --- describe_year -----------------------------------------------------------------------------


def test_describe_a_bundled_and_an_unknown_year(sessions) -> None:
    with transaction(sessions) as db_session:
        bundled = service.describe_year(db_session=db_session, year=2026)
        unknown = service.describe_year(db_session=db_session, year=2029)
    assert bundled.known and bundled.source == BUNDLED_SOURCE and bundled.loaded_at is None
    days = {d.day: d for d in bundled.days}
    assert days[date(2026, 2, 14)].is_workday and days[date(2026, 2, 14)].note == "春节"
    assert not days[date(2026, 2, 15)].is_workday  # a Sunday inside the holiday span is listed
    assert not days[date(2026, 10, 1)].is_workday and days[date(2026, 10, 1)].note == "国庆节"
    assert date(2026, 3, 7) not in days
    assert not unknown.known and unknown.source is None and unknown.days == []


# --- the CLI (needs the whole schema; runs once xinyong.models imports) ------------------------


def test_cli_load_and_show(tmp_path) -> None:
    pytest.importorskip("xinyong.models")
    from typer.testing import CliRunner

    from xinyong.calendar.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    before = runner.invoke(app, ["show", "2027", "--database-url", url])
    assert before.exit_code == 0, before.output
    assert "provisional" in before.output
    loaded = runner.invoke(app, ["load", str(EXAMPLE), "--database-url", url])
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded 2027" in loaded.output
    shown = runner.invoke(app, ["show", "2027", "--database-url", url])
    assert shown.exit_code == 0 and "2027-02-20" in shown.output and "known" in shown.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("year: 2027\nholidays: [2027-02-30]\n", encoding="utf-8")
    refused = runner.invoke(app, ["load", str(broken), "--database-url", url])
    assert refused.exit_code == 1 and "invalid_calendar" in refused.output
