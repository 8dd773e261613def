"""Listing rules: pure functions of (listing facts, profile section, time).

No database, no clock. Which grounds a list permits, what the notice and the decision document
must say, the listing's state at an instant (expiry and a key-attention conversion are computed
here when read, never by a job), the last day on the list, and who sees a listing on which channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.periods import Unit, end_of, window_end
from xinyong.core.profile_base import DurationSpec
from xinyong.core.profile_lists import GROUND_VOCABULARY, Lists, ListSpec
from xinyong.core.workdays import Deadline, WorkCalendar


class State(StrEnum):
    proposed = "proposed"
    notified = "notified"  # the prior notice / public notice / warning is served
    listed = "listed"
    removed = "removed"
    expired = "expired"  # computed: the validity's last day has passed


class Action(StrEnum):
    notify = "notify"
    object = "object"
    resolve_objection = "resolve_objection"
    decide = "decide"
    remove = "remove"


REMOVAL_REASONS = ("repair", "expiry", "revocation", "court", "conversion", "other")
# reasons an officer gives; expiry and conversion happen by themselves (computed on read)
MANUAL_REMOVAL_REASONS = ("repair", "revocation", "court", "other")
CHANNELS = ("public", "government", "self", "authorized", "provider")

LIST_WORDS = {
    "severe": ("严重失信主体名单", "severe dishonesty list"),
    "red": ("守信激励对象名单", "red list (incentive targets)"),
    "key_attention": ("重点关注名单", "key attention list"),
    "business_anomaly": ("经营异常名录", "business anomaly list"),
}
NOTICE_WORDS = {
    "prior_notice": ("事前告知书", "prior notice"),
    "public_notice": ("公示", "public notice"),
    "warning": ("失信警示提醒", "dishonesty warning"),
}


# --------------------------------------------------------------------------- the profile's lists


def lists_of(profile: Any) -> Lists | None:
    """The profile's `[lists]` section (None: the profile has no lists)."""
    return getattr(profile, "lists", None)


def spec_of(profile: Any, name: str) -> ListSpec:
    section = lists_of(profile)
    spec = section.get(name) if section is not None else None
    if spec is None:
        have = ", ".join(section.names()) if section is not None else "none"
        raise XinyongError("unknown_list", field="list", detail=f"{name!r} (this profile's lists: {have})")
    return spec


def check_ground(spec: ListSpec, name: str, ground: str) -> str:
    """The article permitting `ground` on this list; `ground_not_permitted` otherwise."""
    if ground not in GROUND_VOCABULARY[name]:
        raise XinyongError(
            "ground_not_permitted",
            field="ground",
            detail=f"{ground!r} is not a {name} ground ({', '.join(GROUND_VOCABULARY[name])})",
            cite=spec.grounds.cite,
        )
    if ground in spec.grounds.allowed:
        return spec.grounds.allowed[ground].cite
    if spec.grounds.rule == "open":  # the text leaves the criteria to the determining departments
        return spec.grounds.cite
    raise XinyongError(
        "ground_not_permitted",
        field="ground",
        detail=f"{ground!r}; permitted: {', '.join(spec.grounds.allowed)}",
        cite=spec.grounds.cite,
    )


# --------------------------------------------------------------------------- the stage machine


def next_state(state: State, action: Action, *, objections_open: int = 0) -> State:
    """The stage after `action`, or the refusal: deciding before the notice is `not_eligible`
    (SCENARIOS.md), anything done at a stage it does not belong to is `wrong_stage`."""
    match (state, action):
        case (State.proposed, Action.notify):
            return State.notified
        case (State.notified, Action.object):
            return State.notified
        case (State.notified, Action.resolve_objection) if objections_open > 0:
            return State.notified
        case (State.notified, Action.decide):
            if objections_open > 0:
                raise XinyongError(
                    "not_eligible", detail="an objection is being verified by the determining body"
                )
            return State.listed
        case (State.proposed, Action.decide):
            raise XinyongError("not_eligible", detail="the notice has not been served")
        case (State.listed, Action.remove):
            return State.removed
        case (State.proposed | State.notified, Action.remove):
            # a proposal that is dropped (an objection found founded, or withdrawn) ends here too
            return State.removed
    raise XinyongError("wrong_stage", detail=f"{action.value} at stage {state.value}")


