"""Optimistic locking for cases that several officers may change at once (objections, listings).

A case row carries a `version` (SQLAlchemy's version_id_col): the second of two concurrent changes
fails at flush. Both helpers turn that into the stable `conflict` refusal, so the first change stands
and the other officer reloads.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xinyong.core.errors import XinyongError


def flush_or_conflict(db_session: Session, what: str) -> None:
    """Flush, turning a lost race into `conflict` (the other officer's change stands)."""
    try:
        db_session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise XinyongError("conflict", detail=f"the {what} changed while this was being decided") from exc
    except OperationalError as exc:  # SQLite: the other writer held the database past busy_timeout
        if "locked" in str(exc).lower():
            raise XinyongError("conflict", detail=f"the {what} is being changed by someone else") from exc
        raise


def check_version(seen: int | None, current: int, what: str) -> None:
    """Refuse a change made on a stale read: the caller saw `seen`, the row is at `current`."""
    if seen is not None and seen != current:
        raise XinyongError(
            "conflict", field="version", detail=f"you saw version {seen}, the {what} is at version {current}"
        )
