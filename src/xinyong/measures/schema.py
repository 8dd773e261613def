"""Schema of a measures file (措施清单): strict, every entry beside its article.

One file per profile ships in `src/xinyong/measures/data/<profile>.toml` (the measures the regulation
enumerates, with the profile's guards); an operator may load local supplementary files into the
database (`xinyong measures load`). Loading is strict like profiles: unknown keys, wrong types, bad
dates and unknown vocabulary stop the load, and the message names the file and the key.

Vocabulary (SCENARIOS.md): lists `severe`, `red`, `key_attention`, `business_anomaly`; the twelve
matters; the list grounds. Standings are the engine's names for the texts' conditions:
- `dishonest`: a dishonest record in force that may ground a measure (Henan 第三十二条);
- `general_dishonest`: dishonest, not exempt, not on the severe list (Nanjing 第三十八条);
- `no_dishonest_record`: no dishonest record in force (Nanjing 第三十五条 无失信信息记录);
- `good_record`: a good record in force and no dishonest one (Nanjing 第三十六条 良好信息记录).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from xinyong.core.profile_base import Strict, SubjectKindName

LISTS = ("severe", "red", "key_attention", "business_anomaly")
SANCTION_LISTS = ("severe", "key_attention", "business_anomaly")
MATTERS = (
    "administrative_license",
    "government_procurement",
    "public_resource_trading",
    "fiscal_subsidy",
    "honors",
    "inspection",
    "public_service",
    "market_entry",
    "appointment",
    "high_consumption",
    "exit",
    "financing",
)
GROUNDS = (
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
    "honest_model",
    "minor_first",
    "no_harm",
    "anomaly",
)
INCENTIVE_STANDINGS = ("no_dishonest_record", "good_record")
SANCTION_STANDINGS = ("dishonest", "general_dishonest")

ListName = Literal["severe", "red", "key_attention", "business_anomaly"]
Matter = Literal[
    "administrative_license",
    "government_procurement",
    "public_resource_trading",
    "fiscal_subsidy",
    "honors",
    "inspection",
    "public_service",
    "market_entry",
    "appointment",
    "high_consumption",
    "exit",
    "financing",
]
Ground = Literal[
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
    "honest_model",
    "minor_first",
    "no_harm",
    "anomaly",
]
Standing = Literal["dishonest", "general_dishonest", "no_dishonest_record", "good_record"]
Code = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]


class ListMeta(Strict):
    """The list as published: who compiled it, which version, from when (Nanjing 第三十三条)."""

    id: Code  # the packaged base file: the profile id; a local file: its own id, e.g. "changchun"
    profile: str
    title: str
    layer: Literal["base", "local"]  # the profile's own list, or a local supplementary list
    version: str
    effective_from: date
    published_by: str
    cite: str
    note: str | None = None


class Flag(Strict):
    """A guard that is on, with the article it rests on."""

    cite: str
    note: str | None = None


class ResponsiblePersons(Strict):
    """Whether an organisation's listing reaches its responsible persons (Nanjing 第四十三条)."""

    lists: list[ListName]
    cite: str
    note: str | None = None


class ExcludedBasis(Strict):
    """Information that can never be a basis for a measure (Henan 第二十七条第二款, 第十三条第三款)."""

    item: str
    subject_kinds: list[SubjectKindName] | None = None  # None: every kind
    procedure: Literal["general", "simple"] | None = None
    when_data: str | None = None  # excluded when the record's data[key] is true
    unless_data: str | None = None  # excluded unless the record's data[key] is true (e.g. `confirmed`)
    cite: str
    note: str | None = None


class Guards(Strict):
    """The profile's guard-rails. Only the base file sets them; a local file cannot loosen them."""

    relevance: Flag  # measures only for related matters and domains (Jiangsu 第四十七条, Nanjing 第四十二条)
    third_party: Flag  # never a third party (Jiangsu 第四十七条第二款, Nanjing 第四十二条第四款)
    only_listed_measures: Flag  # never a measure outside the lists (Nanjing 第四十二条第三款)
    responsible_persons: ResponsiblePersons | None = None
    no_score_sanction_natural_persons: Flag | None = None
    disclosure_validity_only: Flag | None = None  # Shenzhen 第五十二条: within the disclosure validity
    reason_required_when_not_applied: Flag | None = None  # Nanjing 第三十四条
    publish_statistics: Flag | None = None  # Nanjing 第三十四条第二款
    local_sanctions_within_base: Flag | None = None  # Jiangsu 第四十六条: local lists stay in range
    excluded_bases: list[ExcludedBasis] = []


class Targets(Strict):
    """Who a measure is for: lists, standings, evaluation grades, and which subject kinds."""

    lists: list[ListName] = []
    standings: list[Standing] = []
    evaluations: list[str] = []  # grades of `evaluation` records (信用评价) that trigger it
    subject_kinds: Annotated[list[SubjectKindName], Field(min_length=1)]
    responsible_persons: bool = False  # also an organisation's responsible persons, where the guard allows


class Relevance(Strict):
    """The domains a measure relates to: list grounds and record items, or every one (`any`)."""

    grounds: list[Ground] | Literal["any"]
    items: list[str] | Literal["any"]
    note: str | None = None


class Measure(Strict):
    name: str
    kind: Literal["incentive", "sanction"]
    layer: Literal["national", "local"]  # national basis (国家规定) or local supplementary
    matters: list[Matter]  # [] : a catch-all the text names (其他措施); applies only through a concrete entry
    targets: Targets
    means: str  # 实施手段
    implementing_units: Annotated[list[str], Field(min_length=1)]  # 实施主体
    cite: str  # 实施依据: the article
    relates_to: Relevance
    within: str | None = None  # a local sanction: the base entry whose range it stays in
    version: str | None = None  # None: the list's version
    effective_from: date | None = None  # None: the list's
    until: date | None = None  # 期限 (Nanjing 第三十三条第二款), last day in force
    description: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Measure:
        t = self.targets
        if not (t.lists or t.standings or t.evaluations):
            raise ValueError("targets: name at least one list, standing or evaluation grade")
        if self.kind == "incentive":
            if bad := [x for x in t.lists if x != "red"]:
                raise ValueError(f"targets.lists: an incentive is for the red list, not {bad}")
            if bad := [s for s in t.standings if s not in INCENTIVE_STANDINGS]:
                raise ValueError(f"targets.standings: an incentive is for {INCENTIVE_STANDINGS}, not {bad}")
            if t.responsible_persons:
                raise ValueError("targets.responsible_persons: only sanctions reach responsible persons")
        else:
            if "red" in t.lists:
                raise ValueError("targets.lists: a sanction is never for the red list")
            if bad := [s for s in t.standings if s not in SANCTION_STANDINGS]:
                raise ValueError(f"targets.standings: a sanction is for {SANCTION_STANDINGS}, not {bad}")
        if t.responsible_persons and "natural_person" not in t.subject_kinds:
            raise ValueError("targets.responsible_persons needs natural_person in subject_kinds")
        if self.until is not None and self.effective_from is not None and self.until < self.effective_from:
            raise ValueError("until is before effective_from")
        return self


class MeasuresFile(Strict):
    list: ListMeta
    guards: Guards | None = None
    measures: Annotated[dict[Code, Measure], Field(min_length=1)]

    @model_validator(mode="after")
    def _layers(self) -> MeasuresFile:
        if self.list.layer == "base" and self.guards is None:
            raise ValueError("guards: the base file of a profile sets its guards")
        if self.list.layer == "local" and self.guards is not None:
            raise ValueError("guards: a local list cannot change the profile's guards")
        return self
