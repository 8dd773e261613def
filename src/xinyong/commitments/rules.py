"""Commitment rules: pure functions of (facts, the profile's `[commitments]` section, today).

Nothing here reads a database or a clock. The service gathers the facts (the subject's standing,
the matters list, the commitment) and these functions decide: what a commitment must state, whether
it is public, whether a subject may use the commitment route for a matter and why not, what record
a verified outcome becomes, and which measures and fines go with a breach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from xinyong.core.errors import XinyongError
from xinyong.core.profile_commitments import KINDS, Commitments, Fine, Measure, Outcome

ROUTE_KINDS = ("notification", "missing_materials")  # the kinds that are a route for a matter
AREAS = ("public_resource", "public_project", "public_interest")


class State(StrEnum):
    open = "open"
    kept = "kept"
    broken = "broken"


def section(profile: Any) -> Commitments:
    """The profile's `[commitments]` section; a profile without one has no commitment system."""
    found = getattr(profile, "commitments", None)
    if found is None:
        raise XinyongError("not_eligible", detail=f"profile {profile.id} has no [commitments] section")
    assert isinstance(found, Commitments)
    return found


# --------------------------------------------------------------------------- making


@dataclass(frozen=True)
class Content:
    """What a commitment states (R-CMT-03)."""

    text: str | None
    breach_consequences: str | None = None
    accepts_constraints: bool = False
    due: date | None = None


def check_content(sec: Commitments, kind: str, content: Content, made_on: date) -> list[XinyongError]:
    """Every problem with a new commitment's kind and content, each naming its field and article."""
    if kind not in KINDS:
        return [XinyongError("invalid_field", field="kind", detail=f"{kind!r}; one of {', '.join(KINDS)}")]
    if kind not in sec.kinds:
        known = ", ".join(sec.kinds)
        return [
            XinyongError(
                "invalid_field", field="kind", detail=f"{kind!r}: the text knows {known}", cite=sec.cite
            )
        ]
    errors: list[XinyongError] = []
    if not (content.text or "").strip():
        errors.append(XinyongError("missing_field", field="content.text", detail="what is promised"))
    for rule in sec.content:
        if kind not in rule.kinds:
            continue
        if rule.requires == "breach_consequences" and not (content.breach_consequences or "").strip():
            errors.append(
                XinyongError(
                    "missing_field",
                    field="content.breach_consequences",
                    detail="违反承诺的不良后果 / the adverse consequences of breach",
                    cite=rule.cite,
                )
            )
        elif rule.requires == "accepts_constraints" and not content.accepts_constraints:
            errors.append(
                XinyongError(
                    "missing_field",
                    field="content.accepts_constraints",
                    detail="违背承诺自愿接受约束和惩戒 / accepts constraints and punishment on breach",
                    cite=rule.cite,
                )
            )
        elif rule.requires == "due" and content.due is None:
            errors.append(
                XinyongError(
                    "missing_field", field="due", detail="材料补交期限 / the deadline", cite=rule.cite
                )
            )
    if content.due is not None and content.due < made_on:
        errors.append(XinyongError("invalid_date", field="due", detail=f"{content.due} is before {made_on}"))
    return errors


def publicity(sec: Commitments, kind: str, requested: bool, area: str | None) -> tuple[bool, str | None]:
    """Whether the commitment is public, and the article when the profile (not the subject) decided."""
    rule = sec.publicity
    if rule is not None:
        if kind in rule.kinds:
            return True, rule.cite
        if area is not None and area in rule.areas and kind in rule.area_kinds:
            return True, rule.cite
    return requested, None


# --------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Standing:
    """What the eligibility rules need to know about the subject (built from Contract 2 + commitments)."""

    dishonest_record_ids: tuple[int, ...] = ()
    dishonest: bool = False  # has dishonest information (also exempt records, sanction listings)
    general_dishonest: bool = False
    severe_listed: bool = False
    broken_commitment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str  # kind_not_offered / matter_not_listed / dishonest_record / general_dishonest / ...
    cite: str | None
    note: str | None = None
    ids: tuple[int, ...] = ()  # the records or commitments behind it


