"""The check API over real HTTP (uvicorn) on SQLite and PostgreSQL: one, batch (NDJSON), feedback,
statistics. Mounted on the project's app here until the lead mounts it in api/app.py."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine
from stdnum.cn import uscc as stdnum_uscc

import xinyong.measures.models  # noqa: F401  registers the table before `engine` creates the schema
from api.conftest import ThreadedServer, _wait_until_answers
from api.helpers import NJ_DRC, Clock, at, problem, seed
from xinyong.api.app import J, create_app
from xinyong.checks.router import router as checks_router
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.db import session_factory, transaction
from xinyong.records import service as records_service

PROVIDER = "南京市市场监督管理局"


def _company(n: int) -> str:
    body = f"91320102{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


@pytest.fixture
def base(engine: Engine) -> Iterator[tuple[str, dict[str, str], Clock]]:
    clock = Clock(at("2026-05-06"))
    app = create_app(engine, lambda: clock.now)
    if not any(getattr(r, "path", "").endswith("/check") for r in app.routes):
        app.include_router(checks_router, prefix=J, tags=["checks"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = ThreadedServer(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = server.start(sock)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answers(url, thread)
        tokens = seed(engine, clock.now)
        yield url, tokens, clock
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _dishonest(engine: Engine, clock: Clock, identifier: str) -> None:
    with transaction(session_factory(engine)) as db:
        records_service.submit(
            db_session=db,
            profile=profiles.get("nanjing"),
            now=clock.now,
            actor=Actor(username=PROVIDER, role=Role.provider, organization=PROVIDER),
            values={
                "item": "admin_penalty",
                "subject_kind": "legal_person",
                "subject_id": identifier,
                "subject_name": "南京某某有限公司",
                "provider": PROVIDER,
                "decided_on": "2026-05-01",
                "severity": "general",
                "procedure": "general",
                "document": f"宁市监罚〔2026〕{identifier[-4:]}号",
            },
        )


def test_check_batch_feedback_statistics_over_http(
    base: tuple[str, dict[str, str], Clock], engine: Engine
) -> None:
    """Nanjing 第三十四条: 自动比对 and 自动反馈; a measure not applied needs a written reason; statistics."""
    url, tokens, clock = base
    a, b = _company(801), _company(802)
    _dishonest(engine, clock, a)
    _dishonest(engine, clock, b)
    gov = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['government']}"}, timeout=30)
    path = "/api/v1/nanjing"
    r = gov.post(f"{path}/check", json={"subject": a, "matter": "inspection"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["restricted"] is True and body["incentive"] is False and body["unit"] == NJ_DRC
    assert [m["code"] for m in body["measures"]] == ["NJ39-01"]
    assert body["measures"][0]["cite"] == "南京 第三十九条第一项"
    problem(gov.post(f"{path}/check", json={"subject": a, "matter": "tendering"}), 422, "unknown_matter")
    problem(
        gov.post(f"{path}/check", json={"subject": _company(803), "matter": "honors"}), 404, "unknown_subject"
    )
    with gov.stream(
        "POST", f"{path}/check/batch", json={"subjects": [a, b, "nonsense!"], "matter": "inspection"}
    ) as s:
        assert s.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in s.iter_lines() if line]
    assert [line["n"] for line in lines] == [1, 2, 3]
    assert lines[0]["restricted"] and lines[1]["restricted"] and "error" in lines[2]
    problem(
        gov.post(f"{path}/checks/{body['check_id']}/feedback", json={"measure": "NJ39-01", "applied": False}),
        422,
        "reason_required",
    )
    ok = gov.post(
        f"{path}/checks/{body['check_id']}/feedback",
        json={"measure": "NJ39-01", "applied": False, "reason": "本次为非现场检查事项"},
    )
    assert ok.status_code == 201, ok.text
    applied = gov.post(
        f"{path}/checks/{lines[1]['check_id']}/feedback", json={"measure": "NJ39-01", "applied": True}
    )
    assert applied.status_code == 201
    stats = gov.get(f"{path}/checks/statistics", params={"from": "2026-05-01", "to": "2026-05-31"}).json()
    row = next(m for m in stats["measures"] if m["code"] == "NJ39-01")
    assert (row["returned"], row["applied"], row["not_applied"], row["no_feedback"]) == (3, 1, 1, 1)
    measures = httpx.get(f"{url}{path}/measures").json()
    assert any(m["code"] == "NJ41-04a" and m["cite"] == "南京 第四十一条第四项" for m in measures["measures"])
    gov.close()
