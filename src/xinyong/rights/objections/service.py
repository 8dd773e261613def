"""Objection cases and record corrections: the transactions around the pure rules.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`, flush but never commit: the
caller (API request, CLI command, scenario step) owns the transaction, so a decision, the record
event it causes, its audit entry and the notices it owes are saved together or not at all.

Every change to a case bumps its version (optimistic locking): of two officers deciding the same
case at once, the second's write matches no row, or collides on the case's next event number, and
is refused with `conflict`. A caller that shows a case to an officer may pass back the `version` it
showed; a case changed since is refused the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.calendar import service as calendar_service
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.locking import check_version, flush_or_conflict
from xinyong.core.profile import Profile
from xinyong.core.profile_rights import Objection
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.notices import service as notices
from xinyong.notices.models import Notice
from xinyong.queues.types import CaseSummary
from xinyong.records import rules as record_rules
from xinyong.records import service as records_service
from xinyong.records.models import Record, RecordEvent
from xinyong.records.validation import canonical_data_key
from xinyong.rights.objections import rules
from xinyong.rights.objections.models import ObjectionCase, ObjectionEvent, WindowExtension
from xinyong.rights.objections.rules import Action, Outcome, State
from xinyong.subjects.models import ResponsiblePerson, Subject

PLATFORM = "platform"
PROVIDER = "provider"
AGENCY = "agency"  # a credit service agency (信用服务机构) that received the objection
REVIEW_BODY = "review"  # the body that decides a 复核 (an operator account acts for it)

# notice kinds, and the stages they fulfil
MARKED, DECIDED, REVIEWED = "objection.marked", "objection.decided", "objection.reviewed"
CORRECTION_KINDS = ("objection.corrected", "objection.deleted")


# --------------------------------------------------------------------------- helpers


def section_of(profile: Profile) -> Objection:
    if profile.objection is None:
        raise XinyongError("not_eligible", detail=f"{profile.id} has no objection rules yet")
    return profile.objection


def get_or_raise(*, db_session: Session, case_id: int, jurisdiction: str | None = None) -> ObjectionCase:
    case = db_session.get(ObjectionCase, case_id)
    if case is None or (jurisdiction is not None and case.jurisdiction != jurisdiction):
        raise XinyongError("unknown_case", detail=str(case_id), field="objection")
    return case


def _subject(db_session: Session, subject_id: int) -> Subject:
    subject = db_session.get(Subject, subject_id)
    if subject is None:
        raise XinyongError("unknown_subject", detail=str(subject_id))
    return subject


def _record_state(db_session: Session, profile: Profile, now: datetime, record: Record) -> str:
    subject = _subject(db_session, record.subject_id)
    facts = records_service.facts_of(
        record, subject.kind, records_service.events_of(db_session, [record.id])[record.id]
    )
    return record_rules.state(facts, profile, now, local_date(now)).value


def is_interested_party(db_session: Session, filer_id: int, subject_id: int, today: date) -> bool:
    """A 利害关系人 (Shenzhen 第三十七条): linked to the record's subject as one of its responsible
    persons (法定代表人, 实际控制人, 主要负责人, 直接责任人), or the organisation such a person is
    responsible for, the link in force today."""
    links = db_session.scalars(
        select(ResponsiblePerson).where(
            ((ResponsiblePerson.organization_id == subject_id) & (ResponsiblePerson.person_id == filer_id))
            | ((ResponsiblePerson.organization_id == filer_id) & (ResponsiblePerson.person_id == subject_id))
        )
    )
    return any(
        (link.since is None or link.since <= today) and (link.until is None or today <= link.until)
        for link in links
    )


def _event(
    db_session: Session,
    case: ObjectionCase,
    *,
    now: datetime,
    actor: Actor,
    kind: str,
    before: str | None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> ObjectionEvent:
    """The case's next event; the case row changes with it (its version is the lock)."""
    case.last_seq = (case.last_seq or 0) + 1
    event = ObjectionEvent(
        objection_id=case.id,
        seq=case.last_seq,
        kind=kind,
        at=now,
        actor=actor.username,
        role=actor.role.value,
        organization=actor.organization,
        state_before=before,
        state_after=case.state,
        reason=reason,
        data=data or {},
    )
    db_session.add(event)
    flush_or_conflict(db_session, "case")
    return event


def _record_event(
    db_session: Session,
    profile: Profile,
    record: Record,
    *,
    now: datetime,
    actor: Actor,
    kind: str,
    reason: str | None,
    data: dict[str, Any],
    cite: str | None,
) -> RecordEvent:
    """A record event and its audit entry, in the caller's transaction."""
    event = RecordEvent(
        record_id=record.id, kind=kind, at=now, actor=actor.username, reason=reason, data=data
    )
    db_session.add(event)
    flush_or_conflict(db_session, "case")
    subject = _subject(db_session, record.subject_id)
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"record.{kind}",
        subject_id=subject.identifier,
        record_ids=[str(record.id)],
        details={"reason": reason, "cite": cite, **{k: v for k, v in data.items() if k != "changes"}}
        | ({"changes": sorted(data["changes"])} if "changes" in data else {}),
    )
    return event


def _audit(
    db_session: Session,
    profile: Profile,
    case: ObjectionCase,
    *,
    now: datetime,
    actor: Actor,
    action: str,
    details: dict[str, Any],
) -> None:
    subject = _subject(db_session, case.subject_id)
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"objection.{action}",
        subject_id=subject.identifier,
        record_ids=[str(case.record_id)],
        details={"case": case.ref, "state": case.state, **details},
    )


def _calendar(db_session: Session) -> WorkCalendar:
    return calendar_service.get_calendar(db_session=db_session)


def _pair(deadline: Deadline | None) -> tuple[date, bool] | None:
    return (deadline.due, deadline.provisional) if deadline is not None else None


def _text(zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"zh": zh, "en": en, **extra}


# --------------------------------------------------------------------------- the case's timeline


def events_of(db_session: Session, case_id: int) -> list[ObjectionEvent]:
    return list(
        db_session.scalars(
            select(ObjectionEvent).where(ObjectionEvent.objection_id == case_id).order_by(ObjectionEvent.seq)
        )
    )


