"""Profile sections for the subjects' rights: objections, repair, statements, withholding,
archive requests, contest suspension, reorganization and credit reports.

Same conventions as core/profile.py: strict, every value beside its article, silence stays
silence (`None` or "unspecified", never another profile's number). A deadline is a `Stage`:
a period (working days, days, months, years — the article's own unit) that runs from a named
event of the case. Rules compute due dates from these with the calendar; nothing here computes.

Objection stage names shared by every profile (a profile lists only those its text has):
`compare` (the platform's check, 信息比对/核查), `own_decision` (correction where the error is the
platform's own), `forward` (transfer to the provider), `provider_reply` (the provider's verification),
`provider_direct` (a provider that received the objection itself decides), `inform_acceptance`,
`inform_applicant` (the result to the applicant), `review` (复核), `notify_sharing_units` (the mark to
units that received the record), `notify_sharing_units_on_correction`, and `total` (the whole case; its
`extendable_to` is the cap with approved extensions).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from xinyong.core.profile_base import Cited, DurationSpec, Severity, Strict, SubjectKindName

# events a stage may run from (the case's own timeline)
StageStart = Literal[
    "received",  # the application reached the platform or the provider
    "accepted",  # the application was accepted (受理)
    "forwarded",  # the platform transferred it to the provider
    "provider_replied",  # the provider's verification result came back
    "decided",  # the case was decided
    "review_requested",  # the applicant asked for 复核
    "materials_received",  # complete materials received
    "decision_received",  # a written decision reached the platform (e.g. for marking)
    "record_decided",  # the record's own decision date (penalty decision)
    "record_effective",  # the day the record's decision took effect
    "checked",  # the platform's check found the error (Jilin 第三十六条第二款: 立即更正)
    "disclosure_ended",  # the record stopped being published (expiry, repair: Jiangsu 第六十七条)
]


class Stage(Cited):
    """One deadline: `within` of `from`. `within` may be a period or a word the text uses."""

    within: DurationSpec | Literal["immediately", "same_day", "promptly", "unspecified"]
    from_: StageStart = Field(alias="from")
    extendable_to: DurationSpec | None = None  # total with an approved extension (Shenzhen 第三十九条: 20 WD)
    # an approved extension (延期) may lengthen this stage; the case's `total.extendable_to` caps the whole
    extendable: bool = False

    model_config = Strict.model_config | {"populate_by_name": True}


# Grounds an objection may name (R-OBJ-01), one vocabulary for every profile; each profile lists the
# ones its text gives: error 错误/不准确/与事实不符, omission 遗漏/不完整, inappropriate 不适当,
# trade_secret_or_privacy 侵犯商业秘密、个人隐私, lawful_rights 侵犯（其他）合法权益, improper_evaluation
# 信用评价不当, published_after_period 失信信息超过公示期限仍在公示, wrongly_listed 不符合严重失信主体名单的
# 认定条件而被列入或未被移出, other_law 法律、法规、规章规定的其他情形
ObjectionGround = Literal[
    "error",
    "omission",
    "inappropriate",
    "trade_secret_or_privacy",
    "lawful_rights",
    "improper_evaluation",
    "published_after_period",
    "wrongly_listed",
    "other_law",
]
# who may receive an objection (R-OBJ-02): the platform (公共信用信息工作机构), the provider, a credit
# service agency (信用服务机构)
Receiver = Literal["platform", "provider", "agency"]
# reasons for which a late objection's window may be extended (Shenzhen 第三十八条)
WindowExtensionGround = Literal["force_majeure", "other_legitimate"]


class Objection(Cited):
    filers: list[Literal["subject", "interested_party"]]
    form: Literal["written", "written_or_online", "unspecified"] = "unspecified"  # R-OBJ-02
    # the grounds the text lists; `closed`: an objection naming another ground is refused, `open`: the
    # list ends with 等情形 or the text gives none (grounds = []); the reason text is always free
    grounds: list[ObjectionGround] = []
    grounds_rule: Literal["closed", "open"] = "open"
    grounds_cite: str | None = None
    # bodies that may receive the application; `agency_deadlines`: whether the stages bind a credit
    # service agency that received it (Shenzhen 第三十九条 names it beside the platform) or the text
    # sets it no time (`unspecified`: its stages have no day)
    receivers: list[Receiver] = ["platform"]
    receivers_cite: str | None = None
    agency_deadlines: Literal["same_as_platform", "unspecified"] = "unspecified"
    # 第二百零三条 applies to a filing window: it limits when a person may act
    window: DurationSpec | None = None  # None: the text sets no filing window
    window_from: Literal["known_on", "received"] = "known_on"
    window_cite: str | None = None
    # Shenzhen 第三十八条: 确因不可抗力或者其他正当理由 the window may be extended on approval
    window_extendable: bool = False
    window_extension_grounds: list[WindowExtensionGround] = []  # 确因不可抗力或者其他正当理由
    evidence_required: bool = False  # Henan 第四十一条: 并提供相关证据
    # when the objection mark appears (on_receipt / on_acceptance are the moment the case is recorded)
    mark: Literal["on_receipt", "on_acceptance"] | Stage
    mark_suspends_disclosure: bool = False  # Jiangsu 第六十四条: 不影响信息的公开和使用
    mark_cite: str
    # named stages, e.g. compare, own_decision, forward, provider_reply, inform_applicant, review,
    # notify_sharing_units; `total` caps the whole case
    stages: dict[str, Stage] = {}
    paused_time_excluded: bool = False  # Henan 第四十一条: 检验、检测、检疫、鉴定、专家评审的时间不计入
    paused_cite: str | None = None
    unverifiable: Literal["delete", "unspecified"] = "unspecified"  # Shenzhen 第四十一条
    unverifiable_cite: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Objection:
        if self.grounds_rule == "closed" and not self.grounds:
            raise ValueError("grounds_rule = 'closed' needs the grounds the text lists")
        if self.window_extendable and (self.window is None or not self.window_extension_grounds):
            raise ValueError("window_extendable needs a window and window_extension_grounds")
        if not self.receivers:
            raise ValueError("receivers: at least one body receives objections")
        return self


class NeverRepairable(Strict):
    """A record that can never be repaired (or not during its period)."""

    item: str | None = None
    severity: Literal["general", "severe"] | None = None
    data_flag: str | None = None  # e.g. `suspension_order`, `license_revoked`: set by the provider
    during_period_only: bool = False  # Jilin 第三十七条: not repairable during its 3-year publication
    cite: str


class Repair(Cited):
    # when an application may first be made
    earliest: Literal["after_min_period", "within_period", "unspecified"]
    earliest_from: Literal["record_decided", "record_effective"] = "record_decided"
    # the repair article's own waiting period by severity, from `earliest_from` (Jilin 第三十七条第二款);
    # empty: the disclosure period's `min` applies (Shenzhen 第六十三条, provider-set)
    wait: dict[Severity, DurationSpec] = {}
    wait_cite: str | None = None
    never: list[NeverRepairable] = []
    measures: list[
        Literal[
            "commitment_letter",
            "training",
            "report",
            "public_service",
            "rectification",
            "credit_check",
            "liability",
            "settlement",
        ]
    ] = []
    required_measures: list[str] = []
    commitment_published: bool = False  # Shenzhen 第六十四条: 信用修复承诺书予以公示
    # grounds on which the unit MAY refuse to accept (Shenzhen 第六十四条第一款: 可以不受理); unlike `never`
    refusal_grounds: list[str] = []
    refusal_cite: str | None = None
    decision: Stage | None = None
    re_review: Stage | None = None  # Jilin 第三十八条: 复审 by the provincial agency
    mark: Stage | None = None  # Jilin 第三十八条: mark within 3 WD of the written decision
    feedback: Stage | None = None  # Shenzhen 第六十五条第二款: the decider reports the result to the platform
    effect: Literal["stop_disclosure", "mark_only", "stop_or_mark", "unspecified"]
    effect_cite: str
    removes_listings: bool = False
    # Jilin 第三十八条第三款: removed only where the subject no longer meets the list's criteria
    listing_removal_condition: Literal["no_longer_eligible"] | None = None
    listings_cite: str | None = None
    adjusts_evaluation: bool = False  # Shenzhen 第六十六条第二项
    notifies_implementers: bool = False  # Shenzhen 第六十六条第三项: other implementers stop their measures


class Statements(Cited):
    allowed: bool
    grounds: list[str] = []  # e.g. force_majeure, non_intentional


class Withholding(Cited):
    """The subject asks that good information not be disclosed (R-STM-02)."""

    items: list[str]  # catalog items that may be withheld
    effect: Literal["stop_external", "delete_or_stop"]
    within: Stage
    notify_provider: bool = False


class ArchiveRequest(Cited):
    allowed: bool  # Henan 第四十四条


class Contest(Cited):
    suspends_disclosure: bool  # Shenzhen 第六十一条


class Reorganization(Cited):
    mark: Stage
    treat_as_new: bool  # Shenzhen 第七十条
    excluded_matters: list[str] = []  # Shenzhen 第七十一条: matters where pre-plan information is not used
    # Shenzhen 第七十二条: on the court's 协助执行通知书, delist (经营异常名录, 严重失信名单), delete
    court_ordered_cleanup: bool = False


class Reports(Cited):
    free_per_year: Annotated[int, Field(ge=0)] | Literal["unlimited"] | None = (
        None  # None: the text is silent
    )
    free_for: list[SubjectKindName] = []
    shows_queries: bool = False  # Nanjing 第五十七条, Henan 第四十条
    shows_sources_and_changes: bool = False  # 知情权: 信用报告载明的信息来源和变动理由
    free_self_query: bool = False  # Henan 第四十条: 免费查询自身社会信用信息


class Notices(Cited):
    """Notices to units that received a record when it changes (R-PLT-05)."""

    sharing_units_on_mark: Stage | None = None
    sharing_units_on_correction: Stage | None = None
    sharing_units_on_revocation: Stage | None = None
    # R-REV-04: units that collected or used a record stop using it once it stops being published
    downstream_stop_use: Stage | None = None
