"""The automatic check (自动比对、自动拦截): one subject, many subjects streamed, feedback, statistics.

Functions take keyword-only `db_session`, `profile`, `now`, `actor` and flush but never commit; the
batch calls `on_chunk` (the caller's commit) every COMMIT_EVERY subjects so a long stream holds no long
transaction. Every check is a government look-up and goes to the query log with the records that
triggered a measure (SCENARIOS.md: time, querier, channel, purpose, subject, records returned).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.checks import reads, rules
from xinyong.checks.models import Check, CheckBatch, CheckFeedback
from xinyong.checks.standing import CHUNK, Verdicts, standings
from xinyong.core import identifiers
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date, start_of_day
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.measures import loader
from xinyong.measures.schema import MATTERS
from xinyong.subjects.models import Subject
from xinyong.users.models import Organization

BATCH_MAX = 100_000  # subjects per batch call
# a batch commits (and only then sends the lines) every COMMIT_EVERY subjects: fewer, larger commits
# write each touched index page of the query log and the checks once instead of once per chunk
COMMIT_EVERY = 5 * CHUNK
ID_TYPES = reads.ID_TYPES  # `id_type IN (...) AND identifier = ?` uses the (id_type, identifier) index
CHANNEL = "government"  # a check is a look-up by a unit performing public duties (依职权查询)


# --------------------------------------------------------------------------- validation


def require_matter(matter: str) -> str:
    if matter not in MATTERS:
        raise XinyongError(
            "unknown_matter", field="matter", detail=f"{matter!r}; one of {', '.join(MATTERS)}"
        )
    return matter


def require_unit(db_session: Session, actor: Actor, unit: str | None) -> str:
    """The implementing unit: a government user checks in its own name; an operator names a known unit."""
    actor.require(Role.government, Role.operator)
    unit = (unit or "").strip() or (actor.organization if actor.role is Role.government else None)
    if not unit:
        raise XinyongError("unknown_unit", field="unit", detail="name the implementing unit (实施单位)")
    if actor.role is Role.government:
        if unit != actor.organization:
            raise XinyongError(
                "not_allowed", field="unit", detail=f"{actor.organization} checks in its own name"
            )
        return unit
    if db_session.execute(select(Organization.id).where(Organization.name == unit)).first() is None:
        raise XinyongError("unknown_unit", field="unit", detail=f"{unit!r} is not a registered unit")
    return unit


@dataclass(frozen=True, slots=True)
class SubjectRef:
    """The subject as a check reports it (read as a plain row, not an ORM object)."""

    id: int
    identifier: str
    name: str
    kind: str


def lookup_subject(db_session: Session, subject: str | int) -> SubjectRef:
    """A subject by its row id (an integer) or its identifier (统一社会信用代码, 公民身份号码 …)."""
    conn = db_session.connection()
    if isinstance(subject, int) and not isinstance(subject, bool):
        found = reads.subject_by_id(conn, subject)
    else:
        try:
            compact = identifiers.normalize(subject)
        except Exception as exc:  # stdnum's ValidationError family
            raise XinyongError("invalid_identifier", field="subject", detail=str(subject)) from exc
        found = reads.subject_by_identifier(conn, compact)
    if found is None:
        raise XinyongError("unknown_subject", field="subject", detail=str(subject))
    return SubjectRef(found.id, found.identifier, found.name, found.kind)


def resolve_subject(db_session: Session, subject: str | int) -> Subject:
    """The ORM `Subject` of `lookup_subject` (for callers that need the object)."""
    found = db_session.get(Subject, lookup_subject(db_session, subject).id)
    assert found is not None
    return found


# --------------------------------------------------------------------------- one check


@dataclass
class CheckResult:
    check_id: int
    subject: SubjectRef | Subject
    matter: str
    unit: str
    at: datetime
    outcome: rules.Outcome
    measures: loader.MeasureSet

    @property
    def restricted(self) -> bool:
        return self.outcome.restricted

    @property
    def incentive(self) -> bool:
        return self.outcome.incentive

    def as_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "subject": {
                "id": self.subject.id,
                "identifier": self.subject.identifier,
                "name": self.subject.name,
                "kind": self.subject.kind,
            },
            "matter": self.matter,
            "unit": self.unit,
            "at": self.at.isoformat(),
            "restricted": self.restricted,
            "incentive": self.incentive,
            "measures": [measure_dict(a) for a in self.outcome.measures],
            "guarded": [
                {"measure": g.code, "guard": g.guard, "cite": g.cite, "detail": g.detail}
                for g in self.outcome.guarded
            ],
            "lists": [
                {"id": i, "layer": layer, "version": v, "effective_from": eff.isoformat()}
                for i, layer, v, eff in self.measures.lists
            ],
        }


def measure_dict(a: rules.Applicable) -> dict[str, Any]:
    m = a.measure.measure
    return {
        "code": a.code,
        "name": m.name,
        "kind": m.kind,
        "layer": m.layer,
        "list": a.measure.list_id,
        "version": a.measure.version,
        "means": m.means,
        "implementing_units": list(m.implementing_units),
        "cite": m.cite,
        "also_cites": list(a.cites),
        "triggers": [t.as_dict() for t in a.triggers],
    }


def _stored(a: rules.Applicable) -> dict[str, Any]:
    return {"code": a.code, "kind": a.kind, "version": a.measure.version, "list": a.measure.list_id}


def _record_ids(outcome: rules.Outcome) -> list[str]:
    return [str(r) for r in sorted({r for a in outcome.measures for t in a.triggers for r in t.record_ids})]


@dataclass(frozen=True, slots=True)
class Pending:
    """A check evaluated but not yet stored: its `Check` row and its query-log entry."""

    jurisdiction: str
    subject: SubjectRef
    matter: str
    unit: str
    at: datetime
    actor: str
    outcome: rules.Outcome
    measures: loader.MeasureSet

    def row(self, batch_id: int | None = None) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "subject_id": self.subject.id,
            "matter": self.matter,
            "unit": self.unit,
            "at": self.at,
            "actor": self.actor,
            "batch_id": batch_id,
            "restricted": self.outcome.restricted,
            "incentive": self.outcome.incentive,
            "measures": [_stored(a) for a in self.outcome.measures],
        }

    def result(self, check_id: int) -> CheckResult:
        return CheckResult(
            check_id, self.subject, self.matter, self.unit, self.at, self.outcome, self.measures
        )


def evaluate_check(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: str | int,
    matter: str,
    unit: str | None = None,
) -> Pending:
    """The reads and the rules of `check`, without its writes (`store` does them)."""
    actor.require_jurisdiction(profile.id)
    require_matter(matter)
    unit = require_unit(db_session, actor, unit)
    found = lookup_subject(db_session, subject)
    day = local_date(now)
    measures = loader.measure_set(db_session=db_session, profile=profile, day=day)
    standing = standings(
        db_session, profile=profile, kinds={found.id: found.kind}, now=now, guards=measures.guards
    )
    outcome = rules.evaluate(standing[found.id], matter, measures, day)
    return Pending(profile.id, found, matter, unit, now, actor.username, outcome, measures)


def _insert_checks(db_session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` into checks; their ids in order. One statement on PostgreSQL (RETURNING in
    parameter order); on SQLite one executemany, then the ids are the last ones: the insert holds the
    database write lock, and SQLite gives each new row max(id) + 1."""
    if not rows:
        return []
    conn = db_session.connection()
    if conn.dialect.name != "sqlite" or len(rows) == 1:
        stmt = _INSERT_RETURNING if len(rows) == 1 else _INSERT_RETURNING_ORDERED
        return [r[0] for r in conn.execute(stmt, rows if len(rows) > 1 else rows[0])]
    conn.execute(_INSERT, rows)
    last = conn.execute(_MAX_ID).scalar_one()
    return list(range(last - len(rows) + 1, last + 1))


