"""Credit repair (信用修复): pure rules of eligibility, stages and state moves.

Nothing here reads a database or a clock: every function takes the record's facts, the profile and
`now`/`today`. The profile is read as it stands; a period row is read as it stood when the record's
period began (records/rules.py `Period.at`).

Eligibility is checked in this order, so the most specific refusal wins:

1. the profile has no repair section → `not_eligible`;
2. the applicant is not the record's subject (nor an operator acting for it) → `not_allowed`;
3. the record is not dishonest information → `not_eligible`;
4. a never-repairable category (Nanjing 第六十条第三款 data flags, Jilin 第三十七条第三款 during its
   period) → `not_repairable`;
5. the record is no longer in its period (revoked, expired, archived, deleted) or already repaired,
   or a repair case on it is open → `not_eligible`;
6. before the minimum period ends (Jilin 第三十七条第二款 3/6 months from the penalty decision;
   Shenzhen 第六十三条 the provider's own minimum) → `too_early`.

Shenzhen's provider-set minimum (深圳 第三十一条第二款) travels with the record: the provider sends
`data.min_period_until` (the last day of the minimum period, ISO date) or `data.min_period`
(`{value, unit}`, counted from the disclosure period's start by 民法典 第二百零一条、第二百零二条).
A record whose provider set no minimum has none to wait for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from xinyong.core.clock import local_date
from xinyong.core.periods import Duration, Unit, end_of
from xinyong.core.profile import Profile
from xinyong.core.profile_base import InfoClass
from xinyong.core.profile_rights import NeverRepairable, Stage
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.records import rules as record_rules

# what a subject may offer (SCENARIOS.md `repair.measures`; the texts' lists end in 等: not closed)
MEASURES = (
    "commitment_letter",  # 信用修复承诺书 / 公开信用承诺
    "training",  # 信用修复主题培训 / 专题培训
    "report",  # 信用修复专项报告 / 信用报告
    "public_service",  # 公益慈善活动
    "rectification",  # 失信行为整改 / 信用整改
    "credit_check",  # 信用核查
    "liability",  # 承担违约责任
    "settlement",  # 与权利人和解
)


class RepairState(StrEnum):
    received = "received"  # accepted for handling (受理) the moment it is filed
    under_review = (
        "under_review"  # the deciding unit approved; the platform's 复审 is pending (Jilin 第三十八条)
    )
    approved = "approved"
    denied = "denied"


OPEN_STATES = (RepairState.received, RepairState.under_review)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str | None = None
    detail: str | None = None
    cite: str | None = None


OK = Verdict(True)


# --------------------------------------------------------------------------- eligibility


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "否", "无")
    return bool(value)


def never_rule(
    facts: record_rules.RecordFacts, data: Mapping[str, Any], profile: Profile, today: date
) -> NeverRepairable | None:
    """The first never-repairable category the record falls in, if any."""
    if profile.repair is None:
        return None
    for rule in profile.repair.never:
        if rule.item is not None and rule.item != facts.item:
            continue
        if rule.severity is not None and rule.severity != (facts.severity or "general"):
            continue
        if rule.data_flag is not None and not _truthy(data.get(rule.data_flag)):
            continue
        if rule.during_period_only:
            public_until = record_rules.window(facts, profile).public_until
            if public_until is not None and today > public_until:
                continue  # Jilin 第三十七条第三款: 公示期间不予修复 — only during the period
        return rule
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _as_duration(value: Any) -> Duration | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Duration(int(value["value"]), Unit(str(value["unit"])))
    except (KeyError, ValueError, TypeError):
        return None


def provider_min_end(data: Mapping[str, Any], start: date) -> date | None:
    """The last day of a provider-set minimum (深圳 第三十一条第二款), or None if the provider set none.

    Raises ValueError when the provider sent one that cannot be read: eligibility cannot be decided.
    """
    if data.get("min_period_until") not in (None, ""):
        day = _as_date(data["min_period_until"])
        if day is None:
            raise ValueError(f"data.min_period_until {data['min_period_until']!r} is not a date")
        return day
    if data.get("min_period") not in (None, ""):
        duration = _as_duration(data["min_period"])
        if duration is None or duration.unit is Unit.working_day:
            raise ValueError(
                f"data.min_period {data['min_period']!r} is not {{value, unit}} in days/months/years"
            )
        return end_of(start, duration)
    return None


def earliest_start(facts: record_rules.RecordFacts, profile: Profile) -> date:
    """The day the repair waiting period runs from (Jilin 第三十七条: 行政处罚决定之日)."""
    assert profile.repair is not None
    if profile.repair.earliest_from == "record_effective":
        return facts.effective_on or facts.decided_on
    return facts.decided_on


def min_period_end(
    facts: record_rules.RecordFacts, data: Mapping[str, Any], profile: Profile
) -> tuple[date | None, str | None]:
    """(last day of the minimum period, its article), or (None, None) where there is none to wait for."""
    repair = profile.repair
    if repair is None or repair.earliest != "after_min_period":
        return None, None
    start = earliest_start(facts, profile)
    if repair.wait:  # the repair article's own waiting period by severity
        spec = repair.wait.get(facts.severity or "general")  # type: ignore[call-overload]
        if spec is None:
            return None, None
        return end_of(start, spec.to_duration()), repair.wait_cite or repair.cite
    period = profile.item_period(facts.item, facts.severity) if profile.item(facts.item) else None
    if period is None:
        return None, None
    row = period.at(record_rules.period_start(facts, period))
    if row.min is None:
        return None, None
    if row.min == "provider_set":
        return provider_min_end(data, record_rules.period_start(facts, period)), row.cite or period.cite
    return end_of(start, row.min.to_duration()), row.cite or period.cite  # type: ignore[union-attr]


def eligibility(
    facts: record_rules.RecordFacts,
    data: Mapping[str, Any],
    profile: Profile,
    now: datetime,
    *,
    applicant_is_subject: bool,
    open_case: bool,
) -> Verdict:
    """May a repair of this record be accepted now? See the module docstring for the order."""
    repair = profile.repair
    if repair is None:
        return Verdict(False, "not_eligible", "the profile has no repair procedure")
    if not applicant_is_subject:
        return Verdict(
            False, "not_allowed", "only the record's own subject applies for its repair", repair.cite
        )
    today = local_date(now)
    item = profile.item(facts.item)
    if item is None or item.class_ is not InfoClass.dishonest:
        return Verdict(False, "not_eligible", "only dishonest information is repaired", repair.cite)
    rule = never_rule(facts, data, profile, today)
    if rule is not None:
        what = rule.data_flag or rule.severity or rule.item or "category"
        return Verdict(False, "not_repairable", f"never repairable: {what}", rule.cite)
    w = record_rules.window(facts, profile)
    state = record_rules.state(facts, profile, now, today, w=w)
    if state is not record_rules.State.active:
        return Verdict(
            False, "not_eligible", f"the record is {state.value}, not within its period", repair.cite
        )
    if "repaired" in record_rules.marks(facts, now, today):
        return Verdict(False, "not_eligible", "the record is already repaired", repair.cite)
    if open_case:
        return Verdict(False, "not_eligible", "a repair case on this record is open", repair.cite)
    try:
        min_end, cite = min_period_end(facts, data, profile)
    except ValueError as exc:
        return Verdict(
            False, "not_eligible", f"the provider's minimum period cannot be read: {exc}", repair.cite
        )
    if min_end is not None and today <= min_end:
        return Verdict(False, "too_early", f"the minimum period runs through {min_end.isoformat()}", cite)
    return OK


def measures_verdict(measures: list[str], profile: Profile) -> Verdict:
    """Measures must be known; the profile's required ones must be there (Shenzhen 第六十四条: 承诺书)."""
    assert profile.repair is not None
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        return Verdict(
            False, "invalid_field", f"unknown measure {unknown[0]!r}; one of {', '.join(MEASURES)}"
        )
    missing = [m for m in profile.repair.required_measures if m not in measures]
    if missing:
        return Verdict(
            False, "not_eligible", f"required measure missing: {', '.join(missing)}", profile.repair.cite
        )
    return OK