def facts_of(
    case: ObjectionCase,
    events: Sequence[ObjectionEvent],
    notes: Sequence[Notice] = (),
    section: Objection | None = None,
) -> rules.CaseFacts:
    pauses: list[tuple[date, date | None]] = []
    extensions: list[rules.Extension] = []
    for e in events:
        if e.kind == "paused":
            pauses.append((local_date(e.at), None))
        elif e.kind == "resumed" and pauses and pauses[-1][1] is None:
            pauses[-1] = (pauses[-1][0], local_date(e.at))
        elif e.kind == "extended":
            extensions.append(rules.Extension(int(e.data["working_days"]), tuple(e.data.get("stages", ()))))
    owed: set[str] = set()
    sent: dict[str, date] = {}
    unsent: set[str] = set()
    for n in notes:
        for stage in _stages_fulfilled(n):
            owed.add(stage)
            if n.sent_at is None:
                unsent.add(stage)
            else:
                day = local_date(n.sent_at)
                sent[stage] = max(sent.get(stage, day), day)
    return rules.CaseFacts(
        state=State(case.state),
        received_on=local_date(case.received_at),
        filed_with=case.filed_with,  # type: ignore[arg-type]
        forwarded_on=local_date(case.forwarded_at) if case.forwarded_at else None,
        decided_on=local_date(case.decided_at) if case.decided_at else None,
        review_requested_on=local_date(case.review_requested_at) if case.review_requested_at else None,
        reviewed_on=local_date(case.reviewed_at) if case.reviewed_at else None,
        pauses=tuple(pauses),
        extensions=tuple(extensions),
        # a stage is met when every notice it owes has gone out, on the day the last one went
        notified={stage: day for stage, day in sent.items() if stage not in unsent},
        notices_owed=frozenset(owed),
        changed_record=case.outcome in ("corrected", "deleted", "unverifiable"),
        untimed=case.filed_with == AGENCY
        and section is not None
        and section.agency_deadlines != "same_as_platform",
    )


def _stages_fulfilled(notice: Notice) -> tuple[str, ...]:
    """The stages a notice of this case fulfils once sent."""
    match (notice.recipient_kind, notice.kind):
        case ("applicant", "objection.accepted"):
            return ("inform_acceptance",)
        case ("applicant", "objection.decided"):
            return ("inform_applicant",)
        case ("sharing_unit", "objection.marked"):
            return rules.MARK_NOTICES
        case ("sharing_unit", kind) if kind in CORRECTION_KINDS:
            return rules.CORRECTION_NOTICES
    return ()


def _case_notices(db_session: Session, case: ObjectionCase) -> list[Notice]:
    return notices.list_notices(db_session=db_session, jurisdiction=case.jurisdiction, case_ref=case.ref)


@dataclass
class CaseView:
    case: ObjectionCase
    record: Record
    events: list[ObjectionEvent]
    stages: list[rules.StageView]
    waiting: rules.StageView | None  # what the case waits for now
    overdue: bool
    as_of: datetime

    @property
    def status(self) -> str:
        return self.case.state

    @property
    def handling_unit(self) -> str:
        return handling_unit(self.case, self.record)


def handling_unit(case: ObjectionCase, record: Record) -> str:
    match case.state:
        case State.forwarded:
            return record.provider
        case State.under_review:
            return REVIEW_BODY
        case _ if case.filed_with == AGENCY and case.received_by:
            return case.received_by  # the agency that received it does the platform's part
        case _:
            return PLATFORM


def view(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    case: ObjectionCase,
    calendar: WorkCalendar | None = None,
) -> CaseView:
    """The case with every stage's due date and overdue flag, computed now."""
    section = section_of(profile)
    calendar = calendar or _calendar(db_session)
    events = events_of(db_session, case.id)
    facts = facts_of(case, events, _case_notices(db_session, case), section)
    today = local_date(now)
    stages = rules.all_stages(section, facts, calendar, today, profile.notices)
    record = db_session.get(Record, case.record_id)
    assert record is not None
    return CaseView(
        case=case,
        record=record,
        events=events,
        stages=stages,
        waiting=rules.waiting(State(case.state), stages),
        overdue=any(s.overdue for s in stages if s.name not in rules.NOTICE_STAGES),
        as_of=now,
    )


def deadline(
    *, db_session: Session, profile: Profile, now: datetime, case: ObjectionCase, stage: str | None = None
) -> tuple[Deadline, str]:
    """(due date, stage name): of `stage`, or of what the case waits for now (the earliest open
    obligation; after forwarding the provider's reply, after a review request the review).

    `window` is the last day the application could have been filed.
    """
    section = section_of(profile)
    calendar = _calendar(db_session)
    if stage == rules.WINDOW:
        last = rules.window_last_day(section, _filing_of(db_session, case), calendar)
        if last is None:
            raise XinyongError(
                "not_eligible", field="stage", detail="the profile sets no filing window", cite=section.cite
            )
        return last, stage
    v = view(db_session=db_session, profile=profile, now=now, case=case, calendar=calendar)
    if stage is None:
        if v.waiting is None or v.waiting.due is None:
            if State(case.state) in rules.OPEN_STATES:  # e.g. 规定的时间内 / 及时: no day to compute
                raise XinyongError(
                    "not_eligible",
                    field="stage",
                    detail=f"the text sets no day for what {case.ref} waits for",
                    cite=section.cite,
                )
            raise XinyongError("case_closed", detail=f"{case.ref} waits for nothing ({case.state})")
        return v.waiting.due, v.waiting.name
    found = next((s for s in v.stages if s.name == stage), None)
    if found is None:
        names = ", ".join(s.name for s in v.stages)
        raise XinyongError(
            "not_eligible",
            field="stage",
            detail=f"{profile.id} has no stage {stage!r} (stages: {names}, window)",
        )
    if found.due is None:
        why = "has not started" if found.start is None else f"has no day in the text ({found.within})"
        raise XinyongError("wrong_stage", field="stage", detail=f"{stage} {why}")
    return found.due, stage


