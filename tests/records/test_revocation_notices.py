"""A revoked record's receiving units are told to stop using it (R-PLT-05, R-REV-04)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import at, government, penalty, provider, uscc
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.notices.models import Notice
from xinyong.records import rules, service
from xinyong.subjects import service as subjects_service

HENAN = profiles.get("henan")
ZHENGZHOU = "郑州市市场监督管理局"
GOV = "郑州市发展和改革委员会"


def test_henan_revocation_notifies_the_units_that_received_the_record(
    session_factory: sessionmaker[Session],
) -> None:
    """Henan 第四十二条: the government unit that read the record gets a `record.revoked` notice; the
    public reader and a unit that never saw the record get none."""
    company = uscc(7, division="410105")
    with transaction(session_factory) as db:
        record, _ = service.submit(
            db_session=db,
            profile=HENAN,
            now=at(date(2026, 4, 13)),
            actor=provider(ZHENGZHOU),
            values=penalty(subject_id=company, provider=ZHENGZHOU, document="郑市监罚〔2026〕377号"),
        )
    with transaction(session_factory) as db:
        subject = subjects_service.get_by_identifier_or_raise(db_session=db, identifier=company)
        view = service.read_archive(
            db_session=db,
            profile=HENAN,
            now=at(date(2026, 4, 14)),
            actor=government(GOV),
            subject=subject,
            channel=rules.Channel.government,
            purpose="行政许可审查",
        )
        assert [v.record.id for v in view.records] == [record.id]
    with transaction(session_factory) as db:
        service.revoke(
            db_session=db,
            profile=HENAN,
            now=at(date(2026, 4, 30)),
            actor=provider(ZHENGZHOU),
            record_id=record.id,
            document="郑州市中级人民法院（2026）豫01行终12号",
        )
    with transaction(session_factory) as db:
        notices = db.scalars(select(Notice).where(Notice.kind == "record.revoked")).all()
        assert [(n.recipient, n.recipient_kind, n.case_ref) for n in notices] == [
            (GOV, "sharing_unit", f"REV-{record.id}")
        ]
        assert notices[0].due_on is None  # 及时 (promptly): no computable day
        assert notices[0].content["cite"] == "河南 第四十二条"
        assert "撤销" in notices[0].content["zh"]
