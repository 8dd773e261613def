"""Records over real HTTP: submit one, batches, revocation, reading as of another time.

Every test runs on SQLite and PostgreSQL against uvicorn (tests/api/conftest.py).
"""

from __future__ import annotations

from api.helpers import (
    CC_COMPANY,
    NJ_COMPANY,
    NJ_OTHER,
    NJ_SAMR,
    NJ_TAX,
    ZZ_COMPANY,
    Api,
    penalty,
    problem,
    record_ids,
)

J = "/api/v1/jiangsu"


# --------------------------------------------------------------------------- submit one


def test_provider_submits_one_record_and_resubmitting_it_is_idempotent(api: Api) -> None:
    body = penalty(record_id="NJ-2026-001")
    resp = api.provider.post(f"{J}/records", json=body)
    assert resp.status_code == 201, resp.text
    assert resp.headers["content-type"] == "application/json"
    first = resp.json()
    assert first["state"] == "active"
    assert first["key"] == "NJ-2026-001"
    assert first["item"] == "admin_penalty"
    assert first["info_class"] == "dishonest"
    assert first["provider"] == NJ_SAMR  # a provider unit submits in its own name
    assert first["decided_on"] == "2026-03-02"
    assert first["catalog_version"] == 1
    assert first["events"] == []

    again = api.provider.post(f"{J}/records", json=body)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first["id"]
    assert again.json()["state"] == "active"

    read = api.provider.get(f"{J}/records/{first['id']}")
    assert read.status_code == 200
    assert read.json()["key"] == "NJ-2026-001"
    problem(api.provider_tax.get(f"{J}/records/{first['id']}"), 403, "not_allowed")  # another unit's
    problem(api.provider_tax.get(f"{J}/records/{first['id']}/status"), 403, "not_allowed")
    problem(api.provider_jilin.get(f"/api/v1/jilin/records/{first['id']}"), 404, "unknown_record")
    assert record_ids(api.anonymous.get(f"{J}/public/subjects/{NJ_COMPANY}")) == [first["id"]]


def test_refused_submissions_store_nothing(api: Api) -> None:
    """Another unit's name, another jurisdiction, no valid token, bad content: refused, nothing kept."""
    resp = api.provider.post(f"{J}/records", json=penalty(record_id="X-1", provider=NJ_TAX))
    assert problem(resp, 403, "not_allowed")["field"] == "provider"
    problem(api.provider_jilin.post(f"{J}/records", json=penalty(record_id="X-2")), 403, "not_allowed")

    for client_headers in ({}, {"Authorization": "Bearer xy_not_a_token"}, {"Authorization": "Basic abc"}):
        resp = api.anonymous.post(f"{J}/records", json=penalty(record_id="X-3"), headers=client_headers)
        problem(resp, 401, "unauthenticated")
        assert resp.headers["www-authenticate"] == "Bearer"

    # the first problem names the refusal; `errors` lists every one found
    bad = penalty(subject_id="91320102MA1XY81230", data={"blood_type": "A"})  # wrong check character
    body = problem(api.provider.post(f"{J}/records", json=bad), 422, "invalid_identifier")
    assert body["field"] == "subject_id"
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("invalid_identifier", "subject_id"),
        ("prohibited_data", "data.blood_type"),
    ]
    archive = api.operator.get(f"{J}/subjects/{NJ_COMPANY}/archive", params={"channel": "provider"})
    assert record_ids(archive) == []


def test_a_record_submitted_after_its_period_is_stored_not_refused_as_unknown(api: Api) -> None:
    """Jilin 第十九条: decided 2024-01-10, public through 2025-01-10, so never public when sent in 2026.

    The single-record answer is built from the stored record, not from the provider's channel, so
    a record no channel shows any more still comes back (as the batch endpoint already stores it).
    """
    j = "/api/v1/jilin"
    resp = api.provider_jilin.post(
        f"{j}/records", json=penalty(CC_COMPANY, record_id="OLD-1", decided_on="2024-01-10")
    )
    assert resp.status_code == 201, resp.text
    rec = resp.json()
    assert rec["public_until"] == "2025-01-10"
    assert api.provider_jilin.get(f"{j}/records/{rec['id']}/status").json()["state"] == rec["state"]
    assert record_ids(api.anonymous.get(f"{j}/public/subjects/{CC_COMPANY}")) == []


# --------------------------------------------------------------------------- batches


