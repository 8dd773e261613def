"""API shapes for records: what comes in, and one read shape per audience.

`RecordPublic` is what the portal shows anyone: the subject masked when it is a natural person and
no sensitive data keys. `RecordFull` is for the channels that see the whole record (government,
the subject itself, an authorized querier, the provider): state, window and events included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xinyong.core import identifiers
from xinyong.core.profile import Profile
from xinyong.records.redaction import shown_data
from xinyong.records.service import ArchiveView, RecordView
from xinyong.subjects.models import Subject


class ResponsibleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(
        description="legal_representative / actual_controller / principal / directly_responsible"
    )
    name: str | None = None
    id: str
    id_type: str | None = None


class SubmissionIn(BaseModel):
    """One record as a provider submits it (the platform vocabulary; see docs/ingestion.md).

    Values are taken as given and checked by the engine, so a bad value comes back with the
    engine's own code (`invalid_date`, `invalid_identifier`, ...) and the field it concerns.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "record_id": "长市监罚〔2026〕12号",
                    "item": "admin_penalty",
                    "subject_kind": "legal_person",
                    "subject_id": "91220101MA14XK7Q0T",
                    "subject_name": "长春某某科技有限公司",
                    "decided_on": "2026-03-02",
                    "severity": "general",
                    "procedure": "general",
                    "document": "长市监罚〔2026〕12号",
                }
            ]
        },
    )
    record_id: str | None = Field(None, description="the provider's own id; resubmitting it is idempotent")
    item: str | None = Field(
        None, description="catalog item code or Chinese name, e.g. admin_penalty / 行政处罚"
    )
    subject_kind: str | None = Field(None, description="legal_person / unincorporated_org / natural_person")
    subject_id: str | None = Field(
        None, description="统一社会信用代码, 公民身份号码 or another document number"
    )
    subject_id_type: str | None = None
    subject_name: str | None = None
    provider: str | None = Field(None, description="defaults to the submitting unit")
    provider_code: str | None = None
    source: str | None = Field(None, description="public (default) or market")
    decided_on: str | None = Field(None, description="YYYY-MM-DD")
    effective_on: str | None = None
    severity: str | None = None
    procedure: str | None = None
    document: str | None = None
    valid_until: str | None = None
    disclosure_until: str | None = None
    consent: bool | None = Field(None, description="written consent on file for sensitive personal data")
    data: dict[str, Any] = Field(default_factory=dict)
    responsible: list[ResponsibleIn] = Field(default_factory=list)

    def values(self) -> dict[str, Any]:
        out = self.model_dump(exclude_none=True)
        out["responsible"] = [r.model_dump(exclude_none=True) for r in self.responsible]
        return out


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    rows: list[SubmissionIn] = Field(max_length=10000)


class RowErrorRead(BaseModel):
    row: int | None = None
    field: str | None = None
    code: str
    message_zh: str
    message_en: str
    cite: str | None = None
    detail: str | None = None


class BatchReportRead(BaseModel):
    batch_id: int
    total: int
    accepted: int
    duplicates: int
    rejected: int
    errors: list[RowErrorRead]
    record_ids: dict[int, int] = Field(
        description="row number -> record id, for accepted and resubmitted rows (in the answer to the "
        "submission only: a stored batch keeps its counts and errors, not its rows)"
    )


class SubjectRead(BaseModel):
    kind: str
    id_type: str
    identifier: str
    name: str
    masked: bool

    @classmethod
    def of(cls, subject: Subject, masked: bool) -> SubjectRead:
        if masked:
            return cls(
                kind=subject.kind,
                id_type=subject.id_type,
                masked=True,
                identifier=identifiers.mask(subject.identifier, subject.kind, subject.id_type),
                name=identifiers.mask_name(subject.name, subject.kind),
            )
        return cls(
            kind=subject.kind,
            id_type=subject.id_type,
            identifier=subject.identifier,
            name=subject.name,
            masked=False,
        )


