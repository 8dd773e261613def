"""Records service on real SQLite and PostgreSQL: submission batches, revocation, archive reads.

Each use case runs in one `transaction(session_factory)`, as the API and the CLI do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import (
    OTHER_PROVIDER,
    PROVIDER,
    agency,
    at,
    government,
    license_,
    operator,
    penalty,
    person_penalty,
    provider,
    ric,
    subject_actor,
    uscc,
    wrong_check,
)
from xinyong.audit.models import AuditEntry
from xinyong.authorizations import service as authorizations
from xinyong.calendar import service as calendar_service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import service
from xinyong.records.models import Batch, Record, RecordEvent
from xinyong.records.rules import Channel
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import ResponsiblePerson, Subject

JILIN = profiles.get("jilin")
HENAN = profiles.get("henan")
JIANGSU = profiles.get("jiangsu")
SHENZHEN = profiles.get("shenzhen")
NANJING = profiles.get("nanjing")

T0 = at(date(2026, 3, 2))

Factory = sessionmaker[Session]


def batch(
    sf: Factory,
    rows: list[dict[str, Any]],
    *,
    profile: Profile = JILIN,
    actor: Actor | None = None,
    now: Any = T0,
    name: str | None = "test.xlsx",
) -> service.BatchReport:
    with transaction(sf) as db:
        return service.submit_batch(
            db_session=db, profile=profile, now=now, actor=actor or provider(), rows=rows, name=name
        )


def submit(sf: Factory, values: dict[str, Any], *, profile: Profile = JILIN, now: Any = T0) -> int:
    with transaction(sf) as db:
        record, _ = service.submit(
            db_session=db, profile=profile, now=now, actor=provider(values["provider"]), values=values
        )
        return record.id


def count(sf: Factory, model: type, *where: Any) -> int:
    with transaction(sf) as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def report_errors(report: service.BatchReport) -> list[tuple[int | None, str | None, str]]:
    return [(e.get("row"), e.get("field"), e["code"]) for e in report.errors]


def subject_of(sf: Factory, identifier: str) -> Subject:
    with transaction(sf) as db:
        found = subjects_service.find(db_session=db, identifier=identifier)
        assert found is not None
        return found


# --------------------------------------------------------------------------- submit_batch


def test_batch_keeps_good_rows_and_reports_bad_ones_by_row_and_field(session_factory: Factory) -> None:
    rows = [
        penalty(),
        penalty(subject_id=wrong_check(uscc(2))),
        penalty(subject_id=uscc(3), document="长市监罚〔2026〕14号"),
        person_penalty(data={"血型": "A"}),
        penalty(item="行政许可", document=None),
    ]
    report = batch(session_factory, rows)
    assert (report.total, report.accepted, report.duplicates, report.rejected) == (5, 2, 0, 3)
    assert report_errors(report) == [
        (2, "subject_id", "invalid_identifier"),
        (4, "data.blood_type", "prohibited_data"),
        (5, "document", "missing_field"),
    ]
    assert set(report.record_ids) == {1, 3}
    assert count(session_factory, Record) == 2
    with transaction(session_factory) as db:
        stored = db.get(Batch, report.batch_id)
        assert stored is not None
        assert (stored.total, stored.accepted, stored.duplicates, stored.rejected) == (5, 2, 0, 3)
        assert [(e["row"], e["code"]) for e in stored.errors] == [
            (2, "invalid_identifier"),
            (4, "prohibited_data"),
            (5, "missing_field"),
        ]
        assert stored.errors[0]["message_zh"].startswith("第2行")


def test_batch_report_and_audit_event_saved_together(session_factory: Factory) -> None:
    report = batch(session_factory, [penalty(), penalty(subject_id="x")])
    with transaction(session_factory) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "batch.submitted")).one()
    assert entry.chain == "jilin"
    assert entry.details == {
        "batch": report.batch_id,
        "name": "test.xlsx",
        "total": 2,
        "accepted": 1,
        "duplicates": 0,
        "rejected": 1,
    }


def test_batch_rolled_back_loses_report_records_and_audit_event(session_factory: Factory) -> None:
    with pytest.raises(RuntimeError), transaction(session_factory) as db:
        service.submit_batch(
            db_session=db, profile=JILIN, now=T0, actor=provider(), rows=[penalty()], name=None
        )
        raise RuntimeError("the request failed after the batch")
    assert count(session_factory, Batch) == 0
    assert count(session_factory, Record) == 0
    assert count(session_factory, AuditEntry) == 0


def test_resubmission_by_record_id_across_batches_is_stored_once(session_factory: Factory) -> None:
    first = batch(session_factory, [penalty(record_id="R-1")])
    again = batch(session_factory, [penalty(record_id="R-1", data={"fine_amount": "6000"})])
    assert (again.accepted, again.duplicates, again.rejected) == (0, 1, 0)
    assert again.record_ids == {1: first.record_ids[1]}
    assert count(session_factory, Record) == 1


def test_resubmission_by_record_id_within_one_batch(session_factory: Factory) -> None:
    report = batch(
        session_factory, [penalty(record_id="R-1"), penalty(record_id="R-1", decided_on="2026-03-03")]
    )
    assert (report.total, report.accepted, report.duplicates) == (2, 1, 1)
    assert report.record_ids[1] == report.record_ids[2]
    assert count(session_factory, Record) == 1


def test_resubmission_by_natural_key_same_document(session_factory: Factory) -> None:
    """Without record_id: same item, subject, document and decision date is the same record."""
    first = batch(session_factory, [penalty()])
    # the same identifier pasted with full-width characters and spaces
    same = penalty(subject_id=" ".join(uscc(1)).translate({ord("9"): "９", ord("1"): "１"}))
    again = batch(session_factory, [same, penalty()])
    assert (again.accepted, again.duplicates) == (0, 2)
    assert again.record_ids == {1: first.record_ids[1], 2: first.record_ids[1]}
    twice = penalty(document="长市监罚〔2026〕99号")
    other = batch(session_factory, [twice, dict(twice)])  # a new record twice in one batch
    assert (other.accepted, other.duplicates) == (1, 1)
    assert other.record_ids[1] == other.record_ids[2] != first.record_ids[1]
    assert count(session_factory, Record) == 2


def test_same_record_id_from_another_provider_is_another_record(session_factory: Factory) -> None:
    batch(session_factory, [penalty(record_id="R-1")])
    report = batch(
        session_factory, [penalty(record_id="R-1", provider=OTHER_PROVIDER)], actor=provider(OTHER_PROVIDER)
    )
    assert report.accepted == 1
    assert count(session_factory, Record) == 2


def test_subject_registered_as_another_kind_is_refused(session_factory: Factory) -> None:
    batch(session_factory, [penalty()])
    with pytest.raises(XinyongError) as exc, transaction(session_factory) as db:
        service.submit(
            db_session=db,
            profile=JILIN,
            now=T0,
            actor=provider(),
            values=penalty(subject_kind="unincorporated_org", document="长市监罚〔2026〕15号"),
        )
    assert (exc.value.code, exc.value.field) == ("subject_mismatch", "subject_kind")
    assert subject_of(session_factory, uscc(1)).kind == "legal_person"


def test_subject_mismatch_rejects_that_row_only(session_factory: Factory) -> None:
    batch(session_factory, [penalty()])
    rows = [
        penalty(document="长市监罚〔2026〕20号"),
        penalty(subject_kind="unincorporated_org", document="长市监罚〔2026〕21号"),
        penalty(subject_id=uscc(2), document="长市监罚〔2026〕22号"),
    ]
    report = batch(session_factory, rows)
    assert report_errors(report) == [(2, "subject_kind", "subject_mismatch")]
    assert (report.total, report.accepted, report.rejected) == (3, 2, 1)
    assert set(report.record_ids) == {1, 3}


def test_new_identifier_takes_the_kind_of_its_first_row_in_the_batch(session_factory: Factory) -> None:
    rows = [penalty(subject_id=uscc(7)), penalty(subject_id=uscc(7), subject_kind="unincorporated_org")]
    report = batch(session_factory, rows)
    assert report_errors(report) == [(2, "subject_kind", "subject_mismatch")]
    assert set(report.record_ids) == {1}
    assert subject_of(session_factory, uscc(7)).kind == "legal_person"


def test_provider_cannot_submit_for_another_provider(session_factory: Factory) -> None:
    report = batch(
        session_factory, [penalty(provider=OTHER_PROVIDER), penalty(document="长市监罚〔2026〕2号")]
    )
    assert report_errors(report) == [(1, "provider", "not_allowed")]
    assert (report.accepted, report.rejected) == (1, 1)
    with transaction(session_factory) as db:
        assert db.scalars(select(Record.provider)).all() == [PROVIDER]


def test_provider_unit_submits_in_its_own_name(session_factory: Factory) -> None:
    report = batch(session_factory, [penalty(provider=None)])
    assert report.accepted == 1
    with transaction(session_factory) as db:
        assert db.scalars(select(Record.provider)).one() == PROVIDER


def test_operator_may_name_the_provider_government_may_not_submit(session_factory: Factory) -> None:
    assert batch(session_factory, [penalty(provider=OTHER_PROVIDER)], actor=operator()).accepted == 1
    with pytest.raises(XinyongError) as exc:
        batch(session_factory, [penalty()], actor=government())
    assert exc.value.code == "not_allowed"


def test_submit_raises_the_first_error_and_carries_them_all(session_factory: Factory) -> None:
    with pytest.raises(XinyongError) as exc, transaction(session_factory) as db:
        service.submit(
            db_session=db,
            profile=HENAN,
            now=T0,
            actor=provider(),
            values=person_penalty(procedure="simple", provider=PROVIDER, data={"指纹": "x"}),
        )
    assert (exc.value.code, exc.value.field) == ("prohibited_data", "data.fingerprints")
    assert [e["code"] for e in exc.value.extra["errors"]] == ["prohibited_data", "not_reportable"]


def test_submit_is_idempotent_and_says_whether_it_created(session_factory: Factory) -> None:
    with transaction(session_factory) as db:
        first, created = service.submit(
            db_session=db, profile=JILIN, now=T0, actor=provider(), values=penalty()
        )
        again, created_again = service.submit(
            db_session=db, profile=JILIN, now=T0, actor=provider(), values=penalty()
        )
    assert (created, created_again) == (True, False)
    assert first.id == again.id


def test_accepted_record_fields(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty(effective_on="2026-03-20", severity="severe"))
    with transaction(session_factory) as db:
        record = db.get(Record, record_id)
        assert record is not None
        assert (record.jurisdiction, record.item, record.info_class) == (
            "jilin",
            "admin_penalty",
            "dishonest",
        )
        assert (record.decided_on, record.effective_on, record.severity) == (
            date(2026, 3, 2),
            date(2026, 3, 20),
            "severe",
        )
        assert record.submitted_at == T0
        assert record.data == {"fine_amount": "5000"}
        assert record.catalog_version == 1


def test_responsible_persons_linked_from_the_submission(session_factory: Factory) -> None:
    """R-SUB-05 (吉林 第二十八条): the legal representative is linked to the organisation."""
    person = {"role": "legal_representative", "name": "张三", "id": ric(1)}
    batch(session_factory, [penalty(responsible=[person])])
    batch(session_factory, [penalty(responsible=[person], document="长市监罚〔2026〕30号")])  # no second link
    with transaction(session_factory) as db:
        zhang = subjects_service.find(db_session=db, identifier=ric(1))
        assert zhang is not None
        assert (zhang.kind, zhang.id_type, zhang.name, zhang.birth_date) == (
            "natural_person",
            "ric",
            "张三",
            date(1990, 3, 7),
        )
        links = subjects_service.organizations_of(db_session=db, person_id=zhang.id)
        assert [(link.role, org.identifier) for link, org in links] == [("legal_representative", uscc(1))]
    assert count(session_factory, ResponsiblePerson) == 1


def test_responsible_persons_on_a_natural_person_refuse_that_row_only(session_factory: Factory) -> None:
    person = {"role": "principal", "name": "李四", "id": ric(3)}
    report = batch(session_factory, [penalty(), person_penalty(responsible=[person])])
    assert report_errors(report) == [(2, "responsible", "invalid_field")]
    assert report.accepted == 1


# --------------------------------------------------------------------------- revoke


def revoke(
    sf: Factory, record_id: int, *, profile: Profile, day: date, actor: Actor | None = None
) -> RecordEvent:
    with transaction(sf) as db:
        return service.revoke(
            db_session=db,
            profile=profile,
            now=at(day),
            actor=actor or provider(),
            record_id=record_id,
            document="撤销决定书",
            reason="复议撤销",
        )


def due_of(sf: Factory, record_id: int, profile: Profile, *, now: Any = None) -> tuple[date, bool] | None:
    """The platform's deadline for the record's revocation, as a provider-channel read shows it."""
    with transaction(sf) as db:
        record = db.get(Record, record_id)
        assert record is not None
        subject = db.get(Subject, record.subject_id)
        assert subject is not None
        view = service.read_archive(
            db_session=db,
            profile=profile,
            now=now or at(date(2026, 12, 31)),
            actor=operator(),
            subject=subject,
            channel=Channel.provider,
        )
        [shown] = [v for v in view.records if v.record.id == record_id]
        [event] = [e for e in shown.events if e.kind == "revoked"]
        due = shown.due.get(event.id)
        return (due.due, due.provisional) if due else None


@pytest.mark.parametrize(
    ("day", "due"),
    [(date(2026, 4, 29), date(2026, 4, 30)), (date(2026, 4, 30), date(2026, 5, 6))],
)
def test_henan_42_platform_revokes_within_one_working_day_across_labour_day(
    session_factory: Factory, day: date, due: date
) -> None:
    """河南 第四十二条: 收到更新信息之日起一个工作日内; 2026-05-01..05 is the Labour Day holiday."""
    record_id = submit(session_factory, penalty(), profile=HENAN)
    event = revoke(session_factory, record_id, profile=HENAN, day=day)
    assert event.data == {
        "effect": "revoke",
        "reported_by": "provider",
        "unit": PROVIDER,
        "document_effective_on": None,
    }
    assert due_of(session_factory, record_id, HENAN) == (due, False)


@pytest.mark.parametrize(
    ("day", "due"),
    [(date(2026, 4, 29), date(2026, 5, 6)), (date(2026, 4, 30), date(2026, 5, 7))],
)
def test_jiangsu_65_platform_acts_within_two_working_days(
    session_factory: Factory, day: date, due: date
) -> None:
    """江苏 第六十五条: 两个工作日内撤销或者变更."""
    record_id = submit(session_factory, penalty(), profile=JIANGSU)
    revoke(session_factory, record_id, profile=JIANGSU, day=day)
    assert due_of(session_factory, record_id, JIANGSU) == (due, False)


def test_jiangsu_65_deadline_in_an_unknown_year_is_provisional(session_factory: Factory) -> None:
    """SCENARIOS.md: a year without a loaded schedule counts Monday–Friday and says so."""
    record_id = submit(session_factory, penalty(), profile=JIANGSU)
    revoke(session_factory, record_id, profile=JIANGSU, day=date(2027, 3, 5))  # a Friday
    assert due_of(session_factory, record_id, JIANGSU, now=at(date(2027, 3, 5))) == (date(2027, 3, 9), True)


def test_henan_42_deadline_crossing_into_an_unknown_year_recomputed_once_loaded(
    session_factory: Factory,
) -> None:
    """SCENARIOS.md: once that year's schedule is loaded, provisional deadlines are recomputed."""
    record_id = submit(session_factory, penalty(), profile=HENAN)
    revoke(session_factory, record_id, profile=HENAN, day=date(2026, 12, 31))
    assert due_of(session_factory, record_id, HENAN) == (date(2027, 1, 1), True)  # a Friday, counted blind
    with transaction(session_factory) as db:
        calendar_service.load_schedule(
            db_session=db, holidays=[date(2027, 1, 1)], workdays=[], years=[2027], source="测试通知", now=T0
        )
    assert due_of(session_factory, record_id, HENAN) == (date(2027, 1, 4), False)