def _filing_of(db_session: Session, case: ObjectionCase) -> rules.Filing:
    record = db_session.get(Record, case.record_id)
    assert record is not None
    return rules.Filing(
        filer_is_subject=case.filer_kind == "subject",
        filer_is_interested=case.filer_kind == "interested_party",
        received_on=local_date(case.received_at),
        known_on=case.known_on,
        evidence=tuple(case.evidence or ()),
        target=case.target,  # type: ignore[arg-type]
        record_item=record.item,
    )


# --------------------------------------------------------------------------- filing


def file_objection(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    reason: str,
    by_subject_id: int | None = None,
    target: str = "record",
    known_on: date | None = None,
    evidence: Sequence[str] = (),
    filed_with: str = "platform",
    ground: str | None = None,
    received_by: str | None = None,
) -> ObjectionCase:
    """File an objection (异议) against a record or an evaluation record.

    The subject files against its own record; an interested party only where the profile lets it
    (Shenzhen 第三十七条); an operator records a written application for `by_subject_id`. The case
    is received, accepted and marked in the same moment: the mark (record event `objection`) is on
    every channel that sees the record from now on, even where the profile allows a day for it
    (Nanjing 第五十八条: within 1 working day — the platform marks at once, the stage is met).
    `filed_with="provider"`: the application went to the record's provider (Shenzhen 第四十条),
    which has the case from the start (state `forwarded`, stage `provider_direct`).
    `filed_with="agency"`: a credit service agency received it (`received_by` names it, or the agency
    itself records it); the agency then does what the platform does (Shenzhen 第三十九条), with the
    same days where the profile says so (`agency_deadlines`).

    `ground`: one of the profile's grounds where its list is closed (Jilin 第三十五条); the reason
    stays free. Past the filing window, an approved window extension of this filer for this record
    lets it in through its last day (Shenzhen 第三十八条).
    """
    section = section_of(profile)
    actor.require_jurisdiction(profile.id)
    if filed_with not in ("platform", "provider", "agency"):
        raise XinyongError("invalid_field", field="filed_with", detail="platform, provider or agency")
    if actor.role is Role.agency:
        if filed_with != AGENCY or (received_by is not None and received_by != actor.organization):
            raise XinyongError("not_allowed", detail="an agency records the objections it received")
        received_by = actor.organization
    if filed_with == AGENCY and not (received_by and received_by.strip()):
        raise XinyongError("missing_field", field="received_by", detail="the credit service agency")
    if target not in ("record", "evaluation"):
        raise XinyongError("invalid_field", field="target", detail="record or evaluation")
    if not reason or not reason.strip():
        raise XinyongError("missing_field", field="reason", detail="异议理由 / the reason")
    match actor.role:
        case Role.subject:
            if actor.subject_id is None or (by_subject_id is not None and by_subject_id != actor.subject_id):
                raise XinyongError("not_allowed", detail="a subject files in its own name")
            filer_id = actor.subject_id
        case Role.operator | Role.agency:
            if by_subject_id is None:
                raise XinyongError("missing_field", field="by", detail="the subject who objects")
            filer_id = by_subject_id
        case _:
            raise XinyongError(
                "not_allowed", detail="objections are filed by subjects (or recorded by their receivers)"
            )
    filer = _subject(db_session, filer_id)
    record = records_service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    if _record_state(db_session, profile, now, record) == record_rules.State.deleted:
        raise XinyongError("unknown_record", field=target, detail=f"{record_id} has been deleted")
    today = local_date(now)
    extension = _approved_extension(db_session, profile.id, record.id, filer.id)
    filing = rules.Filing(
        filer_is_subject=filer.id == record.subject_id,
        filer_is_interested=filer.id != record.subject_id
        and is_interested_party(db_session, filer.id, record.subject_id, today),
        received_on=today,
        known_on=known_on,
        evidence=tuple(e for e in evidence if e and str(e).strip()),
        target=target,  # type: ignore[arg-type]
        record_item=record.item,
        ground=ground,
        filed_with=filed_with,  # type: ignore[arg-type]
        extended_until=extension.until if extension is not None else None,
    )
    calendar = _calendar(db_session)
    rules.check_filing(section, filing, calendar)
    last = rules.window_last_day(section, filing, calendar)
    used = extension if extension is not None and last is not None and today > last.due else None
    already = db_session.scalar(
        select(ObjectionCase.id).where(
            ObjectionCase.record_id == record.id,
            ObjectionCase.filer_id == filer.id,
            ObjectionCase.state.in_([s.value for s in rules.OPEN_STATES]),
        )
    )
    if already is not None:
        raise XinyongError("not_eligible", detail=f"OBJ-{already} on this record is still open")
    case = ObjectionCase(
        jurisdiction=profile.id,
        record_id=record.id,
        subject_id=record.subject_id,
        filer_id=filer.id,
        filer_kind="subject" if filing.filer_is_subject else "interested_party",
        target=target,
        reason=reason.strip(),
        evidence=list(filing.evidence),
        known_on=known_on,
        filed_by=actor.username,
        filed_with=filed_with,
        received_by=received_by.strip()
        if received_by
        else (record.provider if filed_with == PROVIDER else None),
        ground=ground,
        window_extension_id=used.id if used is not None else None,
        received_at=now,
        state=(State.forwarded if filed_with == PROVIDER else State.received).value,
        last_seq=0,
    )
    db_session.add(case)
    flush_or_conflict(db_session, "case")
    if used is not None:
        used.objection_id = case.id
    _event(
        db_session,
        case,
        now=now,
        actor=actor,
        kind="filed",
        before=None,
        reason=case.reason,
        data={
            "target": target,
            "known_on": known_on.isoformat() if known_on else None,
            "evidence": list(filing.evidence),
            "filer": filer.identifier,
            "filer_kind": case.filer_kind,
            "ground": ground,
            "filed_with": filed_with,
            "received_by": case.received_by,
            "window_extension": used.ref if used is not None else None,
        },
    )
    _record_event(
        db_session,
        profile,
        record,
        now=now,
        actor=actor,
        kind="objection",
        reason=case.reason,
        data={"case": case.id},
        cite=section.mark_cite,
    )
    _audit(
        db_session,
        profile,
        case,
        now=now,
        actor=actor,
        action="filed",
        details={
            "filer_kind": case.filer_kind,
            "target": target,
            "ground": ground,
            "filed_with": filed_with,
            "received_by": case.received_by,
            "window_extension": used.ref if used is not None else None,
        },
    )
    notices.enqueue(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipient=filer.name,
        recipient_kind="applicant",
        kind="objection.accepted",
        subject_id=filer.id,
        case_ref=case.ref,
        content=_text(
            f"您的异议申请已受理（{case.ref}），相关信息已作异议标注。",
            f"Your objection {case.ref} is accepted; the record carries the objection mark.",
            cite=section.mark_cite,
        ),
        due=None,
    )
    mark_due = notice_due(section, profile, rules.MARK_NOTICES, today)
    _notify_sharing_units(
        db_session,
        profile,
        case,
        record,
        now=now,
        kind=MARKED,
        due=mark_due,
        content=_text(
            f"信用信息（记录 {record.id}）已作异议标注（{case.ref}）。",
            f"Record {record.id} is marked as under objection ({case.ref}).",
            cite=section.mark_cite,
        ),
    )
    return case


