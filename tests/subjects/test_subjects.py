"""Subjects (信用主体) on real SQLite and PostgreSQL: one archive per identifier, responsible persons.

R-SUB-02/03: organisations keyed by 统一社会信用代码, natural persons by 公民身份号码 (or another valid
document where the profile allows it). R-SUB-05: responsible persons link a natural person to an
organisation by role.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import ric as stdnum_ric

from factories import PASSPORT, at, residence_permit, ric, uscc, wrong_check
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.subjects import service
from xinyong.subjects.models import ResponsiblePerson, Subject

Factory = sessionmaker[Session]
T0 = at(date(2026, 3, 2))


def create(sf: Factory, kind: str, identifier: str, name: str = "某主体", **kw: Any) -> Subject:
    with transaction(sf) as db:
        return service.get_or_create(db_session=db, now=T0, kind=kind, identifier=identifier, name=name, **kw)


def subjects(sf: Factory) -> int:
    with transaction(sf) as db:
        return int(db.scalar(select(func.count()).select_from(Subject)) or 0)


def test_organisation_registered_with_its_compact_uscc(session_factory: Factory) -> None:
    pasted = " ".join(uscc(1)).replace("9", "９")  # full-width digits and spaces, as pasted from Excel
    company = create(session_factory, "legal_person", pasted, "长春某某科技有限公司")
    assert (company.kind, company.id_type, company.identifier, company.name) == (
        "legal_person",
        "uscc",
        uscc(1),
        "长春某某科技有限公司",
    )
    assert (company.birth_date, company.created_at) == (None, T0)


def test_same_identifier_twice_is_the_same_subject(session_factory: Factory) -> None:
    first = create(session_factory, "legal_person", uscc(1), "旧名称")
    again = create(session_factory, "legal_person", uscc(1).lower(), "新名称")
    assert again.id == first.id
    assert subjects(session_factory) == 1


def test_invalid_identifier_registers_nothing(session_factory: Factory) -> None:
    with pytest.raises(XinyongError) as exc:
        create(session_factory, "legal_person", wrong_check(uscc(1)))
    assert (exc.value.code, exc.value.detail) == ("invalid_identifier", "InvalidChecksum")
    with pytest.raises(XinyongError) as exc:
        create(session_factory, "natural_person", uscc(1))  # a company code is no 公民身份号码
    assert exc.value.code == "invalid_identifier"
    assert subjects(session_factory) == 0


def test_kind_mismatch_is_subject_mismatch(session_factory: Factory) -> None:
    create(session_factory, "legal_person", uscc(1))
    with pytest.raises(XinyongError) as exc:
        create(session_factory, "unincorporated_org", uscc(1))
    assert (exc.value.code, exc.value.field) == ("subject_mismatch", "subject_kind")
    assert exc.value.detail == f"{uscc(1)} is registered as legal_person, not unincorporated_org"


@pytest.mark.parametrize(
    ("division", "born"),
    [("320102", date(1990, 3, 7)), ("220102", date(1984, 1, 31)), ("410105", date(1998, 12, 31))],
)
def test_birth_date_stored_for_a_citizen_number(session_factory: Factory, division: str, born: date) -> None:
    """江苏 第二十六条: the 十六周岁 rule needs the person's birth date."""
    person = create(session_factory, "natural_person", ric(5, division, born), "张三")
    assert (person.id_type, person.birth_date) == ("ric", born)


def test_birth_date_stored_for_a_residence_permit_not_a_passport(session_factory: Factory) -> None:
    permit = create(session_factory, "natural_person", residence_permit(), id_type="residence_permit")
    assert permit.birth_date == date(1988, 5, 20)
    passport = create(session_factory, "natural_person", PASSPORT, id_type="passport")
    assert (passport.id_type, passport.birth_date) == ("passport", None)


