"""The revocation report over HTTP: the provider's own deadline and lateness (Jiangsu 第六十五条)."""

from __future__ import annotations

from api.helpers import NJ_COMPANY, Api, penalty, problem


def test_jiangsu_65_late_report_is_flagged_and_the_record_still_leaves_the_portal(api: Api) -> None:
    j = "/api/v1/jiangsu"
    api.travel("2026-09-01")
    rec = api.provider.post(f"{j}/records", json=penalty(NJ_COMPANY, decided_on="2026-08-27")).json()
    api.travel("2026-10-12", 10)  # Monday: the sixth working day after the document took effect
    body = {"document": "宁政复决〔2026〕33号", "document_effective_on": "2026-09-28"}
    resp = api.provider.post(f"{j}/records/{rec['id']}/revocation", json=body)
    assert resp.status_code == 201, resp.text
    event = resp.json()["events"][0]
    assert (event["provider_due_on"], event["provider_due_provisional"], event["provider_late"]) == (
        "2026-10-10",
        False,
        True,
    )
    assert (event["due_on"], event["due_provisional"]) == ("2026-10-14", False)  # platform: 2 WD
    assert api.provider.get(f"{j}/records/{rec['id']}").json()["events"][0]["provider_late"] is True
    assert [r["id"] for r in api.anonymous.get(f"{j}/public/subjects/{NJ_COMPANY}").json()["records"]] == []


def test_a_document_day_after_the_report_is_refused_by_field(api: Api) -> None:
    j = "/api/v1/jiangsu"
    api.travel("2026-09-01")
    rec = api.provider.post(f"{j}/records", json=penalty(NJ_COMPANY, decided_on="2026-08-27")).json()
    api.travel("2026-10-12", 10)
    body = problem(
        api.provider.post(
            f"{j}/records/{rec['id']}/revocation", json={"document_effective_on": "2026-10-13"}
        ),
        422,
        "invalid_field",
    )
    assert body["field"] == "document_effective_on"
    problem(api.provider_tax.post(f"{j}/records/{rec['id']}/revocation", json={}), 403, "not_allowed")
