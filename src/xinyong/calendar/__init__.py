"""Working-day calendar (工作日历): operator-loaded State Council schedules on top of the bundled one."""

from xinyong.calendar.service import get_calendar, load_schedule, parse_schedule_file, read_schedule_file

__all__ = ["get_calendar", "load_schedule", "parse_schedule_file", "read_schedule_file"]
