"""Telling subjects that a provider submitted their information (R-COL-04).

Shenzhen 第二十三条第三款: a provider submitting a natural person's public credit information tells the
person in writing or by 数据电文, except legally public information. Nanjing 第五十七条第一款: a provider
reporting dishonesty information tells or reminds the subject. The profile's
`[intake.submission_notice]` says who is told of what; the platform sends each notice through the
outbox on the provider's behalf, once per accepted record, in the batch's own transaction.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.standard import standard_catalog
from xinyong.core.profile import Profile, SubmissionNotice
from xinyong.notices import service as notices_service
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

KIND = "record.submitted"


@cache
def _item_names() -> dict[str, str]:
    return {code: item.name for code, item in standard_catalog().items.items()}


def needs_notice(rule: SubmissionNotice, profile: Profile, item: str, info_class: str, kind: str) -> bool:
    """Pure: whether a record of `item` (class `info_class`) on a subject of `kind` is to be told."""
    if kind not in rule.kinds or info_class not in rule.classes:
        return False
    return not (rule.except_public and kind in profile.item_scope(item, "public"))


def notify_subjects(*, db_session: Session, profile: Profile, now: datetime, batch_id: int) -> int:
    """One notice per record the batch stored that the profile says the subject must be told of."""
    rule = profile.intake.submission_notice
    if rule is None:
        return 0
    rows = db_session.execute(
        select(
            Record.id,
            Record.item,
            Record.info_class,
            Record.provider,
            Subject.id,
            Subject.identifier,
            Subject.kind,
        )
        .join(Subject, Subject.id == Record.subject_id)
        .where(Record.batch_id == batch_id, Subject.kind.in_(rule.kinds), Record.info_class.in_(rule.classes))
        .order_by(Record.id)
    ).all()
    sent = 0
    for record_id, item, info_class, provider, subject_id, identifier, kind in rows:
        if not needs_notice(rule, profile, item, info_class, kind):
            continue
        name = _item_names().get(item, item)
        notices_service.enqueue(
            db_session=db_session,
            now=now,
            jurisdiction=profile.id,
            recipient=identifier,
            recipient_kind="subject",
            kind=KIND,
            subject_id=subject_id,
            case_ref=f"REC-{record_id}",
            content={
                "zh": f"{provider}已向公共信用信息平台报送您的信用信息（{name}，记录编号{record_id}）。"
                "您有权查询本人信用信息，认为信息有误的可以提出异议。",
                "en": f"{provider} submitted your credit information ({item}, record {record_id}) to the "
                "public credit information platform. You may see your own information and object to an "
                "error.",
                "record": record_id,
                "provider": provider,
                "form": rule.form,
                "cite": rule.cite,
            },
            due=None,  # the texts set no time
        )
        sent += 1
    return sent