# --------------------------------------------------------------------------- state when read


@dataclass(frozen=True, slots=True)
class ListingFacts:
    id: int
    list: str
    subject_id: int
    ground: str
    state: State  # stored stage: proposed / notified / listed / removed
    determining_body: str
    basis_record_ids: tuple[int, ...] = ()
    notice_kind: str | None = None
    notified_at: datetime | None = None
    decided_at: datetime | None = None
    valid_until: date | None = None
    removed_at: datetime | None = None
    removal_reason: str | None = None
    # computed when read, never stored: when the last of the basis records was revoked (None: a basis
    # record still stands, or the listing has none) — the listing then rests on nothing
    basis_revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StateAt:
    state: State
    reason: str | None = None  # why it ended: repair, expiry, conversion, ...
    ended_on: date | None = None  # the first day off the list


def conversion_day(
    spec: ListSpec, facts: ListingFacts, dishonest_on: Iterable[tuple[int, date]]
) -> date | None:
    """Nanjing 第三十七条第四款: the day a new dishonest act during the key-attention period
    (after the listing day, up to its last day) ended the listing. `dishonest_on`: (record id, day
    the act was determined) of the subject's dishonest records."""
    if not spec.converts_on_dishonesty or facts.decided_at is None:
        return None
    listed_on = local_date(facts.decided_at)
    days = [
        d
        for rid, d in dishonest_on
        if rid not in facts.basis_record_ids
        and listed_on < d
        and (facts.valid_until is None or d <= facts.valid_until)
    ]
    return min(days) if days else None


def state_at(facts: ListingFacts, now: datetime, *, converted_on: date | None = None) -> StateAt:
    """The listing's state at `now`: the stored stage, then revocation of its whole basis, expiry and
    conversion (all three computed, so no job has to run)."""
    today = local_date(now)
    if facts.state is State.removed:
        ended = local_date(facts.removed_at) if facts.removed_at else None
        return StateAt(State.removed, facts.removal_reason, ended)
    if facts.basis_revoked_at is not None and facts.basis_revoked_at <= now:
        # every legal document it rested on was revoked (撤销、变更、确认无效): it no longer stands
        return StateAt(State.removed, "revocation", local_date(facts.basis_revoked_at))
    if facts.state is not State.listed:
        return StateAt(facts.state)
    if converted_on is not None and converted_on <= today:
        return StateAt(State.removed, "conversion", converted_on)
    if facts.valid_until is not None and today > facts.valid_until:
        return StateAt(State.expired, "expiry", facts.valid_until + timedelta(days=1))
    return StateAt(State.listed)


def is_active(facts: ListingFacts, now: datetime, *, converted_on: date | None = None) -> bool:
    """Decided, decided by `now`, not removed, not expired, not converted."""
    if facts.decided_at is None or facts.decided_at > now:
        return False
    return state_at(facts, now, converted_on=converted_on).state is State.listed


# --------------------------------------------------------------------------- validity


def valid_until(
    spec: ListSpec,
    listed_on: date,
    given: date | None,
    basis_public_until: Sequence[date | None] = (),
) -> date | None:
    """The last day on the list (None: until removed), fixed when the listing is decided.

    A profile period runs from the decision day (民法典 第二百零一条、第二百零二条: the day itself
    not counted); `decision_set` takes the determining body's date (Henan 第三十七条), none = until
    removed; `basis_disclosure` ends with the last basis record's disclosure period (Shenzhen
    第五十二条: 在信息披露有效期内).
    """
    if given is not None and given < listed_on:
        raise XinyongError("invalid_date", field="valid_until", detail=f"{given} is before {listed_on}")
    rule = spec.validity
    if isinstance(rule, DurationSpec):
        if given is not None:
            raise XinyongError(
                "not_eligible",
                field="valid_until",
                detail=f"the profile fixes the validity at {rule}",
                cite=spec.validity_cite,
            )
        if rule.unit is Unit.working_day:  # no text uses one; refuse rather than guess a calendar
            raise XinyongError("invalid_profile", detail="list validity in working days")
        return end_of(listed_on, rule.to_duration())
    if rule == "decision_set":
        return given
    if given is not None:
        raise XinyongError(
            "not_eligible",
            field="valid_until",
            detail=f"the profile sets the validity ({rule})",
            cite=spec.validity_cite,
        )
    if rule == "basis_disclosure":
        if not basis_public_until or any(d is None for d in basis_public_until):
            return None
        return max(d for d in basis_public_until if d is not None)
    return None


