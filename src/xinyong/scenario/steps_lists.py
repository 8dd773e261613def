"""Scenario steps for lists (名单): propose_listing, notify_listing, decide_listing, remove_listing;
the `on_list` observation; `status` and `deadline` of listing refs; listing refs in `see`.

Who acts: `propose_listing` — the provider of the first basis record, as the determining body
(认定机关); without basis, the platform. The other moves — the platform (an operator, who may act
for any determining body).

Project extension: `decide_listing.valid_until` — the last day on the list the determining body
sets in its decision (Henan 第三十七条), where the profile leaves validity to it.

`deadline` of a listing: stage `objection` (the last day to object to the notice, where the
profile sets a period) or `validity` (the last day on the list); without `stage`, what the listing
waits for now. Where the text sets no such day the observation is refused with `not_eligible`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile_lists import GROUND_VOCABULARY
from xinyong.lists import rules, service
from xinyong.lists.rules import State
from xinyong.records.models import Record
from xinyong.scenario import steps
from xinyong.scenario.steps import action, deadline_resolver, observation, see_contributor, status_resolver

REFS = "_listing_refs"

steps.extension_fields("decide_listing", {"valid_until"})


def _refs(run: Any) -> set[str]:
    refs = getattr(run, REFS, None)
    if refs is None:
        refs = set()
        setattr(run, REFS, refs)
    return refs


def _listing(run: Any, ref: Any) -> int:
    listing_id = run.handles.get(str(ref))
    if listing_id is None:
        raise XinyongError("unknown_listing", field="listing", detail=f"{ref} was refused when proposed")
    return int(listing_id)


def _day(value: Any, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise XinyongError("invalid_date", field=field, detail=str(value)) from None


@action("propose_listing")
def do_propose(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    ref = str(args["ref"])
    _refs(run).add(ref)
    run.handles[ref] = None
    subject = run._subject(db, args["subject"])
    basis = [run._record(r) for r in args.get("basis") or []]
    actor: Actor = run.operator
    if basis:
        record = db.get(Record, basis[0])
        if record is not None:
            actor = Actor(username=record.provider, role=Role.provider, organization=record.provider)
    listing = service.propose(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=actor,
        list_name=str(args.get("list")),
        subject_id=subject.id,
        ground=str(args.get("ground")),
        basis_record_ids=basis,
    )
    run.handles[ref] = listing.id


@action("notify_listing")
def do_notify(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    service.notify(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        listing_id=_listing(run, args["listing"]),
    )


@action("decide_listing")
def do_decide(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    service.decide(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        listing_id=_listing(run, args["listing"]),
        valid_until=_day(args.get("valid_until"), "valid_until"),
    )


@action("remove_listing")
def do_remove(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    reason = str(args.get("reason") or "other")
    note = None
    if reason not in rules.REMOVAL_REASONS:  # free words: recorded as the note of an `other` removal
        reason, note = "other", reason
    service.remove(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        listing_id=_listing(run, args["listing"]),
        reason=reason,
        note=note,
    )


@observation("on_list")
def observe_on_list(run: Any, n: int, args: dict[str, Any], expect: Any) -> None:
    name = str(args.get("list"))
    with transaction(run.factory) as db:
        subject = run._subject(db, args["subject"])
        if name in GROUND_VOCABULARY and rules.lists_of(run.profile) is not None:
            section = rules.lists_of(run.profile)
            assert section is not None
            seen = section.get(name) is not None and service.on_list(
                db_session=db, profile=run.profile, now=run.now, subject_id=subject.id, list_name=name
            )
        elif name in GROUND_VOCABULARY:
            seen = False  # the profile has no lists at all: nobody is on one
        else:
            raise XinyongError("unknown_list", field="list", detail=name)
    if seen != expect:
        run.fail(n, f"on_list {args.get('subject')} {name}: expected {expect}, saw {seen}")


@status_resolver
def listing_status(run: Any, ref: str) -> str | None:
    if ref not in _refs(run):
        return None
    listing_id = run.handles.get(ref)
    if listing_id is None:
        return "refused"
    with transaction(run.factory) as db:
        listing = service.get_or_raise(db_session=db, listing_id=listing_id)
        return service.view(db_session=db, profile=run.profile, now=run.now, listing=listing).status


@deadline_resolver
def listing_deadline(run: Any, ref: str, stage: str | None) -> tuple[date, bool] | None:
    if ref not in _refs(run):
        return None
    listing_id = _listing(run, ref)
    with transaction(run.factory) as db:
        listing = service.get_or_raise(db_session=db, listing_id=listing_id)
        v = service.view(db_session=db, profile=run.profile, now=run.now, listing=listing)
    if stage not in (None, "objection", "validity"):
        raise XinyongError(
            "not_eligible", field="stage", detail=f"{stage!r}: a listing has objection, validity"
        )
    if stage == "objection" or (stage is None and v.state.state is State.notified):
        if v.objection_due is None:
            raise XinyongError("not_eligible", field="stage", detail="the text sets no objection period")
        return v.objection_due.due, v.objection_due.provisional
    if stage == "validity" or (stage is None and v.state.state is State.listed):
        if listing.valid_until is None:
            raise XinyongError("not_eligible", field="stage", detail=f"{ref} stays listed until removed")
        return listing.valid_until, False
    raise XinyongError("not_eligible", field="stage", detail=f"{ref} waits for nothing ({v.status})")


@see_contributor
def listings_seen(run: Any, db: Session, subject: Any, channel: Any, authorization: Any) -> set[str]:
    mine = {run.handles[r]: r for r in _refs(run) if run.handles.get(r) is not None}
    if not mine:
        return set()
    name = str(getattr(channel, "value", channel))
    shown = service.visible_listings(
        db_session=db,
        profile=run.profile,
        now=run.now,
        subject_id=subject.id,
        channel=name,
        viewer_subject_id=subject.id if name == "self" else None,
    )
    return {mine[listing.id] for listing, _via in shown if listing.id in mine}
