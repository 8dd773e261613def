"""Objections (异议): who may file, the case's states and moves, and every stage's due date.

Pure functions of (facts, the profile's `objection` section, the calendar, today): nothing here
reads a database or a clock, and no jurisdiction is named. Due dates are computed when read from
the days a case stores (received, forwarded, decided, review requested, pauses, extensions), so a
provisional date in a year without a loaded schedule becomes exact once that year is loaded.

Stage names are the keys of `[objection.stages]` (core/profile_rights.py lists them) plus `mark`
(from `objection.mark`) and, where the objection section has no stage of its own for them, the
profile's `[notices]` stages `sharing_units_on_mark` / `sharing_units_on_correction`:

=================================== ==========================================================
stage                               open while … / met when …
=================================== ==========================================================
mark                                met the moment the case is recorded (the platform marks at once)
compare                             with the platform; met when it forwards or decides
own_decision                        with the platform; met by its decision (n/a once forwarded)
forward                             with the platform; met by forwarding (n/a if it decides itself)
provider_reply                      with the provider after forwarding; met by the decision
provider_direct                     filed with the provider itself; met by its decision
total                               from receipt to the decision; `extendable_to` caps extensions
inform_acceptance, inform_applicant the applicant's notice (acceptance / result) is sent
review                              from the review request (复核) to the review decision
notify_sharing_units[_on_correction] every unit that received the record is told (mark / correction)
=================================== ==========================================================

`window` (not a stage of the case) names the last day to file. A stage of another name is
handled by its `from`: open from that event until the case is decided (from `decided`: until the
applicant's notice is sent; from `review_requested`: until the review is decided).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal, get_args

from xinyong.core.errors import CODES, XinyongError
from xinyong.core.periods import Unit, end_of, window_end
from xinyong.core.profile_base import DurationSpec
from xinyong.core.profile_rights import Notices, Objection, ObjectionGround, Stage
from xinyong.core.workdays import Deadline, WorkCalendar


class State(StrEnum):
    """The case's state, as the contract names it (`status` of an objection ref)."""

    received = "received"  # filed, accepted and marked; with the platform
    forwarded = "forwarded"  # with the provider (forwarded, or filed with the provider itself)
    corrected = "corrected"
    deleted = "deleted"  # deleted, or unverifiable and therefore deleted
    upheld = "upheld"  # the record stands; the mark is removed
    under_review = "under_review"  # 复核


OPEN_STATES = frozenset({State.received, State.forwarded, State.under_review})
CLOSED_STATES = frozenset({State.corrected, State.deleted, State.upheld})


class Action(StrEnum):
    forward = "forward"
    extend = "extend"
    pause = "pause"
    resume = "resume"
    resolve = "resolve"
    review = "review"


class Outcome(StrEnum):
    corrected = "corrected"
    deleted = "deleted"
    upheld = "upheld"
    unverifiable = "unverifiable"


By = Literal["platform", "provider", "agency"]
FiledWith = Literal["platform", "provider", "agency"]
# the refusal of a ground outside a closed list; `not_eligible` until the code is registered
GROUND_REFUSED = "ground_not_listed" if "ground_not_listed" in CODES else "not_eligible"

MARK, TOTAL, REVIEW, WINDOW = "mark", "total", "review", "window"
# notices to units that received the record: obligations of their own, never what a case waits for
MARK_NOTICES = ("notify_sharing_units", "sharing_units_on_mark")
CORRECTION_NOTICES = ("notify_sharing_units_on_correction", "sharing_units_on_correction")
NOTICE_STAGES = frozenset(MARK_NOTICES + CORRECTION_NOTICES)
APPLICANT_NOTICES = ("inform_acceptance", "inform_applicant")
FROM_START = frozenset({"received", "accepted", "materials_received"})
FROM_DECISION = frozenset({"decided", "provider_replied"})


# --------------------------------------------------------------------------- filing