@dataclass(frozen=True)
class Eligibility:
    matter: str
    kind: str
    eligible: bool
    listed: bool  # the matter is on the commitment matters list
    reasons: tuple[Reason, ...] = ()  # why not
    cautions: tuple[Reason, ...] = ()  # the unit may still refuse (可视情况)
    handling: tuple[Reason, ...] = field(default_factory=tuple)  # how an eligible application is handled


def _met(when: str, standing: Standing) -> tuple[bool, tuple[int, ...]]:
    if when == "dishonest_record":
        return standing.dishonest or bool(standing.dishonest_record_ids), standing.dishonest_record_ids
    if when == "general_dishonest":
        return standing.general_dishonest, ()
    if when == "severe_listed":
        return standing.severe_listed, ()
    if when == "broken_commitment":
        return bool(standing.broken_commitment_ids), standing.broken_commitment_ids
    raise ValueError(when)  # the schema admits no other criterion


def eligibility(
    sec: Commitments,
    *,
    matter: str,
    kind: str,
    matters: Mapping[str, Sequence[str]],
    standing: Standing,
) -> Eligibility:
    """May this subject use the commitment route `kind` for `matter`? (R-CMT-02)

    `matters` is the list in force: the profile's own matters and those an operator added, each with
    the route kinds it offers. Every reason for a "no" is given, each with its article.
    """
    reasons: list[Reason] = []
    cautions: list[Reason] = []
    if kind not in ROUTE_KINDS or kind not in sec.kinds:
        reasons.append(Reason("kind_not_offered", sec.cite, f"{kind} is not a commitment route here"))
    listed = matter in matters
    if not listed:
        reasons.append(Reason("matter_not_listed", sec.matters_cite))
    elif kind not in matters[matter]:
        reasons.append(
            Reason("kind_not_offered", sec.matters_cite, f"{matter} offers {', '.join(matters[matter])}")
        )
    for rule in sec.eligibility:
        if kind not in rule.kinds:
            continue
        met, ids = _met(rule.when, standing)
        if met:
            (reasons if rule.effect == "excluded" else cautions).append(
                Reason(rule.when, rule.cite, rule.note, ids)
            )
    eligible = not reasons
    handling = (
        tuple(Reason(h.handling, h.cite, h.note) for h in sec.handling if kind in h.kinds) if eligible else ()
    )
    return Eligibility(matter, kind, eligible, listed, tuple(reasons), tuple(cautions), handling)


# --------------------------------------------------------------------------- verification


def next_state(current: str, outcome: str) -> State:
    """open → kept / broken; a verified commitment stays as verified."""
    if outcome not in (State.kept, State.broken):
        raise XinyongError("invalid_field", field="outcome", detail=f"{outcome!r}; kept or broken")
    if current != State.open:
        raise XinyongError("case_closed", detail=f"the commitment is already {current}")
    return State(outcome)


def outcome_rule(sec: Commitments, *, kind: str, public: bool, outcome: str, serious: bool) -> Outcome | None:
    """The record a verified outcome becomes (R-CMT-04): the first rule that matches, or None (silence)."""
    rules = sec.kept if outcome == State.kept else sec.broken
    for rule in rules:
        if kind not in rule.kinds:
            continue
        if rule.public_only and not public:
            continue
        if rule.serious_only and not serious:
            continue
        return rule
    return None


def breach_measures(sec: Commitments, kind: str) -> list[Measure]:
    """What may follow a breach of this kind of commitment, in the text's words (R-CMT-05)."""
    return [m for m in sec.measures if kind in m.kinds]


def breach_fines(sec: Commitments) -> list[Fine]:
    """Fines as reference data (R-CMT-06): shown with a breach, never computed as a penalty."""
    return list(sec.fines)


def overdue(state: str, due: date | None, today: date) -> bool:
    """An open 容缺受理 commitment whose materials day has passed: it waits for verification."""
    return state == State.open and due is not None and today > due