def test_jilin_silent_on_revocation_no_deadline(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty())
    revoke(session_factory, record_id, profile=JILIN, day=date(2026, 4, 30))
    assert due_of(session_factory, record_id, JILIN, now=at(date(2026, 4, 30))) is None


@pytest.mark.parametrize(
    ("profile", "due"),
    [(SHENZHEN, date(2026, 5, 8)), (NANJING, date(2026, 5, 8)), (HENAN, date(2026, 5, 6)), (JILIN, None)],
    ids=lambda v: getattr(v, "id", str(v)),
)
def test_revocation_due_per_profile(session_factory: Factory, profile: Profile, due: date | None) -> None:
    """深圳 第三十六条, 南京 第五十九条: 3 WD from 2026-04-30 are 05-06, 05-07, 05-08 (Labour Day off)."""
    with transaction(session_factory) as db:
        calendar = calendar_service.get_calendar(db_session=db)
    deadline = service.revocation_due(profile, calendar, date(2026, 4, 30))
    assert (deadline.due if deadline else None) == due


def test_revoke_twice_is_already_revoked(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty(), profile=HENAN)
    revoke(session_factory, record_id, profile=HENAN, day=date(2026, 4, 1))
    with pytest.raises(XinyongError) as exc:
        revoke(session_factory, record_id, profile=HENAN, day=date(2026, 4, 2))
    assert (exc.value.code, exc.value.field) == ("already_revoked", "record")
    assert count(session_factory, RecordEvent) == 1


