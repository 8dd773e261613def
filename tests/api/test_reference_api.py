"""Profiles, catalog, calendar and request errors over real HTTP, on both databases."""

from __future__ import annotations

from api.helpers import NJ_COMPANY, NJ_SAMR, NJ_TAX, Api, penalty, problem

J = "/api/v1/jiangsu"
PROFILES = ["henan", "jiangsu", "jilin", "nanjing", "shenzhen"]


# --------------------------------------------------------------------------- profiles


def test_profiles_lists_the_five_one_carries_its_citations_and_an_unknown_one_is_404(api: Api) -> None:
    listed = api.anonymous.get("/api/v1/profiles")
    assert listed.status_code == 200
    by_id = {p["id"]: p for p in listed.json()}
    assert sorted(by_id) == PROFILES
    assert (by_id["jilin"]["status"], by_id["jilin"]["in_force_from"]) == ("draft", None)  # 第五十九条 blank
    assert by_id["jiangsu"]["in_force_from"] == "2022-01-01"

    jilin = api.anonymous.get("/api/v1/profiles/jilin").json()
    assert jilin["meta"]["id"] == "jilin"
    period = jilin["disclosure"]["periods"]["penalty_general"]
    assert period["cite"] == "吉林 第十九条第一款"
    assert period["values"][0]["max"] == {"value": 1, "unit": "year"}
    assert jilin["authorization"]["cite"].startswith("吉林 第十七条")
    assert len(jilin["catalog"]["items"]) == by_id["jilin"]["items"]

    body = problem(api.anonymous.get("/api/v1/profiles/atlantis"), 404, "unknown_profile")
    assert "jilin" in body["detail"]  # names the known ones
    problem(api.anonymous.get(f"/api/v1/atlantis/public/subjects/{NJ_COMPANY}"), 404, "unknown_profile")
    problem(api.operator.get("/api/v1/atlantis/catalog"), 404, "unknown_profile")


# --------------------------------------------------------------------------- catalog


def test_every_profile_has_its_catalog(api: Api) -> None:
    for pid in PROFILES:
        items = api.anonymous.get(f"/api/v1/{pid}/catalog")
        assert items.status_code == 200, (pid, items.text)
        profile_items = api.anonymous.get(f"/api/v1/profiles/{pid}").json()["catalog"]["items"]
        assert [i["code"] for i in items.json()] == list(profile_items)
        assert {(i["version"], i["status"]) for i in items.json()} == {(1, "published")}
        for item in items.json():
            assert item["definition"]["class"] == profile_items[item["code"]]["class"]


def test_an_operator_change_is_a_new_version_and_records_keep_theirs(api: Api) -> None:
    old = api.provider.post(f"{J}/records", json=penalty(record_id="V-1")).json()
    assert old["catalog_version"] == 1

    change = {"changes": {"providers": [NJ_SAMR, NJ_TAX]}, "reason": "增加税务部门为提供单位"}
    problem(api.provider.post(f"{J}/catalog/admin_penalty/versions", json=change), 403, "not_allowed")
    resp = api.operator.post(f"{J}/catalog/admin_penalty/versions", json=change)
    assert resp.status_code == 201, resp.text
    v2 = resp.json()
    assert (v2["version"], v2["reason"], v2["created_by"]) == (2, "增加税务部门为提供单位", "operator")
    assert v2["definition"]["providers"] == [NJ_SAMR, NJ_TAX]
    assert v2["definition"]["class"] == "dishonest"  # legal attributes unchanged

    history = api.anonymous.get(f"{J}/catalog/admin_penalty/versions").json()
    assert [(v["version"], v["reason"]) for v in history] == [
        (1, "initial catalog from profile"),
        (2, "增加税务部门为提供单位"),
    ]
    new = api.provider.post(f"{J}/records", json=penalty(record_id="V-2")).json()
    assert new["catalog_version"] == 2
    assert api.provider.get(f"{J}/records/{old['id']}").json()["catalog_version"] == 1


def test_legal_attributes_do_not_change_through_the_catalog(api: Api) -> None:
    url = f"{J}/catalog/admin_penalty/versions"
    body = problem(
        api.operator.post(url, json={"changes": {"class": "good"}, "reason": "x"}), 422, "invalid_catalog"
    )
    assert body["field"] == "class"
    problem(
        api.operator.post(f"{J}/catalog/no_such_item/versions", json={"changes": {}, "reason": "x"}),
        422,
        "unknown_item",
    )
    assert [v["version"] for v in api.anonymous.get(url).json()] == [1]
    problem(api.operator_jilin.post(url, json={"changes": {"note": "x"}, "reason": "x"}), 403, "not_allowed")


# --------------------------------------------------------------------------- calendar


