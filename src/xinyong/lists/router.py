"""Listings API (名单); mounted under /api/v1/{jurisdiction}.

Who may do what: a determining body (a provider or government unit) or the platform proposes,
serves the notice, verifies objections, decides and removes — its own listings; the listed subject
objects to its prior notice, anyone with a subject login objects to a public notice (公示); the
subject, government units and operators read listings; everyone reads the published lists.
Refusals are problem+json with a stable `code`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.core.errors import XinyongError
from xinyong.lists import rules, service
from xinyong.lists.schemas import (
    AnnouncementPublic,
    DecideIn,
    ListingCreate,
    ListingPublic,
    ListingRead,
    ObjectIn,
    PublishedList,
    RemoveIn,
    ResolveObjectionIn,
    Step,
)
from xinyong.subjects import service as subjects_service

router = APIRouter()


def _after(db_session: DbSession, profile: CurrentProfile, now: Now, listing_id: int) -> ListingRead:
    listing = service.get_or_raise(db_session=db_session, listing_id=listing_id, jurisdiction=profile.id)
    return ListingRead.of(service.view(db_session=db_session, profile=profile, now=now, listing=listing))


@router.post(
    "/listings",
    response_model=ListingRead,
    status_code=201,
    summary="Propose a listing (拟列入名单)",
    responses=problems.AUTH_CONFLICT,
)
def propose_listing(
    body: ListingCreate, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> ListingRead:
    """Propose to put a subject on one of the profile's lists, on a permitted ground, with basis records.

    Refusals: `unknown_list`, `ground_not_permitted`, `not_eligible` (a basis record not the
    subject's, not in force or of the wrong class; a listing still open), `not_allowed`.
    """
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=body.subject)
    listing = service.propose(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        list_name=body.list,
        subject_id=subject.id,
        ground=body.ground,
        basis_record_ids=body.basis,
        reason=body.reason,
    )
    return _after(db_session, profile, now, listing.id)


@router.get(
    "/listings/{listing_id}",
    response_model=ListingRead,
    summary="One listing with its notice, decision and events",
    responses=problems.AUTH,
)
def get_listing(
    listing_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> ListingRead:
    """The listing and its state now (`expired` and a key-attention conversion are computed when read)."""
    return ListingRead.of(
        service.get_listing(
            db_session=db_session, profile=profile, now=now, actor=actor, listing_id=listing_id
        )
    )


@router.post(
    "/listings/{listing_id}/notice",
    response_model=ListingRead,
    summary="Serve the prior notice, public notice or warning",
    responses=problems.AUTH_CONFLICT,
)
def notify_listing(
    listing_id: RowId,
    body: Step,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> ListingRead:
    """事前告知 / 公示 / 失信警示提醒, with the contents the list's article requires."""
    service.notify(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        listing_id=listing_id,
        version=body.version,
    )
    return _after(db_session, profile, now, listing_id)


@router.post(
    "/listings/{listing_id}/objections",
    response_model=ListingRead,
    summary="Object to the notice",
    responses=problems.AUTH_CONFLICT,
)
def object_to_listing(
    listing_id: RowId,
    body: ObjectIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> ListingRead:
    """An objection while the notice runs; the determining body verifies it before deciding."""
    by_id = None
    if body.by is not None:
        by_id = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=body.by).id
    service.object_to(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        listing_id=listing_id,
        reason=body.reason,
        by_subject_id=by_id,
    )
    return _after(db_session, profile, now, listing_id)


@router.post(
    "/listings/{listing_id}/objections/resolution",
    response_model=ListingRead,
    summary="Verify an objection (核实)",
    responses=problems.AUTH_CONFLICT,
)
def resolve_listing_objection(
    listing_id: RowId,
    body: ResolveObjectionIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> ListingRead:
    """`unfounded`: the listing may proceed; `founded`: the proposal is dropped."""
    service.resolve_objection(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        listing_id=listing_id,
        outcome=body.outcome,
        reason=body.reason,
        version=body.version,
    )
    return _after(db_session, profile, now, listing_id)


@router.post(
    "/listings/{listing_id}/decision",
    response_model=ListingRead,
    summary="Decide the listing",
    responses=problems.AUTH_CONFLICT,
)
def decide_listing(
    listing_id: RowId,
    body: DecideIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> ListingRead:
    """The decision and its document. `not_eligible` before the notice, `wrong_stage` when decided
    already, `conflict` when someone else decided it at the same time."""
    service.decide(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        listing_id=listing_id,
        valid_until=body.valid_until,
        version=body.version,
    )
    return _after(db_session, profile, now, listing_id)


@router.post(
    "/listings/{listing_id}/removal",
    response_model=ListingRead,
    summary="Remove from the list",
    responses=problems.AUTH_CONFLICT,
)
def remove_listing(
    listing_id: RowId,
    body: RemoveIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> ListingRead:
    """Removal by repair, revocation, a court's notice or another cause, with the removal
    announcement where the profile has one (Henan 第三十七条第三款)."""
    service.remove(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        listing_id=listing_id,
        reason=body.reason,
        note=body.note,
        version=body.version,
    )
    return _after(db_session, profile, now, listing_id)


@router.get(
    "/subjects/{identifier}/listings",
    response_model=list[ListingRead],
    summary="A subject's listings (with its organizations' where it is a responsible person)",
    responses=problems.AUTH,
)
def subject_listings(
    identifier: str, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> list[ListingRead]:
    """The subject's own listings at every stage, then its organizations' active listings where the
    profile marks responsible persons (`via_organization`)."""
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    views = service.listings_of_subject(
        db_session=db_session, profile=profile, now=now, actor=actor, subject_id=subject.id
    )
    return [ListingRead.of(v) for v in views]


@router.get(
    "/lists/{list_name}/published",
    response_model=PublishedList,
    summary="A published list (public channel)",
    responses=problems.PUBLIC,
)
def published_list(list_name: str, db_session: DbSession, profile: CurrentProfile, now: Now) -> PublishedList:
    """Active listings of a list the profile publishes (Nanjing 第四十条, Jilin 第二十四条, Henan
    第三十六条), red-list candidates under public notice, and removal announcements (Henan
    第三十七条第三款). Natural persons are masked. No login needed."""
    if len(list_name) > 40:
        raise XinyongError("unknown_list", field="list", detail=list_name[:40])
    spec = rules.spec_of(profile, list_name)
    found = service.published(db_session=db_session, profile=profile, now=now, list_name=list_name)
    conditions: dict[str, Any] = {}
    if "entry_conditions" in spec.publish_with:
        conditions["entry_conditions"] = {"cite": spec.grounds.cite, "grounds": list(spec.grounds.allowed)}
    if "removal_conditions" in spec.publish_with:
        conditions["removal_conditions"] = [{"text": c.text, "cite": c.cite} for c in spec.removal.conditions]
    if "remedies" in spec.publish_with:
        conditions["remedies"] = {"zh": "依法申请行政复议或者提起行政诉讼", "cite": spec.publish_cite}
    return PublishedList(
        list=list_name,
        name=spec.name,
        cite=spec.publish_cite,
        conditions=conditions,
        listings=[
            ListingPublic.of(x, s, "listed" if x.state == "listed" else x.state) for x, s in found.listings
        ],
        announcements=[
            AnnouncementPublic(
                ref=x.ref,
                subject=ListingPublic.of(x, s, x.state).subject,
                subject_name=ListingPublic.of(x, s, x.state).subject_name,
                announcement=x.removal_announcement or {},
            )
            for x, s in found.announcements
        ],
        as_of=now,
    )
