"""Credit repair use cases: apply, extend, decide, re-review, read, list, the work queue.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`; they flush but never commit:
the caller owns the transaction, so a decision, its case event, the record event it causes, the
audit entries and the notices are saved together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from xinyong.core.workdays import WorkCalendar
from xinyong.lists import rules as list_rules
from xinyong.lists import service as lists_service
from xinyong.lists.models import Listing
from xinyong.measures import loader as measures_loader
from xinyong.notices.service import DueRule
from xinyong.queues.types import CaseSummary
from xinyong.records import rules as record_rules
from xinyong.records import service as records_service
from xinyong.records.models import Record, RecordEvent
from xinyong.rights.repair import notify, rules
from xinyong.rights.repair.models import RepairCase, RepairEvent
from xinyong.rights.repair.rules import RepairState
from xinyong.subjects.models import Subject

PLATFORM = "platform"  # the handling unit while the platform itself must act (复审)


# --------------------------------------------------------------------------- helpers


def _refuse(verdict: rules.Verdict, field: str | None = None) -> XinyongError:
    assert verdict.code is not None
    return XinyongError(verdict.code, detail=verdict.detail, cite=verdict.cite, field=field)


def _subject(db_session: Session, subject_id: int) -> Subject:
    subject = db_session.get(Subject, subject_id)
    assert subject is not None
    return subject


def record_facts(db_session: Session, record: Record) -> tuple[record_rules.RecordFacts, dict[str, Any]]:
    """The record's facts for the rules and its data as corrected (the provider's flags live there)."""
    events = records_service.events_of(db_session, [record.id])[record.id]
    facts = records_service.facts_of(record, _subject(db_session, record.subject_id).kind, events)
    changes = [e.data.get("changes", {}) for e in events if e.kind == record_rules.CORRECTED and e.data]
    data = record_rules.current_data(record.data or {}, changes) if changes else dict(record.data or {})
    return facts, data


def get_or_raise(*, db_session: Session, case_id: int, jurisdiction: str | None = None) -> RepairCase:
    case = db_session.get(RepairCase, case_id)
    if case is None or (jurisdiction is not None and case.jurisdiction != jurisdiction):
        raise XinyongError("unknown_case", detail=f"REP-{case_id}", field="repair")
    return case


def _event(
    db_session: Session, case: RepairCase, now: datetime, actor: Actor, kind: str, **data: Any
) -> None:
    db_session.add(
        RepairEvent(case_id=case.id, kind=kind, at=now, actor=actor.username, version=case.version, data=data)
    )
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=case.jurisdiction,
        actor=actor.username,
        action=f"repair.{kind}",
        subject_id=_subject(db_session, case.subject_id).identifier,
        record_ids=[str(case.record_id)] if case.record_id else [],
        details={"case": case.ref, "state": case.state, "version": case.version, **data},
    )
    db_session.flush()


def _move(db_session: Session, case: RepairCase, from_states: Sequence[RepairState], **values: Any) -> None:
    """Change the case only if nobody else changed it since it was read (optimistic, by `version`).

    PostgreSQL: a concurrent UPDATE waits for the first transaction, then finds the version moved and
    matches no row. SQLite: the second writer waits for the database lock, then matches no row, or is
    told the database is locked. Either way the second officer gets `conflict` and nothing of theirs
    is saved.
    """
    stmt = (
        update(RepairCase)
        .where(
            RepairCase.id == case.id,
            RepairCase.version == case.version,
            RepairCase.state.in_([s.value for s in from_states]),
        )
        .values(version=RepairCase.version + 1, **values)
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


def _check_open(case: RepairCase, *allowed: RepairState) -> None:
    state = RepairState(case.state)
    if state not in rules.OPEN_STATES:
        raise XinyongError("case_closed", detail=f"{case.ref} is {state.value}")
    if state not in allowed:
        raise XinyongError("wrong_stage", detail=f"{case.ref} is {state.value}")


def _require_decider(actor: Actor, case: RepairCase) -> None:
    """The deciding unit is the record's provider, or for a listing its determining body (R-REP-04);
    an operator may act for the platform."""
    if actor.role is Role.operator:
        return
    if actor.role is Role.provider and actor.organization == case.handling_unit:
        return
    if actor.role is Role.government and case.listing_id and actor.organization == case.handling_unit:
        return
    raise XinyongError("not_allowed", detail=f"{case.ref} is decided by {case.handling_unit}")


# --------------------------------------------------------------------------- apply


def apply(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    record_id: int | None,
    measures: Sequence[str] = (),
    commitment: dict[str, Any] | None = None,
    implementing_units: Sequence[str] = (),
    listing_id: int | None = None,
) -> RepairCase:
    """A subject's repair application against one of its records or one of its listings; accepted
    (受理) at once or refused."""
    if listing_id is not None and record_id is not None:
        raise XinyongError("invalid_request", field="listing", detail="a record or a listing, not both")
    if listing_id is not None:
        return _apply_listing(
            db_session=db_session,
            profile=profile,
            now=now,
            actor=actor,
            listing_id=listing_id,
            measures=measures,
            commitment=commitment,
            implementing_units=implementing_units,
        )
    if record_id is None:
        raise XinyongError("missing_field", field="record")
    record = records_service.get_or_raise(db_session=db_session, record_id=record_id, jurisdiction=profile.id)
    if actor.role not in (Role.subject, Role.operator):
        raise XinyongError("not_allowed", detail="the subject applies for its own repair")
    facts, data = record_facts(db_session, record)
    open_case = (
        db_session.scalar(
            select(RepairCase.id).where(
                RepairCase.record_id == record.id, RepairCase.state.in_([s.value for s in rules.OPEN_STATES])
            )
        )
        is not None
    )
    verdict = rules.eligibility(
        facts,
        data,
        profile,
        now,
        applicant_is_subject=actor.role is Role.operator or actor.subject_id == record.subject_id,
        open_case=open_case,
    )
    if not verdict.ok:
        raise _refuse(verdict, field="record")
    return _open(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject_id=record.subject_id,
        handling_unit=record.provider,
        record_id=record.id,
        listing_id=None,
        measures=measures,
        commitment=commitment,
        implementing_units=implementing_units,
    )


def _open(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject_id: int,
    handling_unit: str,
    record_id: int | None,
    listing_id: int | None,
    measures: Sequence[str],
    commitment: dict[str, Any] | None,
    implementing_units: Sequence[str],
) -> RepairCase:
    """Check the measures, save the accepted case, tell the deciding unit."""
    assert profile.repair is not None
    measures = list(dict.fromkeys(str(m) for m in measures))
    verdict = rules.measures_verdict(measures, profile)
    if not verdict.ok:
        raise _refuse(verdict, field="measures")
    letter = dict(commitment) if commitment else None
    published = now if profile.repair.commitment_published and "commitment_letter" in measures else None
    case = RepairCase(
        jurisdiction=profile.id,
        subject_id=subject_id,
        record_id=record_id,
        listing_id=listing_id,
        applicant=actor.username,
        handling_unit=handling_unit,
        state=RepairState.received.value,
        measures=measures,
        commitment=letter,
        commitment_published_at=published,
        implementing_units=[str(u) for u in implementing_units],
        received_at=now,
        version=1,
    )
    db_session.add(case)
    db_session.flush()
    _event(
        db_session,
        case,
        now,
        actor,
        "filed",
        measures=measures,
        commitment=letter,
        published=published is not None,
        **({"listing": listing_id} if listing_id is not None else {}),
    )
    received = local_date(now)
    decision = _rule(
        profile.repair.decision if profile.repair else None,
        dict.fromkeys(("received", "accepted", "materials_received"), received),
    )
    notify.send(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipients=[case.handling_unit],
        recipient_kind="provider",
        kind="repair.received",
        subject_id=case.subject_id,
        case_ref=case.ref,
        zh=f"信用修复申请 {case.ref} 已受理，请在期限内作出修复决定",
        en=f"repair application {case.ref} accepted; decide it by the due date",
        due=decision,
    )
    return case


def _listing_target(
    db_session: Session, profile: Profile, now: datetime, listing: Listing
) -> rules.ListingTarget:
    spec = list_rules.spec_of(profile, listing.list_name)
    state = lists_service.view(db_session=db_session, profile=profile, now=now, listing=listing).status
    return rules.ListingTarget(
        list=listing.list_name,
        kind=spec.kind,
        state=state,
        repair_cite=spec.removal.reasons.get("repair"),  # type: ignore[call-overload]
        removal_cite=spec.removal.cite,
    )


def _open_basis(db_session: Session, profile: Profile, now: datetime, listing: Listing) -> list[Record]:
    """The listing's basis records that still need repairing: in their period and not yet repaired."""
    out = []
    today = local_date(now)
    for record_id in listing.basis_record_ids or ():
        record = db_session.get(Record, int(record_id))
        if record is None:
            continue
        facts, _data = record_facts(db_session, record)
        state = record_rules.state(facts, profile, now, today)
        if state is record_rules.State.active and "repaired" not in record_rules.marks(facts, now, today):
            out.append(record)
    return out


