"""Who reports a revoked decision, and the provider's own time to report it (R-REV-01).

Jiangsu 第六十五条: the provider tells the platform within five working days from the day the revoking,
changing or voiding document takes effect. Nanjing 第五十九条: the unit that revoked (撤销单位) may push
the change itself. Elsewhere only the record's provider (or an operator) reports.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import OTHER_PROVIDER, at, government, operator, penalty, provider
from xinyong.audit.models import AuditEntry
from xinyong.calendar import service as calendar_service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import service

JIANGSU = profiles.get("jiangsu")
NANJING = profiles.get("nanjing")
HENAN = profiles.get("henan")

Factory = sessionmaker[Session]


def submit(sf: Factory, profile: Profile) -> int:
    with transaction(sf) as db:
        record, _ = service.submit(
            db_session=db, profile=profile, now=at(date(2026, 9, 1)), actor=provider(), values=penalty()
        )
        return record.id


def revoke(
    sf: Factory,
    record_id: int,
    profile: Profile,
    day: date,
    *,
    actor: Actor | None = None,
    effective_on: date | None = None,
    document: str | None = "撤销决定书",
) -> service.ProviderNotice | None:
    """Report the revocation; the provider's deadline and lateness as read back."""
    with transaction(sf) as db:
        event = service.revoke(
            db_session=db,
            profile=profile,
            now=at(day, 16),
            actor=actor or provider(),
            record_id=record_id,
            document=document,
            document_effective_on=effective_on,
        )
        return service.provider_notices(db, profile, [event]).get(event.id)


def test_jiangsu_65_provider_due_five_working_days_across_national_day(session_factory: Factory) -> None:
    """Document effective Monday 2026-09-28: 09-29, 09-30, 10-08, 10-09 and the working Saturday 10-10."""
    with transaction(session_factory) as db:
        calendar = calendar_service.get_calendar(db_session=db)
    due = service.provider_notice_due(JIANGSU, calendar, date(2026, 9, 28))
    assert due is not None and (due.due, due.provisional) == (date(2026, 10, 10), False)


def test_jiangsu_65_reported_on_the_last_day_is_on_time(session_factory: Factory) -> None:
    rid = submit(session_factory, JIANGSU)
    notice = revoke(session_factory, rid, JIANGSU, date(2026, 10, 10), effective_on=date(2026, 9, 28))
    assert notice is not None and (notice.due.due, notice.late) == (date(2026, 10, 10), False)


def test_jiangsu_65_reported_the_next_working_day_is_late_and_still_takes_effect(
    session_factory: Factory,
) -> None:
    rid = submit(session_factory, JIANGSU)
    notice = revoke(session_factory, rid, JIANGSU, date(2026, 10, 12), effective_on=date(2026, 9, 28))
    assert notice is not None and (notice.due.due, notice.late) == (date(2026, 10, 10), True)
    with transaction(session_factory) as db:
        record = service.get_or_raise(db_session=db, record_id=rid)
        assert service.record_status(
            db_session=db, profile=JIANGSU, now=at(date(2026, 10, 12), 17), record=record
        ) == ("revoked")
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "record.revoked")).one()
        assert entry.details["document_effective_on"] == "2026-09-28"
        assert entry.details["reported_by"] == "provider"


def test_no_provider_deadline_without_the_documents_day_or_where_the_text_says_promptly(
    session_factory: Factory,
) -> None:
    rid = submit(session_factory, JIANGSU)
    assert revoke(session_factory, rid, JIANGSU, date(2026, 10, 12)) is None  # the day was not given
    rid = submit(session_factory, HENAN)  # Henan 第四十二条: 及时, no day count
    assert revoke(session_factory, rid, HENAN, date(2026, 10, 12), effective_on=date(2026, 9, 28)) is None


def test_a_revoking_document_cannot_take_effect_after_the_report(session_factory: Factory) -> None:
    rid = submit(session_factory, JIANGSU)
    with pytest.raises(XinyongError) as refused:
        revoke(session_factory, rid, JIANGSU, date(2026, 10, 12), effective_on=date(2026, 10, 13))
    assert (refused.value.code, refused.value.field) == ("invalid_field", "document_effective_on")


def test_nanjing_59_the_revoking_unit_reports_in_its_own_name_with_its_document(
    session_factory: Factory,
) -> None:
    rid = submit(session_factory, NANJING)
    revoking_unit = government("南京市人民政府行政复议办公室")
    with pytest.raises(XinyongError) as refused:
        revoke(session_factory, rid, NANJING, date(2026, 10, 12), actor=revoking_unit, document=None)
    assert (refused.value.code, refused.value.field) == ("invalid_field", "document")
    revoke(
        session_factory, rid, NANJING, date(2026, 10, 12), actor=revoking_unit, document="宁政复决〔2026〕8号"
    )
    with transaction(session_factory) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "record.revoked")).one()
        assert (entry.actor, entry.details["reported_by"]) == (revoking_unit.username, "revoking_unit")


@pytest.mark.parametrize("profile", [JIANGSU, HENAN], ids=["jiangsu", "henan"])
def test_only_the_provider_or_an_operator_where_the_text_names_no_revoking_unit(
    session_factory: Factory, profile: Profile
) -> None:
    rid = submit(session_factory, profile)
    for actor in (provider(OTHER_PROVIDER), government()):
        with pytest.raises(XinyongError) as refused:
            revoke(session_factory, rid, profile, date(2026, 10, 12), actor=actor)
        assert refused.value.code == "not_allowed"
    revoke(session_factory, rid, profile, date(2026, 10, 12), actor=operator())
