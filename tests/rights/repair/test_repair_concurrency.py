"""Two officers deciding one repair case at once: one wins, the other gets `conflict`, nothing of the
loser is saved. Real concurrent sessions on SQLite (WAL) and PostgreSQL, not a simulation.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from repair_helpers import SZ_COMPANY, SZ_SAMR, submit
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import at, operator, provider, subject_actor
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.records.models import RecordEvent
from xinyong.rights.repair import service
from xinyong.rights.repair.models import RepairCase, RepairEvent

SHENZHEN = profiles.get("shenzhen")
Factory = sessionmaker[Session]


def _case(sf: Factory) -> int:
    rid, sid = submit(
        sf,
        SHENZHEN,
        date(2026, 3, 2),
        subject_id=SZ_COMPANY,
        provider=SZ_SAMR,
        document="深市监罚〔2026〕101号",
    )
    with transaction(sf) as db:
        return service.apply(
            db_session=db,
            profile=SHENZHEN,
            now=at(date(2026, 9, 3)),
            actor=subject_actor(sid),
            record_id=rid,
            measures=["commitment_letter"],
        ).id


def test_two_officers_deciding_at_once_cannot_both_win(session_factory: Factory) -> None:
    """Officer A approves and has not committed yet; officer B, who read the same open case, denies.
    B waits for A's transaction and then gets `conflict`; the case keeps A's decision alone."""
    case_id = _case(session_factory)
    now = at(date(2026, 9, 4))
    a = session_factory()
    b = session_factory()
    outcome: dict[str, object] = {}
    try:
        # both officers have the open case in front of them
        assert a.get(RepairCase, case_id).state == b.get(RepairCase, case_id).state == "received"
        service.decide(
            db_session=a,
            profile=SHENZHEN,
            now=now,
            actor=provider(SZ_SAMR),
            case_id=case_id,
            outcome="approved",
        )

        def officer_b() -> None:
            try:
                service.decide(
                    db_session=b,
                    profile=SHENZHEN,
                    now=now,
                    actor=operator(),
                    case_id=case_id,
                    outcome="denied",
                )
                b.commit()
                outcome["b"] = "won"
            except XinyongError as exc:
                b.rollback()
                outcome["b"] = exc.code

        thread = threading.Thread(target=officer_b)
        thread.start()
        time.sleep(0.5)  # B is now blocked on A's row (PostgreSQL) or on the write lock (SQLite)
        a.commit()
        thread.join(timeout=30)
        assert not thread.is_alive()
    finally:
        a.close()
        b.close()
    assert outcome["b"] == "conflict"
    with transaction(session_factory) as db:
        case = db.get(RepairCase, case_id)
        assert (case.state, case.version, case.decided_by) == ("approved", 2, SZ_SAMR)
        kinds = [e.kind for e in db.scalars(select(RepairEvent).where(RepairEvent.case_id == case_id))]
        assert kinds == ["filed", "decided"]
        assert [e.kind for e in db.scalars(select(RecordEvent))] == ["repaired"]


def test_a_decision_after_the_other_committed_reads_closed(session_factory: Factory) -> None:
    """Not at once: the second officer, reading after the first committed, gets `case_closed`."""
    case_id = _case(session_factory)
    now = at(date(2026, 9, 4))
    with transaction(session_factory) as db:
        service.decide(
            db_session=db, profile=SHENZHEN, now=now, actor=operator(), case_id=case_id, outcome="denied"
        )
    with transaction(session_factory) as db:
        try:
            service.decide(
                db_session=db,
                profile=SHENZHEN,
                now=now,
                actor=operator(),
                case_id=case_id,
                outcome="approved",
            )
        except XinyongError as exc:
            assert exc.code == "case_closed"
        else:  # pragma: no cover
            raise AssertionError("a closed case was decided twice")


def test_stale_read_in_one_session_gets_conflict(session_factory: Factory) -> None:
    """B read version 1, A committed version 2 meanwhile: B's change matches no row (`conflict`)."""
    case_id = _case(session_factory)
    now = at(date(2026, 9, 4))
    b = session_factory()
    try:
        stale = b.get(RepairCase, case_id)  # loaded at version 1, held in B's identity map
        assert stale is not None and stale.version == 1
        with transaction(session_factory) as a:
            service.decide(
                db_session=a, profile=SHENZHEN, now=now, actor=operator(), case_id=case_id, outcome="approved"
            )
        try:
            service.decide(
                db_session=b, profile=SHENZHEN, now=now, actor=operator(), case_id=case_id, outcome="denied"
            )
        except XinyongError as exc:
            assert exc.code == "conflict"
            b.rollback()
        else:  # pragma: no cover
            raise AssertionError("a stale decision won")
    finally:
        b.close()
