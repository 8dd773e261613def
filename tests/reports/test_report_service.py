"""The subject's own credit report on SQLite and PostgreSQL: content, quota, queries, number, verification.

Jilin 第三十四条, Henan 第四十条, Nanjing 第五十七条 (free quota, use and query status); R-RPT-01 (source
and change reason of each item: Jiangsu 第六十三条, Shenzhen 第五十八条).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from reports_support import Factory, subject_of, submit, with_reports
from sqlalchemy import select

from factories import agency, at, government, operator, penalty, person_penalty, provider, ric, subject_actor
from xinyong.audit.models import AuditEntry
from xinyong.authorizations import service as authorizations_service
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import service as records_service
from xinyong.records.models import RecordEvent
from xinyong.records.rules import Channel
from xinyong.reports import html, service
from xinyong.reports.models import IssuedReport
from xinyong.subjects.models import Subject

JILIN = with_reports(
    "jilin",
    {"free_per_year": 2, "free_for": ["natural_person"], "shows_queries": False, "cite": "吉林 第三十四条"},
)
HENAN = with_reports(
    "henan",
    {
        "free_per_year": 2,
        "free_for": ["legal_person", "unincorporated_org", "natural_person"],
        "shows_queries": True,
        "cite": "河南 第四十条",
    },
)
NANJING = with_reports(
    "nanjing",
    {
        "free_per_year": "unlimited",
        "free_for": ["natural_person"],
        "shows_queries": True,
        "cite": "南京 第五十七条",
    },
)
JIANGSU_SILENT = with_reports("jiangsu", None)


def issue(sf: Factory, profile: Profile, now: datetime, subject: Subject, actor: Any = None) -> IssuedReport:
    with transaction(sf) as db:
        return service.issue(
            db_session=db,
            profile=profile,
            now=now,
            actor=actor or subject_actor(subject.id),
            subject=subject,
        )


def person(sf: Factory, profile: Profile, provider_name: str = "长春市市场监督管理局") -> tuple[int, Subject]:
    record_id, subject_id = submit(sf, profile, at(date(2026, 3, 3)), person_penalty(provider=provider_name))
    return record_id, subject_of(sf, subject_id)


def test_jilin_34_third_report_in_a_year_is_not_free_and_the_quota_renews_on_1_january(
    session_factory: Factory,
) -> None:
    """Jilin 第三十四条: two free reports a year; counted per calendar year (Beijing time)."""
    _, subject = person(session_factory, JILIN)
    first = issue(session_factory, JILIN, at(date(2026, 3, 5)), subject)
    second = issue(session_factory, JILIN, at(date(2026, 6, 1)), subject)
    third = issue(session_factory, JILIN, datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), subject)
    renewed = issue(session_factory, JILIN, datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI), subject)
    assert [r.free for r in (first, second, third, renewed)] == [True, True, False, True]
    assert [r.content["fee"]["basis"] for r in (first, second, third, renewed)] == [
        "free_quota",
        "free_quota",
        "quota_used",
        "free_quota",
    ]
    assert first.content["fee"]["remaining_this_year"] == 1
    assert third.content["fee"]["cite"] == "吉林 第三十四条"
    assert (third.year, renewed.year) == (2026, 2027)


def test_jilin_34_company_report_free_with_no_fee_rule(session_factory: Factory) -> None:
    """Jilin 第三十四条 speaks of natural persons only: a company's reports follow no fee rule (free)."""
    _, subject_id = submit(session_factory, JILIN, at(date(2026, 3, 3)), penalty())
    subject = subject_of(session_factory, subject_id)
    reports = [issue(session_factory, JILIN, at(date(2026, 3, d)), subject) for d in (4, 5, 6)]
    assert [(r.free, r.content["fee"]["basis"]) for r in reports] == [(True, "no_fee_rule")] * 3


def test_henan_40_company_gets_two_free_reports(session_factory: Factory) -> None:
    """Henan 第四十条: every credit subject, twice a year."""
    _, subject_id = submit(
        session_factory, HENAN, at(date(2026, 3, 3)), penalty(provider="郑州市市场监督管理局")
    )
    subject = subject_of(session_factory, subject_id)
    assert [issue(session_factory, HENAN, at(date(2026, 3, d)), subject).free for d in (4, 5, 6)] == [
        True,
        True,
        False,
    ]


def test_nanjing_57_natural_person_reports_always_free(session_factory: Factory) -> None:
    _, subject = person(session_factory, NANJING, "南京市市场监督管理局")
    reports = [issue(session_factory, NANJING, at(date(2026, 3, d)), subject) for d in (4, 5, 6, 9)]
    assert [(r.free, r.content["fee"]["basis"]) for r in reports] == [(True, "free_unlimited")] * 4