class RecordPublic(BaseModel):
    id: int
    item: str
    info_class: str
    provider: str
    decided_on: date
    document: str | None
    severity: str | None
    public_until: date | None
    marks: list[str]
    data: dict[str, Any]


class EventRead(BaseModel):
    kind: str
    at: datetime
    actor: str
    reason: str | None
    document: str | None
    effective_on: date | None
    due_on: date | None
    due_provisional: bool
    provider_due_on: date | None = Field(
        None, description="revoked: the provider's deadline to report it, from the document's effective day"
    )
    provider_due_provisional: bool = False
    provider_late: bool | None = Field(None, description="revoked: reported after provider_due_on")


class RecordFull(RecordPublic):
    state: str
    catalog_version: int
    source: str
    key: str
    batch_id: int | None
    submitted_at: datetime
    effective_on: date | None
    procedure: str | None
    valid_until: date | None
    retained_until: date | None
    events: list[EventRead]


def record_public(view: RecordView, profile: Profile, channel: str = "public") -> RecordPublic:
    r = view.record
    return RecordPublic(
        id=r.id,
        item=r.item,
        info_class=r.info_class,
        provider=r.provider,
        decided_on=r.decided_on,
        document=r.document,
        severity=r.severity,
        public_until=view.window.public_until,
        marks=view.marks,
        data=shown_data(view.data, profile, channel),
    )


def record_full(view: RecordView, profile: Profile, channel: str) -> RecordFull:
    r = view.record
    return RecordFull(
        **record_public(view, profile, channel).model_dump(),
        state=view.state,
        catalog_version=r.catalog_version,
        source=r.source,
        key=r.key,
        batch_id=r.batch_id,
        submitted_at=r.submitted_at,
        effective_on=r.effective_on,
        procedure=r.procedure,
        valid_until=r.valid_until,
        retained_until=view.window.retained_until,
        events=[
            EventRead(
                kind=e.kind,
                at=e.at,
                actor=e.actor,
                reason=e.reason,
                document=e.document,
                effective_on=e.effective_on,
                due_on=view.due[e.id].due if e.id in view.due else None,
                due_provisional=view.due[e.id].provisional if e.id in view.due else False,
                **_provider_notice(view, e.id),
            )
            for e in view.events
        ],
    )


def _provider_notice(view: RecordView, event_id: int) -> dict[str, Any]:
    notice = view.provider_notice.get(event_id)
    if notice is None:
        return {}
    return {
        "provider_due_on": notice.due.due,
        "provider_due_provisional": notice.due.provisional,
        "provider_late": notice.late,
    }


class ArchivePublic(BaseModel):
    jurisdiction: str
    subject: SubjectRead
    as_of: datetime
    records: list[RecordPublic]


class ArchiveFull(BaseModel):
    jurisdiction: str
    channel: str
    subject: SubjectRead
    as_of: datetime
    records: list[RecordFull]


def archive_public(view: ArchiveView, profile: Profile) -> ArchivePublic:
    return ArchivePublic(
        jurisdiction=profile.id,
        subject=SubjectRead.of(view.subject, view.masked),
        as_of=view.as_of,
        records=[record_public(v, profile) for v in view.records],
    )


def archive_full(view: ArchiveView, profile: Profile) -> ArchiveFull:
    return ArchiveFull(
        jurisdiction=profile.id,
        channel=view.channel.value,
        subject=SubjectRead.of(view.subject, view.masked),
        as_of=view.as_of,
        records=[record_full(v, profile, view.channel.value) for v in view.records],
    )


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str | None = Field(None, description="the revoking, changing or voiding document")
    reason: str | None = None
    document_effective_on: date | None = Field(
        None,
        description="the day the revoking document took effect: starts the provider's own time to report "
        "where the profile counts one (Jiangsu 第六十五条, 5 working days)",
    )


class StatusRead(BaseModel):
    record: int
    state: str
