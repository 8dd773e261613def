"""Group commit (checks/writer.py) on SQLite and PostgreSQL: concurrent checks stored together, each
answered only once its check row and its query-log entry are committed, the hash chain intact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import xinyong.measures.models  # noqa: F401  registers the table before `engine` creates the schema
from lists.helpers import World, at, profile
from xinyong.audit import service as audit
from xinyong.audit.models import AuditEntry
from xinyong.checks import service
from xinyong.checks.models import Check
from xinyong.checks.writer import GroupWriter
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.users import service as users_service

UNIT = "吉林省财政厅"


def test_concurrent_checks_are_stored_and_logged_once_each(session_factory: sessionmaker[Session]) -> None:
    w = World(session_factory, profile("jilin"))
    now = at("2026-11-03")
    subjects = [w.subject(at("2026-10-12")) for _ in range(4)]
    r = w.record(at("2026-10-12"), subjects[0], decided_on="2026-10-09")
    w.listed(at("2026-10-14"), subjects[0], [r], ground="health_safety")
    with transaction(session_factory) as db:
        users_service.get_or_create_org(db_session=db, now=now, name=UNIT)
    actor = Actor(username="u:unit", role=Role.government, organization=UNIT)
    writer = GroupWriter(session_factory)

    def one(k: int) -> tuple[int, int, bool]:
        sid = subjects[k % len(subjects)]
        with transaction(session_factory) as db:
            pending = service.evaluate_check(
                db_session=db, profile=w.profile, now=now, actor=actor, subject=sid, matter="fiscal_subsidy"
            )
        return sid, writer.store(pending), pending.outcome.restricted

    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(one, range(40)))
    ids = [check_id for _, check_id, _ in done]
    assert len(set(ids)) == 40
    assert {sid for sid, _, restricted in done if restricted} == {subjects[0]}
    with transaction(session_factory) as db:
        stored = dict(db.execute(select(Check.id, Check.subject_id).where(Check.id.in_(ids))).all())
        assert stored == {check_id: sid for sid, check_id, _ in done}  # each id is its own subject's check
        logged = db.execute(
            select(func.count()).where(
                AuditEntry.purpose == "check:fiscal_subsidy", AuditEntry.actor == "u:unit"
            )
        ).scalar_one()
        assert logged == 40
        assert audit.verify_chain(db_session=db, chain="jilin").ok