def test_birth_date_of_a_permanent_residence_card_2023_layout(session_factory: Factory) -> None:
    """外国人永久居留身份证 (2023): 9, province, nationality, birth date, sequence, GB 11643 check."""
    body = "911156" + "19900307" + "001"
    card = body + stdnum_ric.calc_check_digit(body + "0")
    person = create(session_factory, "natural_person", card, id_type="foreign_permanent_residence")
    assert person.birth_date == date(1990, 3, 7)
    old = create(session_factory, "natural_person", "USA123456789012", id_type="foreign_permanent_residence")
    assert old.birth_date is None  # the 2004 card carries no birth date


def test_the_same_number_under_two_document_types_is_two_subjects(session_factory: Factory) -> None:
    a = create(session_factory, "natural_person", "12345678", id_type="taiwan_permit")
    b = create(session_factory, "natural_person", "12345678", id_type="passport")
    assert a.id != b.id
    with transaction(session_factory) as db:
        assert service.find(db_session=db, identifier="12345678", id_type="passport").id == b.id  # type: ignore[union-attr]


def test_unknown_subject(session_factory: Factory) -> None:
    with pytest.raises(XinyongError) as exc, transaction(session_factory) as db:
        service.get_by_identifier_or_raise(db_session=db, identifier=uscc(9))
    assert (exc.value.code, exc.value.field) == ("unknown_subject", "subject")


def test_found_by_a_pasted_identifier(session_factory: Factory) -> None:
    company = create(session_factory, "legal_person", uscc(1))
    with transaction(session_factory) as db:
        found = service.get_by_identifier_or_raise(db_session=db, identifier=" " + uscc(1).lower())
    assert found.id == company.id


# --------------------------------------------------------------------------- responsible persons


def link(sf: Factory, organization: Subject, person: Subject, role: str = "legal_representative") -> int:
    with transaction(sf) as db:
        return service.link_responsible(
            db_session=db, now=T0, organization=organization, person=person, role=role
        ).id


@pytest.mark.parametrize(
    "role", ["legal_representative", "actual_controller", "principal", "directly_responsible"]
)
def test_responsible_person_linked_by_role(session_factory: Factory, role: str) -> None:
    """R-SUB-05 (南京 第四十三条, 吉林 第二十八条): the four roles of the scenario vocabulary."""
    company = create(session_factory, "legal_person", uscc(1))
    person = create(session_factory, "natural_person", ric(1), "张三")
    link(session_factory, company, person, role)
    with transaction(session_factory) as db:
        [(found, org)] = service.organizations_of(db_session=db, person_id=person.id)
        assert (found.role, found.created_at, org.identifier) == (role, T0, uscc(1))


def test_same_link_twice_is_one_link_another_role_is_another(session_factory: Factory) -> None:
    org = create(session_factory, "unincorporated_org", uscc(2))
    person = create(session_factory, "natural_person", ric(1))
    assert link(session_factory, org, person) == link(session_factory, org, person)
    link(session_factory, org, person, "actual_controller")
    with transaction(session_factory) as db:
        assert db.scalar(select(func.count()).select_from(ResponsiblePerson)) == 2


def test_link_checks_kinds(session_factory: Factory) -> None:
    company = create(session_factory, "legal_person", uscc(1))
    other = create(session_factory, "legal_person", uscc(2))
    zhang = create(session_factory, "natural_person", ric(1))
    li = create(session_factory, "natural_person", ric(3))
    for organization, person in ((company, other), (zhang, li), (zhang, company)):
        with pytest.raises(XinyongError) as exc:
            link(session_factory, organization, person)
        assert exc.value.code == "not_eligible"


def test_link_refuses_an_unknown_role(session_factory: Factory) -> None:
    company = create(session_factory, "legal_person", uscc(1))
    zhang = create(session_factory, "natural_person", ric(1))
    with pytest.raises(XinyongError) as exc:
        link(session_factory, company, zhang, "boss")
    assert (exc.value.code, exc.value.field) == ("invalid_field", "role")
