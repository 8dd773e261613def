"""Commitments: make, verify (kept / broken), read, the matters list and route eligibility.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`, flush but never commit: the
caller (API request, CLI command, scenario step) owns the transaction, so a commitment, the record
its outcome becomes and the audit entry are saved together or not at all.

Records go through `records.service.submit` like any provider's record: provider = the accepting
unit, decided on the day of the event, document = the verification document. The platform records
them on the unit's behalf, so a government unit or an operator verifying still files them under the
unit's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.checks.standing import standing_of
from xinyong.commitments import rules
from xinyong.commitments.models import Commitment, CommitmentEvent, CommitmentMatter
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.core.profile_commitments import Fine, Measure
from xinyong.records import service as records_service
from xinyong.subjects.models import Subject

UNIT_ROLES = (Role.provider, Role.government)  # units accept and verify commitments in their own name


# --------------------------------------------------------------------------- matters list


def matters_in_force(*, db_session: Session, profile: Profile) -> dict[str, list[str]]:
    """The commitment matters list: the profile's matters, then those an operator added (not withdrawn)."""
    sec = rules.section(profile)
    out = {code: list(m.kinds) for code, m in sec.matters.items()}
    for row in db_session.scalars(
        select(CommitmentMatter)
        .where(CommitmentMatter.jurisdiction == profile.id, CommitmentMatter.withdrawn_at.is_(None))
        .order_by(CommitmentMatter.id)
    ):
        out.setdefault(row.code, [])
        out[row.code] = sorted(set(out[row.code]) | set(row.kinds))
    return out


def added_matters(*, db_session: Session, profile: Profile) -> list[CommitmentMatter]:
    return list(
        db_session.scalars(
            select(CommitmentMatter)
            .where(CommitmentMatter.jurisdiction == profile.id)
            .order_by(CommitmentMatter.id)
        )
    )


def add_matter(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    code: str,
    name: str,
    kinds: Sequence[str],
    basis: str,
) -> CommitmentMatter:
    """An operator puts a published matter on the list (Jiangsu 第二十三条 清单制; Jilin 第五十一条 公布)."""
    actor.require(Role.operator)
    actor.require_jurisdiction(profile.id)
    sec = rules.section(profile)
    code, name, basis = code.strip(), name.strip(), basis.strip()
    for key, value in (("code", code), ("name", name), ("basis", basis)):
        if not value:
            raise XinyongError("missing_field", field=key)
    if not kinds:
        raise XinyongError("missing_field", field="kinds")
    for kind in kinds:
        if kind not in rules.ROUTE_KINDS or kind not in sec.kinds:
            raise XinyongError(
                "invalid_field", field="kinds", detail=f"{kind!r} is not a route here", cite=sec.cite
            )
    if code in matters_in_force(db_session=db_session, profile=profile):
        raise XinyongError("conflict", field="code", detail=f"{code} is already on the list")
    row = CommitmentMatter(
        jurisdiction=profile.id,
        code=code,
        name=name,
        kinds=sorted(set(kinds)),
        basis=basis,
        added_at=now,
        added_by=actor.username,
    )
    db_session.add(row)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="commitment.matter_added",
        details={"code": code, "name": name, "kinds": row.kinds, "basis": basis, "cite": sec.matters_cite},
    )
    return row


def withdraw_matter(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, code: str
) -> CommitmentMatter:
    """Take an operator-added matter off the list (the profile's own matters change with the file)."""
    actor.require(Role.operator)
    actor.require_jurisdiction(profile.id)
    row = db_session.scalars(
        select(CommitmentMatter).where(
            CommitmentMatter.jurisdiction == profile.id,
            CommitmentMatter.code == code,
            CommitmentMatter.withdrawn_at.is_(None),
        )
    ).first()
    if row is None:
        raise XinyongError(
            "not_found", field="code", detail=f"{code} is not an operator-added matter in force"
        )
    row.withdrawn_at, row.withdrawn_by = now, actor.username
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="commitment.matter_withdrawn",
        details={"code": code},
    )
    return row


# --------------------------------------------------------------------------- standing and eligibility


