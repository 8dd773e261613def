"""Statement, withhold, archive, contest and reorganize: each request is stored, its record events
written with audit entries, and the notices it owes queued, in the caller's transaction.

The platform acts the moment a request is accepted (SCENARIOS.md: marks the platform applies itself
are applied when the triggering event is recorded); where the profile gives it time (Nanjing 第六十一条
2 WD, Shenzhen 第六十九条 7 WD) the due date is computed from `received_at` when read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.calendar import service as calendar_service
from xinyong.core import identifiers
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.core.profile_rights import Stage
from xinyong.core.workdays import Deadline
from xinyong.lists import rules as list_rules
from xinyong.lists import service as lists_service
from xinyong.lists.models import Listing
from xinyong.notices.service import DueRule
from xinyong.queues.types import CaseSummary
from xinyong.records import rules as record_rules
from xinyong.records import service as records_service
from xinyong.records.models import Record, RecordEvent
from xinyong.rights.marks import rules
from xinyong.rights.marks.models import MarkCase
from xinyong.rights.repair import notify
from xinyong.rights.repair.rules import Verdict, stage_due
from xinyong.subjects.models import Subject

# --------------------------------------------------------------------------- helpers


def _raise(verdict: Verdict, field: str | None = "record") -> None:
    if not verdict.ok:
        assert verdict.code is not None
        raise XinyongError(verdict.code, detail=verdict.detail, cite=verdict.cite, field=field)


def _by_subject(actor: Actor, subject_id: int) -> bool:
    return actor.role is Role.operator or (actor.role is Role.subject and actor.subject_id == subject_id)


def _subject(db_session: Session, subject_id: int) -> Subject:
    subject = db_session.get(Subject, subject_id)
    assert subject is not None
    return subject


def _record(
    db_session: Session, profile: Profile, record_id: int
) -> tuple[Record, Subject, record_rules.RecordFacts, list[RecordEvent]]:
    record = records_service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    subject = _subject(db_session, record.subject_id)
    events = records_service.events_of(db_session, [record.id])[record.id]
    return record, subject, records_service.facts_of(record, subject.kind, events), events


def _open_case(
    db_session: Session, kind: str, *, record_id: int | None = None, subject_id: int | None = None
) -> MarkCase | None:
    stmt = select(MarkCase).where(MarkCase.kind == kind, MarkCase.ended_at.is_(None))
    if record_id is not None:
        stmt = stmt.where(MarkCase.record_id == record_id)
    if subject_id is not None:
        stmt = stmt.where(MarkCase.subject_id == subject_id)
    return db_session.scalars(stmt.order_by(MarkCase.id)).first()


def _new_case(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    kind: str,
    subject_id: int,
    record_id: int | None,
    data: dict[str, Any],
    plan_on: date | None = None,
) -> MarkCase:
    case = MarkCase(
        jurisdiction=profile.id,
        kind=kind,
        subject_id=subject_id,
        record_id=record_id,
        requested_by=actor.username,
        received_at=now,
        plan_on=plan_on,
        data=data,
        version=1,
    )
    db_session.add(case)
    db_session.flush()
    audit.log_event(  # the request itself, whatever records it touches (a reorganization may touch none)
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"{kind}.requested",
        subject_id=_subject(db_session, subject_id).identifier,
        record_ids=[str(record_id)] if record_id else [],
        details={"case": case.ref, "plan_on": plan_on.isoformat() if plan_on else None, **data},
    )
    return case


def _record_event(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case: MarkCase,
    record: Record,
    subject: Subject,
    kind: str,
    cite: str | None,
    reason: str | None = None,
    document: str | None = None,
    **data: Any,
) -> RecordEvent:
    """One record event and its audit entry, in the caller's transaction."""
    event = RecordEvent(
        record_id=record.id,
        kind=kind,
        at=now,
        actor=actor.username,
        reason=reason,
        document=document,
        data={"case": case.ref, **data},
    )
    db_session.add(event)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"record.{kind}",
        subject_id=subject.identifier,
        record_ids=[str(record.id)],
        details={"case": case.ref, "cite": cite, **data},
    )
    return event


