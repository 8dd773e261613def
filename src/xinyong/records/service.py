"""Aggregation (归集), revocation and archive reads: the transactions around the pure rules.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`, flush but never commit:
the caller (API request, CLI command, scenario step) owns the transaction, so a record change and
its audit entry are saved together or not at all.
"""

from __future__ import annotations

import dataclasses
import gc
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from itertools import islice
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Date, Dialect, select
from sqlalchemy.orm import Session, configure_mappers
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.base import manager_of_class

from xinyong.audit import service as audit
from xinyong.authorizations.models import Authorization
from xinyong.calendar import service as calendar_service
from xinyong.catalog import service as catalog_service
from xinyong.catalog.standard import standard_catalog
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.periods import Unit, end_of
from xinyong.core.profile import DurationSpec, Profile
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.notices import service as notices_service
from xinyong.records import rules, submission_notices
from xinyong.records.ingest import RowError, SourceRow
from xinyong.records.models import Batch, Record, RecordEvent
from xinyong.records.pipeline import PIPELINE_MIN_ROWS, checked_chunks, worker_enabled
from xinyong.records.validation import Submission, check_birth_date, check_submission
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

CHUNK = 2000  # rows validated and inserted together in a batch
BULK_GC_FULL_THRESHOLD = 100  # during a batch, a full collection per 100 second-generation ones (default 10)
BULK_GC_YOUNG_THRESHOLD = 50_000  # during a batch, a young collection per 50,000 allocations (default 700)


# --------------------------------------------------------------------------- submission


@dataclass
class BatchReport:
    batch_id: int
    total: int = 0
    accepted: int = 0
    duplicates: int = 0  # resubmitted record ids: accepted again, stored once
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # one per problem: row, field, code, messages
    record_ids: dict[int, int] = field(default_factory=dict)  # row -> record id (accepted and duplicates)


def _provider_for(actor: Actor, values: Mapping[str, Any]) -> dict[str, Any]:
    """A provider unit submits in its own name; operators and the scenario runner may name the provider."""
    out = dict(values)
    if actor.role is Role.provider:
        named = out.get("provider")
        if named and named != actor.organization:
            raise XinyongError(
                "not_allowed", field="provider", detail=f"{actor.organization} cannot submit as {named}"
            )
        out["provider"] = actor.organization
    elif actor.role is not Role.operator:
        raise XinyongError("not_allowed", detail="only provider units and operators submit records")
    return out


def submit(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, values: Mapping[str, Any]
) -> tuple[Record, bool]:
    """Accept one record or raise the first error. Returns (record, created); resubmission is idempotent."""
    report = submit_batch(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        rows=[SourceRow(row=1, values=dict(values))],
        name=None,
    )
    if report.errors:
        first = report.errors[0]
        raise XinyongError(
            first["code"],
            field=first.get("field"),
            detail=first.get("detail"),
            cite=first.get("cite"),
            extra={"errors": report.errors},
        )
    record = db_session.get(Record, report.record_ids[1])
    assert record is not None
    return record, report.duplicates == 0


def submit_batch(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    rows: Iterable[SourceRow | RowError | Mapping[str, Any]],
    name: str | None,
    provider: str | None = None,
    progress: Any = None,
    pipelined: bool | None = None,
) -> BatchReport:
    """Validate and store a batch. Good rows are kept whatever happens to bad ones.

    `pipelined`: check the rows in a worker process, a chunk ahead of the storing (records/pipeline.py);
    by default for a list of at least PIPELINE_MIN_ROWS rows where the operator turned the worker on
    (XINYONG_INGEST_WORKER).
    """
    if pipelined is None:
        pipelined = worker_enabled() and isinstance(rows, Sized) and len(rows) >= PIPELINE_MIN_ROWS
    actor.require(Role.provider, Role.operator)
    batch = Batch(
        jurisdiction=profile.id,
        provider=provider or actor.name,
        name=name,
        submitted_at=now,
        submitted_by=actor.username,
        errors=[],
    )
    db_session.add(batch)
    db_session.flush()
    report = BatchReport(batch_id=batch.id)
    versions = catalog_service.sync(db_session=db_session, profile=profile, now=now, actor=actor.username)
    chunks = checked_chunks(_chunks(rows), actor=actor, provider=provider, profile=profile, remote=pipelined)
    for chunk, outcomes in chunks:
        good: list[tuple[int, Submission]] = []
        checked = iter(outcomes)  # one per SourceRow, in order
        for item in chunk:
            report.total += 1
            if isinstance(item, RowError):
                report.rejected += 1
                report.errors.append(
                    _row_error(XinyongError(item.code, row=item.row, field=item.field, detail=item.detail))
                )
                continue
            outcome = next(checked)
            if isinstance(outcome, list):
                report.rejected += 1
                report.errors.extend(outcome)
            else:
                good.append((item.row, outcome))
        _store(db_session, profile, now, actor, batch, versions, good, report)
        if progress is not None:
            progress(len(chunk))
    if profile.reorganization is not None:
        _mark_late_pre_plan_records(db_session, profile, now, actor, batch.id)
    if profile.intake.submission_notice is not None:
        submission_notices.notify_subjects(db_session=db_session, profile=profile, now=now, batch_id=batch.id)
    batch.total, batch.accepted, batch.duplicates, batch.rejected = (
        report.total,
        report.accepted,
        report.duplicates,
        report.rejected,
    )
    batch.errors = report.errors
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="batch.submitted",
        details={
            "batch": batch.id,
            "name": name,
            "total": report.total,
            "accepted": report.accepted,
            "duplicates": report.duplicates,
            "rejected": report.rejected,
        },
    )
    db_session.flush()
    return report