@dataclass(frozen=True)
class Filing:
    """What the rules need to know about an application."""

    filer_is_subject: bool  # the record is the filer's own
    filer_is_interested: bool  # a 利害关系人 of the record's subject (a responsible-person link)
    received_on: date
    known_on: date | None
    evidence: tuple[str, ...]
    target: Literal["record", "evaluation"]
    record_item: str
    ground: str | None = None  # one of the vocabulary's grounds (profile_rights.ObjectionGround), or unstated
    filed_with: FiledWith = "platform"
    extended_until: date | None = None  # the last day of an approved window extension (Shenzhen 第三十八条)


def window_last_day(section: Objection, filing: Filing, calendar: WorkCalendar) -> Deadline | None:
    """The last day to file (None: the text sets no window).

    The window runs from the day the filer knew or should have known (`known_on`); an application
    that does not say so is taken as known on the day it is filed. A window whose last day is a
    statutory holiday or rest day ends on the first working day after it (民法典 第二百零三条).
    """
    if section.window is None:
        return None
    start = filing.known_on if section.window_from == "known_on" and filing.known_on else filing.received_on
    return window_end(start, section.window.to_duration(), calendar)


GROUNDS: frozenset[str] = frozenset(get_args(ObjectionGround))


def check_ground(section: Objection, ground: str | None) -> None:
    """A named ground must be one of the vocabulary's, and one the text lists where its list is closed
    (Jilin 第三十五条: 存在下列情形之一的). An objection that names no ground is not refused: the
    contract's `object` has only a free reason, and the reason text stays free either way."""
    if ground is None:
        return
    if ground not in GROUNDS:
        raise XinyongError(
            "invalid_field", field="ground", detail=f"{ground!r}; one of {', '.join(sorted(GROUNDS))}"
        )
    if section.grounds_rule == "closed" and ground not in section.grounds:
        raise XinyongError(
            GROUND_REFUSED,
            field="ground",
            detail=f"{ground!r} is not a ground the text lists ({', '.join(section.grounds)})",
            cite=section.grounds_cite or section.cite,
        )


def check_receiver(section: Objection, filed_with: str) -> None:
    """The body that received the application must be one the text names (R-OBJ-02)."""
    if filed_with not in section.receivers:
        raise XinyongError(
            "not_eligible",
            field="filed_with",
            detail=f"the text does not name {filed_with} as a receiver ({', '.join(section.receivers)})",
            cite=section.receivers_cite or section.cite,
        )


def check_filing(section: Objection, filing: Filing, calendar: WorkCalendar) -> None:
    """Raise the first reason the application is refused; return if it may be filed.

    Past the window it is accepted only under an approved extension (`filing.extended_until`,
    Shenzhen 第三十八条: 确因不可抗力或者其他正当理由…经有关部门核实批准), through that day.
    """
    if filing.target == "evaluation" and filing.record_item != "evaluation":
        raise XinyongError(
            "not_eligible",
            field="evaluation",
            detail=f"the record is {filing.record_item}, not an evaluation",
        )
    if filing.known_on is not None and filing.known_on > filing.received_on:
        raise XinyongError("invalid_date", field="known_on", detail="known_on is after the filing day")
    if filing.filer_is_subject:
        allowed = "subject" in section.filers
    else:
        allowed = filing.filer_is_interested and "interested_party" in section.filers
    if not allowed:
        who = "an interested party" if filing.filer_is_interested else "not the record's subject"
        raise XinyongError("not_allowed", detail=f"the filer is {who}", cite=section.cite)
    check_receiver(section, filing.filed_with)
    check_ground(section, filing.ground)
    last = window_last_day(section, filing, calendar)
    if last is not None and filing.received_on > last.due:
        extended = filing.extended_until
        if extended is None or filing.received_on > extended:
            more = f", the approved extension on {extended.isoformat()}" if extended else ""
            raise XinyongError(
                "window_closed",
                field="known_on",
                detail=f"the window ended on {last.due.isoformat()}{more}",
                cite=section.window_cite or section.cite,
            )
    if section.evidence_required and not filing.evidence:
        raise XinyongError(
            "not_eligible", field="evidence", detail="supporting evidence is required", cite=section.cite
        )


# --------------------------------------------------------------------------- window extension