def _open_case_on(
    db_session: Session, *, record_id: int | None = None, listing_id: int | None = None
) -> bool:
    stmt = select(RepairCase.id).where(RepairCase.state.in_([s.value for s in rules.OPEN_STATES]))
    if record_id is not None:
        stmt = stmt.where(RepairCase.record_id == record_id)
    if listing_id is not None:
        stmt = stmt.where(RepairCase.listing_id == listing_id)
    return db_session.scalar(stmt.limit(1)) is not None


def _apply_listing(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    listing_id: int,
    measures: Sequence[str],
    commitment: dict[str, Any] | None,
    implementing_units: Sequence[str],
) -> RepairCase:
    """The listed subject asks to be repaired off a list (Shenzhen 第六十三条第一款, Jilin 第三十八条第三款,
    Henan 第三十七条第二款). The determining body (认定机关) decides; on the `basis` route (Jilin) each
    basis record must itself be repairable now."""
    listing = lists_service.get_or_raise(
        db_session=db_session, listing_id=listing_id, jurisdiction=profile.id
    )
    if actor.role not in (Role.subject, Role.operator):
        raise XinyongError("not_allowed", detail="the listed subject applies for its own repair")
    target = _listing_target(db_session, profile, now, listing)
    basis: list[rules.Verdict] = []
    if rules.listing_route(profile) == "basis" and target.kind == "sanction":
        for record in _open_basis(db_session, profile, now, listing):
            facts, data = record_facts(db_session, record)
            basis.append(
                rules.eligibility(
                    facts,
                    data,
                    profile,
                    now,
                    applicant_is_subject=True,
                    open_case=_open_case_on(db_session, record_id=record.id),
                )
            )
    verdict = rules.listing_eligibility(
        target,
        profile,
        applicant_is_subject=actor.role is Role.operator or actor.subject_id == listing.subject_id,
        open_case=_open_case_on(db_session, listing_id=listing.id),
        basis=basis,
    )
    if not verdict.ok:
        raise _refuse(verdict, field="listing")
    return _open(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject_id=listing.subject_id,
        handling_unit=listing.determining_body,
        record_id=None,
        listing_id=listing.id,
        measures=measures,
        commitment=commitment,
        implementing_units=implementing_units,
    )