def standing(*, db_session: Session, profile: Profile, now: datetime, subject_id: int) -> rules.Standing:
    """The subject's standing for the route rules: the check's standing (`checks.standing`) and broken
    commitments."""
    found = standing_of(db_session, profile=profile, subject_ids=[subject_id], now=now).get(subject_id)
    if found is None:
        dishonest, general, severe, has_dishonest = (), False, False, False
    else:
        # 无失信信息记录 (Nanjing 第四十五条): records exempt from punishment still are records
        dishonest = tuple(found.dishonest_record_ids) + tuple(found.exempt_record_ids)
        general = found.general_dishonest
        severe = any(listing.list == "severe" for listing in found.listings)
        has_dishonest = not found.no_dishonest_record
    broken = tuple(
        db_session.scalars(
            select(Commitment.id).where(
                Commitment.jurisdiction == profile.id,
                Commitment.subject_id == subject_id,
                Commitment.state == rules.State.broken,
            )
        )
    )
    return rules.Standing(
        dishonest_record_ids=dishonest,
        dishonest=has_dishonest,
        general_dishonest=general,
        severe_listed=severe,
        broken_commitment_ids=broken,
    )


def eligibility(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    subject_id: int,
    matter: str,
    kind: str = "notification",
) -> rules.Eligibility:
    """May the subject use the commitment route `kind` (告知承诺 by default) for `matter`? (R-CMT-02)"""
    sec = rules.section(profile)
    return rules.eligibility(
        sec,
        matter=matter,
        kind=kind,
        matters=matters_in_force(db_session=db_session, profile=profile),
        standing=standing(db_session=db_session, profile=profile, now=now, subject_id=subject_id),
    )


# --------------------------------------------------------------------------- making


def make(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject_id: int,
    kind: str,
    matter: str,
    unit: str,
    content: rules.Content,
    public: bool = False,
    area: str | None = None,
) -> Commitment:
    """Record a commitment (R-CMT-01, R-CMT-03).

    The accepting unit records it in its own name (an operator may name any unit); a subject may
    make a public commitment of its own. A route commitment (告知承诺, 容缺受理) needs a listed matter
    and a subject the route is open to: refused with `not_eligible` and every reason otherwise.
    """
    actor.require_jurisdiction(profile.id)
    sec = rules.section(profile)
    unit = (unit or "").strip()
    matter = (matter or "").strip()
    if not unit:
        raise XinyongError("missing_field", field="unit")
    if not matter:
        raise XinyongError("missing_field", field="matter")
    if actor.role in UNIT_ROLES:
        if actor.organization != unit:
            raise XinyongError(
                "not_allowed", field="unit", detail=f"{actor.organization} cannot accept for {unit}"
            )
    elif actor.role is Role.subject:
        if actor.subject_id != subject_id or kind != "public":
            raise XinyongError("not_allowed", detail="a subject makes public commitments of its own only")
    else:
        actor.require(Role.operator)
    subject = db_session.get(Subject, subject_id)
    if subject is None:
        raise XinyongError("unknown_subject", field="subject", detail=str(subject_id))
    if area is not None and area not in rules.AREAS:
        raise XinyongError("invalid_field", field="area", detail=f"{area!r}; one of {', '.join(rules.AREAS)}")
    made_on = local_date(now)
    errors = rules.check_content(sec, kind, content, made_on)
    if errors:
        first = errors[0]
        if len(errors) > 1:
            first.extra = {"errors": [e.as_dict() for e in errors]}
        raise first
    if kind in rules.ROUTE_KINDS:
        verdict = eligibility(
            db_session=db_session, profile=profile, now=now, subject_id=subject_id, matter=matter, kind=kind
        )
        if not verdict.eligible:
            first_reason = verdict.reasons[0]
            raise XinyongError(
                "not_eligible",
                field="matter" if first_reason.code == "matter_not_listed" else "subject",
                detail=", ".join(r.code for r in verdict.reasons),
                cite=first_reason.cite,
                extra={"reasons": [reason_dict(r) for r in verdict.reasons]},
            )
    is_public, public_cite = rules.publicity(sec, kind, public, area)
    commitment = Commitment(
        jurisdiction=profile.id,
        subject_id=subject_id,
        kind=kind,
        matter=matter,
        unit=unit,
        made_on=made_on,
        made_at=now,
        made_by=actor.username,
        text=(content.text or "").strip(),
        breach_consequences=content.breach_consequences,
        accepts_constraints=content.accepts_constraints,
        area=area,
        public_requested=public,
        public=is_public,
        public_cite=public_cite,
        due=content.due,
        state=rules.State.open,
    )
    db_session.add(commitment)
    db_session.flush()
    record_ids: list[int] = []
    if sec.record_made is not None:
        record = _submit(
            db_session,
            profile,
            now,
            actor,
            commitment,
            subject,
            item=sec.record_made,
            severity=None,
            event="made",
            document=None,
        )
        commitment.made_record_id = record.id
        record_ids.append(record.id)
    _event(
        db_session,
        now,
        actor,
        commitment,
        "made",
        None,
        record_ids,
        {"cite": sec.record_made_cite or sec.cite},
    )
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="commitment.made",
        subject_id=subject.identifier,
        record_ids=[str(i) for i in record_ids],
        details={
            "commitment": commitment.id,
            "kind": kind,
            "matter": matter,
            "unit": unit,
            "public": is_public,
        },
    )
    return commitment