def test_batch_keeps_good_rows_and_reports_each_bad_one(api: Api) -> None:
    """Rows are checked one by one; each refusal names its row, field and code in both languages."""
    rows = [
        penalty(record_id="B-1", provider=NJ_SAMR),
        penalty(record_id="B-2", provider=NJ_SAMR, subject_id="91320102MA1XY81230"),
        penalty(record_id="B-3", provider=NJ_SAMR, data={"blood_type": "A"}),
        penalty(record_id="B-4", provider=NJ_SAMR, item="no_such_item"),
        penalty(record_id="B-5", provider=NJ_SAMR, decided_on="2026-02-30"),
        penalty(record_id="B-6", provider=NJ_SAMR, item="admin_license", document="宁市监许〔2026〕3号"),
        penalty(record_id="B-7"),  # an operator's row must name its provider
    ]
    resp = api.operator.post(f"{J}/batches", json={"name": "2026-03 双公示", "rows": rows})
    assert resp.status_code == 201, resp.text
    report = resp.json()
    assert (report["total"], report["accepted"], report["duplicates"], report["rejected"]) == (7, 2, 0, 5)
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
        (2, "subject_id", "invalid_identifier"),
        (3, "data.blood_type", "prohibited_data"),
        (4, "item", "unknown_item"),
        (5, "decided_on", "invalid_date"),
        (7, "provider", "missing_field"),
    ]
    for error in report["errors"]:
        assert error["message_zh"].startswith(f"第{error['row']}行")
        assert error["message_en"].startswith(f"row {error['row']}")
    assert report["errors"][1]["cite"].startswith("江苏 第六十二条")
    assert set(report["record_ids"]) == {"1", "6"}

    first, sixth = report["record_ids"]["1"], report["record_ids"]["6"]
    assert api.operator.get(f"{J}/records/{first}").json()["key"] == "B-1"
    assert api.operator.get(f"{J}/records/{sixth}").json()["item"] == "admin_license"
    assert record_ids(api.anonymous.get(f"{J}/public/subjects/{NJ_COMPANY}")) == [first, sixth]

    stored = api.operator.get(f"{J}/batches/{report['batch_id']}")
    assert stored.status_code == 200
    assert (stored.json()["accepted"], stored.json()["rejected"]) == (2, 5)
    assert stored.json()["errors"] == report["errors"]
    problem(api.provider_tax.get(f"{J}/batches/{report['batch_id']}"), 403, "not_allowed")  # not its batch
    problem(api.operator.get(f"{J}/batches/999"), 404, "unknown_batch")


def test_a_batch_of_only_bad_rows_stores_nothing_and_reports_every_row(api: Api) -> None:
    rows = [
        penalty(subject_id=NJ_OTHER, record_id="C-1", data={"血型": "B"}),  # the Chinese name is the same key
        penalty(subject_id="123", record_id="C-2"),
        penalty(subject_id=NJ_OTHER, record_id="C-3", decided_on="02/03/2026"),
    ]
    resp = api.provider.post(f"{J}/batches", json={"rows": rows})
    assert resp.status_code == 201, resp.text
    report = resp.json()
    assert (report["total"], report["accepted"], report["rejected"]) == (3, 0, 3)
    assert [(e["row"], e["code"]) for e in report["errors"]] == [
        (1, "prohibited_data"),
        (2, "invalid_identifier"),
        (3, "invalid_date"),
    ]
    assert report["record_ids"] == {}
    archive = api.operator.get(
        f"{J}/subjects/{NJ_OTHER}/archive", params={"channel": "provider", "purpose": "核对"}
    )
    assert record_ids(archive) == []


def test_a_subject_kind_mismatch_rejects_only_that_row(api: Api) -> None:
    """A registered identifier keeps its kind: the row naming another kind is refused under its number."""
    rows = [
        penalty(record_id="E-1"),
        penalty(record_id="E-2", subject_kind="unincorporated_org"),  # registered as legal_person
    ]
    report = api.provider.post(f"{J}/batches", json={"rows": rows}).json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(2, "subject_mismatch")]


# --------------------------------------------------------------------------- revocation


