"""Work queues on SQLite and PostgreSQL: open cases by due date, overdue first, per handling unit.

Revocation cases: the platform acts within the profile's time of receiving the provider's notice —
Jiangsu 第六十五条 (2 working days), Henan 第四十二条 (1 working day) — and the units that received
the record are notified (R-PLT-05).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from factories import at, penalty, provider
from xinyong.core import profile as profiles
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.notices import service as notices
from xinyong.queues import revocations, service
from xinyong.queues.types import CaseSummary
from xinyong.records import service as records_service

NJ_SAMR = "南京市市场监督管理局"
ZZ_SAMR = "郑州市市场监督管理局"


def revoked(sf: Any, jurisdiction: str, unit: str, when: datetime, n: int = 1) -> int:
    profile = profiles.get(jurisdiction)
    with transaction(sf) as db:
        record, _ = records_service.submit(
            db_session=db,
            profile=profile,
            now=when - timedelta(days=1),
            actor=provider(unit),
            values=penalty(provider=unit, record_id=f"R{n}", document=f"罚〔2026〕{n}号"),
        )
        records_service.revoke(
            db_session=db,
            profile=profile,
            now=when,
            actor=provider(unit),
            record_id=record.id,
            document="撤销决定",
        )
        return record.id


def cases(sf: Any, jurisdiction: str, now: datetime) -> list[CaseSummary]:
    with transaction(sf) as db:
        return revocations.open_cases(db_session=db, jurisdiction=jurisdiction, now=now)


def test_jiangsu_65_revocation_open_through_its_second_working_day(session_factory: Any) -> None:
    """Jiangsu 第六十五条: 两个工作日内撤销或者变更. Received Monday 2026-03-02: due Wednesday 03-04."""
    record_id = revoked(session_factory, "jiangsu", NJ_SAMR, at(date(2026, 3, 2)))
    (case,) = cases(session_factory, "jiangsu", datetime(2026, 3, 4, 23, 59, tzinfo=SHANGHAI))
    assert case == CaseSummary(
        ref=f"REV-{record_id}",
        kind="revocation",
        jurisdiction="jiangsu",
        subject=penalty()["subject_id"],
        handling_unit="platform",
        stage="platform_action",
        due=(date(2026, 3, 4), False),
        overdue=False,
        opened_at=at(date(2026, 3, 2)),
    )
    assert cases(session_factory, "jiangsu", at(date(2026, 3, 5))) == []  # nothing left owed


def test_revocation_with_unsent_notices_stays_open_and_turns_overdue(session_factory: Any) -> None:
    """Henan 第四十二条: one working day. Received Friday 2026-02-13: due Saturday 02-14 (调休 working day);
    a notice still unsent on 02-15 makes the case overdue until it is sent."""
    record_id = revoked(session_factory, "henan", ZZ_SAMR, at(date(2026, 2, 13)))
    with transaction(session_factory) as db:
        notices.enqueue(
            db_session=db,
            now=at(date(2026, 2, 13)),
            jurisdiction="henan",
            recipient="郑州市发展和改革委员会",
            recipient_kind="sharing_unit",
            kind="record.revoked",
            subject_id=None,
            case_ref=revocations.case_ref(record_id),
            content={"zh": "该信息已撤销", "en": "revoked"},
            due=(date(2026, 2, 14), False),
        )
    (on_time,) = cases(session_factory, "henan", at(date(2026, 2, 14)))
    assert (on_time.due, on_time.overdue, on_time.stage) == (
        (date(2026, 2, 14), False),
        False,
        "platform_action",
    )
    (late,) = cases(session_factory, "henan", at(date(2026, 2, 15)))
    assert (late.overdue, late.stage) == (True, "notify_receiving_units")
    with transaction(session_factory) as db:
        notices.deliver_pending(
            db_session=db, now=at(date(2026, 2, 16)), transport=_Null(), jurisdiction="henan"
        )
    assert cases(session_factory, "henan", at(date(2026, 2, 16))) == []


def test_no_revocation_cases_where_the_text_sets_no_time(session_factory: Any) -> None:
    """Jilin: the platform's action has no time in the text (unspecified): nothing to track as due."""
    revoked(session_factory, "jilin", "长春市市场监督管理局", at(date(2026, 3, 2)))
    assert cases(session_factory, "jilin", at(date(2026, 3, 2), 10)) == []


