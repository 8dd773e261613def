"""Jiangsu 第六十七条: after repair stops the publication of dishonest information, the credit service
agencies that collected or used it stop using it and take it down — the platform tells each one
that read the record (from the query log), and nobody else."""

from __future__ import annotations

from datetime import date

from repair_helpers import submit
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import agency, at, government, provider, subject_actor
from xinyong.authorizations import service as authorizations
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.notices.models import Notice
from xinyong.records import service as records_service
from xinyong.records.rules import Channel
from xinyong.rights.repair import service
from xinyong.subjects.models import Subject

JIANGSU = profiles.get("jiangsu")
NJ_SAMR = "南京市市场监督管理局"
NJ_COMPANY = "91320102MA1XY81239"
READER, BYSTANDER = "江苏某某信用服务有限公司", "江苏另一信用服务有限公司"

Factory = sessionmaker[Session]


def read(sf: Factory, subject_id: int, day: date, *, by: str, authorized: bool) -> list[int]:
    with transaction(sf) as db:
        subject = db.get(Subject, subject_id)
        assert subject is not None
        grant = None
        if authorized:
            grant = authorizations.grant(
                db_session=db,
                profile=JIANGSU,
                now=at(day),
                actor=subject_actor(subject_id),
                subject=subject,
                grantee=by,
                purpose="商业合作尽职调查",
                until=date(2026, 12, 31),
            )
        view = records_service.read_archive(
            db_session=db,
            profile=JIANGSU,
            now=at(day),
            actor=agency(by) if authorized else government(by),
            subject=subject,
            channel=Channel.authorized if authorized else Channel.government,
            purpose="商业合作尽职调查" if authorized else "依职权查询",
            authorization=grant,
        )
        return [v.record.id for v in view.records]


def test_jiangsu_67_agencies_that_read_the_record_are_told_to_stop_using_it(session_factory: Factory) -> None:
    rid, sid = submit(
        session_factory,
        JIANGSU,
        date(2026, 9, 1),
        subject_id=NJ_COMPANY,
        subject_name="南京某某科技有限公司",
        provider=NJ_SAMR,
        decided_on="2026-08-27",
        document="宁市监罚〔2026〕77号",
    )
    assert rid in read(session_factory, sid, date(2026, 9, 2), by=READER, authorized=True)
    read(session_factory, sid, date(2026, 9, 2), by="南京市发展和改革委员会", authorized=False)
    with transaction(session_factory) as db:
        case = service.apply(
            db_session=db,
            profile=JIANGSU,
            now=at(date(2026, 9, 3)),
            actor=subject_actor(sid),
            record_id=rid,
            measures=["commitment_letter"],
        )
    with transaction(session_factory) as db:
        service.decide(
            db_session=db,
            profile=JIANGSU,
            now=at(date(2026, 9, 10)),
            actor=provider(NJ_SAMR),
            case_id=case.id,
            outcome="approved",
        )
    with transaction(session_factory) as db:
        stop = db.scalars(select(Notice).where(Notice.kind == "repair.stop_use")).all()
        assert [(n.recipient, n.recipient_kind, n.case_ref) for n in stop] == [
            (READER, "sharing_unit", f"REP-{case.id}")
        ]
        assert stop[0].content["cite"] == "江苏 第六十七条"
        assert BYSTANDER not in {n.recipient for n in db.scalars(select(Notice))}