def test_revoke_by_another_provider_or_government_not_allowed(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty(), profile=HENAN)
    for actor in (provider(OTHER_PROVIDER), government()):
        with pytest.raises(XinyongError) as exc:
            revoke(session_factory, record_id, profile=HENAN, day=date(2026, 4, 1), actor=actor)
        assert exc.value.code == "not_allowed"
    assert (
        revoke(session_factory, record_id, profile=HENAN, day=date(2026, 4, 1), actor=operator()).kind
        == "revoked"
    )


def test_revoke_record_of_another_jurisdiction_is_unknown(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty(), profile=HENAN)
    with pytest.raises(XinyongError) as exc:
        revoke(session_factory, record_id, profile=JILIN, day=date(2026, 4, 1))
    assert exc.value.code == "unknown_record"


def test_revocation_is_audited_and_changes_the_status(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty(), profile=HENAN)
    revoke(session_factory, record_id, profile=HENAN, day=date(2026, 4, 1))
    with transaction(session_factory) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "record.revoked")).one()
        assert (entry.chain, entry.subject_id, entry.record_ids) == ("henan", uscc(1), [str(record_id)])
        assert entry.details["cite"] == "河南 第四十二条"
        record = db.get(Record, record_id)
        assert record is not None
        assert service.record_status(
            db_session=db, profile=HENAN, now=at(date(2026, 3, 31)), record=record
        ) == ("active")
        assert service.record_status(
            db_session=db, profile=HENAN, now=at(date(2026, 4, 1)), record=record
        ) == ("revoked")


