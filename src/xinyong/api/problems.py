"""Errors as problem+json (RFC 9457), with the stable code and Chinese and English messages.

`responses(...)` documents those refusals in the OpenAPI document, so clients (and schema-driven
tests) know that a 4xx body is a `Problem` served as `application/problem+json`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.core.errors import CODES, XinyongError

PROBLEM = "application/problem+json"
REF = "#/components/schemas/"


class ProblemItem(BaseModel):
    """One problem among several: a batch row or a request field."""

    code: str
    message_zh: str
    message_en: str
    field: str | None = None
    row: int | None = None
    cite: str | None = Field(None, description="the article applied, e.g. 吉林 第十九条")
    detail: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem: `code` is stable and never renamed; messages are in Chinese and English."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="URI naming the code")
    title: str
    status: int
    detail: str | None = None
    code: str = Field(description="stable error code (SCENARIOS.md rejection codes and platform codes)")
    message_zh: str
    message_en: str
    instance: str | None = Field(None, description="the request path")
    field: str | None = Field(None, description="the field at fault, e.g. `subject_id` or `data.blood_type`")
    row: int | None = None
    cite: str | None = Field(None, description="the article applied, e.g. 吉林 第十九条")
    errors: list[ProblemItem] | None = Field(None, description="every problem found, when there are several")


def _describe(status: int) -> str:
    codes = ", ".join(f"`{c}`" for c, spec in CODES.items() if spec.status == status)
    return f"Refused (problem+json). `code`: {codes}."


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the refusals a route can give, each a `Problem` as problem+json."""
    return {
        status: {
            "description": _describe(status),
            "content": {PROBLEM: {"schema": {"$ref": REF + "Problem"}}},
        }
        for status in statuses
    }


# The usual sets: no login needed; a login needed; a login needed and the change may conflict (409).
PUBLIC = responses(404, 422)
AUTH = responses(401, 403, 404, 422)
AUTH_CONFLICT = responses(401, 403, 404, 409, 422)


def add_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Put `Problem` and `ProblemItem` into the document's components (the routes refer to them)."""
    schema = Problem.model_json_schema(ref_template=REF + "{model}")
    defs = schema.pop("$defs", {})
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components.update(defs)
    components["Problem"] = schema
    return openapi


def problem(
    exc: XinyongError,
    instance: str | None = None,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The response for a refusal; `status` overrides the code's own (e.g. 405 from the router)."""
    status = status or exc.status
    body: dict[str, Any] = {
        "type": f"https://xinyong.invalid/problems/{exc.code}",
        "title": exc.spec.en,
        "status": status,
        "detail": exc.message_en(),
        "code": exc.code,
        "message_zh": exc.message_zh(),
        "message_en": exc.message_en(),
    }
    if instance:
        body["instance"] = instance
    for key in ("field", "row", "cite"):
        value = getattr(exc, key)
        if value is not None:
            body[key] = value
    body.update(exc.extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def xinyong_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, XinyongError)
    # RFC 9110 §15.5.2: a 401 names the scheme that would be accepted
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(exc, request.url.path, headers=headers)


async def validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        # a JSON syntax error's location is a character offset, not a field
        parts = () if err.get("type") == "json_invalid" else err.get("loc", ())
        loc = [str(p) for p in parts if p not in ("body", "query", "path", "header")]
        errors.append(
            XinyongError("invalid_request", field=".".join(loc) or None, detail=err.get("msg")).as_dict()
        )
    first = errors[0] if errors else {}
    return problem(
        XinyongError(
            "invalid_request", field=first.get("field"), detail=first.get("detail"), extra={"errors": errors}
        ),
        request.url.path,
    )


async def http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {401: "unauthenticated", 403: "not_allowed", 404: "not_found"}.get(
        exc.status_code, "invalid_request"
    )
    err = XinyongError(code, detail=str(exc.detail))
    # A body that cannot be parsed at all (400 from the framework, e.g. not UTF-8) is a malformed
    # request like a JSON syntax error: `invalid_request` with its own status, 422. Other statuses
    # (405, ...) and their headers (Allow, WWW-Authenticate) are kept.
    status = err.status if exc.status_code == 400 else exc.status_code
    return problem(err, request.url.path, status=status, headers=exc.headers)
