"""The repair routes in the real app (create_app with the router mounted as the lead mounts it), over
the ASGI interface on SQLite and PostgreSQL; and `xinyong repair list` on a real database file."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from repair_helpers import SZ_COMPANY, SZ_OTHER, SZ_SAMR
from sqlalchemy import Engine
from typer.testing import CliRunner

from factories import at, penalty
from xinyong.api.app import J, create_app
from xinyong.core.actor import Role
from xinyong.core.db import create_all, make_engine, session_factory, transaction
from xinyong.rights.repair.cli import app as repair_cli
from xinyong.rights.repair.router import router
from xinyong.subjects import service as subjects_service
from xinyong.users import service as users_service

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def _test_client() -> type[TestClient]:
    """Starlette's in-process client (its import warns about a future httpx; the app is the real one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    return TestClient


class Clock:
    def __init__(self) -> None:
        self.now = at(date(2026, 3, 2))


def seed(engine: Engine, now: Any) -> dict[str, str]:
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
            tokens[username] = users_service.issue_token(db_session=db, now=now, user=user)
    return tokens


@pytest.fixture
def api(engine: Engine) -> Iterator[tuple[TestClient, Clock, dict[str, dict[str, str]]]]:
    clock = Clock()
    app = create_app(engine, lambda: clock.now)
    app.include_router(router, prefix=J, tags=["repair"])
    headers = {u: {"Authorization": f"Bearer {t}"} for u, t in seed(engine, clock.now).items()}
    with _test_client()(app) as client:
        yield client, clock, headers


def problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].split(";")[0] == PROBLEM
    body = resp.json()
    assert body["code"] == code and body["message_zh"] and body["message_en"]
    return body


def test_repair_over_the_api(api: tuple[TestClient, Clock, dict[str, dict[str, str]]]) -> None:
    client, clock, h = api
    base = "/api/v1/shenzhen"
    rec = penalty(
        subject_id=SZ_COMPANY,
        provider=SZ_SAMR,
        document="深市监罚〔2026〕101号",
        data={"min_period_until": "2026-09-02"},
    )
    rec.pop("subject_name")
    from xinyong.records.router import router as records_router

    client.app.include_router(records_router, prefix=J)  # type: ignore[attr-defined]
    resp = client.post(f"{base}/records", json=rec, headers=h["provider"])
    assert resp.status_code == 201, resp.text
    rid = resp.json()["id"]

    clock.now = at(date(2026, 9, 2))
    body = {
        "record": rid,
        "measures": ["commitment_letter"],
        "commitment": {"text": "承诺整改", "goals": "不再违法"},
    }
    err = problem(client.post(f"{base}/repairs", json=body, headers=h["subject"]), 422, "too_early")
    assert err["field"] == "record" and "2026-09-02" in err["detail"]
    problem(client.post(f"{base}/repairs", json=body, headers=h["other"]), 403, "not_allowed")
    problem(
        client.post(f"{base}/repairs", json={**body, "measures": ["bribe"]}, headers=h["subject"]),
        422,
        "invalid_request",
    )

    clock.now = at(date(2026, 9, 3))
    resp = client.post(f"{base}/repairs", json=body, headers=h["subject"])
    assert resp.status_code == 201, resp.text
    case = resp.json()
    assert (case["state"], case["handling_unit"], case["subject"]) == ("received", SZ_SAMR, SZ_COMPANY)
    assert case["waiting"] == {
        "name": "decision",
        "due": "2026-09-10",
        "provisional": False,
        "done_at": None,
        "overdue": False,
        "late": False,
        "cite": "深圳 第六十五条第一款",
    }
    case_id = case["id"]
    problem(client.get(f"{base}/repairs/{case_id}", headers=h["other"]), 403, "not_allowed")
    problem(client.get(f"{base}/repairs/{case_id}"), 401, "unauthenticated")

    letters = client.get(f"{base}/public/subjects/{SZ_COMPANY}/repair-commitments").json()
    assert [(x["case"], x["commitment"]["text"]) for x in letters] == [(f"REP-{case_id}", "承诺整改")]

    clock.now = at(date(2026, 9, 11))
    listed = client.get(f"{base}/repairs", params={"overdue": "true"}, headers=h["provider"]).json()
    assert [(x["ref"], x["overdue"]) for x in listed] == [(f"REP-{case_id}", True)]
    assert client.get(f"{base}/repairs", params={"overdue": "false"}, headers=h["provider"]).json() == []

    resp = client.post(
        f"{base}/repairs/{case_id}/extension", json={"reason": "情况复杂"}, headers=h["provider"]
    )
    assert resp.json()["waiting"]["due"] == "2026-09-17"  # 10 working days from 09-03
    resp = client.post(
        f"{base}/repairs/{case_id}/decision", json={"outcome": "approved"}, headers=h["provider"]
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["state"], [e["kind"] for e in resp.json()["events"]]) == (
        "approved",
        ["filed", "extended", "decided"],
    )
    problem(
        client.post(f"{base}/repairs/{case_id}/decision", json={"outcome": "denied"}, headers=h["operator"]),
        409,
        "case_closed",
    )
    problem(client.get(f"{base}/repairs/999", headers=h["operator"]), 404, "unknown_case")
    public = client.get(f"{base}/public/subjects/{SZ_COMPANY}").json()
    assert public["records"] == []  # 第六十六条第一项: no longer disclosed


def test_repair_list_cli(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`xinyong repair list --jurisdiction shenzhen --overdue --today D` prints the overdue queue."""
    from repair_helpers import submit

    from factories import subject_actor
    from xinyong.rights.repair import service

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    create_all(engine)
    sf = session_factory(engine)
    from xinyong.core import profile as profiles

    shenzhen = profiles.get("shenzhen")
    rid, sid = submit(sf, shenzhen, date(2026, 3, 2), subject_id=SZ_COMPANY, provider=SZ_SAMR)
    with transaction(sf) as db:
        service.apply(
            db_session=db,
            profile=shenzhen,
            now=at(date(2026, 9, 3)),
            actor=subject_actor(sid),
            record_id=rid,
            measures=["commitment_letter"],
        )
    engine.dispose()
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    runner = CliRunner()
    out = runner.invoke(
        repair_cli, ["list", "--jurisdiction", "shenzhen", "--overdue", "--today", "2026-09-11"]
    )
    assert out.exit_code == 0, out.output
    assert "REP-1" in out.output and "2026-09-10" in out.output and "OVERDUE" in out.output
    out = runner.invoke(
        repair_cli, ["list", "--jurisdiction", "shenzhen", "--overdue", "--today", "2026-09-10"]
    )
    assert out.exit_code == 0 and "REP-1" not in out.output and "0 cases" in out.output
    out = runner.invoke(repair_cli, ["list", "--jurisdiction", "atlantis"])
    assert out.exit_code == 1
