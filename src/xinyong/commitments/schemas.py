"""API shapes for commitments: what a client sends and what each viewer reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.commitments import rules
from xinyong.commitments.service import CommitmentView, reason_dict
from xinyong.core import identifiers

KindName = Literal["notification", "missing_materials", "public"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContentIn(_In):
    text: str = Field(description="what is promised (the written commitment)", max_length=4000)
    breach_consequences: str | None = Field(
        None,
        description="违反承诺的不良后果 (required where the profile says, e.g. 深圳 第五十一条)",
        max_length=4000,
    )
    accepts_constraints: bool = Field(False, description="违背承诺自愿接受约束和惩戒 (河南 第五十八条)")


class CommitmentCreate(_In):
    subject: str = Field(description="the subject's identifier (统一社会信用代码 / 公民身份号码)")
    kind: KindName = Field(description="notification 告知承诺 / missing_materials 容缺受理 / public 公开承诺")
    matter: str = Field(min_length=1, max_length=120, description="matter code, e.g. administrative_license")
    unit: str = Field(min_length=1, max_length=200, description="the accepting unit (承诺受理单位)")
    content: ContentIn
    due: date | None = Field(None, description="容缺受理: the day the missing materials are promised by")
    public: bool = Field(False, description="the subject asks that the commitment be public")
    area: Literal["public_resource", "public_project", "public_interest"] | None = Field(
        None, description="南京 第三十一条第二款: 公共资源使用、公共项目运作、公共利益保障"
    )

    def content_facts(self) -> rules.Content:
        return rules.Content(
            text=self.content.text,
            breach_consequences=self.content.breach_consequences,
            accepts_constraints=self.content.accepts_constraints,
            due=self.due,
        )


class VerificationIn(_In):
    outcome: Literal["kept", "broken"]
    serious: bool = Field(False, description="造成严重后果 (河南 第三十三条第八项)")
    finding: str | None = Field(None, max_length=4000, description="what the verification found")
    document: str | None = Field(None, max_length=200, description="the verification document number")


class MatterIn(_In):
    code: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    kinds: list[Literal["notification", "missing_materials"]] = Field(min_length=1)
    basis: str = Field(min_length=1, max_length=300, description="the published list or decision")


# --------------------------------------------------------------------------- reads


class SubjectRef(BaseModel):
    identifier: str
    name: str
    kind: str


class VerificationRead(BaseModel):
    at: datetime
    unit: str | None
    finding: str | None
    serious: bool | None
    document: str | None


class CitedText(BaseModel):
    description: str
    cite: str
    mandatory: bool | None = None


class FineRead(BaseModel):
    description: str
    basis: str
    imposed_by: str
    min_yuan: int | None
    max_yuan: int | None
    min_multiple: int | None
    max_multiple: int | None
    confiscation: bool
    amount: str
    cite: str


class EventRead(BaseModel):
    seq: int
    kind: str
    at: datetime
    organization: str | None
    state_after: str
    record_ids: list[int]


class CommitmentRead(BaseModel):
    id: int
    jurisdiction: str
    subject: SubjectRef
    kind: str
    matter: str
    unit: str
    made_on: date
    text: str
    breach_consequences: str | None
    accepts_constraints: bool
    due: date | None
    overdue: bool = Field(description="容缺受理 materials day passed while the commitment is open")
    public: bool
    public_cite: str | None = Field(description="the article that made it public, when the profile decided")
    area: str | None
    state: str = Field(description="open / kept / broken")
    verification: VerificationRead | None
    made_record_id: int | None
    outcome_record_id: int | None
    outcome_cite: str | None
    measures: list[CitedText] = Field(description="what may follow the breach, in the text's words")
    fines: list[FineRead] = Field(
        description="reference data: fines the text sets for breach, never computed"
    )
    events: list[EventRead]

    @classmethod
    def of(cls, v: CommitmentView, *, masked: bool) -> CommitmentRead:
        c, s = v.commitment, v.subject
        subject = SubjectRef(
            identifier=identifiers.mask(s.identifier, s.kind) if masked else s.identifier,
            name=identifiers.mask_name(s.name, s.kind) if masked else s.name,
            kind=s.kind,
        )
        verification = None
        if c.verified_at is not None:
            verification = VerificationRead(
                at=c.verified_at,
                unit=c.verifier_unit,
                finding=c.finding,
                serious=c.serious,
                document=c.document,
            )
        return cls(
            id=c.id,
            jurisdiction=c.jurisdiction,
            subject=subject,
            kind=c.kind,
            matter=c.matter,
            unit=c.unit,
            made_on=c.made_on,
            text=c.text,
            breach_consequences=c.breach_consequences,
            accepts_constraints=c.accepts_constraints,
            due=c.due,
            overdue=v.overdue,
            public=c.public,
            public_cite=c.public_cite,
            area=c.area,
            state=c.state,
            verification=verification,
            made_record_id=c.made_record_id,
            outcome_record_id=c.outcome_record_id,
            outcome_cite=v.outcome_cite,
            measures=[
                CitedText(description=m.description, cite=m.cite, mandatory=m.mandatory) for m in v.measures
            ],
            fines=[FineRead(**f.model_dump(exclude={"note"})) for f in v.fines],
            events=[
                EventRead(
                    seq=e.seq,
                    kind=e.kind,
                    at=e.at,
                    organization=e.organization,
                    state_after=e.state_after,
                    record_ids=list(e.record_ids or []),
                )
                for e in v.events
            ],
        )


class CommitmentList(BaseModel):
    subject: str
    commitments: list[CommitmentRead]


class ReasonRead(BaseModel):
    code: str = Field(
        description="kind_not_offered / matter_not_listed / dishonest_record / general_dishonest / ..."
    )
    cite: str | None
    note: str | None = None
    ids: list[int] = Field(default_factory=list, description="the records or commitments behind it")


class EligibilityRead(BaseModel):
    subject: str
    matter: str
    kind: str
    eligible: bool
    listed: bool = Field(description="the matter is on the commitment matters list")
    reasons: list[ReasonRead] = Field(description="why not, each with its article")
    cautions: list[ReasonRead] = Field(description="the unit may still refuse (可视情况)")
    handling: list[ReasonRead] = Field(description="how an eligible application is handled")

    @classmethod
    def of(cls, subject: str, e: rules.Eligibility) -> EligibilityRead:
        def reasons(items: tuple[rules.Reason, ...]) -> list[ReasonRead]:
            return [ReasonRead(**reason_dict(r)) for r in items]

        return cls(
            subject=subject,
            matter=e.matter,
            kind=e.kind,
            eligible=e.eligible,
            listed=e.listed,
            reasons=reasons(e.reasons),
            cautions=reasons(e.cautions),
            handling=reasons(e.handling),
        )


class MatterRead(BaseModel):
    code: str
    kinds: list[str]
    source: Literal["profile", "operator"]
    name: str | None = None
    cite: str | None = None
    basis: str | None = None
    added_at: datetime | None = None


class MattersRead(BaseModel):
    cite: str
    matters: list[MatterRead]


def matter_rows(profile_matters: dict[str, Any], added: list[Any]) -> list[MatterRead]:
    out = [
        MatterRead(code=code, kinds=list(m.kinds), source="profile", name=m.name, cite=m.cite)
        for code, m in profile_matters.items()
    ]
    out += [
        MatterRead(
            code=r.code,
            kinds=list(r.kinds),
            source="operator",
            name=r.name,
            basis=r.basis,
            added_at=r.added_at,
        )
        for r in added
        if r.withdrawn_at is None
    ]
    return out
