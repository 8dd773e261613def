"""Aggregation (归集), revocation and archive reads: the transactions around the pure rules.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`, flush but never commit:
the caller (API request, CLI command, scenario step) owns the transaction, so a record change and
its audit entry are saved together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import insert, select, tuple_
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
from xinyong.records import rules
from xinyong.records.ingest import RowError, SourceRow
from xinyong.records.models import Batch, Record, RecordEvent
from xinyong.records.validation import Submission, check_submission
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

CHUNK = 2000  # rows validated and inserted together in a batch


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
    numbered = _numbered(rows)
    while chunk := list(islice(numbered, CHUNK)):
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
    subject_ids = _subjects_for(db_session, now, [s for _, s in good], report, {r for r, _ in good})
    good = [(row, s) for row, s in good if (s.subject_id_type, s.subject_identifier) in subject_ids]
    keys = {(s.provider, s.key) for _, s in good}
    existing: dict[tuple[str, str], int] = {}
    if keys:
        for prov, key, record_id in db_session.execute(
            select(Record.provider, Record.key, Record.id).where(
                Record.jurisdiction == profile.id, tuple_(Record.provider, Record.key).in_(list(keys))
            )
        ):
            existing[(prov, key)] = record_id
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
                "info_class": profile.catalog.items[s.item].class_.value,
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
        inserted = db_session.execute(
            insert(Record).returning(Record.id, Record.provider, Record.key, sort_by_parameter_order=True),
            to_insert,
        ).all()
        for record_id, prov, key in inserted:
            for row in pending[(prov, key)]:
                report.record_ids[row] = record_id
    for _, s in good:
        if s.responsible:
            _link_responsible(db_session, now, subject_ids[(s.subject_id_type, s.subject_identifier)], s)


def _subjects_for(
    db_session: Session, now: datetime, subs: list[Submission], report: BatchReport, rows: set[int]
) -> dict[tuple[str, str], int]:
    """Subject ids for a chunk: one query for the known, one bulk insert for the new."""
    wanted = {(s.subject_id_type, s.subject_identifier): s for s in subs}
    found: dict[tuple[str, str], int] = {}
    kinds: dict[tuple[str, str], str] = {}
    for id_type, ident, sid, kind in db_session.execute(
        select(Subject.id_type, Subject.identifier, Subject.id, Subject.kind).where(
            tuple_(Subject.id_type, Subject.identifier).in_(list(wanted))
        )
    ):
        found[(id_type, ident)] = sid
        kinds[(id_type, ident)] = kind
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
        for sid, id_type, ident in db_session.execute(
            insert(Subject).returning(
                Subject.id, Subject.id_type, Subject.identifier, sort_by_parameter_order=True
            ),
            new,
        ).all():
            found[(id_type, ident)] = sid
            kinds[(id_type, ident)] = wanted[(id_type, ident)].subject_kind
    for s in subs:  # a registered identifier keeps its kind
        key = (s.subject_id_type, s.subject_identifier)
        if kinds.get(key) != s.subject_kind and key in found:
            found.pop(key)
            report.rejected += 1
            report.errors.append(
                _row_error(
                    XinyongError(
                        "subject_mismatch",
                        field="subject_kind",
                        detail=f"{key[1]} is registered as {kinds[key]}",
                    )
                )
            )
    return found


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
    return event


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
        events=tuple(rules.EventFacts(kind=e.kind, at=e.at, effective_on=e.effective_on) for e in events),
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
    if as_of is not None and as_of != now:
        actor.require(Role.operator)  # reading the past or the future is an operator's oversight tool
    at = as_of or now
    today = local_date(at)
    viewer = _viewer(actor, channel, subject, authorization)
    records = list(
        db_session.scalars(
            select(Record)
            .where(Record.subject_id == subject.id, Record.jurisdiction == profile.id)
            .order_by(Record.id)
        )
    )
    events = events_of(db_session, [r.id for r in records])
    auth_facts = authorization_facts(authorization) if authorization is not None else None
    shown: list[RecordView] = []
    calendars: list[WorkCalendar] = []  # loaded once, only if an event needs it
    for record in records:
        facts = facts_of(record, subject.kind, events[record.id])
        if rules.visible(facts, profile, viewer, at, today, owner_id=subject.id, authorization=auth_facts):
            shown.append(
                RecordView(
                    record=record,
                    state=rules.status_name(facts, profile, at, today),
                    marks=rules.marks(facts, at, today),
                    window=rules.window(facts, profile),
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
