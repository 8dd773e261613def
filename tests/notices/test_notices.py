"""The notice outbox on SQLite and PostgreSQL: stored first, delivered by a transport, never lost.

R-PLT-05 (sharing units told of changes: Shenzhen 第三十七条 within 3 working days), R-OBJ-09
(the applicant told of acceptance and result), R-COL-04 (subjects told when their data is submitted).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from factories import agency, at, government, penalty, provider, subject_actor
from xinyong.authorizations import service as authorizations_service
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.core.profile_rights import Stage
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.notices import service
from xinyong.notices.models import Notice
from xinyong.notices.transports import ConsoleTransport, FileTransport, get_transport
from xinyong.records import service as records_service
from xinyong.records.rules import Channel
from xinyong.subjects.models import Subject

T0 = at(date(2026, 3, 2))
CONTENT = {"zh": "您的异议申请已受理。", "en": "Your objection has been accepted."}


def add(sf: Any, **over: Any) -> Notice:
    args: dict[str, Any] = {
        "now": T0,
        "jurisdiction": "shenzhen",
        "recipient": "91440300MA5FXXXX0X",
        "recipient_kind": "applicant",
        "kind": "objection.accepted",
        "subject_id": None,
        "case_ref": "OBJ-1",
        "content": CONTENT,
        "due": (date(2026, 3, 4), False),
    }
    args.update(over)
    with transaction(sf) as db:
        return service.enqueue(db_session=db, **args)


class Failing:
    name = "failing"

    def send(self, message: dict[str, Any]) -> None:
        raise ConnectionError("mail server down")


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


def deliver(sf: Any, transport: Any, now: datetime = T0, **kw: Any) -> service.DeliveryReport:
    with transaction(sf) as db:
        return service.deliver_pending(db_session=db, now=now, transport=transport, **kw)


def test_enqueue_stores_every_field(session_factory: Any) -> None:
    notice = add(session_factory)
    with transaction(session_factory) as db:
        row = db.get(Notice, notice.id)
        assert row is not None
        assert (row.jurisdiction, row.recipient, row.recipient_kind, row.kind, row.case_ref) == (
            "shenzhen",
            "91440300MA5FXXXX0X",
            "applicant",
            "objection.accepted",
            "OBJ-1",
        )
        assert (row.content, row.due_on, row.due_provisional) == (CONTENT, date(2026, 3, 4), False)
        assert (row.created_at, row.sent_at, row.transport, row.attempts) == (T0, None, None, 0)


def test_enqueue_without_due_and_with_provisional_due(session_factory: Any) -> None:
    assert add(session_factory, due=None).due_on is None
    late = add(session_factory, due=(date(2027, 3, 5), True))
    assert (late.due_on, late.due_provisional) == (date(2027, 3, 5), True)


def test_enqueue_refuses_naive_time_and_unknown_recipient_kind(session_factory: Any) -> None:
    with pytest.raises(ValueError, match="naive"):
        add(session_factory, now=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="recipient kind"):
        add(session_factory, recipient_kind="everyone")


def test_file_transport_writes_json_lines_and_marks_sent(session_factory: Any, tmp_path: Path) -> None:
    first = add(session_factory)
    second = add(
        session_factory,
        recipient="深圳市市场监督管理局",
        recipient_kind="provider",
        kind="objection.forwarded",
    )
    sent_at = at(date(2026, 3, 3), 10)
    report = deliver(session_factory, FileTransport(tmp_path), sent_at)
    assert (report.sent, report.failed) == ([first.id, second.id], {})
    lines = (tmp_path / "notices-2026-03-03.jsonl").read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines]
    assert [m["id"] for m in messages] == [first.id, second.id]
    assert messages[0]["content"] == CONTENT
    assert messages[0]["due"] == {"date": "2026-03-04", "provisional": False}
    assert (messages[0]["sent_at"], messages[0]["attempt"]) == ("2026-03-03T02:00:00+00:00", 1)
    with transaction(session_factory) as db:
        rows = db.scalars(select(Notice).order_by(Notice.id)).all()
        assert [(n.sent_at, n.transport, n.attempts) for n in rows] == [(sent_at, "file", 1)] * 2
    assert deliver(session_factory, FileTransport(tmp_path), sent_at).sent == []  # nothing sent twice


def test_failed_delivery_keeps_the_notice_and_counts_attempts(session_factory: Any) -> None:
    notice = add(session_factory)
    for hour in (10, 11):
        report = deliver(session_factory, Failing(), at(date(2026, 3, 3), hour))
        assert report.failed == {notice.id: "ConnectionError: mail server down"}
    recording = Recording()
    assert deliver(session_factory, recording, at(date(2026, 3, 3), 12)).sent == [notice.id]
    assert recording.messages[0]["attempt"] == 3
    with transaction(session_factory) as db:
        row = db.get(Notice, notice.id)
        assert row is not None
        assert (row.attempts, row.transport, row.last_error) == (3, "recording", None)
        assert row.sent_at == at(date(2026, 3, 3), 12)
        assert db.scalar(select(func.count()).select_from(Notice)) == 1  # sending never deletes


def test_deliver_pending_only_in_one_jurisdiction(session_factory: Any) -> None:
    sz = add(session_factory)
    jl = add(session_factory, jurisdiction="jilin")
    assert deliver(session_factory, Recording(), jurisdiction="jilin").sent == [jl.id]
    with transaction(session_factory) as db:
        assert [n.id for n in service.list_notices(db_session=db, pending=True)] == [sz.id]


def test_a_second_sender_skips_notices_being_sent(session_factory: Any, db_url: str) -> None:
    """PostgreSQL: rows claimed by one sender are skipped by another (FOR UPDATE SKIP LOCKED).
    SQLite has a single writer: a second sender waits for the first instead."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: a second sender waits for the first")
    notice = add(session_factory)
    inner = Recording()

    class Nested:
        name = "nested"

        def send(self, message: dict[str, Any]) -> None:
            inner_report = deliver(session_factory, inner)
            assert inner_report.sent == []

    assert deliver(session_factory, Nested()).sent == [notice.id]
    assert inner.messages == []


