"""The marks routes in the real app (create_app with the router mounted as the lead mounts it), over
the ASGI interface on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from marks_helpers import SZ_COMPANY, SZ_OTHER, SZ_SAMR
from sqlalchemy import Engine

from factories import at, penalty
from xinyong.api.app import J, create_app
from xinyong.core.actor import Role
from xinyong.core.db import session_factory, transaction
from xinyong.rights.marks.router import router
from xinyong.subjects import service as subjects_service
from xinyong.users import service as users_service

PROBLEM = "application/problem+json"


class Clock:
    def __init__(self) -> None:
        self.now = at(date(2026, 3, 2))


def _seed(engine: Engine, now: Any) -> dict[str, dict[str, str]]:
    tokens = {}
    with transaction(session_factory(engine)) as db:
        ids = {
            ident: subjects_service.get_or_create(
                db_session=db, now=now, kind="legal_person", identifier=ident, name=name
            ).id
            for ident, name in ((SZ_COMPANY, "深圳市罗湖区某某贸易有限公司"), (SZ_OTHER, "深圳市另一公司"))
        }
        for username, role, org, subject in (
            ("operator", Role.operator, None, None),
            ("provider", Role.provider, SZ_SAMR, None),
            ("subject", Role.subject, None, SZ_COMPANY),
            ("other", Role.subject, None, SZ_OTHER),
        ):
            user = users_service.create_user(
                db_session=db,
                now=now,
                username=username,
                role=role,
                organization=org,
                subject_id=ids[subject] if subject else None,
            )
            tokens[username] = {
                "Authorization": f"Bearer {users_service.issue_token(db_session=db, now=now, user=user)}"
            }
    return tokens


@pytest.fixture
def api(engine: Engine) -> Iterator[tuple[Any, Clock, dict[str, dict[str, str]]]]:
    from xinyong.records.router import router as records_router

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's client warns about a future httpx
        from fastapi.testclient import TestClient
    clock = Clock()
    app = create_app(engine, lambda: clock.now)
    app.include_router(router, prefix=J, tags=["marks"])
    app.include_router(records_router, prefix=J)
    headers = _seed(engine, clock.now)
    with TestClient(app) as client:
        yield client, clock, headers


def problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].split(";")[0] == PROBLEM
    body = resp.json()
    assert body["code"] == code
    return body


def test_marks_over_the_api(api: tuple[Any, Clock, dict[str, dict[str, str]]]) -> None:
    client, clock, h = api
    base = "/api/v1/shenzhen"
    rec = penalty(subject_id=SZ_COMPANY, provider=SZ_SAMR, document="深市监罚〔2026〕101号")
    rid = client.post(f"{base}/records", json=rec, headers=h["provider"]).json()["id"]

    clock.now = at(date(2026, 3, 3))
    resp = client.post(
        f"{base}/records/{rid}/statements",
        json={"text": "不可抗力", "ground": "force_majeure"},
        headers=h["subject"],
    )
    assert resp.status_code == 201, resp.text
    assert (resp.json()["kind"], resp.json()["data"]["text"], resp.json()["due"]) == (
        "statement",
        "不可抗力",
        None,
    )
    problem(
        client.post(f"{base}/records/{rid}/statements", json={"text": "x"}, headers=h["other"]),
        403,
        "not_allowed",
    )
    problem(
        client.post(f"{base}/records/{rid}/withholding", json={}, headers=h["subject"]), 422, "not_eligible"
    )
    problem(client.post(f"{base}/records/{rid}/archive-request", headers=h["subject"]), 422, "not_eligible")

    resp = client.post(
        f"{base}/records/{rid}/contest", json={"proceeding": "litigation"}, headers=h["subject"]
    )
    assert resp.status_code == 201, resp.text
    assert client.get(f"{base}/public/subjects/{SZ_COMPANY}").json()["records"] == []
    resp = client.post(f"{base}/records/{rid}/contest/end", json={"outcome": "撤诉"}, headers=h["subject"])
    assert resp.status_code == 200 and resp.json()["ended_at"] is not None
    assert [r["id"] for r in client.get(f"{base}/public/subjects/{SZ_COMPANY}").json()["records"]] == [rid]

    clock.now = at(date(2026, 6, 15))
    resp = client.post(
        f"{base}/subjects/{SZ_COMPANY}/reorganization",
        json={"document": "(2026)粤03破12号之一", "plan_on": "2026-06-01"},
        headers=h["subject"],
    )
    assert resp.status_code == 201, resp.text
    assert (resp.json()["due"], resp.json()["data"]["records"]) == ("2026-06-25", [rid])
    problem(
        client.post(f"{base}/subjects/{SZ_COMPANY}/reorganization/end", headers=h["subject"]),
        403,
        "not_allowed",
    )
    assert (
        client.post(f"{base}/subjects/{SZ_COMPANY}/reorganization/end", headers=h["operator"]).status_code
        == 200
    )

    kinds = [r["kind"] for r in client.get(f"{base}/mark-requests", headers=h["subject"]).json()]
    assert kinds == ["statement", "contest", "reorganization"]
    assert client.get(f"{base}/mark-requests", headers=h["other"]).json() == []
    problem(
        client.get(f"{base}/mark-requests", params={"kind": "gossip"}, headers=h["operator"]),
        422,
        "invalid_request",
    )
