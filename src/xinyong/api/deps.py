"""Request-scoped dependencies: one transaction per request, the clock, the actor, the profile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from xinyong.core import profile as profiles
from xinyong.core.actor import Actor
from xinyong.core.clock import SHANGHAI
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.users import service as users_service

bearer = HTTPBearer(auto_error=False, description="API token issued by an operator (`xinyong users token`)")


def get_db(request: Request) -> Iterator[Session]:
    """The session belongs to the request: commit on success, roll back on error, always close."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# get_now and get_profile are `async`: they never block (a clock; profiles parsed once and cached),
# so FastAPI runs them on the event loop instead of handing each to the thread pool.
async def get_now(request: Request) -> datetime:
    return request.app.state.clock()


# scope="function": commit before the response is sent, so a client never sees 201 for a change that
# then fails to commit, and its next request reads what it just wrote (the default, "request", commits
# only after the response has gone out).
DbSession = Annotated[Session, Depends(get_db, scope="function")]
Now = Annotated[datetime, Depends(get_now)]


def get_actor(
    db_session: DbSession,
    now: Now,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    return users_service.authenticate(
        db_session=db_session, now=now, token=credentials.credentials if credentials else None
    )


async def get_profile(
    jurisdiction: Annotated[str, Path(description="profile id, e.g. jiangsu", examples=["jiangsu"])],
) -> Profile:
    return profiles.get(jurisdiction)


# Row ids are INTEGER primary keys (int4 on PostgreSQL): a larger number is refused as a bad
# request rather than reaching the database driver.
DB_ID_MAX = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=DB_ID_MAX)]

CurrentActor = Annotated[Actor, Depends(get_actor)]
CurrentProfile = Annotated[Profile, Depends(get_profile)]


def aware(value: datetime | None, field: str) -> datetime | None:
    """A query-string instant must carry its UTC offset and stay inside the representable range."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise XinyongError(
            "invalid_date", field=field, detail="give a UTC offset, e.g. 2027-03-03T09:00:00+08:00"
        )
    try:
        value.astimezone(UTC), value.astimezone(SHANGHAI)
    except OverflowError:
        raise XinyongError("invalid_date", field=field, detail=value.isoformat()) from None
    return value
