"""Issuing, reading and verifying the subject's own credit report (知情权).

A report is what the subject sees through the `self` channel at the moment of issue — every record
with its state, marks, statements, versions and change reasons, its source (R-RPT-01, Jiangsu
第六十三条, Shenzhen 第五十八条, Nanjing 第五十七条, Jilin 第三十四条, Henan 第四十条) — plus who
queried it, when and why, where the profile says reports show that (Nanjing 第五十七条, Henan
第四十条). The content is stored with its SHA-256, numbered, and verifiable by the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.authorizations.models import Authorization
from xinyong.catalog.standard import standard_catalog
from xinyong.core import identifiers
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import SHANGHAI, local_date
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import rules as record_rules
from xinyong.records import service as records_service
from xinyong.records.redaction import shown_data
from xinyong.reports import rules
from xinyong.reports.models import IssuedReport
from xinyong.subjects.models import Subject

PURPOSE = "本人信用报告 / own credit report"
FORMAT = "xinyong.credit-report/1"
LISTINGS_NOTE = "本辖区条例未设名单，或本主体未被列入任何名单。 / No listings."

EVENT_NAMES = {
    "revoked": "撤销、变更或确认无效",
    "deleted": "删除",
    "corrected": "更正",
    "withheld": "不予公开",
    "archived": "转为档案保存",
    "objection": "异议标注",
    "statement": "附注说明",
    "repaired": "信用修复",
    "reorganization": "破产重整标注",
    "suspended": "暂停公示",
}
FEE_NOTES = {
    "free_quota": "本年度免费报告额度内，免费提供。",
    "quota_used": "本年度免费报告额度已用完，本份报告不属于免费提供。",
    "free_unlimited": "依条例规定免费提供。",
    "no_fee_rule": "条例未就本主体的信用报告设定收费或免费规则；平台不收取费用。",
}
SELF = record_rules.Channel.self


def check_may_read(actor: Actor, subject: Subject) -> None:
    """A subject's reports are for the subject itself and for operators."""
    _may_request(actor, subject)


def _may_request(actor: Actor, subject: Subject) -> None:
    """The subject itself (after real-name authentication) or an operator at the counter for it."""
    if actor.role is Role.subject:
        if actor.subject_id != subject.id:
            raise XinyongError("not_allowed", detail="a subject obtains only its own credit report")
        return
    actor.require(Role.operator)


def issue(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: Actor,
    subject: Subject,
    purpose: str | None = None,
) -> IssuedReport:
    """Issue the subject's report now: read, number, price by the profile's quota, hash, store."""
    if now.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware instant")
    _may_request(actor, subject)
    actor.require_jurisdiction(profile.id)
    view = records_service.read_archive(
        db_session=db_session,
        profile=profile,
        now=now,
        actor=actor,
        subject=subject,
        channel=SELF,
        purpose=purpose or PURPOSE,
    )
    # read_archive appended to this jurisdiction's query log, which locks the chain's head row until
    # the transaction ends (audit.service._lock_head): reports of one jurisdiction are issued one at
    # a time, so the sequence and the free count below cannot race. The unique index backs this up.
    year = local_date(now).year
    free_before = db_session.scalar(
        select(func.count())
        .select_from(IssuedReport)
        .where(
            IssuedReport.jurisdiction == profile.id,
            IssuedReport.subject_id == subject.id,
            IssuedReport.year == year,
            IssuedReport.free.is_(True),
        )
    )
    verdict = rules.fee(profile.reports, subject.kind, int(free_before or 0))
    last = db_session.scalar(
        select(func.max(IssuedReport.sequence)).where(
            IssuedReport.jurisdiction == profile.id, IssuedReport.year == year
        )
    )
    sequence = int(last or 0) + 1
    number = rules.number(profile.id, year, sequence)
    content = build_content(
        db_session=db_session,
        profile=profile,
        now=now,
        subject=subject,
        view=view,
        number=number,
        verdict=verdict,
    )
    report = IssuedReport(
        number=number,
        jurisdiction=profile.id,
        year=year,
        sequence=sequence,
        subject_id=subject.id,
        requested_by=actor.username,
        issued_at=now,
        free=verdict.free,
        content_hash=rules.content_hash(content),
        content=content,
    )
    db_session.add(report)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="report.issued",
        subject_id=subject.identifier,
        record_ids=[str(r["id"]) for r in content["records"]],
        details={"number": number, "free": verdict.free, "basis": verdict.basis, "hash": report.content_hash},
    )
    return report


