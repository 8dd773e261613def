"""Builders for the list tests: profiles with their `[lists]` section, subjects, records, listings.

The `[lists]` section is read from the packaged profile files (src/xinyong/profiles/<id>.toml).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import transaction
from xinyong.core.profile import Profile
from xinyong.core.profile_lists import Lists
from xinyong.lists import service
from xinyong.records import service as records_service
from xinyong.subjects import service as subjects_service

DATA = Path(__file__).resolve().parents[2] / "src" / "xinyong" / "profiles"
PROFILE_IDS = ("jiangsu", "shenzhen", "nanjing", "jilin", "henan")
PROVIDERS = {
    "shenzhen": "深圳市市场监督管理局",
    "jilin": "吉林省应急管理厅",
    "nanjing": "南京市市场监督管理局",
    "henan": "河南省农业农村厅",
    "jiangsu": "江苏省市场监督管理局",
}
DIVISION = {
    "shenzhen": "440305",
    "jilin": "220101",
    "nanjing": "320102",
    "henan": "410105",
    "jiangsu": "320100",
}


def uscc(n: int, division: str = "440305") -> str:
    body = f"91{division}{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def ric(n: int, division: str = "320102", born: date = date(1985, 4, 12)) -> str:
    body = f"{division}{born:%Y%m%d}{n % 1000:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def at(day: date | str, hour: int = 9, minute: int = 0) -> datetime:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(d, time(hour, minute), tzinfo=SHANGHAI)


def lists_section(pid: str) -> Lists:
    raw = tomllib.loads((DATA / f"{pid}.toml").read_text(encoding="utf-8"))
    return Lists.model_validate(raw["lists"])


def profile(pid: str) -> Profile:
    p = profiles.get(pid)
    assert p.lists is not None, f"{pid} has no [lists] section"
    return p


def operator() -> Actor:
    return Actor(username="operator", role=Role.operator, organization="公共信用信息工作机构")


def provider(name: str) -> Actor:
    return Actor(username=name, role=Role.provider, organization=name)


def subject_actor(subject_id: int) -> Actor:
    return Actor(username=f"subject:{subject_id}", role=Role.subject, subject_id=subject_id)


class World:
    """One database, one profile: subjects, records and listings made through the services."""

    def __init__(self, factory: sessionmaker[Session], p: Profile) -> None:
        self.factory = factory
        self.profile = p
        self.provider_name = PROVIDERS[p.id]
        self.n = 0

    def do(self, fn: Callable[..., Any], now: datetime, **kw: Any) -> Any:
        with transaction(self.factory) as db:
            out = fn(db_session=db, profile=self.profile, now=now, **kw)
            return getattr(out, "id", out)

    def subject(self, now: datetime, kind: str = "legal_person", name: str = "某某有限公司") -> int:
        self.n += 1
        identifier = (
            uscc(7000 + self.n, DIVISION[self.profile.id]) if kind != "natural_person" else ric(self.n)
        )
        with transaction(self.factory) as db:
            return subjects_service.get_or_create(
                db_session=db, now=now, kind=kind, identifier=identifier, name=f"{name}{self.n}"
            ).id

    def link(self, now: datetime, organization: int, person: int, role: str = "legal_representative") -> None:
        with transaction(self.factory) as db:
            org = subjects_service.get(db_session=db, subject_id=organization)
            per = subjects_service.get(db_session=db, subject_id=person)
            assert org is not None and per is not None
            subjects_service.link_responsible(db_session=db, now=now, organization=org, person=per, role=role)

    def record(
        self,
        now: datetime,
        subject_id: int,
        *,
        item: str = "admin_penalty",
        decided_on: str | None = None,
        **over: Any,
    ) -> int:
        self.n += 1
        with transaction(self.factory) as db:
            s = subjects_service.get(db_session=db, subject_id=subject_id)
            assert s is not None
            values: dict[str, Any] = {
                "item": item,
                "subject_kind": s.kind,
                "subject_id": s.identifier,
                "subject_name": s.name,
                "provider": self.provider_name,
                "decided_on": decided_on or now.date().isoformat(),
                "document": f"文书〔2026〕{self.n}号",
                "record_id": f"test:{self.n}",
                "data": {},
            }
            if item == "admin_penalty":
                values |= {"severity": "severe", "procedure": "general"}
            values.update(over)
            record, _ = records_service.submit(
                db_session=db,
                profile=self.profile,
                now=now,
                actor=provider(self.provider_name),
                values=values,
            )
            return record.id

    def propose(
        self, now: datetime, subject_id: int, basis: list[int], *, list_name: str = "severe", ground: str
    ) -> int:
        return int(
            self.do(
                service.propose,
                now,
                actor=provider(self.provider_name),
                list_name=list_name,
                subject_id=subject_id,
                ground=ground,
                basis_record_ids=basis,
            )
        )

    def notify(self, now: datetime, listing_id: int) -> None:
        self.do(service.notify, now, actor=operator(), listing_id=listing_id)

    def decide(self, now: datetime, listing_id: int, **kw: Any) -> None:
        self.do(service.decide, now, actor=operator(), listing_id=listing_id, **kw)

    def remove(self, now: datetime, listing_id: int, reason: str = "repair") -> None:
        self.do(service.remove, now, actor=operator(), listing_id=listing_id, reason=reason)

    def listed(
        self,
        now: datetime,
        subject_id: int,
        basis: list[int],
        *,
        list_name: str = "severe",
        ground: str,
        **kw: Any,
    ) -> int:
        listing_id = self.propose(now, subject_id, basis, list_name=list_name, ground=ground)
        self.notify(now, listing_id)
        self.decide(now, listing_id, **kw)
        return listing_id

    def state(self, now: datetime, listing_id: int) -> str:
        with transaction(self.factory) as db:
            listing = service.get_or_raise(db_session=db, listing_id=listing_id)
            return service.view(db_session=db, profile=self.profile, now=now, listing=listing).status
