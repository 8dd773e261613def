"""Revoked records as queue cases: the platform's action on a revocation, until its deadline passes.

The record leaves every channel the moment the revocation is recorded (records.service.revoke); what
stays open is the platform's obligation around it (Jiangsu 第六十五条, Shenzhen 第三十六条, Nanjing
第五十九条, Henan 第四十二条: act within the profile's time, notify the units that received it). A
revocation case is open while its deadline has not passed, and for as long as a notice owed for it
(case ref `REV-<record id>`) is unsent; it is overdue when the deadline has passed with notices
still unsent. Nothing is stored for the case itself: its due date is computed when read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.calendar import service as calendar_service
from xinyong.core import profile as profiles
from xinyong.core.clock import local_date, start_of_day
from xinyong.core.periods import Unit
from xinyong.notices.models import Notice
from xinyong.queues.types import CaseSummary
from xinyong.records import rules
from xinyong.records import service as records_service
from xinyong.records.models import Record, RecordEvent
from xinyong.subjects.models import Subject

PLATFORM = "platform"  # the handling unit for the platform's own tasks
REF_PREFIX = "REV-"
# calendar days that certainly cover one unit of each kind (a working day: holidays included)
_SPAN = {Unit.day: 1, Unit.month: 31, Unit.year: 366, Unit.working_day: 3}


def case_ref(record_id: int) -> str:
    return f"{REF_PREFIX}{record_id}"


def open_cases(*, db_session: Session, jurisdiction: str, now: datetime) -> list[CaseSummary]:
    profile = profiles.get(jurisdiction)
    today = local_date(now)
    spec = profile.revocation.platform_action
    pending_ids = [
        int(ref.removeprefix(REF_PREFIX))
        for ref in db_session.scalars(
            select(Notice.case_ref)
            .where(
                Notice.jurisdiction == jurisdiction,
                Notice.sent_at.is_(None),
                Notice.case_ref.like(REF_PREFIX + "%"),
            )
            .distinct()
        )
        if ref and ref.removeprefix(REF_PREFIX).isascii() and ref.removeprefix(REF_PREFIX).isdigit()
    ]
    recent = None
    if not isinstance(spec, str):  # a deadline the text sets: cases received since could still be open
        span = spec.value * _SPAN[spec.unit] + 31
        recent = RecordEvent.at >= start_of_day(today - timedelta(days=span))
    clauses = [c for c in (recent, Record.id.in_(pending_ids) if pending_ids else None) if c is not None]
    if not clauses:
        return []
    rows = db_session.execute(
        select(RecordEvent, Record, Subject.identifier)
        .join(Record, Record.id == RecordEvent.record_id)
        .join(Subject, Subject.id == Record.subject_id)
        .where(RecordEvent.kind == rules.REVOKED, Record.jurisdiction == jurisdiction, or_(*clauses))
        .order_by(RecordEvent.id)
    ).all()
    if not rows:
        return []
    calendar = calendar_service.get_calendar(db_session=db_session)
    pending = set(pending_ids)
    out: list[CaseSummary] = []
    for event, record, identifier in rows:
        due = records_service.revocation_due(profile, calendar, local_date(event.at))
        waiting = record.id in pending
        within = due is not None and today <= due.due
        if not (waiting or within):
            continue
        out.append(
            CaseSummary(
                ref=case_ref(record.id),
                kind="revocation",
                jurisdiction=jurisdiction,
                subject=identifier,
                handling_unit=PLATFORM,
                stage="notify_receiving_units" if waiting and not within else "platform_action",
                due=(due.due, due.provisional) if due is not None else None,
                overdue=due is not None and today > due.due and waiting,
                opened_at=event.at,
            )
        )
    return out