def test_shenzhen_36_revoked_record_reads_revoked_and_is_gone_for_self(session_factory: Factory) -> None:
    """深圳 第三十六条: deleted from the system; its status still says revoked."""
    record_id = submit(session_factory, penalty(), profile=SHENZHEN)
    event = revoke(session_factory, record_id, profile=SHENZHEN, day=date(2026, 4, 30))
    assert event.data["effect"] == "delete"
    day = at(date(2026, 5, 1))
    with transaction(session_factory) as db:
        record = db.get(Record, record_id)
        assert record is not None
        assert service.record_status(db_session=db, profile=SHENZHEN, now=day, record=record) == "revoked"
        subject = db.get(Subject, record.subject_id)
        assert subject is not None
        view = service.read_archive(
            db_session=db,
            profile=SHENZHEN,
            now=day,
            actor=subject_actor(subject.id),
            subject=subject,
            channel=Channel.self,
        )
        assert view.records == []


# --------------------------------------------------------------------------- read_archive


def read(sf: Factory, actor: Actor, channel: Channel, **kw: Any) -> tuple[list[int], list[str]]:
    """(ids of the records seen, their states)."""
    with transaction(sf) as db:
        subject = subjects_service.find(db_session=db, identifier=kw.pop("identifier", uscc(1)))
        assert subject is not None
        kw.setdefault("now", at(date(2026, 4, 1)))
        if "authorization_id" in kw:
            kw["authorization"] = authorizations.get_or_raise(
                db_session=db, authorization_id=kw.pop("authorization_id"), jurisdiction="jilin"
            )
        view = service.read_archive(
            db_session=db,
            profile=kw.pop("profile", JILIN),
            actor=actor,
            subject=subject,
            channel=channel,
            **kw,
        )
        return [v.record.id for v in view.records], [v.state for v in view.records]


