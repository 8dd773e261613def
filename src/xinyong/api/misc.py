"""Small routers without a feature folder of their own: profiles, calendar, audit, users."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.api import problems
from xinyong.api.deps import CurrentActor, CurrentProfile, DbSession, Now, aware
from xinyong.audit import review as query_review
from xinyong.audit import service as audit
from xinyong.calendar import service as calendar_service
from xinyong.core import profile as profiles
from xinyong.core.actor import Role
from xinyong.core.clock import start_of_day
from xinyong.core.errors import XinyongError
from xinyong.subjects import service as subjects_service
from xinyong.users import service as users_service

profiles_router = APIRouter(tags=["profiles"])
calendar_router = APIRouter(tags=["calendar"])
audit_router = APIRouter(tags=["query log"])
users_router = APIRouter(tags=["users"])


# --------------------------------------------------------------------------- profiles


class ProfileSummary(BaseModel):
    id: str
    title: str
    status: str
    in_force_from: date | None
    platform: str
    items: int


@profiles_router.get("/profiles", response_model=list[ProfileSummary], summary="The jurisdiction profiles")
def list_profiles() -> list[ProfileSummary]:
    """The jurisdiction profiles this platform serves."""
    return [
        ProfileSummary(
            id=p.id,
            title=p.meta.title,
            status=p.meta.status,
            in_force_from=p.meta.in_force_from,
            platform=p.meta.platform,
            items=len(p.catalog.items),
        )
        for p in profiles.all_profiles().values()
    ]


@profiles_router.get(
    "/profiles/{jurisdiction}",
    response_model=dict[str, Any],
    summary="One profile, with its citations",
    responses=problems.PUBLIC,
)
def show_profile(profile: CurrentProfile) -> dict[str, Any]:
    """One profile with every value and the article it comes from."""
    return profile.model_dump(mode="json", by_alias=True)


# --------------------------------------------------------------------------- calendar


class DayRead(BaseModel):
    day: date
    is_workday: bool
    note: str | None
    source: str


class YearRead(BaseModel):
    year: int
    known: bool = Field(description="false: deadlines in this year are provisional (Monday–Friday)")
    source: str | None
    days: list[DayRead]


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    years: list[int]
    holidays: list[date] = []
    workdays: list[date] = Field(default_factory=list, description="adjusted working days (调休上班)")
    source: str = Field(description="the State Council notice this comes from")


# the years a schedule can be loaded for (calendar.service.load_schedule)
Year = Annotated[int, Path(ge=1, le=9998)]


@calendar_router.get(
    "/calendar/{year}",
    response_model=YearRead,
    summary="A year's working-day schedule",
    responses=problems.PUBLIC,
)
def get_year(year: Year, db_session: DbSession) -> YearRead:
    """Holidays and adjusted working days of a year, and whether the year's schedule is known."""
    view = calendar_service.describe_year(db_session=db_session, year=year)
    return YearRead(
        year=view.year,
        known=view.known,
        source=view.source,
        days=[DayRead(day=d.day, is_workday=d.is_workday, note=d.note, source=d.source) for d in view.days],
    )


@calendar_router.post(
    "/calendar",
    response_model=list[YearRead],
    status_code=201,
    summary="Load a year's schedule (operators)",
    responses=problems.AUTH,
)
def load_year(body: ScheduleIn, db_session: DbSession, now: Now, actor: CurrentActor) -> list[YearRead]:
    """Load a year's schedule (operators). Provisional deadlines in that year become exact."""
    actor.require(Role.operator)
    years = calendar_service.load_schedule(
        db_session=db_session,
        holidays=body.holidays,
        workdays=body.workdays,
        years=body.years,
        source=body.source,
        now=now,
    )
    return [get_year(y, db_session) for y in years]


# --------------------------------------------------------------------------- audit


class QueryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    at: datetime
    actor: str
    actor_org: str | None
    channel: str | None
    purpose: str | None
    authorization_id: str | None
    record_ids: list[str]


class VerifyRead(BaseModel):
    chain: str
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None


@audit_router.get(
    "/{jurisdiction}/subjects/{identifier}/queries",
    response_model=list[QueryRead],
    summary="Who queried a subject (知情权)",
    responses=problems.AUTH,
)
def who_queried(
    identifier: str,
    db_session: DbSession,
    profile: CurrentProfile,
    actor: CurrentActor,
    since: Annotated[datetime | None, Query(description="with a UTC offset")] = None,
) -> list[QueryRead]:
    """Who looked at this subject's information, when, through which channel and why (知情权).

    Non-public reads only, newest first; the subject itself or an operator.
    """
    actor.require_jurisdiction(profile.id)
    since = aware(since, "since")
    subject = subjects_service.get_by_identifier_or_raise(db_session=db_session, identifier=identifier)
    if not (actor.role is Role.operator or (actor.role is Role.subject and actor.subject_id == subject.id)):
        raise XinyongError("not_allowed", detail="only the subject itself or an operator")
    rows = audit.queries_of_subject(
        db_session=db_session, chain=profile.id, subject_id=subject.identifier, since=since
    )
    return [QueryRead.model_validate(r) for r in rows]


