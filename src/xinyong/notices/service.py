"""Notice outbox use cases: enqueue (called by every feature that owes a notice), list, deliver.

A notice is persisted in the same transaction as the decision that causes it, so a decision and the
notice it owes are never separated. Delivery happens later through a pluggable transport; a sent
notice keeps its row (sent_at, transport, attempts), a failed delivery keeps its attempts and error.
Nothing here deletes a notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit.models import AuditEntry
from xinyong.authorizations.models import Authorization
from xinyong.calendar import service as calendar_service
from xinyong.core.periods import Unit, end_of
from xinyong.core.profile_base import DurationSpec
from xinyong.core.profile_rights import Stage
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.notices.models import Notice
from xinyong.notices.transports import Transport

RECIPIENT_KINDS = ("applicant", "provider", "sharing_unit", "subject", "implementing_unit")
RECEIVING_CHANNELS = ("government", "authorized")  # channels through which a unit received a record


def enqueue(
    *,
    db_session: Session,
    now: datetime,
    jurisdiction: str,
    recipient: str,
    recipient_kind: str,
    kind: str,
    subject_id: int | None,
    case_ref: str | None,
    content: dict[str, Any],
    due: DueRule | tuple[date, bool] | None,
) -> Notice:
    """Store a notice owed to `recipient`; it is delivered later by `deliver_pending`.

    `recipient`: a unit's name, or for `applicant`/`subject` the person's identifier (that is how a
    subject finds its own notices). `content`: {"zh": ..., "en": ...}. `due`: the rule the due day is
    computed from when read (`DueRule`: start + period, e.g. 1 working day from the decision), or a
    fixed (date, provisional) where no count can change, or None where the text sets no time.
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware instant")
    if recipient_kind not in RECIPIENT_KINDS:
        raise ValueError(f"unknown recipient kind {recipient_kind!r}")  # a caller's bug, not a refusal
    notice = Notice(
        jurisdiction=jurisdiction,
        recipient=recipient,
        recipient_kind=recipient_kind,
        kind=kind,
        subject_id=subject_id,
        case_ref=case_ref,
        content=dict(content),
        due_on=due[0] if isinstance(due, tuple) else None,
        due_provisional=bool(due[1]) if isinstance(due, tuple) else False,
        due_from=due.start if isinstance(due, DueRule) else None,
        due_rule=due.to_json() if isinstance(due, DueRule) else None,
        created_at=now,
        sent_at=None,
        transport=None,
        attempts=0,
    )
    db_session.add(notice)
    db_session.flush()
    return notice


# --------------------------------------------------------------------------- reading


def list_notices(
    *,
    db_session: Session,
    jurisdiction: str | None = None,
    pending: bool = False,
    recipient: str | None = None,
    recipient_kinds: Sequence[str] | None = None,
    subject_id: int | None = None,
    case_ref: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Notice]:
    """Notices oldest first, filtered; `pending`: not sent yet."""
    stmt = select(Notice)
    if jurisdiction is not None:
        stmt = stmt.where(Notice.jurisdiction == jurisdiction)
    if pending:
        stmt = stmt.where(Notice.sent_at.is_(None))
    if recipient is not None:
        stmt = stmt.where(Notice.recipient == recipient)
    if recipient_kinds is not None:
        stmt = stmt.where(Notice.recipient_kind.in_(list(recipient_kinds)))
    if subject_id is not None:
        stmt = stmt.where(Notice.subject_id == subject_id)
    if case_ref is not None:
        stmt = stmt.where(Notice.case_ref == case_ref)
    stmt = stmt.order_by(Notice.created_at, Notice.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db_session.scalars(stmt))


def is_overdue(notice: Notice, today: date, calendar: WorkCalendar | None = None) -> bool:
    """Unsent after its due day (the end of the due day is still in time)."""
    if notice.sent_at is not None:
        return False
    due = due_of(notice, calendar)
    return due is not None and today > due.due