def check_window_extension_request(
    section: Objection, filing: Filing, ground: str, calendar: WorkCalendar
) -> Deadline:
    """A request to extend the filing window (Shenzhen 第三十八条): the window's last day, or the refusal.

    Only where the profile's window is extendable, for a reason the text names (不可抗力 /
    其他正当理由), and only once the window has closed (在此期限内未提起异议的): while it is open the
    objection is simply filed.
    """
    last = window_last_day(section, filing, calendar)
    if last is None or not section.window_extendable:
        what = "sets no filing window" if last is None else "does not let the window be extended"
        raise XinyongError(
            "not_eligible", detail=f"the profile {what}", cite=section.window_cite or section.cite
        )
    if ground not in section.window_extension_grounds:
        raise XinyongError(
            "invalid_field",
            field="ground",
            detail=f"{ground!r}; one of {', '.join(section.window_extension_grounds)}",
            cite=section.window_cite,
        )
    if filing.received_on <= last.due:
        raise XinyongError(
            "not_eligible",
            detail=f"the window is open until {last.due.isoformat()}: file the objection",
            cite=section.window_cite,
        )
    return last


def check_window_extension_until(window_last: date, decided_on: date, until: date) -> None:
    """An approval sets how far the window goes (适当延长): after the window's last day, not before
    the approval itself (an extension that has already run out extends nothing)."""
    if until <= window_last or until < decided_on:
        raise XinyongError(
            "invalid_date",
            field="until",
            detail=f"the extended last day must be after {window_last.isoformat()} and on or after "
            f"{decided_on.isoformat()}",
        )


# --------------------------------------------------------------------------- states and moves


def outcome_state(section: Objection, outcome: Outcome) -> State:
    """The state an outcome leaves the case in.

    Information that cannot be verified is deleted and the reason recorded where the profile says
    so (Shenzhen 第四十一条). Where the text is silent (`unverifiable = "unspecified"`) nothing is
    borrowed: the decision must be corrected, deleted or upheld, and `unverifiable` is refused.
    """
    match outcome:
        case Outcome.corrected:
            return State.corrected
        case Outcome.deleted:
            return State.deleted
        case Outcome.upheld:
            return State.upheld
        case Outcome.unverifiable:
            if section.unverifiable == "delete":
                return State.deleted
            raise XinyongError(
                "not_eligible",
                field="outcome",
                detail="the profile sets no rule for unverifiable information: decide corrected, "
                "deleted or upheld",
                cite=section.cite,
            )
    raise ValueError(outcome)  # pragma: no cover


def next_state(
    state: State,
    action: Action,
    section: Objection,
    *,
    outcome: Outcome | None = None,
    by: By | None = None,
    reviewed: bool = False,
    paused: bool = False,
) -> State:
    """The move table: the state after `action`, or the refusal.

    `by`: who decides (`platform` for its own errors and reviews, `provider` for a case it has);
    `reviewed`: the case had its review already; `paused`: a pause is open.
    """
    match (state, action):
        case (State.received, Action.forward):
            return State.forwarded
        case (State.received | State.forwarded | State.under_review, Action.extend):
            return state
        case (State.received | State.forwarded | State.under_review, Action.pause):
            if not section.paused_time_excluded:
                raise XinyongError(
                    "not_eligible", detail="the profile does not exclude paused time", cite=section.cite
                )
            if paused:
                raise XinyongError("wrong_stage", detail="the case is paused already")
            return state
        case (State.received | State.forwarded | State.under_review, Action.resume):
            if not paused:
                raise XinyongError("wrong_stage", detail="the case is not paused")
            return state
        case (State.received | State.forwarded | State.under_review, Action.resolve) if paused:
            raise XinyongError("wrong_stage", detail="resume the case before deciding it")
        case (State.received, Action.resolve):
            if by == "provider":
                raise XinyongError("wrong_stage", detail="the provider decides only a case it has")
            return outcome_state(section, _need(outcome))
        case (State.forwarded, Action.resolve):
            return outcome_state(section, _need(outcome))
        case (State.under_review, Action.resolve):
            if by == "provider":
                raise XinyongError("wrong_stage", detail="the review is decided by the reviewing body")
            return outcome_state(section, _need(outcome))
        case (State.corrected | State.deleted | State.upheld, Action.review):
            if REVIEW not in section.stages:
                raise XinyongError(
                    "not_eligible", detail="the profile provides no review (复核)", cite=section.cite
                )
            if reviewed:
                raise XinyongError("case_closed", detail="the review has been asked for already")
            return State.under_review
        case (State.corrected | State.deleted | State.upheld, _):
            raise XinyongError("case_closed")
        case _:
            raise XinyongError("wrong_stage", detail=f"cannot {action.value} a case that is {state.value}")