def _due(db_session: Session, stage: Stage | None, received: date) -> Deadline | None:
    if stage is None:
        return None
    return stage_due(
        stage,
        {"received": received, "accepted": received},
        calendar_service.get_calendar(db_session=db_session),
    )


def notice_rule(stage: Stage | None, day: date) -> DueRule | None:
    """A notice's due day as a rule computed when read, for a change made on `day` (its stage runs
    from the request, the decision or the mark, all on that day)."""
    if stage is None or notify.day_starts(day).get(stage.from_) is None:
        return None
    return DueRule.of(stage, day)


def _tell_sharing_units(
    db_session: Session,
    profile: Profile,
    now: datetime,
    case: MarkCase,
    subject: Subject,
    record_ids: Sequence[int],
    kind: str,
    zh: str,
    en: str,
) -> None:
    """Units that received a record learn of its new mark (R-PLT-05, notices.sharing_units_on_mark)."""
    stage = profile.notices.sharing_units_on_mark if profile.notices else None
    due = notice_rule(stage, local_date(now))
    units: list[str] = []
    for record_id in record_ids:
        units += notify.sharing_units(
            db_session=db_session,
            jurisdiction=profile.id,
            subject_identifier=subject.identifier,
            record_id=record_id,
        )
    notify.send(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipients=units,
        recipient_kind="sharing_unit",
        kind=kind,
        subject_id=subject.id,
        case_ref=case.ref,
        zh=zh,
        en=en,
        due=due,
        extra={"records": list(record_ids)},
    )


# --------------------------------------------------------------------------- statement


def statement(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    text: str,
    ground: str | None = None,
) -> MarkCase:
    """Attach the subject's statement (附注) to its record (Shenzhen 第六十条); shown with the record."""
    record, subject, facts, _ = _record(db_session, profile, record_id)
    by_subject = _by_subject(actor, record.subject_id)
    _raise(rules.statement_verdict(facts, profile, now, by_subject=by_subject, ground=ground))
    if not text or not str(text).strip():
        raise XinyongError(
            "missing_field", field="text", detail="the statement states its reasons (陈述理由)"
        )
    assert profile.statements is not None
    data = {"text": str(text), "ground": ground}
    case = _new_case(db_session, profile, now, actor, "statement", record.subject_id, record.id, data)
    _record_event(
        db_session,
        profile,
        now,
        actor,
        case,
        record,
        subject,
        rules.STATEMENT,
        profile.statements.cite,
        reason=str(text),
        **data,
    )
    _tell_sharing_units(
        db_session,
        profile,
        now,
        case,
        subject,
        [record.id],
        "statement.attached",
        f"信用主体对记录 {record.id} 提出声明，已附注于该记录",
        f"the subject's statement is attached to record {record.id}",
    )
    return case


# --------------------------------------------------------------------------- withholding


