"""Listings through the service on SQLite and PostgreSQL: stages, refusals, documents, notices,
validity read from the time, conversion, responsible persons, the public channel, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.models import AuditEntry
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.lists import facts, service
from xinyong.lists.models import Listing, ListingEvent
from xinyong.notices.models import Notice

from .helpers import World, at, operator, profile, provider, subject_actor


def world(factory: sessionmaker[Session], pid: str) -> World:
    return World(factory, profile(pid))


def refused(code: str, fn, *args, **kw) -> XinyongError:  # type: ignore[no-untyped-def]
    with pytest.raises(XinyongError) as exc:
        fn(*args, **kw)
    assert exc.value.code == code, exc.value
    return exc.value


def test_severe_listing_through_its_stages(session_factory: sessionmaker[Session]) -> None:
    """Jilin 第二十四条: written prior notice, then the decision; the subject is notified of both."""
    w = world(session_factory, "jilin")
    c = w.subject(at("2026-10-12"))
    r = w.record(at("2026-10-12"), c, decided_on="2026-10-09")
    lid = w.propose(at("2026-10-14"), c, [r], ground="health_safety")
    assert w.state(at("2026-10-14"), lid) == "proposed"
    refused("not_eligible", w.decide, at("2026-10-14"), lid)  # no notice served
    w.notify(at("2026-10-14", 10), lid)
    refused("wrong_stage", w.notify, at("2026-10-14", 11), lid)
    w.decide(at("2026-11-02"), lid)
    refused("wrong_stage", w.decide, at("2026-11-02", 10), lid)  # never applied twice
    assert w.state(at("2026-11-03"), lid) == "listed"
    with transaction(w.factory) as db:
        listing = db.get(Listing, lid)
        assert listing is not None
        assert listing.notice is not None and listing.notice["form"] == "written"
        assert set(listing.notice["contents"]) == {"reasons", "basis", "measures", "objection_right"}
        assert listing.decision is not None and listing.decision["decided_on"] == "2026-11-02"
        assert listing.valid_until is None  # until removed (吉林 第三十八条第三款)
        kinds = db.scalars(
            select(ListingEvent.kind).where(ListingEvent.listing_id == lid).order_by(ListingEvent.seq)
        )
        assert list(kinds) == ["proposed", "notified", "decided"]
        sent = db.scalars(
            select(Notice.kind).where(Notice.case_ref == f"LST-{lid}").order_by(Notice.id)
        ).all()
        assert sent == ["listing.prior_notice", "listing.decided"]
        audits = db.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("listing.%")).order_by(AuditEntry.seq)
        ).all()
        assert audits == ["listing.proposed", "listing.notified", "listing.decided"]
        found = facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-11-03"))
        assert [(f.list, f.ground, f.basis_record_ids, f.valid_until) for f in found[c]] == [
            ("severe", "health_safety", (r,), None)
        ]
        before = facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-11-01"))
        assert before[c] == []


def test_refusals_on_proposal(session_factory: sessionmaker[Session]) -> None:
    w = world(session_factory, "jiangsu")
    c = w.subject(at("2026-04-01"))
    other = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    r_other = w.record(at("2026-04-01"), other)
    good = w.record(at("2026-04-01"), c, item="admin_license", valid_until="2027-04-01")
    now = at("2026-04-02")
    e = refused("unknown_list", w.propose, now, c, [r], list_name="red", ground="honest_model")
    assert "severe" in (e.detail or "")
    e = refused("ground_not_permitted", w.propose, now, c, [r], ground="court_defaulter")
    assert e.cite == "江苏 第二十九条"
    refused("not_eligible", w.propose, now, c, [r_other], ground="market_order")  # another's record
    refused("not_eligible", w.propose, now, c, [good], ground="market_order")  # not dishonest information
    refused("missing_field", w.propose, now, c, [], ground="market_order")
    refused("unknown_record", w.propose, now, c, [999999], ground="market_order")
    w.propose(now, c, [r], ground="market_order")
    refused("not_eligible", w.propose, now, c, [r], ground="health_safety")  # one open listing per list
    refused(
        "not_allowed",
        w.do,
        service.propose,
        now,
        actor=subject_actor(c),
        list_name="severe",
        subject_id=c,
        ground="market_order",
        basis_record_ids=[r],
    )


def test_revoked_basis_cannot_ground_a_listing(session_factory: sessionmaker[Session]) -> None:
    from xinyong.records import service as records_service

    w = world(session_factory, "henan")
    c = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    w.do(records_service.revoke, at("2026-04-02"), actor=provider(w.provider_name), record_id=r)
    refused("not_eligible", w.propose, at("2026-04-03"), c, [r], ground="health_safety")


def test_key_attention_expires_after_three_months(session_factory: sessionmaker[Session]) -> None:
    """Nanjing 第三十七条第四款: listed 2026-03-31, on the list through 2026-06-30, off from 2026-07-01."""
    w = world(session_factory, "nanjing")
    c = w.subject(at("2026-03-20"))
    r = w.record(at("2026-03-20"), c, decided_on="2026-03-18", severity="general")
    lid = w.listed(at("2026-03-31"), c, [r], list_name="key_attention", ground="minor_first")
    with transaction(w.factory) as db:
        assert db.get(Listing, lid).valid_until == date(2026, 6, 30)  # type: ignore[union-attr]
        last = facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-06-30", 23))
        first_out = facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-07-01", 0))
        assert [f.valid_until for f in last[c]] == [date(2026, 6, 30)] and first_out[c] == []
        assert db.get(Listing, lid).state == "listed"  # type: ignore[union-attr]  # nothing stored
    assert w.state(at("2026-07-01"), lid) == "expired"
    refused("wrong_stage", w.remove, at("2026-07-02"), lid)
    # a new listing may follow once the old one is over
    r2 = w.record(at("2026-08-01"), c, decided_on="2026-07-30", severity="general")
    with pytest.raises(XinyongError) as exc:  # not a first occurrence any more
        w.propose(at("2026-08-02"), c, [r2], list_name="key_attention", ground="minor_first")
    assert exc.value.code == "not_eligible"
    w.propose(at("2026-08-02"), c, [r2], list_name="key_attention", ground="no_harm")


def test_key_attention_converts_on_a_new_dishonest_record(session_factory: sessionmaker[Session]) -> None:
    """Nanjing 第三十七条第四款: 发生失信行为的，应当转为失信主体 — the listing ends, computed on read."""
    w = world(session_factory, "nanjing")
    c = w.subject(at("2026-03-20"))
    r = w.record(at("2026-03-20"), c, decided_on="2026-03-18", severity="general")
    lid = w.listed(at("2026-03-31"), c, [r], list_name="key_attention", ground="no_harm")
    w.record(at("2026-05-12"), c, decided_on="2026-05-11", severity="general")
    with transaction(w.factory) as db:
        # before the record was known, the listing stood; after, it ended on the day of the act
        assert (
            len(facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-05-11"))[c]) == 1
        )
        assert facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-05-12"))[c] == []
        v = service.view(db_session=db, profile=w.profile, now=at("2026-05-12"), listing=db.get(Listing, lid))  # type: ignore[arg-type]
        assert (v.status, v.state.reason, v.state.ended_on) == ("removed", "conversion", date(2026, 5, 11))


def test_responsible_persons_see_the_organizations_listing(session_factory: sessionmaker[Session]) -> None:
    """Henan 第三十五条: the organization's listing names its responsible persons (computed on read)."""
    w = world(session_factory, "henan")
    c = w.subject(at("2026-04-01"))
    p = w.subject(at("2026-04-01"), kind="natural_person", name="孙某")
    w.link(at("2026-04-01"), c, p, "legal_representative")
    r = w.record(at("2026-04-01"), c)
    lid = w.listed(at("2026-04-20"), c, [r], ground="health_safety")
    now = at("2026-04-21")
    with transaction(w.factory) as db:
        plain = facts.active_listings(db, profile=w.profile, subject_ids=[p], now=now)
        assert plain[p] == []
        marked = facts.active_listings(
            db, profile=w.profile, subject_ids=[p, c], now=now, include_responsible=True
        )
        assert [(f.listing_id, f.subject_id, f.via_organization) for f in marked[p]] == [(lid, c, c)]
        assert [f.via_organization for f in marked[c]] == [None]
        views = service.listings_of_subject(
            db_session=db, profile=w.profile, now=now, actor=operator(), subject_id=p
        )
        assert [(v.listing.id, v.via_organization) for v in views] == [(lid, c)]
        assert not service.on_list(
            db_session=db, profile=w.profile, now=now, subject_id=p, list_name="severe"
        )