# --------------------------------------------------------------------------- window extension


def _approved_extension(
    db_session: Session, jurisdiction: str, record_id: int, filer_id: int
) -> WindowExtension | None:
    """The filer's latest approved, still unused window extension for this record."""
    return db_session.scalars(
        select(WindowExtension)
        .where(
            WindowExtension.jurisdiction == jurisdiction,
            WindowExtension.record_id == record_id,
            WindowExtension.filer_id == filer_id,
            WindowExtension.state == "approved",
            WindowExtension.objection_id.is_(None),
        )
        .order_by(WindowExtension.id.desc())
    ).first()


def _extension_filing(record: Record, received_on: date, known_on: date | None) -> rules.Filing:
    return rules.Filing(
        filer_is_subject=True,
        filer_is_interested=False,
        received_on=received_on,
        known_on=known_on,
        evidence=(),
        target="record",
        record_item=record.item,
    )


def request_window_extension(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    ground: str,
    reason: str,
    known_on: date | None = None,
    by_subject_id: int | None = None,
) -> WindowExtension:
    """Ask that the filing window be extended (Shenzhen 第三十八条): the filer could not object in time
    for force majeure (`force_majeure`) or another legitimate reason (`other_legitimate`); `reason`
    says what. Refused where the profile's window is not extendable, and while the window is open."""
    section = section_of(profile)
    actor.require_jurisdiction(profile.id)
    if actor.role is Role.subject and actor.subject_id is not None:
        if by_subject_id not in (None, actor.subject_id):
            raise XinyongError("not_allowed", detail="a subject asks in its own name")
        filer_id = actor.subject_id
    elif actor.role is Role.operator:
        if by_subject_id is None:
            raise XinyongError("missing_field", field="by", detail="the subject who would object")
        filer_id = by_subject_id
    else:
        raise XinyongError("not_allowed", detail="the subject asks (or an operator records its request)")
    if not reason or not reason.strip():
        raise XinyongError("missing_field", field="reason", detail="不可抗力或者其他正当理由 / the reason")
    filer = _subject(db_session, filer_id)
    record = records_service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    today = local_date(now)
    if known_on is not None and known_on > today:
        raise XinyongError("invalid_date", field="known_on", detail="known_on is after the request")
    is_subject = filer.id == record.subject_id
    interested = not is_subject and is_interested_party(db_session, filer.id, record.subject_id, today)
    if not (is_subject and "subject" in section.filers) and not (
        interested and "interested_party" in section.filers
    ):
        raise XinyongError("not_allowed", detail="only who may object asks to file late", cite=section.cite)
    filing = _extension_filing(record, today, known_on)
    last = rules.check_window_extension_request(section, filing, ground, _calendar(db_session))
    ext = WindowExtension(
        jurisdiction=profile.id,
        record_id=record.id,
        subject_id=record.subject_id,
        filer_id=filer.id,
        ground=ground,
        reason=reason.strip(),
        known_on=known_on,
        requested_at=now,
        requested_by=actor.username,
        state="requested",
    )
    db_session.add(ext)
    flush_or_conflict(db_session, "case")
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="objection.window_extension_requested",
        subject_id=_subject(db_session, record.subject_id).identifier,
        record_ids=[str(record.id)],
        details={
            "request": ext.ref,
            "ground": ground,
            "reason": ext.reason,
            "window_ended": last.due.isoformat(),
            "cite": section.window_cite,
        },
    )
    return ext


def decide_window_extension(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    request_id: int,
    approve: bool,
    until: date | None = None,
    reason: str | None = None,
    version: int | None = None,
) -> WindowExtension:
    """The department approves (核实批准) or denies a window extension; an approval says through which
    day the objection may be filed (`until`: 适当延长, the text sets no length). Operators decide."""
    section = section_of(profile)
    actor.require_jurisdiction(profile.id)
    _require_platform(actor)
    ext = get_window_extension(db_session=db_session, profile=profile, actor=actor, request_id=request_id)
    if version is not None and version != ext.version:
        raise XinyongError("conflict", field="version", detail=f"the request is at version {ext.version}")
    if ext.state != "requested":
        raise XinyongError("case_closed", detail=f"{ext.ref} is {ext.state}")
    if approve:
        if until is None:
            raise XinyongError("missing_field", field="until", detail="the extended last day to file")
        record = db_session.get(Record, ext.record_id)
        assert record is not None
        filing = _extension_filing(record, local_date(ext.requested_at), ext.known_on)
        last = rules.window_last_day(section, filing, _calendar(db_session))
        assert last is not None
        rules.check_window_extension_until(last.due, local_date(now), until)
    elif until is not None:
        raise XinyongError("invalid_field", field="until", detail="a denial sets no day")
    ext.state = "approved" if approve else "denied"
    ext.decided_at, ext.decided_by = now, actor.username
    ext.decision_reason = reason.strip() if reason and reason.strip() else None
    ext.until = until if approve else None
    flush_or_conflict(db_session, "case")
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"objection.window_extension_{ext.state}",
        subject_id=_subject(db_session, ext.subject_id).identifier,
        record_ids=[str(ext.record_id)],
        details={
            "request": ext.ref,
            "until": ext.until.isoformat() if ext.until else None,
            "reason": ext.decision_reason,
            "cite": section.window_cite,
        },
    )
    filer = _subject(db_session, ext.filer_id)
    words = (
        (f"准予延长至 {ext.until.isoformat()}", f"approved through {ext.until.isoformat()}")
        if ext.until
        else ("不予延长", "denied")
    )
    notices.enqueue(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipient=filer.name,
        recipient_kind="applicant",
        kind=f"objection.window_extension_{ext.state}",
        subject_id=filer.id,
        case_ref=ext.ref,
        content=_text(
            f"异议申请期限延长申请（{ext.ref}）：{words[0]}。",
            f"Request {ext.ref} to extend the objection window: {words[1]}.",
            cite=section.window_cite,
        ),
        due=None,
    )
    return ext