# --------------------------------------------------------------------------- content


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _listings(db_session: Session, profile: Profile, now: datetime, subject: Subject) -> list[dict[str, Any]]:
    """The subject's listings as it sees them itself (every stage), and the organizations' listings
    its archive carries as a responsible person (Jiangsu 第三十二条, Henan 第三十五条 …)."""
    from xinyong.lists import rules as list_rules  # lists build on records and reports stay leaf-ward
    from xinyong.lists import service as lists_service

    out = []
    for listing, via in lists_service.visible_listings(
        db_session=db_session,
        profile=profile,
        now=now,
        subject_id=subject.id,
        channel="self",
        viewer_subject_id=subject.id,
    ):
        seen = lists_service.view(db_session=db_session, profile=profile, now=now, listing=listing, via=via)
        spec = list_rules.spec_of(profile, listing.list_name)
        out.append(
            {
                "id": listing.id,
                "list": listing.list_name,
                "name": spec.name,
                "ground": listing.ground,
                "state": seen.status,
                "reason": seen.state.reason,
                "determining_body": listing.determining_body,
                "decided_at": _instant(listing.decided_at) if listing.decided_at else None,
                "valid_until": _day(listing.valid_until),
                "ended_on": _day(seen.state.ended_on),
                "via_organization": via is not None,
                "cite": spec.cite,
            }
        )
    return out


def build_content(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    subject: Subject,
    view: records_service.ArchiveView,
    number: str,
    verdict: rules.Fee,
) -> dict[str, Any]:
    """The report as plain JSON (dates as ISO text, instants in UTC), exactly what is hashed."""
    reports = profile.reports
    shows_queries = bool(reports and reports.shows_queries)
    return {
        "format": FORMAT,
        "number": number,
        "jurisdiction": profile.id,
        "regulation": profile.meta.title,
        "issued_at": _instant(now),
        "subject": {
            "kind": subject.kind,
            "id_type": subject.id_type,
            "identifier": subject.identifier,
            "name": subject.name,
        },
        "fee": {
            "free": verdict.free,
            "basis": verdict.basis,
            "cite": verdict.cite,
            "free_per_year": verdict.quota,
            "remaining_this_year": verdict.remaining,
            "note": FEE_NOTES[verdict.basis],
        },
        "records": [_record(v, profile) for v in view.records],
        "listings": _listings(db_session, profile, now, subject),
        "listings_note": LISTINGS_NOTE,
        "queries": _queries(db_session, profile, subject) if shows_queries else None,
        "queries_note": (
            f"依{reports.cite}注明信用信息的使用、查询情况。"
            if shows_queries and reports is not None
            else "本辖区条例未要求信用报告注明查询情况；本人可在平台查询“谁查询了我”。"
        ),
    }


def _record(v: records_service.RecordView, profile: Profile) -> dict[str, Any]:
    r = v.record
    standard = standard_catalog().items.get(r.item)
    versions: list[dict[str, Any]] = [
        {
            "version": 1,
            "at": _instant(r.submitted_at),
            "by": r.submitted_by,
            "reason": "归集 / aggregated",
            "document": r.document,
            "data": shown_data(r.data, profile, SELF.value),
        }
    ]
    changes: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    data = dict(r.data)
    for e in v.events:
        base = e.kind.removesuffix(record_rules.END_SUFFIX)
        ended = e.kind.endswith(record_rules.END_SUFFIX)
        changes.append(
            {
                "kind": e.kind,
                "name": EVENT_NAMES.get(base, base) + ("结束" if ended else ""),
                "at": _instant(e.at),
                "by": e.actor,
                "reason": e.reason,
                "document": e.document,
                "effective_on": _day(e.effective_on),
            }
        )
        if e.kind == record_rules.CORRECTED:
            delta = (e.data or {}).get("changes", {})
            data = record_rules.current_data(data, [delta])
            versions.append(
                {
                    "version": len(versions) + 1,
                    "at": _instant(e.at),
                    "by": e.actor,
                    "reason": e.reason,
                    "document": e.document,
                    "changes": shown_data(delta, profile, SELF.value),
                    "data": shown_data(data, profile, SELF.value),
                }
            )
        elif e.kind == "statement":
            statements.append(
                {"at": _instant(e.at), "by": e.actor, "text": (e.data or {}).get("text") or e.reason}
            )
    reasons = [c for c in changes if c["reason"]]
    return {
        "id": r.id,
        "item": r.item,
        "item_name": standard.name if standard else r.item,
        "info_class": r.info_class,
        "provider": r.provider,
        "source": r.source,
        "decided_on": _day(r.decided_on),
        "effective_on": _day(r.effective_on),
        "document": r.document,
        "severity": r.severity,
        "state": v.state,
        "marks": list(v.marks),
        "public_until": _day(v.window.public_until),
        "retained_until": _day(v.window.retained_until),
        "data": shown_data(v.data, profile, SELF.value),
        "statements": statements,
        "versions": versions,
        "changes": changes,
        "change_reason": reasons[-1]["reason"] if reasons else None,
    }