def test_silent_profile_report_is_free_with_no_fee_rule(session_factory: Factory) -> None:
    _, subject_id = submit(
        session_factory, JIANGSU_SILENT, at(date(2026, 3, 3)), penalty(provider="南京市市场监督管理局")
    )
    subject = subject_of(session_factory, subject_id)
    report = issue(session_factory, JIANGSU_SILENT, at(date(2026, 3, 4)), subject)
    assert report.content["fee"] == {
        "free": True,
        "basis": "no_fee_rule",
        "cite": None,
        "free_per_year": None,
        "remaining_this_year": None,
        "note": service.FEE_NOTES["no_fee_rule"],
    }
    assert report.content["queries"] is None


def test_report_shows_state_marks_statements_versions_and_change_reasons(session_factory: Factory) -> None:
    """R-RPT-01: source and change reason of each item; every version kept (Jiangsu 第六十三条)."""
    record_id, subject = person(session_factory, JILIN)
    with transaction(session_factory) as db:
        db.add_all(
            [
                RecordEvent(
                    record_id=record_id,
                    kind="corrected",
                    at=at(date(2026, 3, 10)),
                    actor="长春市市场监督管理局",
                    reason="罚款金额录入错误",
                    document="更正决定〔2026〕1号",
                    data={"changes": {"fine_amount": "3000"}, "case": "OBJ-1"},
                ),
                RecordEvent(
                    record_id=record_id,
                    kind="statement",
                    at=at(date(2026, 3, 11)),
                    actor="subject:1",
                    reason=None,
                    data={"text": "已全额缴纳罚款", "case": "STM-1"},
                ),
                RecordEvent(
                    record_id=record_id,
                    kind="objection",
                    at=at(date(2026, 3, 12)),
                    actor="platform",
                    reason="异议申请受理",
                    data={"case": "OBJ-2"},
                ),
            ]
        )
    report = issue(session_factory, JILIN, at(date(2026, 3, 13)), subject)
    (item,) = report.content["records"]
    assert (item["id"], item["item"], item["item_name"]) == (record_id, "admin_penalty", "行政处罚信息")
    assert (item["provider"], item["source"], item["state"]) == ("长春市市场监督管理局", "public", "active")
    assert item["marks"] == ["statement", "objection"]
    assert item["data"] == {"fine_amount": "3000"}
    assert item["statements"] == [
        {"at": "2026-03-11T01:00:00+00:00", "by": "subject:1", "text": "已全额缴纳罚款"}
    ]
    assert [(v["version"], v["reason"], v["data"]) for v in item["versions"]] == [
        (1, "归集 / aggregated", {"fine_amount": "5000"}),
        (2, "罚款金额录入错误", {"fine_amount": "3000"}),
    ]
    assert item["versions"][1]["changes"] == {"fine_amount": "3000"}
    assert [(c["kind"], c["name"], c["reason"]) for c in item["changes"]] == [
        ("corrected", "更正", "罚款金额录入错误"),
        ("statement", "附注说明", None),
        ("objection", "异议标注", "异议申请受理"),
    ]
    assert item["change_reason"] == "异议申请受理"
    assert report.content["listings"] == [] and report.content["listings_note"]


def test_deleted_record_is_not_in_the_report(session_factory: Factory) -> None:
    record_id, subject = person(session_factory, JILIN)
    with transaction(session_factory) as db:
        db.add(
            RecordEvent(
                record_id=record_id, kind="deleted", at=at(date(2026, 3, 5)), actor="platform", data={}
            )
        )
    assert issue(session_factory, JILIN, at(date(2026, 3, 5), 10), subject).content["records"] == []


def test_henan_40_report_lists_who_queried_when_and_why(session_factory: Factory) -> None:
    """Henan 第四十条: 提供信用报告应当注明信用信息的使用、查询情况. The subject's own reads are left out."""
    record_id, subject_id = submit(
        session_factory, HENAN, at(date(2026, 3, 3)), person_penalty(provider="郑州市市场监督管理局")
    )
    subject = subject_of(session_factory, subject_id)
    with transaction(session_factory) as db:
        auth = authorizations_service.grant(
            db_session=db,
            profile=HENAN,
            now=at(date(2026, 3, 4)),
            actor=subject_actor(subject.id),
            subject=subject,
            grantee="某某信用服务有限公司",
            purpose="个人经营贷款审批",
            until=date(2026, 12, 31),
            items=None,
        )
    reads = [
        (at(date(2026, 3, 5)), agency(), Channel.authorized, None, auth),
        (
            at(date(2026, 3, 6)),
            government("郑州市发展和改革委员会"),
            Channel.government,
            "政府采购审查",
            None,
        ),
        (at(date(2026, 3, 7)), subject_actor(subject.id), Channel.self, None, None),
    ]
    for now, actor, channel, purpose, authorization in reads:
        with transaction(session_factory) as db:
            records_service.read_archive(
                db_session=db,
                profile=HENAN,
                now=now,
                actor=actor,
                subject=subject,
                channel=channel,
                purpose=purpose,
                authorization=authorization,
            )
    report = issue(session_factory, HENAN, at(date(2026, 3, 9)), subject)
    assert report.content["queries"] == [
        {
            "at": "2026-03-05T01:00:00+00:00",
            "querier": "某某信用服务有限公司",
            "channel": "authorized",
            "purpose": "个人经营贷款审批",
            "authorization": str(auth.id),
            "records": [str(record_id)],
        },
        {
            "at": "2026-03-06T01:00:00+00:00",
            "querier": "郑州市发展和改革委员会",
            "channel": "government",
            "purpose": "政府采购审查",
            "authorization": None,
            "records": [str(record_id)],
        },
    ]