def queries(sf: Factory) -> list[AuditEntry]:
    with transaction(sf) as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.kind == "query").order_by(AuditEntry.seq)))


def test_public_read_is_not_logged(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty())
    assert read(session_factory, government(), Channel.public) == ([record_id], ["active"])
    assert queries(session_factory) == []


def test_jiangsu_40_natural_person_public_and_masked_jilin_not_public(session_factory: Factory) -> None:
    """江苏 第四十条第二款: natural persons' penalties public, masked; 吉林 第十八条第三款: not public."""
    jiangsu_id = submit(session_factory, person_penalty(), profile=JIANGSU)
    submit(session_factory, person_penalty())
    with transaction(session_factory) as db:
        zhang = subjects_service.find(db_session=db, identifier=ric(1))
        assert zhang is not None
        views = {
            p.id: service.read_archive(
                db_session=db,
                profile=p,
                now=at(date(2026, 4, 1)),
                actor=government(),
                subject=zhang,
                channel=Channel.public,
            )
            for p in (JIANGSU, JILIN)
        }
    assert ([v.record.id for v in views["jiangsu"].records], views["jiangsu"].masked) == ([jiangsu_id], True)
    assert ([v.record.id for v in views["jilin"].records], views["jilin"].masked) == ([], True)


def test_government_read_is_logged_with_the_records_returned(session_factory: Factory) -> None:
    """吉林 第二十条: 查询情况应当记载 — time, querier, channel, purpose, subject, records."""
    shown = submit(session_factory, penalty())
    submit(session_factory, penalty(document="长市监罚〔2025〕1号", decided_on="2025-01-02"))  # past its year
    now = at(date(2026, 4, 1))
    assert read(session_factory, government(), Channel.government, purpose="行政许可审查", now=now)[0] == [
        shown
    ]
    [entry] = queries(session_factory)
    assert (entry.chain, entry.channel, entry.purpose, entry.subject_id) == (
        "jilin",
        "government",
        "行政许可审查",
        uscc(1),
    )
    assert (entry.actor, entry.actor_org, entry.record_ids, entry.at) == (
        "gov:长春市发展和改革委员会",
        "长春市发展和改革委员会",
        [str(shown)],
        now,
    )


