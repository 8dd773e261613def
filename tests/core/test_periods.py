"""Periods per 民法典 第二百零一条–第二百零三条 (SCENARIOS.md "Dates and periods")."""

from __future__ import annotations

import calendar as gregorian
import doctest
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.core import periods
from xinyong.core.periods import Duration, Unit, end_of, is_within, window_end
from xinyong.core.workdays import Deadline, WorkCalendar

CAL = WorkCalendar()


def test_doctests() -> None:
    assert doctest.testmod(periods).failed == 0


# --- 第二百零一条、第二百零二条: end_of ------------------------------------------------------------


def test_one_year_from_2026_03_02_ends_2027_03_02() -> None:
    """Jilin 第十九条 example: public through 2027-03-02, hidden from 2027-03-03."""
    assert end_of(date(2026, 3, 2), Duration(1, Unit.year)) == date(2027, 3, 2)
    assert is_within(date(2027, 3, 2), date(2026, 3, 2), Duration(1, Unit.year))
    assert not is_within(date(2027, 3, 3), date(2026, 3, 2), Duration(1, Unit.year))


def test_six_months_from_2025_08_31_ends_on_the_last_day_of_february() -> None:
    """第二百零二条: no corresponding day, so the month's last day."""
    assert end_of(date(2025, 8, 31), Duration(6, Unit.month)) == date(2026, 2, 28)


def test_month_end_clamping() -> None:
    assert end_of(date(2026, 1, 31), Duration(1, Unit.month)) == date(2026, 2, 28)
    assert end_of(date(2028, 1, 31), Duration(1, Unit.month)) == date(2028, 2, 29)
    assert end_of(date(2026, 3, 31), Duration(1, Unit.month)) == date(2026, 4, 30)
    assert end_of(date(2026, 1, 30), Duration(1, Unit.month)) == date(2026, 2, 28)
    assert end_of(date(2026, 11, 30), Duration(3, Unit.month)) == date(2027, 2, 28)
    # the corresponding day, not month-end to month-end
    assert end_of(date(2026, 2, 28), Duration(1, Unit.month)) == date(2026, 3, 28)


def test_leap_day_years() -> None:
    assert end_of(date(2024, 2, 29), Duration(1, Unit.year)) == date(2025, 2, 28)
    assert end_of(date(2024, 2, 29), Duration(4, Unit.year)) == date(2028, 2, 29)


def test_days_do_not_count_the_start_day() -> None:
    """第二百零一条: 10 days from 2026-03-02 run 03-03..03-12."""
    assert end_of(date(2026, 3, 2), Duration(10, Unit.day)) == date(2026, 3, 12)
    assert end_of(date(2026, 3, 2), Duration(0, Unit.day)) == date(2026, 3, 2)


def test_disclosure_period_is_not_lengthened_over_a_holiday() -> None:
    """A disclosure period ending on 国庆节 still ends that day (no 第二百零三条)."""
    assert end_of(date(2025, 10, 1), Duration(1, Unit.year)) == date(2026, 10, 1)


def test_working_days_need_the_calendar() -> None:
    with pytest.raises(ValueError):
        end_of(date(2026, 3, 2), Duration(15, Unit.working_day))
    with pytest.raises(ValueError):
        is_within(date(2026, 3, 3), date(2026, 3, 2), Duration(1, Unit.working_day))
    assert is_within(date(2026, 11, 10), date(2026, 11, 6), Duration(2, Unit.working_day), calendar=CAL)
    assert not is_within(date(2026, 11, 11), date(2026, 11, 6), Duration(2, Unit.working_day), calendar=CAL)


def test_duration() -> None:
    assert str(Duration(1, Unit.year)) == "1 year"
    assert str(Duration(15, Unit.working_day)) == "15 working_day"
    assert Duration(1, "year") == Duration(1, Unit.year)  # type: ignore[arg-type]
    assert Duration(1, "year").unit is Unit.year  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Duration(-1, Unit.day)
    with pytest.raises(ValueError):
        Duration(1, "week")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Duration("1", Unit.day)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Duration(True, Unit.day)


# --- 第二百零三条: window_end ----------------------------------------------------------------------


def test_window_ending_on_national_day_moves_to_the_first_working_day() -> None:
    """民法典 第二百零三条: 15 days from 2026-09-16 end on 10-01 (国庆节) -> 10-08."""
    assert window_end(date(2026, 9, 16), Duration(15, Unit.day), CAL) == Deadline(date(2026, 10, 8), False)


def test_window_ending_on_a_rest_day_moves_to_monday() -> None:
    assert window_end(date(2026, 2, 26), Duration(10, Unit.day), CAL) == Deadline(date(2026, 3, 9), False)


def test_window_ending_on_an_adjusted_working_saturday_stays() -> None:
    """2026-02-14 is a Saturday but a 调休 working day: the window ends that day."""
    assert window_end(date(2026, 2, 4), Duration(10, Unit.day), CAL) == Deadline(date(2026, 2, 14), False)


def test_window_on_a_working_day_is_unchanged() -> None:
    assert window_end(date(2026, 3, 2), Duration(1, Unit.month), CAL) == Deadline(date(2026, 4, 2), False)


def test_window_in_working_days_delegates_to_the_calendar() -> None:
    assert window_end(date(2026, 11, 6), Duration(2, Unit.working_day), CAL) == Deadline(
        date(2026, 11, 10), False
    )


def test_window_in_an_unknown_year_is_provisional_until_loaded() -> None:
    start, length = date(2026, 12, 2), Duration(30, Unit.day)  # ends Fri 2027-01-01
    assert window_end(start, length, CAL) == Deadline(date(2027, 1, 1), True)
    loaded = WorkCalendar(holidays=[date(2027, 1, 1)], loaded_years=[2027])
    assert window_end(start, length, loaded) == Deadline(date(2027, 1, 4), False)


# --- properties -----------------------------------------------------------------------------------

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
calendar_units = st.sampled_from([Unit.day, Unit.month, Unit.year])
durations = st.builds(Duration, st.integers(min_value=0, max_value=40), calendar_units)
WINDOW_CAL = WorkCalendar(holidays=[date(2027, 1, 1)], loaded_years=[2027])


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=4000))
def test_days_are_plain_addition(start, n) -> None:
    assert end_of(start, Duration(n, Unit.day)) == start + timedelta(days=n)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=60), unit=st.sampled_from([Unit.month, Unit.year]))
def test_months_and_years_land_on_the_corresponding_day_or_the_last_day(start, n, unit) -> None:
    end = end_of(start, Duration(n, unit))
    months = n if unit is Unit.month else 12 * n
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    last = gregorian.monthrange(end.year, end.month)[1]
    assert end.day == start.day or (end.day == last and start.day > last)


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts, duration=durations)
def test_end_of_is_monotone_in_start(a, b, duration) -> None:
    a, b = min(a, b), max(a, b)
    assert end_of(a, duration) <= end_of(b, duration)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2004, 1, 1), max_value=date(2025, 12, 31)), duration=durations)
def test_window_end_is_the_first_working_day_on_or_after_end_of(start, duration) -> None:
    end = end_of(start, duration)
    result = window_end(start, duration, WINDOW_CAL)
    assert result.due >= end and WINDOW_CAL.is_workday(result.due)
    assert not any(WINDOW_CAL.is_workday(end + timedelta(i)) for i in range((result.due - end).days))
    assert result.provisional == any(not WINDOW_CAL.knows(y) for y in range(end.year, result.due.year + 1))