def _need(outcome: Outcome | None) -> Outcome:
    if outcome is None:
        raise XinyongError("missing_field", field="outcome")
    return outcome


# --------------------------------------------------------------------------- stages and due dates


@dataclass(frozen=True)
class Extension:
    working_days: int
    stages: tuple[str, ...]  # the stages it lengthened


@dataclass(frozen=True)
class CaseFacts:
    """A case's timeline as stored (local days of its instants), and the notices it owes."""

    state: State
    received_on: date
    filed_with: FiledWith = "platform"
    forwarded_on: date | None = None
    decided_on: date | None = None  # the first decision
    review_requested_on: date | None = None
    reviewed_on: date | None = None
    pauses: tuple[tuple[date, date | None], ...] = ()  # (paused on, resumed on; None while open)
    extensions: tuple[Extension, ...] = ()
    notified: Mapping[str, date] = field(default_factory=dict)  # notice stage -> day its notices went out
    notices_owed: frozenset[str] = frozenset()  # notice stages with somebody to tell
    changed_record: bool = False  # the decision corrected or deleted the record
    # received by a credit service agency the text sets no time for (`agency_deadlines = "unspecified"`):
    # its stages run without a day
    untimed: bool = False

    @property
    def left_platform_on(self) -> date | None:
        """The day the platform's check ended: it forwarded the case or decided it."""
        return self.forwarded_on or self.decided_on


StageStatus = Literal["pending", "open", "met", "not_applicable"]


@dataclass(frozen=True)
class StageView:
    name: str
    cite: str
    within: str  # "10 working_day", "immediately", ...
    from_: str
    start: date | None  # None: the event it runs from has not happened
    due: Deadline | None  # None: not started, or the text sets no day ("promptly", "unspecified")
    status: StageStatus
    met_on: date | None
    overdue: bool  # open, and today is after the due day
    late: bool  # met after the due day
    extended_by: int = 0  # working days of approved extensions
    cap: Deadline | None = None  # the latest an extension may carry it to (`extendable_to`)


def stages_of(section: Objection, notices: Notices | None = None) -> dict[str, Stage]:
    """Every stage of a case under this profile, in the profile's order, `mark` first."""
    out: dict[str, Stage] = {}
    mark = section.mark
    if isinstance(mark, Stage):
        out[MARK] = mark
    else:
        start = "received" if mark == "on_receipt" else "accepted"
        out[MARK] = Stage.model_validate({"within": "same_day", "from": start, "cite": section.mark_cite})
    out.update(section.stages)
    if notices is not None:  # the [notices] stages, unless the objection section has its own
        for name, own in (
            ("sharing_units_on_mark", MARK_NOTICES[0]),
            ("sharing_units_on_correction", CORRECTION_NOTICES[0]),
        ):
            stage = getattr(notices, name)
            if stage is not None and own not in out:
                out[name] = stage
    return out


def _start(stage: Stage, facts: CaseFacts) -> date | None:
    match stage.from_:
        case "received" | "accepted" | "materials_received":
            return facts.received_on  # the application is accepted, complete, the moment it is recorded
        case "forwarded":
            return facts.forwarded_on
        case "checked":
            return facts.left_platform_on  # the check's finding: forwarded, or the platform's own decision
        case "provider_replied" | "decided":
            return facts.decided_on
        case "review_requested":
            return facts.review_requested_on
        case _:
            return None  # record dates, decisions received: not events of an objection case


def paused_days(facts: CaseFacts, today: date) -> list[tuple[date, date]]:
    """Days not counted (Henan 第四十一条第三款). A pause from day P to day R excludes (P, R], counted
    like any period (the day it starts is not counted); an open pause runs to today."""
    out = []
    for paused_on, resumed_on in facts.pauses:
        end = resumed_on if resumed_on is not None else today
        if end > paused_on:
            out.append((paused_on + timedelta(days=1), end))
    return out


