"""Credit report API: the subject's own report (JSON and HTML), and verification by number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now
from xinyong.core.actor import Actor, Role
from xinyong.core.errors import XinyongError
from xinyong.reports import html, service
from xinyong.reports.models import IssuedReport
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

router = APIRouter()

UTCInstant = Annotated[datetime, PlainSerializer(lambda v: v.astimezone(UTC), return_type=datetime)]
Number = Annotated[str, Field(max_length=60)]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str | None = Field(
        None, max_length=40, description="the subject's identifier; a subject's own login may omit it"
    )
    purpose: str | None = Field(None, max_length=500)


class ReportSummary(BaseModel):
    number: str
    jurisdiction: str
    issued_at: UTCInstant
    free: bool | None
    content_hash: str

    @classmethod
    def of(cls, r: IssuedReport) -> ReportSummary:
        return cls(
            number=r.number,
            jurisdiction=r.jurisdiction,
            issued_at=r.issued_at,
            free=r.free,
            content_hash=r.content_hash,
        )


class ReportRead(ReportSummary):
    content: dict[str, Any] = Field(
        description="the report exactly as hashed (format xinyong.credit-report/1)"
    )

    @classmethod
    def of(cls, r: IssuedReport) -> ReportRead:
        return cls(**ReportSummary.of(r).model_dump(), content=r.content)


class VerificationRead(BaseModel):
    number: str
    jurisdiction: str
    issued_at: UTCInstant
    subject: str = Field(description="identifier, masked for natural persons")
    subject_name: str
    content_hash: str = Field(description="SHA-256 of the canonical JSON content")
    intact: bool = Field(description="the stored content still has this hash")
    matches: bool | None = Field(description="the presented `hash` equals it (null: none presented)")


def _subject_for(db_session: DbSession, actor: Actor, identifier: str | None) -> Subject:
    if identifier is None:
        if actor.role is not Role.subject or actor.subject_id is None:
            raise XinyongError("missing_field", field="subject")
        subject = subjects_service.get(db_session=db_session, subject_id=actor.subject_id)
        if subject is None:
            raise XinyongError("unknown_subject", field="subject")
        return subject
    return subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)


def _in_profile(report: IssuedReport, jurisdiction: str, number: str) -> IssuedReport:
    if report.jurisdiction != jurisdiction:
        raise XinyongError("unknown_report", detail=number, field="number")
    return report


@router.post(
    "/reports",
    response_model=ReportRead,
    status_code=201,
    summary="Issue the subject's own credit report (信用报告)",
    responses=problems.AUTH,
)
def issue_report(
    body: ReportIn, db_session: DbSession, profile: CurrentProfile, now: Now, actor: CurrentActor
) -> ReportRead:
    """The subject (real-name login) or an operator at the counter issues the subject's report.

    Numbered, stored with its SHA-256; `free` follows the profile's yearly quota (Jilin 第三十四条,
    Henan 第四十条, Nanjing 第五十七条).
    """
    actor.require_jurisdiction(profile.id)
    subject = _subject_for(db_session, actor, body.subject)
    report = service.issue(
        db_session=db_session, profile=profile, now=now, actor=actor, subject=subject, purpose=body.purpose
    )
    return ReportRead.of(report)


@router.get(
    "/reports",
    response_model=list[ReportSummary],
    summary="The reports issued to a subject",
    responses=problems.AUTH,
)
def list_reports(
    db_session: DbSession,
    profile: CurrentProfile,
    actor: CurrentActor,
    subject: Annotated[str | None, Query(max_length=40)] = None,
) -> list[ReportSummary]:
    """The subject's own reports (or, for operators, any subject's), oldest first."""
    actor.require_jurisdiction(profile.id)
    who = _subject_for(db_session, actor, subject)
    service.check_may_read(actor, who)
    rows = service.of_subject(db_session=db_session, jurisdiction=profile.id, subject_id=who.id)
    return [ReportSummary.of(r) for r in rows]


@router.get(
    "/reports/{number}",
    response_model=VerificationRead,
    tags=["public"],
    summary="Verify a report by its number",
    responses=problems.PUBLIC,
)
def verify_report(
    number: Number,
    db_session: DbSession,
    profile: CurrentProfile,
    presented: Annotated[
        str | None, Query(alias="hash", max_length=64, description="SHA-256 of the copy you hold")
    ] = None,
) -> VerificationRead:
    """Anyone holding a report checks that the platform issued it and, with `hash`, that it is unaltered."""
    found = service.verify(db_session=db_session, number=number, presented_hash=presented)
    if found.jurisdiction != profile.id:
        raise XinyongError("unknown_report", detail=number, field="number")
    return VerificationRead(**found.__dict__)


@router.get(
    "/reports/{number}/content",
    response_model=ReportRead,
    summary="A report's full content (JSON)",
    responses=problems.AUTH,
)
def report_content(
    number: Number, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> ReportRead:
    """The report as issued, for its subject or an operator."""
    report = service.read(db_session=db_session, actor=actor, number=number)
    return ReportRead.of(_in_profile(report, profile.id, number))


@router.get(
    "/reports/{number}/html",
    response_class=HTMLResponse,
    summary="A report as a printable page (HTML)",
    responses=problems.AUTH,
)
def report_html(
    number: Number, db_session: DbSession, profile: CurrentProfile, actor: CurrentActor
) -> HTMLResponse:
    """The report as issued, as a Chinese HTML page, for its subject or an operator."""
    report = _in_profile(service.read(db_session=db_session, actor=actor, number=number), profile.id, number)
    return HTMLResponse(html.render(report.content, report.content_hash))
