"""Two officers deciding the same listing at once cannot both win — on SQLite and PostgreSQL.

Each officer has their own session and thread, reads the listing, waits for the other, then
decides. Exactly one decision is stored; the other is refused and leaves nothing: one `decided`
event, one audit entry, one decision notice. The loser's code depends on when its write reaches
the database: `conflict` when it acted on the version it had read (the optimistic lock caught it),
`wrong_stage` when SQLite serialised it after the winner's commit and it read the new state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.models import AuditEntry
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.lists import service
from xinyong.lists.models import Listing, ListingEvent
from xinyong.notices.models import Notice

from .helpers import World, at, operator, profile


def race(factory: sessionmaker[Session], listing_id: int, moves: list[Callable[[Session], Any]]) -> list[str]:
    barrier = threading.Barrier(len(moves))
    results: list[str] = []
    lock = threading.Lock()

    def officer(move: Callable[[Session], Any]) -> None:
        session = factory()
        try:
            session.get(Listing, listing_id)
            barrier.wait(timeout=30)
            move(session)
            session.commit()
            outcome = "won"
        except XinyongError as exc:
            session.rollback()
            outcome = exc.code
        except Exception as exc:
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


LOSER = {"conflict", "wrong_stage"}


def one_won(results: list[str]) -> bool:
    return len(results) == 2 and results.count("won") == 1 and (set(results) - {"won"}) <= LOSER


def test_two_officers_decide_the_same_listing_at_once(session_factory: sessionmaker[Session]) -> None:
    w = World(session_factory, profile("henan"))
    c = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    lid = w.propose(at("2026-04-02"), c, [r], ground="health_safety")
    w.notify(at("2026-04-03"), lid)
    now = at("2026-04-20")
    p = w.profile

    def decide(valid_until: Any) -> Callable[[Session], Any]:
        return lambda s: service.decide(
            db_session=s, profile=p, now=now, actor=operator(), listing_id=lid, valid_until=valid_until
        )

    from datetime import date

    results = race(w.factory, lid, [decide(date(2027, 4, 19)), decide(None)])
    assert one_won(results), results
    with transaction(w.factory) as db:
        decided = db.scalars(
            select(ListingEvent).where(ListingEvent.listing_id == lid, ListingEvent.kind == "decided")
        ).all()
        assert len(decided) == 1
        listing = db.get(Listing, lid)
        assert listing is not None and listing.state == "listed"
        assert decided[0].data["valid_until"] == (
            listing.valid_until.isoformat() if listing.valid_until else None
        )
        assert (
            db.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "listing.decided")
            )
            == 1
        )
        assert (
            db.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "listing.decided")) == 1
        )
    # and afterwards a second decision is a stage error, not a second listing
    try:
        w.decide(at("2026-04-21"), lid)
    except XinyongError as exc:
        assert exc.code == "wrong_stage"
    else:  # pragma: no cover
        raise AssertionError("decided twice")


def test_removing_and_removing_again_at_once(session_factory: sessionmaker[Session]) -> None:
    w = World(session_factory, profile("henan"))
    c = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    lid = w.listed(at("2026-04-20"), c, [r], ground="health_safety")
    now = at("2026-06-01")
    p = w.profile
    moves: list[Callable[[Session], Any]] = [
        lambda s: service.remove(
            db_session=s, profile=p, now=now, actor=operator(), listing_id=lid, reason="repair"
        ),
        lambda s: service.remove(
            db_session=s, profile=p, now=now, actor=operator(), listing_id=lid, reason="court"
        ),
    ]
    results = race(w.factory, lid, moves)
    assert one_won(results), results
    with transaction(w.factory) as db:
        n = db.scalar(
            select(func.count())
            .select_from(ListingEvent)
            .where(ListingEvent.listing_id == lid, ListingEvent.kind == "removed")
        )
        assert n == 1