# --------------------------------------------------------------------------- extend, decide, review


def extend(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    reason: str | None = None,
) -> RepairCase:
    """An approved extension of the decision time in a complex case (Shenzhen 第六十五条: to 10 WD)."""
    case = get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    _require_decider(actor, case)
    _check_open(case, RepairState.received)
    decision = profile.repair.decision if profile.repair else None
    if decision is None or decision.extendable_to is None:
        raise XinyongError("not_eligible", detail="the profile allows no extension of the repair decision")
    if case.extended_at is not None:
        raise XinyongError(
            "extension_exceeds_cap", detail=f"{case.ref} is already extended", cite=decision.cite
        )
    _move(db_session, case, [RepairState.received], extended_at=now)
    _event(db_session, case, now, actor, "extended", reason=reason, cite=decision.cite)
    return case


def decide(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    outcome: str,
    reason: str | None = None,
    ground: str | None = None,
    implementing_units: Sequence[str] = (),
) -> RepairCase:
    """The deciding unit's decision. An approval that the platform must re-review (Jilin 第三十八条: 复审)
    waits for it; any other decision is final, and an approval repairs the record at once."""
    if outcome not in ("approved", "denied"):
        raise XinyongError("invalid_field", field="outcome", detail="approved or denied")
    case = get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    _require_decider(actor, case)
    _check_open(case, RepairState.received)
    assert profile.repair is not None
    if ground is not None and ground not in profile.repair.refusal_grounds:
        raise XinyongError(
            "invalid_field", field="ground", detail=f"{ground!r} is not a ground the profile names"
        )
    state = rules.after_decision(
        outcome, re_review=profile.repair.re_review is not None, by_platform=actor.role is Role.operator
    )
    units = list(dict.fromkeys([*case.implementing_units, *map(str, implementing_units)]))
    final = state is not RepairState.under_review
    _move(
        db_session,
        case,
        [RepairState.received],
        state=state.value,
        decided_at=now,
        decided_by=actor.username,
        reason=reason,
        implementing_units=units,
        closed_at=now if final else None,
    )
    _event(db_session, case, now, actor, "decided", outcome=outcome, reason=reason, ground=ground)
    if final:
        _close(db_session, profile, now, actor, case)
    return case


