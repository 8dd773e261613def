"""Errors as problem+json (RFC 9457), with the stable code and Chinese and English messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.core.errors import XinyongError

PROBLEM = "application/problem+json"


def problem(exc: XinyongError, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://xinyong.invalid/problems/{exc.code}",
        "title": exc.spec.en,
        "status": exc.status,
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
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM)


async def xinyong_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, XinyongError)
    return problem(exc, request.url.path)


async def validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
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
    response = problem(err, request.url.path)
    response.status_code = exc.status_code
    return response