@dataclass(frozen=True)
class WindowExtensionView:
    extension: WindowExtension
    window_ended: Deadline  # the window's last day, computed when read


def window_extension_view(
    *, db_session: Session, profile: Profile, extension: WindowExtension
) -> WindowExtensionView:
    record = db_session.get(Record, extension.record_id)
    assert record is not None
    filing = _extension_filing(record, local_date(extension.requested_at), extension.known_on)
    last = rules.window_last_day(section_of(profile), filing, _calendar(db_session))
    assert last is not None  # a request is accepted only under a window
    return WindowExtensionView(extension, last)


def get_window_extension(
    *, db_session: Session, profile: Profile, actor: Actor, request_id: int
) -> WindowExtension:
    actor.require_jurisdiction(profile.id)
    ext = db_session.get(WindowExtension, request_id)
    if ext is None or ext.jurisdiction != profile.id:
        raise XinyongError("unknown_case", field="request", detail=str(request_id))
    if actor.role is not Role.operator and not (
        actor.role is Role.subject and actor.subject_id in (ext.filer_id, ext.subject_id)
    ):
        raise XinyongError("not_allowed", detail="the request belongs to its filer and operators")
    return ext


def notice_due(
    section: Objection, profile: Profile, names: Sequence[str], start: date
) -> notices.DueRule | None:
    """When a notice is due, as a rule computed when read: the earliest of the named stages the
    profile sets, from `start` (None: the text sets no day)."""
    stages = rules.stages_of(section, profile.notices)
    return notices.DueRule.of([stages.get(n) for n in names], start)


def stage_rule(
    section: Objection, profile: Profile, view_: CaseView, name: str, today: date
) -> notices.DueRule | None:
    """A case stage's due day as a notice rule: its start, period, extensions and paused days."""
    found = next((s for s in view_.stages if s.name == name), None)
    stage = rules.stages_of(section, profile.notices).get(name)
    if found is None or stage is None or found.start is None:
        return None
    facts = facts_of(view_.case, view_.events, (), section)
    return notices.DueRule.of(stage, found.start, rules.paused_days(facts, today), found.extended_by)


def _notify_sharing_units(
    db_session: Session,
    profile: Profile,
    case: ObjectionCase,
    record: Record,
    *,
    now: datetime,
    kind: str,
    due: notices.DueRule | None,
    content: dict[str, Any],
) -> list[Notice]:
    subject = _subject(db_session, record.subject_id)
    return notices.notify_receiving_units(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        subject_id=subject.id,
        subject_identifier=subject.identifier,
        record_id=record.id,
        kind=kind,
        case_ref=case.ref if case else None,
        content=content,
        due=due,
    )


# --------------------------------------------------------------------------- moves


def _load(
    db_session: Session, profile: Profile, actor: Actor, case_id: int, version: int | None
) -> tuple[Objection, ObjectionCase, Record]:
    section = section_of(profile)
    actor.require_jurisdiction(profile.id)
    case = get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    check_version(version, case.version, "case")
    record = db_session.get(Record, case.record_id)
    assert record is not None
    return section, case, record


def _require_platform(actor: Actor, case: ObjectionCase | None = None) -> None:
    """The platform (an operator), or on an agency's case the agency that received it."""
    if actor.role is Role.operator:
        return
    if _is_receiving_agency(actor, case):
        return
    raise XinyongError("not_allowed", detail="only the platform (an operator) does this")


def _is_receiving_agency(actor: Actor, case: ObjectionCase | None) -> bool:
    return (
        case is not None
        and case.filed_with == AGENCY
        and actor.role is Role.agency
        and actor.organization is not None
        and actor.organization == case.received_by
    )


def _require_provider(actor: Actor, record: Record) -> None:
    if actor.role is not Role.provider or actor.organization != record.provider:
        raise XinyongError("not_allowed", detail=f"only {record.provider}, the record's provider, does this")


def _require_handler(actor: Actor, case: ObjectionCase, record: Record) -> None:
    """Whoever has the case now: the provider while it is forwarded, the platform otherwise."""
    if actor.role is Role.operator:
        return
    if case.state == State.received and _is_receiving_agency(actor, case):
        return
    if (
        case.state == State.forwarded
        and actor.role is Role.provider
        and actor.organization == record.provider
    ):
        return
    raise XinyongError("not_allowed", detail="only the unit handling the case does this")