def test_console_transport_prints_one_line() -> None:
    stream = io.StringIO()
    transport = ConsoleTransport(stream)
    transport.send(
        {
            "id": 7,
            "kind": "objection.accepted",
            "recipient": "张三",
            "recipient_kind": "applicant",
            "due": {"date": "2027-03-05", "provisional": True},
            "content": CONTENT,
        }
    )
    assert stream.getvalue() == (
        "[通知 #7] objection.accepted → 张三 (applicant) 期限 2027-03-05（暂定）: 您的异议申请已受理。\n"
    )


def test_get_transport_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_OUTBOX", str(tmp_path / "box"))
    file = get_transport("file")
    assert isinstance(file, FileTransport) and file.directory == tmp_path / "box"
    assert isinstance(get_transport("console"), ConsoleTransport)
    with pytest.raises(ValueError, match="unknown transport"):
        get_transport("pigeon")


def test_list_filters_and_overdue(session_factory: Any) -> None:
    a = add(session_factory, case_ref="OBJ-1")
    b = add(session_factory, case_ref="OBJ-2", due=None)
    with transaction(session_factory) as db:
        assert [n.id for n in service.list_notices(db_session=db, case_ref="OBJ-2")] == [b.id]
        assert [n.id for n in service.list_notices(db_session=db, jurisdiction="jilin")] == []
        row = db.get(Notice, a.id)
        assert row is not None
        assert service.is_overdue(row, date(2026, 3, 4)) is False  # the due day itself is in time
        assert service.is_overdue(row, date(2026, 3, 5)) is True
    deliver(session_factory, Recording())
    with transaction(session_factory) as db:
        row = db.get(Notice, a.id)
        assert row is not None and service.is_overdue(row, date(2026, 3, 5)) is False  # sent


def test_stage_due_in_working_days_across_national_day() -> None:
    """Shenzhen 第三十七条: sharing units told within 3 working days. From 2026-09-30 the count skips
    the National Day holidays and lands on Saturday 2026-10-10, an adjusted working day (调休)."""
    calendar = WorkCalendar()
    stage = Stage.model_validate(
        {"within": {"value": 3, "unit": "working_day"}, "from": "decided", "cite": "深圳 第三十七条"}
    )
    assert service.stage_due(stage, calendar, date(2026, 9, 30)) == Deadline(date(2026, 10, 10), False)
    assert service.stage_due(stage, calendar, date(2027, 3, 2)) == Deadline(date(2027, 3, 5), True)
    same_day = Stage.model_validate({"within": "same_day", "from": "received", "cite": "x"})
    assert service.stage_due(same_day, calendar, date(2026, 3, 2)) == Deadline(date(2026, 3, 2), False)
    promptly = Stage.model_validate({"within": "promptly", "from": "received", "cite": "x"})
    assert service.stage_due(promptly, calendar, date(2026, 3, 2)) is None
    month = Stage.model_validate({"within": {"value": 1, "unit": "month"}, "from": "received", "cite": "x"})
    assert service.stage_due(month, calendar, date(2026, 1, 31)) == Deadline(date(2026, 2, 28), False)
    assert service.stage_due(None, calendar, date(2026, 3, 2)) is None


def test_units_that_received_a_record_are_each_notified_once(session_factory: Any) -> None:
    """R-PLT-05: every unit that received the record (shared or by authorized query) gets a notice."""
    jilin = profiles.get("jilin")
    with transaction(session_factory) as db:
        record, _ = records_service.submit(
            db_session=db, profile=jilin, now=T0, actor=provider(), values=penalty()
        )
        subject = db.get(Subject, record.subject_id)
        assert subject is not None
        auth = authorizations_service.grant(
            db_session=db,
            profile=jilin,
            now=T0,
            actor=subject_actor(subject.id),
            subject=subject,
            grantee="某某信用服务有限公司",
            purpose="融资授信审查",
            until=date(2026, 12, 31),
            items=None,
        )
    reads = [
        (government(), Channel.government, "行政许可审查", None),
        (agency(), Channel.authorized, None, auth),
        (government(), Channel.government, "再次审查", None),
        (government("吉林省财政厅"), Channel.government, "财政资金审查", None),
    ]
    for actor, channel, purpose, authorization in reads:
        with transaction(session_factory) as db:
            records_service.read_archive(
                db_session=db,
                profile=jilin,
                now=T0,
                actor=actor,
                subject=subject,
                channel=channel,
                purpose=purpose,
                authorization=authorization,
            )
    with transaction(session_factory) as db:
        notices = service.notify_receiving_units(
            db_session=db,
            now=at(date(2026, 3, 5)),
            jurisdiction="jilin",
            subject_id=subject.id,
            subject_identifier=subject.identifier,
            record_id=record.id,
            kind="record.corrected",
            case_ref="OBJ-9",
            content=CONTENT,
            due=(date(2026, 3, 6), False),
        )
        assert [(n.recipient, n.recipient_kind, n.due_on) for n in notices] == [
            ("长春市发展和改革委员会", "sharing_unit", date(2026, 3, 6)),
            ("某某信用服务有限公司", "sharing_unit", date(2026, 3, 6)),
            ("吉林省财政厅", "sharing_unit", date(2026, 3, 6)),
        ]
        assert (
            service.receiving_units(
                db_session=db,
                jurisdiction="jilin",
                subject_identifier=subject.identifier,
                record_id=record.id + 1,
            )
            == []
        )
