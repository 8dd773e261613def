"""Which listed measures apply: a pure function of (standing, matter, measures, day).

No database, no clock. A measure applies when it is in force on the day, names the matter and the
subject's kind, and one of the subject's own facts triggers it — an active listing on a list it
targets, a dishonest or good record for a standing it targets, an evaluation grade it names. Every
guard that stops a measure is reported with the article it rests on, so a unit sees why not:

- `relevance`: the trigger's domain (listing ground, record item) is not one the measure relates to
  (Jiangsu 第四十七条, Nanjing 第四十二条第一款, Shenzhen 第四十八条);
- `third_party`: an organization's listing on a person, where the file does not extend the measure to
  responsible persons (Jiangsu 第四十七条第二款; Nanjing 第四十三条 where it does);
- `score`: a sanction on a natural person that only an evaluation grade triggers (Nanjing 第十六条第三款);
- `excluded_basis`: every basis of the trigger is information that cannot ground a measure
  (Henan 第二十七条第二款, pre-plan information under Shenzhen 第七十一条);
- `disclosure_validity`: no basis still inside its disclosure period (Shenzhen 第五十二条).
A measure outside the lists cannot be returned at all: only `MeasureSet` entries are ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from xinyong.checks.standing import ListingFact, Standing
from xinyong.measures.loader import ListedMeasure, MeasureSet
from xinyong.measures.schema import Guards

GuardName = Literal["relevance", "third_party", "score", "excluded_basis", "disclosure_validity"]


@dataclass(frozen=True, slots=True)
class Trigger:
    """What grounds a measure: a listing (with its basis) or records of the subject itself."""

    kind: Literal["listing", "records", "standing", "evaluation"]
    list: str | None = None
    listing_id: int | None = None
    ground: str | None = None
    record_ids: tuple[int, ...] = ()
    via_organization: int | None = None  # a responsible person: the organization listed
    standing: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind}  # then the fields set, in declaration order
        if self.list is not None:
            out["list"] = self.list
        if self.listing_id is not None:
            out["listing_id"] = self.listing_id
        if self.ground is not None:
            out["ground"] = self.ground
        if self.via_organization is not None:
            out["via_organization"] = self.via_organization
        if self.standing is not None:
            out["standing"] = self.standing
        out["record_ids"] = list(self.record_ids)
        return out


@dataclass(frozen=True, slots=True)
class Applicable:
    measure: ListedMeasure
    triggers: tuple[Trigger, ...]
    cites: tuple[str, ...] = ()  # further articles (responsible persons)

    @property
    def code(self) -> str:
        return self.measure.code

    @property
    def kind(self) -> str:
        return self.measure.measure.kind


@dataclass(frozen=True, slots=True)
class Guarded:
    code: str
    guard: GuardName
    cite: str
    detail: str


@dataclass(frozen=True, slots=True)
class Outcome:
    measures: tuple[Applicable, ...]
    guarded: tuple[Guarded, ...] = field(default_factory=tuple)

    @property
    def restricted(self) -> bool:
        return any(a.kind == "sanction" for a in self.measures)

    @property
    def incentive(self) -> bool:
        return any(a.kind == "incentive" for a in self.measures)


def _relates(values: list[str] | str, value: str | None) -> bool:
    return values == "any" or (value is not None and value in values)


class _Evaluation:
    """One measure against one standing: collects triggers and the guards that stopped others."""

    def __init__(self, listed: ListedMeasure, standing: Standing, matter: str, guards: Guards) -> None:
        self.listed = listed
        self.m = listed.measure
        self.standing = standing
        self.matter = matter
        self.guards = guards
        self.triggers: list[Trigger] = []
        self.guarded: list[Guarded] = []
        self.cites: list[str] = []

    def stop(self, guard: GuardName, cite: str, detail: str) -> None:
        self.guarded.append(Guarded(self.listed.code, guard, cite, detail))

    def _basis_ok(self, record_ids: tuple[int, ...], what: str) -> tuple[int, ...] | None:
        """The bases that may ground this measure for the matter; None (and a guard noted) if none."""
        if not record_ids:
            return ()
        s = self.standing
        unusable, excluded, matter = s.unusable_record_ids, s.excluded_matters, self.matter
        usable = tuple(  # never a basis (excluded, exempt, gone), nor pre-plan for this matter
            r for r in record_ids if r not in unusable and matter not in excluded.get(r, ())
        )
        if not usable:
            cite = (
                "; ".join(b.cite for b in self.guards.excluded_bases) or self.guards.only_listed_measures.cite
            )
            self.stop("excluded_basis", cite, f"{what}: its basis cannot ground a measure")
            return None
        validity = self.guards.disclosure_validity_only
        if validity is not None and self.m.kind == "sanction":
            usable = tuple(r for r in usable if r in s.within_validity)
            if not usable:
                self.stop("disclosure_validity", validity.cite, f"{what}: outside the disclosure period")
                return None
        return usable

    def listing(self, fact: ListingFact) -> None:
        what = f"listing {fact.listing_id} ({fact.list})"
        if fact.via_organization is not None:
            rule = self.guards.responsible_persons
            if rule is None or fact.list not in rule.lists or not self.m.targets.responsible_persons:
                self.stop(
                    "third_party",
                    self.guards.third_party.cite,
                    f"{what} is organization {fact.via_organization}'s, not this subject's",
                )
                return
            self.cites.append(rule.cite)
        if not _relates(self.m.relates_to.grounds, fact.ground):
            self.stop(
                "relevance", self.guards.relevance.cite, f"{what}: ground {fact.ground} is another domain"
            )
            return
        basis = fact.basis_record_ids
        if self.m.kind == "sanction" and fact.via_organization is None:
            checked = self._basis_ok(basis, what)
            if checked is None:
                return
        self.triggers.append(
            Trigger(
                kind="listing",
                list=fact.list,
                listing_id=fact.listing_id,
                ground=fact.ground,
                record_ids=tuple(basis),
                via_organization=fact.via_organization,
            )
        )

    def records(self, standing_name: str, record_ids: tuple[int, ...]) -> None:
        wanted = self.m.relates_to.items
        items = self.standing.items
        related = (
            record_ids if wanted == "any" else tuple(r for r in record_ids if _relates(wanted, items.get(r)))
        )
        if not related:
            if record_ids:
                self.stop("relevance", self.guards.relevance.cite, "no record in a domain it relates to")
            return
        checked = self._basis_ok(related, f"records {list(related)}")
        if checked:
            self.triggers.append(Trigger(kind="records", standing=standing_name, record_ids=checked))

    def evaluations(self) -> None:
        wanted = set(self.m.targets.evaluations)
        hits = tuple(rid for rid, grade in self.standing.evaluations if grade in wanted)
        if not hits:
            return
        score = self.guards.no_score_sanction_natural_persons
        if score is not None and self.m.kind == "sanction" and self.standing.kind == "natural_person":
            self.stop("score", score.cite, "a natural person is never sanctioned on a credit score")
            return
        checked = self._basis_ok(hits, f"evaluation records {list(hits)}")
        if checked:
            self.triggers.append(Trigger(kind="evaluation", record_ids=checked))


_CANDIDATES: dict[tuple[int, str, date], tuple[MeasureSet, tuple[ListedMeasure, ...]]] = {}


def candidates(measures: MeasureSet, matter: str, day: date) -> tuple[ListedMeasure, ...]:
    """The measures in force on `day` that name `matter`, in list order (cached: a batch asks the
    same question for every subject)."""
    key = (id(measures), matter, day)
    hit = _CANDIDATES.get(key)
    if hit is not None and hit[0] is measures:
        return hit[1]
    found = tuple(
        listed
        for listed in measures.measures.values()
        if matter in listed.measure.matters and listed.in_force(day)
    )
    if len(_CANDIDATES) > 256:
        _CANDIDATES.clear()
    _CANDIDATES[key] = (measures, found)
    return found


def evaluate(standing: Standing, matter: str, measures: MeasureSet, day: date) -> Outcome:
    """The measures of `measures` in force on `day` that apply to `standing` for `matter`."""
    found: list[Applicable] = []
    guarded: list[Guarded] = []
    s = standing
    for listed in candidates(measures, matter, day):
        m = listed.measure
        own_kind = s.kind in m.targets.subject_kinds
        ev = _Evaluation(listed, s, matter, measures.guards)
        if own_kind:
            for fact in s.listings:
                if fact.list in m.targets.lists:
                    ev.listing(fact)
            for name in m.targets.standings:
                match name:
                    case "dishonest":
                        ev.records(name, s.dishonest_record_ids)
                    case "general_dishonest":
                        if s.general_dishonest:
                            ev.records(name, s.dishonest_record_ids)
                    case "no_dishonest_record":
                        if s.no_dishonest_record:
                            ev.triggers.append(Trigger(kind="standing", standing=name))
                    case "good_record":
                        if s.no_dishonest_record and s.good_record_ids:
                            ev.triggers.append(
                                Trigger(kind="records", standing=name, record_ids=s.good_record_ids)
                            )
            if m.targets.evaluations:
                ev.evaluations()
        for fact in s.responsible_listings:  # `listing` decides: extended by the file, or a third party
            if fact.list in m.targets.lists and m.kind == "sanction":
                ev.listing(fact)
        if ev.triggers:
            found.append(Applicable(listed, tuple(ev.triggers), tuple(dict.fromkeys(ev.cites))))
        else:
            guarded.extend(ev.guarded)
    return Outcome(tuple(found), tuple(guarded))
