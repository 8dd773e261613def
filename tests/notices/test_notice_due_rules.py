"""A notice's due day is computed when read from the rule it was given (DESIGN.md "computed when it
is read"): a provisional day in a year the calendar does not know becomes exact once the operator
loads that year, with nothing recomputed or rewritten. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from notices_support import Http

from api.helpers import NJ_DRC, at
from xinyong.calendar import service as calendar_service
from xinyong.core.db import session_factory, transaction
from xinyong.core.profile_base import DurationSpec
from xinyong.core.profile_rights import Stage
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.notices import service
from xinyong.notices.models import Notice
from xinyong.notices.router import router

D = date.fromisoformat
J = "/api/v1/jiangsu"
FIVE_WD = Stage.model_validate(
    {"within": {"value": 5, "unit": "working_day"}, "from": "decided", "cite": "测试 第一条"}
)


def enqueue(sf: Any, due: Any, now: str = "2026-12-30") -> int:
    with transaction(sf) as db:
        return service.enqueue(
            db_session=db,
            now=at(now),
            jurisdiction="jiangsu",
            recipient=NJ_DRC,
            recipient_kind="sharing_unit",
            kind="record.corrected",
            subject_id=None,
            case_ref="REC-1",
            content={"zh": "通知", "en": "notice"},
            due=due,
        ).id


def read(sf: Any, notice_id: int) -> tuple[Deadline | None, Notice]:
    with transaction(sf) as db:
        notice = db.get(Notice, notice_id)
        assert notice is not None
        return service.due_of(notice, calendar_service.get_calendar(db_session=db)), notice


def load_2027(sf: Any) -> None:
    """2027's New Year holiday (Friday 01-01) as an operator would load it."""
    with transaction(sf) as db:
        calendar_service.load_schedule(
            db_session=db,
            holidays=[D("2027-01-01")],
            workdays=[],
            years=[2027],
            source="test",
            now=at("2027-01-02"),
        )


def test_rule_is_stored_not_the_day(session_factory: Any) -> None:
    rule = service.DueRule.of(FIVE_WD, D("2026-12-30"))
    assert rule is not None
    notice_id = enqueue(session_factory, rule)
    with transaction(session_factory) as db:
        row = db.get(Notice, notice_id)
        assert row is not None
        assert (row.due_on, row.due_from) == (None, D("2026-12-30"))
        assert row.due_rule == {
            "within": [{"value": 5, "unit": "working_day"}],
            "paused": [],
            "extra_working_days": 0,
        }


def test_provisional_due_day_becomes_exact_after_the_year_is_loaded(session_factory: Any) -> None:
    """5 working days from Wed 2026-12-30: 2027 unknown, Monday–Friday counts 12-31, 01-01, 01-04,
    01-05, 01-06 → 2027-01-06 provisional. With 2027 loaded (01-01 a holiday) → 2027-01-07, exact."""
    notice_id = enqueue(session_factory, service.DueRule.of(FIVE_WD, D("2026-12-30")))
    due, notice = read(session_factory, notice_id)
    assert due == Deadline(D("2027-01-06"), True)
    with transaction(session_factory) as db:
        cal = calendar_service.get_calendar(db_session=db)
        assert service.is_overdue(notice, D("2027-01-07"), cal) is True  # as the calendar stood
    load_2027(session_factory)
    due, notice = read(session_factory, notice_id)
    assert due == Deadline(D("2027-01-07"), False)
    with transaction(session_factory) as db:
        cal = calendar_service.get_calendar(db_session=db)
        assert service.is_overdue(notice, D("2027-01-07"), cal) is False  # the due day itself
        assert service.is_overdue(notice, D("2027-01-08"), cal) is True
        assert service.message_of(notice, at("2027-01-08"), cal)["due"] == {
            "date": "2027-01-07",
            "provisional": False,
        }


def test_rule_with_paused_days_and_an_extension(session_factory: Any) -> None:
    """Paused days are not counted (Henan 第四十一条); an approved extension adds working days."""
    rule = service.DueRule.of(
        FIVE_WD, D("2026-11-02"), paused=[(D("2026-11-03"), D("2026-11-04"))], extra_working_days=2
    )
    assert rule is not None
    # Mon 11-02 + 5 WD skipping 11-03, 11-04 → 11-11; + 2 WD → 11-13
    assert rule.due(WorkCalendar()) == Deadline(D("2026-11-13"), False)
    notice_id = enqueue(session_factory, rule, now="2026-11-02")
    assert read(session_factory, notice_id)[0] == Deadline(D("2026-11-13"), False)


def test_earliest_of_several_stages_and_no_day(session_factory: Any) -> None:
    one = Stage.model_validate(
        {"within": {"value": 1, "unit": "working_day"}, "from": "decided", "cite": "测试 第二条"}
    )
    promptly = Stage.model_validate({"within": "promptly", "from": "decided", "cite": "测试 第三条"})
    rule = service.DueRule.of([FIVE_WD, one, None], D("2026-09-30"))
    assert rule is not None and rule.due(WorkCalendar()) == Deadline(D("2026-10-08"), False)  # 国庆
    assert service.DueRule.of(promptly, D("2026-09-30")) is None
    month = Stage.model_validate({"within": {"value": 1, "unit": "month"}, "from": "decided", "cite": "x"})
    assert service.DueRule.of(month, D("2026-01-31")).due(WorkCalendar()) == Deadline(D("2026-02-28"), False)  # type: ignore[union-attr]
    same_day = Stage.model_validate({"within": "same_day", "from": "decided", "cite": "x"})
    assert service.DueRule.of(same_day, D("2026-05-01")).due(WorkCalendar()) == Deadline(
        D("2026-05-01"), False
    )  # type: ignore[union-attr]
    assert DurationSpec.model_validate({"value": 1, "unit": "month"}) == month.within


def test_a_fixed_due_day_is_kept_and_a_rule_needs_the_calendar(session_factory: Any) -> None:
    fixed = enqueue(session_factory, (D("2027-03-05"), True))
    due, notice = read(session_factory, fixed)
    assert due == Deadline(D("2027-03-05"), True)
    assert service.is_overdue(notice, D("2027-03-06")) is True
    ruled = enqueue(session_factory, service.DueRule.of(FIVE_WD, D("2026-12-30")))
    _, notice = read(session_factory, ruled)
    with pytest.raises(ValueError, match="pass the calendar"):
        service.due_of(notice, None)


@pytest.fixture
def http(engine: Any) -> Iterator[Http]:
    h = Http(engine, [router])
    try:
        yield h
    finally:
        h.close()


def test_api_and_cli_show_the_day_computed_now(engine: Any, http: Http) -> None:
    sf = session_factory(engine)
    notice_id = enqueue(sf, service.DueRule.of(FIVE_WD, D("2026-12-30")))
    http.travel("2027-01-07")
    resp = http.operator.get(f"{J}/notices/{notice_id}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["due"], body["overdue"]) == ({"date": "2027-01-06", "provisional": True}, True)
    load_2027(sf)
    body = http.operator.get(f"{J}/notices/{notice_id}").json()
    assert (body["due"], body["overdue"]) == ({"date": "2027-01-07", "provisional": False}, False)
    listed = http.operator.get(f"{J}/notices").json()
    assert [n["due"] for n in listed if n["id"] == notice_id] == [
        {"date": "2027-01-07", "provisional": False}
    ]
    assert json.loads(json.dumps(body))["id"] == notice_id
