"""Repair of a listing, removal by revocation of its basis, and the court's notice during
reorganization — on real SQLite and PostgreSQL, through the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.lists import facts
from xinyong.lists.models import Listing
from xinyong.notices.models import Notice
from xinyong.records import service as records_service
from xinyong.records.models import RecordEvent
from xinyong.rights.marks import service as marks_service
from xinyong.rights.repair import service as repair_service
from xinyong.subjects import service as subjects_service

from .helpers import World, at, operator, profile, provider, subject_actor

Factory = sessionmaker[Session]


def world(sf: Factory, pid: str) -> World:
    return World(sf, profile(pid))


def apply(w: World, day: str, actor: Actor, listing_id: int, measures: list[str] | None = None) -> int:
    return int(
        w.do(
            repair_service.apply,
            at(day),
            actor=actor,
            record_id=None,
            listing_id=listing_id,
            measures=measures if measures is not None else ["commitment_letter", "rectification"],
        )
    )


def refused(w: World, day: str, actor: Actor, listing_id: int, **kw: list[str]) -> XinyongError:
    with pytest.raises(XinyongError) as exc:
        apply(w, day, actor, listing_id, **kw)
    return exc.value


def decide(w: World, day: str, case_id: int, actor: Actor, outcome: str = "approved") -> str:
    with transaction(w.factory) as db:
        case = repair_service.decide(
            db_session=db, profile=w.profile, now=at(day), actor=actor, case_id=case_id, outcome=outcome
        )
        if case.state == "under_review":
            case = repair_service.review(
                db_session=db,
                profile=w.profile,
                now=at(day),
                actor=operator(),
                case_id=case_id,
                outcome="passed",
            )
        return case.state


def notices(w: World, kind: str) -> list[Notice]:
    with transaction(w.factory) as db:
        rows = list(db.scalars(select(Notice).where(Notice.kind == kind).order_by(Notice.id)))
        db.expunge_all()
        return rows


# --------------------------------------------------------------------------- Shenzhen 第六十三条, 第六十六条


def test_shenzhen_63_66_listing_repaired_off_the_severe_list_and_implementers_told(
    session_factory: Factory,
) -> None:
    w = world(session_factory, "shenzhen")
    c = w.subject(at("2026-03-02"))
    other = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c)
    lst = w.propose(at("2026-03-05"), c, [r], ground="technical_standards")
    assert refused(w, "2026-03-05", subject_actor(c), lst).code == "not_eligible"  # not yet listed
    w.notify(at("2026-03-06"), lst)
    w.decide(at("2026-03-20"), lst)
    assert refused(w, "2026-09-29", subject_actor(other), lst).code == "not_allowed"
    err = refused(w, "2026-09-29", subject_actor(c), lst, measures=["rectification"])
    assert (err.code, err.field) == ("not_eligible", "measures")  # 第六十四条第二款: 承诺书
    case_id = apply(w, "2026-09-29", subject_actor(c), lst)
    assert refused(w, "2026-09-30", subject_actor(c), lst).code == "not_eligible"  # one open case
    with transaction(w.factory) as db:
        case = repair_service.get_or_raise(db_session=db, case_id=case_id)
        assert (case.listing_id, case.record_id, case.handling_unit) == (lst, None, w.provider_name)
        v = repair_service.view(db_session=db, profile=w.profile, now=at("2026-09-29"), case=case)
        assert v.waiting is not None and v.waiting.name == "decision"
    # another unit may not decide; the determining body does
    with pytest.raises(XinyongError) as exc:
        decide(w, "2026-10-09", case_id, provider("深圳市住房和建设局"))
    assert exc.value.code == "not_allowed"
    assert decide(w, "2026-10-09", case_id, provider(w.provider_name)) == "approved"
    assert w.state(at("2026-10-09"), lst) == "removed"
    with transaction(w.factory) as db:
        listing = db.get(Listing, lst)
        assert listing is not None and listing.removal_reason == "repair"
        active = facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-10-09"))
        assert active[c] == []
    stop = notices(w, "repair.stop_measures")
    assert stop and {n.recipient_kind for n in stop} == {"implementing_unit"}
    assert (stop[0].content or {})["cite"] == "深圳 第六十三条第一款, 第六十六条第三项"
    with transaction(w.factory) as db:
        listing = db.get(Listing, lst)
        assert listing is not None
        units = repair_service.implementing_units(db, w.profile, at("2026-10-09"), listing)
    assert units and [n.recipient for n in stop] == units  # the 实施主体 of the severe list's measures


def test_shenzhen_66_2_evaluation_provider_told_to_adjust(session_factory: Factory) -> None:
    w = world(session_factory, "shenzhen")
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c)
    w.provider_name, own = "深圳市信用评价中心", w.provider_name  # the evaluating unit submits its result
    w.record(at("2026-03-02"), c, item="evaluation", data={"grade": "poor"})
    w.provider_name = own
    lst = w.listed(at("2026-03-05"), c, [r], ground="technical_standards")
    case_id = apply(w, "2026-09-29", subject_actor(c), lst)
    decide(w, "2026-10-09", case_id, provider(w.provider_name))
    adjust = notices(w, "repair.adjust_evaluation")
    assert [n.recipient for n in adjust] == ["深圳市信用评价中心"]


def test_shenzhen_72_business_anomaly_not_repairable(session_factory: Factory) -> None:
    w = world(session_factory, "shenzhen")
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c, severity="general")
    lst = w.listed(at("2026-03-05"), c, [r], list_name="business_anomaly", ground="anomaly")
    err = refused(w, "2026-04-01", subject_actor(c), lst)
    assert (err.code, err.cite) == ("not_repairable", "深圳 第七十二条")


# --------------------------------------------------------------------------- Jilin 第三十七条, 第三十八条


def test_jilin_37_38_listing_repair_runs_through_its_basis(session_factory: Factory) -> None:
    w = world(session_factory, "jilin")
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c, decided_on="2026-03-02")
    lst = w.listed(at("2026-03-04"), c, [r], ground="health_safety")
    err = refused(w, "2026-09-02", subject_actor(c), lst)
    assert (err.code, err.cite) == ("too_early", "吉林 第三十七条第二款")  # six months from the decision
    case_id = apply(w, "2026-09-03", subject_actor(c), lst)
    assert decide(w, "2026-09-30", case_id, provider(w.provider_name)) == "approved"
    assert w.state(at("2026-09-30"), lst) == "removed"
    with transaction(w.factory) as db:
        kinds = [e.kind for e in records_service.events_of(db, [r])[r]]
    assert "repaired" in kinds  # 第三十八条第二款: the information is marked


def test_jilin_37_specified_severe_basis_not_repairable(session_factory: Factory) -> None:
    w = world(session_factory, "jilin")
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c, data={"specified_severe": True})
    lst = w.listed(at("2026-03-04"), c, [r], ground="health_safety")
    assert refused(w, "2026-09-03", subject_actor(c), lst).code == "not_repairable"


def test_red_listing_is_not_repaired(session_factory: Factory) -> None:
    w = world(session_factory, "jilin")
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c, item="commendation")
    lst = w.propose(at("2026-03-04"), c, [r], list_name="red", ground="honest_model")
    assert refused(w, "2026-03-05", subject_actor(c), lst).code == "not_eligible"


# ---------------------------------------------------------------- Henan 第三十七条; Nanjing, Jiangsu


def test_henan_37_removal_announcement_on_repair(session_factory: Factory) -> None:
    w = world(session_factory, "henan")
    c = w.subject(at("2026-04-01"))
    r = w.record(at("2026-04-01"), c, decided_on="2026-03-30")
    lst = w.listed(at("2026-04-02"), c, [r], ground="consumer_investor")
    case_id = apply(w, "2026-04-30", subject_actor(c), lst, measures=["rectification"])
    decide(w, "2026-05-06", case_id, provider(w.provider_name))
    with transaction(w.factory) as db:
        listing = db.get(Listing, lst)
        assert listing is not None and listing.removal_reason == "repair"
        assert listing.removal_announcement is not None  # 第三十七条第三款: 名单退出公告


@pytest.mark.parametrize("pid", ["nanjing", "jiangsu"])
def test_no_listing_repair_where_the_text_has_none(session_factory: Factory, pid: str) -> None:
    w = world(session_factory, pid)
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c)
    lst = w.listed(at("2026-03-03"), c, [r], ground="market_order" if pid == "nanjing" else "health_safety")
    assert refused(w, "2026-06-01", subject_actor(c), lst).code == "not_repairable"


# --------------------------------------------------------------------------- revocation, computed on read


def test_listing_removed_when_every_basis_record_is_revoked(session_factory: Factory) -> None:
    w = world(session_factory, "jiangsu")
    c = w.subject(at("2026-03-02"))
    r1 = w.record(at("2026-03-02"), c)
    r2 = w.record(at("2026-03-02"), c)
    lst = w.listed(at("2026-03-03"), c, [r1, r2], ground="health_safety")
    for day, rid in (("2026-05-06", r1), ("2026-05-07", r2)):
        with transaction(w.factory) as db:
            records_service.revoke(
                db_session=db, profile=w.profile, now=at(day), actor=provider(w.provider_name), record_id=rid
            )
        if rid == r1:
            assert w.state(at("2026-05-06", 12), lst) == "listed"  # one basis record still stands
    with transaction(w.factory) as db:
        listing = db.get(Listing, lst)
        assert listing is not None and listing.state == "listed"  # nothing stored
        assert facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-05-07", 8))[c]
        assert (
            facts.active_listings(db, profile=w.profile, subject_ids=[c], now=at("2026-05-07", 10))[c] == []
        )
        (f,) = facts.load_facts(db, [listing])
    from xinyong.lists import rules

    state = rules.state_at(f, at("2026-05-07", 10))
    assert (state.state.value, state.reason, state.ended_on) == ("removed", "revocation", date(2026, 5, 7))
    with pytest.raises(XinyongError) as exc:
        w.remove(at("2026-05-08"), lst, reason="other")
    assert exc.value.code == "wrong_stage"


def test_proposal_on_revoked_basis_cannot_be_decided(session_factory: Factory) -> None:
    w = world(session_factory, "jiangsu")
    c = w.subject(at("2026-03-02"))
    r = w.record(at("2026-03-02"), c)
    lst = w.propose(at("2026-03-03"), c, [r], ground="health_safety")
    w.notify(at("2026-03-04"), lst)
    with transaction(w.factory) as db:
        records_service.revoke(
            db_session=db,
            profile=w.profile,
            now=at("2026-03-05"),
            actor=provider(w.provider_name),
            record_id=r,
        )
    with pytest.raises(XinyongError) as exc:
        w.decide(at("2026-03-20"), lst)
    assert exc.value.code == "wrong_stage"
    assert w.state(at("2026-03-20"), lst) == "removed"


# --------------------------------------------------------------------------- Shenzhen 第七十二条


def test_shenzhen_72_court_notice_removes_both_lists_and_deletes(session_factory: Factory) -> None:
    w = world(session_factory, "shenzhen")
    c = w.subject(at("2026-03-02"))
    r1 = w.record(at("2026-03-02"), c)
    r2 = w.record(at("2026-03-02"), c, severity="general")
    sev = w.listed(at("2026-03-05"), c, [r1], ground="market_order")
    ano = w.listed(at("2026-03-05"), c, [r2], list_name="business_anomaly", ground="anomaly")

    def notice(day: str, actor: Actor) -> int:
        with transaction(w.factory) as db:
            subject = subjects_service.get(db_session=db, subject_id=c)
            assert subject is not None
            return marks_service.court_notice(
                db_session=db,
                profile=w.profile,
                now=at(day),
                actor=actor,
                subject=subject,
                document="(2026)粤03破12号之二",
            ).id

    with pytest.raises(XinyongError) as exc:
        notice("2026-04-01", operator())
    assert exc.value.code == "not_eligible"  # no plan being executed
    with transaction(w.factory) as db:
        subject = subjects_service.get(db_session=db, subject_id=c)
        assert subject is not None
        marks_service.reorganize(
            db_session=db,
            profile=w.profile,
            now=at("2026-06-15"),
            actor=operator(),
            subject=subject,
            document="(2026)粤03破12号之一",
        )
    with pytest.raises(XinyongError) as exc:
        notice("2026-06-22", Actor(username="x", role=Role.provider, organization="x"))
    assert exc.value.code == "forbidden" or exc.value.code == "not_allowed"
    notice("2026-06-22", operator())
    assert w.state(at("2026-06-22"), sev) == w.state(at("2026-06-22"), ano) == "removed"
    with transaction(w.factory) as db:
        reasons = {lst.id: lst.removal_reason for lst in db.scalars(select(Listing))}
        deleted = set(db.scalars(select(RecordEvent.record_id).where(RecordEvent.kind == "deleted")))
    assert reasons == {sev: "court", ano: "court"}
    assert deleted == {r1, r2}  # the records the listings rested on
