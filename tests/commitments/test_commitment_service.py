"""Commitments through the service on SQLite and PostgreSQL: making, verifying, the records outcomes
become, the matters list and route eligibility. Each test names the article it proves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from helpers import (
    CC_COMPANY,
    NJ_COMPANY,
    UNIT,
    ZHANG_SAN,
    ZZ_COMPANY,
    at,
    operator,
    profile,
    subject_actor,
    with_item,
)
from helpers import unit as unit_actor
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.models import AuditEntry
from xinyong.commitments import rules, service
from xinyong.commitments.models import CommitmentEvent
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service

Factory = sessionmaker[Session]


def _subject(db: Session, identifier: str = NJ_COMPANY, kind: str = "legal_person") -> int:
    return subjects_service.get_or_create(
        db_session=db, now=at("2026-03-02"), kind=kind, identifier=identifier, name="某某有限公司"
    ).id


def _make(db: Session, p: Profile, subject_id: int, day: str = "2026-03-02", **over: Any) -> Any:
    actor = over.pop("actor", None) or unit_actor()
    args: dict[str, Any] = {
        "kind": "notification",
        "matter": "administrative_license",
        "unit": UNIT,
        "content": rules.Content(
            text="本单位符合食品经营许可条件", breach_consequences="撤销许可并记入失信信息"
        ),
        **over,
    }
    return service.make(db_session=db, profile=p, now=at(day), actor=actor, subject_id=subject_id, **args)


def _verify(
    db: Session, p: Profile, commitment_id: int, outcome: str, day: str = "2026-06-01", **over: Any
) -> Any:
    return service.verify(
        db_session=db,
        profile=p,
        now=at(day),
        actor=over.pop("actor", unit_actor()),
        commitment_id=commitment_id,
        outcome=outcome,
        **{"document": "核查〔2026〕1号", **over},
    )


def _penalty(db: Session, p: Profile, identifier: str, provider: str, day: str = "2026-03-01") -> int:
    record, _ = records_service.submit(
        db_session=db,
        profile=p,
        now=at(day),
        actor=unit_actor(provider),
        values={
            "item": "admin_penalty",
            "subject_kind": "legal_person",
            "subject_id": identifier,
            "decided_on": day,
            "severity": "general",
            "procedure": "general",
            "document": "罚〔2026〕1号",
        },
    )
    return record.id


def _in(factory: Factory, fn: Callable[[Session], Any]) -> Any:
    with transaction(factory) as db:
        return fn(db)


# --------------------------------------------------------------------------- making


def test_commitment_recorded_with_matter_unit_date_content_and_made_record_jiangsu_23(
    session_factory: Factory,
) -> None:
    """Jiangsu 第二十三条: the commitment is recorded in the credit record (item `commitment`, state made)."""
    p = profile("jiangsu")
    with transaction(session_factory) as db:
        sid = _subject(db)
        c = _make(db, p, sid)
        assert (c.state, c.kind, c.matter, c.unit, c.made_on) == (
            "open",
            "notification",
            "administrative_license",
            UNIT,
            date(2026, 3, 2),
        )
        record = db.get(Record, c.made_record_id)
        assert record is not None
        assert (record.item, record.provider, record.decided_on) == ("commitment", UNIT, date(2026, 3, 2))
        assert record.data["state"] == "made" and record.data["matter"] == "administrative_license"
        events = db.scalars(select(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id)).all()
        assert [(e.seq, e.kind, e.state_after, e.record_ids) for e in events] == [
            (1, "made", "open", [record.id])
        ]
        actions = db.scalars(select(AuditEntry.action)).all()
        assert "commitment.made" in actions


def test_shenzhen_51_commitment_must_state_consequences_of_breach(session_factory: Factory) -> None:
    """Shenzhen 第五十一条第二款: 信用承诺应当载明违反承诺的不良后果."""
    p = profile("shenzhen")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _make(db, p, _subject(db), content=rules.Content(text="符合许可条件"))
    assert (err.value.code, err.value.field, err.value.cite) == (
        "missing_field",
        "content.breach_consequences",
        "深圳 第五十一条第二款",
    )
    with transaction(session_factory) as db:  # with the consequences stated it is accepted
        assert _make(db, p, _subject(db)).state == "open"


def test_henan_58_public_commitment_must_accept_constraints_and_is_public(session_factory: Factory) -> None:
    """Henan 第五十八条: 违背承诺自愿接受约束和惩戒; a commitment made to society is public."""
    p = profile("henan")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        sid = _subject(db, ZZ_COMPANY)
        _make(db, p, sid, kind="public", matter="食品安全", content=rules.Content(text="不销售过期食品"))
    assert (err.value.code, err.value.field, err.value.cite) == (
        "missing_field",
        "content.accepts_constraints",
        "河南 第五十八条",
    )
    with transaction(session_factory) as db:
        sid = _subject(db, ZZ_COMPANY)
        c = _make(
            db,
            p,
            sid,
            kind="public",
            matter="食品安全",
            public=False,
            content=rules.Content(text="不销售过期食品", accepts_constraints=True),
        )
        assert (c.public, c.public_requested, c.public_cite) == (True, False, "河南 第五十八条")


def test_jilin_51_missing_materials_needs_its_deadline(session_factory: Factory) -> None:
    """Jilin 第五十一条第二款: 书面承诺在规定期限内提供 — a 容缺受理 commitment carries its deadline."""
    p = profile("jilin")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _make(
            db,
            p,
            _subject(db, CC_COMPANY),
            kind="missing_materials",
            content=rules.Content(text="补交消防验收材料"),
        )
    assert (err.value.code, err.value.field, err.value.cite) == (
        "missing_field",
        "due",
        "吉林 第五十一条第二款",
    )
    with transaction(session_factory) as db:
        c = _make(
            db,
            p,
            _subject(db, CC_COMPANY),
            kind="missing_materials",
            content=rules.Content(text="补交消防验收材料", due=date(2026, 4, 1)),
        )
        assert c.due == date(2026, 4, 1)
        assert service.view(db_session=db, profile=p, now=at("2026-04-01"), commitment=c).overdue is False
        assert service.view(db_session=db, profile=p, now=at("2026-04-02"), commitment=c).overdue is True


def test_nanjing_31_voluntary_commitment_in_public_area_is_public(session_factory: Factory) -> None:
    """Nanjing 第三十一条第二款: 公共资源、公共项目、公共利益领域自愿作出的社会信用承诺 are published."""
    p = profile("nanjing")
    with transaction(session_factory) as db:
        sid = _subject(db)
        inside = _make(db, p, sid, kind="public", matter="公共资源交易", area="public_resource")
        outside = _make(db, p, sid, kind="public", matter="诚信经营")
        assert (inside.public, inside.public_cite) == (True, "南京 第三十一条第二款")
        assert (outside.public, outside.public_cite) == (False, None)
        # public commitments are seen by anyone; the others only by the platform, units, the subject
        assert service.may_see(None, inside) and not service.may_see(None, outside)
        assert service.may_see(subject_actor(sid), outside)


def test_kind_the_text_does_not_know_is_refused_jilin_51(session_factory: Factory) -> None:
    """Jilin 第五十一条 knows 告知承诺 and 容缺受理 for approvals; it has no public-commitment regime."""
    p = profile("jilin")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _make(db, p, _subject(db, CC_COMPANY), kind="public", matter="诚信经营")
    assert (err.value.code, err.value.field, err.value.cite) == ("invalid_field", "kind", "吉林 第五十一条")


def test_unit_accepts_in_its_own_name_and_subject_only_public_own(session_factory: Factory) -> None:
    p = profile("jiangsu")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _make(db, p, _subject(db), actor=unit_actor("另一单位"))
    assert (err.value.code, err.value.field) == ("not_allowed", "unit")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        sid = _subject(db)
        _make(db, p, sid, actor=subject_actor(sid))  # a subject cannot record its own 告知承诺
    assert err.value.code == "not_allowed"
    with transaction(session_factory) as db:
        sid = _subject(db)
        assert _make(db, p, sid, kind="public", matter="诚信经营", actor=subject_actor(sid)).unit == UNIT


# --------------------------------------------------------------------------- verification and records


@pytest.mark.parametrize(
    ("profile_id", "identifier", "item", "cite"),
    [
        ("jiangsu", NJ_COMPANY, "commitment_broken", "江苏 第三十六条第二项, 第二十三条"),
        ("shenzhen", NJ_COMPANY, "commitment_broken", "深圳 第十八条第一款第七项"),
        ("nanjing", NJ_COMPANY, "false_materials", "南京 第二十三条第一款第四项, 第四十五条第四款"),
        ("jilin", CC_COMPANY, "commitment_broken", "吉林 第十三条第十一项"),
    ],
)
def test_broken_notification_commitment_becomes_dishonest_record(
    session_factory: Factory, profile_id: str, identifier: str, item: str, cite: str
) -> None:
    """Jiangsu 第三十六条第二项, Shenzhen 第十八条第一款第七项, Nanjing 第二十三条第一款第四项,
    Jilin 第十三条第十一项: a broken 告知承诺 is dishonest information, filed by the accepting unit."""
    p = profile(profile_id)
    with transaction(session_factory) as db:
        c = _make(db, p, _subject(db, identifier))
        _verify(db, p, c.id, "broken", finding="经核查不具备许可条件")
        record = db.get(Record, c.outcome_record_id)
        assert record is not None
        assert (record.item, record.info_class, record.severity) == (item, "dishonest", "general")
        assert (record.provider, record.document, record.decided_on) == (
            UNIT,
            "核查〔2026〕1号",
            date(2026, 6, 1),
        )
        assert (c.state, c.verifier_unit, c.finding) == ("broken", UNIT, "经核查不具备许可条件")
        view = service.view(db_session=db, profile=p, now=at("2026-06-01"), commitment=c)
        assert view.outcome_cite == cite
        assert [e.kind for e in view.events] == ["made", "broken"]


def test_jilin_12_kept_commitment_becomes_good_information(session_factory: Factory) -> None:
    """Jilin 第十二条第三项: 遵守信用承诺的信息 is positive information."""
    p = profile("jilin")
    with transaction(session_factory) as db:
        c = _make(db, p, _subject(db, CC_COMPANY))
        _verify(db, p, c.id, "kept")
        record = db.get(Record, c.outcome_record_id)
        assert record is not None
        assert (record.item, record.info_class, record.provider) == ("commitment_kept", "good", UNIT)


def test_shenzhen_kept_commitment_makes_no_record_silence(session_factory: Factory) -> None:
    """Shenzhen: the text makes no class of a kept commitment; the commitment alone shows it."""
    p = profile("shenzhen")
    with transaction(session_factory) as db:
        c = _make(db, p, _subject(db))
        _verify(db, p, c.id, "kept")
        assert (c.state, c.outcome_record_id, c.made_record_id) == ("kept", None, None)


def test_nanjing_24_broken_public_commitment_is_other_information(session_factory: Factory) -> None:
    """Nanjing 第二十四条第一项: 信用承诺以及履行承诺信息 is other information; only a broken 告知承诺 is
    dishonest (第二十三条第一款第四项)."""
    p = profile("nanjing")
    with transaction(session_factory) as db:
        c = _make(db, p, _subject(db), kind="public", matter="公共资源交易", area="public_resource")
        _verify(db, p, c.id, "broken")
        record = db.get(Record, c.outcome_record_id)
        assert record is not None
        assert (record.item, record.info_class, record.data["state"]) == ("commitment", "other", "broken")


def _henan() -> Profile:
    # the packaged Henan catalog lacks `commitment_broken` (asked of the lead): add it as the lead will
    return with_item(
        profile("henan"),
        "commitment_broken",
        {"class": "dishonest", "cite": "河南 第二十条第六项, 第三十三条第八项"},
    )


def test_henan_33_8_serious_breach_of_public_commitment_is_severe(session_factory: Factory) -> None:
    """Henan 第三十三条第八项: 公开信用承诺而不履行，造成严重后果 is severe dishonesty; without serious
    consequences the breach is recorded as performance (第五十八条)."""
    p = _henan()
    public = rules.Content(text="不销售过期食品", accepts_constraints=True)
    with transaction(session_factory) as db:
        sid = _subject(db, ZZ_COMPANY)
        serious = _make(db, p, sid, kind="public", matter="食品安全", content=public)
        plain = _make(db, p, sid, kind="public", matter="食品安全", content=public, day="2026-03-03")
        _verify(db, p, serious.id, "broken", serious=True)
        _verify(db, p, plain.id, "broken", serious=False)
        severe = db.get(Record, serious.outcome_record_id)
        other = db.get(Record, plain.outcome_record_id)
        assert severe is not None and other is not None
        assert (severe.item, severe.info_class, severe.severity) == (
            "commitment_broken",
            "dishonest",
            "severe",
        )
        assert (other.item, other.info_class, other.data["state"]) == ("commitment", "other", "broken")


def test_henan_68_fines_shown_with_breach_as_reference_data(session_factory: Factory) -> None:
    """Henan 第六十八条: 1,000,000–2,000,000 yuan; 3–5× illegal gains — shown, never computed."""
    p = _henan()
    with transaction(session_factory) as db:
        c = _make(db, p, _subject(db, ZZ_COMPANY))
        open_view = service.view(db_session=db, profile=p, now=at("2026-03-02"), commitment=c)
        assert open_view.fines == []  # only with a breach
        _verify(db, p, c.id, "broken")
        fines = service.view(db_session=db, profile=p, now=at("2026-06-01"), commitment=c).fines
        assert [(f.basis, f.min_yuan, f.max_yuan, f.min_multiple, f.max_multiple, f.cite) for f in fines] == [
            ("license_obtained", 1_000_000, 2_000_000, None, None, "河南 第六十八条第一款"),
            ("illegal_gains", None, None, 3, 5, "河南 第六十八条第二款"),
        ]


def test_jilin_51_breach_measures_warning_and_fine_without_amount(session_factory: Factory) -> None:
    """Jilin 第五十一条第三款: 可视情况 revoke, warning and fine (no amount), no more 告知承诺."""
    p = profile("jilin")
    with transaction(session_factory) as db:
        c = _make(db, p, _subject(db, CC_COMPANY))
        _verify(db, p, c.id, "broken")
        view = service.view(db_session=db, profile=p, now=at("2026-06-01"), commitment=c)
        assert [(f.amount, f.min_yuan, f.max_yuan) for f in view.fines] == [("unspecified", None, None)]
        assert [(m.mandatory, m.cite) for m in view.measures] == [(False, "吉林 第五十一条第三款")]


def test_verification_only_once_and_only_by_the_unit(session_factory: Factory) -> None:
    p = profile("jiangsu")
    with transaction(session_factory) as db:
        cid = _make(db, p, _subject(db)).id
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _verify(db, p, cid, "broken", actor=unit_actor("另一单位"))
    assert err.value.code == "not_allowed"
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _verify(db, p, cid, "lost")
    assert (err.value.code, err.value.field) == ("invalid_field", "outcome")
    _in(session_factory, lambda db: _verify(db, p, cid, "kept", actor=operator()))
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        _verify(db, p, cid, "broken")
    assert err.value.code == "case_closed"


def test_unknown_commitment_and_other_jurisdiction(session_factory: Factory) -> None:
    with transaction(session_factory) as db:
        cid = _make(db, profile("jiangsu"), _subject(db)).id
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        service.read(
            db_session=db, profile=profile("jilin"), now=at("2026-03-02"), actor=operator(), commitment_id=cid
        )
    assert err.value.code == "unknown_commitment"


# --------------------------------------------------------------------------- eligibility


def _eligible(
    db: Session,
    p: Profile,
    sid: int,
    matter: str = "administrative_license",
    kind: str = "notification",
    day: str = "2026-03-02",
) -> rules.Eligibility:
    return service.eligibility(
        db_session=db, profile=p, now=at(day), subject_id=sid, matter=matter, kind=kind
    )


def test_nanjing_45_no_dishonest_record_and_listed_matter(session_factory: Factory) -> None:
    """Nanjing 第四十五条第二款: 无失信信息记录的申请人 for a listed matter; the dishonest record closes the
    route and the answer names the record and the article."""
    p = profile("nanjing")
    with transaction(session_factory) as db:
        sid = _subject(db)
        yes = _eligible(db, p, sid)
        assert (yes.eligible, yes.listed, yes.reasons) == (True, True, ())
        assert [(h.code, h.cite) for h in yes.handling] == [("on_the_spot", "南京 第四十五条第三款")]
        unlisted = _eligible(db, p, sid, matter="fiscal_subsidy")
        assert (unlisted.eligible, [(r.code, r.cite) for r in unlisted.reasons]) == (
            False,
            [("matter_not_listed", "南京 第四十五条第一款、第二款")],
        )
        rid = _penalty(db, p, NJ_COMPANY, "南京市市场监督管理局")
        no = _eligible(db, p, sid)
        assert no.eligible is False
        assert ("dishonest_record", "南京 第四十五条第二款", (rid,)) in [
            (r.code, r.cite, r.ids) for r in no.reasons
        ]


def test_nanjing_39_general_dishonest_subject_excluded(session_factory: Factory) -> None:
    """Nanjing 第三十九条第二项: 一般失信主体 — 行政管理中不适用告知承诺等便利化措施 (once the
    standing contract says general_dishonest)."""
    p = profile("nanjing")
    with transaction(session_factory) as db:
        sid = _subject(db)
        _penalty(db, p, NJ_COMPANY, "南京市市场监督管理局")
        no = _eligible(db, p, sid)
        codes = {r.code: r.cite for r in no.reasons}
        assert codes["dishonest_record"] == "南京 第四十五条第二款"
        assert codes["general_dishonest"] == "南京 第三十九条第二项"


def test_shenzhen_49_poor_credit_excluded_from_notification_and_missing_materials(
    session_factory: Factory,
) -> None:
    """Shenzhen 第四十九条第二款第一项: 信用状况较差 — 不适用告知承诺、容缺受理."""
    p = profile("shenzhen")
    with transaction(session_factory) as db:
        sid = _subject(db)
        assert _eligible(db, p, sid, kind="missing_materials").eligible is True
        _penalty(db, p, NJ_COMPANY, "深圳市市场监督管理局")
        for kind in ("notification", "missing_materials"):
            no = _eligible(db, p, sid, kind=kind)
            assert [(r.code, r.cite) for r in no.reasons] == [
                ("dishonest_record", "深圳 第四十九条第二款第一项, 第五十一条第一款")
            ]


def test_henan_32_dishonest_subject_excluded_from_notification(session_factory: Factory) -> None:
    """Henan 第三十二条第一项: 不适用告知承诺等简化程序."""
    p = profile("henan")
    with transaction(session_factory) as db:
        sid = _subject(db, ZZ_COMPANY)
        assert _eligible(db, p, sid).eligible is True
        _penalty(db, p, ZZ_COMPANY, "郑州市市场监督管理局")
        no = _eligible(db, p, sid)
        assert [(r.code, r.cite) for r in no.reasons] == [("dishonest_record", "河南 第三十二条第一项")]


def test_jilin_51_25_handling_and_broken_commitment_may_exclude(session_factory: Factory) -> None:
    """Jilin 第五十一条第二款, 第二十五条第一项: 即时办理 / 先行受理; 第五十一条第三款: after a breach
    the unit may (可视情况) stop the 告知承诺 route — a caution, not a refusal."""
    p = profile("jilin")
    with transaction(session_factory) as db:
        sid = _subject(db, CC_COMPANY)
        yes = _eligible(db, p, sid)
        assert [h.code for h in yes.handling] == ["immediate"]
        assert [h.code for h in _eligible(db, p, sid, kind="missing_materials").handling] == ["accept_first"]
        c = _make(db, p, sid)
        _verify(db, p, c.id, "broken")
        after = _eligible(db, p, sid, day="2026-06-02")
        assert [(r.code, r.cite, r.ids) for r in after.cautions] == [
            ("broken_commitment", "吉林 第五十一条第三款", (c.id,))
        ]
        # the breach is also negative information (第十三条第十一项): 容缺受理 needs 信用状况较好
        accept_first = _eligible(db, p, sid, kind="missing_materials", day="2026-06-02")
        assert [r.code for r in accept_first.reasons] == ["dishonest_record"]


def test_jiangsu_silent_on_standing_only_the_list_counts(session_factory: Factory) -> None:
    """Jiangsu 第二十三条: 清单制; the text sets no credit condition for the route (silence stays silence)."""
    p = profile("jiangsu")
    with transaction(session_factory) as db:
        sid = _subject(db)
        _penalty(db, p, NJ_COMPANY, "南京市市场监督管理局")
        assert _eligible(db, p, sid).eligible is True
        assert [r.code for r in _eligible(db, p, sid, kind="missing_materials").reasons] == [
            "kind_not_offered",
            "kind_not_offered",
        ]


def test_route_commitment_refused_when_not_eligible(session_factory: Factory) -> None:
    """Nanjing 第四十五条第二款: a 告知承诺 from a subject with a dishonest record is refused."""
    p = profile("nanjing")
    with pytest.raises(XinyongError) as err, transaction(session_factory) as db:
        sid = _subject(db)
        _penalty(db, p, NJ_COMPANY, "南京市市场监督管理局")
        _make(db, p, sid)
    assert (err.value.code, err.value.cite) == ("not_eligible", "南京 第四十五条第二款")
    assert err.value.extra["reasons"][0]["code"] == "dishonest_record"


def test_operator_adds_and_withdraws_a_published_matter_jilin_51(session_factory: Factory) -> None:
    """Jilin 第五十一条第一款: the matters are those the reform departments publish; an operator adds them."""
    p = profile("jilin")
    with transaction(session_factory) as db:
        sid = _subject(db, CC_COMPANY)
        assert _eligible(db, p, sid, matter="food_license").listed is False
        service.add_matter(
            db_session=db,
            profile=p,
            now=at("2026-03-02"),
            actor=operator(),
            code="food_license",
            name="食品经营许可",
            kinds=["notification"],
            basis="吉政数〔2026〕3号",
        )
        assert _eligible(db, p, sid, matter="food_license").eligible is True
        assert (
            _eligible(db, p, sid, matter="food_license", kind="missing_materials").reasons[0].code
            == "kind_not_offered"
        )
        with pytest.raises(XinyongError) as err:
            service.add_matter(
                db_session=db,
                profile=p,
                now=at("2026-03-02"),
                actor=unit_actor(),
                code="x",
                name="x",
                kinds=["notification"],
                basis="x",
            )
        assert err.value.code == "not_allowed"
        service.withdraw_matter(
            db_session=db, profile=p, now=at("2026-03-03"), actor=operator(), code="food_license"
        )
        assert _eligible(db, p, sid, matter="food_license", day="2026-03-03").listed is False


def test_natural_person_commitment_and_masking_left_to_read(session_factory: Factory) -> None:
    """A natural person may make a commitment too (every profile's subjects include natural persons)."""
    p = profile("jiangsu")
    with transaction(session_factory) as db:
        sid = _subject(db, ZHANG_SAN, "natural_person")
        c = _make(db, p, sid, kind="public", matter="诚信承诺", public=True)
        assert c.public is True
