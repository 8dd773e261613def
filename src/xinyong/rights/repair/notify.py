"""Who is told when a record changes, and the notice itself (through the shared outbox).

Sharing units (共享单位) are the units that received the record: every government-channel look-up
that returned it is in the query log, so the log names them. Notices go through
xinyong.notices.service.enqueue in the caller's transaction, so a decision and the notices it owes
are saved together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.notices import service as notices
from xinyong.notices.service import DueRule


def sharing_units(
    *,
    db_session: Session,
    jurisdiction: str,
    subject_identifier: str,
    record_id: int,
    channels: tuple[str, ...] = ("government",),
) -> list[str]:
    """Units that received the record through sharing (政务共享 / 依职权查询), from the query log;
    with `channels=("government", "authorized")` also the agencies that collected it (Jiangsu 第六十七条)."""
    wanted = str(record_id)
    units = {
        entry.actor_org or entry.actor
        for entry in audit.queries_of_subject(
            db_session=db_session, chain=jurisdiction, subject_id=subject_identifier
        )
        if entry.channel in channels and wanted in (entry.record_ids or [])
    }
    return sorted(units)


def day_starts(day: date) -> dict[str, date | None]:
    """Every stage start a notice can run from, for a change made on `day` (received, decided, marked)."""
    names = ("received", "accepted", "decided", "decision_received", "checked", "disclosure_ended")
    return dict.fromkeys(names, day)


def send(
    *,
    db_session: Session,
    now: datetime,
    jurisdiction: str,
    recipients: list[str],
    recipient_kind: str,
    kind: str,
    subject_id: int,
    case_ref: str,
    zh: str,
    en: str,
    due: DueRule | tuple[date, bool] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    for recipient in dict.fromkeys(recipients):  # once each, in order
        notices.enqueue(
            db_session=db_session,
            now=now,
            jurisdiction=jurisdiction,
            recipient=recipient,
            recipient_kind=recipient_kind,
            kind=kind,
            subject_id=subject_id,
            case_ref=case_ref,
            content={"zh": zh, "en": en, **(extra or {})},
            due=due,
        )
