"""Listings: the transactions around the pure rules.

Functions take keyword-only `db_session`, `profile`, `now` and `actor`, flush but never commit: the
caller (API request, CLI command, scenario step) owns the transaction, so a decision, its event,
its audit entry and the notice it owes are saved together or not at all.

Every change bumps the listing's version (optimistic locking): of two officers deciding the same
listing at once, the second's write matches no row, or collides on the listing's next event number,
and is refused with `conflict`; a second decision made after the first is refused with
`wrong_stage`. A caller that showed a listing may pass back the `version` it showed.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from xinyong.core.profile_lists import ListSpec
from xinyong.core.workdays import Deadline
from xinyong.lists import facts as listing_facts
from xinyong.lists import rules
from xinyong.lists.models import Listing, ListingEvent
from xinyong.lists.rules import Action, State
from xinyong.notices import service as notices
from xinyong.records import rules as record_rules
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects.models import ResponsiblePerson, Subject

PLATFORM_BODY = "公共信用信息工作机构"
OBJECTION_OUTCOMES = ("unfounded", "founded")  # 核查: the listing proceeds / the proposal is dropped


# --------------------------------------------------------------------------- helpers


def get_or_raise(*, db_session: Session, listing_id: int, jurisdiction: str | None = None) -> Listing:
    listing = db_session.get(Listing, listing_id)
    if listing is None or (jurisdiction is not None and listing.jurisdiction != jurisdiction):
        raise XinyongError("unknown_listing", field="listing", detail=str(listing_id))
    return listing


def _subject(db_session: Session, subject_id: int) -> Subject:
    subject = db_session.get(Subject, subject_id)
    if subject is None:
        raise XinyongError("unknown_subject", detail=str(subject_id))
    return subject


def _event(
    db_session: Session,
    listing: Listing,
    *,
    now: datetime,
    actor: Actor,
    kind: str,
    before: str | None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> ListingEvent:
    listing.last_seq = (listing.last_seq or 0) + 1
    event = ListingEvent(
        listing_id=listing.id,
        seq=listing.last_seq,
        kind=kind,
        at=now,
        actor=actor.username,
        role=actor.role.value,
        organization=actor.organization,
        state_before=before,
        state_after=listing.state,
        reason=reason,
        data=data or {},
    )
    db_session.add(event)
    flush_or_conflict(db_session, "listing")
    return event


def _audit(
    db_session: Session,
    profile: Profile,
    listing: Listing,
    *,
    now: datetime,
    actor: Actor,
    action: str,
    details: dict[str, Any],
) -> None:
    subject = _subject(db_session, listing.subject_id)
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action=f"listing.{action}",
        subject_id=subject.identifier,
        record_ids=[str(i) for i in listing.basis_record_ids or ()],
        details={"listing": listing.ref, "list": listing.list_name, "state": listing.state, **details},
    )


def _notify_subject(
    db_session: Session,
    profile: Profile,
    listing: Listing,
    *,
    now: datetime,
    kind: str,
    content: dict[str, Any],
) -> None:
    subject = _subject(db_session, listing.subject_id)
    notices.enqueue(
        db_session=db_session,
        now=now,
        jurisdiction=profile.id,
        recipient=subject.identifier,
        recipient_kind="subject",
        kind=kind,
        subject_id=subject.id,
        case_ref=listing.ref,
        content=content,
        due=None,
    )


def _body(actor: Actor) -> str:
    return actor.organization or (PLATFORM_BODY if actor.role is Role.operator else actor.username)


def _require_body(actor: Actor, listing: Listing) -> None:
    """The platform, or the determining body (认定机关) that proposed the listing."""
    if actor.role is Role.operator:
        return
    if actor.role in (Role.provider, Role.government) and actor.organization == listing.determining_body:
        return
    raise XinyongError(
        "not_allowed", detail=f"only {listing.determining_body}, the determining body, does this"
    )


def _load(
    db_session: Session, profile: Profile, actor: Actor, listing_id: int, version: int | None
) -> tuple[ListSpec, Listing]:
    actor.require_jurisdiction(profile.id)
    listing = get_or_raise(db_session=db_session, listing_id=listing_id, jurisdiction=profile.id)
    check_version(version, listing.version, "listing")
    return rules.spec_of(profile, listing.list_name), listing


def _refuse_if_revoked(db_session: Session, listing: Listing, now: datetime) -> None:
    """A listing whose every basis record is revoked no longer stands: nothing more is done on it."""
    at = listing_facts.revocations(db_session, [listing]).get(listing.id)
    if at is not None and at <= now:
        raise XinyongError("wrong_stage", detail=f"{listing.ref} is removed: its basis was revoked")


def _basis_summary(db_session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    records = {r.id: r for r in db_session.scalars(select(Record).where(Record.id.in_(list(ids))))}
    return [
        {
            "id": rid,
            "item": records[rid].item if rid in records else None,
            "document": records[rid].document if rid in records else None,
            "provider": records[rid].provider if rid in records else None,
            "decided_on": records[rid].decided_on.isoformat() if rid in records else None,
        }
        for rid in ids
    ]


def _ground_cite(spec: ListSpec, listing: Listing) -> str:
    return rules.check_ground(spec, listing.list_name, listing.ground)


# --------------------------------------------------------------------------- reading


@dataclass
class ListingView:
    listing: Listing
    state: rules.StateAt
    events: list[ListingEvent]
    objection_due: Deadline | None
    converted_on: date | None
    as_of: datetime
    via_organization: int | None = None

    @property
    def status(self) -> str:
        return self.state.state.value


def events_of(db_session: Session, listing_id: int) -> list[ListingEvent]:
    return list(
        db_session.scalars(
            select(ListingEvent).where(ListingEvent.listing_id == listing_id).order_by(ListingEvent.seq)
        )
    )


def view(
    *, db_session: Session, profile: Profile, now: datetime, listing: Listing, via: int | None = None
) -> ListingView:
    """The listing with its state at `now` (expiry, conversion computed), events and objection due date."""
    spec = rules.spec_of(profile, listing.list_name)
    (f,) = listing_facts.load_facts(db_session, [listing])
    converted = listing_facts.conversions(db_session, profile, [f], now).get(listing.id)
    due = None
    if listing.notified_at is not None:
        due = rules.objection_due(
            spec, local_date(listing.notified_at), calendar_service.get_calendar(db_session=db_session)
        )
    return ListingView(
        listing=listing,
        state=rules.state_at(f, now, converted_on=converted),
        events=events_of(db_session, listing.id),
        objection_due=due,
        converted_on=converted,
        as_of=now,
        via_organization=via,
    )


def may_read(actor: Actor, listing: Listing) -> None:
    match actor.role:
        case Role.operator | Role.government:
            return
        case Role.subject if actor.subject_id == listing.subject_id:
            return
        case Role.provider if actor.organization == listing.determining_body:
            return
    raise XinyongError(
        "not_allowed", detail="a listing is read by its subject, its determining body, the platform"
    )


def get_listing(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, listing_id: int
) -> ListingView:
    actor.require_jurisdiction(profile.id)
    listing = get_or_raise(db_session=db_session, listing_id=listing_id, jurisdiction=profile.id)
    may_read(actor, listing)
    return view(db_session=db_session, profile=profile, now=now, listing=listing)


def listings_of_subject(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject_id: int,
    include_responsible: bool = True,
) -> list[ListingView]:
    """A subject's listings at every stage, then — where the profile marks responsible persons — the
    active listings of the organizations it is responsible for (`via_organization`)."""
    actor.require_jurisdiction(profile.id)
    if actor.role is Role.subject and actor.subject_id != subject_id:
        raise XinyongError("not_allowed", detail="a subject reads its own listings")
    if actor.role not in (Role.subject, Role.operator, Role.government):
        raise XinyongError("not_allowed")
    rows = db_session.scalars(
        select(Listing)
        .where(Listing.jurisdiction == profile.id, Listing.subject_id == subject_id)
        .order_by(Listing.id)
    )
    out = [view(db_session=db_session, profile=profile, now=now, listing=r) for r in rows]
    if include_responsible:
        facts = listing_facts.active_listings(
            db_session, profile=profile, subject_ids=[subject_id], now=now, include_responsible=True
        )[subject_id]
        for f in facts:
            if f.via_organization is not None:
                listing = get_or_raise(db_session=db_session, listing_id=f.listing_id)
                out.append(
                    view(
                        db_session=db_session,
                        profile=profile,
                        now=now,
                        listing=listing,
                        via=f.via_organization,
                    )
                )
    return out


def visible_listings(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    subject_id: int,
    channel: str,
    viewer_subject_id: int | None = None,
    viewer_unit: str | None = None,
) -> list[tuple[Listing, int | None]]:
    """(listing, via organization) a viewer on `channel` sees in this subject's archive now.

    A responsible person's archive shows its organizations' active listings on every channel but
    the public one (Jiangsu 第三十二条, Nanjing 第四十三条, Jilin 第二十八条, Henan 第三十五条).
    """
    if rules.lists_of(profile) is None:
        return []
    rows = list(
        db_session.scalars(
            select(Listing)
            .where(Listing.jurisdiction == profile.id, Listing.subject_id == subject_id)
            .order_by(Listing.id)
        )
    )
    facts = listing_facts.load_facts(db_session, rows)
    converted = listing_facts.conversions(db_session, profile, facts, now)
    out: list[tuple[Listing, int | None]] = []
    for r, f in zip(rows, facts, strict=True):
        spec = rules.spec_of(profile, r.list_name)
        if rules.visible(
            spec,
            f,
            now,
            channel,
            viewer_subject_id=viewer_subject_id,
            viewer_unit=viewer_unit,
            converted_on=converted.get(r.id),
        ):
            out.append((r, None))
    if channel in ("government", "self", "authorized") or (channel == "provider" and viewer_unit is None):
        marked = listing_facts.active_listings(
            db_session, profile=profile, subject_ids=[subject_id], now=now, include_responsible=True
        )[subject_id]
        for f in marked:
            if f.via_organization is not None:
                out.append((get_or_raise(db_session=db_session, listing_id=f.listing_id), f.via_organization))
    return out


def on_list(*, db_session: Session, profile: Profile, now: datetime, subject_id: int, list_name: str) -> bool:
    """Whether the subject itself is on `list_name` now (decided, not removed, expired or converted)."""
    rules.spec_of(profile, list_name)
    found = listing_facts.active_listings(db_session, profile=profile, subject_ids=[subject_id], now=now)
    return any(f.list == list_name for f in found[subject_id])


@dataclass(frozen=True)
class Published:
    listings: list[tuple[Listing, Subject]]
    announcements: list[tuple[Listing, Subject]]


def published(*, db_session: Session, profile: Profile, now: datetime, list_name: str) -> Published:
    """What the public channel sees of a list: active listings where the profile publishes the list,
    candidates under public notice (公示), and removal announcements (Henan 第三十七条第三款)."""
    spec = rules.spec_of(profile, list_name)
    rows = list(
        db_session.scalars(
            select(Listing)
            .where(Listing.jurisdiction == profile.id, Listing.list_name == list_name)
            .where(Listing.state.in_([State.notified.value, State.listed.value, State.removed.value]))
            .order_by(Listing.id)
        )
    )
    facts = listing_facts.load_facts(db_session, rows)
    converted = listing_facts.conversions(db_session, profile, facts, now)
    shown, announced = [], []
    for r, f in zip(rows, facts, strict=True):
        if rules.visible(spec, f, now, "public", converted_on=converted.get(r.id)):
            shown.append((r, _subject(db_session, r.subject_id)))
        elif r.removal_announcement and r.removed_at is not None and r.removed_at <= now:
            announced.append((r, _subject(db_session, r.subject_id)))
    return Published(shown, announced)


# --------------------------------------------------------------------------- moves


def propose(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    list_name: str,
    subject_id: int,
    ground: str,
    basis_record_ids: Sequence[int],
    reason: str | None = None,
) -> Listing:
    """A unit proposes to put a subject on a list, on a ground the profile permits, with basis records.

    Refusals: `unknown_list` (the profile has no such list), `ground_not_permitted`, `not_eligible`
    (no basis, a basis record not the subject's, not in force or of a class the list does not rest
    on, a subject kind the list does not take, a listing of this subject on this list still open,
    `minor_first` where an earlier dishonest record is in force), `not_allowed`.
    """
    actor.require_jurisdiction(profile.id)
    if actor.role not in (Role.operator, Role.provider, Role.government):
        raise XinyongError("not_allowed", detail="a determining body (a unit) or the platform proposes")
    spec = rules.spec_of(profile, list_name)
    ground_cite = rules.check_ground(spec, list_name, ground)
    subject = _subject(db_session, subject_id)
    if spec.subject_kinds is not None and subject.kind not in spec.subject_kinds:
        raise XinyongError(
            "not_eligible",
            field="subject",
            detail=f"{spec.name} takes {', '.join(spec.subject_kinds)}",
            cite=spec.cite,
        )
    ids = list(dict.fromkeys(int(i) for i in basis_record_ids))
    if not ids:
        raise XinyongError("missing_field", field="basis", detail="the records the listing rests on")
    records = _check_basis(db_session, profile, now, spec, subject, ids)
    if ground == "minor_first":
        _check_first(db_session, profile, now, spec, subject, records)
    _check_no_open(db_session, profile, now, list_name, subject.id)
    listing = Listing(
        jurisdiction=profile.id,
        list_name=list_name,
        subject_id=subject.id,
        ground=ground,
        basis_record_ids=ids,
        proposed_by=actor.username,
        determining_body=_body(actor),
        state=State.proposed.value,
        proposed_at=now,
        last_seq=0,
        objections_open=0,
    )
    db_session.add(listing)
    flush_or_conflict(db_session, "listing")
    _event(
        db_session,
        listing,
        now=now,
        actor=actor,
        kind="proposed",
        before=None,
        reason=reason,
        data={"ground": ground, "basis": ids, "cite": ground_cite},
    )
    _audit(
        db_session,
        profile,
        listing,
        now=now,
        actor=actor,
        action="proposed",
        details={"ground": ground, "cite": ground_cite},
    )
    return listing


def _check_basis(
    db_session: Session, profile: Profile, now: datetime, spec: ListSpec, subject: Subject, ids: list[int]
) -> list[Record]:
    records = {r.id: r for r in db_session.scalars(select(Record).where(Record.id.in_(ids)))}
    events = records_service.events_of(db_session, list(records))
    today = local_date(now)
    for rid in ids:
        record = records.get(rid)
        if record is None or record.jurisdiction != profile.id:
            raise XinyongError("unknown_record", field="basis", detail=str(rid))
        if record.subject_id != subject.id:
            raise XinyongError("not_eligible", field="basis", detail=f"record {rid} is another subject's")
        if record.info_class not in spec.basis_classes:
            raise XinyongError(
                "not_eligible",
                field="basis",
                detail=f"record {rid} is {record.info_class} information; {spec.name} rests on "
                + ", ".join(c.value for c in spec.basis_classes),
                cite=spec.cite,
            )
        state = record_rules.state(
            records_service.facts_of(record, subject.kind, events[rid]), profile, now, today
        )
        if state is not record_rules.State.active:
            raise XinyongError("not_eligible", field="basis", detail=f"record {rid} is {state.value}")
    return [records[i] for i in ids]


def _check_first(
    db_session: Session,
    profile: Profile,
    now: datetime,
    spec: ListSpec,
    subject: Subject,
    basis: list[Record],
) -> None:
    """`minor_first` (初次发生且情节轻微): no earlier dishonest record of the subject is in force."""
    first_day = min(r.decided_on for r in basis)
    earlier = list(
        db_session.scalars(
            select(Record).where(
                Record.jurisdiction == profile.id,
                Record.subject_id == subject.id,
                Record.info_class == "dishonest",
                Record.decided_on < first_day,
                Record.id.not_in([r.id for r in basis]),
            )
        )
    )
    if not earlier:
        return
    events = records_service.events_of(db_session, [r.id for r in earlier])
    today = local_date(now)
    for r in earlier:
        if record_rules.state(
            records_service.facts_of(r, subject.kind, events[r.id]), profile, now, today
        ) in (
            record_rules.State.active,
            record_rules.State.expired,
        ):
            raise XinyongError(
                "not_eligible",
                field="ground",
                detail=f"not a first occurrence: record {r.id} of {r.decided_on}",
                cite=spec.grounds.allowed["minor_first"].cite
                if "minor_first" in spec.grounds.allowed
                else spec.grounds.cite,
            )


def _check_no_open(
    db_session: Session, profile: Profile, now: datetime, list_name: str, subject_id: int
) -> None:
    rows = list(
        db_session.scalars(
            select(Listing).where(
                Listing.jurisdiction == profile.id,
                Listing.subject_id == subject_id,
                Listing.list_name == list_name,
                Listing.state.in_([State.proposed.value, State.notified.value, State.listed.value]),
            )
        )
    )
    facts = listing_facts.load_facts(db_session, rows)
    converted = listing_facts.conversions(db_session, profile, facts, now)
    for r, f in zip(rows, facts, strict=True):
        if rules.state_at(f, now, converted_on=converted.get(r.id)).state in (
            State.proposed,
            State.notified,
            State.listed,
        ):
            raise XinyongError("not_eligible", detail=f"{r.ref} on this list is still open ({r.state})")


def notify(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    listing_id: int,
    version: int | None = None,
) -> Listing:
    """Serve the notice the list's article requires: the prior notice (事前告知) stating reasons,
    basis, measures and rights (Jiangsu 第三十一条第一款, Henan 第二十八条第三款), the public notice
    (公示, Jilin/Henan red lists) or the warning (Nanjing 第三十七条第三款)."""
    spec, listing = _load(db_session, profile, actor, listing_id, version)
    _require_body(actor, listing)
    _refuse_if_revoked(db_session, listing, now)
    before = listing.state
    new_state = rules.next_state(State(listing.state), Action.notify)
    # every read before the first change: an autoflush must not send the change outside flush_or_conflict
    subject = _subject(db_session, listing.subject_id)
    today = local_date(now)
    due = rules.objection_due(spec, today, calendar_service.get_calendar(db_session=db_session))
    basis = _basis_summary(db_session, listing.basis_record_ids)
    listing.state = new_state.value
    listing.notice = rules.notice_contents(
        spec,
        listing.list_name,
        subject_name=subject.name,
        ground=listing.ground,
        ground_cite=_ground_cite(spec, listing),
        basis=basis,
        determining_body=listing.determining_body,
        served_on=today,
        objection_until=due,
    )
    listing.notified_at = now
    _event(
        db_session,
        listing,
        now=now,
        actor=actor,
        kind="notified",
        before=before,
        data={"kind": spec.notice.kind},
    )
    _audit(
        db_session,
        profile,
        listing,
        now=now,
        actor=actor,
        action="notified",
        details={"kind": spec.notice.kind, "cite": spec.notice.cite},
    )
    title = listing.notice["title"]
    _notify_subject(
        db_session,
        profile,
        listing,
        now=now,
        kind=f"listing.{spec.notice.kind}",
        content={"zh": title["zh"], "en": title["en"], "notice": listing.notice, "cite": spec.notice.cite},
    )
    return listing


def object_to(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    listing_id: int,
    reason: str,
    by_subject_id: int | None = None,
) -> Listing:
    """An objection while the notice runs (Jiangsu 第三十一条, Jilin/Henan 第二十四条/第二十八条: the
    determining body verifies). Against a public notice anyone may object; otherwise the subject."""
    spec, listing = _load(db_session, profile, actor, listing_id, None)
    if not spec.notice.objection:
        raise XinyongError(
            "not_eligible", detail=f"{spec.name}: the text provides no objection", cite=spec.notice.cite
        )
    if not reason or not reason.strip():
        raise XinyongError("missing_field", field="reason", detail="异议理由 / the reason")
    match actor.role:
        case Role.subject:
            by = actor.subject_id
            if spec.notice.kind != "public_notice" and by != listing.subject_id:
                raise XinyongError("not_allowed", detail="the listed subject objects to its prior notice")
        case Role.operator:
            by = by_subject_id if by_subject_id is not None else listing.subject_id
        case _:
            raise XinyongError(
                "not_allowed", detail="objections come from subjects (or are recorded by operators)"
            )
    today = local_date(now)
    due = rules.objection_due(
        spec, local_date(listing.notified_at or now), calendar_service.get_calendar(db_session=db_session)
    )
    if listing.state == State.notified and due is not None and today > due.due:
        raise XinyongError(
            "window_closed", detail=f"the objection period ended {due.due}", cite=spec.notice.objection_cite
        )
    before = listing.state
    listing.state = rules.next_state(State(listing.state), Action.object).value
    listing.objections_open = (listing.objections_open or 0) + 1
    _event(
        db_session,
        listing,
        now=now,
        actor=actor,
        kind="objected",
        before=before,
        reason=reason.strip(),
        data={"by": by},
    )
    _audit(
        db_session,
        profile,
        listing,
        now=now,
        actor=actor,
        action="objected",
        details={"by": by, "cite": spec.notice.objection_cite},
    )
    return listing


def resolve_objection(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    listing_id: int,
    outcome: str,
    reason: str | None = None,
    version: int | None = None,
) -> Listing:
    """The determining body's verification (核实 / 核查处理): `unfounded` — the listing may proceed
    once no objection is open; `founded` — the proposal is dropped (state removed, reason other)."""
    spec, listing = _load(db_session, profile, actor, listing_id, version)
    _require_body(actor, listing)
    if outcome not in OBJECTION_OUTCOMES:
        raise XinyongError("invalid_field", field="outcome", detail=" or ".join(OBJECTION_OUTCOMES))
    before = State(listing.state)
    rules.next_state(before, Action.resolve_objection, objections_open=listing.objections_open or 0)
    listing.objections_open = (listing.objections_open or 0) - 1
    if outcome == "founded":
        listing.state = rules.next_state(before, Action.remove).value
        listing.removed_at, listing.removal_reason = now, "other"
        listing.objections_open = 0
    _event(
        db_session,
        listing,
        now=now,
        actor=actor,
        kind="objection_resolved",
        before=before.value,
        reason=reason,
        data={"outcome": outcome},
    )
    _audit(
        db_session,
        profile,
        listing,
        now=now,
        actor=actor,
        action="objection_resolved",
        details={"outcome": outcome, "cite": spec.notice.objection_cite},
    )
    founded = outcome == "founded"
    _notify_subject(
        db_session,
        profile,
        listing,
        now=now,
        kind="listing.objection_resolved",
        content={
            "zh": f"异议核查结果（{listing.ref}）：" + ("异议成立，不予列入" if founded else "异议不成立"),
            "en": f"Objection to {listing.ref}: " + ("founded, not listed" if founded else "unfounded"),
            "cite": spec.notice.objection_cite,
        },
    )
    return listing


def decide(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    listing_id: int,
    valid_until: date | None = None,
    version: int | None = None,
) -> Listing:
    """The listing decision, with its document (Jiangsu 第三十一条第二款) served on the subject.

    Refusals: `not_eligible` — the notice was not served, an objection is being verified, the
    objection period still runs, or `valid_until` where the profile fixes the validity;
    `wrong_stage` — decided already (or removed); `conflict` — someone decided it at the same time.
    """
    spec, listing = _load(db_session, profile, actor, listing_id, version)
    _require_body(actor, listing)
    _refuse_if_revoked(db_session, listing, now)
    before = listing.state
    new_state = rules.next_state(
        State(listing.state), Action.decide, objections_open=listing.objections_open or 0
    )
    today = local_date(now)
    if listing.notified_at is not None:
        due = rules.objection_due(
            spec, local_date(listing.notified_at), calendar_service.get_calendar(db_session=db_session)
        )
        if due is not None and today <= due.due:
            raise XinyongError(
                "not_eligible",
                detail=f"the objection period runs through {due.due}",
                cite=spec.notice.objection_cite,
            )
    basis = _basis_summary(db_session, listing.basis_record_ids)
    last_day = rules.valid_until(spec, today, valid_until, _basis_windows(db_session, profile, listing))
    subject = _subject(db_session, listing.subject_id)
    listing.state = new_state.value
    listing.decided_at = now
    listing.valid_until = last_day
    listing.decision = rules.decision_contents(
        spec,
        listing.list_name,
        subject_name=subject.name,
        ground=listing.ground,
        ground_cite=_ground_cite(spec, listing),
        basis=basis,
        determining_body=listing.determining_body,
        decided_on=today,
        last_day=last_day,
    )
    _event(
        db_session,
        listing,
        now=now,
        actor=actor,
        kind="decided",
        before=before,
        data={"valid_until": last_day.isoformat() if last_day else None},
    )
    _audit(
        db_session,
        profile,
        listing,
        now=now,
        actor=actor,
        action="decided",
        details={"valid_until": last_day.isoformat() if last_day else None, "cite": spec.decision.cite},
    )
    title = listing.decision["title"]
    _notify_subject(
        db_session,
        profile,
        listing,
        now=now,
        kind="listing.decided",
        content={
            "zh": title["zh"],
            "en": title["en"],
            "decision": listing.decision,
            "cite": spec.decision.cite,
        },
    )
    return listing


def _basis_windows(db_session: Session, profile: Profile, listing: Listing) -> list[date | None]:
    """The last public day of each basis record (for `basis_disclosure` validity)."""
    subject = _subject(db_session, listing.subject_id)
    records = list(db_session.scalars(select(Record).where(Record.id.in_(listing.basis_record_ids or []))))
    events = records_service.events_of(db_session, [r.id for r in records])
    return [
        record_rules.window(records_service.facts_of(r, subject.kind, events[r.id]), profile).public_until
        for r in records
    ]


def remove(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    listing_id: int,
    reason: str = "other",
    note: str | None = None,
    version: int | None = None,
) -> Listing:
    """The subject leaves the list: by repair (Shenzhen 第六十三条, 第六十六条; Jilin 第三十八条第三款),
    revocation of the basis, a court's notice (Shenzhen 第七十二条) or another cause. Where the
    profile says so a removal announcement goes out through the list's original channel (Henan
    第三十七条第三款). Expiry and conversion need no removal: they are read from the time."""
    spec, listing = _load(db_session, profile, actor, listing_id, version)
    _require_body(actor, listing)
    if reason not in rules.MANUAL_REMOVAL_REASONS:
        raise XinyongError(
            "invalid_field", field="reason", detail=f"one of {', '.join(rules.MANUAL_REMOVAL_REASONS)}"
        )
    (f,) = listing_facts.load_facts(db_session, [listing])
    converted = listing_facts.conversions(db_session, profile, [f], now).get(listing.id)
    current = rules.state_at(f, now, converted_on=converted)
    if current.state is not State.listed:
        raise XinyongError("wrong_stage", detail=f"{listing.ref} is {current.state.value}")
    before = listing.state
    new_state = rules.next_state(State(listing.state), Action.remove)
    subject = _subject(db_session, listing.subject_id)  # read before the first change (autoflush)
    listing.state = new_state.value
    listing.removed_at = now
    listing.removal_reason = reason
    listing.removal_announcement = rules.removal_announcement(
        spec,
        listing.list_name,
        subject_name=subject.name,
        determining_body=listing.determining_body,
        removed_on=local_date(now),
        reason=reason,
    )
    cite = spec.removal.reasons.get(reason) or spec.removal.cite  # type: ignore[call-overload]
    _event(
        db_session,
        listing,
        now=now,
        actor=actor,
        kind="removed",
        before=before,
        reason=note,
        data={"reason": reason, "cite": cite},
    )
    _audit(
        db_session,
        profile,
        listing,
        now=now,
        actor=actor,
        action="removed",
        details={"reason": reason, "note": note, "cite": cite},
    )
    _notify_subject(
        db_session,
        profile,
        listing,
        now=now,
        kind="listing.removed",
        content={
            "zh": f"已移出{spec.name}（{listing.ref}）",
            "en": f"Removed from the list ({listing.ref}, {reason})",
            "announcement": listing.removal_announcement,
            "cite": cite,
        },
    )
    return listing


def responsible_persons(db_session: Session, organization_id: int, today: date) -> list[ResponsiblePerson]:
    """The persons responsible for an organization today (whose archives show its listings)."""
    links = db_session.scalars(
        select(ResponsiblePerson).where(ResponsiblePerson.organization_id == organization_id)
    )
    return [
        link
        for link in links
        if (link.since is None or link.since <= today) and (link.until is None or today <= link.until)
    ]