# --------------------------------------------------------------------------- stages


def stage_due(
    stage: Stage, starts: Mapping[str, date | None], calendar: WorkCalendar, *, extended: bool = False
) -> Deadline | None:
    """When `stage` is due: None where its start has not happened or the text sets no time.

    "Within N working days of D" ends with the N-th working day strictly after D; a period in days,
    months or years ends by 民法典 第二百零一条、第二百零二条 (an authority's deadline: 第二百零三条
    does not lengthen it). `immediately` and `same_day` are due the day the start happened.
    """
    start = starts.get(stage.from_)
    if start is None:
        return None
    spec = stage.extendable_to if extended and stage.extendable_to is not None else stage.within
    if isinstance(spec, str):
        return Deadline(start, False) if spec in ("immediately", "same_day") else None
    if spec.unit is Unit.working_day:
        return calendar.add_working_days(start, spec.value)
    return Deadline(end_of(start, spec.to_duration()), False)


@dataclass(frozen=True)
class CaseFacts:
    """A repair case's timeline as the stage rules need it (instants are aware)."""

    state: RepairState
    received_at: datetime
    record_decided: date | None = None
    record_effective: date | None = None
    extended: bool = False
    decided_at: datetime | None = (
        None  # the deciding unit's decision (a written decision reaches the platform)
    )
    reviewed_at: datetime | None = None  # the platform's 复审
    approved: bool = False  # finally approved: the repaired mark was applied at `closed_at`
    closed_at: datetime | None = None