# --------------------------------------------------------------------------- verification


def verify(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    commitment_id: int,
    outcome: str,
    serious: bool = False,
    finding: str | None = None,
    document: str | None = None,
) -> Commitment:
    """Record the verification of a commitment: kept or broken (R-CMT-04, R-CMT-05).

    The outcome becomes the record the profile says (Jiangsu 第三十六条第二项, Shenzhen 第十八条,
    Nanjing 第二十三条第一款第四项, Jilin 第十二条第三项 / 第十三条第十一项, Henan 第三十三条第八项);
    where the profile is silent, the commitment alone carries the outcome.
    """
    actor.require_jurisdiction(profile.id)
    sec = rules.section(profile)
    commitment = get_or_raise(db_session=db_session, commitment_id=commitment_id, jurisdiction=profile.id)
    if actor.role in UNIT_ROLES:
        if actor.organization != commitment.unit:
            raise XinyongError("not_allowed", detail=f"only {commitment.unit} verifies this commitment")
    else:
        actor.require(Role.operator)
    before = commitment.state
    after = rules.next_state(before, outcome)
    rule = rules.outcome_rule(
        sec, kind=commitment.kind, public=commitment.public, outcome=after, serious=serious
    )
    subject = db_session.get(Subject, commitment.subject_id)
    assert subject is not None
    commitment.state = after
    commitment.verified_at = now
    commitment.verified_by = actor.username
    commitment.verifier_unit = actor.organization or commitment.unit
    commitment.finding = finding
    commitment.serious = serious
    commitment.document = document
    db_session.flush()
    record_ids: list[int] = []
    if rule is not None:
        record = _submit(
            db_session,
            profile,
            now,
            actor,
            commitment,
            subject,
            item=rule.item,
            severity=rule.severity.value if rule.severity else None,
            event=after.value,
            document=document,
        )
        commitment.outcome_record_id = record.id
        record_ids.append(record.id)
    data: dict[str, Any] = {"finding": finding, "serious": serious, "document": document}
    if rule is not None:
        data.update(item=rule.item, severity=rule.severity.value if rule.severity else None, cite=rule.cite)
    _event(db_session, now, actor, commitment, after.value, before, record_ids, data)
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"commitment.{after.value}",
        subject_id=subject.identifier,
        record_ids=[str(i) for i in record_ids],
        details={"commitment": commitment.id, **data},
    )
    return commitment


def _submit(
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    commitment: Commitment,
    subject: Subject,
    *,
    item: str,
    severity: str | None,
    event: str,
    document: str | None,
) -> Any:
    values: dict[str, Any] = {
        "item": item,
        "subject_kind": subject.kind,
        "subject_id": subject.identifier,
        "subject_id_type": subject.id_type,
        "subject_name": subject.name,
        "provider": commitment.unit,
        "decided_on": local_date(now).isoformat(),
        "severity": severity,
        "document": document,
        "data": {"matter": commitment.matter, "accepting_unit": commitment.unit, "state": event},
        "record_id": f"commitment:{commitment.id}:{event}",  # resubmission is the same record
    }
    # the platform files the record under the accepting unit's name, whoever recorded the event
    platform = Actor(username=actor.username, role=Role.operator, organization=actor.organization)
    record, _ = records_service.submit(
        db_session=db_session, profile=profile, now=now, actor=platform, values=values
    )
    return record


