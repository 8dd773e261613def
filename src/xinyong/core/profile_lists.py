"""Profile section `[lists]`: the lists (名单) a regulation creates and how a subject enters and leaves.

Same conventions as core/profile.py: strict, every value beside its article, silence stays silence.
A profile has only the lists its text has, keyed by the shared names (SCENARIOS.md): `severe`
(严重失信主体名单 / 失信联合惩戒对象名单), `red` (守信激励对象 / 诚信典型), `key_attention` (重点关注名单)
and `business_anomaly` (经营异常名录). Every list goes propose → notify → decide (SCENARIOS.md): the
notice is the prior notice (事前告知), the public notice (公示) or the warning (失信警示提醒), and its
form and contents are the text's — `unspecified` where the text names no notice at all.

Nothing here computes: the rules (xinyong.lists.rules) read these values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, RootModel, model_validator

from xinyong.core.profile_base import Cited, DurationSpec, InfoClass, Strict, SubjectKindName

ListName = Literal["severe", "red", "key_attention", "business_anomaly"]

# the shared ground vocabulary per list (SCENARIOS.md "List grounds"); a profile permits a subset
GROUND_VOCABULARY: dict[str, tuple[str, ...]] = {
    "severe": (
        "health_safety",
        "market_order",
        "refuse_obligation",
        "court_defaulter",
        "national_defense",
        "heroes_dignity",
        "consumer_investor",
        "education_research",
        "defamation",
        "broken_public_commitment",
        "forged_documents",
        "illegal_building",
        "technical_standards",
        "intellectual_property",
        "other_law",
    ),
    "red": ("honest_model", "other_law"),
    "key_attention": ("minor_first", "no_harm", "other_law"),
    "business_anomaly": ("anomaly",),
}

# what a notice or a decision document must state
NoticeContent = Literal[
    "reasons",  # 事由 / 理由
    "basis",  # 依据
    "measures",  # 惩戒措施 (提示) / 激励措施
    "rights",  # 当事人依法享有的权利
    "objection_right",  # 异议申请的权利
    "entry_conditions",  # 名单的列入条件
    "removal_conditions",  # 名单的移出条件
]
DecisionContent = Literal[
    "reasons",
    "basis",
    "measures",
    "entry_conditions",
    "removal_conditions",  # 移出条件
    "removal_procedure",  # 移出程序 / 退出方式
    "remedies",  # 救济措施 / 救济途径
    "validity",  # 有效期
]
RemovalReason = Literal["repair", "expiry", "revocation", "court", "conversion", "other"]
ResponsibleRole = Literal["legal_representative", "actual_controller", "principal", "directly_responsible"]


class Ground(Cited):
    """One permitted ground: its code is the key, the article is beside it."""


class Grounds(Strict):
    # closed: only `allowed`; open: the text leaves the criteria to departments (any code of the list's
    # vocabulary; the determining body's own standard is the basis)
    rule: Literal["closed", "open"]
    allowed: dict[str, Ground] = {}
    cite: str
    note: str | None = None


class NoticeSpec(Strict):
    kind: Literal["prior_notice", "public_notice", "warning"]
    # written: 以书面方式; public: 公示 (to everyone); unspecified: the text names no form
    form: Literal["written", "public", "unspecified"]
    contents: list[NoticeContent] = []
    # the subject (or, for a public notice, anyone) may object while the notice runs; the determining
    # body verifies (核实 / 核查处理)
    objection: bool = False
    objection_period: DurationSpec | None = None  # None: the text sets no period
    objection_cite: str | None = None
    review: bool = False  # Henan 第二十八条第四款: 复核 by the provincial authority
    review_cite: str | None = None
    cite: str
    note: str | None = None


class DecisionSpec(Strict):
    document: bool  # a decision document (决定文书) is made and served
    contents: list[DecisionContent] = []
    served: bool = False  # 依法送达当事人
    cite: str
    note: str | None = None


class Condition(Strict):
    text: str  # in Chinese, as the decision document states it
    cite: str


class RemovalSpec(Strict):
    # the removals the text names (with their articles); others are still recorded with reason `other`
    reasons: dict[RemovalReason, str] = {}
    conditions: list[Condition] = []  # stated in the decision document / the publication
    procedure: str | None = None  # 移出程序 in words
    announcement: bool = False  # Henan 第三十七条第三款: 名单退出公告 through the original channel
    announcement_cite: str | None = None
    stops_measures: bool = False  # linked measures stop on removal
    stops_measures_cite: str | None = None
    cite: str
    note: str | None = None


class Responsible(Strict):
    """An organization's listing shows in its responsible persons' own archives."""

    roles: list[ResponsibleRole]
    cite: str
    note: str | None = None


class ListSpec(Cited):
    name: str  # the list's Chinese name in this text
    kind: Literal["sanction", "incentive", "attention"]
    grounds: Grounds
    basis_classes: list[InfoClass]  # information classes a basis record may be of
    subject_kinds: list[SubjectKindName] | None = None  # None: every kind
    notice: NoticeSpec
    decision: DecisionSpec
    measures_cite: str | None = None  # where this list's measures are listed
    publish: bool  # the list is published to everyone (依法公开 channel)
    publish_with: list[Literal["entry_conditions", "removal_conditions", "remedies"]] = []
    publish_cite: str
    # validity: a period from the decision day (民法典 第二百零一条), set by the determining body in
    # its decision, until removed, or while the basis information is within its disclosure period
    validity: DurationSpec | Literal["decision_set", "until_removed", "basis_disclosure"]
    validity_cite: str
    auto_exit: bool = False  # leaves the list when the period ends (computed on read)
    # Nanjing 第三十七条第四款: a new dishonest act during the period ends the listing; the subject
    # becomes a dishonest subject
    converts_on_dishonesty: bool = False
    conversion_cite: str | None = None
    removal: RemovalSpec
    responsible: Responsible | None = None  # None: the text does not mark responsible persons

    @model_validator(mode="after")
    def _consistent(self) -> ListSpec:
        if self.auto_exit and not isinstance(self.validity, DurationSpec):
            raise ValueError("auto_exit needs a validity period")
        if self.converts_on_dishonesty and self.conversion_cite is None:
            raise ValueError("converts_on_dishonesty needs conversion_cite")
        if self.grounds.rule == "closed" and not self.grounds.allowed:
            raise ValueError("grounds: a closed rule lists its allowed grounds")
        if self.notice.objection_period is not None and not self.notice.objection:
            raise ValueError("notice.objection_period without notice.objection")
        if self.removal.announcement and self.removal.announcement_cite is None:
            raise ValueError("removal.announcement needs announcement_cite")
        return self


class Lists(RootModel[dict[ListName, ListSpec]]):
    """`[lists.<name>]`: the lists of this profile."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _vocabulary(self) -> Lists:
        for name, spec in self.root.items():
            unknown = sorted(set(spec.grounds.allowed) - set(GROUND_VOCABULARY[name]))
            if unknown:
                raise ValueError(
                    f"{name}.grounds: {', '.join(unknown)} not in the {name} vocabulary "
                    f"({', '.join(GROUND_VOCABULARY[name])})"
                )
        return self

    def get(self, name: str) -> ListSpec | None:
        return self.root.get(name)  # type: ignore[call-overload, no-any-return]

    def names(self) -> list[str]:
        return list(self.root)
