"""The listings API over real HTTP (uvicorn on 127.0.0.1) on SQLite and PostgreSQL.

Until the lead mounts the router in api/app.py, the test mounts it on the app it serves (same
prefix the app uses).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from api.conftest import ThreadedServer, _wait_until_answers
from api.helpers import ZZ_COMPANY, ZZ_SAMR, Api, Clock, penalty, problem, seed
from xinyong.api import app as app_module
from xinyong.lists.router import router as lists_router

from .helpers import at

J = "/api/v1/henan"


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    clock = Clock(at("2026-04-01"))
    app = app_module.create_app(engine, lambda: clock.now)
    if not any(getattr(r, "path", "").endswith("/listings") for r in app.routes):
        app.include_router(lists_router, prefix=app_module.J, tags=["lists"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = ThreadedServer(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = server.start(sock)
    tokens = seed(engine, clock.now)
    out = Api(base_url=base, clock=clock)
    out.clients["anonymous"] = httpx.Client(base_url=base, timeout=30.0)
    for username, token in tokens.items():
        out.clients[username] = httpx.Client(
            base_url=base, timeout=30.0, headers={"Authorization": f"Bearer {token}"}
        )
    try:
        _wait_until_answers(base, thread)
        yield out
    finally:
        for client in out.clients.values():
            client.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _record(api: Api) -> int:
    resp = api.provider_henan.post(
        f"{J}/records", json=penalty(ZZ_COMPANY, severity="severe", document="郑市监罚〔2026〕18号")
    )
    assert resp.status_code in (200, 201), resp.text
    body = resp.json()
    return int(body["id"] if "id" in body else body["record"]["id"])


def test_severe_listing_over_http(api: Api) -> None:
    """Henan 第二十八条 (written notice), 第三十六条 (published), 第三十七条 (validity)."""
    rid = _record(api)
    api.travel("2026-04-02")
    resp = api.provider_henan.post(
        f"{J}/listings",
        json={"list": "severe", "subject": ZZ_COMPANY, "ground": "health_safety", "basis": [rid]},
    )
    assert resp.status_code == 201, resp.text
    listing = resp.json()
    lid = listing["id"]
    assert (listing["state"], listing["determining_body"], listing["version"]) == ("proposed", ZZ_SAMR, 2)
    problem(api.provider_henan.post(f"{J}/listings/{lid}/decision", json={}), 422, "not_eligible")
    resp = api.provider_henan.post(f"{J}/listings/{lid}/notice", json={"version": listing["version"]})
    assert resp.status_code == 200 and resp.json()["notice"]["form"] == "written"
    api.travel("2026-04-20")
    problem(api.provider_henan.post(f"{J}/listings/{lid}/decision", json={"version": 1}), 409, "conflict")
    resp = api.operator.post(f"{J}/listings/{lid}/decision", json={"valid_until": "2027-04-19"})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["state"], resp.json()["valid_until"]) == ("listed", "2027-04-19")
    problem(api.operator.post(f"{J}/listings/{lid}/decision", json={}), 409, "wrong_stage")
    api.travel("2026-04-21")
    pub = api.anonymous.get(f"{J}/lists/severe/published")
    assert pub.status_code == 200
    assert [x["ref"] for x in pub.json()["listings"]] == [f"LST-{lid}"]
    assert pub.json()["cite"] == "河南 第三十六条第一款"
    mine = api.operator.get(f"{J}/subjects/{ZZ_COMPANY}/listings")
    assert [x["id"] for x in mine.json()] == [lid]
    problem(api.subject.get(f"{J}/listings/{lid}"), 403, "not_allowed")  # another subject
    api.travel("2027-04-20")
    assert api.operator.get(f"{J}/listings/{lid}").json()["state"] == "expired"
    problem(api.operator.post(f"{J}/listings/{lid}/removal", json={"reason": "repair"}), 409, "wrong_stage")


def test_refusals_over_http(api: Api) -> None:
    rid = _record(api)
    body = {"list": "key_attention", "subject": ZZ_COMPANY, "ground": "minor_first", "basis": [rid]}
    problem(api.provider_henan.post(f"{J}/listings", json=body), 422, "unknown_list")
    body = {"list": "severe", "subject": ZZ_COMPANY, "ground": "heroes_dignity", "basis": [rid]}
    problem(api.provider_henan.post(f"{J}/listings", json=body), 422, "ground_not_permitted")
    body = {"list": "severe", "subject": ZZ_COMPANY, "ground": "market_order", "basis": [rid]}
    problem(api.anonymous.post(f"{J}/listings", json=body), 401, "unauthenticated")
    problem(api.anonymous.get(f"{J}/lists/blacklist/published"), 422, "unknown_list")
    problem(api.operator.get(f"{J}/listings/999"), 404, "unknown_listing")


def test_removal_announcement_is_published(api: Api) -> None:
    rid = _record(api)
    lid = api.provider_henan.post(
        f"{J}/listings",
        json={"list": "severe", "subject": ZZ_COMPANY, "ground": "market_order", "basis": [rid]},
    ).json()["id"]
    api.provider_henan.post(f"{J}/listings/{lid}/notice", json={})
    api.travel("2026-04-20")
    assert api.provider_henan.post(f"{J}/listings/{lid}/decision", json={}).status_code == 200
    api.travel("2026-06-01")
    resp = api.provider_henan.post(f"{J}/listings/{lid}/removal", json={"reason": "repair"})
    assert resp.status_code == 200 and resp.json()["state"] == "removed"
    pub = api.anonymous.get(f"{J}/lists/severe/published").json()
    assert pub["listings"] == []
    assert [a["ref"] for a in pub["announcements"]] == [f"LST-{lid}"]
    assert pub["announcements"][0]["announcement"]["cite"] == "河南 第三十七条第三款"