def withhold(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    mode: str = "withhold",
) -> MarkCase:
    """Stop disclosing good information at the subject's request (Shenzhen 第五十九条, Nanjing 第六十一条).

    Effective the moment it is recorded (the platform may act before its deadline); the deadline is
    kept for the record. `mode="delete"` deletes instead, where the profile allows it (删除).
    """
    record, subject, facts, events = _record(db_session, profile, record_id)
    already = any(e.kind in (record_rules.WITHHELD, record_rules.DELETED) for e in events)
    _raise(
        rules.withhold_verdict(
            facts, profile, now, by_subject=_by_subject(actor, record.subject_id), withheld=already
        )
    )
    section = profile.withholding
    assert section is not None
    if mode not in ("withhold", "delete"):
        raise XinyongError("invalid_field", field="mode", detail="withhold or delete")
    if mode == "delete" and section.effect != "delete_or_stop":
        raise XinyongError(
            "not_eligible", field="mode", detail="the profile allows withholding only", cite=section.cite
        )
    case = _new_case(
        db_session, profile, now, actor, "withholding", record.subject_id, record.id, {"mode": mode}
    )
    kind = record_rules.DELETED if mode == "delete" else record_rules.WITHHELD
    due = _due(db_session, section.within, local_date(now))
    _record_event(
        db_session,
        profile,
        now,
        actor,
        case,
        record,
        subject,
        kind,
        section.cite,
        reason="信用主体申请不予公开良好信息",
        mode=mode,
        due_on=due.due.isoformat() if due else None,
        provisional=due.provisional if due else None,
    )
    if section.notify_provider:
        notify.send(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipients=[record.provider],
            recipient_kind="provider",
            kind="withholding.done",
            subject_id=subject.id,
            case_ref=case.ref,
            zh=f"应信用主体申请，记录 {record.id} 已停止提供对外查询服务",
            en=f"at the subject's request record {record.id} is no longer offered to outside queries",
            due=notice_rule(section.within, local_date(now)),
            extra={"record": record.id, "cite": section.cite},
        )
    return case


# --------------------------------------------------------------------------- archive


def archive(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, record_id: int
) -> MarkCase:
    """Convert an expired record to archive storage on the subject's request (Henan 第四十四条)."""
    record, subject, facts, _ = _record(db_session, profile, record_id)
    _raise(rules.archive_verdict(facts, profile, now, by_subject=_by_subject(actor, record.subject_id)))
    assert profile.archive_request is not None
    case = _new_case(db_session, profile, now, actor, "archive", record.subject_id, record.id, {})
    _record_event(
        db_session,
        profile,
        now,
        actor,
        case,
        record,
        subject,
        record_rules.ARCHIVED,
        profile.archive_request.cite,
        reason="信用主体要求转为档案保存",
    )
    return case


# --------------------------------------------------------------------------- contest


def contest(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    proceeding: str | None = None,
    document: str | None = None,
) -> MarkCase:
    """行政复议 or 行政诉讼 over a record starts: disclosure and sharing stop (Shenzhen 第六十一条)."""
    record, subject, facts, _ = _record(db_session, profile, record_id)
    pending = _open_case(db_session, "contest", record_id=record.id) is not None
    _raise(
        rules.contest_verdict(
            facts, profile, now, by_subject=_by_subject(actor, record.subject_id), open_contest=pending
        )
    )
    assert profile.contest is not None
    if proceeding not in (None, "administrative_review", "litigation"):
        raise XinyongError("invalid_field", field="proceeding", detail="administrative_review or litigation")
    case = _new_case(
        db_session,
        profile,
        now,
        actor,
        "contest",
        record.subject_id,
        record.id,
        {"proceeding": proceeding, "document": document},
    )
    kind = rules.contest_mark(profile)
    _record_event(
        db_session,
        profile,
        now,
        actor,
        case,
        record,
        subject,
        kind,
        profile.contest.cite,
        document=document,
        proceeding=proceeding,
    )
    if kind == rules.SUSPENDED:
        notify.send(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipients=[record.provider],
            recipient_kind="provider",
            kind="contest.suspended",
            subject_id=subject.id,
            case_ref=case.ref,
            zh=f"信用主体就记录 {record.id} 申请行政复议或者提起诉讼，应暂停对外披露和共享",
            en=f"record {record.id} is contested: suspend its disclosure and sharing",
            extra={"record": record.id, "cite": profile.contest.cite},
        )
        _tell_sharing_units(
            db_session,
            profile,
            now,
            case,
            subject,
            [record.id],
            "contest.suspended",
            f"记录 {record.id} 复议或诉讼期间暂停共享",
            f"record {record.id}: sharing suspended while contested",
        )
    return case