@audit_router.get(
    "/audit/verify",
    response_model=list[VerifyRead],
    summary="Verify the audit hash chains (operators)",
    responses=problems.responses(401, 403),
)
def verify(db_session: DbSession, actor: CurrentActor) -> list[VerifyRead]:
    """Verify every hash chain; names the first bad entry of a broken one (operators)."""
    actor.require(Role.operator)
    return [
        VerifyRead(chain=c, ok=r.ok, checked=r.checked, first_bad_seq=r.first_bad_seq, reason=r.reason)
        for c, r in audit.verify_all(db_session=db_session).items()
    ]


class QuerierDayRead(BaseModel):
    unit: str = Field(description="the querier's organisation, or the user where it has none")
    channel: str
    day: date = Field(description="local day")
    queries: int
    subjects: int = Field(description="distinct subjects looked at")
    users: list[str]
    off_hours: int = Field(description="look-ups outside working hours")
    flags: list[str] = Field(description="volume, breadth, off_hours")


class ReviewRead(BaseModel):
    jurisdiction: str
    since: date
    until: date
    required_by: str | None = Field(
        description="the article requiring the review; null where the text sets none"
    )
    lines: list[QuerierDayRead]


@audit_router.get(
    "/{jurisdiction}/audit/review",
    response_model=ReviewRead,
    summary="Review the query traffic of a period (查询检查, operators)",
    responses=problems.AUTH,
)
def review_queries(
    db_session: DbSession,
    profile: CurrentProfile,
    actor: CurrentActor,
    since: Annotated[date, Query(description="first local day")],
    until: Annotated[date, Query(description="last local day")],
    channel: Annotated[list[str] | None, Query(description="only these channels, e.g. authorized")] = None,
    max_queries: Annotated[int, Query(ge=1, le=10_000_000, description="look-ups per querier per day")] = (
        query_review.QUERIES_PER_DAY
    ),
    max_subjects: Annotated[int, Query(ge=1, le=10_000_000, description="subjects per querier per day")] = (
        query_review.SUBJECTS_PER_DAY
    ),
) -> ReviewRead:
    """Look-ups per querier, channel and local day in [since, until], each flagged `volume`, `breadth`
    or `off_hours` against the operator's thresholds (Shenzhen 第四十三条第四项、第五项; Nanjing
    第五十二条第二项 查询流量异常管控). Flagged lines first. Operators of the jurisdiction only."""
    actor.require(Role.operator)
    actor.require_jurisdiction(profile.id)
    if until < since:
        raise XinyongError("invalid_field", field="until", detail=f"{until} is before {since}")
    zone = ZoneInfo(profile.meta.timezone)
    try:  # the days' bounds as instants; the first and last representable days have none
        start, end = start_of_day(since, zone), start_of_day(until + timedelta(days=1), zone)
        start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:
        raise XinyongError("invalid_date", field="since", detail=f"{since} – {until}") from None
    lines = query_review.review(
        db_session=db_session,
        chain=profile.id,
        zone=zone,
        since=start,
        until=end,
        limits=query_review.Limits(queries_per_day=max_queries, subjects_per_day=max_subjects),
        channels=channel,
    )
    rule = profile.query_log.review
    return ReviewRead(
        jurisdiction=profile.id,
        since=since,
        until=until,
        required_by=rule.cite if rule else None,
        lines=[QuerierDayRead(**q.summary()) for q in lines],
    )


# --------------------------------------------------------------------------- users


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    role: Role
    display_name: str | None = None
    organization: str | None = Field(None, description="unit name for provider, government and agency users")
    subject: str | None = Field(None, description="identifier of the subject a `subject` user is")
    jurisdiction: str | None = None


class UserCreated(BaseModel):
    username: str
    role: str
    token: str = Field(description="shown once; store it safely")


@users_router.post(
    "/users",
    response_model=UserCreated,
    status_code=201,
    summary="Create a user (operators)",
    responses=problems.AUTH,
)
def create_user(body: UserIn, db_session: DbSession, now: Now, actor: CurrentActor) -> UserCreated:
    """Create a user with a role and issue its first API token (operators)."""
    actor.require(Role.operator)
    if body.jurisdiction is not None:
        profiles.get(body.jurisdiction)
    subject_id = None
    if body.subject:
        subject_id = subjects_service.get_by_identifier_or_raise(
            db_session=db_session, identifier=body.subject
        ).id
    user = users_service.create_user(
        db_session=db_session,
        now=now,
        username=body.username,
        role=body.role,
        display_name=body.display_name,
        organization=body.organization,
        subject_id=subject_id,
        jurisdiction=body.jurisdiction,
    )
    token = users_service.issue_token(db_session=db_session, now=now, user=user, label="created by API")
    return UserCreated(username=user.username, role=user.role, token=token)


class MeRead(BaseModel):
    username: str
    role: str
    organization: str | None
    jurisdiction: str | None


@users_router.get(
    "/me", response_model=MeRead, summary="Who the token belongs to", responses=problems.responses(401)
)
def me(actor: CurrentActor) -> MeRead:
    """Who the token belongs to."""
    return MeRead(
        username=actor.username,
        role=actor.role.value,
        organization=actor.organization,
        jurisdiction=actor.jurisdiction,
    )
