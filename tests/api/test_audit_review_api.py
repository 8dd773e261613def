"""The query review over HTTP (查询检查, R-SEC-03): operators only, thresholds per call."""

from __future__ import annotations

from api.helpers import NJ_COMPANY, NJ_DRC, Api, penalty, problem

J = "/api/v1/jiangsu"
GOV = {"channel": "government", "purpose": "行政许可审查"}


def test_operator_reviews_a_days_look_ups_and_sees_the_volume_flag(api: Api) -> None:
    api.travel("2026-03-02", 10)
    assert api.provider.post(f"{J}/records", json=penalty(NJ_COMPANY)).status_code == 201
    for _ in range(3):
        assert api.government.get(f"{J}/subjects/{NJ_COMPANY}/archive", params=GOV).status_code == 200
    params = {"since": "2026-03-02", "until": "2026-03-02", "max_queries": 2}
    resp = api.operator.get(f"{J}/audit/review", params=params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["required_by"] is None  # Jiangsu's text sets no such review
    (line,) = body["lines"]
    assert (line["unit"], line["channel"], line["day"], line["queries"], line["subjects"], line["flags"]) == (
        NJ_DRC,
        "government",
        "2026-03-02",
        3,
        1,
        ["volume"],
    )
    quiet = api.operator.get(
        f"{J}/audit/review", params={**params, "since": "2026-03-03", "until": "2026-03-03"}
    )
    assert quiet.json()["lines"] == []


def test_only_operators_and_a_sane_period(api: Api) -> None:
    params = {"since": "2026-03-02", "until": "2026-03-02"}
    problem(api.government.get(f"{J}/audit/review", params=params), 403, "not_allowed")
    problem(api.provider.get(f"{J}/audit/review", params=params), 403, "not_allowed")
    body = problem(
        api.operator.get(f"{J}/audit/review", params={"since": "2026-03-02", "until": "2026-03-01"}),
        422,
        "invalid_field",
    )
    assert body["field"] == "until"
    shenzhen = api.operator.get("/api/v1/shenzhen/audit/review", params=params).json()
    assert shenzhen["required_by"] == "深圳 第四十三条第二项、第四项、第五项"
