"""Who sees what over real HTTP: public periods, masking, the government channel and its query log,
authorizations (授权查询). Both databases, uvicorn (tests/api/conftest.py).
"""

from __future__ import annotations

from api.helpers import (
    AGENCY,
    CC_COMPANY,
    CC_PERSON,
    NJ_COMPANY,
    NJ_DRC,
    ZHANG_SAN,
    Api,
    penalty,
    problem,
    record_ids,
)

J = "/api/v1/jiangsu"
GOV = {"channel": "government", "purpose": "行政许可审查"}


# --------------------------------------------------------------------------- public periods and masking


def test_jilin_general_penalty_is_public_through_the_last_day_of_its_year(api: Api) -> None:
    """Jilin 第十九条第一款: decided (effective) 2026-03-02, public through 2027-03-02, hidden 2027-03-03."""
    j = "/api/v1/jilin"
    rec = api.provider_jilin.post(
        f"{j}/records", json=penalty(CC_COMPANY, record_id="R1", document="长市监罚〔2026〕12号")
    ).json()
    assert rec["public_until"] == "2027-03-02"
    url = f"{j}/public/subjects/{CC_COMPANY}"
    assert record_ids(api.anonymous.get(url)) == [rec["id"]]
    api.travel("2027-03-02", hour=23)
    assert record_ids(api.anonymous.get(url)) == [rec["id"]]
    api.travel("2027-03-03", hour=0)
    assert record_ids(api.anonymous.get(url)) == []


def test_jilin_natural_person_records_are_not_public_at_all(api: Api) -> None:
    """Jilin 第十八条第三款: natural persons' information is not disclosed publicly."""
    j = "/api/v1/jilin"
    rec = api.provider_jilin.post(
        f"{j}/records",
        json=penalty(
            CC_PERSON, subject_kind="natural_person", subject_name="李四", document="长市监罚〔2026〕13号"
        ),
    ).json()
    public = api.anonymous.get(f"{j}/public/subjects/{CC_PERSON}")
    assert record_ids(public) == []
    assert public.json()["subject"] == {
        "kind": "natural_person",
        "id_type": "ric",
        "identifier": "2201**********0030",
        "name": "李*",
        "masked": True,
    }
    shared = api.government.get(f"/api/v1/jilin/subjects/{CC_PERSON}/archive", params=GOV)
    assert record_ids(shared) == [rec["id"]]


def test_jiangsu_natural_person_is_masked_in_public_and_not_on_the_government_channel(api: Api) -> None:
    """Jiangsu 第四十条第二款: penalties on natural persons are public, desensitised."""
    rec = api.provider.post(
        f"{J}/records",
        json=penalty(
            ZHANG_SAN, subject_kind="natural_person", subject_name="张三", document="宁市监罚〔2026〕7号"
        ),
    ).json()
    public = api.anonymous.get(f"{J}/public/subjects/{ZHANG_SAN}")
    assert record_ids(public) == [rec["id"]]
    assert public.json()["subject"] == {
        "kind": "natural_person",
        "id_type": "ric",
        "identifier": "3201**********4560",
        "name": "张*",
        "masked": True,
    }
    assert ZHANG_SAN not in public.text and "张三" not in public.text

    shared = api.government.get(f"{J}/subjects/{ZHANG_SAN}/archive", params=GOV)
    assert record_ids(shared) == [rec["id"]]
    assert shared.json()["subject"]["identifier"] == ZHANG_SAN
    assert shared.json()["subject"]["name"] == "张三"
    assert shared.json()["subject"]["masked"] is False


# --------------------------------------------------------------------------- government channel and query log


def test_government_channel_requires_a_purpose_and_every_non_public_read_is_logged(api: Api) -> None:
    """Every non-public look-up is logged (who, channel, purpose, records returned); public reads are not.

    Only the subject itself (or an operator) reads its archive and its log.
    """
    rec = api.provider.post(
        f"{J}/records", json=penalty(ZHANG_SAN, subject_kind="natural_person", subject_name="张三")
    ).json()
    archive = f"{J}/subjects/{ZHANG_SAN}/archive"

    no_purpose = api.government.get(archive, params={"channel": "government"})
    assert problem(no_purpose, 422, "missing_field")["field"] == "purpose"
    problem(api.agency.get(archive, params=GOV), 403, "forbidden_channel")

    api.travel("2026-03-03")
    assert record_ids(api.government.get(archive, params=GOV)) == [rec["id"]]
    api.travel("2026-03-04")
    assert record_ids(api.anonymous.get(f"{J}/public/subjects/{ZHANG_SAN}")) == [rec["id"]]
    api.travel("2026-03-05")
    assert record_ids(api.person.get(archive, params={"channel": "self"})) == [rec["id"]]

    log = api.person.get(f"{J}/subjects/{ZHANG_SAN}/queries")
    assert log.status_code == 200, log.text
    seen = [
        (
            q["at"],
            q["actor"],
            q["actor_org"],
            q["channel"],
            q["purpose"],
            q["authorization_id"],
            q["record_ids"],
        )
        for q in log.json()
    ]
    assert seen == [  # newest first; the submission and the public read are not look-ups
        ("2026-03-05T01:00:00Z", "person", None, "self", None, None, [str(rec["id"])]),
        ("2026-03-03T01:00:00Z", "government", NJ_DRC, "government", "行政许可审查", None, [str(rec["id"])]),
    ]
    since = api.person.get(f"{J}/subjects/{ZHANG_SAN}/queries", params={"since": "2026-03-04T00:00:00+08:00"})
    assert [q["channel"] for q in since.json()] == ["self"]
    assert api.operator.get(f"{J}/subjects/{ZHANG_SAN}/queries").json() == log.json()

    # another subject reads neither the archive nor its query log; the refusals read nothing
    problem(
        api.subject.get(f"{J}/subjects/{ZHANG_SAN}/archive", params={"channel": "self"}), 403, "not_allowed"
    )
    problem(api.subject.get(f"{J}/subjects/{ZHANG_SAN}/queries"), 403, "not_allowed")
    problem(api.government.get(f"{J}/subjects/{ZHANG_SAN}/queries"), 403, "not_allowed")
    assert api.person.get(f"{J}/subjects/{ZHANG_SAN}/queries").json() == log.json()