def message_of(notice: Notice, sent_at: datetime, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """What a transport carries: the stored notice with its due day computed now, plain JSON."""
    due = due_of(notice, calendar)
    return {
        "id": notice.id,
        "jurisdiction": notice.jurisdiction,
        "recipient": notice.recipient,
        "recipient_kind": notice.recipient_kind,
        "kind": notice.kind,
        "subject_id": notice.subject_id,
        "case_ref": notice.case_ref,
        "content": notice.content,
        "due": {"date": due.due.isoformat(), "provisional": due.provisional} if due else None,
        "created_at": notice.created_at.astimezone(UTC).isoformat(),
        "sent_at": sent_at.astimezone(UTC).isoformat(),
        "attempt": notice.attempts,
    }


# --------------------------------------------------------------------------- delivery


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # notice id -> error


def deliver_pending(
    *,
    db_session: Session,
    now: datetime,
    transport: Transport,
    jurisdiction: str | None = None,
    limit: int | None = None,
) -> DeliveryReport:
    """Send every unsent notice, oldest first. A failure is counted and kept for the next run.

    The notices are claimed before anything is sent: locked (FOR UPDATE SKIP LOCKED on PostgreSQL,
    so a second sender skips them) and their attempts counted in one write (on SQLite that write
    takes the single writer lock, so a second sender waits or fails). Two senders never send the
    same notice twice; a sender that dies after sending and before committing sends it again
    (at least once: each message carries the notice id).
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware instant")
    stmt = select(Notice).where(Notice.sent_at.is_(None))
    if jurisdiction is not None:
        stmt = stmt.where(Notice.jurisdiction == jurisdiction)
    stmt = stmt.order_by(Notice.created_at, Notice.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    claimed = list(db_session.scalars(stmt.with_for_update(skip_locked=True)).all())
    for notice in claimed:
        notice.attempts += 1
    db_session.flush()
    report = DeliveryReport()
    calendar = calendar_service.get_calendar(db_session=db_session) if claimed else None
    for notice in claimed:
        try:
            transport.send(message_of(notice, now, calendar))
        except Exception as exc:  # any transport failure is one failed attempt, never lost
            notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            report.failed[notice.id] = notice.last_error
        else:
            notice.sent_at = now
            notice.transport = transport.name
            notice.last_error = None
            report.sent.append(notice.id)
    db_session.flush()
    return report


# --------------------------------------------------------------------------- due dates, computed when read

Within = DurationSpec | Literal["immediately", "same_day"]


@dataclass(frozen=True)
class DueRule:
    """How a notice's due day is found: the earliest of `within` periods running from `start`, not
    counting `paused` days (Henan 第四十一条). Stored with the notice and computed when read, so a due
    day in a year the calendar does not know yet is provisional until that year is loaded, then exact
    (SCENARIOS.md "Dates and periods")."""

    start: date
    within: tuple[Within, ...]
    paused: tuple[tuple[date, date], ...] = ()
    extra_working_days: int = 0  # approved extensions (延期) added to the period

    @classmethod
    def of(
        cls,
        stages: Stage | Sequence[Stage | None] | None,
        start: date,
        paused: Sequence[tuple[date, date]] = (),
        extra_working_days: int = 0,
    ) -> DueRule | None:
        """The rule of one stage, or the earliest of several running from the same day; None where the
        text sets no day (`promptly`, `unspecified`)."""
        if stages is None:
            return None
        found = [stages] if isinstance(stages, Stage) else [s for s in stages if s is not None]
        within = tuple(
            s.within
            for s in found
            if isinstance(s.within, DurationSpec) or s.within in ("immediately", "same_day")
        )
        if not within:
            return None
        return cls(start, within, tuple(paused), extra_working_days)  # type: ignore[arg-type]

    def due(self, calendar: WorkCalendar) -> Deadline:
        paused = list(self.paused)
        dues = [_one(self.start, w, calendar, paused) for w in self.within]
        first = min(dues, key=lambda d: (d.due, d.provisional))
        if self.extra_working_days:
            more = calendar.add_working_days(first.due, self.extra_working_days, paused=paused)
            return Deadline(more.due, more.provisional or first.provisional)
        return first

    def to_json(self) -> dict[str, Any]:
        return {
            "within": [
                w if isinstance(w, str) else {"value": w.value, "unit": w.unit.value} for w in self.within
            ],
            "paused": [[a.isoformat(), b.isoformat()] for a, b in self.paused],
            "extra_working_days": self.extra_working_days,
        }

    @classmethod
    def from_json(cls, start: date, data: dict[str, Any]) -> DueRule:
        within: list[Within] = [
            w if isinstance(w, str) else DurationSpec.model_validate(w) for w in data.get("within", [])
        ]
        paused = tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in data.get("paused", []))
        return cls(start, tuple(within), paused, int(data.get("extra_working_days", 0)))


def _one(start: date, within: Within, calendar: WorkCalendar, paused: list[tuple[date, date]]) -> Deadline:
    if isinstance(within, str):
        return Deadline(start, False)  # immediately / same_day: the day itself
    if within.unit is Unit.working_day:
        return calendar.add_working_days(start, within.value, paused=paused)
    return Deadline(end_of(start, within.to_duration()), False)  # 民法典 第二百零一条、第二百零二条


def rule_of(notice: Notice) -> DueRule | None:
    if notice.due_rule is None or notice.due_from is None:
        return None
    return DueRule.from_json(notice.due_from, notice.due_rule)


def due_of(notice: Notice, calendar: WorkCalendar | None) -> Deadline | None:
    """The notice's due day as of now: from its rule with today's calendar, else the day the caller
    fixed, else None (the text sets no time). `calendar` is needed for a rule-based notice."""
    rule = rule_of(notice)
    if rule is not None:
        if calendar is None:
            raise ValueError(f"notice {notice.id} has a due rule: pass the calendar")
        return rule.due(calendar)
    return Deadline(notice.due_on, notice.due_provisional) if notice.due_on is not None else None


# --------------------------------------------------------------------------- helpers for the features


def stage_due(stage: Stage | None, calendar: WorkCalendar, start: date) -> Deadline | None:
    """The due date of a profile Stage running from `start` (None where the text sets no time).

    Working days: the end of the N-th working day strictly after `start`; other units: 民法典
    第二百零一条、第二百零二条; "immediately"/"same_day": `start` itself.
    """
    if stage is None:
        return None
    spec = stage.within
    if spec in ("immediately", "same_day"):
        return Deadline(start, False)  # the day itself: no count, nothing provisional
    if isinstance(spec, str):  # promptly / unspecified: no computable day
        return None
    if spec.unit is Unit.working_day:
        return calendar.add_working_days(start, spec.value)
    return Deadline(end_of(start, spec.to_duration()), False)


def receiving_units(
    *, db_session: Session, jurisdiction: str, subject_identifier: str, record_id: int
) -> list[str]:
    """Every unit that received the record through sharing or an authorized query (R-PLT-05).

    Read from the query log: a government unit by its organisation, an authorized querier by the
    grantee its authorization names. In first-received order, each once.
    """
    entries = db_session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.chain == jurisdiction,
            AuditEntry.subject_id == subject_identifier,
            AuditEntry.kind == "query",
            AuditEntry.channel.in_(RECEIVING_CHANNELS),
        )
        .order_by(AuditEntry.seq)
    )
    wanted = str(record_id)
    grantees: dict[str, str] = {}
    units: list[str] = []
    for entry in entries:
        if wanted not in (entry.record_ids or []):
            continue
        name = entry.actor_org or entry.actor
        if entry.authorization_id:
            if entry.authorization_id not in grantees:
                auth = db_session.get(Authorization, int(entry.authorization_id))
                grantees[entry.authorization_id] = auth.grantee if auth else name
            name = grantees[entry.authorization_id]
        if name not in units:
            units.append(name)
    return units


def notify_receiving_units(
    *,
    db_session: Session,
    now: datetime,
    jurisdiction: str,
    subject_id: int,
    subject_identifier: str,
    record_id: int,
    kind: str,
    case_ref: str | None,
    content: dict[str, Any],
    due: DueRule | tuple[date, bool] | None,
) -> list[Notice]:
    """One `sharing_unit` notice to each unit that received the record (marked, corrected, revoked …)."""
    return [
        enqueue(
            db_session=db_session,
            now=now,
            jurisdiction=jurisdiction,
            recipient=unit,
            recipient_kind="sharing_unit",
            kind=kind,
            subject_id=subject_id,
            case_ref=case_ref,
            content=content,
            due=due,
        )
        for unit in receiving_units(
            db_session=db_session,
            jurisdiction=jurisdiction,
            subject_identifier=subject_identifier,
            record_id=record_id,
        )
    ]
