"""Builders for the objection tests: profiles, actors, records and cases on a real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import transaction
from xinyong.core.profile import Profile
from xinyong.records import service as records_service
from xinyong.rights.objections import service
from xinyong.subjects import service as subjects_service

PROVIDERS = {
    "shenzhen": "深圳市市场监督管理局",
    "jilin": "长春市市场监督管理局",
    "nanjing": "南京市市场监督管理局",
    "henan": "郑州市市场监督管理局",
    "jiangsu": "南京市市场监督管理局",
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


def ric(n: int, division: str = "440303", born: date = date(1985, 4, 12)) -> str:
    body = f"{division}{born:%Y%m%d}{n % 1000:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def at(day: date | str, hour: int = 9, minute: int = 0) -> datetime:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(d, time(hour, minute), tzinfo=SHANGHAI)


def profile(pid: str) -> Profile:
    return profiles.get(pid)


def with_objection(p: Profile, **changes: Any) -> Profile:
    """`p` with its objection section changed (the section stays a validated model)."""
    assert p.objection is not None
    section = p.objection.model_validate(p.objection.model_dump(by_alias=True) | changes)
    return p.model_copy(update={"objection": section})


def operator() -> Actor:
    return Actor(username="operator", role=Role.operator, organization="公共信用信息工作机构")


def provider(name: str) -> Actor:
    return Actor(username=name, role=Role.provider, organization=name)


def subject_actor(subject_id: int) -> Actor:
    return Actor(username=f"subject:{subject_id}", role=Role.subject, subject_id=subject_id)


class World:
    """One database, one profile: records, subjects and cases made through the services."""

    def __init__(self, factory: sessionmaker[Session], p: Profile) -> None:
        self.factory = factory
        self.profile = p
        self.provider_name = PROVIDERS[p.id]
        self.n = 0

    def do(self, fn: Callable[..., Any], now: datetime, **kw: Any) -> Any:
        with transaction(self.factory) as db:
            return fn(db_session=db, profile=self.profile, now=now, **kw)

    def subject(self, now: datetime, kind: str = "legal_person", name: str = "某某有限公司") -> int:
        self.n += 1
        identifier = (
            uscc(7000 + self.n, DIVISION[self.profile.id]) if kind != "natural_person" else ric(self.n)
        )
        with transaction(self.factory) as db:
            return subjects_service.get_or_create(
                db_session=db, now=now, kind=kind, identifier=identifier, name=f"{name}{self.n}"
            ).id

    def identifier(self, subject_id: int) -> str:
        with transaction(self.factory) as db:
            s = subjects_service.get(db_session=db, subject_id=subject_id)
            assert s is not None
            return s.identifier

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
                "document": f"测试〔2026〕{self.n}号",
                "record_id": f"t{self.n}",
                "data": {"fine_amount": "5000", "violation": "未按规定公示"},
            }
            if item == "admin_penalty":
                values |= {"severity": "general", "procedure": "general"}
            values.update(over)
            record, _ = records_service.submit(
                db_session=db,
                profile=self.profile,
                now=now,
                actor=provider(self.provider_name),
                values=values,
            )
            return record.id

    def file(self, now: datetime, record_id: int, subject_id: int, **kw: Any) -> int:
        kw.setdefault("reason", "记载有误")
        if self.profile.objection is not None and self.profile.objection.evidence_required:
            kw.setdefault("evidence", ["证明材料"])
        case = self.do(
            service.file_objection, now, actor=subject_actor(subject_id), record_id=record_id, **kw
        )
        return case.id

    def view(self, now: datetime, case_id: int) -> service.CaseView:
        with transaction(self.factory) as db:
            case = service.get_or_raise(db_session=db, case_id=case_id)
            return service.view(db_session=db, profile=self.profile, now=now, case=case)

    def stage(self, now: datetime, case_id: int, name: str) -> Any:
        return next(s for s in self.view(now, case_id).stages if s.name == name)

    def deadline(self, now: datetime, case_id: int, stage: str | None = None) -> tuple[date, bool, str]:
        with transaction(self.factory) as db:
            case = service.get_or_raise(db_session=db, case_id=case_id)
            due, name = service.deadline(db_session=db, profile=self.profile, now=now, case=case, stage=stage)
            return due.due, due.provisional, name