def contest_end(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int,
    outcome: str | None = None,
) -> MarkCase:
    """The review or lawsuit is over: the suspension ends (the outcome itself reaches the record as a
    correction, deletion or revocation through its own procedure)."""
    record, subject, _, _ = _record(db_session, profile, record_id)
    case = _open_case(db_session, "contest", record_id=record.id)
    _raise(
        rules.contest_end_verdict(
            profile, by_subject=_by_subject(actor, record.subject_id), open_contest=case is not None
        )
    )
    assert case is not None and profile.contest is not None
    _end(db_session, case, now, actor)
    kind = rules.contest_mark(profile)
    _record_event(
        db_session,
        profile,
        now,
        actor,
        case,
        record,
        subject,
        f"{kind}{record_rules.END_SUFFIX}",
        profile.contest.cite,
        outcome=outcome,
    )
    return case


def _end(db_session: Session, case: MarkCase, now: datetime, actor: Actor) -> None:
    """Close a pending request once: a second, concurrent end finds the version moved (`conflict`)."""
    stmt = (
        update(MarkCase)
        .where(MarkCase.id == case.id, MarkCase.version == case.version, MarkCase.ended_at.is_(None))
        .values(ended_at=now, ended_by=actor.username, version=MarkCase.version + 1)
        .execution_options(synchronize_session=False)
    )
    try:
        result = db_session.execute(stmt)
    except OperationalError as exc:
        if "locked" in str(exc.orig).lower():
            raise XinyongError("conflict", detail=case.ref) from exc
        raise
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise XinyongError("conflict", detail=case.ref)
    db_session.refresh(case)
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=case.jurisdiction,
        actor=actor.username,
        action=f"{case.kind}.ended",
        subject_id=_subject(db_session, case.subject_id).identifier,
        record_ids=[str(case.record_id)] if case.record_id else [],
        details={"case": case.ref, "version": case.version},
    )


# --------------------------------------------------------------------------- reorganization


def reorganize(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: Subject,
    document: str | None,
    plan_on: date | None = None,
) -> MarkCase:
    """The administrator presents the court's ruling on the reorganization plan (Shenzhen 第六十九条).

    Every record of the enterprise decided before the plan was approved (`plan_on`, default: the
    day of the request) is marked `reorganization` at once; the 7-WD marking deadline is computed
    from `received_at` when read. The enterprise is treated as newly established for evaluation
    (第七十条) and its pre-plan records are excluded from adverse use in the profile's matters (第七十一条).
    """
    pending = _open_case(db_session, "reorganization", subject_id=subject.id) is not None
    _raise(
        rules.reorganize_verdict(
            profile, subject.kind, by_subject=_by_subject(actor, subject.id), open_case=pending
        ),
        field="subject",
    )
    section = profile.reorganization
    assert section is not None
    if not document:
        raise XinyongError(
            "missing_field", field="document", detail="the court's ruling (人民法院裁定书)", cite=section.cite
        )
    plan_on = plan_on or local_date(now)
    if plan_on > local_date(now):
        raise XinyongError(
            "invalid_date", field="plan_on", detail="the plan is approved before it is presented"
        )
    records = list(
        db_session.scalars(
            select(Record)
            .where(Record.subject_id == subject.id, Record.jurisdiction == profile.id)
            .order_by(Record.id)
        )
    )
    events = records_service.events_of(db_session, [r.id for r in records])
    today = local_date(now)
    marked = []
    case = _new_case(
        db_session,
        profile,
        now,
        actor,
        "reorganization",
        subject.id,
        None,
        {"document": document, "treat_as_new": section.treat_as_new},
        plan_on=plan_on,
    )
    for record in records:
        facts = records_service.facts_of(record, subject.kind, events[record.id])
        if record_rules.state(facts, profile, now, today) is record_rules.State.deleted:
            continue
        if rules.pre_plan(record.decided_on, plan_on):
            _record_event(
                db_session,
                profile,
                now,
                actor,
                case,
                record,
                subject,
                rules.REORGANIZATION,
                section.cite,
                document=document,
                plan_on=plan_on.isoformat(),
            )
            marked.append(record.id)
    case.data = {**case.data, "records": marked}
    db_session.flush()
    _tell_sharing_units(
        db_session,
        profile,
        now,
        case,
        subject,
        marked,
        "reorganization.marked",
        "破产重整计划相关内容已在信用信息中标注",
        "the court-approved reorganization plan is marked on the records",
    )
    return case


