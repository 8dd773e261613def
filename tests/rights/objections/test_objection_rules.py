"""The pure objection rules: who may file, the filing window, the move table, every stage's due date.

No database: facts in, dates and refusals out. Dates are worked by hand in the docstrings and
checked against the bundled State Council schedule (2026 National Day: 10-01 to 10-07 off, Saturday
10-10 worked).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from xinyong.core.errors import XinyongError
from xinyong.core.workdays import Deadline, WorkCalendar
from xinyong.rights.objections import rules
from xinyong.rights.objections.rules import Action, CaseFacts, Extension, Filing, Outcome, State

from .builders import profile, with_objection

CAL = WorkCalendar()
D = date.fromisoformat


def section(pid: str) -> Any:
    s = profile(pid).objection
    assert s is not None
    return s


def filing(**over: Any) -> Filing:
    values: dict[str, Any] = {
        "filer_is_subject": True,
        "filer_is_interested": False,
        "received_on": D("2026-11-02"),
        "known_on": None,
        "evidence": (),
        "target": "record",
        "record_item": "admin_penalty",
    }
    values.update(over)
    return Filing(**values)


def refused(code: str, fn: Any, *args: Any, **kw: Any) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        fn(*args, **kw)
    assert info.value.code == code, info.value
    return info.value


def views(pid: str, facts: CaseFacts, today: str, calendar: WorkCalendar = CAL) -> dict[str, rules.StageView]:
    p = profile(pid)
    assert p.objection is not None
    return {v.name: v for v in rules.all_stages(p.objection, facts, calendar, D(today), p.notices)}


# --------------------------------------------------------------------------- filing


@pytest.mark.parametrize(
    ("known_on", "filed_on", "ok"),
    [
        ("2026-08-02", "2026-10-08", True),  # day 60 is 10-01 (National Day): the window ends 10-08
        ("2026-08-02", "2026-10-09", False),
        ("2026-09-17", "2026-11-16", True),  # day 60 is Monday 11-16
        ("2026-09-17", "2026-11-17", False),
    ],
)
def test_shenzhen_38_sixty_day_window_with_civil_code_203(known_on: str, filed_on: str, ok: bool) -> None:
    """Shenzhen 第三十八条: 60 days from known_on; 民法典 第二百零三条 moves a holiday last day on."""
    f = filing(known_on=D(known_on), received_on=D(filed_on))
    if ok:
        rules.check_filing(section("shenzhen"), f, CAL)
    else:
        err = refused("window_closed", rules.check_filing, section("shenzhen"), f, CAL)
        assert err.cite == "深圳 第三十八条"


def test_shenzhen_38_window_last_day() -> None:
    f = filing(known_on=D("2026-08-02"), received_on=D("2026-08-10"))
    assert rules.window_last_day(section("shenzhen"), f, CAL) == Deadline(D("2026-10-08"), False)


def test_a_filing_that_names_no_known_on_is_within_the_window() -> None:
    """The applicant knew at the latest when it filed: the window cannot have closed."""
    rules.check_filing(section("shenzhen"), filing(known_on=None, received_on=D("2027-06-30")), CAL)


@pytest.mark.parametrize("pid", ["jiangsu", "nanjing", "jilin", "henan"])
def test_no_filing_window_where_the_text_is_silent(pid: str) -> None:
    assert rules.window_last_day(section(pid), filing(known_on=D("2020-01-01")), CAL) is None


def test_known_on_after_the_filing_day_is_an_invalid_date() -> None:
    refused("invalid_date", rules.check_filing, section("shenzhen"), filing(known_on=D("2026-11-03")), CAL)


def test_shenzhen_37_interested_party_may_object() -> None:
    """Shenzhen 第三十七条: 信用主体及其利害关系人."""
    rules.check_filing(section("shenzhen"), filing(filer_is_subject=False, filer_is_interested=True), CAL)


@pytest.mark.parametrize("pid", ["jiangsu", "nanjing", "jilin", "henan"])
def test_interested_party_refused_where_only_the_subject_objects(pid: str) -> None:
    f = filing(filer_is_subject=False, filer_is_interested=True, evidence=("证据",))
    refused("not_allowed", rules.check_filing, section(pid), f, CAL)


def test_another_subject_is_not_allowed() -> None:
    f = filing(filer_is_subject=False, filer_is_interested=False)
    refused("not_allowed", rules.check_filing, section("shenzhen"), f, CAL)


def test_henan_41_evidence_required() -> None:
    """Henan 第四十一条: 提出异议申请，并提交相关证明材料."""
    err = refused("not_eligible", rules.check_filing, section("henan"), filing(), CAL)
    assert (err.field, err.cite) == ("evidence", "河南 第四十一条")
    rules.check_filing(section("henan"), filing(evidence=("缴款凭证",)), CAL)


def test_no_evidence_needed_elsewhere() -> None:
    rules.check_filing(section("jilin"), filing(), CAL)


def test_an_evaluation_objection_names_an_evaluation_record() -> None:
    """Shenzhen 第三十七条: objections to a credit evaluation; a penalty is not one."""
    refused("not_eligible", rules.check_filing, section("shenzhen"), filing(target="evaluation"), CAL)
    rules.check_filing(section("shenzhen"), filing(target="evaluation", record_item="evaluation"), CAL)


# --------------------------------------------------------------------------- moves

R, F, C, DEL, U, UR = (
    State.received,
    State.forwarded,
    State.corrected,
    State.deleted,
    State.upheld,
    State.under_review,
)

MOVES: list[tuple[str, State, Action, dict[str, Any], State | str]] = [
    ("jilin", R, Action.forward, {}, F),
    ("jilin", F, Action.forward, {}, "wrong_stage"),
    ("jilin", UR, Action.forward, {}, "wrong_stage"),
    ("jilin", C, Action.forward, {}, "case_closed"),
    ("jilin", R, Action.resolve, {"outcome": Outcome.corrected, "by": "platform"}, C),
    ("jilin", R, Action.resolve, {"outcome": Outcome.deleted, "by": "platform"}, DEL),
    ("jilin", R, Action.resolve, {"outcome": Outcome.upheld, "by": "platform"}, U),
    ("jilin", R, Action.resolve, {"outcome": Outcome.upheld, "by": "provider"}, "wrong_stage"),
    ("jilin", F, Action.resolve, {"outcome": Outcome.upheld, "by": "provider"}, U),
    ("jilin", F, Action.resolve, {"outcome": Outcome.corrected, "by": "platform"}, C),
    ("jilin", R, Action.resolve, {"outcome": Outcome.unverifiable}, "not_eligible"),
    ("shenzhen", R, Action.resolve, {"outcome": Outcome.unverifiable}, DEL),  # Shenzhen 第四十一条
    ("jilin", R, Action.resolve, {}, "missing_field"),
    ("jilin", U, Action.resolve, {"outcome": Outcome.corrected}, "case_closed"),
    ("jilin", DEL, Action.extend, {}, "case_closed"),
    ("jilin", R, Action.review, {}, "wrong_stage"),
    ("jilin", F, Action.review, {}, "wrong_stage"),
    ("jilin", U, Action.review, {}, UR),  # Jilin 第三十六条第四款
    ("jilin", C, Action.review, {"reviewed": True}, "case_closed"),
    ("nanjing", U, Action.review, {}, "not_eligible"),
    ("jilin", UR, Action.resolve, {"outcome": Outcome.corrected, "by": "platform"}, C),
    ("jilin", UR, Action.resolve, {"outcome": Outcome.corrected, "by": "provider"}, "wrong_stage"),
    ("jilin", UR, Action.review, {}, "wrong_stage"),
    ("jilin", R, Action.extend, {}, R),
    ("jilin", R, Action.pause, {}, "not_eligible"),  # only Henan 第四十一条 excludes paused time
    ("henan", R, Action.pause, {}, R),
    ("henan", F, Action.pause, {"paused": True}, "wrong_stage"),
    ("henan", F, Action.resume, {"paused": True}, F),
    ("henan", R, Action.resume, {}, "wrong_stage"),
    ("henan", R, Action.resolve, {"outcome": Outcome.corrected, "paused": True}, "wrong_stage"),
    ("henan", C, Action.pause, {}, "case_closed"),
]


@pytest.mark.parametrize(("pid", "state", "action", "kw", "want"), MOVES)
def test_move_table(pid: str, state: State, action: Action, kw: dict[str, Any], want: State | str) -> None:
    if isinstance(want, State):
        assert rules.next_state(state, action, section(pid), **kw) is want
    else:
        refused(want, rules.next_state, state, action, section(pid), **kw)


def test_unverifiable_refused_where_the_text_is_silent_cites_the_section() -> None:
    err = refused("not_eligible", rules.outcome_state, section("nanjing"), Outcome.unverifiable)
    assert err.field == "outcome" and err.cite == "南京 第五十八条"


# --------------------------------------------------------------------------- stages: Shenzhen


def test_shenzhen_39_stages_of_a_received_case() -> None:
    """Shenzhen 第三十九条: filed Monday 2026-11-02: compare and forward within 2 working days
    (11-04), the own correction decision within 3 (11-05); the mark is the same day (第三十七条)."""
    v = views("shenzhen", CaseFacts(state=R, received_on=D("2026-11-02")), "2026-11-02")
    assert v["mark"].due == Deadline(D("2026-11-02"), False) and v["mark"].status == "met"
    assert v["compare"].due == Deadline(D("2026-11-04"), False) and v["compare"].status == "open"
    assert v["forward"].due == Deadline(D("2026-11-04"), False)
    assert v["own_decision"].due == Deadline(D("2026-11-05"), False)
    assert v["provider_reply"].status == "pending" and v["provider_reply"].due is None
    assert v["provider_direct"].status == "not_applicable"
    assert v["total"].due is None and v["total"].cap == Deadline(D("2026-11-30"), False)
    waiting = rules.waiting(R, v.values())
    assert waiting is not None and (waiting.name, waiting.due) == (
        "compare",
        Deadline(D("2026-11-04"), False),
    )


def test_shenzhen_39_forwarded_case_waits_for_the_provider_reply() -> None:
    """Forwarded 11-03: the provider replies within 10 working days, by 11-17."""
    facts = CaseFacts(state=F, received_on=D("2026-11-02"), forwarded_on=D("2026-11-03"))
    v = views("shenzhen", facts, "2026-11-17")
    assert v["provider_reply"].due == Deadline(D("2026-11-17"), False)
    assert (v["compare"].status, v["compare"].met_on) == ("met", D("2026-11-03"))
    assert (v["forward"].status, v["forward"].met_on) == ("met", D("2026-11-03"))
    assert v["own_decision"].status == "not_applicable"
    assert not v["provider_reply"].overdue  # the last day is still in time
    assert views("shenzhen", facts, "2026-11-18")["provider_reply"].overdue  # the first day after is not
    waiting = rules.waiting(F, v.values())
    assert waiting is not None and waiting.name == "provider_reply"


def test_shenzhen_39_decided_case_waits_for_telling_the_applicant() -> None:
    facts = CaseFacts(
        state=C, received_on=D("2026-11-02"), forwarded_on=D("2026-11-03"), decided_on=D("2026-11-18")
    )
    v = views("shenzhen", facts, "2026-11-19")
    assert v["provider_reply"].status == "met" and v["provider_reply"].late  # replied a day late
    assert v["inform_applicant"].due == Deadline(D("2026-11-20"), False)
    waiting = rules.waiting(C, v.values())
    assert waiting is not None and waiting.name == "inform_applicant"
    sent = views(
        "shenzhen",
        facts.__class__(**{**facts.__dict__, "notified": {"inform_applicant": D("2026-11-19")}}),
        "2026-11-19",
    )
    assert sent["inform_applicant"].status == "met" and rules.waiting(C, sent.values()) is None


def test_shenzhen_42_sharing_unit_notices_are_not_what_the_case_waits_for() -> None:
    """Shenzhen 第四十二条: 1 working day to tell sharing units of the mark (from acceptance)."""
    facts = CaseFacts(
        state=F,
        received_on=D("2026-11-02"),
        forwarded_on=D("2026-11-03"),
        notices_owed=frozenset({"notify_sharing_units"}),
    )
    v = views("shenzhen", facts, "2026-11-04")
    assert v["notify_sharing_units"].due == Deadline(D("2026-11-03"), False)
    assert v["notify_sharing_units"].overdue  # unsent on 11-04
    assert v["notify_sharing_units_on_correction"].status == "pending"
    waiting = rules.waiting(F, v.values())
    assert waiting is not None and waiting.name == "provider_reply"


def test_shenzhen_sharing_unit_notice_not_applicable_when_no_unit_received_the_record() -> None:
    v = views("shenzhen", CaseFacts(state=R, received_on=D("2026-11-02")), "2026-11-09")
    assert v["notify_sharing_units"].status == "not_applicable" and not v["notify_sharing_units"].overdue


def test_shenzhen_39_national_day_and_adjusted_saturday() -> None:
    """Filed 2026-09-29: compare due 10-08. Forwarded 09-30: 10 working days counting Saturday
    10-10 (调休上班) end 10-20."""
    assert views("shenzhen", CaseFacts(state=R, received_on=D("2026-09-29")), "2026-09-29")[
        "compare"
    ].due == (Deadline(D("2026-10-08"), False))
    facts = CaseFacts(state=F, received_on=D("2026-09-29"), forwarded_on=D("2026-09-30"))
    assert views("shenzhen", facts, "2026-09-30")["provider_reply"].due == Deadline(D("2026-10-20"), False)


def test_deadline_in_2027_is_provisional_until_the_year_is_loaded() -> None:
    facts = CaseFacts(state=F, received_on=D("2026-12-24"), forwarded_on=D("2026-12-28"))
    assert views("shenzhen", facts, "2026-12-28")["provider_reply"].due == Deadline(D("2027-01-11"), True)
    loaded = WorkCalendar(holidays=[D("2027-01-01")], loaded_years=[2027])
    assert views("shenzhen", facts, "2026-12-28", loaded)["provider_reply"].due == Deadline(
        D("2027-01-12"), False
    )


# --------------------------------------------------------------------------- extensions


def test_shenzhen_39_extension_capped_at_twenty_working_days_in_all() -> None:
    """Shenzhen 第三十九条第二款: received 11-02, the whole case at most 20 working days (11-30)."""
    facts = CaseFacts(state=F, received_on=D("2026-11-02"), forwarded_on=D("2026-11-03"))
    err = refused(
        "extension_exceeds_cap", rules.plan_extension, section("shenzhen"), facts, 10, CAL, D("2026-11-16")
    )
    assert err.cite == "深圳 第三十九条第二款, 第四十条第二款"
    assert rules.plan_extension(section("shenzhen"), facts, 9, CAL, D("2026-11-16")) == ("provider_reply",)
    extended = CaseFacts(**{**facts.__dict__, "extensions": (Extension(9, ("provider_reply",)),)})
    v = views("shenzhen", extended, "2026-11-16")
    assert (
        v["provider_reply"].due == Deadline(D("2026-11-30"), False) and v["provider_reply"].extended_by == 9
    )
    refused(
        "extension_exceeds_cap", rules.plan_extension, section("shenzhen"), extended, 1, CAL, D("2026-11-27")
    )


def test_shenzhen_extension_on_the_platforms_own_route() -> None:
    """Received: only the own correction decision is extendable (compare and forward are not)."""
    facts = CaseFacts(state=R, received_on=D("2026-11-02"))
    assert rules.plan_extension(section("shenzhen"), facts, 5, CAL, D("2026-11-03")) == ("own_decision",)


def test_a_stage_cap_of_its_own() -> None:
    """A profile giving a stage its own `extendable_to` caps that stage from its own start."""
    p = profile("jilin")
    stages = p.objection.model_dump(by_alias=True)["stages"]  # type: ignore[union-attr]
    stages["provider_reply"]["extendable_to"] = {"value": 20, "unit": "working_day"}
    s = with_objection(p, stages=stages).objection
    facts = CaseFacts(state=F, received_on=D("2026-11-09"), forwarded_on=D("2026-11-20"))
    assert rules.plan_extension(s, facts, 5, CAL, D("2026-12-01")) == ("provider_reply",)
    refused("extension_exceeds_cap", rules.plan_extension, s, facts, 6, CAL, D("2026-12-01"))


@pytest.mark.parametrize("pid", ["jiangsu", "nanjing", "jilin", "henan"])
def test_no_extension_where_the_text_provides_none(pid: str) -> None:
    facts = CaseFacts(state=F, received_on=D("2026-11-02"), forwarded_on=D("2026-11-03"))
    refused("not_eligible", rules.plan_extension, section(pid), facts, 1, CAL, D("2026-11-03"))


def test_an_extension_is_a_positive_number_of_working_days() -> None:
    facts = CaseFacts(state=F, received_on=D("2026-11-02"), forwarded_on=D("2026-11-03"))
    refused("invalid_field", rules.plan_extension, section("shenzhen"), facts, 0, CAL, D("2026-11-03"))


# --------------------------------------------------------------------------- Nanjing, Jilin, Henan, Jiangsu


def test_nanjing_58_mark_within_one_working_day_met_at_once_and_fifteen_working_days() -> None:
    """Nanjing 第五十八条: filed 2026-09-30: the mark is due 10-08 and applied the same day; the
    decision is due 15 working days later, 10-27."""
    v = views("nanjing", CaseFacts(state=R, received_on=D("2026-09-30")), "2026-09-30")
    assert v["mark"].due == Deadline(D("2026-10-08"), False)
    assert (v["mark"].status, v["mark"].met_on, v["mark"].late) == ("met", D("2026-09-30"), False)
    assert v["total"].due == Deadline(D("2026-10-27"), False)
    waiting = rules.waiting(R, v.values())
    assert waiting is not None and waiting.name == "total"


def test_jilin_36_check_then_immediate_correction_then_notice_within_five() -> None:
    """Jilin 第三十六条: check within 10 working days of acceptance (11-09 → 11-23); the immediate
    correction starts only when the check finds the error; the applicant is told within 5."""
    received = views("jilin", CaseFacts(state=R, received_on=D("2026-11-09")), "2026-11-09")
    assert received["compare"].due == Deadline(D("2026-11-23"), False)
    assert received["own_decision"].status == "pending"
    waiting = rules.waiting(R, received.values())
    assert waiting is not None and waiting.name == "compare"
    decided = CaseFacts(state=C, received_on=D("2026-11-09"), decided_on=D("2026-11-10"))
    v = views("jilin", decided, "2026-11-10")
    assert v["own_decision"].due == Deadline(D("2026-11-10"), False) and v["own_decision"].status == "met"
    assert v["inform_applicant"].due == Deadline(D("2026-11-17"), False)
    assert v["review"].status == "not_applicable"
    assert v["provider_reply"].status == "not_applicable"


def test_jilin_36_provider_fifteen_working_days_and_review_twenty() -> None:
    forwarded = CaseFacts(state=F, received_on=D("2026-11-09"), forwarded_on=D("2026-11-20"))
    assert views("jilin", forwarded, "2026-11-20")["provider_reply"].due == Deadline(D("2026-12-11"), False)
    review = CaseFacts(
        state=UR, received_on=D("2026-11-09"), decided_on=D("2026-11-10"), review_requested_on=D("2026-11-12")
    )
    v = views("jilin", review, "2026-11-12")
    assert v["review"].due == Deadline(D("2026-12-10"), False)
    waiting = rules.waiting(UR, v.values())
    assert waiting is not None and waiting.name == "review"  # not the earlier, unsent result notice


def test_henan_41_own_remit_three_forwarded_seven_provider_three() -> None:
    """Henan 第四十一条: received 11-02: own remit by 11-05; forwarded 11-03: provider by 11-06,
    the whole case by 11-11; the case waits for the earliest."""
    v = views("henan", CaseFacts(state=R, received_on=D("2026-11-02")), "2026-11-02")
    assert v["own_decision"].due == Deadline(D("2026-11-05"), False)
    assert v["total"].due == Deadline(D("2026-11-11"), False)
    waiting = rules.waiting(R, v.values())
    assert waiting is not None and waiting.name == "own_decision"
    f = views(
        "henan", CaseFacts(state=F, received_on=D("2026-11-02"), forwarded_on=D("2026-11-03")), "2026-11-03"
    )
    assert f["provider_reply"].due == Deadline(D("2026-11-06"), False)
    waiting = rules.waiting(F, f.values())
    assert waiting is not None and waiting.name == "provider_reply"


def test_henan_41_paused_time_not_counted() -> None:
    """Henan 第四十一条第三款: paused 11-03 (Tue), resumed 11-06 (Fri): 11-04 to 11-06 are not
    counted, so 3 working days from 11-02 end 11-10 instead of 11-05."""
    facts = CaseFacts(state=R, received_on=D("2026-11-02"), pauses=((D("2026-11-03"), D("2026-11-06")),))
    assert views("henan", facts, "2026-11-06")["own_decision"].due == Deadline(D("2026-11-10"), False)


def test_henan_41_an_open_pause_stops_the_clock_until_today() -> None:
    facts = CaseFacts(state=R, received_on=D("2026-11-02"), pauses=((D("2026-11-03"), None),))
    v = views("henan", facts, "2026-11-05")
    assert v["own_decision"].due == Deadline(D("2026-11-09"), False) and not v["own_decision"].overdue


def test_a_pause_does_not_rescue_a_stage_already_overdue() -> None:
    facts = CaseFacts(state=R, received_on=D("2026-11-02"), pauses=((D("2026-11-06"), None),))
    v = views("henan", facts, "2026-11-09")
    assert v["own_decision"].due == Deadline(D("2026-11-05"), False) and v["own_decision"].overdue


def test_paused_days_counts_like_a_period() -> None:
    facts = CaseFacts(
        state=R,
        received_on=D("2026-11-02"),
        pauses=((D("2026-11-03"), D("2026-11-03")), (D("2026-11-04"), None)),
    )
    assert rules.paused_days(facts, D("2026-11-06")) == [(D("2026-11-05"), D("2026-11-06"))]


def test_jiangsu_64_no_day_in_the_text_no_deadline() -> None:
    """Jiangsu 第六十四条: 规定的时间内 / 及时: stages carry no day, so the case waits for no day."""
    v = views("jiangsu", CaseFacts(state=R, received_on=D("2026-11-02")), "2026-12-31")
    assert v["compare"].due is None and not v["compare"].overdue
    assert rules.waiting(R, v.values()) is None


def test_mark_stage_on_acceptance_or_receipt() -> None:
    assert rules.stages_of(section("jilin"))["mark"].from_ == "accepted"
    assert rules.stages_of(section("henan"))["mark"].from_ == "received"
    assert rules.stages_of(section("nanjing"))["mark"].within != "same_day"


def test_notices_section_stage_listed_only_where_the_objection_section_has_none() -> None:
    p = profile("shenzhen")
    assert p.objection is not None
    names = rules.stages_of(p.objection, p.notices)
    assert "notify_sharing_units" in names and "sharing_units_on_mark" not in names
    bare = with_objection(
        p,
        stages={
            k: v
            for k, v in p.objection.model_dump(by_alias=True)["stages"].items()
            if not k.startswith("notify")
        },
    )
    assert bare.objection is not None
    names = rules.stages_of(bare.objection, p.notices)
    assert names["sharing_units_on_mark"].within.value == 1  # type: ignore[union-attr]
    assert names["sharing_units_on_correction"].from_ == "decided"
