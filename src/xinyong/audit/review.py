"""The periodic check of the query log (查询检查): who queried how much, and what looks abnormal.

Shenzhen 第四十三条第四项、第五项: the credit agency checks that every query complied, reports the
results periodically, and periodically reviews the queries of financial institutions, credit service
agencies and social organisations. Nanjing 第五十二条第二项: query permissions and procedures, and
control of abnormal query traffic (查询流量异常管控). The profile's `[query_log.review]` says whether the
text requires the check; the thresholds are the operator's (no text sets a number), passed per run.

`summarize` is pure: non-public query rows in, one line per querier, channel and local day out, with
its flags. `review` reads the rows of a period from the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit.models import AuditEntry

VOLUME, BREADTH, OFF_HOURS = "volume", "breadth", "off_hours"
QUERIES_PER_DAY, SUBJECTS_PER_DAY = 500, 200  # the operator's defaults, not the law's


@dataclass(frozen=True, slots=True)
class Limits:
    """The operator's thresholds for one querier on one day (a unit's own query rules may be stricter)."""

    queries_per_day: int = QUERIES_PER_DAY  # 查询流量: look-ups by one querier in one day
    subjects_per_day: int = SUBJECTS_PER_DAY  # distinct subjects one querier looked at in one day
    working_hours: tuple[time, time] = (time(7, 0), time(22, 0))  # local; outside it a query is flagged


@dataclass(frozen=True, slots=True)
class QueryRow:
    at: datetime  # aware (UTC)
    actor: str
    unit: str | None
    channel: str
    subject: str | None


@dataclass
class QuerierDay:
    unit: str  # the querier's organisation, or the user where it has none
    channel: str
    day: date  # local
    queries: int = 0
    subjects: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    off_hours: int = 0
    flags: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The line as reported (CLI JSON, API): counts instead of the sets."""
        return {
            "unit": self.unit,
            "channel": self.channel,
            "day": self.day,
            "queries": self.queries,
            "subjects": len(self.subjects),
            "users": sorted(self.users),
            "off_hours": self.off_hours,
            "flags": list(self.flags),
        }


def summarize(rows: Iterable[QueryRow], limits: Limits, zone: ZoneInfo) -> list[QuerierDay]:
    """Per (unit, channel, local day): counts and flags, flagged lines first, then by day and unit."""
    start, end = limits.working_hours
    lines: dict[tuple[str, str, date], QuerierDay] = {}
    for row in rows:
        local = row.at.astimezone(zone)
        unit = row.unit or row.actor
        key = (unit, row.channel, local.date())
        line = lines.get(key)
        if line is None:
            line = lines[key] = QuerierDay(unit=unit, channel=row.channel, day=local.date())
        line.queries += 1
        line.users.add(row.actor)
        if row.subject is not None:
            line.subjects.add(row.subject)
        if not start <= local.time() < end:
            line.off_hours += 1
    for line in lines.values():
        if line.queries > limits.queries_per_day:
            line.flags.append(VOLUME)
        if len(line.subjects) > limits.subjects_per_day:
            line.flags.append(BREADTH)
        if line.off_hours:
            line.flags.append(OFF_HOURS)
    return sorted(lines.values(), key=lambda q: (not q.flags, q.day, q.unit, q.channel))


def review(
    *,
    db_session: Session,
    chain: str,
    zone: ZoneInfo,
    since: datetime,
    until: datetime,
    limits: Limits,
    channels: Iterable[str] | None = None,
) -> list[QuerierDay]:
    """The non-public queries logged in [since, until) on `chain`, summarized; `channels` narrows
    the review (e.g. `authorized` for the agencies and financial institutions of 第四十三条第五项)."""
    stmt = select(
        AuditEntry.at, AuditEntry.actor, AuditEntry.actor_org, AuditEntry.channel, AuditEntry.subject_id
    ).where(
        AuditEntry.chain == chain,
        AuditEntry.kind == "query",
        AuditEntry.channel.is_not(None),
        AuditEntry.channel != "public",
        AuditEntry.at >= since,
        AuditEntry.at < until,
    )
    if channels is not None:
        stmt = stmt.where(AuditEntry.channel.in_(list(channels)))
    rows = (
        QueryRow(at=at, actor=actor, unit=org, channel=channel, subject=subject)
        for at, actor, org, channel, subject in db_session.execute(stmt)
    )
    return summarize(rows, limits, zone)