def end_reorganization(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, subject: Subject
) -> MarkCase:
    """Plan execution is over (重整计划执行完毕): the marks end with it (operators only)."""
    actor.require(Role.operator)
    if profile.reorganization is None:
        raise XinyongError("not_eligible", detail="the profile has no bankruptcy reorganization procedure")
    case = _open_case(db_session, "reorganization", subject_id=subject.id)
    if case is None:
        raise XinyongError("not_eligible", field="subject", detail="no reorganization plan is being executed")
    _end(db_session, case, now, actor)
    for record_id in case.data.get("records", []):
        record = db_session.get(Record, record_id)
        assert record is not None
        _record_event(
            db_session,
            profile,
            now,
            actor,
            case,
            record,
            subject,
            f"{rules.REORGANIZATION}{record_rules.END_SUFFIX}",
            profile.reorganization.cite,
        )
    return case


def court_notice(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: Subject,
    document: str | None,
    record_ids: Sequence[int] | None = None,
) -> MarkCase:
    """The court's 协助执行通知书 during plan execution (Shenzhen 第七十二条): the enterprise leaves every
    list whose removal the profile grants on a court's notice (经营异常名录, 严重失信主体名单: reason
    `court`, through the lists), and the related records are deleted — those the notice names
    (`record_ids`), or else the records the removed listings rested on (inferred: 删除相关信用信息记录).
    An operator records it; it is done at once."""
    actor.require(Role.operator)
    section = profile.reorganization
    if section is None or not section.court_ordered_cleanup:
        raise XinyongError("not_eligible", detail="the profile has no court-ordered clean-up")
    if _open_case(db_session, "reorganization", subject_id=subject.id) is None:
        raise XinyongError(
            "not_eligible",
            field="subject",
            detail="no reorganization plan is being executed",
            cite=section.cite,
        )
    if not document:
        raise XinyongError(
            "missing_field", field="document", detail="the court's 协助执行通知书", cite=section.cite
        )
    named = [int(i) for i in dict.fromkeys(record_ids or ())]
    for record_id in named:
        record = records_service.get_or_raise(
            db_session=db_session, record_id=record_id, jurisdiction=profile.id
        )
        if record.subject_id != subject.id:
            raise XinyongError(
                "not_eligible", field="records", detail=f"record {record_id} is another subject's"
            )
    listings = _court_removable(db_session, profile, now, subject)
    case = _new_case(
        db_session, profile, now, actor, "court_notice", subject.id, None, {"document": document}
    )
    removed = []
    for listing in listings:
        lists_service.remove(
            db_session=db_session,
            profile=profile,
            now=now,
            actor=actor,
            listing_id=listing.id,
            reason="court",
            note=f"{case.ref} {document}",
        )
        removed.append(listing.id)
    if record_ids is None:
        named = sorted({int(i) for listing in listings for i in listing.basis_record_ids or ()})
    deleted = []
    today = local_date(now)
    for record_id in named:
        record, _subj, facts, _events = _record(db_session, profile, record_id)
        if record_rules.state(facts, profile, now, today) is record_rules.State.deleted:
            continue
        _record_event(
            db_session,
            profile,
            now,
            actor,
            case,
            record,
            subject,
            record_rules.DELETED,
            section.cite,
            document=document,
        )
        deleted.append(record_id)
    case.data = {**case.data, "listings": removed, "records": deleted}
    case.ended_at, case.ended_by = now, actor.username  # carried out on receipt: nothing stays open
    db_session.flush()
    _tell_sharing_units(
        db_session,
        profile,
        now,
        case,
        subject,
        deleted,
        "court_notice.deleted",
        "按法院协助执行通知书删除相关信用信息记录",
        "records deleted on the court's notice of assistance in enforcement",
    )
    return case