def forward(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    reason: str | None = None,
    version: int | None = None,
) -> ObjectionCase:
    """The platform finds no error of its own and forwards the objection to the provider (转交核查)."""
    section, case, record = _load(db_session, profile, actor, case_id, version)
    _require_platform(actor, case)
    before = case.state
    case.state = rules.next_state(
        State(case.state), Action.forward, section, paused=case.paused_at is not None
    ).value
    case.forwarded_at = now
    _event(
        db_session,
        case,
        now=now,
        actor=actor,
        kind="forwarded",
        before=before,
        reason=reason,
        data={"provider": record.provider},
    )
    _audit(
        db_session,
        profile,
        case,
        now=now,
        actor=actor,
        action="forwarded",
        details={"provider": record.provider},
    )
    v = view(db_session=db_session, profile=profile, now=now, case=case)
    reply = stage_rule(section, profile, v, "provider_reply", local_date(now))
    notices.enqueue(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipient=record.provider,
        recipient_kind="provider",
        kind="objection.forwarded",
        subject_id=case.subject_id,
        case_ref=case.ref,
        content=_text(
            f"请核查异议（{case.ref}，记录 {record.id}）并回复核查结果。",
            f"Please verify objection {case.ref} on record {record.id} and reply.",
            reason=case.reason,
        ),
        due=reply,
    )
    return case


def extend(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    working_days: int,
    reason: str | None = None,
    version: int | None = None,
) -> ObjectionCase:
    """An approved extension (延期) of the stages the case waits on, within the profile's cap."""
    section, case, record = _load(db_session, profile, actor, case_id, version)
    _require_handler(actor, case, record)
    before = State(case.state)
    rules.next_state(before, Action.extend, section)
    calendar = _calendar(db_session)
    facts = facts_of(case, events_of(db_session, case.id), _case_notices(db_session, case), section)
    stages = rules.plan_extension(section, facts, working_days, calendar, local_date(now))
    _event(
        db_session,
        case,
        now=now,
        actor=actor,
        kind="extended",
        before=before.value,
        reason=reason,
        data={"working_days": working_days, "stages": list(stages)},
    )
    _audit(
        db_session,
        profile,
        case,
        now=now,
        actor=actor,
        action="extended",
        details={"working_days": working_days, "stages": list(stages)},
    )
    return case


def pause(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    reason: str | None = None,
    version: int | None = None,
) -> ObjectionCase:
    """Inspection, testing, quarantine, appraisal or expert review starts: its time is not counted
    (Henan 第四十一条)."""
    return _set_paused(db_session, profile, now, actor, case_id, reason, version, paused=True)


def resume(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    reason: str | None = None,
    version: int | None = None,
) -> ObjectionCase:
    """The paused time ends; the clock runs again from now."""
    return _set_paused(db_session, profile, now, actor, case_id, reason, version, paused=False)


def _set_paused(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    reason: str | None,
    version: int | None,
    *,
    paused: bool,
) -> ObjectionCase:
    section, case, record = _load(db_session, profile, actor, case_id, version)
    _require_handler(actor, case, record)
    action, kind = (Action.pause, "paused") if paused else (Action.resume, "resumed")
    rules.next_state(State(case.state), action, section, paused=case.paused_at is not None)
    case.paused_at = now if paused else None
    _event(db_session, case, now=now, actor=actor, kind=kind, before=case.state, reason=reason)
    _audit(
        db_session, profile, case, now=now, actor=actor, action=kind, details={"cite": section.paused_cite}
    )
    return case


def check_changes(profile: Profile, record: Record, changes: Mapping[str, Any]) -> dict[str, Any]:
    """New field values for a correction: the same gate as intake (prohibited data never enters;
    sensitive data needs the consent the record was given)."""
    if not isinstance(changes, Mapping):
        raise XinyongError("invalid_field", field="changes", detail="a map of field → new value")
    out = {canonical_data_key(k): v for k, v in changes.items()}
    prohibited = [k for k in out if k in profile.intake.prohibited]
    if prohibited:
        raise XinyongError(
            "prohibited_data",
            field="changes." + prohibited[0],
            detail=", ".join(prohibited),
            cite=profile.intake.prohibited_cite,
        )
    sensitive = profile.intake.sensitive
    found = [k for k in out if k in sensitive.keys]
    if (
        found
        and sensitive.consent != "notice_only"
        and not record.consent
        and record.source not in sensitive.exempt_sources
    ):
        raise XinyongError(
            "consent_required", field="changes." + found[0], detail=", ".join(found), cite=sensitive.cite
        )
    return out