@dataclass(frozen=True)
class StageView:
    name: str
    due: date | None
    provisional: bool
    done_at: datetime | None
    overdue: bool  # not done and past its due day
    late: bool  # done after its due day
    cite: str


def _day(at: datetime | None) -> date | None:
    return local_date(at) if at is not None else None


def stages(case: CaseFacts, profile: Profile, calendar: WorkCalendar, now: datetime) -> list[StageView]:
    """Every stage the profile sets for this case, with its due date, done time and overdue flag."""
    repair = profile.repair
    if repair is None:
        return []
    starts = {
        "received": _day(case.received_at),
        "accepted": _day(case.received_at),  # accepted (受理) on receipt: eligibility is checked at once
        "materials_received": _day(case.received_at),
        "decided": _day(case.decided_at),
        "decision_received": _day(case.decided_at),
        "record_decided": case.record_decided,
        "record_effective": case.record_effective or case.record_decided,
    }
    today = local_date(now)
    named: list[tuple[str, Stage | None, datetime | None, bool]] = [
        ("decision", repair.decision, case.decided_at, True),
        ("feedback", repair.feedback, case.decided_at, True),
        # 复审 applies unless the case was closed without it (denied, or decided by the platform itself)
        (
            "re_review",
            repair.re_review,
            case.reviewed_at,
            case.state in OPEN_STATES or case.reviewed_at is not None,
        ),
        # the platform marks the moment the repair is finally approved
        (
            "mark",
            repair.mark,
            case.closed_at if case.approved else None,
            case.state is not RepairState.denied,
        ),
    ]
    out = []
    for name, stage, done_at, applies in named:
        if stage is None or not applies:
            continue
        due = stage_due(stage, starts, calendar, extended=case.extended and name == "decision")
        done_day = _day(done_at)
        out.append(
            StageView(
                name=name,
                due=due.due if due else None,
                provisional=due.provisional if due else False,
                done_at=done_at,
                overdue=due is not None and done_at is None and today > due.due,
                late=due is not None and done_day is not None and done_day > due.due,
                cite=stage.cite,
            )
        )
    return out