def _check_rows(
    rows: Sequence[tuple[int, Mapping[str, Any]]], actor: Actor, provider: str | None, profile: Profile
) -> list[Submission | list[dict[str, Any]]]:
    """Each (row, values) checked: its submission, or its errors as reported. Pure; it also runs in
    the pipeline's worker process."""
    standard = standard_catalog()
    out: list[Submission | list[dict[str, Any]]] = []
    for row, raw in rows:
        try:
            values = _provider_for(actor, raw)
            if provider and not values.get("provider"):
                values["provider"] = provider
        except XinyongError as exc:
            exc.row = row
            out.append([_row_error(exc)])
            continue
        checked = check_submission(values, profile=profile, standard=standard, row=row)
        out.append([_row_error(e) for e in checked] if isinstance(checked, list) else checked)
    return out


def _mark_late_pre_plan_records(
    db_session: Session, profile: Profile, now: datetime, actor: Actor, batch_id: int
) -> None:
    """A record decided before a court-approved plan but arriving while it is executed carries the
    plan's mark (Shenzhen 第六十九条, 第七十一条). One query finds the few subjects concerned."""
    from xinyong.rights.marks import service as marks_service  # marks builds on records
    from xinyong.rights.marks.models import MarkCase

    reorganizing = select(MarkCase.subject_id).where(
        MarkCase.jurisdiction == profile.id,
        MarkCase.kind == "reorganization",
        MarkCase.ended_at.is_(None),
        MarkCase.plan_on.is_not(None),
    )
    late = db_session.scalars(
        select(Record).where(Record.batch_id == batch_id, Record.subject_id.in_(reorganizing))
    ).all()
    for record in late:
        marks_service.mark_submitted_record(
            db_session=db_session, profile=profile, now=now, actor=actor, record=record
        )


def _chunks(rows: Iterable[SourceRow | RowError | Mapping[str, Any]]) -> Iterator[list[SourceRow | RowError]]:
    """The rows, numbered, CHUNK at a time, with CPython's cyclic garbage collector slowed down.

    By default a young collection runs every 700 allocations and a full one after every 10
    second-generation ones, re-scanning every long-lived object (ORM state, profiles, the batch's
    rows): a fifth of a bulk load's time (docs/PERFORMANCE.md). While a batch is read, young
    collections run every BULK_GC_YOUNG_THRESHOLD allocations (a row's temporaries are freed by
    reference counting long before) and full ones ten times less often, so cycles are still
    collected; the setting is restored when the batch ends, and a higher one set by the
    application is left alone.
    """
    numbered = _numbered(rows)
    before = gc.get_threshold()
    young, middle, full = before
    during = (max(young, BULK_GC_YOUNG_THRESHOLD), middle, max(full, BULK_GC_FULL_THRESHOLD))
    gc.set_threshold(*during)
    try:
        while chunk := list(islice(numbered, CHUNK)):
            yield chunk
    finally:
        if gc.get_threshold() == during:
            gc.set_threshold(*before)


def _numbered(rows: Iterable[SourceRow | RowError | Mapping[str, Any]]) -> Iterator[SourceRow | RowError]:
    for n, row in enumerate(rows, start=1):
        yield row if isinstance(row, SourceRow | RowError) else SourceRow(row=n, values=dict(row))


def _row_error(exc: XinyongError) -> dict[str, Any]:
    return exc.as_dict()


def _store(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    batch: Batch,
    versions: dict[str, int],
    good: list[tuple[int, Submission]],
    report: BatchReport,
) -> None:
    if not good:
        return
    bulk = _bulk(db_session)
    cursor = db_session.connection().connection.cursor()
    try:
        subject_ids, good = _subjects_for(cursor, bulk, now, good, report)
        existing = _record_ids(cursor, bulk, profile.id, {(s.provider, s.key) for _, s in good})
        info_class = {code: item.class_.value for code, item in profile.catalog.items.items()}
        record = bulk.records
        submitted_at = record.convert_one("submitted_at", now)  # the same for every row
        jurisdiction, batch_id, submitted_by = profile.id, batch.id, actor.username
        to_insert: list[list[Any]] = []
        pending: dict[tuple[str, str], list[int]] = {}
        for row, s in good:
            k = (s.provider, s.key)
            if k in existing:
                report.duplicates += 1
                report.record_ids[row] = existing[k]
                continue
            if k in pending:  # the same record twice in one batch
                report.duplicates += 1
                pending[k].append(row)
                continue
            pending[k] = [row]
            report.accepted += 1
            to_insert.append(
                [  # in _RECORD_INSERT order; the id is filled in below
                    None,
                    jurisdiction,
                    s.key,
                    s.item,
                    versions[s.item],
                    info_class[s.item],
                    subject_ids[(s.subject_id_type, s.subject_identifier)],
                    s.provider,
                    s.provider_code,
                    s.source,
                    batch_id,
                    submitted_at,
                    submitted_by,
                    s.decided_on,
                    s.effective_on,
                    s.severity,
                    s.procedure,
                    s.document,
                    s.valid_until,
                    s.disclosure_until,
                    s.consent,
                    s.data,
                ]
            )
        if to_insert:
            ids = bulk.new_ids(cursor, "records", len(to_insert))
            for values, record_id in zip(to_insert, ids, strict=True):
                values[0] = record_id
            record.insert(cursor, to_insert, skip={"submitted_at"})
            for rows, record_id in zip(pending.values(), ids, strict=True):
                for row in rows:
                    report.record_ids[row] = record_id
    finally:
        cursor.close()
    for _, s in good:
        if s.responsible:
            _link_responsible(db_session, now, subject_ids[(s.subject_id_type, s.subject_identifier)], s)


