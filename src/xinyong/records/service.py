"""Aggregation (归集), revocation and archive reads: the transactions around the pure rules.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`, flush but never commit:
the caller (API request, CLI command, scenario step) owns the transaction, so a record change and
its audit entry are saved together or not at all.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.authorizations.models import Authorization
from xinyong.calendar import service as calendar_service
from xinyong.catalog import service as catalog_service
from xinyong.catalog.standard import standard_catalog
from xinyong.core import identifiers
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.periods import Unit, end_of
from xinyong.core.profile import Profile
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.notices import service as notices_service
from xinyong.records import rules
from xinyong.records.ingest import RowError, SourceRow
from xinyong.records.models import Batch, Record, RecordEvent
from xinyong.records.validation import Submission, check_submission
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

CHUNK = 2000  # rows validated and inserted together in a batch
BULK_GC_FULL_THRESHOLD = 100  # during a batch, a full collection per 100 second-generation ones (default 10)


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
) -> BatchReport:
    """Validate and store a batch. Good rows are kept whatever happens to bad ones."""
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
    standard = standard_catalog()
    for chunk in _chunks(rows):
        good: list[tuple[int, Submission]] = []
        for item in chunk:
            report.total += 1
            if isinstance(item, RowError):
                report.rejected += 1
                report.errors.append(
                    _row_error(XinyongError(item.code, row=item.row, field=item.field, detail=item.detail))
                )
                continue
            try:
                values = _provider_for(actor, item.values)
                if provider and not values.get("provider"):
                    values["provider"] = provider
            except XinyongError as exc:
                exc.row = item.row
                report.rejected += 1
                report.errors.append(_row_error(exc))
                continue
            checked = check_submission(values, profile=profile, standard=standard, row=item.row)
            if isinstance(checked, list):
                report.rejected += 1
                report.errors.extend(_row_error(e) for e in checked)
            else:
                good.append((item.row, checked))
        _store(db_session, profile, now, actor, batch, versions, good, report)
        if progress is not None:
            progress(len(chunk))
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


def _chunks(rows: Iterable[SourceRow | RowError | Mapping[str, Any]]) -> Iterator[list[SourceRow | RowError]]:
    """The rows, numbered, CHUNK at a time, with CPython's full garbage collections spaced out.

    By default a full collection runs after every 10 second-generation ones and re-scans every
    long-lived object (ORM state, profiles, the batch's rows): a fifth of a bulk load's time
    (docs/PERFORMANCE.md). While a batch is read they run ten times less often, so garbage is still
    collected; the setting is restored when the batch ends, and a higher one set by the application
    is left alone.
    """
    numbered = _numbered(rows)
    young, middle, full = gc.get_threshold()
    spaced = full < BULK_GC_FULL_THRESHOLD
    if spaced:
        gc.set_threshold(young, middle, BULK_GC_FULL_THRESHOLD)
    try:
        while chunk := list(islice(numbered, CHUNK)):
            yield chunk
    finally:
        if spaced and gc.get_threshold() == (young, middle, BULK_GC_FULL_THRESHOLD):
            gc.set_threshold(young, middle, full)


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
    subject_ids, good = _subjects_for(db_session, now, good, report)
    existing = _record_ids(db_session, profile.id, {(s.provider, s.key) for _, s in good})
    info_class = {code: item.class_.value for code, item in profile.catalog.items.items()}
    to_insert: list[dict[str, Any]] = []
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
            {
                "jurisdiction": profile.id,
                "key": s.key,
                "item": s.item,
                "catalog_version": versions[s.item],
                "info_class": info_class[s.item],
                "subject_id": subject_ids[(s.subject_id_type, s.subject_identifier)],
                "provider": s.provider,
                "provider_code": s.provider_code,
                "source": s.source,
                "batch_id": batch.id,
                "submitted_at": now,
                "submitted_by": actor.username,
                "decided_on": s.decided_on,
                "effective_on": s.effective_on,
                "severity": s.severity,
                "procedure": s.procedure,
                "document": s.document,
                "valid_until": s.valid_until,
                "disclosure_until": s.disclosure_until,
                "consent": s.consent,
                "data": s.data,
            }
        )
    if to_insert:
        # A plain executemany (the driver's own bulk path) and the ids read back by key: faster on
        # both databases than INSERT ... RETURNING, which SQLAlchemy sends as huge multi-row VALUES
        # statements that PostgreSQL must parse and plan each time.
        db_session.execute(insert(Record.__table__), to_insert)
        inserted = _record_ids(db_session, profile.id, pending)
        for k, rows in pending.items():
            for row in rows:
                report.record_ids[row] = inserted[k]
    for _, s in good:
        if s.responsible:
            _link_responsible(db_session, now, subject_ids[(s.subject_id_type, s.subject_identifier)], s)


def _record_ids(
    db_session: Session, jurisdiction: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Stored record ids by (provider, key): one query per provider on the unique index."""
    by_provider: dict[str, list[str]] = defaultdict(list)
    for provider, key in keys:
        by_provider[provider].append(key)
    found: dict[tuple[str, str], int] = {}
    t = Record.__table__.c  # plain rows, no ORM loading: these run twice per chunk
    for provider, wanted in by_provider.items():
        for key, record_id in db_session.execute(
            select(t.key, t.id).where(
                t.jurisdiction == jurisdiction, t.provider == provider, t.key.in_(wanted)
            )
        ).all():
            found[(provider, key)] = record_id
    return found


def _subject_ids(
    db_session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str]]:
    """(id, kind) of registered subjects by (id_type, identifier): one query per id type."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for id_type, identifier in keys:
        by_type[id_type].append(identifier)
    found: dict[tuple[str, str], tuple[int, str]] = {}
    t = Subject.__table__.c
    for id_type, wanted in by_type.items():
        for identifier, subject_id, kind in db_session.execute(
            select(t.identifier, t.id, t.kind).where(t.id_type == id_type, t.identifier.in_(wanted))
        ).all():
            found[(id_type, identifier)] = (subject_id, kind)
    return found


def _subjects_for(
    db_session: Session, now: datetime, good: list[tuple[int, Submission]], report: BatchReport
) -> tuple[dict[tuple[str, str], int], list[tuple[int, Submission]]]:
    """Subject ids for a chunk (one query for the known, one bulk insert for the new), and the rows
    whose subject kind is the registered one; each other row is rejected under its own number."""
    wanted: dict[tuple[str, str], Submission] = {}
    for _, s in good:  # a new subject is registered with the kind of the first row naming it
        wanted.setdefault((s.subject_id_type, s.subject_identifier), s)
    found: dict[tuple[str, str], int] = {}
    kinds: dict[tuple[str, str], str] = {}
    for key, (sid, kind) in _subject_ids(db_session, wanted).items():
        found[key] = sid
        kinds[key] = kind
    new = []
    for key, s in wanted.items():
        if key in found:
            continue
        birth = (
            identifiers.birth_date(s.subject_identifier, s.subject_id_type)
            if s.subject_id_type in ("ric", "residence_permit")
            else None
        )
        new.append(
            {
                "kind": s.subject_kind,
                "id_type": key[0],
                "identifier": key[1],
                "name": s.subject_name,
                "birth_date": birth,
                "created_at": now,
            }
        )
    if new:
        db_session.execute(insert(Subject.__table__), new)  # executemany, ids read back (see _store)
        for key, (sid, kind) in _subject_ids(
            db_session, [(n["id_type"], n["identifier"]) for n in new]
        ).items():
            found[key] = sid
            kinds[key] = kind
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
) -> RecordEvent:
    """The decision behind a record was revoked, changed or voided (撤销、变更、确认无效).

    The record leaves every outside channel the moment this is recorded; the profile's deadline for
    the platform's action is kept on the event so a late action is visible.
    """
    record = get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    if actor.role is Role.provider and actor.organization != record.provider:
        raise XinyongError(
            "not_allowed", detail="only the provider that submitted a record reports its revocation"
        )
    actor.require(Role.provider, Role.operator)
    if any(e.kind == rules.REVOKED for e in events_of(db_session, [record.id])[record.id]):
        raise XinyongError("already_revoked", field="record", detail=str(record_id))
    event = RecordEvent(
        record_id=record.id,
        kind=rules.REVOKED,
        at=now,
        actor=actor.username,
        reason=reason,
        document=document,
        data={"effect": profile.revocation.effect},
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
        details={"document": document, "reason": reason, "cite": profile.revocation.cite},
    )
    _notify_revocation(db_session, profile, now, record)
    return event


def _notify_revocation(db_session: Session, profile: Profile, now: datetime, record: Record) -> None:
    """Tell every unit that received the record to stop using it (R-PLT-05, R-REV-04)."""
    stage = profile.notices.sharing_units_on_revocation if profile.notices else None
    due = (
        notices_service.stage_due(
            stage, calendar_service.get_calendar(db_session=db_session), local_date(now)
        )
        if stage is not None
        else None
    )
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
        due=(due.due, due.provisional) if due is not None else None,
    )


def revocation_due(profile: Profile, calendar: WorkCalendar, received_on: date) -> Deadline | None:
    """The platform's deadline to act on a revocation received on `received_on` (None: the text sets none).

    Computed when read, so a provisional date in a year without a loaded schedule becomes exact
    as soon as the operator loads that year.
    """
    spec = profile.revocation.platform_action
    if isinstance(spec, str):
        return None
    if spec.unit is Unit.working_day:
        return calendar.add_working_days(received_on, spec.value)
    return Deadline(end_of(received_on, spec.to_duration()), False)


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
    records, events = _records_with_events(db_session, subject.id, profile.id)
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
    for record in records:
        facts = facts_of(record, subject.kind, events[record.id])
        w = rules.window(facts, profile)  # once per record: visibility, state and display share it
        if rules.visible(
            facts, profile, viewer, at, today, owner_id=subject.id, authorization=auth_facts, w=w
        ):
            shown.append(
                RecordView(
                    record=record,
                    state=rules.status_name(facts, profile, at, today, w=w),
                    marks=rules.marks(facts, at, today),
                    window=w,
                    events=events[record.id],
                    due=_event_deadlines(db_session, profile, events[record.id], calendars),
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


@cache
def _archive_query() -> Select[tuple[Record, RecordEvent]]:
    """Built once: constructing the statement cost more than running it."""
    return (
        select(Record, RecordEvent)
        .outerjoin(RecordEvent, RecordEvent.record_id == Record.id)
        .where(Record.subject_id == bindparam("subject_id"), Record.jurisdiction == bindparam("jurisdiction"))
        .order_by(Record.id, RecordEvent.id)
    )


def _records_with_events(
    db_session: Session, subject_id: int, jurisdiction: str
) -> tuple[list[Record], dict[int, list[RecordEvent]]]:
    """A subject's records and their events in one round trip (a read is mostly this query)."""
    records: list[Record] = []
    events: dict[int, list[RecordEvent]] = {}
    params = {"subject_id": subject_id, "jurisdiction": jurisdiction}
    for record, event in db_session.execute(_archive_query(), params).all():
        if record.id not in events:
            records.append(record)
            events[record.id] = []
        if event is not None:
            events[record.id].append(event)
    return records, events


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
    return rules.status_name(facts, profile, now, local_date(now))