def _add(
    start: date, spec: DurationSpec, extra: int, calendar: WorkCalendar, paused: list[tuple[date, date]]
) -> Deadline:
    if spec.unit is Unit.working_day:
        return calendar.add_working_days(start, spec.value + extra, paused=paused)
    base = Deadline(end_of(start, spec.to_duration()), False)  # 民法典 第二百零一条、第二百零二条
    return calendar.add_working_days(base.due, extra, paused=paused) if extra else base


def stage_due(stage: Stage, start: date, calendar: WorkCalendar) -> Deadline | None:
    """The due day of a stage running from `start`, without pauses or extensions (None: no day)."""
    if isinstance(stage.within, DurationSpec):
        return _add(start, stage.within, 0, calendar, [])
    return Deadline(start, False) if stage.within in ("immediately", "same_day") else None


def _by_decision(facts: CaseFacts) -> tuple[StageStatus, date | None]:
    return ("met", facts.decided_on) if facts.decided_on is not None else ("open", None)


def _by_notice(name: str, facts: CaseFacts) -> tuple[StageStatus, date | None]:
    sent = facts.notified.get(name)
    return ("met", sent) if sent is not None else ("open", None)


def _status(name: str, stage: Stage, facts: CaseFacts) -> tuple[StageStatus, date | None]:
    """(status, met on) of a stage; `pending` where its event has not happened yet."""
    on_platform_route = facts.filed_with in ("platform", "agency")  # an agency's route is the platform's
    if name in ("compare", "own_decision", "forward", "provider_reply") and not on_platform_route:
        return "not_applicable", None  # filed with the provider: the platform's stages do not run
    if name == "provider_direct" and on_platform_route:
        return "not_applicable", None
    if name in ("own_decision",) and facts.forwarded_on is not None:
        return "not_applicable", None
    if name in ("forward", "provider_reply") and facts.forwarded_on is None and facts.decided_on is not None:
        return "not_applicable", None  # the platform decided its own error
    if name in CORRECTION_NOTICES and facts.decided_on is not None and not facts.changed_record:
        return "not_applicable", None
    if name in NOTICE_STAGES and facts.decided_on is not None and name not in facts.notices_owed:
        return "not_applicable", None
    if name == REVIEW and facts.review_requested_on is None and facts.decided_on is not None:
        return "not_applicable", None  # (may still become pending when review is asked for)
    if _start(stage, facts) is None:
        return "pending", None
    if name == MARK:
        return "met", facts.received_on  # marked the moment the case is recorded
    if name in NOTICE_STAGES:
        if name not in facts.notices_owed:
            return "not_applicable", None  # no unit received the record: nobody to tell
        return _by_notice(name, facts)
    if name == "compare":
        left = facts.left_platform_on
        return ("met", left) if left is not None else ("open", None)
    if name == "forward":
        return "met", facts.forwarded_on
    if name in APPLICANT_NOTICES or stage.from_ in FROM_DECISION:
        return _by_notice(name, facts)
    if name == REVIEW or stage.from_ == "review_requested":
        return ("met", facts.reviewed_on) if facts.reviewed_on is not None else ("open", None)
    return _by_decision(facts)  # total, provider_reply, own_decision, provider_direct, others


def extension_of(name: str, facts: CaseFacts) -> int:
    return sum(e.working_days for e in facts.extensions if name in e.stages)


def stage_view(name: str, stage: Stage, facts: CaseFacts, calendar: WorkCalendar, today: date) -> StageView:
    start = _start(stage, facts)
    status, met_on = _status(name, stage, facts)
    within = str(stage.within)
    if start is None or status == "not_applicable":
        return StageView(name, stage.cite, within, stage.from_, start, None, status, met_on, False, False)
    paused = paused_days(facts, today)
    extra = extension_of(name, facts)
    cap = _add(start, stage.extendable_to, 0, calendar, paused) if stage.extendable_to else None
    due: Deadline | None
    if facts.untimed and name != MARK and name not in NOTICE_STAGES:
        due, cap = None, None  # the text binds another body to these days, not the agency
    elif isinstance(stage.within, DurationSpec):
        due = _add(start, stage.within, extra, calendar, paused)
    elif stage.within in ("immediately", "same_day"):
        due = Deadline(start, False)
    else:
        due = None  # promptly / unspecified: the text sets no day
    overdue = status == "open" and due is not None and today > due.due
    late = status == "met" and due is not None and met_on is not None and met_on > due.due
    return StageView(
        name, stage.cite, within, stage.from_, start, due, status, met_on, overdue, late, extra, cap
    )


