"""Repair of a listing and the court's notice over the real app (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from repair_helpers import SZ_COMPANY, SZ_SAMR
from test_repair_api import Clock, api, problem  # noqa: F401  (the fixture is shared)

from factories import at, penalty

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

BASE = "/api/v1/shenzhen"


def test_shenzhen_63_listing_repair_and_72_court_notice_over_the_api(
    api: tuple[TestClient, Clock, dict[str, dict[str, str]]],  # noqa: F811
) -> None:
    client, clock, h = api
    rec = penalty(
        subject_id=SZ_COMPANY, provider=SZ_SAMR, document="深市监罚〔2026〕101号", severity="severe"
    )
    rec.pop("subject_name")
    resp = client.post(f"{BASE}/records", json=rec, headers=h["provider"])
    assert resp.status_code == 201, resp.text
    rid = resp.json()["id"]
    clock.now = at(date(2026, 3, 5))
    body: dict[str, Any] = {"list": "severe", "subject": SZ_COMPANY, "ground": "market_order", "basis": [rid]}
    resp = client.post(f"{BASE}/listings", json=body, headers=h["provider"])
    assert resp.status_code == 201, resp.text
    lid = resp.json()["id"]
    for step in ("notice", "decision"):
        resp = client.post(f"{BASE}/listings/{lid}/{step}", json={}, headers=h["provider"])
        assert resp.status_code in (200, 201), resp.text

    clock.now = at(date(2026, 9, 29))
    apply = {"listing": lid, "measures": ["commitment_letter"], "commitment": {"text": "承诺整改"}}
    problem(client.post(f"{BASE}/repairs", json=apply, headers=h["other"]), 403, "not_allowed")
    problem(
        client.post(f"{BASE}/repairs", json={**apply, "record": rid}, headers=h["subject"]),
        422,
        "invalid_request",
    )
    resp = client.post(f"{BASE}/repairs", json=apply, headers=h["subject"])
    assert resp.status_code == 201, resp.text
    case = resp.json()
    assert (case["listing"], case["record"], case["handling_unit"]) == (lid, None, SZ_SAMR)
    assert case["waiting"]["due"] == "2026-10-12"  # 第六十五条: 5 WD across 国庆节
    resp = client.post(
        f"{BASE}/repairs/{case['id']}/decision", json={"outcome": "approved"}, headers=h["provider"]
    )
    assert resp.status_code == 200, resp.text
    resp = client.get(f"{BASE}/listings/{lid}", headers=h["operator"])
    assert resp.status_code == 200 and (resp.json()["state"], resp.json()["ended_reason"]) == (
        "removed",
        "repair",
    )

    problem(
        client.post(
            f"{BASE}/subjects/{SZ_COMPANY}/court-notice",
            json={"document": "(2026)粤03破12号之二"},
            headers=h["operator"],
        ),
        422,
        "not_eligible",
    )
