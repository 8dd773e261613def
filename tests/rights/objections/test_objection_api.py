"""The objections API over the real app on SQLite and PostgreSQL: roles, problem+json, stages.

The app is served by uvicorn on 127.0.0.1 in a thread, as in tests/api; the router is mounted the
way api/app.py mounts every feature (under /api/v1/{jurisdiction}) when the app does not mount it yet.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from api.helpers import NJ_COMPANY, NJ_OTHER, SZ_SAMR, Clock, at, penalty, problem, seed
from xinyong.api.app import J, create_app
from xinyong.rights.objections.router import router

SZ = "/api/v1/shenzhen"


class Api:
    def __init__(self, client: httpx.Client, clock: Clock, tokens: dict[str, str]) -> None:
        self.client = client
        self.clock = clock
        self.tokens = tokens

    def travel(self, day: str, hour: int | None = None) -> None:
        self.clock.now = at(day, hour)

    def call(self, user: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    clock = Clock(at("2026-11-02"))
    app = create_app(engine, lambda: clock.now)
    if not any(getattr(r, "path", "") == J + "/objections" for r in app.routes):
        app.include_router(router, prefix=J, tags=["objections"])
    tokens = seed(engine, clock.now)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=base, timeout=30.0) as client:
            yield Api(client, clock, tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def submit(api: Api, **over: Any) -> int:
    body = penalty(
        NJ_COMPANY, provider=SZ_SAMR, document="深市监罚〔2026〕77号", decided_on="2026-10-28", **over
    )
    resp = api.call("provider_shenzhen", "POST", f"{SZ}/records", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def stage(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in body["stages"] if s["name"] == name)


def test_file_forward_reply_with_stages_and_due_dates(api: Api) -> None:
    """Shenzhen 第三十七条–第三十九条 through the API: the subject files, the platform forwards, the
    provider decides; every answer carries the stages with due dates computed now."""
    record = submit(api)
    resp = api.call(
        "subject",
        "POST",
        f"{SZ}/objections",
        json={"record": record, "reason": "罚款数额错误", "known_on": "2026-10-30"},
    )
    assert resp.status_code == 201, resp.text
    case = resp.json()
    assert (case["status"], case["filer_kind"], case["handling_unit"]) == ("received", "subject", "platform")
    compare = stage(case, "compare")
    assert (compare["due"], compare["provisional"], compare["status"]) == ("2026-11-04", False, "open")
    assert case["waiting"]["name"] == "compare" and case["waiting"]["due"] == "2026-11-04"
    assert stage(case, "mark")["status"] == "met"
    cid = case["id"]

    problem(
        api.call("provider_shenzhen", "POST", f"{SZ}/objections/{cid}/forward", json={}), 403, "not_allowed"
    )
    problem(api.call("subject", "POST", f"{SZ}/objections/{cid}/forward", json={}), 403, "not_allowed")
    api.travel("2026-11-03")
    resp = api.call("operator", "POST", f"{SZ}/objections/{cid}/forward", json={"version": case["version"]})
    assert resp.status_code == 200, resp.text
    fwd = resp.json()
    assert (fwd["status"], fwd["handling_unit"], fwd["waiting"]["name"], fwd["waiting"]["due"]) == (
        "forwarded",
        SZ_SAMR,
        "provider_reply",
        "2026-11-17",
    )
    # the version the operator saw before forwarding is stale now
    stale = api.call(
        "provider_shenzhen",
        "POST",
        f"{SZ}/objections/{cid}/resolve",
        json={"outcome": "upheld", "version": case["version"]},
    )
    problem(stale, 409, "conflict")
    problem(
        api.call("subject", "POST", f"{SZ}/objections/{cid}/resolve", json={"outcome": "upheld"}),
        403,
        "not_allowed",
    )
    api.travel("2026-11-18")
    late = api.call("subject", "GET", f"{SZ}/objections/{cid}").json()
    assert late["overdue"] and stage(late, "provider_reply")["overdue"]
    resp = api.call(
        "provider_shenzhen",
        "POST",
        f"{SZ}/objections/{cid}/resolve",
        json={"outcome": "corrected", "changes": {"fine_amount": "3000"}, "reason": "核查属实"},
    )
    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert (done["status"], done["outcome"], done["decided_by"]) == ("corrected", "corrected", "provider")
    assert stage(done, "provider_reply")["late"] and stage(done, "inform_applicant")["due"] == "2026-11-20"
    assert [e["kind"] for e in done["events"]] == ["filed", "forwarded", "decided"]
    problem(
        api.call("operator", "POST", f"{SZ}/objections/{cid}/resolve", json={"outcome": "deleted"}),
        409,
        "case_closed",
    )
    versions = api.call("subject", "GET", f"{SZ}/records/{record}/versions").json()
    assert [(v["number"], v["reason"], v["changes"]) for v in versions] == [
        (1, None, {}),
        (2, "核查属实", {"fine_amount": "3000"}),
    ]


def test_refusals_are_problem_json(api: Api) -> None:
    record = submit(api)
    problem(
        api.call(None, "POST", f"{SZ}/objections", json={"record": record, "reason": "x"}),
        401,
        "unauthenticated",
    )
    problem(
        api.call("subject", "POST", f"{SZ}/objections", json={"record": 9999, "reason": "x"}),
        404,
        "unknown_record",
    )
    problem(
        api.call("other_subject", "POST", f"{SZ}/objections", json={"record": record, "reason": "x"}),
        403,
        "not_allowed",
    )
    late = api.call(
        "subject",
        "POST",
        f"{SZ}/objections",
        json={"record": record, "reason": "x", "known_on": "2026-08-01"},
    )
    assert problem(late, 422, "window_closed")["cite"] == "深圳 第三十八条"
    problem(api.call("subject", "POST", f"{SZ}/objections", json={"record": record}), 422, "invalid_request")
    problem(api.call("operator", "GET", f"{SZ}/objections/4242"), 404, "unknown_case")
    problem(api.call("operator_jilin", "GET", f"{SZ}/objections"), 403, "not_allowed")


def test_operator_records_a_written_application_and_lists(api: Api) -> None:
    record = submit(api)
    resp = api.call(
        "operator",
        "POST",
        f"{SZ}/objections",
        json={"record": record, "reason": "书面申请", "by": NJ_COMPANY},
    )
    assert resp.status_code == 201, resp.text
    cid = resp.json()["id"]
    mine = api.call("subject", "GET", f"{SZ}/subjects/{NJ_COMPANY}/objections")
    assert [c["id"] for c in mine.json()] == [cid]
    problem(api.call("other_subject", "GET", f"{SZ}/subjects/{NJ_COMPANY}/objections"), 403, "not_allowed")
    problem(api.call("other_subject", "GET", f"{SZ}/objections/{cid}"), 403, "not_allowed")
    api.travel("2026-11-05")
    queue = api.call("operator", "GET", f"{SZ}/objections", params={"overdue": True})
    assert [(r["ref"], r["stage"], r["due"], r["overdue"]) for r in queue.json()] == [
        (f"OBJ-{cid}", "compare", "2026-11-04", True)
    ]
    assert api.call("provider_shenzhen", "GET", f"{SZ}/objections").json() == []  # not the provider's yet
    problem(api.call("subject", "GET", f"{SZ}/objections"), 403, "not_allowed")
    other = api.call("other_subject", "GET", f"{SZ}/subjects/{NJ_OTHER}/objections")
    assert other.status_code == 200 and other.json() == []


def test_extend_pause_review_refusals_name_the_rule(api: Api) -> None:
    record = submit(api)
    cid = api.call("subject", "POST", f"{SZ}/objections", json={"record": record, "reason": "x"}).json()["id"]
    api.call("operator", "POST", f"{SZ}/objections/{cid}/forward", json={})
    cap = api.call("operator", "POST", f"{SZ}/objections/{cid}/extend", json={"working_days": 12})
    assert problem(cap, 422, "extension_exceeds_cap")["cite"].startswith("深圳 第三十九条")
    ok = api.call(
        "provider_shenzhen",
        "POST",
        f"{SZ}/objections/{cid}/extend",
        json={"working_days": 5, "reason": "情况复杂"},
    )
    assert ok.status_code == 200 and stage(ok.json(), "provider_reply")["extended_by"] == 5
    problem(api.call("operator", "POST", f"{SZ}/objections/{cid}/pause", json={}), 422, "not_eligible")
    problem(api.call("subject", "POST", f"{SZ}/objections/{cid}/review", json={}), 409, "wrong_stage")
    problem(
        api.call("operator", "POST", f"{SZ}/objections/{cid}/extend", json={"working_days": 0}),
        422,
        "invalid_request",
    )


def test_provider_correction_endpoint(api: Api) -> None:
    record = submit(api)
    resp = api.call(
        "provider_shenzhen",
        "POST",
        f"{SZ}/records/{record}/corrections",
        json={"changes": {"fine_amount": "4000"}, "reason": "数额笔误"},
    )
    assert resp.status_code == 201, resp.text
    assert [(v["number"], v["data"].get("fine_amount")) for v in resp.json()][-1] == (2, "4000")
    problem(
        api.call(
            "subject", "POST", f"{SZ}/records/{record}/corrections", json={"changes": {"a": 1}, "reason": "x"}
        ),
        403,
        "not_allowed",
    )
    problem(
        api.call(
            "provider_shenzhen", "POST", f"{SZ}/records/{record}/corrections", json={"changes": {"a": 1}}
        ),
        422,
        "invalid_request",
    )
    problem(api.call("other_subject", "GET", f"{SZ}/records/{record}/versions"), 403, "not_allowed")
