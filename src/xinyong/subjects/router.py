"""Subjects API: register a subject, link responsible persons, read who an organisation's persons are."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, DbSession, Now
from xinyong.core.actor import Role
from xinyong.core.errors import XinyongError
from xinyong.records.validation import RESPONSIBLE_ROLES
from xinyong.subjects import service
from xinyong.subjects.models import Subject

router = APIRouter()


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="legal_person / unincorporated_org / natural_person")
    identifier: str
    id_type: str | None = Field(None, description="uscc, ric, passport, hk_macao_permit, taiwan_permit, ...")
    name: str


class ResponsibleLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: SubjectIn
    role: str = Field(
        description="legal_representative / actual_controller / principal / directly_responsible"
    )


class ResponsibleRead(BaseModel):
    role: str
    person_identifier: str
    person_name: str


class SubjectDetail(BaseModel):
    id: int
    kind: str
    id_type: str
    identifier: str
    name: str
    birth_date: date | None
    responsible: list[ResponsibleRead]


def _detail(subject: Subject) -> SubjectDetail:
    return SubjectDetail(
        id=subject.id,
        kind=subject.kind,
        id_type=subject.id_type,
        identifier=subject.identifier,
        name=subject.name,
        birth_date=subject.birth_date,
        responsible=[
            ResponsibleRead(
                role=link.role, person_identifier=link.person.identifier, person_name=link.person.name
            )
            for link in subject.responsible
        ],
    )


@router.post(
    "/subjects",
    response_model=SubjectDetail,
    status_code=201,
    summary="Register a subject",
    responses=problems.AUTH_CONFLICT,
)
def register(body: SubjectIn, db_session: DbSession, now: Now, actor: CurrentActor) -> SubjectDetail:
    """Register a subject (its identifier is checked); an existing one is returned as it is."""
    actor.require(Role.operator, Role.provider)
    subject = service.get_or_create(
        db_session=db_session,
        now=now,
        kind=body.kind,
        identifier=body.identifier,
        name=body.name,
        id_type=body.id_type,
    )
    return _detail(subject)


@router.get(
    "/subjects/{identifier}",
    response_model=SubjectDetail,
    summary="A subject's registration",
    responses=problems.AUTH,
)
def get_subject(identifier: str, db_session: DbSession, actor: CurrentActor) -> SubjectDetail:
    """A subject's registration data and responsible persons (not its records: see the archive endpoints)."""
    subject = service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    if actor.role is Role.subject and actor.subject_id != subject.id:
        actor.require(Role.operator)
    return _detail(subject)


@router.post(
    "/subjects/{identifier}/responsible",
    response_model=SubjectDetail,
    status_code=201,
    summary="Link a responsible person",
    responses=problems.AUTH_CONFLICT,
)
def link(
    identifier: str, body: ResponsibleLinkIn, db_session: DbSession, now: Now, actor: CurrentActor
) -> SubjectDetail:
    """Link a responsible person (法定代表人, 实际控制人, 主要负责人, 其他直接责任人) to an organisation."""
    actor.require(Role.operator, Role.provider)
    organization = service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    if body.role not in RESPONSIBLE_ROLES:
        raise XinyongError("invalid_field", field="role", detail=body.role)
    person = service.get_or_create(
        db_session=db_session,
        now=now,
        kind=body.person.kind,
        identifier=body.person.identifier,
        name=body.person.name,
        id_type=body.person.id_type,
    )
    service.link_responsible(
        db_session=db_session, now=now, organization=organization, person=person, role=body.role
    )
    db_session.refresh(organization)
    return _detail(organization)
