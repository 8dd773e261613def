"""The report API in process, on SQLite and PostgreSQL: issue, read as JSON and HTML, verify by number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reports_support import Http

from api.helpers import NJ_SAMR, ZHANG_SAN, penalty, problem
from xinyong.core import profile as profiles
from xinyong.reports import rules
from xinyong.reports.router import router

N = "/api/v1/nanjing"


@pytest.fixture
def http(engine: Any) -> Iterator[Http]:
    h = Http(engine, [router])
    try:
        yield h
    finally:
        h.close()


def submit_person_record(http: Http) -> int:
    body = penalty(ZHANG_SAN, subject_kind="natural_person", subject_name="张三", provider=NJ_SAMR)
    resp = http.operator.post(f"{N}/records", json=body)
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def test_subject_issues_its_own_report_and_reads_it_as_json_and_html(http: Http) -> None:
    record_id = submit_person_record(http)
    http.travel("2026-03-04")
    resp = http.person.post(f"{N}/reports", json={})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    expected = rules.fee(profiles.get("nanjing").reports, "natural_person", 0)
    assert body["free"] is expected.free and body["content"]["fee"]["basis"] == expected.basis
    assert body["number"] == "NANJING-2026-000001-" + body["number"][-2:]
    assert rules.parse_number(body["number"]) == ("nanjing", 2026, 1)
    assert body["issued_at"] == "2026-03-04T01:00:00Z"
    assert body["content"]["subject"]["identifier"] == ZHANG_SAN
    assert [r["id"] for r in body["content"]["records"]] == [record_id]
    assert body["content_hash"] == rules.content_hash(body["content"])

    again = http.person.get(f"{N}/reports/{body['number']}/content")
    assert again.status_code == 200 and again.json() == body
    page = http.person.get(f"{N}/reports/{body['number']}/html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert body["number"] in page.text and "信用报告" in page.text and body["content_hash"] in page.text
    listed = http.person.get(f"{N}/reports")
    assert [r["number"] for r in listed.json()] == [body["number"]]


def test_anyone_verifies_a_number_and_a_copy(http: Http) -> None:
    submit_person_record(http)
    body = http.person.post(f"{N}/reports", json={}).json()
    number, digest = body["number"], body["content_hash"]
    resp = http.anonymous.get(f"{N}/reports/{number}", params={"hash": digest})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "number": number,
        "jurisdiction": "nanjing",
        "issued_at": "2026-03-02T01:00:00Z",
        "subject": "3201**********4560",
        "subject_name": "张*",
        "content_hash": digest,
        "intact": True,
        "matches": True,
    }
    assert http.anonymous.get(f"{N}/reports/{number}", params={"hash": "0" * 64}).json()["matches"] is False
    problem(http.anonymous.get(f"{N}/reports/{number[:-1]}9"), 404, "unknown_report")
    problem(http.anonymous.get(f"/api/v1/jilin/reports/{number}"), 404, "unknown_report")  # another profile


def test_only_the_subject_or_an_operator_gets_the_report(http: Http) -> None:
    submit_person_record(http)
    problem(http.anonymous.post(f"{N}/reports", json={"subject": ZHANG_SAN}), 401, "unauthenticated")
    problem(http.other_subject.post(f"{N}/reports", json={"subject": ZHANG_SAN}), 403, "not_allowed")
    problem(http.agency.post(f"{N}/reports", json={"subject": ZHANG_SAN}), 403, "not_allowed")
    problem(http.operator.post(f"{N}/reports", json={}), 422, "missing_field")
    resp = http.operator.post(f"{N}/reports", json={"subject": ZHANG_SAN, "purpose": "窗口打印"})
    assert resp.status_code == 201, resp.text
    number = resp.json()["number"]
    problem(http.other_subject.get(f"{N}/reports/{number}/content"), 403, "not_allowed")
    problem(http.other_subject.get(f"{N}/reports/{number}/html"), 403, "not_allowed")
    problem(http.other_subject.get(f"{N}/reports", params={"subject": ZHANG_SAN}), 403, "not_allowed")