def review(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case_id: int,
    outcome: str,
    reason: str | None = None,
) -> RepairCase:
    """The platform's 复审 of an approval (Jilin 第三十八条第二款): passed → repaired; failed → denied."""
    if outcome not in ("passed", "failed"):
        raise XinyongError("invalid_field", field="outcome", detail="passed or failed")
    actor.require(Role.operator)
    case = get_or_raise(db_session=db_session, case_id=case_id, jurisdiction=profile.id)
    _check_open(case, RepairState.under_review)
    state = RepairState.approved if outcome == "passed" else RepairState.denied
    _move(
        db_session,
        case,
        [RepairState.under_review],
        state=state.value,
        reviewed_at=now,
        reviewed_by=actor.username,
        closed_at=now,
        reason=reason if state is RepairState.denied else case.reason,
    )
    _event(db_session, case, now, actor, "reviewed", outcome=outcome, reason=reason)
    _close(db_session, profile, now, actor, case)
    return case


def _close(db_session: Session, profile: Profile, now: datetime, actor: Actor, case: RepairCase) -> None:
    """Effects of a final decision: the record event, and the notices each unit is owed."""
    assert profile.repair is not None
    subject = _subject(db_session, case.subject_id)
    approved = case.state == RepairState.approved.value
    word_zh, word_en = ("准予修复", "approved") if approved else ("不予修复", "denied")
    notify.send(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipients=[subject.identifier],
        recipient_kind="applicant",
        kind=f"repair.{word_en}",
        subject_id=subject.id,
        case_ref=case.ref,
        zh=f"信用修复申请 {case.ref}：{word_zh}" + (f"（理由：{case.reason}）" if case.reason else ""),
        en=f"repair application {case.ref}: {word_en}"
        + (f" (reasons: {case.reason})" if case.reason else ""),
    )
    if actor.role is Role.operator:
        # the platform decided or re-reviewed: the provider learns the result (R-REP-04)
        notify.send(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipients=[case.handling_unit],
            recipient_kind="provider",
            kind=f"repair.{word_en}",
            subject_id=subject.id,
            case_ref=case.ref,
            zh=f"信用修复 {case.ref}：{word_zh}",
            en=f"repair {case.ref}: {word_en}",
        )
    if not approved:
        return
    if profile.repair.adjusts_evaluation:
        _evaluation_notice(db_session, profile, now, case, subject)
    if case.listing_id is not None:
        _close_listing(db_session, profile, now, actor, case, subject)
        return
    if case.record_id is None:
        return
    record = records_service.get_or_raise(db_session=db_session, record_id=case.record_id)
    _repair_record(db_session, profile, now, actor, case, subject, record)


