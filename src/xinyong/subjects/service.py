"""Subjects: find or register, link responsible persons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core import identifiers
from xinyong.core.errors import XinyongError
from xinyong.subjects.models import ResponsiblePerson, Subject

# 法定代表人, 实际控制人, 主要负责人, 其他直接责任人 (R-SUB-05; SCENARIOS.md `responsible` roles)
RESPONSIBLE_ROLES = ("legal_representative", "actual_controller", "principal", "directly_responsible")
# documents laid out as a 公民身份号码 (GB 11643), whose digits carry the birth date
_BIRTH_DATE_TYPES = ("ric", "residence_permit", "foreign_permanent_residence")
_ID_TYPES = [t.value for t in identifiers.IdType]


def get(*, db_session: Session, subject_id: int) -> Subject | None:
    return db_session.get(Subject, subject_id)


def find(*, db_session: Session, identifier: str, id_type: str | None = None) -> Subject | None:
    # `identifier = ?` alone cannot use the (id_type, identifier) unique index and scans the table;
    # every id type in the IN list makes it an index search. Lowest id first, as the scan returned.
    types = [id_type] if id_type else _ID_TYPES
    query = (
        select(Subject)
        .where(Subject.id_type.in_(types), Subject.identifier == identifier)
        .order_by(Subject.id)
    )
    return db_session.scalars(query).first()


def get_by_identifier_or_raise(*, db_session: Session, identifier: str) -> Subject:
    compact = identifiers.normalize(identifier)
    subject = find(db_session=db_session, identifier=compact)
    if subject is None:
        raise XinyongError("unknown_subject", detail=identifier, field="subject")
    return subject


def get_or_create(
    *, db_session: Session, now: datetime, kind: str, identifier: str, name: str, id_type: str | None = None
) -> Subject:
    """The one archive of this identifier; registers the subject on first sight."""
    compact = identifiers.validate(identifier, kind, id_type)
    id_type = id_type or identifiers.default_id_type(kind).value
    subject = find(db_session=db_session, identifier=compact, id_type=id_type)
    if subject is not None:
        if subject.kind != kind:
            raise XinyongError(
                "subject_mismatch",
                field="subject_kind",
                detail=f"{compact} is registered as {subject.kind}, not {kind}",
            )
        return subject
    # the 十六周岁 rule (江苏 第二十六条) needs it; a 2004 permanent-residence card (15 characters) has none
    birth = (
        identifiers.birth_date(compact, id_type)
        if id_type in _BIRTH_DATE_TYPES and len(compact) == 18
        else None
    )
    subject = Subject(
        kind=kind, id_type=id_type, identifier=compact, name=name, birth_date=birth, created_at=now
    )
    db_session.add(subject)
    db_session.flush()
    return subject


def link_responsible(
    *, db_session: Session, now: datetime, organization: Subject, person: Subject, role: str
) -> ResponsiblePerson:
    if role not in RESPONSIBLE_ROLES:
        raise XinyongError(
            "invalid_field", field="role", detail=f"{role!r}; one of {', '.join(RESPONSIBLE_ROLES)}"
        )
    if organization.kind == "natural_person" or person.kind != "natural_person":
        raise XinyongError(
            "not_eligible", detail="a responsible person links a natural person to an organisation"
        )
    existing = db_session.scalars(
        select(ResponsiblePerson).where(
            ResponsiblePerson.organization_id == organization.id,
            ResponsiblePerson.person_id == person.id,
            ResponsiblePerson.role == role,
        )
    ).first()
    if existing is not None:
        return existing
    link = ResponsiblePerson(organization_id=organization.id, person_id=person.id, role=role, created_at=now)
    db_session.add(link)
    db_session.flush()
    return link


def organizations_of(*, db_session: Session, person_id: int) -> list[tuple[ResponsiblePerson, Subject]]:
    rows = db_session.execute(
        select(ResponsiblePerson, Subject)
        .join(Subject, Subject.id == ResponsiblePerson.organization_id)
        .where(ResponsiblePerson.person_id == person_id)
    ).all()
    return [(link, org) for link, org in rows]
