"""What the API tests share: identifiers, units, seeded users, the clock, the problem+json check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from xinyong.core.actor import Role
from xinyong.core.clock import DEFAULT_HOUR, SHANGHAI
from xinyong.core.db import session_factory, transaction
from xinyong.subjects import service as subjects_service
from xinyong.users import service as users_service

PROBLEM = "application/problem+json"

# Real-format identifiers with valid check characters (GB 32100-2015, GB 11643-1999).
NJ_COMPANY = "91320102MA1XY81239"  # a Nanjing company (jiangsu)
NJ_OTHER = "91320106MA1ABC345F"  # a second Nanjing company, with its own subject login
CC_COMPANY = "91220101MA14XK7Q0T"  # a Changchun company (jilin)
ZZ_COMPANY = "91410100MA4DEF5676"  # a Zhengzhou company (henan)
ZHANG_SAN = "320102199003074560"  # 张三, a natural person in Nanjing
CC_PERSON = "220102198506120030"  # 李四, a natural person in Changchun

NJ_SAMR = "南京市市场监督管理局"
NJ_TAX = "国家税务总局南京市税务局"
CC_SAMR = "长春市市场监督管理局"
ZZ_SAMR = "郑州市市场监督管理局"
ZZ_ENV = "郑州市生态环境局"
SZ_SAMR = "深圳市市场监督管理局"
NJ_DRC = "南京市发展和改革委员会"
AGENCY = "江苏某某信用服务有限公司"
OTHER_AGENCY = "江苏另一信用服务有限公司"


def at(day: str | date, hour: int | None = None) -> datetime:
    """A scenario instant: the day at 09:00 Shanghai time (SCENARIOS.md), or at `hour`."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    t = DEFAULT_HOUR if hour is None else DEFAULT_HOUR.replace(hour=hour)
    return datetime.combine(d, t, tzinfo=SHANGHAI)


@dataclass
class Clock:
    """The server's clock: tests set `.now`; the app reads it on every request."""

    now: datetime


@dataclass
class Api:
    """The running server, its clock and one authenticated client per seeded user."""

    base_url: str
    clock: Clock
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def __getattr__(self, name: str) -> httpx.Client:
        try:
            return self.clients[name]
        except KeyError:
            raise AttributeError(name) from None

    def travel(self, day: str | date, hour: int | None = None) -> None:
        self.clock.now = at(day, hour)


# username -> (role, organization, jurisdiction, subject identifier to link)
USERS: dict[str, tuple[Role, str | None, str | None, str | None]] = {
    "operator": (Role.operator, None, None, None),
    "provider": (Role.provider, NJ_SAMR, "jiangsu", None),
    "provider_tax": (Role.provider, NJ_TAX, "jiangsu", None),
    "provider_jilin": (Role.provider, CC_SAMR, "jilin", None),
    "provider_henan": (Role.provider, ZZ_SAMR, "henan", None),
    "provider_henan_env": (Role.provider, ZZ_ENV, "henan", None),
    "provider_shenzhen": (Role.provider, SZ_SAMR, "shenzhen", None),
    "operator_jilin": (Role.operator, None, "jilin", None),
    "government": (Role.government, NJ_DRC, None, None),
    "agency": (Role.agency, AGENCY, None, None),
    "other_agency": (Role.agency, OTHER_AGENCY, None, None),
    "subject": (Role.subject, None, None, NJ_COMPANY),
    "other_subject": (Role.subject, None, None, NJ_OTHER),
    "person": (Role.subject, None, None, ZHANG_SAN),
}

SUBJECTS = [
    ("legal_person", NJ_COMPANY, "南京某某科技有限公司"),
    ("legal_person", NJ_OTHER, "南京另一贸易有限公司"),
    ("legal_person", CC_COMPANY, "长春某某科技有限公司"),
    ("legal_person", ZZ_COMPANY, "郑州某某商贸有限公司"),
    ("natural_person", ZHANG_SAN, "张三"),
    ("natural_person", CC_PERSON, "李四"),
]


def seed(engine: Engine, now: datetime) -> dict[str, str]:
    """Register the subjects and users in one transaction; returns username -> API token."""
    tokens: dict[str, str] = {}
    with transaction(session_factory(engine)) as db_session:
        ids = {
            ident: subjects_service.get_or_create(
                db_session=db_session, now=now, kind=kind, identifier=ident, name=name
            ).id
            for kind, ident, name in SUBJECTS
        }
        for username, (role, org, jurisdiction, subject) in USERS.items():
            user = users_service.create_user(
                db_session=db_session,
                now=now,
                username=username,
                role=role,
                organization=org,
                jurisdiction=jurisdiction,
                subject_id=ids[subject] if subject else None,
            )
            tokens[username] = users_service.issue_token(db_session=db_session, now=now, user=user)
    return tokens


def problem(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert `resp` is a problem+json refusal with this status and code; return its body."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["content-type"].split(";")[0] == PROBLEM, resp.headers["content-type"]
    body = resp.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"].endswith("/" + code)
    assert body["message_zh"] and body["message_en"]
    return body


def penalty(subject_id: str = NJ_COMPANY, **over: Any) -> dict[str, Any]:
    """An administrative penalty (行政处罚) on a legal person, as a provider submits it."""
    body: dict[str, Any] = {
        "item": "admin_penalty",
        "subject_kind": "legal_person",
        "subject_id": subject_id,
        "decided_on": "2026-03-02",
        "severity": "general",
        "procedure": "general",
        "document": "宁市监罚〔2026〕12号",
    }
    body.update(over)
    return body


def record_ids(resp: httpx.Response) -> list[int]:
    """The record ids an archive response shows (after checking it is a 200 JSON answer)."""
    assert resp.status_code == 200, (resp.status_code, resp.text)
    assert resp.headers["content-type"].split(";")[0] == "application/json"
    return [r["id"] for r in resp.json()["records"]]