def querier_name(db_session: Session, entry: Any, grantees: dict[str, str]) -> str:
    """Who queried: an authorized querier by its authorization's grantee, others by unit or user."""
    name = entry.actor_org or entry.actor
    if entry.authorization_id:
        key = str(entry.authorization_id)
        if key not in grantees:
            auth = db_session.get(Authorization, int(key)) if key.isdigit() else None
            grantees[key] = auth.grantee if auth is not None else name
        name = grantees[key]
    return str(name)


def _queries(db_session: Session, profile: Profile, subject: Subject) -> list[dict[str, Any]]:
    """Every non-public look-up by others, oldest first; the subject's own look-ups are left out."""
    grantees: dict[str, str] = {}
    out = []
    for entry in reversed(
        audit.queries_of_subject(db_session=db_session, chain=profile.id, subject_id=subject.identifier)
    ):
        if entry.channel == SELF.value:
            continue
        out.append(
            {
                "at": _instant(entry.at),
                "querier": querier_name(db_session, entry, grantees),
                "channel": entry.channel,
                "purpose": entry.purpose,
                "authorization": entry.authorization_id,
                "records": list(entry.record_ids or []),
            }
        )
    return out


# --------------------------------------------------------------------------- reading and verifying


def get_or_raise(*, db_session: Session, number: str) -> IssuedReport:
    """The issued report with this number (check digits checked first: a mistyped number is unknown)."""
    parsed = rules.parse_number(number)
    if parsed is None:
        raise XinyongError("unknown_report", detail=number, field="number")
    report = db_session.scalars(
        select(IssuedReport).where(IssuedReport.number == number.strip().upper())
    ).first()
    if report is None:
        raise XinyongError("unknown_report", detail=number, field="number")
    return report


def read(*, db_session: Session, actor: Actor, number: str) -> IssuedReport:
    """The full report, for its subject or an operator."""
    report = get_or_raise(db_session=db_session, number=number)
    subject = db_session.get(Subject, report.subject_id)
    assert subject is not None
    _may_request(actor, subject)
    actor.require_jurisdiction(report.jurisdiction)
    return report


@dataclass(frozen=True)
class Verification:
    number: str
    jurisdiction: str
    issued_at: datetime
    subject: str  # masked for natural persons: a verifier learns no more than it holds
    subject_name: str
    content_hash: str
    intact: bool  # the stored content still hashes to the stored hash
    matches: bool | None  # the presented hash equals it (None: nothing presented)


def verify(*, db_session: Session, number: str, presented_hash: str | None = None) -> Verification:
    """Whether the platform issued this number, and (given a hash) whether a copy is unaltered."""
    report = get_or_raise(db_session=db_session, number=number)
    subject = db_session.get(Subject, report.subject_id)
    assert subject is not None
    return Verification(
        number=report.number,
        jurisdiction=report.jurisdiction,
        issued_at=report.issued_at,
        subject=identifiers.mask(subject.identifier, subject.kind, subject.id_type),
        subject_name=identifiers.mask_name(subject.name, subject.kind),
        content_hash=report.content_hash,
        intact=rules.content_hash(report.content) == report.content_hash,
        matches=None if presented_hash is None else presented_hash.strip().lower() == report.content_hash,
    )


def of_subject(*, db_session: Session, jurisdiction: str, subject_id: int) -> list[IssuedReport]:
    return list(
        db_session.scalars(
            select(IssuedReport)
            .where(IssuedReport.jurisdiction == jurisdiction, IssuedReport.subject_id == subject_id)
            .order_by(IssuedReport.issued_at, IssuedReport.id)
        )
    )


def local_time(at_text: str) -> str:
    """An instant of the content as Beijing time for display (e.g. 2026-03-02 09:00)."""
    return datetime.fromisoformat(at_text).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