def test_an_operator_loads_a_year_the_bundled_calendar_does_not_know(api: Api) -> None:
    before = api.anonymous.get("/api/v1/calendar/2027")
    assert before.status_code == 200
    assert (before.json()["known"], before.json()["source"]) == (False, None)

    schedule = {
        "years": [2027],
        "holidays": ["2027-01-01"],
        "workdays": ["2027-02-06"],
        "source": "国务院办公厅关于2027年部分节假日安排的通知（测试用）",
    }
    problem(api.anonymous.post("/api/v1/calendar", json=schedule), 401, "unauthenticated")
    problem(api.provider.post("/api/v1/calendar", json=schedule), 403, "not_allowed")
    loaded = api.operator.post("/api/v1/calendar", json=schedule)
    assert loaded.status_code == 201, loaded.text
    assert [(y["year"], y["known"]) for y in loaded.json()] == [(2027, True)]

    after = api.anonymous.get("/api/v1/calendar/2027").json()
    assert (after["known"], after["source"]) == (True, schedule["source"])
    days = {d["day"]: d["is_workday"] for d in after["days"]}
    assert (days["2027-01-01"], days["2027-02-06"]) == (False, True)
    assert api.anonymous.get("/api/v1/calendar/2026").json()["known"] is True  # bundled
    for year in ("0", "10000", "twenty"):
        assert (
            problem(api.anonymous.get(f"/api/v1/calendar/{year}"), 422, "invalid_request")["field"] == "year"
        )


# --------------------------------------------------------------------------- request errors


def test_request_validation_errors_are_problems_naming_the_field(api: Api) -> None:
    wrong_type = api.provider.post(f"{J}/records", json=penalty(item=3))
    assert problem(wrong_type, 422, "invalid_request")["field"] == "item"

    extra = api.provider.post(f"{J}/records", json=penalty(colour="red"))
    body = problem(extra, 422, "invalid_request")
    assert body["field"] == "colour"
    assert body["errors"][0]["detail"] == "Extra inputs are not permitted"

    nested = api.provider.post(f"{J}/batches", json={"rows": [penalty(), {"item": ["x"]}]})
    assert problem(nested, 422, "invalid_request")["field"] == "rows.1.item"

    bad_date = api.subject.post(
        f"{J}/authorizations",
        json={"subject": NJ_COMPANY, "grantee": "某", "purpose": "x", "until": "next year"},
    )
    assert problem(bad_date, 422, "invalid_request")["field"] == "until"

    not_json = api.provider.post(
        f"{J}/records", content=b'{"item": ', headers={"Content-Type": "application/json"}
    )
    assert "field" not in problem(not_json, 422, "invalid_request")

    assert problem(api.provider.get(f"{J}/records/abc"), 422, "invalid_request")["field"] == "record_id"
    assert problem(api.provider.get(f"{J}/records/{2**40}"), 422, "invalid_request")["field"] == "record_id"
    naive = api.subject.get(f"{J}/subjects/{NJ_COMPANY}/queries", params={"since": "2026-03-01T00:00:00"})
    assert problem(naive, 422, "invalid_date")["field"] == "since"
    too_early = api.subject.get(
        f"{J}/subjects/{NJ_COMPANY}/queries", params={"since": "0001-01-01T00:00:00+14:00"}
    )
    assert problem(too_early, 422, "invalid_date")["field"] == "since"  # before year 1 in UTC
    assert problem(api.operator.get(f"{J}/subjects/{NJ_COMPANY}/archive"), 422, "invalid_request")[
        "field"
    ] == ("channel")


def test_every_refusal_is_served_as_problem_json(api: Api) -> None:
    """Router-level errors too: unknown path, wrong method, missing subject, missing record."""
    unknown_path = api.anonymous.get("/api/v1/no/such/path/at/all")
    problem(unknown_path, 404, "not_found")
    wrong_method = api.anonymous.delete("/api/v1/profiles")
    problem(wrong_method, 405, "invalid_request")
    assert wrong_method.headers["allow"] == "GET"
    problem(api.anonymous.get(f"{J}/public/subjects/91320102MA1XY8123X"), 404, "unknown_subject")
    problem(api.provider.get(f"{J}/records/12345"), 404, "unknown_record")
    problem(api.anonymous.get("/api/v1/me"), 401, "unauthenticated")
    assert api.provider.get("/api/v1/me").json() == {
        "username": "provider",
        "role": "provider",
        "organization": NJ_SAMR,
        "jurisdiction": "jiangsu",
    }
    problem(api.provider.get("/api/v1/audit/verify"), 403, "not_allowed")
    verify = api.operator.get("/api/v1/audit/verify")
    assert verify.status_code == 200
    assert all(chain["ok"] for chain in verify.json())