_CHECKS = Check.__table__
_INSERT = insert(_CHECKS)
_INSERT_RETURNING = insert(_CHECKS).returning(_CHECKS.c.id)
_INSERT_RETURNING_ORDERED = insert(_CHECKS).returning(_CHECKS.c.id, sort_by_parameter_order=True)
_MAX_ID = select(func.max(_CHECKS.c.id))


def store(db_session: Session, pending: Sequence[Pending]) -> list[int]:
    """Store checks and log their look-ups (one bulk append per chain, unit and purpose); their ids."""
    ids = _insert_checks(db_session, [p.row() for p in pending])
    groups: dict[tuple[str, datetime, str, str, str], list[tuple[str | None, Sequence[str]]]] = {}
    for p in pending:
        groups.setdefault((p.jurisdiction, p.at, p.actor, p.unit, p.matter), []).append(
            (p.subject.identifier, _record_ids(p.outcome))
        )
    for (chain, at, actor, unit, matter), entries in groups.items():
        _log(db_session, chain, at, actor, unit, matter, entries)
    return ids


def check(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: str | int,
    matter: str,
    unit: str | None = None,
) -> CheckResult:
    """Check one subject for one matter: the measures that apply, each with its basis and triggers.
    Stored and logged in the caller's transaction."""
    pending = evaluate_check(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        matter=matter,
        unit=unit,
    )
    (check_id,) = store(db_session, [pending])
    return pending.result(check_id)


