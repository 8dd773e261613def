"""Working days per the State Council schedule with 调休 (SCENARIOS.md "Dates and periods").

Exact dates are those of chinese_calendar 1.11.0, which carries the 2026 schedule of
国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04); the two agree.
"""

from __future__ import annotations

import doctest
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.core import workdays
from xinyong.core.workdays import Deadline, WorkCalendar

CAL = WorkCalendar()


def test_doctests() -> None:
    assert doctest.testmod(workdays).failed == 0


# --- the bundled 2026 schedule --------------------------------------------------------------


def test_spring_festival_2026_schedule() -> None:
    """春节 2026: off 2月15日–23日; Saturdays 2月14日 and 2月28日 are 调休 working days."""
    for offset in range(9):
        assert not CAL.is_workday(date(2026, 2, 15) + timedelta(offset))
    assert CAL.is_workday(date(2026, 2, 14))  # Saturday
    assert CAL.is_workday(date(2026, 2, 28))  # Saturday
    assert chinese_calendar.is_workday(date(2026, 2, 14)) and chinese_calendar.is_workday(date(2026, 2, 28))
    assert CAL.is_workday(date(2026, 2, 24))


def test_across_spring_festival_2026() -> None:
    assert CAL.add_working_days(date(2026, 2, 13), 1) == Deadline(date(2026, 2, 14), False)  # Fri -> 调休 Sat
    assert CAL.add_working_days(date(2026, 2, 13), 2) == Deadline(date(2026, 2, 24), False)
    assert CAL.add_working_days(date(2026, 2, 14), 1) == Deadline(date(2026, 2, 24), False)
    assert CAL.add_working_days(date(2026, 2, 27), 1) == Deadline(date(2026, 2, 28), False)  # Sat works
    assert CAL.add_working_days(date(2026, 2, 28), 1) == Deadline(date(2026, 3, 2), False)


def test_across_labour_day_2026() -> None:
    """劳动节 2026: off 5月1日–5日; Saturday 5月9日 is a working day."""
    assert CAL.add_working_days(date(2026, 4, 30), 1) == Deadline(date(2026, 5, 6), False)
    assert CAL.add_working_days(date(2026, 5, 8), 1) == Deadline(date(2026, 5, 9), False)
    assert CAL.add_working_days(date(2026, 5, 9), 1) == Deadline(date(2026, 5, 11), False)


def test_national_day_2026_schedule() -> None:
    """国庆节 2026 per chinese_calendar 1.11.0: off 10月1日–7日, working Sunday 9月20日 and
    Saturday 10月10日; 中秋节 off 9月25日–27日 (Fri–Sun)."""
    assert [d for d in (date(2026, 10, 1) + timedelta(i) for i in range(7)) if CAL.is_workday(d)] == []
    assert CAL.is_workday(date(2026, 9, 20)) and CAL.is_workday(date(2026, 10, 10))
    assert not CAL.is_workday(date(2026, 9, 25))
    assert CAL.add_working_days(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), False)
    assert CAL.add_working_days(date(2026, 10, 9), 1) == Deadline(date(2026, 10, 10), False)
    assert CAL.add_working_days(date(2026, 9, 19), 1) == Deadline(date(2026, 9, 20), False)
    assert CAL.add_working_days(date(2026, 9, 24), 1) == Deadline(date(2026, 9, 28), False)
    assert CAL.add_working_days(date(2026, 9, 30), 3) == Deadline(date(2026, 10, 10), False)


def test_nanjing_two_working_days_after_a_friday() -> None:
    """Nanjing: 2 working days after Friday 2026-11-06 end on Tuesday 2026-11-10."""
    assert CAL.add_working_days(date(2026, 11, 6), 2) == Deadline(date(2026, 11, 10), False)


def test_zero_working_days_is_the_start() -> None:
    assert CAL.add_working_days(date(2026, 10, 1), 0) == Deadline(date(2026, 10, 1), False)


def test_negative_or_reversed_input_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 2), 1, paused=[(date(2026, 3, 5), date(2026, 3, 4))])


def test_next_workday() -> None:
    assert CAL.next_workday(date(2026, 10, 1)) == Deadline(date(2026, 10, 8), False)
    assert CAL.next_workday(date(2026, 2, 14)) == Deadline(date(2026, 2, 14), False)  # 调休 Saturday
    assert CAL.next_workday(date(2026, 3, 7)) == Deadline(date(2026, 3, 9), False)
    assert CAL.next_workday(date(2027, 1, 2)) == Deadline(date(2027, 1, 4), True)


def test_special_days_of_2026() -> None:
    special = dict(CAL.special_days(2026))
    assert special[date(2026, 1, 4)] is True  # Sunday, 元旦调休上班
    assert special[date(2026, 2, 16)] is False
    assert date(2026, 2, 15) not in special  # a Sunday off is not special
    assert date(2026, 3, 2) not in special


# --- paused time: Henan 第四十一条 --------------------------------------------------------------