def test_only_the_subject_or_an_operator_obtains_the_report(session_factory: Factory) -> None:
    _, subject = person(session_factory, JILIN)
    _, other_id = submit(
        session_factory, JILIN, at(date(2026, 3, 3)), person_penalty(subject_id=ric(3), subject_name="李四")
    )
    for actor in (subject_actor(other_id), provider(), government(), agency()):
        with pytest.raises(XinyongError) as exc:
            issue(session_factory, JILIN, at(date(2026, 3, 4)), subject, actor)
        assert exc.value.code in ("not_allowed", "forbidden_channel")
    assert issue(session_factory, JILIN, at(date(2026, 3, 4)), subject, operator()).free is True


def test_reports_are_numbered_per_year_and_verifiable(session_factory: Factory) -> None:
    _, subject = person(session_factory, JILIN)
    reports = [issue(session_factory, JILIN, at(date(2026, 3, d)), subject) for d in (4, 5)]
    assert [r.number for r in reports] == ["JILIN-2026-000001-23", "JILIN-2026-000002-20"]
    with transaction(session_factory) as db:
        checked = service.verify(
            db_session=db, number="jilin-2026-000002-20", presented_hash=reports[1].content_hash
        )
        wrong = service.verify(db_session=db, number=reports[1].number, presented_hash="0" * 64)
        plain = service.verify(db_session=db, number=reports[0].number)
    assert (checked.intact, checked.matches, checked.subject, checked.subject_name) == (
        True,
        True,
        "3201**********0017",
        "张*",
    )
    assert (wrong.intact, wrong.matches) == (True, False)
    assert (plain.intact, plain.matches, plain.content_hash) == (True, None, reports[0].content_hash)
    for number in ("JILIN-2026-000009-xx", "JILIN-2026-000002-21", "JILIN-2026-000003-17"):
        with transaction(session_factory) as db, pytest.raises(XinyongError) as exc:
            service.verify(db_session=db, number=number)
        assert exc.value.code == "unknown_report"


def test_an_altered_stored_report_no_longer_verifies(session_factory: Factory) -> None:
    _, subject = person(session_factory, JILIN)
    report = issue(session_factory, JILIN, at(date(2026, 3, 4)), subject)
    with transaction(session_factory) as db:
        row = db.get(IssuedReport, report.id)
        assert row is not None
        row.content = {**row.content, "records": []}
    with transaction(session_factory) as db:
        assert service.verify(db_session=db, number=report.number).intact is False


def test_issuing_is_audited_and_logged_as_a_self_query(session_factory: Factory) -> None:
    record_id, subject = person(session_factory, JILIN)
    report = issue(session_factory, JILIN, at(date(2026, 3, 4)), subject)
    with transaction(session_factory) as db:
        entries = db.scalars(
            select(AuditEntry).where(AuditEntry.subject_id == subject.identifier).order_by(AuditEntry.seq)
        ).all()
    assert [(e.kind, e.channel, e.action) for e in entries] == [
        ("query", "self", None),
        ("event", None, "report.issued"),
    ]
    assert entries[1].details["number"] == report.number
    assert entries[1].record_ids == [str(record_id)]


def test_html_is_escaped_chinese_and_carries_number_and_hash(session_factory: Factory) -> None:
    _, subject_id = submit(
        session_factory,
        JILIN,
        at(date(2026, 3, 3)),
        person_penalty(data={"fine_amount": "5000", "violation": "<script>alert(1)</script>"}),
    )
    subject = subject_of(session_factory, subject_id)
    for d in (4, 5, 6):
        report = issue(session_factory, JILIN, at(date(2026, 3, d)), subject)
    page = html.render(report.content, report.content_hash)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert report.number in page and report.content_hash in page
    assert "非免费" in page and "吉林 第三十四条" in page
    assert "行政处罚信息" in page and "长春市市场监督管理局" in page and "张三" in page