# --------------------------------------------------------------------------- many checks


def _log(
    db_session: Session,
    chain: str,
    now: datetime,
    actor: str,
    unit: str,
    matter: str,
    entries: Sequence[tuple[str | None, Sequence[str]]],
) -> None:
    """One bulk append to the query log (one head lock) for look-ups by one unit for one purpose."""
    audit.log_queries(
        db_session=db_session,
        now=now,
        chain=chain,
        actor=actor,
        actor_org=unit,
        channel=CHANNEL,
        purpose=f"check:{matter}",
        entries=entries,
    )


def _resolve_many(db_session: Session, wanted: list[tuple[int, str | int]]) -> dict[int, Any]:
    """line number -> SubjectRef or an XinyongError, with at most two queries per chunk."""
    out: dict[int, Any] = {}
    by_identifier: dict[str, list[int]] = {}
    by_id: dict[int, list[int]] = {}
    for n, value in wanted:
        if isinstance(value, int) and not isinstance(value, bool):
            by_id.setdefault(value, []).append(n)
            continue
        try:
            by_identifier.setdefault(identifiers.normalize(value), []).append(n)
        except Exception:
            out[n] = XinyongError("invalid_identifier", field="subject", detail=str(value))
    conn = db_session.connection()
    if by_identifier:
        for row in reads.subjects_by_identifiers(conn, list(by_identifier)):
            ref = SubjectRef(row.id, row.identifier, row.name, row.kind)
            for n in by_identifier.get(row.identifier, ()):
                out.setdefault(n, ref)
    if by_id:
        for row in reads.subjects_by_ids(conn, list(by_id)):
            ref = SubjectRef(row.id, row.identifier, row.name, row.kind)
            for n in by_id.get(row.id, ()):
                out[n] = ref
    for n, value in wanted:
        out.setdefault(n, XinyongError("unknown_subject", field="subject", detail=str(value)))
    return out