class _Null:
    name = "null"

    def send(self, message: dict[str, Any]) -> None:
        pass


def _case(ref: str, due: date | None, overdue: bool, unit: str = "platform", opened: int = 1) -> CaseSummary:
    return CaseSummary(
        ref=ref,
        kind="objection",
        jurisdiction="shenzhen",
        subject="91440300MA5F00000X",
        handling_unit=unit,
        stage="compare",
        due=(due, False) if due else None,
        overdue=overdue,
        opened_at=at(date(2026, 3, opened)),
    )


def _fake(*items: CaseSummary) -> Any:
    def open_cases(*, db_session: Any, jurisdiction: str, now: datetime) -> list[CaseSummary]:
        return [c for c in items if c.jurisdiction == jurisdiction]

    return open_cases


def test_queue_overdue_first_then_due_date_then_no_due(session_factory: Any) -> None:
    a = _case("A", date(2026, 3, 20), False)
    b = _case("B", date(2026, 3, 10), True, unit="深圳市市场监督管理局")
    c = _case("C", None, False)
    d = _case("D", date(2026, 3, 9), False)
    e = _case("E", date(2026, 3, 5), True, opened=2)
    with transaction(session_factory) as db:
        queue = service.gather(
            db_session=db,
            now=at(date(2026, 3, 12)),
            jurisdiction="shenzhen",
            sources={"f": _fake(a, b, c, d, e)},
        )
        assert [x.ref for x in queue.cases] == ["E", "B", "D", "A", "C"]
        assert {k: [x.ref for x in v] for k, v in queue.by_unit().items()} == {
            "platform": ["E", "D", "A", "C"],
            "深圳市市场监督管理局": ["B"],
        }
        unit = service.gather(
            db_session=db,
            now=at(date(2026, 3, 12)),
            jurisdiction="shenzhen",
            unit="深圳市市场监督管理局",
            sources={"f": _fake(a, b, c, d, e)},
        )
        assert [x.ref for x in unit.cases] == ["B"]
        late = service.gather(
            db_session=db,
            now=at(date(2026, 3, 12)),
            jurisdiction="shenzhen",
            overdue_only=True,
            sources={"f": _fake(a, b, c, d, e)},
        )
        assert [x.ref for x in late.cases] == ["E", "B"]


def test_queue_of_all_jurisdictions_and_unknown_profile(session_factory: Any) -> None:
    jiangsu = revoked(session_factory, "jiangsu", NJ_SAMR, at(date(2026, 3, 2)))
    henan = revoked(session_factory, "henan", ZZ_SAMR, at(date(2026, 3, 2)), n=2)
    with transaction(session_factory) as db:
        queue = service.gather(
            db_session=db, now=at(date(2026, 3, 3)), sources={"rev": revocations.open_cases}
        )
        assert [(c.ref, c.jurisdiction, c.due) for c in queue.cases] == [
            (f"REV-{henan}", "henan", (date(2026, 3, 3), False)),
            (f"REV-{jiangsu}", "jiangsu", (date(2026, 3, 4), False)),
        ]
        with pytest.raises(XinyongError) as exc:
            service.gather(db_session=db, now=at(date(2026, 3, 3)), jurisdiction="atlantis")
        assert exc.value.code == "unknown_profile"


def test_features_are_discovered_and_absent_ones_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "EXPECTED", (*service.EXPECTED, "xinyong.rights.not_written_yet.service"))
    found = service.discover()
    assert found.found["xinyong.queues.revocations"] is revocations.open_cases
    assert "xinyong.rights.not_written_yet.service: not installed" in found.missing


def test_only_a_missing_module_is_tolerated() -> None:
    assert service._absent(ModuleNotFoundError(name="xinyong.rights.x"), "xinyong.rights.x.service")
    assert service._absent(ModuleNotFoundError(name="xinyong.rights.x.service"), "xinyong.rights.x.service")
    # a feature importing something that does not exist is a bug, not an absent feature
    assert not service._absent(ModuleNotFoundError(name="yaml_typo"), "xinyong.rights.x.service")
