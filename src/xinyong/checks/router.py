"""Automatic check API: one subject, a streamed batch, feedback, statistics; the measures in force."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, RowId
from xinyong.checks import service
from xinyong.checks.writer import writer_for
from xinyong.core.actor import Role
from xinyong.core.clock import local_date
from xinyong.measures import loader

try:  # faster and byte-for-byte the same JSON (UTF-8, no spaces); optional
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

except ImportError:  # pragma: no cover - depends on the environment

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class JSONBytes(Response):
    """A JSON response serialized once (FastAPI's default encodes, then serializes again)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


router = APIRouter()

SubjectRef = Annotated[
    str | int,
    Field(
        description="the subject's identifier (统一社会信用代码, 公民身份号码 …) or its row id (an integer)"
    ),
]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: SubjectRef
    matter: str = Field(description="SCENARIOS.md matter, e.g. government_procurement", max_length=40)
    unit: str | None = Field(None, max_length=200, description="implementing unit; a government user's own")


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjects: list[Annotated[str | int, Field()]] = Field(description=f"at most {service.BATCH_MAX}")
    matter: str = Field(max_length=40)
    unit: str | None = Field(None, max_length=200)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measure: str = Field(max_length=40)
    applied: bool
    reason: str | None = Field(
        None, max_length=4000, description="required when not applied, where the law says"
    )


class FeedbackOut(BaseModel):
    id: int
    check_id: int
    measure: str
    applied: bool
    reason: str | None
    unit: str
    at: str


class LoadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(
        description="the local list as TOML (schema: docs/measures-and-check.md)", max_length=2_000_000
    )
    source: str = Field("api", max_length=300)


@router.post(
    "/check",
    summary="Check one subject for a matter (自动比对)",
    responses={**problems.AUTH, 200: {"content": {"application/json": {}}}},
    response_class=JSONBytes,
)
def check_one(
    body: CheckIn,
    request: Request,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> Response:
    """The measures of the published lists that apply to the subject for the matter, each with its
    legal basis and the listings or records that trigger it; `restricted` / `incentive` say whether any
    sanction / incentive applies. `guarded` names measures a guard stopped, with the article.
    Answered once the check and its query-log entry are committed (group commit, checks/writer.py)."""
    pending = service.evaluate_check(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=body.subject,
        matter=body.matter,
        unit=body.unit,
    )
    db_session.commit()  # reads only: give the connection back before waiting for the writer
    check_id = writer_for(request.app.state).store(pending)
    return JSONBytes(pending.result(check_id).as_dict())


@router.post(
    "/check/batch",
    summary="Check many subjects (streamed NDJSON, one line per subject)",
    responses={**problems.responses(401, 403, 404, 413, 422), 200: {"content": {"application/x-ndjson": {}}}},
)
def check_batch(
    body: BatchIn, request: Request, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> StreamingResponse:
    """Up to 100,000 subjects per call. Lines come in the order given: `{n, subject, check_id,
    restricted, incentive, measures}` or `{n, subject, error}`. Results are committed chunk by chunk."""
    session = request.app.state.session_factory()
    try:
        lines = service.check_batch(
            db_session=session,
            profile=profile,
            now=now,
            actor=actor,
            subjects=body.subjects,
            matter=body.matter,
            unit=body.unit,
            on_chunk=session.commit,
        )
    except BaseException:
        session.rollback()
        session.close()
        raise

    def stream() -> Iterator[bytes]:
        try:
            buf: list[bytes] = []
            for line in lines:
                buf.append(dumps(line))
                if len(buf) >= 500:
                    buf.append(b"")
                    yield b"\n".join(buf)
                    buf = []
            if buf:
                buf.append(b"")
                yield b"\n".join(buf)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    return StreamingResponse(stream(), media_type="application/x-ndjson")


@router.post(
    "/checks/{check_id}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="Feed back whether a measure was applied (自动反馈)",
    responses=problems.AUTH_CONFLICT,
)
def check_feedback(
    check_id: RowId,
    body: FeedbackIn,
    db_session: DbSession,
    profile: CurrentProfile,
    now: Now,
    actor: CurrentActor,
) -> FeedbackOut:
    """A measure not applied needs a written reason where the profile says so (Nanjing 第三十四条)."""
    row = service.feedback(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        check_id=check_id,
        measure=body.measure,
        applied=body.applied,
        reason=body.reason,
    )
    return FeedbackOut(
        id=row.id,
        check_id=row.check_id,
        measure=row.measure,
        applied=row.applied,
        reason=row.reason,
        unit=row.unit,
        at=row.at.isoformat(),
    )


@router.get(
    "/checks/statistics", summary="Per-measure implementation counts for publication", responses=problems.AUTH
)
def check_statistics(
    db_session: DbSession,
    profile: CurrentProfile,
    actor: CurrentActor,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> dict[str, Any]:
    """Checks made from `from` to `to` (local days, inclusive): per measure returned, applied, not applied
    (with reasons) and without feedback — the periodic report of Nanjing 第三十四条第二款."""
    actor.require(Role.operator, Role.government)
    actor.require_jurisdiction(profile.id)
    return service.statistics(db_session=db_session, profile=profile, start=start, end=end)


@router.get(
    "/measures", summary="The measures lists in force, each entry with its article", responses=problems.PUBLIC
)
def measures_in_force(db_session: DbSession, profile: CurrentProfile, now: Now) -> dict[str, Any]:
    """Published lists (public by law: Jiangsu 第四十五条, Nanjing 第三十三条, Henan 第二十九条)."""
    day = local_date(now)
    ms = loader.measure_set(db_session=db_session, profile=profile, day=day)
    return {
        "jurisdiction": profile.id,
        "day": day.isoformat(),
        "lists": [
            {"id": i, "layer": layer, "version": v, "effective_from": eff.isoformat()}
            for i, layer, v, eff in ms.lists
        ],
        "guards": ms.guards.model_dump(exclude_none=True),
        "measures": [
            {
                "code": code,
                "list": lm.list_id,
                "version": lm.version,
                "in_force": lm.in_force(day),
                **lm.measure.model_dump(mode="json", exclude_none=True),
            }
            for code, lm in ms.measures.items()
        ],
    }


@router.post(
    "/measures/lists",
    status_code=201,
    summary="Load a local measures list (operators)",
    responses=problems.AUTH_CONFLICT,
)
def load_measures(
    body: LoadIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> dict[str, Any]:
    """Operators load a local supplementary measures list, versioned with its effective date."""
    row = loader.load(
        db_session=db_session, profile=profile, now=now, actor=actor, text=body.text, source=body.source
    )
    return {
        "id": row.id,
        "list": row.list_id,
        "version": row.version,
        "effective_from": row.effective_from.isoformat(),
        "digest": row.digest,
        "codes": row.summary.get("codes", []),
    }