# --------------------------------------------------------------------------- authorizations


def test_an_authorized_agency_sees_only_the_items_granted_while_the_grant_is_in_force(api: Api) -> None:
    """Jiangsu 第六十一条第二项: authorized queries follow the written grant; none lasts for life."""
    license_ = api.provider.post(
        f"{J}/records", json=penalty(item="admin_license", document="宁市监许〔2026〕3号")
    ).json()
    api.provider.post(f"{J}/records", json=penalty(document="宁市监罚〔2026〕12号"))
    grant = {
        "subject": NJ_COMPANY,
        "grantee": AGENCY,
        "purpose": "贷款审查",
        "items": ["admin_license"],
        "until": "2026-03-31",
    }
    lifetime = api.subject.post(f"{J}/authorizations", json={k: v for k, v in grant.items() if k != "until"})
    body = problem(lifetime, 422, "lifetime_authorization")
    assert (body["field"], body["cite"]) == ("until", "江苏 第六十一条第二项")
    problem(api.other_subject.post(f"{J}/authorizations", json=grant), 403, "not_allowed")

    resp = api.subject.post(f"{J}/authorizations", json=grant)
    assert resp.status_code == 201, resp.text
    auth = resp.json()
    assert (auth["valid_from"], auth["valid_until"], auth["items"]) == (
        "2026-03-02",
        "2026-03-31",
        ["admin_license"],
    )
    assert auth["granted_at"] == "2026-03-02T01:00:00Z"  # 09:00 in Shanghai

    params = {"channel": "authorized", "authorization": auth["id"]}
    archive = f"{J}/subjects/{NJ_COMPANY}/archive"
    assert record_ids(api.agency.get(archive, params=params)) == [license_["id"]]  # not the penalty
    problem(api.other_agency.get(archive, params=params), 403, "not_allowed")  # names another grantee
    api.travel("2026-03-31", hour=23)
    assert record_ids(api.agency.get(archive, params=params)) == [license_["id"]]  # last day inclusive
    api.travel("2026-04-01", hour=0)
    # the day after the last day the authorization opens nothing, and says why
    problem(api.agency.get(archive, params=params), 403, "authorization_inactive")

    log = api.subject.get(f"{J}/subjects/{NJ_COMPANY}/queries").json()
    assert [
        (q["actor_org"], q["channel"], q["purpose"], q["authorization_id"], q["record_ids"]) for q in log
    ] == [  # newest first; the refused read opened nothing and is not a look-up
        (AGENCY, "authorized", "贷款审查", str(auth["id"]), [str(license_["id"])]),
        (AGENCY, "authorized", "贷款审查", str(auth["id"]), [str(license_["id"])]),
    ]


def test_a_withdrawn_authorization_shows_nothing(api: Api) -> None:
    license_ = api.provider.post(f"{J}/records", json=penalty(item="admin_license", document="许可")).json()
    auth = api.subject.post(
        f"{J}/authorizations",
        json={"subject": NJ_COMPANY, "grantee": AGENCY, "purpose": "招投标", "until": "2026-12-31"},
    ).json()
    assert auth["items"] is None  # every item the channel allows
    params = {"channel": "authorized", "authorization": auth["id"]}
    archive = f"{J}/subjects/{NJ_COMPANY}/archive"
    assert record_ids(api.agency.get(archive, params=params)) == [license_["id"]]

    problem(api.other_subject.delete(f"{J}/authorizations/{auth['id']}"), 403, "not_allowed")
    api.travel("2026-03-02", hour=10)
    withdrawn = api.subject.delete(f"{J}/authorizations/{auth['id']}")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["revoked_at"] == "2026-03-02T02:00:00Z"  # 10:00 in Shanghai
    problem(api.agency.get(archive, params=params), 403, "authorization_inactive")
    listed = api.subject.get(f"{J}/subjects/{NJ_COMPANY}/authorizations").json()
    assert [(a["id"], a["revoked_at"] is not None) for a in listed] == [(auth["id"], True)]
    problem(api.agency.get(f"{J}/subjects/{NJ_COMPANY}/authorizations"), 403, "not_allowed")
