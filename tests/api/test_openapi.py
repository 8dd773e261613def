"""The OpenAPI document is complete and valid, and the API keeps to it (schemathesis, SQLite only).

Schemathesis reads /openapi.json from the live server and sends generated requests to the GET
operations and to `submit_record`, checking that nothing answers 5xx and that every status,
content type, header and body is one the document declares (problem+json refusals included).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.conftest import serve
from api.helpers import CC_COMPANY, NJ_COMPANY, PROBLEM, ZHANG_SAN, Clock, at, penalty, seed
from xinyong.core import db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def sqlite_server(sqlite_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on SQLite with users and a few records; yields (base URL, username -> token)."""
    engine = db.make_engine(sqlite_url)
    db.create_all(engine)
    clock = Clock(at("2026-03-02"))
    tokens = seed(engine, clock.now)
    try:
        with serve(engine, clock) as base_url:
            provider = {"Authorization": f"Bearer {tokens['provider']}"}
            for body in (
                penalty(record_id="S-1"),
                penalty(ZHANG_SAN, subject_kind="natural_person", record_id="S-2"),
            ):
                assert (
                    httpx.post(f"{base_url}/api/v1/jiangsu/records", json=body, headers=provider).status_code
                    == 201
                )
            jilin = {"Authorization": f"Bearer {tokens['provider_jilin']}"}
            assert (
                httpx.post(
                    f"{base_url}/api/v1/jilin/records", json=penalty(CC_COMPANY), headers=jilin
                ).status_code
                == 201
            )
            yield base_url, tokens
    finally:
        engine.dispose()


@pytest.fixture
def openapi_doc(sqlite_server: tuple[str, dict[str, str]]) -> dict[str, Any]:
    resp = httpx.get(sqlite_server[0] + "/openapi.json")
    assert resp.status_code == 200
    return resp.json()


def test_the_document_validates_against_the_openapi_schema(sqlite_server: tuple[str, dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_url(sqlite_server[0] + "/openapi.json")
    schema.validate()  # raises on an invalid document


def test_every_operation_is_documented_with_its_problem_responses(openapi_doc: dict[str, Any]) -> None:
    components = openapi_doc["components"]["schemas"]
    assert {"Problem", "ProblemItem"} <= set(components)
    assert "HTTPValidationError" not in components  # FastAPI's own 422 shape is never served
    assert {"code", "message_zh", "message_en", "status", "type", "title"} <= set(
        components["Problem"]["required"]
    )
    operation_ids = []
    for path, operations in openapi_doc["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            operation_ids.append(op["operationId"])
            assert op.get("summary"), where
            assert op.get("description"), where
            assert op.get("tags"), where
            success = [s for s in op["responses"] if s.startswith("2")]
            assert len(success) == 1, where
            # JSON everywhere, except a page meant for people (the credit report as HTML)
            assert {"application/json", "text/html"} & set(op["responses"][success[0]]["content"]), where
            refusals = {s: r for s, r in op["responses"].items() if s.startswith("4")}
            takes_input = bool(op.get("parameters")) or "requestBody" in op or bool(op.get("security"))
            assert bool(refusals) == takes_input, where  # only a bare public list cannot be refused
            for status, response in refusals.items():
                assert list(response["content"]) == [PROBLEM], (where, status)
                assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
                assert response["description"].startswith("Refused"), (where, status)
            if op.get("security"):
                assert "401" in refusals, where
            if any(p["in"] in ("path", "query") for p in op.get("parameters", [])) or "requestBody" in op:
                assert "422" in refusals, where
    assert len(operation_ids) == len(set(operation_ids))
    assert "submit_record" in operation_ids


# Path values that reach real data (the seeded records); unpinned runs mostly meet 404s.
PINS = {
    "jurisdiction": "jiangsu",
    "identifier": ZHANG_SAN,
    "record_id": 1,
    "code": "admin_penalty",
    "year": 2027,
}


def test_the_api_keeps_to_its_document(sqlite_server: tuple[str, dict[str, str]]) -> None:
    """No 5xx, and every answer is one the document declares, for the GET operations and `submit_record`.

    Requests go as an operator (who may call all of them). Each operation gets bounded Hypothesis
    runs: free path values, then path values pinned to seeded data so query strings and bodies
    reach the rules; `submit_record` also gets invalid bodies (negative mode), which must come
    back as documented 4xx problems. Failures are collected and reported together.
    (schemathesis.pytest.from_fixture is not used: its lazy loader touches a pytest 9 internal.)
    """
    base_url, tokens = sqlite_server
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    auth = {"Authorization": f"Bearer {tokens['operator']}"}
    failures: dict[str, str] = {}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (
            operation.method.upper() != "GET"
            and operation.definition.raw.get("operationId") != "submit_record"
        ):
            continue
        pins = {k: v for k, v in PINS.items() if "{" + k + "}" in operation.path}
        runs = [(GenerationMode.POSITIVE, {})]
        if pins:
            runs.append((GenerationMode.POSITIVE, pins))
        if operation.method.upper() == "POST":
            runs.append((GenerationMode.NEGATIVE, pins))
        for mode, path_parameters in runs:
            label = f"{operation.label} ({mode.value}, {path_parameters or 'free'})"
            tested.append(label)

            @given(
                case=operation.as_strategy(
                    generation_mode=mode, headers=auth, path_parameters=path_parameters
                )
            )
            @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # collect: one run reports every stray operation
                failures[label] = f"{type(exc).__name__}: {exc}"[:2000]
    assert len(tested) >= 25, tested
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


def test_the_public_archive_is_readable_without_a_token(sqlite_server: tuple[str, dict[str, str]]) -> None:
    """Not only through schemathesis: the anonymous public read of a seeded record."""
    resp = httpx.get(f"{sqlite_server[0]}/api/v1/jiangsu/public/subjects/{NJ_COMPANY}")
    assert [r["document"] for r in resp.json()["records"]] == ["宁市监罚〔2026〕12号"]