def _event(
    db_session: Session,
    now: datetime,
    actor: Actor,
    commitment: Commitment,
    kind: str,
    before: str | None,
    record_ids: list[int],
    data: dict[str, Any],
) -> CommitmentEvent:
    last = db_session.scalars(
        select(CommitmentEvent.seq)
        .where(CommitmentEvent.commitment_id == commitment.id)
        .order_by(CommitmentEvent.seq.desc())
        .limit(1)
    ).first()
    event = CommitmentEvent(
        commitment_id=commitment.id,
        seq=(last or 0) + 1,
        kind=kind,
        at=now,
        actor=actor.username,
        role=actor.role.value,
        organization=actor.organization,
        state_before=before,
        state_after=commitment.state,
        record_ids=record_ids,
        data=data,
    )
    db_session.add(event)
    db_session.flush()
    return event


# --------------------------------------------------------------------------- reading


def get_or_raise(*, db_session: Session, commitment_id: int, jurisdiction: str) -> Commitment:
    found = db_session.get(Commitment, commitment_id)
    if found is None or found.jurisdiction != jurisdiction:
        raise XinyongError("unknown_commitment", field="commitment", detail=str(commitment_id))
    return found


@dataclass
class CommitmentView:
    commitment: Commitment
    subject: Subject
    events: list[CommitmentEvent]
    overdue: bool
    outcome_cite: str | None = None
    measures: list[Measure] = field(default_factory=list)  # with a breach only
    fines: list[Fine] = field(default_factory=list)  # with a breach only: reference data


def may_see(actor: Actor | None, commitment: Commitment, *, as_public: bool = True) -> bool:
    """Public commitments are public; otherwise the platform, government units, the unit and the subject.

    `as_public=False` asks whether the viewer sees it in its own right (then natural persons are not masked).
    """
    if commitment.public and as_public:
        return True
    if actor is None:
        return False
    if actor.role in (Role.operator, Role.government):
        return True
    if actor.role is Role.provider:
        return actor.organization == commitment.unit
    if actor.role is Role.subject:
        return actor.subject_id == commitment.subject_id
    return False


def view(*, db_session: Session, profile: Profile, now: datetime, commitment: Commitment) -> CommitmentView:
    sec = rules.section(profile)
    subject = db_session.get(Subject, commitment.subject_id)
    assert subject is not None
    events = list(
        db_session.scalars(
            select(CommitmentEvent)
            .where(CommitmentEvent.commitment_id == commitment.id)
            .order_by(CommitmentEvent.seq)
        )
    )
    out = CommitmentView(
        commitment=commitment,
        subject=subject,
        events=events,
        overdue=rules.overdue(commitment.state, commitment.due, local_date(now)),
    )
    if commitment.state != rules.State.open:
        out.outcome_cite = (events[-1].data or {}).get("cite") if events else None
    if commitment.state == rules.State.broken:
        out.measures = rules.breach_measures(sec, commitment.kind)
        out.fines = rules.breach_fines(sec)
    return out


def read(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor | None, commitment_id: int
) -> CommitmentView:
    if actor is not None:
        actor.require_jurisdiction(profile.id)
    commitment = get_or_raise(db_session=db_session, commitment_id=commitment_id, jurisdiction=profile.id)
    if not may_see(actor, commitment):
        raise XinyongError(
            "unknown_commitment", field="commitment", detail=str(commitment_id)
        )  # not revealed
    return view(db_session=db_session, profile=profile, now=now, commitment=commitment)


def list_for_subject(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor | None, subject_id: int
) -> list[CommitmentView]:
    """The subject's commitments this viewer may see, oldest first."""
    if actor is not None:
        actor.require_jurisdiction(profile.id)
    rows = db_session.scalars(
        select(Commitment)
        .where(Commitment.jurisdiction == profile.id, Commitment.subject_id == subject_id)
        .order_by(Commitment.id)
    )
    return [
        view(db_session=db_session, profile=profile, now=now, commitment=c) for c in rows if may_see(actor, c)
    ]


def reason_dict(reason: rules.Reason) -> dict[str, Any]:
    out: dict[str, Any] = {"code": reason.code, "cite": reason.cite}
    if reason.note:
        out["note"] = reason.note
    if reason.ids:
        out["ids"] = list(reason.ids)
    return out
