"""Users, roles and API tokens on real SQLite and PostgreSQL. A token is stored only as its SHA-256."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import at, uscc
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.subjects import service as subjects_service
from xinyong.users import service
from xinyong.users.models import ApiToken, Organization

Factory = sessionmaker[Session]
T0 = at(date(2026, 3, 2))
T1 = at(date(2026, 3, 3))


def new_user(sf: Factory, username: str = "wang", role: Role = Role.provider, **kw: object) -> str:
    """Create a user; returns its first token."""
    kw.setdefault("organization", "长春市市场监督管理局")
    with transaction(sf) as db:
        user = service.create_user(db_session=db, now=T0, username=username, role=role, **kw)  # type: ignore[arg-type]
        return service.issue_token(db_session=db, now=T0, user=user, label="test")


def authenticate(sf: Factory, token: str | None, now: object = T0) -> Actor:
    with transaction(sf) as db:
        return service.authenticate(db_session=db, now=now, token=token)  # type: ignore[arg-type]


def test_token_authenticates_as_the_user_with_its_role_and_unit(session_factory: Factory) -> None:
    token = new_user(session_factory, jurisdiction="jilin")
    assert token.startswith("xy_")
    assert authenticate(session_factory, token) == Actor(
        username="wang", role=Role.provider, organization="长春市市场监督管理局", jurisdiction="jilin"
    )


def test_token_stored_only_as_its_hash(session_factory: Factory) -> None:
    token = new_user(session_factory)
    with transaction(session_factory) as db:
        [row] = db.scalars(select(ApiToken)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.label)


def test_each_token_is_new(session_factory: Factory) -> None:
    first = new_user(session_factory)
    with transaction(session_factory) as db:
        user = service.create_user(db_session=db, now=T0, username="li", role=Role.operator)
        second = service.issue_token(db_session=db, now=T0, user=user)
    assert first != second
    assert authenticate(session_factory, second).role is Role.operator


@pytest.mark.parametrize("token", [None, "", "xy_not-a-real-token"])
def test_missing_or_unknown_token_is_unauthenticated(session_factory: Factory, token: str | None) -> None:
    new_user(session_factory)
    with pytest.raises(XinyongError) as exc:
        authenticate(session_factory, token)
    assert (exc.value.code, exc.value.status) == ("unauthenticated", 401)


def test_revoked_token_is_unauthenticated_from_the_revocation_instant(session_factory: Factory) -> None:
    token = new_user(session_factory)
    with transaction(session_factory) as db:
        assert service.revoke_token(db_session=db, now=T1, token=token).revoked_at == T1
    assert authenticate(session_factory, token, now=at(date(2026, 3, 3), hour=8)).username == "wang"
    with pytest.raises(XinyongError) as exc:
        authenticate(session_factory, token, now=T1)
    assert exc.value.code == "unauthenticated"
    with transaction(session_factory) as db:  # revoking again keeps the first time
        assert service.revoke_token(db_session=db, now=at(date(2026, 4, 1)), token=token).revoked_at == T1


def test_revoking_an_unknown_token(session_factory: Factory) -> None:
    with pytest.raises(XinyongError) as exc, transaction(session_factory) as db:
        service.revoke_token(db_session=db, now=T0, token="xy_unknown")
    assert (exc.value.code, exc.value.field) == ("not_found", "token")


def test_revoking_one_token_leaves_the_others(session_factory: Factory) -> None:
    first = new_user(session_factory)
    with transaction(session_factory) as db:
        [row] = db.scalars(select(ApiToken)).all()
        second = service.issue_token(db_session=db, now=T0, user=row.user)
        service.revoke_token(db_session=db, now=T0, token=first)
    assert authenticate(session_factory, second, now=T1).username == "wang"


def test_subject_user_acts_as_its_subject(session_factory: Factory) -> None:
    with transaction(session_factory) as db:
        subject = subjects_service.get_or_create(
            db_session=db, now=T0, kind="legal_person", identifier=uscc(1), name="长春某某科技有限公司"
        )
    token = new_user(session_factory, "company", Role.subject, organization=None, subject_id=subject.id)
    actor = authenticate(session_factory, token)
    assert (actor.role, actor.subject_id, actor.organization) == (Role.subject, subject.id, None)


@pytest.mark.parametrize("role", [Role.provider, Role.government, Role.agency])
def test_unit_roles_need_an_organisation(session_factory: Factory, role: Role) -> None:
    with pytest.raises(XinyongError) as exc:
        new_user(session_factory, role=role, organization=None)
    assert (exc.value.code, exc.value.field) == ("missing_field", "organization")


def test_subject_role_needs_a_subject_and_usernames_are_unique(session_factory: Factory) -> None:
    with pytest.raises(XinyongError) as exc:
        new_user(session_factory, role=Role.subject, organization=None)
    assert (exc.value.code, exc.value.field) == ("missing_field", "subject")
    new_user(session_factory)
    with pytest.raises(XinyongError) as exc:
        new_user(session_factory)
    assert (exc.value.code, exc.value.field) == ("invalid_request", "username")


def test_users_of_one_unit_share_its_organisation(session_factory: Factory) -> None:
    new_user(session_factory, "wang")
    new_user(session_factory, "zhao")
    with transaction(session_factory) as db:
        assert db.scalars(select(Organization.name)).all() == ["长春市市场监督管理局"]
