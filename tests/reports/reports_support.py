"""Builders for the report tests: profiles with a given reports section, records, reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from factories import amended, provider
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.core.profile import Profile
from xinyong.records import service as records_service
from xinyong.subjects.models import Subject

Factory = sessionmaker[Session]


def with_reports(profile_id: str, reports: dict[str, Any] | None) -> Profile:
    """The shipped profile with its `reports` section replaced (None: the section left out)."""

    def change(data: dict[str, Any]) -> None:
        data.pop("reports", None)
        if reports is not None:
            data["reports"] = reports

    return amended(profiles.get(profile_id), change)


def submit(sf: Factory, profile: Profile, now: datetime, values: dict[str, Any]) -> tuple[int, int]:
    """Submit one record as its provider; returns (record id, subject id)."""
    with transaction(sf) as db:
        record, _ = records_service.submit(
            db_session=db, profile=profile, now=now, actor=provider(values["provider"]), values=values
        )
        return record.id, record.subject_id


def subject_of(sf: Factory, subject_id: int) -> Subject:
    with transaction(sf) as db:
        subject = db.get(Subject, subject_id)
        assert subject is not None
        return subject


def day(text: str) -> date:
    return date.fromisoformat(text)


# --------------------------------------------------------------------------- the API, in process


class Http:
    """The app with the given routers mounted, one TestClient per seeded user (tests/api/helpers.py)."""

    def __init__(self, engine: Any, routers: list[Any]) -> None:
        import warnings

        with warnings.catch_warnings():  # starlette asks for httpx2, which the project does not use
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        from api.helpers import Clock, at, seed
        from xinyong.api.app import J, create_app

        self.clock = Clock(at("2026-03-02"))
        self.app = create_app(engine, lambda: self.clock.now)
        mounted = {getattr(r, "path", None) for r in self.app.routes}
        for router in routers:
            if not any(J + getattr(r, "path", "") in mounted for r in router.routes):
                self.app.include_router(router, prefix=J)  # until the lead mounts it in api/app.py
        tokens = seed(engine, self.clock.now)
        self.clients = {"anonymous": TestClient(self.app)}
        for username, token in tokens.items():
            self.clients[username] = TestClient(self.app, headers={"Authorization": f"Bearer {token}"})

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["clients"][name]
        except KeyError:
            raise AttributeError(name) from None

    def travel(self, text: str, hour: int | None = None) -> None:
        from api.helpers import at

        self.clock.now = at(text, hour)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
