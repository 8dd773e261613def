"""The work-queue API in process, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from queues_support import Http

from api.helpers import NJ_COMPANY, penalty, problem
from xinyong.queues.router import router

J = "/api/v1/jiangsu"


@pytest.fixture
def http(engine: Any) -> Iterator[Http]:
    h = Http(engine, [router])
    try:
        yield h
    finally:
        h.close()


def test_operator_sees_a_revocation_case_until_jiangsu_65_deadline(http: Http) -> None:
    """Jiangsu 第六十五条: revoked on Monday 2026-03-02, the platform acts by Wednesday 03-04."""
    record = http.provider.post(f"{J}/records", json=penalty(record_id="NJ-1"))
    assert record.status_code == 201, record.text
    record_id = record.json()["id"]
    assert http.provider.post(f"{J}/records/{record_id}/revocation", json={}).status_code == 201
    http.travel("2026-03-04")
    resp = http.operator.get(f"{J}/queue")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["jurisdiction"], body["as_of"], body["overdue"]) == ("jiangsu", "2026-03-04T01:00:00Z", 0)
    platform = next(u for u in body["units"] if u["unit"] == "platform")
    assert platform["cases"] == [
        {
            "ref": f"REV-{record_id}",
            "kind": "revocation",
            "jurisdiction": "jiangsu",
            "subject": NJ_COMPANY,
            "handling_unit": "platform",
            "stage": "platform_action",
            "due": {"date": "2026-03-04", "provisional": False},
            "overdue": False,
            "opened_at": "2026-03-02T01:00:00Z",
        }
    ]
    assert http.operator.get(f"{J}/queue", params={"overdue": True}).json()["total"] == 0
    assert http.operator.get(f"{J}/queue", params={"unit": "platform"}).json()["total"] == 1
    assert http.provider.get(f"{J}/queue").json()["units"] == []  # a provider sees its own unit only
    http.travel("2026-03-05")
    assert all(u["unit"] != "platform" for u in http.operator.get(f"{J}/queue").json()["units"])


def test_queue_is_for_operators_and_providers(http: Http) -> None:
    problem(http.anonymous.get(f"{J}/queue"), 401, "unauthenticated")
    problem(http.person.get(f"{J}/queue"), 403, "not_allowed")
    problem(http.government.get(f"{J}/queue"), 403, "not_allowed")
