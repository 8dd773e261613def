"""Statements, withholding, archive requests, contests and reorganization: pure rules.

Each `*_verdict` answers whether a request may be accepted now, in one order for all of them:
the profile has no such procedure → `not_eligible`; the asker is not the subject (nor an operator)
→ `not_allowed`; the record does not qualify → `not_eligible`.

Choices the texts leave open (docs/rights-repair.md):
- Contest (Shenzhen 第六十一条第三款) exists only where the profile has a `contest` section; the other
  texts grant the right to 复议/诉讼 (Jiangsu 第七十一条, Nanjing 第六十二条) but no effect on the
  platform, so a contest there is `not_eligible`. A profile whose section says
  `suspends_disclosure = false` records the contest (`contested`) without changing disclosure.
- Archive (Henan 第四十四条): "公示期限届满未转为档案保存" — the record's disclosure period is over and no
  `archived` event has been recorded for it; the computed state may already read `archived`
  (Henan 第十九条), the request records the conversion itself.
- Reorganization (Shenzhen 第六十九条–第七十一条): every record decided before the day the court
  approved the plan is pre-plan information.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from xinyong.core.clock import local_date
from xinyong.core.profile import Profile
from xinyong.core.profile_base import InfoClass
from xinyong.records import rules as record_rules
from xinyong.rights.repair.rules import Verdict

OK = Verdict(True)
NATURAL_PERSON = "natural_person"
SUSPENDED, CONTESTED, REORGANIZATION, STATEMENT = "suspended", "contested", "reorganization", "statement"


def _who(by_subject: bool, cite: str) -> Verdict | None:
    if not by_subject:
        return Verdict(False, "not_allowed", "only the subject (or an operator) asks for this", cite)
    return None


def _state(facts: record_rules.RecordFacts, profile: Profile, now: datetime) -> record_rules.State:
    return record_rules.state(facts, profile, now, local_date(now))


def statement_verdict(
    facts: record_rules.RecordFacts, profile: Profile, now: datetime, *, by_subject: bool, ground: str | None
) -> Verdict:
    """A statement (附注) on one's own record (Shenzhen 第六十条)."""
    section = profile.statements
    if section is None or not section.allowed:
        cite = section.cite if section else None
        return Verdict(False, "not_eligible", "the profile provides no statements (附注)", cite)
    if (refused := _who(by_subject, section.cite)) is not None:
        return refused
    if ground is not None and section.grounds and ground not in section.grounds:
        return Verdict(
            False, "invalid_field", f"ground {ground!r}; one of {', '.join(section.grounds)}", section.cite
        )
    if _state(facts, profile, now) is record_rules.State.deleted:
        return Verdict(False, "not_eligible", "the record is deleted", section.cite)
    return OK


def withhold_verdict(
    facts: record_rules.RecordFacts, profile: Profile, now: datetime, *, by_subject: bool, withheld: bool
) -> Verdict:
    """Withholding good information (Shenzhen 第五十九条, Nanjing 第六十一条)."""
    section = profile.withholding
    if section is None:
        return Verdict(False, "not_eligible", "the profile provides no withholding of good information")
    if (refused := _who(by_subject, section.cite)) is not None:
        return refused
    item = profile.item(facts.item)
    if item is None or item.class_ is not InfoClass.good or facts.item not in section.items:
        return Verdict(
            False, "not_eligible", f"{facts.item} is not good information that may be withheld", section.cite
        )
    if _state(facts, profile, now) is not record_rules.State.active:
        return Verdict(False, "not_eligible", "the record is no longer disclosed", section.cite)
    if withheld:
        return Verdict(False, "not_eligible", "the record is already withheld", section.cite)
    return OK


def archive_verdict(
    facts: record_rules.RecordFacts, profile: Profile, now: datetime, *, by_subject: bool
) -> Verdict:
    """Conversion of an expired record to archive storage on request (Henan 第四十四条)."""
    section = profile.archive_request
    if section is None or not section.allowed:
        cite = section.cite if section else None
        return Verdict(False, "not_eligible", "the profile gives no right to ask for archiving", cite)
    if (refused := _who(by_subject, section.cite)) is not None:
        return refused
    if any(e.kind == record_rules.ARCHIVED for e in facts.events):
        return Verdict(
            False, "not_eligible", "the record is already converted to archive storage", section.cite
        )
    today = local_date(now)
    if _state(facts, profile, now) in (record_rules.State.deleted, record_rules.State.revoked) or any(
        e.kind == record_rules.REVOKED for e in facts.events
    ):
        return Verdict(False, "not_eligible", "the record is revoked or deleted", section.cite)
    public_until = record_rules.window(facts, profile).public_until
    if public_until is None or today <= public_until:
        until = public_until.isoformat() if public_until else "no end"
        return Verdict(
            False, "not_eligible", f"the disclosure period has not expired ({until})", section.cite
        )
    return OK