def _repair_record(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    case: RepairCase,
    subject: Subject,
    record: Record,
) -> None:
    """The record's `repaired` event and the notices the repair of one record owes."""
    assert profile.repair is not None
    event = RecordEvent(
        record_id=record.id,
        kind="repaired",
        at=now,
        actor=actor.username,
        reason=case.reason,
        data={"case": case.ref, "measures": case.measures, "effect": profile.repair.effect},
    )
    db_session.add(event)
    db_session.flush()
    stops = record_rules.repair_stops_disclosure(profile)
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="record.repaired",
        subject_id=subject.identifier,
        record_ids=[str(record.id)],
        details={"case": case.ref, "effect": profile.repair.effect, "cite": profile.repair.effect_cite},
    )
    what_zh = "已停止公开和共享" if stops else "已标注为已修复"
    what_en = "no longer disclosed or shared" if stops else "marked as repaired"
    starts = notify.day_starts(local_date(now))
    on_mark = profile.notices.sharing_units_on_mark if profile.notices else None
    notify.send(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipients=notify.sharing_units(
            db_session=db_session,
            jurisdiction=profile.id,
            subject_identifier=subject.identifier,
            record_id=record.id,
        ),
        recipient_kind="sharing_unit",
        kind="repair.approved",
        subject_id=subject.id,
        case_ref=case.ref,
        zh=f"信用信息（记录 {record.id}）经信用修复{what_zh}",
        en=f"record {record.id} was repaired: {what_en}",
        due=_rule(on_mark, starts),
        extra={"record": record.id, "effect": profile.repair.effect, "cite": profile.repair.effect_cite},
    )
    stop_use = profile.notices.downstream_stop_use if profile.notices else None
    if stops and stop_use is not None:
        # Jiangsu 第六十七条: units that collected or used it stop using it and take it down
        notify.send(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipients=notify.sharing_units(
                db_session=db_session,
                jurisdiction=profile.id,
                subject_identifier=subject.identifier,
                record_id=record.id,
                channels=("authorized",),
            ),
            recipient_kind="sharing_unit",
            kind="repair.stop_use",
            subject_id=subject.id,
            case_ref=case.ref,
            zh=f"记录 {record.id} 经信用修复停止公示，请停止使用并撤除",
            en=f"record {record.id} is no longer published after repair: stop using it and take it down",
            due=_rule(stop_use, starts),
            extra={"record": record.id, "cite": stop_use.cite},
        )
    if profile.repair.notifies_implementers:
        notify.send(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipients=list(case.implementing_units),
            recipient_kind="implementing_unit",
            kind="repair.approved",
            subject_id=subject.id,
            case_ref=case.ref,
            zh=f"信用主体已完成信用修复（记录 {record.id}），请停止据此采取的相应惩戒措施",
            en=f"the subject's record {record.id} was repaired; stop the measures taken on it",
            extra={"record": record.id, "cite": profile.repair.cite},
        )


def _close_listing(
    db_session: Session, profile: Profile, now: datetime, actor: Actor, case: RepairCase, subject: Subject
) -> None:
    """An approved listing repair: on the `basis` route (Jilin 第三十八条) the basis records are marked
    repaired first; then the listing is removed with reason `repair` through the lists (which
    sends the removal announcement where the list has one, Henan 第三十七条第三款), and where the
    profile says so the units implementing the list's measures are told to stop (Shenzhen
    第六十六条第三项)."""
    assert profile.repair is not None and case.listing_id is not None
    listing = lists_service.get_or_raise(db_session=db_session, listing_id=case.listing_id)
    if rules.listing_route(profile) == "basis":
        for record in _open_basis(db_session, profile, now, listing):
            _repair_record(db_session, profile, now, actor, case, subject, record)
    state = lists_service.view(db_session=db_session, profile=profile, now=now, listing=listing).status
    if state != list_rules.State.listed.value:
        # it left the list meanwhile (expired, revoked, removed): nothing left to remove
        _event(db_session, case, now, actor, "listing_gone", listing=listing.id, state=state)
        return
    lists_service.remove(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        listing_id=listing.id,
        reason="repair",
        note=case.ref,
    )
    if not profile.repair.notifies_implementers:
        return
    units = [*case.implementing_units, *implementing_units(db_session, profile, now, listing)]
    spec = list_rules.spec_of(profile, listing.list_name)
    notify.send(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipients=units,
        recipient_kind="implementing_unit",
        kind="repair.stop_measures",
        subject_id=subject.id,
        case_ref=case.ref,
        zh=f"信用主体经信用修复已移出{spec.name}（{listing.ref}），请停止采取相应惩戒措施",
        en=f"the subject was repaired off the {listing.list_name} list ({listing.ref}); stop the measures",
        extra={"listing": listing.id, "list": listing.list_name, "cite": profile.repair.listings_cite},
    )


