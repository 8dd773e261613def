"""Subjects told when a provider submits their information (R-COL-04).

Shenzhen 第二十三条第三款: a natural person is told, in writing or by 数据电文, of the public credit
information a provider submits about them, except legally public information. Nanjing 第五十七条第一款:
a subject is told or reminded when dishonesty information about it is reported. Jiangsu, Jilin and
Henan set no such duty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import amended, at, penalty, person_penalty, provider, ric
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.core.profile import Profile
from xinyong.notices.models import Notice
from xinyong.records import service
from xinyong.records.submission_notices import KIND, needs_notice

SHENZHEN = profiles.get("shenzhen")
NANJING = profiles.get("nanjing")
JIANGSU = profiles.get("jiangsu")

Factory = sessionmaker[Session]


def batch(sf: Factory, profile: Profile, rows: list[dict[str, Any]]) -> service.BatchReport:
    with transaction(sf) as db:
        return service.submit_batch(
            db_session=db, profile=profile, now=at(date(2026, 9, 1)), actor=provider(), rows=rows, name="b"
        )


def commendation(**over: Any) -> dict[str, Any]:
    values = penalty(
        item="commendation", severity=None, procedure=None, document="宁政表〔2026〕3号", data={}
    )
    values.update(over)
    return values


def told(sf: Factory) -> list[tuple[str, str, int]]:
    with transaction(sf) as db:
        return [
            (n.recipient, n.recipient_kind, n.content["record"])
            for n in db.scalars(select(Notice).where(Notice.kind == KIND).order_by(Notice.id))
        ]


def test_shenzhen_23_natural_persons_are_told_companies_are_not(session_factory: Factory) -> None:
    report = batch(
        session_factory,
        SHENZHEN,
        [
            person_penalty(record_id="P1"),
            penalty(record_id="C1"),
            person_penalty(record_id="P2", subject_id=ric(2)),
        ],
    )
    assert report.accepted == 3
    assert told(session_factory) == [
        (ric(1), "subject", report.record_ids[1]),
        (ric(2), "subject", report.record_ids[3]),
    ]
    with transaction(session_factory) as db:
        notice = db.scalars(select(Notice).where(Notice.kind == KIND)).first()
        assert notice is not None and notice.content["cite"] == "深圳 第二十三条第三款"
        assert notice.content["form"] == "书面或者数据电文" and notice.due_on is None


def test_resubmitting_the_same_record_tells_no_one_twice(session_factory: Factory) -> None:
    batch(session_factory, SHENZHEN, [person_penalty(record_id="P1")])
    report = batch(session_factory, SHENZHEN, [person_penalty(record_id="P1")])
    assert report.duplicates == 1
    assert len(told(session_factory)) == 1


def test_nanjing_57_dishonesty_reported_is_told_good_information_is_not(session_factory: Factory) -> None:
    report = batch(
        session_factory,
        NANJING,
        [penalty(record_id="D1"), commendation(record_id="G1"), person_penalty(record_id="D2")],
    )
    assert report.accepted == 3, report.errors
    recipients = [(who, rid) for who, _, rid in told(session_factory)]
    assert recipients == [(penalty()["subject_id"], report.record_ids[1]), (ric(1), report.record_ids[3])]


def test_no_duty_no_notice(session_factory: Factory) -> None:
    batch(session_factory, JIANGSU, [person_penalty(record_id="P1"), penalty(record_id="C1")])
    assert told(session_factory) == []


@pytest.mark.parametrize(
    ("item", "info_class", "kind", "expected"),
    [
        ("admin_penalty", "dishonest", "natural_person", True),
        ("admin_penalty", "dishonest", "legal_person", False),
        ("commendation", "good", "natural_person", False),  # public for natural persons in this copy
    ],
)
def test_shenzhen_23_legally_public_information_is_excepted(
    item: str, info_class: str, kind: str, expected: bool
) -> None:
    def public_commendations(raw: dict[str, Any]) -> None:
        raw["catalog"]["items"]["commendation"]["public"] = ["natural_person", "legal_person"]

    profile = amended(SHENZHEN, public_commendations)
    rule = profile.intake.submission_notice
    assert rule is not None
    assert needs_notice(rule, profile, item, info_class, kind) is expected
