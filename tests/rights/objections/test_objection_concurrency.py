"""Two officers deciding the same case at once cannot both win — on SQLite and PostgreSQL.

Each officer has their own session and thread, reads the case (as a screen would), waits until the
other has read it too, then acts on the version it was shown — as an API client sends it back.
Exactly one decision is stored; the other is refused with `conflict` and leaves nothing behind: one
decision event, one record event, one audit entry. The loser is refused with `conflict` whether its
write reached the database before the winner's commit (the version column at flush) or after it
(the stale version it sent), so the outcome does not depend on thread timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.models import AuditEntry
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.records.models import RecordEvent
from xinyong.rights.objections import service
from xinyong.rights.objections.models import ObjectionCase, ObjectionEvent

from .builders import World, at, operator, profile

Move = Callable[[Session, int], Any]  # (session, the version the officer saw)


def race(factory: sessionmaker[Session], case_id: int, moves: list[Move]) -> list[str]:
    """Run each move in its own session and thread, all starting from the same read of the case."""
    barrier = threading.Barrier(len(moves))
    results: list[str] = []
    lock = threading.Lock()

    def officer(move: Callable[[Session], Any]) -> None:
        session = factory()
        try:
            seen = session.get(ObjectionCase, case_id)  # what the officer's screen shows
            assert seen is not None
            barrier.wait(timeout=30)
            move(session, seen.version)
            session.commit()
            outcome = "won"
        except XinyongError as exc:
            session.rollback()
            outcome = exc.code
        except Exception as exc:  # surfaced in the assertion rather than lost in the thread
            session.rollback()
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            session.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=officer, args=(m,)) for m in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(results)


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("shenzhen"))


def test_two_officers_decide_the_same_case_at_once(world: World) -> None:
    w = world
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    now = at("2026-11-03")

    def decide(outcome: str) -> Move:
        return lambda s, v: service.resolve(
            db_session=s,
            profile=w.profile,
            now=now,
            actor=operator(),
            case_id=case_id,
            outcome=outcome,
            version=v,
        )

    assert race(w.factory, case_id, [decide("deleted"), decide("upheld")]) == ["conflict", "won"]
    with transaction(w.factory) as db:
        case = db.get(ObjectionCase, case_id)
        assert case is not None and case.state in ("deleted", "upheld")
        decided = db.scalars(
            select(ObjectionEvent).where(
                ObjectionEvent.objection_id == case_id, ObjectionEvent.kind == "decided"
            )
        ).all()
        assert len(decided) == 1 and decided[0].data["outcome"] == case.outcome
        kinds = db.scalars(
            select(RecordEvent.kind).where(RecordEvent.record_id == r1).order_by(RecordEvent.id)
        ).all()
        assert kinds == (
            ["objection", "deleted", "objection.end"]
            if case.state == "deleted"
            else ["objection", "objection.end"]
        )
        audits = db.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "objection.decided")
        )
        assert audits == 1


def test_forwarding_and_deciding_at_once(world: World) -> None:
    w = world
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    now = at("2026-11-03")
    moves: list[Move] = [
        lambda s, v: service.forward(
            db_session=s, profile=w.profile, now=now, actor=operator(), case_id=case_id, version=v
        ),
        lambda s, v: service.resolve(
            db_session=s,
            profile=w.profile,
            now=now,
            actor=operator(),
            case_id=case_id,
            outcome="corrected",
            version=v,
        ),
    ]
    assert race(w.factory, case_id, moves) == ["conflict", "won"]
    with transaction(w.factory) as db:
        events = db.scalars(
            select(ObjectionEvent.kind)
            .where(ObjectionEvent.objection_id == case_id)
            .order_by(ObjectionEvent.seq)
        ).all()
        assert len(events) == 2 and events[0] == "filed" and events[1] in ("forwarded", "decided")


@pytest.mark.parametrize("first", ["forward", "resolve"])
def test_a_move_on_a_version_another_officer_changed_is_a_conflict(world: World, first: str) -> None:
    """The slow officer's move arrives after the fast one's commit, carrying the version it was shown."""
    w = world
    c1 = w.subject(at("2026-11-02"))
    r1 = w.record(at("2026-11-02"), c1)
    case_id = w.file(at("2026-11-02"), r1, c1)
    now = at("2026-11-03")
    forward: Move = lambda s, v: service.forward(  # noqa: E731
        db_session=s, profile=w.profile, now=now, actor=operator(), case_id=case_id, version=v
    )
    resolve: Move = lambda s, v: service.resolve(  # noqa: E731
        db_session=s,
        profile=w.profile,
        now=now,
        actor=operator(),
        case_id=case_id,
        outcome="upheld",
        version=v,
    )
    fast, slow = (forward, resolve) if first == "forward" else (resolve, forward)
    with transaction(w.factory) as db:
        shown = db.get(ObjectionCase, case_id)
        assert shown is not None
        seen = shown.version
    with transaction(w.factory) as db:
        fast(db, seen)
    with pytest.raises(XinyongError) as refused, transaction(w.factory) as db:
        slow(db, seen)
    assert refused.value.code == "conflict"
    with transaction(w.factory) as db:
        kinds = db.scalars(
            select(ObjectionEvent.kind)
            .where(ObjectionEvent.objection_id == case_id)
            .order_by(ObjectionEvent.seq)
        ).all()
        assert kinds == ["filed", "forwarded" if first == "forward" else "decided"]
