"""Credit repair rules, pure: eligibility in its order, the minimum periods, stages and due dates.

Every date is worked out by hand (民法典 第二百零一条、第二百零二条; working days with 调休) and
checked on both sides of its boundary.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from factories import amended, at, event, facts
from xinyong.core import profile as profiles
from xinyong.core.workdays import WorkCalendar
from xinyong.rights.repair import rules
from xinyong.rights.repair.rules import CaseFacts, RepairState

JILIN = profiles.get("jilin")
SHENZHEN = profiles.get("shenzhen")
NANJING = profiles.get("nanjing")
HENAN = profiles.get("henan")
JIANGSU = profiles.get("jiangsu")
CAL = WorkCalendar()


def verdict(profile: Any, day: date, data: dict[str, Any] | None = None, **over: Any) -> rules.Verdict:
    subject = over.pop("applicant_is_subject", True)
    open_case = over.pop("open_case", False)
    return rules.eligibility(
        facts(**over), data or {}, profile, at(day), applicant_is_subject=subject, open_case=open_case
    )


def code(v: rules.Verdict) -> str | None:
    return None if v.ok else v.code


# --------------------------------------------------------------------------- minimum periods


def test_jilin_37_general_penalty_three_months_from_the_decision_not_the_effective_date() -> None:
    """Jilin 第三十七条第二款: 自行政处罚决定之日起三个月后. Decided 03-02, effective 03-20: the
    three months end 06-02 (not 06-20), so 06-02 is too early and 06-03 is accepted."""
    kw = {"decided_on": date(2026, 3, 2), "effective_on": date(2026, 3, 20), "severity": "general"}
    assert code(verdict(JILIN, date(2026, 6, 2), **kw)) == "too_early"
    assert verdict(JILIN, date(2026, 6, 2), **kw).cite == "吉林 第三十七条第二款"
    assert verdict(JILIN, date(2026, 6, 3), **kw).ok


def test_jilin_37_severe_penalty_six_months_month_end() -> None:
    """Jilin 第三十七条第二款: severe, 6 months from 2025-08-31 end on 2026-02-28 (no 31 February)."""
    kw = {"decided_on": date(2025, 8, 31), "effective_on": date(2025, 9, 5), "severity": "severe"}
    assert code(verdict(JILIN, date(2026, 2, 28), **kw)) == "too_early"
    assert verdict(JILIN, date(2026, 3, 1), **kw).ok


def test_jilin_37_specified_severe_never_repairable_during_its_period() -> None:
    """Jilin 第三十七条第三款: 特定严重失信 penalty information is not repaired during its 3 years."""
    kw = {"decided_on": date(2026, 3, 2), "effective_on": date(2026, 3, 2), "severity": "severe"}
    v = verdict(JILIN, date(2027, 3, 2), {"specified_severe": True}, **kw)
    assert (v.code, v.cite) == ("not_repairable", JILIN.repair.never[0].cite)
    # the same penalty without the provider's flag waits only its six months
    assert verdict(JILIN, date(2026, 9, 3), **kw).ok
    # the flag is a yes: "false" or "否" is no flag
    assert verdict(JILIN, date(2026, 9, 3), {"specified_severe": "否"}, **kw).ok


def test_shenzhen_63_provider_minimum_as_a_last_day() -> None:
    """Shenzhen 第六十三条, 第三十一条第二款: the provider sends the last day of its minimum period."""
    data = {"min_period_until": "2026-09-02"}
    assert code(verdict(SHENZHEN, date(2026, 9, 2), data)) == "too_early"
    assert verdict(SHENZHEN, date(2026, 9, 3), data).ok


def test_shenzhen_63_provider_minimum_as_a_duration() -> None:
    """`data.min_period` = 6 months from the decision 2026-03-02: through 2026-09-02."""
    data = {"min_period": {"value": 6, "unit": "month"}}
    assert code(verdict(SHENZHEN, date(2026, 9, 2), data)) == "too_early"
    assert verdict(SHENZHEN, date(2026, 9, 3), data).ok


def test_shenzhen_63_no_provider_minimum_nothing_to_wait_for() -> None:
    assert verdict(SHENZHEN, date(2026, 3, 3)).ok


def test_shenzhen_unreadable_provider_minimum_refused() -> None:
    v = verdict(SHENZHEN, date(2026, 9, 3), {"min_period_until": "next spring"})
    assert v.code == "not_eligible" and "minimum period" in (v.detail or "")
    v = verdict(SHENZHEN, date(2026, 9, 3), {"min_period": {"value": 5, "unit": "working_day"}})
    assert v.code == "not_eligible"


@pytest.mark.parametrize("profile", [NANJING, HENAN, JIANGSU], ids=lambda p: p.id)
def test_no_waiting_period_where_the_text_sets_none(profile: Any) -> None:
    """Nanjing 第六十条 and Henan 第四十三条: within the period; Jiangsu 第六十六条: sector rules."""
    assert verdict(profile, date(2026, 3, 3), provider="p").ok


# --------------------------------------------------------------------------- refusals in order


@pytest.mark.parametrize(
    "flag", ["specified_offence", "suspension_order", "license_revocation_order", "not_repairable_by_law"]
)
def test_nanjing_60_categories_never_repaired(flag: str) -> None:
    """Nanjing 第六十条第三款: 特定违法犯罪, 责令停产停业, 吊销许可证或者执照, 法律法规规定不可修复."""
    v = verdict(NANJING, date(2026, 3, 3), {flag: True})
    assert v.code == "not_repairable" and "南京 第六十条第三款" in (v.cite or "")


def test_another_subjects_record_not_allowed_before_anything_else() -> None:
    v = verdict(NANJING, date(2026, 3, 3), {"suspension_order": True}, applicant_is_subject=False)
    assert (v.code, v.cite) == ("not_allowed", NANJING.repair.cite)


def test_good_information_is_not_repaired() -> None:
    v = verdict(NANJING, date(2026, 3, 3), item="commendation", severity=None)
    assert v.code == "not_eligible"


def test_nanjing_60_only_within_the_query_period() -> None:
    """Nanjing 第五十六条/第六十条: a general record is queried 1 year (through 2027-03-02)."""
    assert verdict(NANJING, date(2027, 3, 2)).ok
    v = verdict(NANJING, date(2027, 3, 3))
    assert v.code == "not_eligible" and "expired" in (v.detail or "")


def test_revoked_record_is_not_repaired() -> None:
    v = verdict(HENAN, date(2026, 4, 1), events=(event("revoked", date(2026, 3, 10)),))
    assert v.code == "not_eligible"


def test_already_repaired_or_open_case_refused() -> None:
    assert (
        code(verdict(HENAN, date(2026, 4, 1), events=(event("repaired", date(2026, 3, 10)),)))
        == "not_eligible"
    )
    assert code(verdict(HENAN, date(2026, 4, 1), open_case=True)) == "not_eligible"


def test_profile_without_repair_section() -> None:
    bare = amended(HENAN, lambda d: d.pop("repair"))
    assert code(verdict(bare, date(2026, 4, 1))) == "not_eligible"


def test_not_repairable_wins_over_too_early() -> None:
    """A specified severe penalty asked for a day after its decision: not_repairable, not too_early."""
    kw = {"decided_on": date(2026, 3, 2), "effective_on": date(2026, 3, 2), "severity": "severe"}
    assert code(verdict(JILIN, date(2026, 3, 3), {"specified_severe": 1}, **kw)) == "not_repairable"


# --------------------------------------------------------------------------- measures


def test_shenzhen_64_commitment_letter_required() -> None:
    v = rules.measures_verdict(["training"], SHENZHEN)
    assert (v.code, v.cite) == ("not_eligible", SHENZHEN.repair.cite)
    assert rules.measures_verdict(["commitment_letter", "training"], SHENZHEN).ok


def test_measures_are_an_open_list_of_known_words() -> None:
    """The texts' lists end in 等: a known measure outside a profile's list is still accepted."""
    assert rules.measures_verdict(["settlement"], JILIN).ok
    assert rules.measures_verdict(["bribery"], JILIN).code == "invalid_field"


# --------------------------------------------------------------------------- stages


def case(**over: Any) -> CaseFacts:
    values: dict[str, Any] = {"state": RepairState.received, "received_at": at(date(2026, 9, 29))}
    values.update(over)
    return CaseFacts(**values)


def stage(views: list[rules.StageView], name: str) -> rules.StageView:
    return next(v for v in views if v.name == name)


def test_shenzhen_65_five_working_days_across_national_day() -> None:
    """Accepted Tue 2026-09-29: 9-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12 → due Mon 10-12."""
    views = rules.stages(case(), SHENZHEN, CAL, at(date(2026, 10, 12)))
    d = stage(views, "decision")
    assert (d.due, d.provisional, d.overdue) == (date(2026, 10, 12), False, False)
    assert stage(rules.stages(case(), SHENZHEN, CAL, at(date(2026, 10, 13))), "decision").overdue


def test_shenzhen_65_extension_to_ten_working_days() -> None:
    """Extended, the same case is due the 10th working day: 10-19."""
    d = stage(rules.stages(case(extended=True), SHENZHEN, CAL, at(date(2026, 10, 13))), "decision")
    assert (d.due, d.overdue) == (date(2026, 10, 19), False)


def test_jilin_38_twenty_working_days_then_mark_within_three_of_the_decision() -> None:
    """Accepted 2026-09-15: 20 working days end 2026-10-19. Decided 09-30: marked within 3 WD → 10-10."""
    views = rules.stages(case(received_at=at(date(2026, 9, 15))), JILIN, CAL, at(date(2026, 9, 16)))
    assert stage(views, "decision").due == date(2026, 10, 19)
    assert stage(views, "mark").due is None  # runs from the written decision, not made yet
    decided = case(
        received_at=at(date(2026, 9, 15)), state=RepairState.under_review, decided_at=at(date(2026, 9, 30))
    )
    views = rules.stages(decided, JILIN, CAL, at(date(2026, 10, 12)))
    mark = stage(views, "mark")
    assert (mark.due, mark.overdue) == (date(2026, 10, 10), True)
    assert stage(views, "re_review").due is None  # 复审: the text sets no time
    assert rules.waiting_for(views) == mark


def test_jilin_mark_done_when_finally_approved() -> None:
    closed = case(
        received_at=at(date(2026, 9, 15)),
        state=RepairState.approved,
        decided_at=at(date(2026, 9, 30)),
        reviewed_at=at(date(2026, 10, 9)),
        approved=True,
        closed_at=at(date(2026, 10, 9)),
    )
    views = rules.stages(closed, JILIN, CAL, at(date(2026, 12, 1)))
    assert not any(v.overdue for v in views)
    assert [v.late for v in views] == [False, False, False]
    assert rules.waiting_for(views).name == "decision"  # nothing open: the decision deadline


def test_henan_43_one_working_day_across_labour_day() -> None:
    """Applied Thu 2026-04-30: 5月1日–5日 off, due Wed 2026-05-06."""
    views = rules.stages(case(received_at=at(date(2026, 4, 30))), HENAN, CAL, at(date(2026, 5, 6)))
    assert (stage(views, "decision").due, stage(views, "decision").overdue) == (date(2026, 5, 6), False)


def test_deadline_in_an_unknown_year_is_provisional() -> None:
    """Henan: applied 2027-12-30 (2027 not in the bundled schedule): due 2027-12-31, provisional."""
    views = rules.stages(case(received_at=at(date(2027, 12, 30))), HENAN, CAL, at(date(2027, 12, 30)))
    d = stage(views, "decision")
    assert (d.due, d.provisional) == (date(2027, 12, 31), True)


def test_no_decision_deadline_where_the_text_is_silent() -> None:
    """Nanjing and Jiangsu set no time for the decision: no stage, nothing overdue."""
    assert rules.stages(case(), NANJING, CAL, at(date(2027, 1, 1))) == []
    assert rules.waiting_for([]) is None


def test_shenzhen_feedback_promptly_has_no_date_and_is_done_with_the_decision() -> None:
    done = case(
        state=RepairState.approved,
        decided_at=at(date(2026, 9, 30)),
        approved=True,
        closed_at=at(date(2026, 9, 30)),
    )
    fb = stage(rules.stages(done, SHENZHEN, CAL, at(date(2026, 10, 30))), "feedback")
    assert (fb.due, fb.done_at, fb.overdue) == (None, at(date(2026, 9, 30)), False)


def test_stage_due_words() -> None:
    from xinyong.core.profile_rights import Stage

    same = Stage.model_validate({"within": "same_day", "from": "received", "cite": "x"})
    assert rules.stage_due(same, {"received": date(2026, 5, 1)}, CAL).due == date(2026, 5, 1)
    months = Stage.model_validate({"within": {"value": 1, "unit": "month"}, "from": "received", "cite": "x"})
    assert rules.stage_due(months, {"received": date(2026, 1, 31)}, CAL).due == date(2026, 2, 28)
    assert rules.stage_due(months, {}, CAL) is None


def test_after_decision() -> None:
    assert rules.after_decision("approved", re_review=True, by_platform=False) is RepairState.under_review
    assert rules.after_decision("approved", re_review=True, by_platform=True) is RepairState.approved
    assert rules.after_decision("approved", re_review=False, by_platform=False) is RepairState.approved
    assert rules.after_decision("denied", re_review=True, by_platform=False) is RepairState.denied