def test_paused_days_are_not_counted_henan_41() -> None:
    """Henan 第四十一条: time for inspection or expert review is not counted."""
    assert CAL.add_working_days(date(2026, 3, 2), 3) == Deadline(date(2026, 3, 5), False)
    paused = [(date(2026, 3, 3), date(2026, 3, 4))]
    assert CAL.add_working_days(date(2026, 3, 2), 3, paused=paused) == Deadline(date(2026, 3, 9), False)
    # overlapping and unsorted intervals
    paused = [(date(2026, 3, 6), date(2026, 3, 10)), (date(2026, 3, 3), date(2026, 3, 7))]
    assert CAL.add_working_days(date(2026, 3, 2), 1, paused=paused) == Deadline(date(2026, 3, 11), False)


# --- unknown years and operator-loaded years ---------------------------------------------------


def test_unknown_year_counts_monday_to_friday_and_is_provisional() -> None:
    assert not CAL.knows(2027) and CAL.knows(2026) and CAL.knows(2004) and not CAL.knows(2003)
    assert CAL.is_workday(date(2027, 1, 1))  # a Friday; the 2027 schedule is not bundled
    assert CAL.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 1), True)
    assert CAL.add_working_days(date(2027, 1, 8), 1) == Deadline(date(2027, 1, 11), True)
    assert CAL.add_working_days(date(2026, 12, 30), 1) == Deadline(date(2026, 12, 31), False)


def test_loading_2027_changes_the_answer_and_makes_it_exact() -> None:
    loaded = WorkCalendar(holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 9)], loaded_years=[2027])
    assert loaded.knows(2027)
    assert loaded.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), False)
    assert loaded.add_working_days(date(2027, 1, 8), 1) == Deadline(date(2027, 1, 9), False)  # Saturday works


def test_override_without_loaded_year_stays_provisional() -> None:
    cal = WorkCalendar(holidays=[date(2027, 1, 1)])
    assert cal.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), True)


def test_override_inside_a_bundled_year() -> None:
    cal = WorkCalendar(holidays=[date(2026, 3, 2)], workdays=[date(2026, 3, 7)])
    assert not cal.is_workday(date(2026, 3, 2)) and cal.is_workday(date(2026, 3, 7))
    assert cal.add_working_days(date(2026, 2, 28), 1) == Deadline(date(2026, 3, 3), False)
    assert CAL.is_workday(date(2026, 3, 2))  # other calendars are not touched


def test_a_day_cannot_be_both() -> None:
    with pytest.raises(ValueError, match="2027-01-01"):
        WorkCalendar(holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 1)])


def test_count_working_days() -> None:
    assert CAL.count_working_days(date(2026, 4, 30), date(2026, 5, 9)) == 4  # 5/6, 5/7, 5/8, 5/9
    assert CAL.count_working_days(date(2026, 5, 9), date(2026, 5, 9)) == 0


# --- properties ---------------------------------------------------------------------------------

LOADED = WorkCalendar(
    holidays=[date(2027, 1, 1), date(2027, 2, 8)], workdays=[date(2027, 2, 6)], loaded_years=[2027]
)
calendars = st.sampled_from([CAL, LOADED])
days = st.dates(min_value=date(2003, 6, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=0, max_value=45)
pauses = st.lists(
    st.tuples(days, st.integers(min_value=0, max_value=20)).map(lambda t: (t[0], t[0] + timedelta(t[1]))),
    max_size=3,
)


def _reference(cal: WorkCalendar, start: date, n: int, paused: list[tuple[date, date]]) -> Deadline:
    """Day-by-day count, the definition itself."""
    day, left, provisional = start, n, False
    while left:
        day += timedelta(1)
        provisional = provisional or not cal.knows(day.year)
        if cal.is_workday(day) and not any(lo <= day <= hi for lo, hi in paused):
            left -= 1
    return Deadline(day, provisional)


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=days, n=counts, paused=pauses)
def test_add_working_days_matches_day_by_day_count(cal, start, n, paused) -> None:
    result = cal.add_working_days(start, n, paused=paused)
    assert result == _reference(cal, start, n, paused)
    if n:
        assert cal.is_workday(result.due)
        assert not any(lo <= result.due <= hi for lo, hi in paused)
    assert cal.count_working_days(start, result.due, paused=paused) == n


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=days, n=counts)
def test_add_working_days_is_strictly_monotone_in_n(cal, start, n) -> None:
    assert cal.add_working_days(start, n).due < cal.add_working_days(start, n + 1).due


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_bundled_years_follow_chinese_calendar(day) -> None:
    assert CAL.is_workday(day) == chinese_calendar.is_workday(day)


@settings(max_examples=200, deadline=None)
@given(cal=calendars, day=days)
def test_next_workday_is_the_first_on_or_after(cal, day) -> None:
    result = cal.next_workday(day)
    assert cal.is_workday(result.due) and result.due >= day
    span = [day + timedelta(i) for i in range((result.due - day).days + 1)]
    assert not any(cal.is_workday(d) for d in span[:-1])
    assert result.provisional == any(not cal.knows(d.year) for d in span)