# The columns of the bulk inserts, in the order `_store` and `_subjects_for` build their rows.
_RECORD_INSERT = (
    "id",
    "jurisdiction",
    "key",
    "item",
    "catalog_version",
    "info_class",
    "subject_id",
    "provider",
    "provider_code",
    "source",
    "batch_id",
    "submitted_at",
    "submitted_by",
    "decided_on",
    "effective_on",
    "severity",
    "procedure",
    "document",
    "valid_until",
    "disclosure_until",
    "consent",
    "data",
)
_SUBJECT_INSERT = ("id", "kind", "id_type", "identifier", "name", "birth_date", "created_at")


class _Insert:
    """A bulk insert for one table and dialect through the driver's own bulk path: a plain
    `executemany` INSERT on SQLite (the raw database's path in the benchmark), COPY on PostgreSQL
    (psycopg's executemany sends and dumps every row as its own statement in Python, COPY streams
    the rows through its C dumpers, the same text each value gets as a parameter: about half the
    time per row). Values are converted by the columns' own bind processors (so they are stored
    exactly as SQLAlchemy would store them), without SQLAlchemy's per-row parameter handling, which
    cost more than the insert itself (docs/PERFORMANCE.md)."""

    def __init__(self, table: Any, columns: tuple[str, ...], dialect: Dialect) -> None:
        self.copy = (
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN" if dialect.name == "postgresql" else None
        )
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"
        )
        self._procs = {
            name: proc
            for name in columns
            if (proc := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        if dialect.name == "sqlite":  # SQLite stores a date as YYYY-MM-DD text: isoformat, in C
            for name in columns:
                if type(table.c[name].type) is Date:
                    self._procs[name] = date.isoformat
        self._index = {name: i for i, name in enumerate(columns)}

    def convert_one(self, column: str, value: Any) -> Any:
        proc = self._procs.get(column)
        return proc(value) if proc is not None and value is not None else value

    def insert(
        self, cursor: Any, rows: list[list[Any]], *, skip: frozenset[str] | set[str] = frozenset()
    ) -> None:
        """Insert `rows` (lists in column order, converted in place; `skip`: columns already converted)."""
        convert = [(self._index[n], proc) for n, proc in self._procs.items() if n not in skip]
        for values in rows:
            for i, proc in convert:
                if values[i] is not None:
                    values[i] = proc(values[i])
        if self.copy is None:
            cursor.executemany(self.sql, rows)
            return
        with cursor.copy(self.copy) as copy:
            for values in rows:
                copy.write_row(values)


class _Bulk:
    """The ingest's statements for one dialect, built once."""

    def __init__(self, dialect: Dialect) -> None:
        self.postgresql = dialect.name == "postgresql"
        self.mark = "%s" if self.postgresql else "?"
        self.records = _Insert(Record.__table__, _RECORD_INSERT, dialect)
        self.subjects = _Insert(Subject.__table__, _SUBJECT_INSERT, dialect)

    def new_ids(self, cursor: Any, table: str, n: int) -> list[int]:
        """`n` ids for new rows of `table` (whose `id` is its serial key), in insertion order.

        PostgreSQL: drawn from the table's own sequence, as a default would. SQLite: the next rowids
        after the highest, which is what SQLite itself assigns; the transaction holds SQLite's
        write lock (the batch row is written first), so no other writer can take them meanwhile.
        """
        if self.postgresql:
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", (n,)
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT max(id) FROM {table}")
        start = (cursor.fetchone()[0] or 0) + 1
        return list(range(start, start + n))

    def lookup(
        self,
        cursor: Any,
        select: str,
        table: str,
        where: str,
        column: str,
        params: list[Any],
        wanted: list[str],
    ) -> list[tuple[Any, ...]]:
        """Rows of `table` matching `where` (a prefix of a unique index, marks in the dialect's style)
        whose `column`, the index's last column, is one of `wanted`: `select` is the columns.

        SQLite: `column IN (...)`, which it probes on the index. PostgreSQL: one index probe per
        value, forced by a LATERAL join over the array of values, whatever the planner's statistics
        say: on a table not yet analysed it otherwise reads `IN` as a scan of the index prefix (a
        provider's every record) plus a filter, 20 ms per 500 keys at 50,000 rows and growing.
        """
        found: list[tuple[Any, ...]] = []
        for i in range(0, len(wanted), _IN_CHUNK):
            part = wanted[i : i + _IN_CHUNK]
            if self.postgresql:
                cursor.execute(
                    f"SELECT k.value, {select} FROM unnest(%s::text[]) AS k(value) CROSS JOIN LATERAL "
                    f"(SELECT {select} FROM {table} WHERE {where} AND {column} = k.value) t",
                    [part, *params],
                )
            else:
                marks = ", ".join("?" * len(part))
                cursor.execute(
                    f"SELECT {column}, {select} FROM {table} WHERE {where} AND {column} IN ({marks})",
                    [*params, *part],
                )
            found.extend(cursor.fetchall())
        return found


_BULK: WeakKeyDictionary[Dialect, _Bulk] = WeakKeyDictionary()  # per engine, built once
_IN_CHUNK = 500  # values per IN list (SQLite allows 32,766 parameters; plans stay small)


def _bulk(db_session: Session) -> _Bulk:
    if db_session.autoflush:
        db_session.flush()  # the batch row and anything pending go first
    dialect = db_session.get_bind().dialect
    bulk = _BULK.get(dialect)
    if bulk is None:
        bulk = _BULK[dialect] = _Bulk(dialect)
    return bulk


def _record_ids(
    cursor: Any, bulk: _Bulk, jurisdiction: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Stored record ids by (provider, key): per provider, `key IN (...)` on the unique index."""
    by_provider: dict[str, list[str]] = defaultdict(list)
    for provider, key in keys:
        by_provider[provider].append(key)
    found: dict[tuple[str, str], int] = {}
    m = bulk.mark
    where = f"jurisdiction = {m} AND provider = {m}"
    for provider, wanted in by_provider.items():
        for key, record_id in bulk.lookup(
            cursor, "id", "records", where, "key", [jurisdiction, provider], wanted
        ):
            found[(provider, key)] = record_id
    return found


def _subject_ids(
    cursor: Any, bulk: _Bulk, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str]]:
    """(id, kind) of registered subjects by (id_type, identifier): per id type, on the unique index."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for id_type, identifier in keys:
        by_type[id_type].append(identifier)
    found: dict[tuple[str, str], tuple[int, str]] = {}
    where = f"id_type = {bulk.mark}"
    for id_type, wanted in by_type.items():
        for identifier, subject_id, kind in bulk.lookup(
            cursor, "id, kind", "subjects", where, "identifier", [id_type], wanted
        ):
            found[(id_type, identifier)] = (subject_id, kind)
    return found


def _subjects_for(
    cursor: Any, bulk: _Bulk, now: datetime, good: list[tuple[int, Submission]], report: BatchReport
) -> tuple[dict[tuple[str, str], int], list[tuple[int, Submission]]]:
    """Subject ids for a chunk (one query for the known, one bulk insert for the new), and the rows
    whose subject kind is the registered one; each other row is rejected under its own number."""
    wanted: dict[tuple[str, str], Submission] = {}
    for _, s in good:  # a new subject is registered with the kind of the first row naming it
        wanted.setdefault((s.subject_id_type, s.subject_identifier), s)
    found: dict[tuple[str, str], int] = {}
    kinds: dict[tuple[str, str], str] = {}
    for key, (sid, kind) in _subject_ids(cursor, bulk, wanted).items():
        found[key] = sid
        kinds[key] = kind
    new: list[list[Any]] = []
    created_at = bulk.subjects.convert_one("created_at", now)  # the same for every row
    for key, s in wanted.items():
        if key in found:
            continue
        birth = (
            check_birth_date(s.subject_identifier, s.subject_id_type)
            if s.subject_id_type in ("ric", "residence_permit")
            else None
        )
        new.append([None, s.subject_kind, key[0], key[1], s.subject_name, birth, created_at])
    if new:
        for values, sid in zip(new, bulk.new_ids(cursor, "subjects", len(new)), strict=True):
            values[0] = sid
            key = (values[2], values[3])
            found[key] = sid
            kinds[key] = values[1]
        bulk.subjects.insert(cursor, new, skip={"created_at"})
    kept: list[tuple[int, Submission]] = []
    for row, s in good:  # a registered identifier keeps its kind
        key = (s.subject_id_type, s.subject_identifier)
        if kinds[key] == s.subject_kind:
            kept.append((row, s))
            continue
        report.rejected += 1
        report.errors.append(
            _row_error(
                XinyongError(
                    "subject_mismatch",
                    row=row,
                    field="subject_kind",
                    detail=f"{key[1]} is registered as {kinds[key]}",
                )
            )
        )
    return found, kept


def _link_responsible(db_session: Session, now: datetime, organization_id: int, s: Submission) -> None:
    organization = db_session.get(Subject, organization_id)
    assert organization is not None
    for person in s.responsible:
        subject = subjects_service.get_or_create(
            db_session=db_session,
            now=now,
            kind="natural_person",
            identifier=person["id"],
            name=person["name"],
            id_type=person["id_type"],
        )
        subjects_service.link_responsible(
            db_session=db_session, now=now, organization=organization, person=subject, role=person["role"]
        )


# --------------------------------------------------------------------------- state changes


def get_or_raise(*, db_session: Session, record_id: int, jurisdiction: str | None = None) -> Record:
    record = db_session.get(Record, record_id)
    if record is None or (jurisdiction is not None and record.jurisdiction != jurisdiction):
        raise XinyongError("unknown_record", detail=str(record_id), field="record")
    return record


def events_of(db_session: Session, record_ids: list[int]) -> dict[int, list[RecordEvent]]:
    out: dict[int, list[RecordEvent]] = {rid: [] for rid in record_ids}
    if not record_ids:
        return out
    for event in db_session.scalars(
        select(RecordEvent).where(RecordEvent.record_id.in_(record_ids)).order_by(RecordEvent.id)
    ):
        out[event.record_id].append(event)
    return out


def revoke(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    document: str | None = None,
    reason: str | None = None,
    document_effective_on: date | None = None,
) -> RecordEvent:
    """The decision behind a record was revoked, changed or voided (撤销、变更、确认无效).

    The record leaves every outside channel the moment this is recorded. `document_effective_on`, the
    day the revoking document took effect, starts the provider's own time to report where the profile
    counts one (Jiangsu 第六十五条: 5 working days); whether the report was late is computed when read
    (`provider_notices`), like the platform's deadline (`revocation_due`), so a calendar load
    corrects both.
    Where the profile names the revoking unit as a reporter (Nanjing 第五十九条 撤销单位), a unit other
    than the record's provider may report, naming its revoking document.
    """
    record = get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    reported_by = _revocation_reporter(profile, actor, record, document)
    if document_effective_on is not None and document_effective_on > local_date(now):
        raise XinyongError(
            "invalid_field",
            field="document_effective_on",
            detail=f"{document_effective_on} is after today: a revocation is reported once it took effect",
        )
    if any(e.kind == rules.REVOKED for e in events_of(db_session, [record.id])[record.id]):
        raise XinyongError("already_revoked", field="record", detail=str(record_id))
    event = RecordEvent(
        record_id=record.id,
        kind=rules.REVOKED,
        at=now,
        actor=actor.username,
        reason=reason,
        document=document,
        data={
            "effect": profile.revocation.effect,
            "reported_by": reported_by,
            "unit": actor.organization,
            "document_effective_on": document_effective_on.isoformat() if document_effective_on else None,
        },
    )
    db_session.add(event)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="record.revoked",
        subject_id=_identifier(db_session, record.subject_id),
        record_ids=[str(record.id)],
        details={
            "document": document,
            "reason": reason,
            "reported_by": reported_by,
            "document_effective_on": event.data["document_effective_on"],
            "cite": profile.revocation.cite,
        },
    )
    _notify_revocation(db_session, profile, now, record)
    return event


def _notify_revocation(db_session: Session, profile: Profile, now: datetime, record: Record) -> None:
    """Tell every unit that received the record to stop using it (R-PLT-05, R-REV-04)."""
    stage = profile.notices.sharing_units_on_revocation if profile.notices else None
    # the rule is stored, the day computed when read: exact once a provisional year is loaded
    due = notices_service.DueRule.of(stage, local_date(now))
    identifier = _identifier(db_session, record.subject_id) or ""
    notices_service.notify_receiving_units(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        subject_id=record.subject_id,
        subject_identifier=identifier,
        record_id=record.id,
        kind="record.revoked",
        case_ref=f"REV-{record.id}",
        content={
            "zh": f"信用信息（编号{record.id}，{record.item}）所依据的决定已被撤销、变更或确认无效，"
            "请停止使用。",
            "en": f"The decision behind record {record.id} ({record.item}) was revoked, changed or voided: "
            "stop using it.",
            "cite": stage.cite if stage is not None else profile.revocation.cite,
        },
        due=due,
    )


def _revocation_reporter(profile: Profile, actor: Actor, record: Record, document: str | None) -> str:
    """Who reports the revocation: the record's provider, an operator, or the revoking unit where the
    profile lets it (it must name the revoking document)."""
    if actor.role is Role.operator:
        return "operator"
    if actor.role is Role.provider and actor.organization == record.provider:
        return "provider"
    section = profile.revocation
    if "revoking_unit" in section.reporters and actor.role in (Role.provider, Role.government):
        if actor.organization is None:
            raise XinyongError("not_allowed", detail="a revoking unit reports in its own name")
        if not document:
            raise XinyongError(
                "invalid_field",
                field="document",
                detail="a revoking unit names the document that revoked the decision",
                cite=section.reporters_cite or section.cite,
            )
        return "revoking_unit"
    raise XinyongError(
        "not_allowed",
        detail="only the provider that submitted a record (or an operator) reports its revocation",
        cite=section.cite,
    )


def _within(spec: DurationSpec | str, calendar: WorkCalendar, start: date) -> Deadline | None:
    """A profile deadline counted from `start`: working days on the calendar, other units per the Civil
    Code; None where the text sets no number (`promptly`, `unspecified`)."""
    if isinstance(spec, str):
        return None
    if spec.unit is Unit.working_day:
        return calendar.add_working_days(start, spec.value)
    return Deadline(end_of(start, spec.to_duration()), False)


def provider_notice_due(profile: Profile, calendar: WorkCalendar, effective_on: date) -> Deadline | None:
    """The provider's deadline to report a revocation whose document took effect on `effective_on`."""
    return _within(profile.revocation.provider_notice, calendar, effective_on)


@dataclass(frozen=True, slots=True)
class ProviderNotice:
    """The provider's report of a revocation against its deadline (None: no deadline or no start day)."""

    due: Deadline
    late: bool  # reported after the end of the due day (Asia/Shanghai)


def provider_notices(
    db_session: Session, profile: Profile, events: Iterable[RecordEvent]
) -> dict[int, ProviderNotice]:
    """For each `revoked` event with a known document date, the provider's due date and lateness."""
    out: dict[int, ProviderNotice] = {}
    calendar: WorkCalendar | None = None
    for event in events:
        started = (event.data or {}).get("document_effective_on") if event.kind == rules.REVOKED else None
        if not started:
            continue
        calendar = calendar or calendar_service.get_calendar(db_session=db_session)
        due = provider_notice_due(profile, calendar, date.fromisoformat(started))
        if due is not None:
            out[event.id] = ProviderNotice(due, local_date(event.at) > due.due)
    return out


def revocation_due(profile: Profile, calendar: WorkCalendar, received_on: date) -> Deadline | None:
    """The platform's deadline to act on a revocation received on `received_on` (None: the text sets none).

    Computed when read, so a provisional date in a year without a loaded schedule becomes exact
    as soon as the operator loads that year.
    """
    return _within(profile.revocation.platform_action, calendar, received_on)


def _identifier(db_session: Session, subject_id: int) -> str | None:
    subject = db_session.get(Subject, subject_id)
    return subject.identifier if subject else None


# --------------------------------------------------------------------------- reading


def facts_of(record: Record, subject_kind: str, events: list[RecordEvent]) -> rules.RecordFacts:
    return rules.RecordFacts(
        id=record.id,
        item=record.item,
        subject_kind=subject_kind,
        provider=record.provider,
        decided_on=record.decided_on,
        submitted_on=local_date(record.submitted_at),
        effective_on=record.effective_on,
        severity=record.severity,
        valid_until=record.valid_until,
        disclosure_until=record.disclosure_until,
        events=_event_facts(events),
    )


def _event_facts(events: list[RecordEvent]) -> tuple[rules.EventFacts, ...]:
    """Events as the rules see them; an "X.end" event closes the open "X" mark of the same case."""
    ends: dict[tuple[str, object], datetime] = {}
    for e in events:
        if e.kind.endswith(rules.END_SUFFIX):
            ends.setdefault((e.kind.removesuffix(rules.END_SUFFIX), (e.data or {}).get("case")), e.at)
    return tuple(
        rules.EventFacts(
            kind=e.kind,
            at=e.at,
            effective_on=e.effective_on,
            ends_at=ends.get((e.kind, (e.data or {}).get("case"))),
        )
        for e in events
        if not e.kind.endswith(rules.END_SUFFIX)
    )


def authorization_facts(auth: Authorization) -> rules.AuthorizationFacts:
    return rules.AuthorizationFacts(
        subject_id=auth.subject_id,
        grantee=auth.grantee,
        items=tuple(auth.items) if auth.items is not None else None,
        valid_from=auth.valid_from,
        valid_until=auth.valid_until,
        revoked_at=auth.revoked_at,
    )


@dataclass
class RecordView:
    record: Record
    state: str
    marks: list[str]
    window: rules.Window
    events: list[RecordEvent]
    due: dict[int, Deadline] = field(default_factory=dict)  # event id -> the deadline it opened
    # event id -> the provider's own deadline to report a revocation (filled for provider/operator reads)
    provider_notice: dict[int, ProviderNotice] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        """The record's data as corrected; every earlier version stays in its `corrected` event."""
        changes = [e.data.get("changes", {}) for e in self.events if e.kind == rules.CORRECTED and e.data]
        return rules.current_data(self.record.data, changes) if changes else self.record.data


@dataclass
class ArchiveView:
    subject: Subject
    channel: rules.Channel
    as_of: datetime
    masked: bool
    records: list[RecordView]


def read_archive(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: Subject,
    channel: rules.Channel,
    purpose: str | None = None,
    authorization: Authorization | None = None,
    as_of: datetime | None = None,
) -> ArchiveView:
    """What `actor` sees of `subject` through `channel`; every non-public read is logged."""
    actor.require_channel(channel.value)
    if channel.value not in profile.disclosure.channels:
        raise XinyongError(
            "forbidden_channel",
            detail=f"{profile.id} has no {channel.value} channel",
            cite=profile.disclosure.channels_cite,
        )
    if as_of is not None and as_of != now:
        actor.require(Role.operator)  # reading the past or the future is an operator's oversight tool
    at = as_of or now
    today = local_date(at)
    viewer = _viewer(actor, channel, subject, authorization)
    auth_facts = authorization_facts(authorization) if authorization is not None else None
    if auth_facts is not None and not rules.authorization_in_force(auth_facts, at, today):
        # an expired or withdrawn authorization opens nothing; say so rather than show an empty archive
        raise XinyongError(
            "authorization_inactive",
            field="authorization",
            detail=f"valid {auth_facts.valid_from}–{auth_facts.valid_until}"
            + (", withdrawn" if auth_facts.revoked_at is not None else ""),
        )
    shown: list[RecordView] = []
    calendars: list[WorkCalendar] = []  # loaded once, only if an event needs it
    listed = _listed(db_session, profile, subject.id, at)
    # visibility, window and state in one pass (rules.assess), the profile's rules read once
    assess = rules.Assessor(profile, viewer, at, today, owner_id=subject.id, authorization=auth_facts)
    for facts, record, events in _archive(db_session, subject.id, subject.kind, profile.id, listed):
        seen = assess(facts)
        if seen is not None:
            shown.append(
                RecordView(
                    record=record(),
                    state=seen[1],
                    marks=rules.marks(facts, at, today) if events else [],
                    window=seen[0],
                    events=events,
                    due=_event_deadlines(db_session, profile, events, calendars) if events else {},
                )
            )
    if channel is not rules.Channel.public:
        audit.log_query(
            db_session=db_session,
            now=now,
            chain=profile.id,
            actor=actor.username,
            actor_org=actor.organization,
            channel=channel.value,
            purpose=purpose or (authorization.purpose if authorization else None),
            authorization_id=str(authorization.id) if authorization else None,
            subject_id=subject.identifier,
            record_ids=[str(v.record.id) for v in shown],
        )
    return ArchiveView(
        subject=subject,
        channel=channel,
        as_of=at,
        masked=rules.masked(subject.kind, profile, channel),
        records=shown,
    )


def _event_deadlines(
    db_session: Session, profile: Profile, events: list[RecordEvent], calendars: list[WorkCalendar]
) -> dict[int, Deadline]:
    out: dict[int, Deadline] = {}
    for event in events:
        if event.kind == rules.REVOKED:
            if not calendars:
                calendars.append(calendar_service.get_calendar(db_session=db_session))
            due = revocation_due(profile, calendars[0], local_date(event.at))
            if due is not None:
                out[event.id] = due
    return out


_RECORD_COLUMNS = tuple(Record.__table__.columns)
_EVENT_COLUMNS = tuple(RecordEvent.__table__.columns)
_RECORD_INDEX = {c.name: i for i, c in enumerate(_RECORD_COLUMNS)}
_ID, _ITEM, _PROVIDER, _SUBMITTED_AT, _SEVERITY = (
    _RECORD_INDEX[n] for n in ("id", "item", "provider", "submitted_at", "severity")
)
_DECIDED_ON, _EFFECTIVE_ON, _VALID_UNTIL, _DISCLOSURE_UNTIL, _DATA = (
    _RECORD_INDEX[n] for n in ("decided_on", "effective_on", "valid_until", "disclosure_until", "data")
)
_SUBMITTED_DAYS = 4096  # distinct submission instants whose local date is remembered (one per batch)


class _Builder:
    """ORM objects from plain rows: each column converted by its type's own result processor, as a
    session load does, without the session's per-query and per-object work.

    Objects come out detached (identity key set, nothing pending), as if loaded by a session since
    closed; records and events are never updated, so nothing can be stale.
    """

    def __init__(self, cls: type[Any], columns: tuple[Any, ...], dialect: Dialect) -> None:
        configure_mappers()  # instrumentation is complete only once the mappers are configured
        mapper = cls.__mapper__
        self._cls = cls
        self._new = manager_of_class(cls).new_instance
        self._keys = tuple(mapper.get_property_by_column(c).key for c in columns)
        self.convert = tuple(
            (i, proc)
            for i, c in enumerate(columns)
            if (proc := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        )

    def values(self, row: tuple[Any, ...]) -> list[Any]:
        values = list(row)
        for i, proc in self.convert:
            if values[i] is not None:
                values[i] = proc(values[i])
        return values

    def key(self, i: int) -> str:
        return self._keys[i]

    def build(self, values: list[Any]) -> Any:
        obj = self._new()
        obj.__dict__.update(zip(self._keys, values, strict=True))
        instance_state(obj).key = (self._cls, (values[0],), None)  # detached: as if loaded
        return obj


class _ArchiveSQL:
    """The archive statement for one dialect and the conversions of its columns."""

    def __init__(self, dialect: Dialect) -> None:
        mark = "%s" if dialect.name == "postgresql" else "?"
        columns = [f"r.{c.name}" for c in _RECORD_COLUMNS] + [f"e.{c.name}" for c in _EVENT_COLUMNS]
        self.text = (
            f"SELECT {', '.join(columns)} FROM records r LEFT JOIN record_events e ON e.record_id = r.id "
            f"WHERE r.subject_id = {mark} AND r.jurisdiction = {mark} ORDER BY r.id, e.id"
        )
        self.width = len(_RECORD_COLUMNS)
        self.record = _Builder(Record, _RECORD_COLUMNS, dialect)
        at = Record.__table__.c.submitted_at.type.dialect_impl(dialect).result_processor(dialect, None)
        assert at is not None  # UTCDateTime always makes the value aware
        self.to_instant: Callable[[Any], datetime] = at
        self.event = _Builder(RecordEvent, _EVENT_COLUMNS, dialect)
        # the columns the rules read, converted for every record; the rest only for records shown
        fact_columns = {_DECIDED_ON, _EFFECTIVE_ON, _VALID_UNTIL, _DISCLOSURE_UNTIL}
        self.fact_convert = tuple((i, proc) for i, proc in self.record.convert if i in fact_columns)
        json_sqlite = dialect.name == "sqlite" and getattr(dialect, "_json_deserializer", None) is None
        self.rest_convert = tuple(
            (i, self.record.key(i), _json_loads if json_sqlite and i == _DATA else proc)
            for i, proc in self.record.convert
            if i not in fact_columns and i != _SUBMITTED_AT
        )
        self._submitted: dict[Any, tuple[datetime, date]] = {}

    def submitted(self, stored: Any) -> tuple[datetime, date]:
        """A stored `submitted_at` as an instant and its local date, remembered: every row of a
        batch shares one instant."""
        found = self._submitted.get(stored)
        if found is None:
            if len(self._submitted) >= _SUBMITTED_DAYS:
                self._submitted.clear()
            instant = self.to_instant(stored)
            found = self._submitted[stored] = (instant, local_date(instant))
        return found


_ARCHIVE_SQL: WeakKeyDictionary[Dialect, _ArchiveSQL] = WeakKeyDictionary()  # per engine, built once


def _archive(
    db_session: Session,
    subject_id: int,
    subject_kind: str,
    jurisdiction: str,
    listed: tuple[tuple[str, date, date | None], ...] = (),
) -> Iterator[tuple[rules.RecordFacts, Callable[[], Record], list[RecordEvent]]]:
    """A subject's records and their events, read by one statement on the session's connection (a
    read is mostly this query): per record its facts (with the subject's `listed` spans), a maker
    of its `Record` and its events.

    Rows stay tuples; only the columns the rules read are converted for every record, and a
    `Record` is built only for a record that is shown. The ORM query this replaces spent most of
    a read's time on compiling, the identity map and object loading (docs/PERFORMANCE.md).
    """
    if db_session.autoflush:
        db_session.flush()  # as the ORM query did: pending changes are read too
    connection = db_session.connection()
    sql = _ARCHIVE_SQL.get(connection.dialect)
    if sql is None:
        sql = _ARCHIVE_SQL[connection.dialect] = _ArchiveSQL(connection.dialect)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql.text, (subject_id, jurisdiction))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    n = sql.width
    event = sql.event
    i, count = 0, len(rows)
    while i < count:  # one row per record, or one per event of it (ordered by record, then event)
        row = rows[i]
        i += 1
        events: list[RecordEvent] = []
        if row[n] is not None:
            events.append(event.build(event.values(row[n:])))
            while i < count and rows[i][0] == row[0]:
                events.append(event.build(event.values(rows[i][n:])))
                i += 1
        values = list(row[:n])
        for column, proc in sql.fact_convert:
            if values[column] is not None:
                values[column] = proc(values[column])
        values[_SUBMITTED_AT], submitted_on = sql.submitted(values[_SUBMITTED_AT])
        # RecordFacts(...) sets each field of the frozen dataclass through object.__setattr__, which
        # costs more than the rules that read them; filling its __dict__ makes the same object
        facts = _new_facts(rules.RecordFacts)
        facts.__dict__.update(
            id=values[_ID],
            item=values[_ITEM],
            subject_kind=subject_kind,
            provider=values[_PROVIDER],
            decided_on=values[_DECIDED_ON],
            submitted_on=submitted_on,
            effective_on=values[_EFFECTIVE_ON],
            severity=values[_SEVERITY],
            valid_until=values[_VALID_UNTIL],
            disclosure_until=values[_DISCLOSURE_UNTIL],
            events=_event_facts(events) if events else (),
            listed=listed,
        )
        yield facts, partial(_finish_record, sql, values), events


_new_facts = object.__new__


def _finish_record(sql: _ArchiveSQL, facts_values: list[Any]) -> Record:
    record: Record = sql.record.build(facts_values)
    columns = record.__dict__  # the row's other columns converted too, in the record (the list stays as read)
    for i, key, proc in sql.rest_convert:
        value = facts_values[i]
        if value is not None:
            columns[key] = proc(value)
    return record


def _json_loads(text: str) -> Any:
    """json.loads, SQLAlchemy's reader of a JSON column on SQLite, through orjson where that gives
    the same value: a record's data is read for every record shown. orjson reads an integer beyond
    64 bits as a float, so a value with any float in it is read again by json.loads, as is text
    orjson refuses (NaN, lone surrogates, ...)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    return json.loads(text) if _has_float(value) else value


def _has_float(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        values = value.values()
    elif kind is list:
        values = value
    else:
        return kind is float
    for v in values:
        k = type(v)
        if k is float or ((k is dict or k is list) and _has_float(v)):
            return True
    return False


def _viewer(
    actor: Actor, channel: rules.Channel, subject: Subject, authorization: Authorization | None
) -> rules.Viewer:
    match channel:
        case rules.Channel.self:
            if actor.role is Role.subject and actor.subject_id != subject.id:
                raise XinyongError("not_allowed", detail="a subject reads only its own archive")
            return rules.Viewer(channel, subject_id=subject.id)
        case rules.Channel.authorized:
            if authorization is None:
                raise XinyongError("missing_field", field="authorization")
            if actor.role is Role.agency and authorization.grantee != actor.organization:
                raise XinyongError("not_allowed", detail="the authorization names another grantee")
            return rules.Viewer(channel, name=authorization.grantee)
        case rules.Channel.provider:
            return rules.Viewer(channel, name=None if actor.role is Role.operator else actor.organization)
        case _:
            return rules.Viewer(channel, name=actor.organization)


def record_status(*, db_session: Session, profile: Profile, now: datetime, record: Record) -> str:
    subject = db_session.get(Subject, record.subject_id)
    assert subject is not None
    facts = facts_of(record, subject.kind, events_of(db_session, [record.id])[record.id])
    listed = _listed(db_session, profile, subject.id, now)
    if listed:
        facts = dataclasses.replace(facts, listed=listed)
    return rules.status_name(facts, profile, now, local_date(now))


def _listed(
    db_session: Session, profile: Profile, subject_id: int, now: datetime
) -> tuple[tuple[str, date, date | None], ...]:
    """The subject's spans on the lists that extend a disclosure period of this profile (none: no
    query at all — most profiles have no such period)."""
    lists = {p.extends_while_listed for p in profile.disclosure.periods.values() if p.extends_while_listed}
    if not lists:
        return ()
    from xinyong.lists.facts import listed_spans  # lists build on records

    return listed_spans(db_session, profile=profile, subject_id=subject_id, lists=lists, now=now)