def resolve(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    outcome: str,
    by: str | None = None,
    reason: str | None = None,
    changes: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> ObjectionCase:
    """Decide the case (or its review): corrected, deleted, upheld, or unverifiable.

    `by`: `platform` (its own error, or the review) or `provider` (a forwarded case); by default
    whoever has the case. A correction adds a `corrected` record event with the new values and the
    change reason (变动理由); every earlier version stays. Deleted and unverifiable-where-the-profile-
    deletes add a `deleted` event with the reason. The objection mark ends with the decision.
    """
    section, case, record = _load(db_session, profile, actor, case_id, version)
    try:
        decision = Outcome(outcome)
    except ValueError:
        raise XinyongError(
            "invalid_field", field="outcome", detail="corrected, deleted, upheld or unverifiable"
        ) from None
    state = State(case.state)
    if by is None:
        if state is State.forwarded:
            by = PROVIDER
        elif case.filed_with == AGENCY and state is State.received:
            by = AGENCY
        else:
            by = PLATFORM
    if by not in (PLATFORM, PROVIDER, AGENCY):
        raise XinyongError("invalid_field", field="by", detail="platform, provider or agency")
    if by == AGENCY and (case.filed_with != AGENCY or state is not State.received):
        raise XinyongError(
            "wrong_stage", field="by", detail="an agency decides only a case it received and has"
        )
    if by == PROVIDER:
        _require_provider(actor, record)
    elif by == AGENCY:
        _require_platform(actor, case)
    else:
        _require_platform(actor)
    new_state = rules.next_state(
        state,
        Action.resolve,
        section,
        outcome=decision,
        by=by,  # type: ignore[arg-type]
        reviewed=case.reviewed_at is not None,
        paused=case.paused_at is not None,
    )
    reviewing = state is State.under_review
    record_gone = _record_state(db_session, profile, now, record) == record_rules.State.deleted
    if record_gone and new_state in (State.corrected, State.deleted):
        raise XinyongError("not_eligible", detail=f"record {record.id} is deleted already")
    clean_changes = check_changes(profile, record, changes or {}) if new_state is State.corrected else {}
    if changes and new_state is not State.corrected:
        raise XinyongError("invalid_field", field="changes", detail="changes go with outcome corrected")
    case.state = new_state.value
    if reviewing:
        case.reviewed_at, case.review_outcome = now, decision.value
    else:
        case.decided_at, case.decided_by, case.outcome = now, by, decision.value
    why = reason
    if decision is Outcome.unverifiable:
        why = (
            reason
            or f"无法核实真实性、准确性，予以删除 / cannot be verified, deleted ({section.unverifiable_cite})"
        )
    _event(
        db_session,
        case,
        now=now,
        actor=actor,
        kind="reviewed" if reviewing else "decided",
        before=state.value,
        reason=why,
        data={"outcome": decision.value, "by": by, "changes": clean_changes},
    )
    cite = section.unverifiable_cite if decision is Outcome.unverifiable else section.cite
    if new_state is State.corrected:
        _record_event(
            db_session,
            profile,
            record,
            now=now,
            actor=actor,
            kind=record_rules.CORRECTED,
            reason=why or f"异议更正（{case.ref}）/ corrected on objection {case.ref}",
            data={"changes": clean_changes, "case": case.id},
            cite=cite,
        )
    elif new_state is State.deleted:
        _record_event(
            db_session,
            profile,
            record,
            now=now,
            actor=actor,
            kind=record_rules.DELETED,
            reason=why or f"异议删除（{case.ref}）/ deleted on objection {case.ref}",
            data={"case": case.id, "outcome": decision.value},
            cite=cite,
        )
    if not reviewing:  # the mark lasts while the objection is handled (a review is not re-marked)
        _record_event(
            db_session,
            profile,
            record,
            now=now,
            actor=actor,
            kind="objection.end",
            reason=None,
            data={"case": case.id, "outcome": decision.value},
            cite=section.mark_cite,
        )
    _audit(
        db_session,
        profile,
        case,
        now=now,
        actor=actor,
        action="reviewed" if reviewing else "decided",
        details={"outcome": decision.value, "by": by, "reason": why, "cite": cite},
    )
    _decision_notices(
        db_session, profile, section, case, record, now=now, outcome=decision, by=by, reviewing=reviewing
    )
    return case


def _decision_notices(
    db_session: Session,
    profile: Profile,
    section: Objection,
    case: ObjectionCase,
    record: Record,
    *,
    now: datetime,
    outcome: Outcome,
    by: str,
    reviewing: bool,
) -> None:
    calendar = _calendar(db_session)
    today = local_date(now)
    filer = _subject(db_session, case.filer_id)
    words = {
        "corrected": ("更正", "corrected"),
        "deleted": ("删除", "deleted"),
        "upheld": ("维持", "upheld"),
        "unverifiable": ("无法核实，予以删除", "unverifiable, deleted"),
    }[outcome.value]
    if reviewing:  # the review stage includes telling the applicant (Jilin 第三十六条第四款)
        v = view(db_session=db_session, profile=profile, now=now, case=case, calendar=calendar)
        due = stage_rule(section, profile, v, rules.REVIEW, today)
    else:
        due = notice_due(section, profile, ("inform_applicant",), today)
    notices.enqueue(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipient=filer.name,
        recipient_kind="applicant",
        kind=REVIEWED if reviewing else DECIDED,
        subject_id=filer.id,
        case_ref=case.ref,
        content=_text(
            f"异议{'复核' if reviewing else '处理'}结果（{case.ref}）：{words[0]}。",
            f"The {'review of' if reviewing else 'decision on'} objection {case.ref}: {words[1]}.",
        ),
        due=due,
    )
    # the provider hears of a decision it did not make on a case it saw, or that changes its record
    if by in (PLATFORM, AGENCY) and (case.forwarded_at is not None or outcome is not Outcome.upheld):
        notices.enqueue(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipient=record.provider,
            recipient_kind="provider",
            kind=REVIEWED if reviewing else DECIDED,
            subject_id=case.subject_id,
            case_ref=case.ref,
            content=_text(
                f"记录 {record.id} 的异议（{case.ref}）已处理：{words[0]}。",
                f"Objection {case.ref} on record {record.id}: {words[1]}.",
            ),
            due=None,
        )
    if outcome is not Outcome.upheld:
        kind = "objection.corrected" if outcome is Outcome.corrected else "objection.deleted"
        due_c = notice_due(section, profile, rules.CORRECTION_NOTICES, today)
        _notify_sharing_units(
            db_session,
            profile,
            case,
            record,
            now=now,
            kind=kind,
            due=due_c,
            content=_text(
                f"信用信息（记录 {record.id}）已{words[0]}（{case.ref}）。",
                f"Record {record.id} was {words[1]} ({case.ref}).",
                cite=(profile.notices.cite if profile.notices else section.cite),
            ),
        )


def request_review(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    reason: str | None = None,
    version: int | None = None,
) -> ObjectionCase:
    """The applicant asks for review (复核) of the decision, where the profile provides one."""
    section, case, _record = _load(db_session, profile, actor, case_id, version)
    if actor.role is Role.subject:
        if actor.subject_id != case.filer_id:
            raise XinyongError("not_allowed", detail="only the applicant asks for review")
    elif actor.role is not Role.operator:
        raise XinyongError("not_allowed", detail="only the applicant asks for review")
    before = case.state
    case.state = rules.next_state(
        State(case.state), Action.review, section, reviewed=case.review_requested_at is not None
    ).value
    case.review_requested_at = now
    _event(db_session, case, now=now, actor=actor, kind="review_requested", before=before, reason=reason)
    _audit(
        db_session,
        profile,
        case,
        now=now,
        actor=actor,
        action="review_requested",
        details={"cite": section.stages[rules.REVIEW].cite},
    )
    return case


# --------------------------------------------------------------------------- reading


def may_read(actor: Actor, case: ObjectionCase, record: Record) -> None:
    match actor.role:
        case Role.operator:
            return
        case Role.subject if actor.subject_id in (case.filer_id, case.subject_id):
            return
        case Role.provider if actor.organization == record.provider:
            return
        case Role.agency if case.filed_with == "agency" and actor.organization == case.received_by:
            return
    raise XinyongError(
        "not_allowed", detail="the case belongs to its applicant, the record's subject and provider"
    )


def get_case(*, db_session: Session, profile: Profile, now: datetime, actor: Actor, case_id: int) -> CaseView:
    actor.require_jurisdiction(profile.id)
    case = get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    record = db_session.get(Record, case.record_id)
    assert record is not None
    may_read(actor, case, record)
    return view(db_session=db_session, profile=profile, now=now, case=case)


def list_cases(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, subject_id: int
) -> list[CaseView]:
    """Every case about, or filed by, a subject: the subject itself or an operator."""
    actor.require_jurisdiction(profile.id)
    if actor.role is Role.subject and actor.subject_id != subject_id:
        raise XinyongError("not_allowed", detail="a subject lists its own cases")
    if actor.role not in (Role.subject, Role.operator):
        raise XinyongError("not_allowed")
    cases = db_session.scalars(
        select(ObjectionCase)
        .where(ObjectionCase.jurisdiction == profile.id)
        .where((ObjectionCase.subject_id == subject_id) | (ObjectionCase.filer_id == subject_id))
        .order_by(ObjectionCase.id)
    )
    calendar = _calendar(db_session)
    return [view(db_session=db_session, profile=profile, now=now, case=c, calendar=calendar) for c in cases]


def open_cases(
    *, db_session: Session, jurisdiction: str, now: datetime, profile: Profile | None = None
) -> list[CaseSummary]:
    """The work queue's rows (xinyong.queues): every open case with what it waits for and when."""
    from xinyong.core import profile as profiles

    profile = profile or profiles.get(jurisdiction)
    if profile.objection is None:
        return []
    calendar = _calendar(db_session)
    out = []
    cases = db_session.scalars(
        select(ObjectionCase)
        .where(
            ObjectionCase.jurisdiction == jurisdiction,
            ObjectionCase.state.in_([s.value for s in rules.OPEN_STATES]),
        )
        .order_by(ObjectionCase.id)
    )
    for case in cases:
        v = view(db_session=db_session, profile=profile, now=now, case=case, calendar=calendar)
        subject = _subject(db_session, case.subject_id)
        out.append(
            CaseSummary(
                ref=case.ref,
                kind="objection",
                jurisdiction=jurisdiction,
                subject=subject.identifier,
                handling_unit=v.handling_unit,
                stage=v.waiting.name if v.waiting else case.state,
                due=_pair(v.waiting.due) if v.waiting else None,
                overdue=v.overdue,
                opened_at=case.received_at,
            )
        )
    return out


# --------------------------------------------------------------------------- corrections by providers


def correct_record(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    changes: Mapping[str, Any],
    reason: str,
    document: str | None = None,
) -> RecordEvent:
    """A provider corrects its own record (R-REV-03; Nanjing 第五十八条第一款): a `corrected` event
    with the new values and the change reason (变动理由); every earlier version stays. Units that
    received the record are told within the profile's time (Shenzhen 第四十二条)."""
    actor.require_jurisdiction(profile.id)
    record = records_service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    if actor.role is Role.provider:
        _require_provider(actor, record)
    elif actor.role is not Role.operator:
        raise XinyongError("not_allowed", detail="only the record's provider corrects it")
    if not reason or not reason.strip():
        raise XinyongError("missing_field", field="reason", detail="变动理由 / the reason for the change")
    clean = check_changes(profile, record, changes)
    if not clean:
        raise XinyongError("missing_field", field="changes", detail="the corrected values")
    if _record_state(db_session, profile, now, record) == record_rules.State.deleted:
        raise XinyongError("not_eligible", detail=f"record {record.id} is deleted")
    event = _record_event(
        db_session,
        profile,
        record,
        now=now,
        actor=actor,
        kind=record_rules.CORRECTED,
        reason=reason.strip(),
        data={"changes": clean, "case": None, "document": document},
        cite=profile.notices.cite if profile.notices else None,
    )
    due = None
    if profile.objection is not None:
        due = notice_due(profile.objection, profile, rules.CORRECTION_NOTICES, local_date(now))
    elif profile.notices is not None:
        due = notices.DueRule.of(profile.notices.sharing_units_on_correction, local_date(now))
    subject = _subject(db_session, record.subject_id)
    notices.notify_receiving_units(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        subject_id=subject.id,
        subject_identifier=subject.identifier,
        record_id=record.id,
        kind="record.corrected",
        case_ref=f"REC-{record.id}",
        content=_text(
            f"信用信息（记录 {record.id}）已更正：{reason.strip()}",
            f"Record {record.id} was corrected: {reason.strip()}",
        ),
        due=due,
    )
    return event


@dataclass(frozen=True)
class Version:
    number: int  # 1 = as submitted
    at: datetime
    actor: str
    reason: str | None  # 变动理由
    changes: dict[str, Any]  # the fields this version changed
    data: dict[str, Any]  # the whole data as of this version
    case: int | None  # the objection that caused it


def versions(*, db_session: Session, profile: Profile, actor: Actor, record_id: int) -> list[Version]:
    """Every version of a record's data: what changed, when, by whom and why (变动理由)."""
    actor.require_jurisdiction(profile.id)
    record = records_service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    match actor.role:
        case Role.operator:
            pass
        case Role.provider if actor.organization == record.provider:
            pass
        case Role.subject if actor.subject_id == record.subject_id:
            pass
        case _:
            raise XinyongError("not_allowed", detail="the record's subject, its provider or an operator")
    out = [Version(1, record.submitted_at, record.submitted_by, None, {}, dict(record.data or {}), None)]
    data = dict(record.data or {})
    for e in records_service.events_of(db_session, [record.id])[record.id]:
        if e.kind != record_rules.CORRECTED:
            continue
        changes = dict((e.data or {}).get("changes") or {})
        data = record_rules.current_data(data, [changes])
        out.append(
            Version(len(out) + 1, e.at, e.actor, e.reason, changes, dict(data), (e.data or {}).get("case"))
        )
    return out