def test_self_read_is_logged_and_shows_state(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty(decided_on="2025-01-02"))
    me = subject_of(session_factory, uscc(1))
    # Jilin deletes at expiry (第十九条第二款): gone for self after 2026-01-02
    assert read(session_factory, subject_actor(me.id), Channel.self, now=at(date(2026, 1, 2))) == (
        [record_id],
        ["active"],
    )
    assert read(session_factory, subject_actor(me.id), Channel.self, now=at(date(2026, 1, 3))) == ([], [])
    assert [e.record_ids for e in queries(session_factory)] == [[str(record_id)], []]


def test_self_read_of_another_subject_not_allowed(session_factory: Factory) -> None:
    submit(session_factory, penalty())
    submit(session_factory, penalty(subject_id=uscc(2)))
    other = subject_of(session_factory, uscc(2))
    with pytest.raises(XinyongError) as exc:
        read(session_factory, subject_actor(other.id), Channel.self)
    assert exc.value.code == "not_allowed"
    assert queries(session_factory) == []


def test_channel_outside_the_role_is_forbidden(session_factory: Factory) -> None:
    submit(session_factory, penalty())
    with pytest.raises(XinyongError) as exc:
        read(session_factory, provider(), Channel.government)
    assert exc.value.code == "forbidden_channel"


def test_as_of_requires_an_operator(session_factory: Factory) -> None:
    submit(session_factory, penalty())
    with pytest.raises(XinyongError) as exc:
        read(session_factory, government(), Channel.government, as_of=at(date(2027, 3, 3)))
    assert exc.value.code == "not_allowed"
    assert read(session_factory, operator(), Channel.public, as_of=at(date(2027, 3, 2)))[1] == ["active"]
    assert read(session_factory, operator(), Channel.public, as_of=at(date(2027, 3, 3))) == ([], [])


def test_authorized_read_names_the_authorization_in_the_log(session_factory: Factory) -> None:
    record_id = submit(session_factory, penalty())
    submit(session_factory, license_())
    me = subject_of(session_factory, uscc(1))
    with transaction(session_factory) as db:
        auth = authorizations.grant(
            db_session=db,
            profile=JILIN,
            now=T0,
            actor=subject_actor(me.id),
            subject=me,
            grantee="某某信用服务有限公司",
            purpose="融资授信审查",
            until=date(2026, 12, 31),
            items=["行政处罚"],
        )
        auth_id = auth.id
    assert read(session_factory, agency(), Channel.authorized, authorization_id=auth_id)[0] == [record_id]
    [entry] = queries(session_factory)
    assert (entry.channel, entry.authorization_id, entry.purpose, entry.record_ids) == (
        "authorized",
        str(auth_id),
        "融资授信审查",
        [str(record_id)],
    )
    with pytest.raises(XinyongError) as exc:
        read(session_factory, agency("另一家信用服务机构"), Channel.authorized, authorization_id=auth_id)
    assert exc.value.code == "not_allowed"


def test_archive_read_limited_to_the_jurisdiction(session_factory: Factory) -> None:
    submit(session_factory, penalty())
    submit(session_factory, penalty(), profile=NANJING)
    ids, _ = read(session_factory, operator(), Channel.provider, profile=NANJING)
    with transaction(session_factory) as db:
        assert db.scalars(select(Record.jurisdiction).where(Record.id.in_(ids))).all() == ["nanjing"]