def test_key_attention_does_not_mark_responsible_persons(session_factory: sessionmaker[Session]) -> None:
    w = world(session_factory, "nanjing")
    c = w.subject(at("2026-03-20"))
    p = w.subject(at("2026-03-20"), kind="natural_person", name="王某")
    w.link(at("2026-03-20"), c, p, "principal")
    r = w.record(at("2026-03-20"), c, decided_on="2026-03-18", severity="general")
    w.listed(at("2026-03-31"), c, [r], list_name="key_attention", ground="no_harm")
    with transaction(w.factory) as db:
        marked = facts.active_listings(
            db, profile=w.profile, subject_ids=[p], now=at("2026-04-01"), include_responsible=True
        )
        assert marked[p] == []


def test_removal_announcement_through_the_public_channel(session_factory: sessionmaker[Session]) -> None:
    """Henan 第三十六条, 第三十七条第三款: published while listed; an announcement on removal."""
    w = world(session_factory, "henan")
    c = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    lid = w.listed(at("2026-04-20"), c, [r], ground="defamation", valid_until=date(2027, 4, 19))
    with transaction(w.factory) as db:
        shown = service.published(db_session=db, profile=w.profile, now=at("2026-04-21"), list_name="severe")
        assert [x.id for x, _ in shown.listings] == [lid] and shown.announcements == []
    refused("invalid_field", w.remove, at("2026-06-01"), lid, reason="expiry")  # expiry is read, not done
    w.remove(at("2026-06-01"), lid, reason="repair")
    with transaction(w.factory) as db:
        listing = db.get(Listing, lid)
        assert listing is not None and listing.removal_reason == "repair"
        assert listing.removal_announcement is not None
        assert listing.removal_announcement["cite"] == "河南 第三十七条第三款"
        shown = service.published(db_session=db, profile=w.profile, now=at("2026-06-02"), list_name="severe")
        assert shown.listings == [] and [x.id for x, _ in shown.announcements] == [lid]
        assert "listing.removed" in db.scalars(select(Notice.kind)).all()


