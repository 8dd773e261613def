"""The notices API in process, on SQLite and PostgreSQL: who reads which notice, operators send them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from notices_support import Http

from api.helpers import NJ_DRC, NJ_SAMR, ZHANG_SAN, at, problem
from xinyong.core.db import session_factory, transaction
from xinyong.notices import service
from xinyong.notices.router import router
from xinyong.subjects import service as subjects_service

J = "/api/v1/jiangsu"


@pytest.fixture
def http(engine: Any) -> Iterator[Http]:
    h = Http(engine, [router])
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def ids(engine: Any, http: Http) -> dict[str, int]:
    """Four notices in jiangsu (to 张三 as applicant, to a provider, to a sharing unit, to 张三 as
    subject) and one in jilin."""
    out: dict[str, int] = {}
    with transaction(session_factory(engine)) as db:
        person = subjects_service.find(db_session=db, identifier=ZHANG_SAN)
        assert person is not None
        rows = [
            ("applicant", ZHANG_SAN, "applicant", "jiangsu", "objection.accepted", None),
            ("provider", NJ_SAMR, "provider", "jiangsu", "objection.forwarded", date(2026, 3, 3)),
            ("sharing", NJ_DRC, "sharing_unit", "jiangsu", "record.corrected", date(2026, 3, 3)),
            ("subject", "张三", "subject", "jiangsu", "record.submitted", None),
            ("jilin", NJ_SAMR, "provider", "jilin", "objection.forwarded", None),
        ]
        for key, recipient, kind_of, jurisdiction, kind, due in rows:
            out[key] = service.enqueue(
                db_session=db,
                now=at("2026-03-02"),
                jurisdiction=jurisdiction,
                recipient=recipient,
                recipient_kind=kind_of,
                kind=kind,
                subject_id=person.id,
                case_ref="OBJ-1",
                content={"zh": "通知", "en": "notice"},
                due=(due, False) if due else None,
            ).id
    return out


def listed(resp: Any) -> list[int]:
    assert resp.status_code == 200, resp.text
    return [n["id"] for n in resp.json()]


def test_each_reader_sees_the_notices_addressed_to_it(http: Http, ids: dict[str, int]) -> None:
    everything = [ids["applicant"], ids["provider"], ids["sharing"], ids["subject"]]
    assert listed(http.operator.get(f"{J}/notices")) == everything
    assert listed(http.person.get(f"{J}/notices")) == [ids["applicant"], ids["subject"]]
    assert listed(http.provider.get(f"{J}/notices")) == [ids["provider"]]
    assert listed(http.government.get(f"{J}/notices")) == [ids["sharing"]]
    assert listed(http.subject.get(f"{J}/notices")) == []  # another subject
    assert listed(http.agency.get(f"{J}/notices")) == []
    problem(http.anonymous.get(f"{J}/notices"), 401, "unauthenticated")
    problem(http.provider_jilin.get(f"{J}/notices"), 403, "not_allowed")  # an account limited to jilin


def test_one_notice_with_its_due_date_and_overdue_flag(http: Http, ids: dict[str, int]) -> None:
    http.travel("2026-03-04")
    resp = http.operator.get(f"{J}/notices/{ids['provider']}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["recipient"], body["recipient_kind"], body["kind"]) == (
        NJ_SAMR,
        "provider",
        "objection.forwarded",
    )
    assert (body["due"], body["overdue"], body["sent_at"], body["attempts"]) == (
        {"date": "2026-03-03", "provisional": False},
        True,
        None,
        0,
    )
    assert body["created_at"] == "2026-03-02T01:00:00Z"
    problem(http.person.get(f"{J}/notices/{ids['provider']}"), 404, "not_found")


def test_operator_sends_pending_notices_to_the_file_outbox(
    http: Http, ids: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_OUTBOX", str(tmp_path))
    problem(http.provider.post(f"{J}/notices/send"), 403, "not_allowed")
    http.travel("2026-03-03")
    resp = http.operator.post(f"{J}/notices/send", params={"transport": "file"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "transport": "file",
        "sent": [ids["applicant"], ids["provider"], ids["sharing"], ids["subject"]],
        "failed": {},
    }
    lines = (tmp_path / "notices-2026-03-03.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == resp.json()["sent"]
    assert listed(http.operator.get(f"{J}/notices", params={"pending": True})) == []
    sent = http.operator.get(f"{J}/notices/{ids['provider']}").json()
    assert (sent["sent_at"], sent["transport"], sent["attempts"], sent["overdue"]) == (
        "2026-03-03T01:00:00Z",
        "file",
        1,
        False,
    )