def test_revocation_takes_the_record_out_of_every_outside_channel_at_once(api: Api) -> None:
    """Henan 第四十二条: the platform acts within 1 working day of receiving the update.

    Received Thursday 2026-04-30; 1-5 May is the Labour Day holiday, so the deadline is 2026-05-06.
    """
    h = "/api/v1/henan"
    api.travel("2026-04-30")
    rec = api.provider_henan.post(
        f"{h}/records", json=penalty(ZZ_COMPANY, record_id="ZZ-1", decided_on="2026-04-20")
    ).json()
    government = {"channel": "government", "purpose": "政府采购审查"}
    assert record_ids(api.anonymous.get(f"{h}/public/subjects/{ZZ_COMPANY}")) == [rec["id"]]
    assert record_ids(api.government.get(f"{h}/subjects/{ZZ_COMPANY}/archive", params=government)) == [
        rec["id"]
    ]

    # only the unit that submitted a record reports its revocation
    problem(api.provider_henan_env.post(f"{h}/records/{rec['id']}/revocation", json={}), 403, "not_allowed")
    # an operator limited to another jurisdiction may not act here
    problem(api.operator_jilin.post(f"{h}/records/{rec['id']}/revocation", json={}), 403, "not_allowed")
    assert api.provider_henan.get(f"{h}/records/{rec['id']}/status").json()["state"] == "active"

    resp = api.provider_henan.post(
        f"{h}/records/{rec['id']}/revocation",
        json={"document": "郑州市人民政府行政复议决定书", "reason": "复议撤销"},
    )
    assert resp.status_code == 201, resp.text
    revoked = resp.json()
    assert revoked["state"] == "revoked"
    [event] = revoked["events"]
    assert event["kind"] == "revoked"
    assert event["document"] == "郑州市人民政府行政复议决定书"
    assert (event["due_on"], event["due_provisional"]) == ("2026-05-06", False)

    assert record_ids(api.anonymous.get(f"{h}/public/subjects/{ZZ_COMPANY}")) == []
    assert record_ids(api.government.get(f"{h}/subjects/{ZZ_COMPANY}/archive", params=government)) == []
    status = api.provider_henan.get(f"{h}/records/{rec['id']}/status")
    assert status.json() == {"record": rec["id"], "state": "revoked"}
    problem(api.provider_henan.post(f"{h}/records/{rec['id']}/revocation", json={}), 409, "already_revoked")


def test_revocation_where_the_profile_deletes_the_record(api: Api) -> None:
    """Shenzhen 第三十六条: the record is deleted within 3 working days; the report itself succeeds."""
    s = "/api/v1/shenzhen"
    rec = api.provider_shenzhen.post(
        f"{s}/records", json=penalty(NJ_COMPANY, record_id="SZ-1", decided_on="2026-02-20")
    ).json()
    resp = api.provider_shenzhen.post(f"{s}/records/{rec['id']}/revocation", json={"document": "撤销决定"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["state"] == "revoked"
    assert resp.json()["events"][0]["due_on"] == "2026-03-05"  # received Monday 2026-03-02
    assert api.provider_shenzhen.get(f"{s}/records/{rec['id']}/status").json()["state"] == "revoked"
    assert record_ids(api.anonymous.get(f"{s}/public/subjects/{NJ_COMPANY}")) == []
    problem(api.provider_shenzhen.get(f"{s}/records/{rec['id']}"), 404, "unknown_record")  # deleted


def test_a_revocation_deadline_in_an_unknown_year_is_provisional_until_the_year_is_loaded(api: Api) -> None:
    h = "/api/v1/henan"
    api.travel("2027-04-30")  # a Friday in a year the bundled schedule does not know
    rec = api.provider_henan.post(f"{h}/records", json=penalty(ZZ_COMPANY, decided_on="2027-04-20")).json()
    event = api.provider_henan.post(f"{h}/records/{rec['id']}/revocation", json={}).json()["events"][0]
    assert (event["due_on"], event["due_provisional"]) == ("2027-05-03", True)  # Monday–Friday count

    schedule = {
        "years": [2027],
        "holidays": ["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05"],
        "workdays": [],
        "source": "国务院办公厅关于2027年部分节假日安排的通知（测试用）",
    }
    assert api.operator.post("/api/v1/calendar", json=schedule).status_code == 201
    event = api.provider_henan.get(f"{h}/records/{rec['id']}").json()["events"][0]
    assert (event["due_on"], event["due_provisional"]) == ("2027-05-06", False)


# --------------------------------------------------------------------------- as_of


def test_an_operator_reads_the_archive_as_of_another_day(api: Api) -> None:
    """Jilin 第十九条: a general penalty decided 2026-03-02 is kept through 2027-03-02."""
    j = "/api/v1/jilin"
    rec = api.provider_jilin.post(
        f"{j}/records", json=penalty(CC_COMPANY, record_id="CC-1", document="长市监罚〔2026〕12号")
    ).json()
    url = f"{j}/subjects/{CC_COMPANY}/archive"
    params = {"channel": "government", "purpose": "监督检查"}
    assert record_ids(api.operator.get(url, params=params)) == [rec["id"]]
    last_day = api.operator.get(url, params={**params, "as_of": "2027-03-02T23:59:59+08:00"})
    assert record_ids(last_day) == [rec["id"]]
    assert last_day.json()["as_of"] == "2027-03-02T23:59:59+08:00"
    assert record_ids(api.operator.get(url, params={**params, "as_of": "2027-03-03T00:00:00+08:00"})) == []

    body = problem(
        api.government.get(url, params={**params, "as_of": "2027-03-03T09:00:00+08:00"}), 403, "not_allowed"
    )
    assert "government" in body["detail"]
    naive = api.operator.get(url, params={**params, "as_of": "2027-03-03T09:00:00"})
    assert problem(naive, 422, "invalid_date")["field"] == "as_of"
    assert api.provider_jilin.get(f"{j}/records/{rec['id']}").json()["state"] == "active"