def _court_removable(db_session: Session, profile: Profile, now: datetime, subject: Subject) -> list[Listing]:
    """The subject's listings on the lists a court's notice removes from, on the list now."""
    section = list_rules.lists_of(profile)
    if section is None:
        return []
    names = [n for n in section.names() if "court" in section.get(n).removal.reasons]  # type: ignore[union-attr]
    rows = db_session.scalars(
        select(Listing)
        .where(
            Listing.jurisdiction == profile.id,
            Listing.subject_id == subject.id,
            Listing.list_name.in_(names),
        )
        .order_by(Listing.id)
    )
    return [
        r
        for r in rows
        if lists_service.view(db_session=db_session, profile=profile, now=now, listing=r).status
        == list_rules.State.listed.value
    ]


def plans_of(*, db_session: Session, jurisdiction: str, subject_id: int) -> list[rules.Plan]:
    """The subject's reorganization plans, ended or not (rules.excluded_from_adverse_use reads them)."""
    cases = db_session.scalars(
        select(MarkCase)
        .where(
            MarkCase.jurisdiction == jurisdiction,
            MarkCase.kind == "reorganization",
            MarkCase.subject_id == subject_id,
        )
        .order_by(MarkCase.id)
    )
    return [rules.Plan(c.plan_on or local_date(c.received_at), c.received_at, c.ended_at) for c in cases]


def excluded_records(
    *, db_session: Session, profile: Profile, now: datetime, subject_id: int, matter: str
) -> set[int]:
    """The subject's records that may not weigh against it for `matter` now (Shenzhen 第七十一条):
    every pre-plan record, whenever it was submitted. For the automatic check (自动比对)."""
    plans = plans_of(db_session=db_session, jurisdiction=profile.id, subject_id=subject_id)
    if not plans or profile.reorganization is None:
        return set()
    subject = _subject(db_session, subject_id)
    records = list(
        db_session.scalars(
            select(Record).where(Record.subject_id == subject_id, Record.jurisdiction == profile.id)
        )
    )
    events = records_service.events_of(db_session, [r.id for r in records])
    return {
        r.id
        for r in records
        if rules.excluded_from_adverse_use(
            records_service.facts_of(r, subject.kind, events[r.id]), matter, profile, now, plans
        )
    }


def mark_submitted_record(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, record: Record
) -> MarkCase | None:
    """A record that reaches the platform while its subject's plan is executed, decided before the
    court approved the plan, carries the plan's mark like the records marked on receipt (Shenzhen
    第六十九条, 第七十一条). Called when a record is submitted; returns the plan's case if it marked."""
    if profile.reorganization is None:
        return None
    case = _open_case(db_session, "reorganization", subject_id=record.subject_id)
    if case is None or case.plan_on is None or not rules.pre_plan(record.decided_on, case.plan_on):
        return None
    if record.id in case.data.get("records", []):
        return case  # already marked (submission marks it; a second call changes nothing)
    subject = _subject(db_session, record.subject_id)
    _record_event(
        db_session,
        profile,
        now,
        actor,
        case,
        record,
        subject,
        rules.REORGANIZATION,
        profile.reorganization.cite,
        document=case.data.get("document"),
        plan_on=case.plan_on.isoformat(),
    )
    case.data = {**case.data, "records": [*case.data.get("records", []), record.id]}
    db_session.flush()
    return case


