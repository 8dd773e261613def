"""The commitments routes over real HTTP (uvicorn on 127.0.0.1), on SQLite and PostgreSQL.

The app is `create_app` with this router mounted as the lead will mount it; until `Profile` has its
`commitments` field, the profile dependency is the tests' profile with the section (helpers.py).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from fastapi import Path
from helpers import at, profile
from sqlalchemy import Engine

from api.conftest import ThreadedServer, _wait_until_answers
from api.helpers import CC_SAMR, NJ_COMPANY, NJ_SAMR, ZHANG_SAN, Clock, problem, seed
from xinyong.api.app import J, create_app
from xinyong.api.deps import get_profile
from xinyong.commitments.router import router
from xinyong.core.profile import Profile


def _profile(jurisdiction: Annotated[str, Path()]) -> Profile:
    return profile(jurisdiction)


@pytest.fixture
def clients(engine: Engine) -> Iterator[tuple[dict[str, httpx.Client], Clock]]:
    clock = Clock(at("2026-03-02"))
    app = create_app(engine, lambda: clock.now)
    if not any(getattr(r, "path", "").endswith("/commitments/eligibility") for r in app.routes):
        app.include_router(router, prefix=J, tags=["commitments"])
    app.dependency_overrides[get_profile] = _profile
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = ThreadedServer(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
        )
    )
    thread = server.start(sock)
    base = f"http://127.0.0.1:{port}"
    tokens = seed(engine, clock.now)
    out = {"anonymous": httpx.Client(base_url=base, timeout=30.0)}
    for name, token in tokens.items():
        out[name] = httpx.Client(base_url=base, timeout=30.0, headers={"Authorization": f"Bearer {token}"})
    try:
        _wait_until_answers(base, thread)
        yield out, clock
    finally:
        for c in out.values():
            c.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": NJ_COMPANY,
        "kind": "notification",
        "matter": "administrative_license",
        "unit": NJ_SAMR,
        "content": {"text": "本单位符合食品经营许可条件"},
    }
    body.update(over)
    return body


JS = "/api/v1/jiangsu"


def test_make_verify_broken_creates_dishonest_record_jiangsu_36(clients: Any) -> None:
    """Jiangsu 第三十六条第二项: a broken commitment becomes dishonest information, filed by the unit."""
    c, clock = clients
    made = c["provider"].post(f"{JS}/commitments", json=_body())
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["state"], body["unit"], body["made_on"], body["kind"]) == (
        "open",
        NJ_SAMR,
        "2026-03-02",
        "notification",
    )
    cid = body["id"]
    clock.now = at("2026-06-01")
    verified = c["provider"].post(
        f"{JS}/commitments/{cid}/verification",
        json={"outcome": "broken", "finding": "不具备许可条件", "document": "宁市监核〔2026〕5号"},
    )
    assert verified.status_code == 200, verified.text
    v = verified.json()
    assert v["state"] == "broken"
    assert v["verification"]["unit"] == NJ_SAMR and v["verification"]["document"] == "宁市监核〔2026〕5号"
    assert v["outcome_cite"] == "江苏 第三十六条第二项, 第二十三条"
    record = c["operator"].get(f"{JS}/records/{v['outcome_record_id']}")
    assert record.status_code == 200, record.text
    r = record.json()
    assert (r["item"], r["provider"], r["decided_on"]) == ("commitment_broken", NJ_SAMR, "2026-06-01")
    # a second verification is refused
    problem(
        c["provider"].post(f"{JS}/commitments/{cid}/verification", json={"outcome": "kept"}),
        409,
        "case_closed",
    )


def test_shenzhen_51_missing_consequences_is_problem_json_with_article(clients: Any) -> None:
    """Shenzhen 第五十一条第二款: the commitment must state the adverse consequences of breach."""
    c, _ = clients
    resp = c["operator"].post("/api/v1/shenzhen/commitments", json=_body())
    body = problem(resp, 422, "missing_field")
    assert (body["field"], body["cite"]) == ("content.breach_consequences", "深圳 第五十一条第二款")


def test_unit_only_in_its_own_name_and_unknown_commitment(clients: Any) -> None:
    c, _ = clients
    problem(c["provider_tax"].post(f"{JS}/commitments", json=_body()), 403, "not_allowed")
    problem(c["operator"].get(f"{JS}/commitments/999999"), 404, "unknown_commitment")
    problem(c["anonymous"].post(f"{JS}/commitments", json=_body()), 401, "unauthenticated")


def test_eligibility_answers_no_with_reasons_and_articles_nanjing_45(clients: Any) -> None:
    """Nanjing 第四十五条第二款 (无失信信息记录, listed matter), 第三十九条第二项."""
    c, _ = clients
    nj = "/api/v1/nanjing"
    q = {"subject": NJ_COMPANY, "matter": "administrative_license"}
    yes = c["government"].get(f"{nj}/commitments/eligibility", params=q)
    assert yes.status_code == 200, yes.text
    assert (yes.json()["eligible"], yes.json()["reasons"]) == (True, [])
    penalty = {
        "item": "admin_penalty",
        "subject_kind": "legal_person",
        "subject_id": NJ_COMPANY,
        "decided_on": "2026-03-01",
        "severity": "general",
        "procedure": "general",
        "document": "宁市监罚〔2026〕12号",
        "provider": NJ_SAMR,
    }
    assert c["operator"].post(f"{nj}/records", json=penalty).status_code == 201
    no = c["government"].get(f"{nj}/commitments/eligibility", params=q).json()
    assert no["eligible"] is False
    assert ("dishonest_record", "南京 第四十五条第二款") in [(r["code"], r["cite"]) for r in no["reasons"]]
    unlisted = c["government"].get(f"{nj}/commitments/eligibility", params={**q, "matter": "honors"}).json()
    assert "matter_not_listed" in [r["code"] for r in unlisted["reasons"]]
    # a subject asks about itself only; the public may not ask
    assert c["subject"].get(f"{nj}/commitments/eligibility", params=q).status_code == 200
    problem(c["other_subject"].get(f"{nj}/commitments/eligibility", params=q), 403, "not_allowed")
    problem(c["anonymous"].get(f"{nj}/commitments/eligibility", params=q), 401, "unauthenticated")
    # and a route commitment is refused with the same reasons
    refused = problem(c["operator"].post(f"{nj}/commitments", json=_body()), 422, "not_eligible")
    assert refused["reasons"][0]["code"] == "dishonest_record"


def test_public_commitment_visible_without_login_and_person_masked_nanjing_31(clients: Any) -> None:
    """Nanjing 第三十一条第二款: voluntary commitments in public areas are published; persons masked."""
    c, _ = clients
    nj = "/api/v1/nanjing"
    public = c["person"].post(
        f"{nj}/commitments",
        json=_body(
            subject=ZHANG_SAN,
            kind="public",
            matter="公共利益保障",
            area="public_interest",
            unit="南京市发展和改革委员会",
        ),
    )
    assert public.status_code == 201, public.text
    assert (public.json()["public"], public.json()["public_cite"]) == (True, "南京 第三十一条第二款")
    private = c["person"].post(
        f"{nj}/commitments",
        json=_body(subject=ZHANG_SAN, kind="public", matter="诚信经营", unit="南京市发展和改革委员会"),
    )
    assert private.json()["public"] is False
    seen = c["anonymous"].get(f"{nj}/commitments/{public.json()['id']}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["subject"] == {
        "identifier": "3201**********4560",
        "name": "张*",
        "kind": "natural_person",
    }
    problem(c["anonymous"].get(f"{nj}/commitments/{private.json()['id']}"), 404, "unknown_commitment")
    listing = c["anonymous"].get(f"{nj}/subjects/{ZHANG_SAN}/commitments").json()
    assert [x["id"] for x in listing["commitments"]] == [public.json()["id"]]
    own = c["person"].get(f"{nj}/subjects/{ZHANG_SAN}/commitments").json()
    assert [x["id"] for x in own["commitments"]] == [public.json()["id"], private.json()["id"]]
    assert own["commitments"][0]["subject"]["identifier"] == ZHANG_SAN


def test_jilin_51_operator_adds_published_matter_and_kept_is_good(clients: Any) -> None:
    """Jilin 第五十一条第一款 (matters published by reform departments), 第十二条第三项 (kept → good)."""
    c, clock = clients
    jl = "/api/v1/jilin"
    problem(
        c["provider_jilin"].post(
            f"{jl}/commitments/matters",
            json={"code": "food", "name": "食品经营许可", "kinds": ["notification"], "basis": "x"},
        ),
        403,
        "not_allowed",
    )
    added = c["operator"].post(
        f"{jl}/commitments/matters",
        json={
            "code": "food_license",
            "name": "食品经营许可",
            "kinds": ["notification"],
            "basis": "吉政数〔2026〕3号",
        },
    )
    assert added.status_code == 201, added.text
    matters = c["anonymous"].get(f"{jl}/commitments/matters").json()
    assert [(m["code"], m["source"]) for m in matters["matters"]] == [
        ("administrative_license", "profile"),
        ("food_license", "operator"),
    ]
    made = c["provider_jilin"].post(
        f"{jl}/commitments",
        json=_body(subject="91220101MA14XK7Q0T", matter="food_license", unit=CC_SAMR),
    )
    assert made.status_code == 201, made.text
    clock.now = at("2026-04-01")
    kept = c["provider_jilin"].post(
        f"{jl}/commitments/{made.json()['id']}/verification", json={"outcome": "kept"}
    )
    assert kept.json()["outcome_cite"] == "吉林 第十二条第三项"
    record = c["operator"].get(f"{jl}/records/{kept.json()['outcome_record_id']}").json()
    assert (record["item"], record["provider"]) == ("commitment_kept", CC_SAMR)