def test_red_list_objection_during_publicity(session_factory: sessionmaker[Session]) -> None:
    """Henan 第二十八条第二款: 经公示无异议的，认定为守信联合激励对象；有异议的，由认定机关核查处理."""
    w = world(session_factory, "henan")
    c = w.subject(at("2026-09-01"))
    someone = w.subject(at("2026-09-01"))
    r = w.record(at("2026-09-01"), c, item="commendation", decided_on="2026-08-28")
    lid = w.propose(at("2026-09-02"), c, [r], list_name="red", ground="honest_model")
    w.notify(at("2026-09-02", 10), lid)
    w.do(service.object_to, at("2026-09-05"), actor=subject_actor(someone), listing_id=lid, reason="荣誉有误")
    refused("not_eligible", w.decide, at("2026-09-21"), lid)  # still being verified
    w.do(service.resolve_objection, at("2026-09-22"), actor=operator(), listing_id=lid, outcome="unfounded")
    w.decide(at("2026-09-23"), lid)
    assert w.state(at("2026-09-24"), lid) == "listed"
    # a founded objection drops the proposal
    c2 = w.subject(at("2026-09-01"))
    r2 = w.record(at("2026-09-01"), c2, item="commendation", decided_on="2026-08-28")
    l2 = w.propose(at("2026-09-02"), c2, [r2], list_name="red", ground="honest_model")
    w.notify(at("2026-09-02", 10), l2)
    w.do(service.object_to, at("2026-09-05"), actor=operator(), listing_id=l2, reason="材料虚假")
    w.do(service.resolve_objection, at("2026-09-10"), actor=operator(), listing_id=l2, outcome="founded")
    assert w.state(at("2026-09-11"), l2) == "removed"
    refused("wrong_stage", w.decide, at("2026-09-21"), l2)