def objection_due(spec: ListSpec, notified_on: date, calendar: WorkCalendar) -> Deadline | None:
    """The last day to object to the notice, where the profile sets a period (民法典 第二百零三条:
    a period to act ends on a working day)."""
    period = spec.notice.objection_period
    if period is None:
        return None
    return window_end(notified_on, period.to_duration(), calendar)


# --------------------------------------------------------------------------- who sees what


def visible(
    spec: ListSpec,
    facts: ListingFacts,
    now: datetime,
    channel: str,
    *,
    viewer_subject_id: int | None = None,
    viewer_unit: str | None = None,
    converted_on: date | None = None,
) -> bool:
    """Whether a viewer on `channel` sees this listing now.

    public — a decided, active listing of a list the profile publishes (Nanjing 第四十条, Jilin
    第二十四条, Henan 第三十六条), and a red-list candidate while its public notice (公示) runs;
    government — every active listing (shared with the units applying measures, Jiangsu 第四十八条);
    authorized — what the public sees; self — the subject's own listings at every stage (the
    notice is addressed to it); provider — the determining body's own listings.
    """
    current = state_at(facts, now, converted_on=converted_on).state
    active = is_active(facts, now, converted_on=converted_on)
    match channel:
        case "public" | "authorized":
            if active and spec.publish:
                return True
            return current is State.notified and facts.notice_kind == "public_notice"
        case "government":
            return active
        case "self":
            return viewer_subject_id == facts.subject_id
        case "provider":
            return viewer_unit is None or viewer_unit == facts.determining_body
    return False


# --------------------------------------------------------------------------- documents


def ground_words(spec: ListSpec, ground: str) -> str:
    """The ground as the text words it (its description), or its code."""
    found = spec.grounds.allowed.get(ground)
    return found.description if found is not None and found.description else ground


def _list_words(name: str, spec: ListSpec) -> tuple[str, str]:
    return spec.name, LIST_WORDS.get(name, (spec.name, name))[1]


def notice_contents(
    spec: ListSpec,
    name: str,
    *,
    subject_name: str,
    ground: str,
    ground_cite: str,
    basis: Sequence[dict[str, Any]],
    determining_body: str,
    served_on: date,
    objection_until: Deadline | None,
) -> dict[str, Any]:
    """The notice as served: every content the profile's article requires, in Chinese and English."""
    zh_list, en_list = _list_words(name, spec)
    kind_zh, kind_en = NOTICE_WORDS[spec.notice.kind]
    parts: dict[str, Any] = {}
    docs = "、".join(str(b.get("document") or f"记录 {b['id']}") for b in basis) or "—"
    for item in spec.notice.contents:
        match item:
            case "reasons":
                parts[item] = {
                    "zh": f"拟以事由“{ground_words(spec, ground)}”将{subject_name}列入{zh_list}",
                    "en": f"proposed for the {en_list} on ground {ground}",
                    "cite": ground_cite,
                }
            case "basis":
                parts[item] = {"zh": f"依据：{docs}", "en": f"basis: {docs}", "records": list(basis)}
            case "measures":
                parts[item] = {
                    "zh": "依法实施的相应措施见本辖区措施清单",
                    "en": "the measures that follow are those of this jurisdiction's measures lists",
                    "cite": spec.measures_cite,
                }
            case "rights" | "objection_right":
                parts[item] = {
                    "zh": "当事人有权陈述、申辩并提出异议，由认定机关核实处理",
                    "en": "the party may state its case and object; the determining body verifies",
                    "cite": spec.notice.objection_cite or spec.notice.cite,
                }
            case "entry_conditions":
                parts[item] = {"zh": f"列入条件：{spec.grounds.cite}", "en": f"entry: {spec.grounds.cite}"}
            case "removal_conditions":
                parts[item] = _removal_conditions(spec)
    out: dict[str, Any] = {
        "kind": spec.notice.kind,
        "title": {"zh": f"{zh_list}{kind_zh}", "en": f"{en_list}: {kind_en}"},
        "form": spec.notice.form,
        "addressee": subject_name,
        "determining_body": determining_body,
        "served_on": served_on.isoformat(),
        "ground": ground,
        "contents": parts,
        "cite": spec.notice.cite,
    }
    if objection_until is not None:
        out["objection_until"] = {
            "due": objection_until.due.isoformat(),
            "provisional": objection_until.provisional,
        }
    return out