def check_batch(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subjects: Sequence[str | int],
    matter: str,
    unit: str | None = None,
    on_chunk: Callable[[], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Check up to BATCH_MAX subjects for one matter; yields one line per subject, in order.

    Validation (matter, unit, size) happens before the first line. A subject that cannot be
    checked gets a line with its error; the others go on. Only subjects with a measure get a stored
    `Check` (their `check_id` is what feedback refers to); every subject checked is logged.
    """
    actor.require_jurisdiction(profile.id)
    require_matter(matter)
    unit = require_unit(db_session, actor, unit)
    if len(subjects) > BATCH_MAX:
        raise XinyongError("batch_too_large", field="subjects", detail=f"{len(subjects)} > {BATCH_MAX}")
    day = local_date(now)
    measures = loader.measure_set(db_session=db_session, profile=profile, day=day)
    batch = CheckBatch(
        jurisdiction=profile.id, matter=matter, unit=unit, at=now, actor=actor.username, total=0
    )
    db_session.add(batch)
    db_session.flush()
    return _stream(db_session, profile, now, actor, subjects, matter, unit, measures, batch.id, on_chunk)


def _line_measures(outcome: rules.Outcome) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "kind": a.kind,
            "version": a.measure.version,
            "cite": a.measure.measure.cite,
            "triggers": [t.as_dict() for t in a.triggers],
        }
        for a in outcome.measures
    ]


def _stream(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subjects: Sequence[str | int],
    matter: str,
    unit: str,
    measures: loader.MeasureSet,
    batch_id: int,
    on_chunk: Callable[[], None] | None,
) -> Iterator[dict[str, Any]]:
    day = local_date(now)
    counts: Counter[str] = Counter()
    held: list[dict[str, Any]] = []  # lines of checks not yet committed
    verdicts = Verdicts(profile, now)  # shared by the chunks: the same records' columns recur
    for start in range(0, len(subjects), CHUNK):
        wanted = list(enumerate(subjects[start : start + CHUNK], start=start + 1))
        resolved = _resolve_many(db_session, wanted)
        kinds = {v.id: v.kind for v in resolved.values() if isinstance(v, SubjectRef)}
        found = standings(
            db_session, profile=profile, kinds=kinds, now=now, guards=measures.guards, verdicts=verdicts
        )
        outcomes: dict[int, rules.Outcome] = {
            sid: rules.evaluate(found[sid], matter, measures, day) for sid in kinds
        }
        rows: list[dict[str, Any]] = []
        stored: list[int] = []
        entries: list[tuple[str | None, Sequence[str]]] = []
        logged: set[int] = set()
        for n, _ in wanted:
            hit = resolved[n]
            if isinstance(hit, SubjectRef) and hit.id not in logged:
                logged.add(hit.id)
                outcome = outcomes[hit.id]
                entries.append((hit.identifier, _record_ids(outcome)))
                if outcome.measures:
                    stored.append(hit.id)
                    rows.append(
                        {
                            "jurisdiction": profile.id,
                            "subject_id": hit.id,
                            "matter": matter,
                            "unit": unit,
                            "at": now,
                            "actor": actor.username,
                            "batch_id": batch_id,
                            "restricted": outcome.restricted,
                            "incentive": outcome.incentive,
                            "measures": [_stored(a) for a in outcome.measures],
                        }
                    )
        check_ids = dict(zip(stored, _insert_checks(db_session, rows), strict=True))
        if entries:
            _log(db_session, profile.id, now, actor.username, unit, matter, entries)
        for n, value in wanted:
            hit = resolved[n]
            counts["total"] += 1
            if isinstance(hit, XinyongError):
                counts["errors"] += 1
                held.append({"n": n, "subject": value, "error": hit.as_dict()})
                continue
            outcome = outcomes[hit.id]
            counts["restricted"] += outcome.restricted
            counts["incentive"] += outcome.incentive
            counts["with_measures"] += bool(outcome.measures)
            held.append(
                {
                    "n": n,
                    "subject": hit.identifier,
                    "check_id": check_ids.get(hit.id),
                    "restricted": outcome.restricted,
                    "incentive": outcome.incentive,
                    "measures": _line_measures(outcome),
                }
            )
        if len(held) < COMMIT_EVERY and start + CHUNK < len(subjects):
            continue
        db_session.execute(
            _UPDATE_BATCH,
            {
                "batch_id": batch_id,
                "total": counts["total"],
                "with_measures": counts["with_measures"],
                "restricted": counts["restricted"],
                "incentive": counts["incentive"],
                "errors": counts["errors"],
            },
        )
        if on_chunk is not None:
            on_chunk()
        yield from held
        held = []


_BATCHES = CheckBatch.__table__
_UPDATE_BATCH = (
    update(_BATCHES)
    .where(_BATCHES.c.id == bindparam("batch_id"))
    .values(
        total=bindparam("total"),
        with_measures=bindparam("with_measures"),
        restricted=bindparam("restricted"),
        incentive=bindparam("incentive"),
        errors=bindparam("errors"),
    )
)


def read_subjects(lines: Iterable[str]) -> list[str | int]:
    """Subjects of a batch file: one identifier per line (blank lines and `#` comments skipped)."""
    out: list[str | int] = []
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            out.append(text)
    return out


# --------------------------------------------------------------------------- feedback


def get_or_raise(*, db_session: Session, check_id: int, jurisdiction: str) -> Check:
    row = db_session.get(Check, check_id)
    if row is None or row.jurisdiction != jurisdiction:
        raise XinyongError("unknown_check", field="check", detail=str(check_id))
    return row


def feedback(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    check_id: int,
    measure: str,
    applied: bool,
    reason: str | None = None,
) -> CheckFeedback:
    """The unit says whether it applied a measure the check returned (自动反馈); a measure not applied
    needs a written reason where the file says so (Nanjing 第三十四条第一款)."""
    actor.require(Role.government, Role.operator)
    actor.require_jurisdiction(profile.id)
    row = get_or_raise(db_session=db_session, check_id=check_id, jurisdiction=profile.id)
    if actor.role is Role.government and actor.organization != row.unit:
        raise XinyongError("not_allowed", detail=f"check {check_id} was made by {row.unit}")
    if measure not in {m["code"] for m in row.measures}:
        raise XinyongError(
            "unknown_measure", field="measure", detail=f"{measure!r} was not returned by check {check_id}"
        )
    guards = loader.base(profile.id).guards
    assert guards is not None
    reason = (reason or "").strip() or None
    rule = guards.reason_required_when_not_applied
    if not applied and reason is None and rule is not None:
        raise XinyongError("reason_required", field="reason", cite=rule.cite)
    if db_session.execute(
        select(CheckFeedback.id).where(CheckFeedback.check_id == check_id, CheckFeedback.measure == measure)
    ).first():
        raise XinyongError("not_eligible", field="measure", detail=f"feedback on {measure} already given")
    entry = CheckFeedback(
        check_id=check_id,
        jurisdiction=profile.id,
        measure=measure,
        applied=applied,
        reason=reason,
        unit=row.unit,
        at=now,
        actor=actor.username,
    )
    db_session.add(entry)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="check.feedback",
        details={"check": check_id, "measure": measure, "applied": applied, "reason": reason},
    )
    return entry


# --------------------------------------------------------------------------- statistics


def statistics(*, db_session: Session, profile: Profile, start: date, end: date) -> dict[str, Any]:
    """Per measure, for checks made from `start` to `end` (local days, inclusive): how often returned,
    applied, not applied (with the reasons), and still without feedback — the implementation report
    the credit authority publishes periodically (Nanjing 第三十四条第二款)."""
    if end < start:
        raise XinyongError("invalid_date", field="to", detail=f"{end} is before {start}")
    # clamp to days a timezone-aware instant can hold (year 1 and 9999 overflow once shifted to UTC)
    lo = start_of_day(max(start, date(1970, 1, 1)))
    hi = start_of_day(min(end, date(9998, 12, 30)) + timedelta(days=1))
    c = Check.__table__.c
    returned: Counter[str] = Counter()
    checks = 0
    for (measures,) in db_session.execute(
        select(c.measures).where(c.jurisdiction == profile.id, c.at >= lo, c.at < hi)
    ):
        checks += 1
        for m in measures or ():
            returned[m["code"]] += 1
    f = CheckFeedback.__table__.c
    applied: Counter[str] = Counter()
    not_applied: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = {}
    for code, was_applied, reason in db_session.execute(
        select(f.measure, f.applied, f.reason)
        .join(Check, Check.id == f.check_id)
        .where(c.jurisdiction == profile.id, c.at >= lo, c.at < hi)
    ):
        if was_applied:
            applied[code] += 1
        else:
            not_applied[code] += 1
            reasons.setdefault(code, Counter())[reason or ""] += 1
    subjects_checked = db_session.execute(
        select(func.coalesce(func.sum(CheckBatch.total), 0)).where(
            CheckBatch.jurisdiction == profile.id, CheckBatch.at >= lo, CheckBatch.at < hi
        )
    ).scalar_one()
    measures = loader.measure_set(db_session=db_session, profile=profile, day=end)
    guards = measures.guards
    rows = []
    for code in sorted(returned):
        listed = measures.get(code)
        rows.append(
            {
                "code": code,
                "name": listed.measure.name if listed else None,
                "kind": listed.measure.kind if listed else None,
                "cite": listed.measure.cite if listed else None,
                "returned": returned[code],
                "applied": applied[code],
                "not_applied": not_applied[code],
                "no_feedback": returned[code] - applied[code] - not_applied[code],
                "reasons": [{"reason": r, "count": n} for r, n in reasons.get(code, Counter()).most_common()],
            }
        )
    return {
        "jurisdiction": profile.id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "checks_stored": checks,
        "batch_subjects": int(subjects_checked),
        "measures": rows,
        "cite": guards.publish_statistics.cite if guards.publish_statistics else None,
    }