def contest_verdict(
    facts: record_rules.RecordFacts, profile: Profile, now: datetime, *, by_subject: bool, open_contest: bool
) -> Verdict:
    """Administrative review or litigation over a record starts (Shenzhen 第六十一条第三款)."""
    section = profile.contest
    if section is None:
        return Verdict(False, "not_eligible", "the profile does not suspend disclosure during 复议 or 诉讼")
    if (refused := _who(by_subject, section.cite)) is not None:
        return refused
    if _state(facts, profile, now) is record_rules.State.deleted:
        return Verdict(False, "not_eligible", "the record is deleted", section.cite)
    if open_contest:
        return Verdict(False, "not_eligible", "a contest of this record is already pending", section.cite)
    return OK


def contest_end_verdict(profile: Profile, *, by_subject: bool, open_contest: bool) -> Verdict:
    section = profile.contest
    if section is None:
        return Verdict(False, "not_eligible", "the profile does not suspend disclosure during 复议 or 诉讼")
    if (refused := _who(by_subject, section.cite)) is not None:
        return refused
    if not open_contest:
        return Verdict(False, "not_eligible", "no contest of this record is pending", section.cite)
    return OK


def contest_mark(profile: Profile) -> str:
    """The record event a contest writes: the `suspended` mark, or `contested` where nothing is suspended."""
    return SUSPENDED if profile.contest is not None and profile.contest.suspends_disclosure else CONTESTED


def reorganize_verdict(profile: Profile, subject_kind: str, *, by_subject: bool, open_case: bool) -> Verdict:
    """A court-approved reorganization plan presented by the administrator (Shenzhen 第六十九条)."""
    section = profile.reorganization
    if section is None:
        return Verdict(False, "not_eligible", "the profile has no bankruptcy reorganization procedure")
    if (refused := _who(by_subject, section.cite)) is not None:
        return refused
    if subject_kind == NATURAL_PERSON:
        return Verdict(
            False, "not_eligible", "only an enterprise is reorganized (破产重整企业)", section.cite
        )
    if open_case:
        return Verdict(False, "not_eligible", "a reorganization plan is already being executed", section.cite)
    return OK


def pre_plan(decided_on: date, plan_on: date) -> bool:
    """Information from before the court approved the plan (Shenzhen 第七十一条: 裁定破产重整计划之前)."""
    return decided_on < plan_on


@dataclass(frozen=True)
class Plan:
    """A reorganization plan being (or having been) executed: the day the court approved it, and when
    the platform received it and when its execution ended (None: still executed)."""

    plan_on: date
    received_at: datetime
    ended_at: datetime | None = None

    def in_force(self, now: datetime | None) -> bool:
        if now is None:
            return self.ended_at is None
        return self.received_at <= now and (self.ended_at is None or now < self.ended_at)


def _reorganized(record: record_rules.RecordFacts, now: datetime | None) -> bool:
    for event in record.events:
        if event.kind != REORGANIZATION:
            continue
        if now is None:
            if event.ends_at is None:
                return True
        elif event.at <= now and (event.ends_at is None or event.ends_at > now):
            return True
    return False


def excluded_from_adverse_use(
    record: record_rules.RecordFacts,
    matter: str,
    profile: Profile,
    now: datetime | None = None,
    plans: Sequence[Plan] = (),
) -> bool:
    """Whether the automatic check must not use this record against the subject for `matter`.

    Shenzhen 第七十一条: information from before the court approved the plan (裁定破产重整计划之前) is no
    factor against the enterprise in 行政许可, 公共资源交易, 政府采购, 招标投标 (profile
    `reorganization.excluded_matters`). What counts is the day the record's decision was made, not the
    day it reached the platform: a record decided before the plan is excluded even when its provider
    submits it after the request (no mark was written on it then). So a record is excluded when it
    carries a `reorganization` mark in force at `now` (None: not ended), or when one of the subject's
    `plans` in force at `now` was approved after the record was decided. Information from the plan's
    day on is used as any other.
    """
    section = profile.reorganization
    if section is None or matter not in section.excluded_matters:
        return False
    if _reorganized(record, now):
        return True
    return any(plan.in_force(now) and pre_plan(record.decided_on, plan.plan_on) for plan in plans)


def treated_as_new(profile: Profile, *, reorganizing: bool) -> bool:
    """Evaluators rate an enterprise executing its plan as newly established (Shenzhen 第七十条)."""
    return profile.reorganization is not None and profile.reorganization.treat_as_new and reorganizing