def reorganizing(*, db_session: Session, jurisdiction: str, subject_id: int) -> bool:
    """Whether the subject's reorganization plan is being executed (for 第七十条 re-rating)."""
    return (
        db_session.scalar(
            select(MarkCase.id).where(
                MarkCase.jurisdiction == jurisdiction,
                MarkCase.kind == "reorganization",
                MarkCase.subject_id == subject_id,
                MarkCase.ended_at.is_(None),
            )
        )
        is not None
    )


def treated_as_new(*, db_session: Session, profile: Profile, subject_id: int) -> bool:
    """Shenzhen 第七十条: evaluators rate an enterprise executing its plan as newly established."""
    return rules.treated_as_new(
        profile,
        reorganizing=reorganizing(db_session=db_session, jurisdiction=profile.id, subject_id=subject_id),
    )


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class MarkView:
    case: MarkCase
    subject: Subject
    due: Deadline | None  # the platform's deadline where the profile sets one (computed now)
    done_at: datetime  # the platform acted when the request was recorded


def stage_of(profile: Profile, kind: str) -> Stage | None:
    match kind:
        case "withholding":
            return profile.withholding.within if profile.withholding else None
        case "reorganization":
            return profile.reorganization.mark if profile.reorganization else None
    return None


def view(*, db_session: Session, profile: Profile, case: MarkCase) -> MarkView:
    return MarkView(
        case=case,
        subject=_subject(db_session, case.subject_id),
        due=_due(db_session, stage_of(profile, case.kind), local_date(case.received_at)),
        done_at=case.received_at,
    )


def get_or_raise(*, db_session: Session, case_id: int, jurisdiction: str) -> MarkCase:
    case = db_session.get(MarkCase, case_id)
    if case is None or case.jurisdiction != jurisdiction:
        raise XinyongError("unknown_case", detail=str(case_id))
    return case


def list_cases(
    *,
    db_session: Session,
    profile: Profile,
    actor: Actor,
    kind: str | None = None,
    subject_id: int | None = None,
) -> list[MarkView]:
    stmt = select(MarkCase).where(MarkCase.jurisdiction == profile.id)
    if kind is not None:
        stmt = stmt.where(MarkCase.kind == kind)
    if actor.role is Role.subject:
        stmt = stmt.where(MarkCase.subject_id == actor.subject_id)
    elif actor.role is not Role.operator:
        raise XinyongError("not_allowed", detail="requests are read by their subject and operators")
    if subject_id is not None:
        stmt = stmt.where(MarkCase.subject_id == subject_id)
    return [
        view(db_session=db_session, profile=profile, case=c)
        for c in db_session.scalars(stmt.order_by(MarkCase.id))
    ]


def open_cases(*, db_session: Session, jurisdiction: str, now: datetime) -> list[CaseSummary]:
    """Pending contests (disclosure suspended until they end) and plans being executed.

    Both wait for an outside event (the review decision, the end of the plan), not for a deadline
    of the platform, so their `due` is None. Requests the platform carried out on receipt are done.
    """
    profile = profiles.get(jurisdiction)
    stmt = select(MarkCase).where(
        MarkCase.jurisdiction == jurisdiction,
        MarkCase.kind.in_(["contest", "reorganization"]),
        MarkCase.ended_at.is_(None),
    )
    out = []
    for case in db_session.scalars(stmt.order_by(MarkCase.id)):
        subject = _subject(db_session, case.subject_id)
        out.append(
            CaseSummary(
                ref=case.ref,
                kind=case.kind,
                jurisdiction=jurisdiction,
                subject=identifiers.mask(subject.identifier, subject.kind),
                handling_unit="platform",
                stage="suspended"
                if case.kind == "contest" and rules.contest_mark(profile) == rules.SUSPENDED
                else ("contested" if case.kind == "contest" else "plan_execution"),
                due=None,
                overdue=False,
                opened_at=case.received_at,
            )
        )
    return out