def _removal_conditions(spec: ListSpec) -> dict[str, Any]:
    conditions = [{"text": c.text, "cite": c.cite} for c in spec.removal.conditions]
    return {
        "zh": "；".join(c.text for c in spec.removal.conditions) or "依认定机关规定",
        "en": "see the conditions listed" if conditions else "as the determining body sets",
        "conditions": conditions,
    }


def decision_contents(
    spec: ListSpec,
    name: str,
    *,
    subject_name: str,
    ground: str,
    ground_cite: str,
    basis: Sequence[dict[str, Any]],
    determining_body: str,
    decided_on: date,
    last_day: date | None,
) -> dict[str, Any]:
    """The decision document (决定文书, Jiangsu 第三十一条第二款) with every content the profile
    requires; reasons, basis and validity are always stated."""
    zh_list, en_list = _list_words(name, spec)
    docs = "、".join(str(b.get("document") or f"记录 {b['id']}") for b in basis) or "—"
    until_zh = last_day.isoformat() if last_day else "至移出之日"
    until_en = last_day.isoformat() if last_day else "until removed"
    parts: dict[str, Any] = {
        "reasons": {
            "zh": f"以事由“{ground_words(spec, ground)}”将{subject_name}列入{zh_list}",
            "en": f"listed on the {en_list} on ground {ground}",
            "cite": ground_cite,
        },
        "basis": {"zh": f"依据：{docs}", "en": f"basis: {docs}", "records": list(basis)},
        "validity": {
            "zh": f"有效期至：{until_zh}",
            "en": f"on the list through {until_en}",
            "valid_until": last_day.isoformat() if last_day else None,
            "cite": spec.validity_cite,
        },
    }
    for item in spec.decision.contents:
        match item:
            case "measures":
                parts[item] = {
                    "zh": "依法实施本辖区措施清单所列的相应措施",
                    "en": "the measures of this jurisdiction's measures lists apply",
                    "cite": spec.measures_cite,
                }
            case "entry_conditions":
                parts[item] = {"zh": f"列入条件：{spec.grounds.cite}", "en": f"entry: {spec.grounds.cite}"}
            case "removal_conditions":
                parts[item] = _removal_conditions(spec)
            case "removal_procedure":
                parts[item] = {
                    "zh": spec.removal.procedure or "符合移出条件的，可以向认定机关申请移出（信用修复）",
                    "en": "once the conditions are met, apply to the determining body for removal (repair)",
                    "cite": spec.removal.cite,
                }
            case "remedies":
                parts[item] = {
                    "zh": "对本决定不服的，可以依法申请行政复议或者提起行政诉讼",
                    "en": "the party may apply for administrative review or bring an administrative suit",
                    "cite": spec.decision.cite,
                }
    return {
        "title": {"zh": f"列入{zh_list}决定书", "en": f"Decision: {en_list}"},
        "document": spec.decision.document,
        "addressee": subject_name,
        "determining_body": determining_body,
        "decided_on": decided_on.isoformat(),
        "ground": ground,
        "contents": parts,
        "served": spec.decision.served,
        "cite": spec.decision.cite,
    }


def removal_announcement(
    spec: ListSpec, name: str, *, subject_name: str, determining_body: str, removed_on: date, reason: str
) -> dict[str, Any] | None:
    """Henan 第三十七条第三款: 名单退出公告 through the original channel; None where the text has none."""
    if not spec.removal.announcement:
        return None
    zh_list, en_list = _list_words(name, spec)
    return {
        "title": {"zh": f"{zh_list}退出公告", "en": f"Removal from the {en_list}"},
        "text": {
            "zh": f"{subject_name}自{removed_on.isoformat()}起移出{zh_list}",
            "en": f"{subject_name} is off the {en_list} from {removed_on.isoformat()}",
        },
        "channel": "public" if spec.publish else "original",
        "determining_body": determining_body,
        "removed_on": removed_on.isoformat(),
        "reason": reason,
        "cite": spec.removal.announcement_cite,
    }
