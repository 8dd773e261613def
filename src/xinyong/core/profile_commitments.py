"""Profile section `[commitments]`: credit commitments (信用承诺, 告知承诺, 容缺受理).

Same conventions as core/profile.py: strict, every value beside its article, silence stays silence
(an empty list, or `None`, never another profile's rule). Nothing here computes: the rules in
xinyong/commitments/rules.py read these values.

Vocabulary shared by every profile:

- commitment kinds: `notification` (告知承诺: the applicant promises it meets the conditions of an
  approval), `missing_materials` (容缺受理: materials partly missing, promised by a deadline), `public`
  (a voluntary commitment to society, 公开信用承诺 / 社会信用承诺);
- matters: the SCENARIOS.md matter codes (`administrative_license`, `public_service`, ...) where the
  text supports them; an operator adds the concrete matters a department publishes (清单);
- standing criteria that shut the route: `dishonest_record` (dishonest information in force),
  `general_dishonest` (Nanjing 第三十八条), `severe_listed` (on the severe list), `broken_commitment`
  (a commitment of the subject was found broken);
- content requirements: `breach_consequences` (the adverse consequences of breach are stated),
  `accepts_constraints` (the subject accepts constraints and punishment on breach), `due` (the day the
  missing materials are promised by).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field, model_validator

from xinyong.core.profile_base import Cited, Severity, Strict

Kind = Literal["notification", "missing_materials", "public"]
KINDS: tuple[str, ...] = ("notification", "missing_materials", "public")
Requirement = Literal["breach_consequences", "accepts_constraints", "due"]
Criterion = Literal["dishonest_record", "general_dishonest", "severe_listed", "broken_commitment"]
Area = Literal["public_resource", "public_project", "public_interest"]  # Nanjing 第三十一条第二款


class Matter(Strict):
    """One matter on the commitment matters list (信用承诺事项清单) and the routes it offers."""

    name: str
    kinds: Annotated[list[Kind], Field(min_length=1)]  # notification / missing_materials
    cite: str
    note: str | None = None


class ContentRule(Strict):
    """What a commitment of these kinds must state."""

    kinds: Annotated[list[Kind], Field(min_length=1)]
    requires: Requirement
    cite: str
    note: str | None = None


class Publicity(Strict):
    """Commitments that are public whatever the subject asked."""

    kinds: list[Kind] = []  # always public (Henan 第五十八条: 向社会作出公开信用承诺)
    areas: list[Area] = []  # voluntary commitments in these areas (Nanjing 第三十一条第二款)
    area_kinds: list[Kind] = []  # the kinds `areas` applies to
    cite: str
    note: str | None = None


class Exclusion(Strict):
    """A standing that shuts a commitment route (`excluded`) or lets the unit shut it (`may_exclude`)."""

    kinds: Annotated[list[Kind], Field(min_length=1)]
    when: Criterion
    effect: Literal["excluded", "may_exclude"] = "excluded"
    cite: str
    note: str | None = None


class Handling(Strict):
    """How an eligible application is handled (Jilin 第五十一条第二款: 即时办理, 先行受理)."""

    kinds: Annotated[list[Kind], Field(min_length=1)]
    handling: Literal["immediate", "accept_first", "on_the_spot", "facilitation"]
    cite: str
    note: str | None = None


class Outcome(Strict):
    """The record a verified outcome becomes; the first rule that matches applies."""

    kinds: Annotated[list[Kind], Field(min_length=1)]
    public_only: bool = False  # Henan 第三十三条第八项: 公开信用承诺
    serious_only: bool = False  # Henan 第三十三条第八项: 造成严重后果
    item: str  # a catalog item of this profile
    severity: Severity | None = None
    cite: str
    note: str | None = None


class Measure(Strict):
    """What may follow a breach, in words (shown with the breach; the platform imposes nothing)."""

    kinds: Annotated[list[Kind], Field(min_length=1)]
    description: str
    mandatory: bool  # 应当 (true) or 可以 / 可视情况 (false)
    cite: str
    note: str | None = None


class Fine(Strict):
    """A fine for breach as reference data: shown with the breach, never computed as a penalty."""

    description: str
    basis: Literal["license_obtained", "illegal_gains", "breach"]
    imposed_by: str
    min_yuan: Annotated[int, Field(ge=0)] | None = None
    max_yuan: Annotated[int, Field(ge=0)] | None = None
    min_multiple: Annotated[int, Field(ge=1)] | None = None  # times the illegal gains
    max_multiple: Annotated[int, Field(ge=1)] | None = None
    confiscation: bool = False  # 没收非法收益
    amount: Literal["stated", "unspecified"] = "stated"
    cite: str
    note: str | None = None

    @model_validator(mode="after")
    def _amounts(self) -> Fine:
        given = any(
            v is not None for v in (self.min_yuan, self.max_yuan, self.min_multiple, self.max_multiple)
        )
        if self.amount == "unspecified" and given:
            raise ValueError("an unspecified fine has no amounts")
        if self.amount == "stated" and not given:
            raise ValueError("a stated fine needs min/max yuan or multiples (else amount = 'unspecified')")
        for low, high in ((self.min_yuan, self.max_yuan), (self.min_multiple, self.max_multiple)):
            if low is not None and high is not None and low > high:
                raise ValueError("min above max")
        return self


class Commitments(Cited):
    adoption: Literal["shall", "may"]  # 应当推行 (Jiangsu 第二十三条) / 可以建立 (Shenzhen 第五十一条)
    kinds: dict[Kind, Cited]  # the kinds the text knows
    matters: dict[str, Matter] = {}  # the matters list shipped with the profile; operators add more
    matters_cite: str
    content: list[ContentRule] = []
    publicity: Publicity | None = None
    eligibility: list[Exclusion] = []
    handling: list[Handling] = []
    record_made: str | None = None  # catalog item recording a commitment when it is made
    record_made_cite: str | None = None
    kept: list[Outcome] = []
    broken: list[Outcome] = []
    measures: list[Measure] = []
    fines: list[Fine] = []
    verification: Cited | None = None  # 核查监管机制 / 事中事后监管的依据

    @model_validator(mode="after")
    def _kinds_known(self) -> Commitments:
        known = set(self.kinds)
        used: list[tuple[str, Iterable[str]]] = [
            *((f"matters.{c}", m.kinds) for c, m in self.matters.items()),
            *((f"content[{i}]", r.kinds) for i, r in enumerate(self.content)),
            *((f"eligibility[{i}]", r.kinds) for i, r in enumerate(self.eligibility)),
            *((f"handling[{i}]", r.kinds) for i, r in enumerate(self.handling)),
            *((f"kept[{i}]", r.kinds) for i, r in enumerate(self.kept)),
            *((f"broken[{i}]", r.kinds) for i, r in enumerate(self.broken)),
            *((f"measures[{i}]", r.kinds) for i, r in enumerate(self.measures)),
        ]
        if self.publicity is not None:
            used += [
                ("publicity.kinds", self.publicity.kinds),
                ("publicity.area_kinds", self.publicity.area_kinds),
            ]
        for where, kinds in used:
            unknown = sorted(set(kinds) - known)
            if unknown:
                raise ValueError(f"{where}: kind {unknown[0]!r} is not in [commitments.kinds]")
        if self.record_made is not None and self.record_made_cite is None:
            raise ValueError("record_made needs record_made_cite")
        return self

    def items_used(self) -> list[tuple[str, str]]:
        """(where, catalog item) for every item this section names: the profile checks they exist."""
        out = [("record_made", self.record_made)] if self.record_made else []
        out += [(f"kept[{i}].item", r.item) for i, r in enumerate(self.kept)]
        out += [(f"broken[{i}].item", r.item) for i, r in enumerate(self.broken)]
        return out


def check_items(section: Commitments, catalog_items: Iterable[str]) -> list[str]:
    """Problems with the catalog items the section names (for Profile's cross-reference check)."""
    have = set(catalog_items)
    return [
        f"commitments.{where}: no item {item!r} in [catalog.items]"
        for where, item in section.items_used()
        if item not in have
    ]