def waiting_for(views: list[StageView]) -> StageView | None:
    """What the case waits for now: the earliest open stage with a due date (SCENARIOS.md `deadline`);
    for a case with nothing open, its decision stage (the deadline it was held to)."""
    open_ = [v for v in views if v.done_at is None and v.due is not None]
    if open_:
        return min(open_, key=lambda v: v.due)  # type: ignore[arg-type, return-value]
    return next((v for v in views if v.name == "decision" and v.due is not None), None)


def after_decision(outcome: str, *, re_review: bool, by_platform: bool) -> RepairState:
    """The state a decision leads to: an approval the platform must still re-review waits for it."""
    if outcome == "denied":
        return RepairState.denied
    if re_review and not by_platform:
        return RepairState.under_review
    return RepairState.approved


# --------------------------------------------------------------------------- listings


@dataclass(frozen=True)
class ListingTarget:
    """A listing as the repair rules need it (facts read by the service)."""

    list: str  # severe / red / key_attention / business_anomaly
    kind: str  # the list's kind in the profile: sanction / incentive / attention
    state: str  # lists.rules.State at `now` (proposed, notified, listed, removed, expired)
    repair_cite: str | None  # the list's removal article for reason `repair`; None: the text has none
    removal_cite: str  # the list's removal article


def listing_route(profile: Profile) -> str | None:
    """How a listing is repaired under this profile, or None where the profile repairs no listing.

    - `listing`: the application is for removal from the list itself, decided by the determining
      body (Shenzhen 第六十三条第一款: 向认定单位提出移出名单的修复申请; Henan 第三十七条第二款:
      信用修复及退出方式由认定机关确定);
    - `basis`: the repair is of the information the listing rests on, and the listing is removed
      once the subject no longer meets the list's criteria (Jilin 第三十八条第三款): the basis records'
      own repair conditions apply (waiting period, never-repairable categories).
    """
    repair = profile.repair
    if repair is None or not repair.removes_listings:
        return None
    return "basis" if repair.listing_removal_condition == "no_longer_eligible" else "listing"


def listing_eligibility(
    target: ListingTarget,
    profile: Profile,
    *,
    applicant_is_subject: bool,
    open_case: bool,
    basis: Sequence[Verdict] = (),
) -> Verdict:
    """May a repair of this listing be accepted now? In this order: no repair section
    (`not_eligible`); not the listed subject (`not_allowed`); not a sanction list (`not_eligible`:
    only dishonesty is repaired); the profile or the list has no repair of listings
    (`not_repairable`); not on the list now, or a case on it is open (`not_eligible`); then, on the
    `basis` route, the first refusal among the basis records' own verdicts."""
    repair = profile.repair
    if repair is None:
        return Verdict(False, "not_eligible", "the profile has no repair procedure")
    if not applicant_is_subject:
        return Verdict(False, "not_allowed", "only the listed subject applies for its removal", repair.cite)
    if target.kind != "sanction":
        return Verdict(False, "not_eligible", f"{target.list} is not a list of dishonesty", repair.cite)
    route = listing_route(profile)
    if route is None or target.repair_cite is None:
        why = (
            "the profile removes no listing on repair"
            if route is None
            else f"the {target.list} list has no removal on repair"
        )
        return Verdict(False, "not_repairable", why, target.removal_cite)
    if target.state != "listed":
        return Verdict(
            False, "not_eligible", f"the listing is {target.state}, not listed", target.repair_cite
        )
    if open_case:
        return Verdict(False, "not_eligible", "a repair case on this listing is open", target.repair_cite)
    if route == "basis":
        refused = next((v for v in basis if not v.ok), None)
        if refused is not None:
            return refused
    return OK