def all_stages(
    section: Objection, facts: CaseFacts, calendar: WorkCalendar, today: date, notices: Notices | None = None
) -> list[StageView]:
    return [stage_view(n, s, facts, calendar, today) for n, s in stages_of(section, notices).items()]


def _waits_in(state: State, view: StageView) -> bool:
    """Whether a stage is the case's own work in `state` (not the mark, not notices to units)."""
    if view.name == MARK or view.name in NOTICE_STAGES:
        return False
    if state is State.under_review:
        return view.from_ == "review_requested"
    if state in CLOSED_STATES:
        return view.from_ in FROM_DECISION
    return view.from_ not in FROM_DECISION and view.from_ != "review_requested"


def waiting(state: State, views: Iterable[StageView]) -> StageView | None:
    """What the case waits for now: of its open stages in this state, the earliest due
    (SCENARIOS.md "Stages": after forwarding the provider's reply, after a review request the
    review). None where nothing open has a day (the text says 及时 or 规定的时间内)."""
    candidates = [v for v in views if v.status == "open" and v.due is not None and _waits_in(state, v)]
    return min(candidates, key=lambda v: (v.due.due, v.name)) if candidates else None  # type: ignore[union-attr]


# --------------------------------------------------------------------------- extensions


def plan_extension(
    section: Objection, facts: CaseFacts, working_days: int, calendar: WorkCalendar, today: date
) -> tuple[str, ...]:
    """The stages an approved extension (延期) of `working_days` lengthens, or the refusal.

    It lengthens the open stages the case is waiting on that the profile marks `extendable` (or
    gives an `extendable_to`). Each may run at most to its own `extendable_to`, and at most to the
    whole case's cap: `total.extendable_to` (else a numeric `total.within`), counted from receipt —
    Shenzhen 第三十九条第二款 "整个异议处理期限累计不得超过二十个工作日". No such stage open:
    the profile provides no extension here (`not_eligible`).
    """
    if working_days <= 0:
        raise XinyongError("invalid_field", field="working_days", detail="a positive number of working days")
    views = all_stages(section, facts, calendar, today)
    targets = [
        v
        for v in views
        if v.name != TOTAL
        and v.status == "open"
        and v.due is not None
        and _waits_in(facts.state, v)
        and v.name in section.stages
        and (section.stages[v.name].extendable or section.stages[v.name].extendable_to is not None)
    ]
    if not targets:
        raise XinyongError(
            "not_eligible", detail="the profile provides no extension at this stage", cite=section.cite
        )
    names = tuple(v.name for v in targets)
    trial = replace(facts, extensions=(*facts.extensions, Extension(working_days, names)))
    total_cap = _total_cap(section, facts, calendar, today)
    for v in targets:
        after = stage_view(v.name, section.stages[v.name], trial, calendar, today)
        assert after.due is not None
        for cap, which in ((after.cap, v.name), (total_cap, TOTAL)):
            if cap is not None and after.due.due > cap.due:
                raise XinyongError(
                    "extension_exceeds_cap",
                    field="working_days",
                    detail=f"{v.name} would end on {after.due.due.isoformat()}, after the {which} cap "
                    f"{cap.due.isoformat()}",
                    cite=section.stages[which].cite,
                )
    return names


def _total_cap(section: Objection, facts: CaseFacts, calendar: WorkCalendar, today: date) -> Deadline | None:
    total = section.stages.get(TOTAL)
    if total is None:
        return None
    start = _start(total, facts)
    spec = total.extendable_to or (total.within if isinstance(total.within, DurationSpec) else None)
    if start is None or spec is None:
        return None
    return _add(start, spec, 0, calendar, paused_days(facts, today))