def test_objection_to_a_prior_notice_comes_from_the_subject(session_factory: sessionmaker[Session]) -> None:
    w = world(session_factory, "jiangsu")
    c = w.subject(at("2026-04-01"))
    other = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    lid = w.propose(at("2026-04-02"), c, [r], ground="market_order")
    w.notify(at("2026-04-03"), lid)
    refused(
        "not_allowed",
        w.do,
        service.object_to,
        at("2026-04-04"),
        actor=subject_actor(other),
        listing_id=lid,
        reason="x",
    )
    w.do(service.object_to, at("2026-04-04"), actor=subject_actor(c), listing_id=lid, reason="事实不清")


def test_no_objection_where_the_text_has_none(session_factory: sessionmaker[Session]) -> None:
    w = world(session_factory, "nanjing")
    c = w.subject(at("2026-03-20"))
    r = w.record(at("2026-03-20"), c, decided_on="2026-03-18", severity="general")
    lid = w.propose(at("2026-03-25"), c, [r], list_name="key_attention", ground="no_harm")
    w.notify(at("2026-03-26"), lid)
    refused(
        "not_eligible",
        w.do,
        service.object_to,
        at("2026-03-27"),
        actor=subject_actor(c),
        listing_id=lid,
        reason="x",
    )


def test_only_the_determining_body_or_the_platform_moves_a_listing(
    session_factory: sessionmaker[Session],
) -> None:
    w = world(session_factory, "henan")
    c = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c)
    lid = w.propose(at("2026-04-02"), c, [r], ground="market_order")
    refused(
        "not_allowed", w.do, service.notify, at("2026-04-03"), actor=provider("郑州市税务局"), listing_id=lid
    )
    w.do(service.notify, at("2026-04-03"), actor=provider(w.provider_name), listing_id=lid)
    refused("conflict", w.do, service.decide, at("2026-04-04"), actor=operator(), listing_id=lid, version=1)


def test_active_listings_for_many_subjects(session_factory: sessionmaker[Session]) -> None:
    """Contract 1: chunks of ~900 ids, unknown ids answer with an empty list."""
    w = world(session_factory, "jilin")
    c = w.subject(at("2026-10-12"))
    r = w.record(at("2026-10-12"), c, decided_on="2026-10-09")
    lid = w.listed(at("2026-11-02"), c, [r], ground="market_order")
    ids = [*range(100_000, 102_500), c]
    with transaction(w.factory) as db:
        found = facts.active_listings(
            db, profile=w.profile, subject_ids=ids, now=at("2026-11-03"), include_responsible=True
        )
    assert len(found) == len(ids) and [f.listing_id for f in found[c]] == [lid]
    assert sum(len(v) for v in found.values()) == 1


def test_audit_counts_every_change_once(session_factory: sessionmaker[Session]) -> None:
    w = world(session_factory, "shenzhen")
    c = w.subject(at("2026-03-03"))
    r = w.record(at("2026-03-03"), c, decided_on="2026-03-02")
    lid = w.listed(at("2026-03-20"), c, [r], ground="technical_standards")
    w.remove(at("2026-09-01"), lid, reason="court")
    with transaction(w.factory) as db:
        n = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("listing.%")))
        assert n == 4
        listing = db.get(Listing, lid)
        assert listing is not None and listing.removal_announcement is None  # Shenzhen: no announcement
        assert listing.valid_until == date(2031, 3, 2)  # 第五十二条: within the 5-year disclosure period