def implementing_units(db_session: Session, profile: Profile, now: datetime, listing: Listing) -> list[str]:
    """实施主体 of the sanction measures in force that target this listing's list and relate to its
    ground (the measures lists, src/xinyong/measures/data/<profile>.toml and loaded local lists)."""
    today = local_date(now)
    units: list[str] = []
    for listed in measures_loader.measure_set(
        db_session=db_session, profile=profile, day=today
    ).measures.values():
        m = listed.measure
        if m.kind != "sanction" or listing.list_name not in m.targets.lists or not listed.in_force(today):
            continue
        grounds = m.relates_to.grounds
        if grounds != "any" and listing.ground not in grounds:
            continue
        units += m.implementing_units
    return list(dict.fromkeys(units))


def _evaluation_notice(
    db_session: Session, profile: Profile, now: datetime, case: RepairCase, subject: Subject
) -> None:
    """Shenzhen 第六十六条第二项 (调整信用主体的信用评价等级): the platform makes no evaluation of its
    own; where the subject has an `evaluation` record in its period, its provider (the evaluating
    unit) is told of the repair so it adjusts the grade."""
    rows = list(
        db_session.scalars(
            select(Record).where(
                Record.jurisdiction == profile.id,
                Record.subject_id == subject.id,
                Record.item == "evaluation",
            )
        )
    )
    events = records_service.events_of(db_session, [r.id for r in rows])
    today = local_date(now)
    providers = [
        r.provider
        for r in rows
        if record_rules.state(records_service.facts_of(r, subject.kind, events[r.id]), profile, now, today)
        is record_rules.State.active
    ]
    notify.send(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipients=providers,
        recipient_kind="provider",  # the evaluating unit provided the result
        kind="repair.adjust_evaluation",
        subject_id=subject.id,
        case_ref=case.ref,
        zh=f"信用主体已完成信用修复（{case.ref}），请调整其信用评价等级",
        en=f"the subject was repaired ({case.ref}); adjust its credit evaluation grade",
        extra={"cite": profile.repair.cite if profile.repair else None},
    )


# --------------------------------------------------------------------------- reading


@dataclass
class CaseView:
    case: RepairCase
    subject: Subject
    record: Record | None
    stages: list[rules.StageView]
    waiting: rules.StageView | None
    events: list[RepairEvent] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(s.overdue for s in self.stages)


def _calendar(db_session: Session) -> WorkCalendar:
    return calendar_service.get_calendar(db_session=db_session)


def case_facts(case: RepairCase, record: Record | None) -> rules.CaseFacts:
    return rules.CaseFacts(
        state=RepairState(case.state),
        received_at=case.received_at,
        record_decided=record.decided_on if record else None,
        record_effective=record.effective_on if record else None,
        extended=case.extended_at is not None,
        decided_at=case.decided_at,
        reviewed_at=case.reviewed_at,
        approved=case.state == RepairState.approved.value,
        closed_at=case.closed_at,
    )


def _rule(stage: Stage | None, starts: Mapping[str, date | None]) -> DueRule | None:
    """A notice's due day as a rule computed when read: the stage's period from the day its event
    happened (None: the event has not happened, or the text sets no day)."""
    start = starts.get(stage.from_) if stage is not None else None
    return DueRule.of(stage, start) if stage is not None and start is not None else None


def view(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    case: RepairCase,
    calendar: WorkCalendar | None = None,
) -> CaseView:
    """The case with every stage's due date and overdue flag, computed now (never stored)."""
    record = db_session.get(Record, case.record_id) if case.record_id else None
    stages = rules.stages(case_facts(case, record), profile, calendar or _calendar(db_session), now)
    events = list(
        db_session.scalars(select(RepairEvent).where(RepairEvent.case_id == case.id).order_by(RepairEvent.id))
    )
    return CaseView(
        case=case,
        subject=_subject(db_session, case.subject_id),
        record=record,
        stages=stages,
        waiting=rules.waiting_for(stages),
        events=events,
    )


