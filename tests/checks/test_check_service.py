"""The check service on SQLite and PostgreSQL: listings and records made through the real services."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import xinyong.measures.models  # noqa: F401  registers the table before `engine` creates the schema
from lists.helpers import World, at, profile
from xinyong.audit.models import AuditEntry
from xinyong.checks import service
from xinyong.checks.models import Check, CheckBatch
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.subjects.models import Subject
from xinyong.users import service as users_service

UNIT = "吉林省财政厅"


def unit_actor(name: str = UNIT) -> Actor:
    return Actor(username=f"u:{name}", role=Role.government, organization=name)


def run_check(
    world: World, now: datetime, subject: str | int, matter: str, **kw: object
) -> service.CheckResult:
    with transaction(world.factory) as db:
        users_service.get_or_create_org(db_session=db, now=now, name=UNIT)
        return service.check(
            db_session=db,
            profile=world.profile,
            now=now,
            actor=unit_actor(),
            subject=subject,
            matter=matter,
            **kw,
        )


@pytest.fixture
def jilin(session_factory: sessionmaker[Session]) -> World:
    return World(session_factory, profile("jilin"))


def test_jilin_27_listed_subject_restricted_and_logged(jilin: World) -> None:
    """Jilin 第二十七条第一款第八项; every check is a government look-up written to the query log."""
    c1 = jilin.subject(at("2026-10-12"))
    r1 = jilin.record(at("2026-10-12"), c1, decided_on="2026-10-09")
    listing = jilin.listed(at("2026-10-14"), c1, [r1], ground="health_safety")
    result = run_check(jilin, at("2026-11-03"), c1, "government_procurement")
    assert result.restricted and not result.incentive
    hit = next(a for a in result.outcome.measures if a.code == "JL27-08")
    assert hit.triggers[0].listing_id == listing and hit.triggers[0].record_ids == (r1,)
    with transaction(jilin.factory) as db:
        row = db.get(Check, result.check_id)
        assert row is not None and row.unit == UNIT and "JL27-08" in {m["code"] for m in row.measures}
        entry = db.scalars(select(AuditEntry).where(AuditEntry.kind == "query")).all()[-1]
        assert (entry.channel, entry.purpose, entry.actor_org) == (
            "government",
            "check:government_procurement",
            UNIT,
        )
        assert entry.record_ids == [str(r1)]


def test_removed_listing_no_longer_restricts(jilin: World) -> None:
    """Jilin 第二十七条: only active listings trigger (after removal the subject is checked clean)."""
    c1 = jilin.subject(at("2026-10-12"))
    r1 = jilin.record(at("2026-10-12"), c1, decided_on="2026-10-09")
    listing = jilin.listed(at("2026-10-14"), c1, [r1], ground="health_safety")
    jilin.remove(at("2026-11-10"), listing, reason="repair")
    result = run_check(jilin, at("2026-11-11"), c1, "government_procurement")
    assert "JL27-08" not in {a.code for a in result.outcome.measures}


def test_unknown_subject_matter_unit(jilin: World) -> None:
    now = at("2026-11-03")
    c1 = jilin.subject(now)
    with pytest.raises(XinyongError) as err:
        run_check(jilin, now, "91220101MA14XK7Q0T", "government_procurement")
    assert err.value.code == "unknown_subject"
    with pytest.raises(XinyongError) as err:
        run_check(jilin, now, c1, "tendering")
    assert err.value.code == "unknown_matter"
    with transaction(jilin.factory) as db, pytest.raises(XinyongError) as err:
        op = Actor(username="op", role=Role.operator, organization="公共信用信息工作机构")
        service.check(
            db_session=db,
            profile=jilin.profile,
            now=now,
            actor=op,
            subject=c1,
            matter="honors",
            unit="无此单位",
        )
    assert err.value.code == "unknown_unit"


def _with_utility_item(p: Profile) -> Profile:
    items = dict(p.catalog.items)
    items["utility_arrears"] = items["judgment_default"].model_copy(update={"cite": "test"})
    return p.model_copy(update={"catalog": p.catalog.model_copy(update={"items": items})})


def test_henan_27_unconfirmed_utility_arrears_never_ground_a_measure(
    session_factory: sessionmaker[Session],
) -> None:
    """Henan 第二十七条第二款: unconfirmed utility arrears are no basis; confirmed ones are."""
    world = World(session_factory, _with_utility_item(profile("henan")))
    now = at("2026-09-01")
    a = world.subject(now)
    b = world.subject(now)
    world.record(now, a, item="utility_arrears", data={"amount": "1200"})
    world.record(now, b, item="utility_arrears", data={"confirmed": True})
    with transaction(world.factory) as db:
        users_service.get_or_create_org(db_session=db, now=now, name=UNIT)
        results = {
            s: service.check(
                db_session=db,
                profile=world.profile,
                now=now,
                actor=unit_actor(),
                subject=s,
                matter="inspection",
            )
            for s in (a, b)
        }
    assert not results[a].restricted
    assert {m.code for m in results[b].outcome.measures} == {"HN32-05"}


def test_batch_streams_one_line_per_subject_and_logs_each(jilin: World) -> None:
    """Jiangsu 第四十八条 / Nanjing 第三十四条 自动比对 in bulk: lines in order, errors per line."""
    now = at("2026-11-03")
    c1 = jilin.subject(at("2026-10-12"))
    r1 = jilin.record(at("2026-10-12"), c1, decided_on="2026-10-09")
    jilin.listed(at("2026-10-14"), c1, [r1], ground="health_safety")
    c2 = jilin.subject(now)
    with transaction(jilin.factory) as db:
        users_service.get_or_create_org(db_session=db, now=now, name=UNIT)
        ident = {sid: db.get(Subject, sid).identifier for sid in (c1, c2)}  # type: ignore[union-attr]
    with transaction(jilin.factory) as db:
        lines = list(
            service.check_batch(
                db_session=db,
                profile=jilin.profile,
                now=now,
                actor=unit_actor(),
                subjects=[ident[c1], "91220101MA14XK7Q0T", ident[c2], c1],
                matter="government_procurement",
                on_chunk=db.flush,
            )
        )
    assert [line["n"] for line in lines] == [1, 2, 3, 4]
    assert lines[0]["restricted"] and lines[0]["check_id"] is not None
    assert lines[1]["error"]["code"] == "unknown_subject"
    assert not lines[2]["restricted"] and lines[2]["check_id"] is None
    with transaction(jilin.factory) as db:
        batch = db.scalars(select(CheckBatch)).one()
        assert (batch.total, batch.restricted, batch.errors) == (4, 2, 1)
        logged = db.scalars(
            select(AuditEntry.subject_id).where(AuditEntry.purpose == "check:government_procurement")
        )
        assert sorted(logged) == sorted([ident[c1], ident[c2]])


def test_batch_too_large(jilin: World) -> None:
    with transaction(jilin.factory) as db, pytest.raises(XinyongError) as err:
        users_service.get_or_create_org(db_session=db, now=at("2026-11-03"), name=UNIT)
        service.check_batch(
            db_session=db,
            profile=jilin.profile,
            now=at("2026-11-03"),
            actor=unit_actor(),
            subjects=["x"] * (service.BATCH_MAX + 1),
            matter="honors",
        )
    assert err.value.code == "batch_too_large"


def test_nanjing_34_feedback_reason_and_statistics(session_factory: sessionmaker[Session]) -> None:
    """Nanjing 第三十四条: a unit not applying a measure states its reason in writing; the counts per
    measure are published periodically (第二款)."""
    world = World(session_factory, profile("nanjing"))
    now = at("2026-05-06")
    c1 = world.subject(now)
    world.record(now, c1, severity="general")
    c2 = world.subject(now)
    world.record(now, c2, severity="general")
    first = run_check(world, now, c1, "inspection")
    second = run_check(world, now, c2, "inspection")
    assert [a.code for a in first.outcome.measures] == ["NJ39-01"]

    def give(check_id: int, measure: str, applied: bool, reason: str | None = None) -> None:
        with transaction(world.factory) as db:
            service.feedback(
                db_session=db,
                profile=world.profile,
                now=now,
                actor=unit_actor(),
                check_id=check_id,
                measure=measure,
                applied=applied,
                reason=reason,
            )

    with pytest.raises(XinyongError) as err:
        give(first.check_id, "NJ39-01", False)
    assert err.value.code == "reason_required" and err.value.cite == "南京 第三十四条第一款"
    with pytest.raises(XinyongError) as err:
        give(first.check_id, "NJ41-01", True)
    assert err.value.code == "unknown_measure"
    with pytest.raises(XinyongError) as err:
        give(999999, "NJ39-01", True)
    assert err.value.code == "unknown_check"
    give(first.check_id, "NJ39-01", False, "已于同期完成现场检查")
    give(second.check_id, "NJ39-01", True)
    with pytest.raises(XinyongError) as err:
        give(second.check_id, "NJ39-01", True)
    assert err.value.code == "not_eligible"
    with transaction(world.factory) as db:
        stats = service.statistics(db_session=db, profile=world.profile, start=now.date(), end=now.date())
    row = next(r for r in stats["measures"] if r["code"] == "NJ39-01")
    assert (row["returned"], row["applied"], row["not_applied"], row["no_feedback"]) == (2, 1, 1, 0)
    assert row["reasons"] == [{"reason": "已于同期完成现场检查", "count": 1}]
    assert stats["cite"] == "南京 第三十四条第二款"
