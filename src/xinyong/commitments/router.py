"""Commitments API (信用承诺, 告知承诺, 容缺受理); mounted under /api/v1/{jurisdiction}.

Who may do what: the accepting unit (a provider or government account of that unit) records and
verifies commitments in its own name; an operator may act for any unit and keeps the matters list;
a subject makes public commitments of its own. Anyone reads public commitments (natural persons
masked); the platform, government units, the unit and the subject read the others. The route check
(`/commitments/eligibility`) answers government units, providers and operators, and a subject about
itself. Refusals are problem+json with a stable `code`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.security import HTTPAuthorizationCredentials

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId, bearer
from xinyong.commitments import rules, service
from xinyong.commitments.schemas import (
    CommitmentCreate,
    CommitmentList,
    CommitmentRead,
    EligibilityRead,
    MatterIn,
    MatterRead,
    MattersRead,
    VerificationIn,
    matter_rows,
)
from xinyong.core.actor import Actor, Role
from xinyong.core.errors import XinyongError
from xinyong.subjects import service as subjects_service
from xinyong.users import service as users_service

router = APIRouter()


def optional_actor(
    db_session: DbSession,
    now: Now,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor | None:
    """No token: the public. A token: it must be valid."""
    if credentials is None:
        return None
    return users_service.authenticate(db_session=db_session, now=now, token=credentials.credentials)


MaybeActor = Annotated[Actor | None, Depends(optional_actor)]


def _read(view: service.CommitmentView, actor: Actor | None) -> CommitmentRead:
    private = service.may_see(actor, view.commitment, as_public=False)
    return CommitmentRead.of(view, masked=not private)


@router.get(
    "/commitments/matters",
    response_model=MattersRead,
    summary="The commitment matters list (信用承诺事项清单)",
    responses=problems.PUBLIC,
)
def list_commitment_matters(db_session: DbSession, profile: CurrentProfile) -> MattersRead:
    """The matters the commitment route is open for: the profile's own, then those an operator added."""
    sec = rules.section(profile)
    added = service.added_matters(db_session=db_session, profile=profile)
    return MattersRead(cite=sec.matters_cite, matters=matter_rows(dict(sec.matters), added))


@router.post(
    "/commitments/matters",
    response_model=MatterRead,
    status_code=201,
    summary="Put a published matter on the commitment list (operators)",
    responses=problems.AUTH_CONFLICT,
)
def add_commitment_matter(
    body: MatterIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> MatterRead:
    """Refusals: `not_allowed` (not an operator), `invalid_field` (a route kind the profile lacks),
    `conflict` (already listed)."""
    row = service.add_matter(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        code=body.code,
        name=body.name,
        kinds=body.kinds,
        basis=body.basis,
    )
    return MatterRead(
        code=row.code,
        kinds=list(row.kinds),
        source="operator",
        name=row.name,
        basis=row.basis,
        added_at=row.added_at,
    )


@router.post(
    "/commitments/matters/{code}/withdrawal",
    response_model=MatterRead,
    summary="Take an operator-added matter off the list (operators)",
    responses=problems.AUTH,
)
def withdraw_commitment_matter(
    code: str, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> MatterRead:
    """Operators withdraw a matter they added; shipped matters of the profile stay."""
    row = service.withdraw_matter(db_session=db_session, profile=profile, now=now, actor=actor, code=code)
    return MatterRead(code=row.code, kinds=list(row.kinds), source="operator", name=row.name, basis=row.basis)


@router.get(
    "/commitments/eligibility",
    response_model=EligibilityRead,
    summary="May this subject use the commitment route for this matter?",
    responses=problems.AUTH,
)
def commitment_eligibility(
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
    subject: Annotated[str, Query(description="the subject's identifier")],
    matter: Annotated[str, Query(min_length=1, max_length=120, description="matter code")],
    kind: Annotated[
        str, Query(description="notification (告知承诺, default) or missing_materials (容缺受理)")
    ] = "notification",
) -> EligibilityRead:
    """The answer with every reason for a "no", each with its article (R-CMT-02)."""
    actor.require_jurisdiction(profile.id)
    found = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=subject)
    if actor.role is Role.subject:
        if actor.subject_id != found.id:
            raise XinyongError("not_allowed", detail="a subject asks about itself only")
    else:
        actor.require(Role.operator, Role.government, Role.provider)
    verdict = service.eligibility(
        db_session=db_session, profile=profile, now=now, subject_id=found.id, matter=matter, kind=kind
    )
    return EligibilityRead.of(found.identifier, verdict)


@router.post(
    "/commitments",
    response_model=CommitmentRead,
    status_code=201,
    summary="Record a credit commitment (信用承诺)",
    responses=problems.AUTH,
)
def make_commitment(
    body: CommitmentCreate, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> CommitmentRead:
    """Refusals: `not_allowed` (another unit's name; a subject recording anything but its own public
    commitment), `missing_field` (content the profile requires, with the article), `invalid_field`
    (a kind the text does not know), `not_eligible` (a route commitment for an unlisted matter or a
    subject the route is closed to, with `reasons`), `unknown_subject`."""
    found = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=body.subject)
    commitment = service.make(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject_id=found.id,
        kind=body.kind,
        matter=body.matter,
        unit=body.unit,
        content=body.content_facts(),
        public=body.public,
        area=body.area,
    )
    return _read(service.view(db_session=db_session, profile=profile, now=now, commitment=commitment), actor)


@router.post(
    "/commitments/{commitment_id}/verification",
    response_model=CommitmentRead,
    summary="Record whether a commitment was kept or broken",
    responses=problems.AUTH_CONFLICT,
)
def verify_commitment(
    commitment_id: RowId,
    body: VerificationIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> CommitmentRead:
    """The outcome becomes the record the profile says (provider: the accepting unit). A breach is
    shown with the measures and fines the text sets (reference data). Refusals: `not_allowed`
    (another unit), `case_closed` (already verified), `unknown_commitment`."""
    commitment = service.verify(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        commitment_id=commitment_id,
        outcome=body.outcome,
        serious=body.serious,
        finding=body.finding,
        document=body.document,
    )
    return _read(service.view(db_session=db_session, profile=profile, now=now, commitment=commitment), actor)


@router.get(
    "/commitments/{commitment_id}",
    response_model=CommitmentRead,
    summary="One commitment (public ones without login)",
    responses=problems.AUTH,
)
def get_commitment(
    commitment_id: RowId, db_session: DbSession, profile: CurrentProfile, now: Now, actor: MaybeActor
) -> CommitmentRead:
    """A commitment the viewer may see; any other answers `unknown_commitment`."""
    view = service.read(
        db_session=db_session, profile=profile, now=now, actor=actor, commitment_id=commitment_id
    )
    return _read(view, actor)


@router.get(
    "/subjects/{identifier}/commitments",
    response_model=CommitmentList,
    summary="A subject's commitments this viewer may see",
    responses=problems.AUTH,
)
def subject_commitments(
    identifier: str, db_session: DbSession, profile: CurrentProfile, now: Now, actor: MaybeActor
) -> CommitmentList:
    """The commitments of a subject this viewer may see: public ones to anyone, all to the subject."""
    found = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    views = service.list_for_subject(
        db_session=db_session, profile=profile, now=now, actor=actor, subject_id=found.id
    )
    return CommitmentList(subject=identifier, commitments=[_read(v, actor) for v in views])