def list_cases(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    open_only: bool = False,
) -> list[CaseView]:
    """Cases of a jurisdiction, by what they wait for (overdue first, then by due date).

    A provider sees the cases it decides; a subject its own; an operator every case.
    """
    stmt = select(RepairCase).where(RepairCase.jurisdiction == profile.id)
    if state is not None:
        stmt = stmt.where(RepairCase.state == RepairState(state).value)
    if open_only:
        stmt = stmt.where(RepairCase.state.in_([s.value for s in rules.OPEN_STATES]))
    if actor is not None:
        match actor.role:
            case Role.operator:
                pass
            case Role.provider:
                stmt = stmt.where(RepairCase.handling_unit == actor.organization)
            case Role.subject:
                stmt = stmt.where(RepairCase.subject_id == actor.subject_id)
            case _:
                raise XinyongError(
                    "not_allowed", detail="repair cases are read by their parties and operators"
                )
    calendar = _calendar(db_session)
    views = [
        view(db_session=db_session, profile=profile, now=now, case=c, calendar=calendar)
        for c in db_session.scalars(stmt.order_by(RepairCase.id))
    ]
    if overdue is not None:
        views = [v for v in views if v.overdue == overdue]
    return sorted(views, key=_queue_key)


def _queue_key(v: CaseView) -> tuple[bool, Any, int]:
    due = v.waiting.due if v.waiting and v.waiting.due else None
    return (not v.overdue, due or date.max, v.case.id)


def open_cases(*, db_session: Session, jurisdiction: str, now: datetime) -> list[CaseSummary]:
    """Open repair cases for the work queues (xinyong.queues)."""
    profile = profiles.get(jurisdiction)
    out = []
    for v in list_cases(db_session=db_session, profile=profile, now=now, open_only=True):
        waiting = v.waiting
        out.append(
            CaseSummary(
                ref=v.case.ref,
                kind="repair",
                jurisdiction=jurisdiction,
                subject=identifiers.mask(v.subject.identifier, v.subject.kind),
                handling_unit=PLATFORM
                if v.case.state == RepairState.under_review.value
                else v.case.handling_unit,
                stage=waiting.name if waiting else v.case.state,
                due=(waiting.due, waiting.provisional) if waiting and waiting.due else None,
                overdue=v.overdue,
                opened_at=v.case.received_at,
            )
        )
    return out


@dataclass(frozen=True)
class PublishedCommitment:
    """A 信用修复承诺书 as the public sees it (Shenzhen 第六十四条第二款: 予以公示)."""

    case: str
    subject: str
    subject_name: str
    record: int | None
    item: str | None
    document: str | None
    measures: list[str]
    commitment: dict[str, Any] | None
    published_at: datetime
    state: str


def published_commitments(
    *, db_session: Session, profile: Profile, subject: Subject
) -> list[PublishedCommitment]:
    """The commitment letters of a subject's repair cases the profile publishes; natural persons masked."""
    stmt = (
        select(RepairCase)
        .where(
            RepairCase.jurisdiction == profile.id,
            RepairCase.subject_id == subject.id,
            RepairCase.commitment_published_at.is_not(None),
        )
        .order_by(RepairCase.id)
    )
    masked = record_rules.masked(subject.kind, profile, record_rules.Channel.public)
    out = []
    for case in db_session.scalars(stmt):
        record = db_session.get(Record, case.record_id) if case.record_id else None
        assert case.commitment_published_at is not None
        out.append(
            PublishedCommitment(
                case=case.ref,
                subject=identifiers.mask(subject.identifier, subject.kind) if masked else subject.identifier,
                subject_name=identifiers.mask_name(subject.name, subject.kind) if masked else subject.name,
                record=record.id if record else None,
                item=record.item if record else None,
                document=record.document if record else None,
                measures=list(case.measures),
                commitment=case.commitment,
                published_at=case.commitment_published_at,
                state=case.state,
            )
        )
    return out
