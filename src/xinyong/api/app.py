"""The FastAPI application: every feature's router mounted in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.api import problems
from xinyong.api.misc import audit_router, calendar_router, profiles_router, users_router
from xinyong.authorizations.router import router as authorizations_router
from xinyong.catalog.router import router as catalog_router
from xinyong.checks.router import router as checks_router
from xinyong.commitments.router import router as commitments_router
from xinyong.core.clock import Clock, system_clock
from xinyong.core.db import make_engine, session_factory
from xinyong.core.errors import XinyongError
from xinyong.lists.router import router as lists_router
from xinyong.notices.router import router as notices_router
from xinyong.queues.router import router as queue_router
from xinyong.records.router import router as records_router
from xinyong.reports.router import router as reports_router
from xinyong.rights.marks.router import router as marks_router
from xinyong.rights.objections.router import router as objections_router
from xinyong.rights.repair.router import router as repair_router
from xinyong.subjects.router import router as subjects_router

PREFIX = "/api/v1"
J = PREFIX + "/{jurisdiction}"


def _operation_id(route: APIRoute) -> str:
    return route.name  # handler names are unique: `submit_record`, `public_archive`, ...


def create_app(engine: Engine | None = None, clock: Clock = system_clock) -> FastAPI:
    app = FastAPI(
        title="xinyong 信用 — 公共信用信息平台 API",
        version="0.1.0",
        description=(
            "Public credit information platform driven by jurisdiction profiles. Errors are "
            "problem+json (RFC 9457) with a stable `code` and `message_zh`/`message_en`. "
            "Authenticate with `Authorization: Bearer <token>`."
        ),
        generate_unique_id_function=_operation_id,
    )
    app.state.engine = engine or make_engine()
    app.state.session_factory = session_factory(app.state.engine)
    app.state.clock = clock
    app.add_exception_handler(XinyongError, problems.xinyong_handler)
    app.add_exception_handler(RequestValidationError, problems.validation_handler)
    app.add_exception_handler(StarletteHTTPException, problems.http_handler)
    app.include_router(profiles_router, prefix=PREFIX)
    app.include_router(calendar_router, prefix=PREFIX)
    app.include_router(users_router, prefix=PREFIX)
    app.include_router(audit_router, prefix=PREFIX)
    app.include_router(subjects_router, prefix=PREFIX, tags=["subjects"])
    app.include_router(catalog_router, prefix=J, tags=["catalog"])
    app.include_router(records_router, prefix=J, tags=["records"])
    app.include_router(authorizations_router, prefix=J, tags=["authorizations"])
    app.include_router(notices_router, prefix=J, tags=["notices"])
    app.include_router(queue_router, prefix=J, tags=["queues"])
    app.include_router(reports_router, prefix=J, tags=["reports"])
    app.include_router(objections_router, prefix=J, tags=["objections"])
    app.include_router(repair_router, prefix=J, tags=["repair"])
    app.include_router(marks_router, prefix=J, tags=["marks"])
    app.include_router(lists_router, prefix=J, tags=["lists"])
    app.include_router(commitments_router, prefix=J, tags=["commitments"])
    app.include_router(checks_router, prefix=J, tags=["checks"])

    def openapi() -> dict[str, Any]:
        # the routes' problem+json responses refer to `Problem`, which no route returns as a model
        if app.openapi_schema is None:
            app.openapi_schema = problems.add_schemas(
                get_openapi(
                    title=app.title, version=app.version, description=app.description, routes=app.routes
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False)
    def root() -> dict[str, str]:
        return {"name": "xinyong", "docs": "/docs", "openapi": "/openapi.json", "api": PREFIX}

    return app
