"""Subjects' rights in the five profiles: every deadline, window, cap and effect, beside its article.

Each test names the article it checks ("Shenzhen 第三十九条"). Silence in a text is asserted as `None`
(or "unspecified" where the text speaks of a time without a number), never as another profile's value.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xinyong.core import profile as profiles
from xinyong.core.periods import Unit
from xinyong.core.profile import DurationSpec, Profile
from xinyong.core.profile_rights import Stage

PROFILE_DIR = Path(__file__).resolve().parents[2] / "src" / "xinyong" / "profiles"
IDS = ("jiangsu", "shenzhen", "nanjing", "jilin", "henan")
SECTIONS = (
    "objection",
    "repair",
    "statements",
    "withholding",
    "archive_request",
    "contest",
    "reorganization",
    "reports",
    "notices",
)
ALL_KINDS = ["legal_person", "unincorporated_org", "natural_person"]
# matter codes of /work/shared/SCENARIOS.md (Shared vocabulary, `matter`)
SHARED_MATTERS = {
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
}


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    profiles._registry.cache_clear()
    yield
    profiles._registry.cache_clear()


def load(pid: str) -> Profile:
    return profiles.load_file(PROFILE_DIR / f"{pid}.toml")


def wd(n: int) -> DurationSpec:
    return DurationSpec(value=n, unit=Unit.working_day)


def stage(s: Stage | None) -> tuple[object, str, object]:
    """(within, from, extendable_to) of a stage, for compact exact comparisons."""
    assert s is not None
    return (s.within, s.from_, s.extendable_to)


# --------------------------------------------------------------------------- presence and citation


EXPECTED_SECTIONS = {
    "jiangsu": {"objection", "repair", "reports", "notices"},
    "shenzhen": {
        "objection",
        "repair",
        "statements",
        "withholding",
        "contest",
        "reorganization",
        "reports",
        "notices",
    },
    "nanjing": {"objection", "repair", "withholding", "reports"},
    "jilin": {"objection", "repair", "reports"},
    "henan": {"objection", "repair", "archive_request", "reports", "notices"},
}


@pytest.mark.parametrize("pid", IDS)
def test_each_profile_fills_exactly_the_rights_sections_its_text_has(pid: str) -> None:
    prof = load(pid)
    filled = {name for name in SECTIONS if getattr(prof, name) is not None}
    assert filled == EXPECTED_SECTIONS[pid]


def _cites(obj: object) -> Iterator[tuple[str, str]]:
    """Every (key, cite string) in a dumped section, recursively."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, str) and (key == "cite" or key.endswith("_cite")):
                yield key, value
            else:
                yield from _cites(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _cites(value)


@pytest.mark.parametrize("pid", IDS)
def test_every_rights_cite_uses_the_profiles_short_name(pid: str) -> None:
    prof = load(pid)
    for name in SECTIONS:
        section = getattr(prof, name)
        if section is None:
            continue
        for key, cite in _cites(section.model_dump(by_alias=True)):
            assert cite.startswith(f"{prof.meta.short} 第"), f"{pid}.{name}.{key}: {cite}"


@pytest.mark.parametrize("pid", IDS)
def test_every_stage_carries_its_own_article(pid: str) -> None:
    prof = load(pid)
    stages: list[Stage] = []
    if prof.objection is not None:
        stages += list(prof.objection.stages.values())
        if isinstance(prof.objection.mark, Stage):
            stages.append(prof.objection.mark)
    if prof.repair is not None:
        stages += [s for s in (prof.repair.decision, prof.repair.re_review, prof.repair.mark) if s]
    for s in stages:
        assert s.cite.startswith(f"{prof.meta.short} 第")


# --------------------------------------------------------------------------- objections: Shenzhen


def test_shenzhen_37_subject_and_interested_party_may_object_in_writing() -> None:
    obj = load("shenzhen").objection
    assert obj is not None
    assert obj.filers == ["subject", "interested_party"]
    assert obj.form == "written"
    assert obj.cite.startswith("深圳 第三十七条")


def test_shenzhen_38_window_is_60_calendar_days_from_known_on_and_extendable() -> None:
    obj = load("shenzhen").objection
    assert obj is not None
    assert obj.window == DurationSpec(value=60, unit=Unit.day)
    assert obj.window_from == "known_on"
    assert obj.window_cite == "深圳 第三十八条"
    assert obj.window_extendable is True
    assert obj.note is not None and "force majeure" in obj.note and "第二百零三条" in obj.note


def test_shenzhen_37_mark_on_acceptance_does_not_stop_disclosure() -> None:
    obj = load("shenzhen").objection
    assert obj is not None
    assert obj.mark == "on_acceptance"
    assert obj.mark_cite == "深圳 第三十七条第二款"
    assert obj.mark_suspends_disclosure is False


def test_shenzhen_39_platform_stages() -> None:
    st = load("shenzhen").objection.stages  # type: ignore[union-attr]
    assert stage(st["compare"]) == (wd(2), "received", None)
    assert st["compare"].cite == "深圳 第三十九条第一款"
    assert stage(st["own_decision"]) == (wd(3), "materials_received", None)
    assert stage(st["forward"]) == (wd(2), "received", None)
    assert st["forward"].cite == "深圳 第三十九条第一款"
    assert stage(st["provider_reply"]) == (wd(10), "forwarded", None)
    assert st["provider_reply"].extendable is True
    assert stage(st["inform_applicant"]) == (wd(2), "decided", None)
    assert st["inform_applicant"].cite == "深圳 第三十九条第一款"


def test_shenzhen_40_provider_that_received_the_objection_decides_within_3_working_days() -> None:
    st = load("shenzhen").objection.stages  # type: ignore[union-attr]
    assert stage(st["provider_direct"]) == (wd(3), "received", None)
    assert st["provider_direct"].extendable is True
    assert st["provider_direct"].cite == "深圳 第四十条"


def test_shenzhen_39_40_whole_case_capped_at_20_working_days_with_extension() -> None:
    total = load("shenzhen").objection.stages["total"]  # type: ignore[union-attr]
    assert stage(total) == ("unspecified", "received", wd(20))
    assert total.cite == "深圳 第三十九条第二款, 第四十条第二款"


def test_shenzhen_42_sharing_units_1_working_day_conflict_with_37_noted() -> None:
    st = load("shenzhen").objection.stages  # type: ignore[union-attr]
    assert stage(st["notify_sharing_units"]) == (wd(1), "accepted", None)
    assert stage(st["notify_sharing_units_on_correction"]) == (wd(1), "decided", None)
    for name in ("notify_sharing_units", "notify_sharing_units_on_correction"):
        s = st[name]
        assert s.cite == "深圳 第四十二条, 第三十七条第二款"
        assert s.note is not None and "CONFLICT" in s.note and "3 working days" in s.note


def test_shenzhen_41_unverifiable_information_is_deleted() -> None:
    obj = load("shenzhen").objection
    assert obj is not None
    assert obj.unverifiable == "delete"
    assert obj.unverifiable_cite == "深圳 第四十一条"
    assert obj.paused_time_excluded is False and obj.evidence_required is False


# --------------------------------------------------------------------------- objections: the others


def test_nanjing_58_mark_within_1_working_day_handle_within_15() -> None:
    obj = load("nanjing").objection
    assert obj is not None
    assert obj.filers == ["subject"]
    assert obj.form == "written"
    assert obj.window is None and obj.window_cite is None
    assert isinstance(obj.mark, Stage)
    assert stage(obj.mark) == (wd(1), "received", None)
    assert obj.mark_cite == "南京 第五十八条第三款"
    assert set(obj.stages) == {"total"}
    assert stage(obj.stages["total"]) == (wd(15), "received", None)
    assert obj.stages["total"].cite == "南京 第五十八条第三款"
    assert obj.unverifiable == "unspecified"
    assert obj.mark_suspends_disclosure is False


def test_jilin_36_check_10_correct_immediately_inform_5_provider_15_review_20() -> None:
    obj = load("jilin").objection
    assert obj is not None
    assert obj.filers == ["subject"]
    assert obj.form == "written_or_online"  # 第三十五条
    assert obj.window is None
    st = obj.stages
    assert set(st) == {"compare", "own_decision", "inform_applicant", "provider_reply", "review"}
    assert stage(st["compare"]) == (wd(10), "accepted", None)
    assert st["compare"].cite == "吉林 第三十六条第一款"
    assert stage(st["own_decision"]) == ("immediately", "checked", None)
    assert st["own_decision"].cite == "吉林 第三十六条第二款"
    assert stage(st["inform_applicant"]) == (wd(5), "decided", None)
    assert st["inform_applicant"].cite == "吉林 第三十六条第二款"
    assert stage(st["provider_reply"]) == (wd(15), "forwarded", None)
    assert st["provider_reply"].cite == "吉林 第三十六条第三款"
    assert stage(st["review"]) == (wd(20), "review_requested", None)
    assert st["review"].cite == "吉林 第三十六条第四款"
    assert "total" not in st  # no overall cap (silent)


def test_jilin_36_mark_during_processing_shown_in_reports() -> None:
    obj = load("jilin").objection
    assert obj is not None
    assert obj.mark == "on_acceptance"
    assert obj.mark_cite == "吉林 第三十六条第五款"
    assert obj.mark_suspends_disclosure is False
    assert obj.note is not None and "credit reports" in obj.note
    assert obj.unverifiable == "unspecified"


def test_henan_41_mark_on_receipt_own_3_total_7_provider_3_paused_excluded_evidence() -> None:
    obj = load("henan").objection
    assert obj is not None
    assert obj.filers == ["subject"]
    assert obj.form == "unspecified"
    assert obj.evidence_required is True
    assert obj.mark == "on_receipt"
    assert obj.mark_cite == "河南 第四十一条第二款"
    st = obj.stages
    assert set(st) == {"own_decision", "total", "provider_reply"}
    assert stage(st["own_decision"]) == (wd(3), "received", None)
    assert stage(st["total"]) == (wd(7), "received", None)
    assert stage(st["provider_reply"]) == (wd(3), "forwarded", None)
    assert {s.cite for s in st.values()} == {"河南 第四十一条第二款"}
    assert obj.paused_time_excluded is True
    assert obj.paused_cite == "河南 第四十一条第三款"
    assert obj.window is None


def test_jiangsu_64_mark_does_not_suspend_disclosure_and_times_are_unspecified() -> None:
    obj = load("jiangsu").objection
    assert obj is not None
    assert obj.filers == ["subject"]
    assert obj.form == "written"
    assert obj.mark == "on_acceptance"
    assert obj.mark_suspends_disclosure is False
    assert obj.mark_cite == "江苏 第六十四条第一款"
    st = obj.stages
    assert stage(st["compare"]) == ("unspecified", "received", None)  # 规定的时间内
    assert stage(st["own_decision"]) == ("promptly", "checked", None)  # 及时
    assert stage(st["inform_acceptance"]) == ("promptly", "accepted", None)
    assert stage(st["inform_applicant"]) == ("promptly", "decided", None)
    assert st["inform_applicant"].cite == "江苏 第六十四条第四款"
    assert obj.window is None and obj.unverifiable == "unspecified" and not obj.paused_time_excluded


@pytest.mark.parametrize("pid", ["jiangsu", "nanjing", "jilin", "henan"])
def test_only_shenzhen_38_has_a_filing_window(pid: str) -> None:
    obj = load(pid).objection
    assert obj is not None
    assert (obj.window, obj.window_cite, obj.window_extendable) == (None, None, False)


@pytest.mark.parametrize("pid", IDS)
def test_no_profile_has_an_extension_cap_except_shenzhen_39(pid: str) -> None:
    obj = load(pid).objection
    assert obj is not None
    capped = {name for name, s in obj.stages.items() if s.extendable_to is not None}
    assert capped == ({"total"} if pid == "shenzhen" else set())


# --------------------------------------------------------------------------- repair


def test_shenzhen_63_to_66_repair() -> None:
    rep = load("shenzhen").repair
    assert rep is not None
    assert rep.earliest == "after_min_period"  # 第六十三条: after the provider-set minimum
    assert rep.earliest_from == "record_decided"
    assert rep.wait == {}
    assert rep.never == []
    assert rep.measures == ["commitment_letter", "rectification", "training", "report", "public_service"]
    assert rep.required_measures == ["commitment_letter"]
    assert rep.commitment_published is True  # 第六十四条第二款
    assert rep.refusal_grounds == ["min_period_not_elapsed", "especially_serious", "especially_bad_impact"]
    assert rep.refusal_cite == "深圳 第六十四条第一款"
    assert stage(rep.decision) == (wd(5), "accepted", wd(10))
    assert rep.decision.cite == "深圳 第六十五条第一款"  # type: ignore[union-attr]
    assert stage(rep.feedback) == ("promptly", "decided", None)
    assert rep.feedback.cite == "深圳 第六十五条第二款"  # type: ignore[union-attr]
    assert rep.re_review is None and rep.mark is None
    assert rep.effect == "stop_disclosure"
    assert rep.effect_cite == "深圳 第六十六条第一项"
    assert rep.removes_listings is True and rep.listing_removal_condition is None
    assert rep.adjusts_evaluation is True and rep.notifies_implementers is True
    # 第三十一条第二款: the minimum is the provider's
    assert load("shenzhen").disclosure.periods["dishonest"].values[0].min == "provider_set"


def test_nanjing_60_repair_within_period_never_for_suspension_or_revoked_licence() -> None:
    rep = load("nanjing").repair
    assert rep is not None
    assert rep.earliest == "within_period"
    flags = {n.data_flag: n.cite for n in rep.never}
    assert "suspension_order" in flags and "license_revocation_order" in flags
    assert set(flags) == {
        "specified_offence",
        "suspension_order",
        "license_revocation_order",
        "not_repairable_by_law",
    }
    assert all(c.startswith("南京 第六十条第三款") for c in flags.values())
    assert not any(n.during_period_only for n in rep.never)
    assert rep.measures == ["commitment_letter", "report", "liability", "settlement"]
    assert rep.required_measures == []
    assert rep.decision is None  # no decision period (silent)
    assert rep.effect == "stop_disclosure"
    assert rep.effect_cite == "南京 第六十条第一款"
    assert rep.removes_listings is False


def test_jilin_37_repair_waits_3_or_6_months_from_the_decision_date() -> None:
    prof = load("jilin")
    rep = prof.repair
    assert rep is not None
    assert rep.earliest == "after_min_period"
    assert rep.earliest_from == "record_decided"  # 行政处罚决定之日
    assert rep.wait == {
        "general": DurationSpec(value=3, unit=Unit.month),
        "severe": DurationSpec(value=6, unit=Unit.month),
    }
    assert rep.wait_cite == "吉林 第三十七条第二款"
    # 第十九条 runs disclosure from the day the decision takes effect: the starts differ
    assert prof.disclosure.periods["penalty_general"].starts == "effective_on"
    assert rep.note is not None and "第十九条" in rep.note


def test_jilin_37_specified_severe_penalties_not_repairable_during_publication() -> None:
    rep = load("jilin").repair
    assert rep is not None
    assert len(rep.never) == 1
    never = rep.never[0]
    assert (never.item, never.severity, never.data_flag, never.during_period_only) == (
        "admin_penalty",
        "severe",
        "specified_severe",
        True,
    )
    assert never.cite.startswith("吉林 第三十七条第三款")
    assert rep.measures == [
        "commitment_letter",
        "rectification",
        "credit_check",
        "training",
        "report",
        "public_service",
    ]


def test_jilin_38_decision_20_re_review_mark_3_effect_mark_only() -> None:
    rep = load("jilin").repair
    assert rep is not None
    assert stage(rep.decision) == (wd(20), "accepted", None)
    assert rep.decision.cite == "吉林 第三十八条第一款"  # type: ignore[union-attr]
    assert stage(rep.re_review) == ("unspecified", "decided", None)
    assert stage(rep.mark) == (wd(3), "decision_received", None)
    assert rep.mark.cite == "吉林 第三十八条第二款"  # type: ignore[union-attr]
    assert rep.effect == "mark_only"
    assert rep.effect_cite == "吉林 第三十八条第二款"
    assert rep.removes_listings is True
    assert rep.listing_removal_condition == "no_longer_eligible"
    assert rep.listings_cite == "吉林 第三十八条第三款"


def test_henan_43_repair_within_period_done_within_1_working_day_effect_unspecified() -> None:
    rep = load("henan").repair
    assert rep is not None
    assert rep.earliest == "within_period"
    assert stage(rep.decision) == (wd(1), "received", None)
    assert rep.decision.cite == "河南 第四十三条"  # type: ignore[union-attr]
    assert rep.effect == "unspecified"
    assert rep.effect_cite == "河南 第四十三条"
    assert rep.never == [] and rep.measures == [] and rep.removes_listings is True
    assert rep.listings_cite == "河南 第三十七条第二款, 第三款"  # 信用修复及退出方式由认定机关…确定


def test_jiangsu_66_repair_stops_or_marks_everything_else_from_sector_rules() -> None:
    rep = load("jiangsu").repair
    assert rep is not None
    assert rep.earliest == "unspecified"
    assert rep.effect == "stop_or_mark"
    assert rep.effect_cite == "江苏 第六十六条第二款"
    assert rep.decision is None and rep.never == [] and rep.measures == [] and rep.wait == {}


# --------------------------------------------------------------------------- statements, withholding, archive


def test_shenzhen_60_statements_for_force_majeure_or_non_intentional_causes() -> None:
    stm = load("shenzhen").statements
    assert stm is not None
    assert stm.allowed is True
    assert stm.grounds == ["force_majeure", "non_intentional"]
    assert stm.cite == "深圳 第六十条"


def test_shenzhen_59_withholding_good_information_promptly() -> None:
    w = load("shenzhen").withholding
    assert w is not None
    assert w.items == ["commendation", "volunteer_service", "charitable_donation"]
    assert w.effect == "delete_or_stop"
    assert stage(w.within) == ("promptly", "received", None)
    assert w.within.cite == "深圳 第五十九条"
    assert w.notify_provider is False


def test_nanjing_61_withholding_within_2_working_days_and_provider_told() -> None:
    w = load("nanjing").withholding
    assert w is not None
    assert w.items == ["commendation", "volunteer_service", "charitable_donation", "heroic_act"]
    assert w.effect == "stop_external"
    assert stage(w.within) == (wd(2), "received", None)
    assert w.within.cite == "南京 第六十一条"
    assert w.notify_provider is True


@pytest.mark.parametrize("pid", IDS)
def test_withheld_items_are_good_information_in_the_profiles_own_catalog(pid: str) -> None:
    prof = load(pid)
    if prof.withholding is None:
        return
    for code in prof.withholding.items:
        item = prof.item(code)
        assert item is not None and item.class_.value == "good", f"{pid}: {code}"


def test_henan_44_subject_may_ask_for_archive_storage() -> None:
    arc = load("henan").archive_request
    assert arc is not None
    assert arc.allowed is True
    assert arc.cite == "河南 第四十四条"


def test_shenzhen_61_disclosure_suspended_while_contested() -> None:
    con = load("shenzhen").contest
    assert con is not None
    assert con.suspends_disclosure is True
    assert con.cite == "深圳 第六十一条第三款"


@pytest.mark.parametrize(
    ("pid", "section"),
    [
        (pid, section)
        for pid in ("jiangsu", "nanjing", "jilin", "henan")
        for section in ("statements", "contest", "reorganization")
    ]
    + [(pid, "withholding") for pid in ("jiangsu", "jilin", "henan")]
    + [(pid, "archive_request") for pid in ("jiangsu", "shenzhen", "nanjing", "jilin")],
)
def test_silent_texts_leave_the_section_out(pid: str, section: str) -> None:
    assert getattr(load(pid), section) is None


# --------------------------------------------------------------------------- reorganization


def test_shenzhen_68_to_72_reorganization() -> None:
    reo = load("shenzhen").reorganization
    assert reo is not None
    assert stage(reo.mark) == (wd(7), "received", None)
    assert reo.mark.cite == "深圳 第六十九条"
    assert reo.treat_as_new is True  # 第七十条
    assert reo.excluded_matters == [
        "administrative_license",
        "public_resource_trading",
        "government_procurement",
        "tendering",
    ]
    # shared matter codes where they exist; 招标投标 has none
    assert set(reo.excluded_matters) - SHARED_MATTERS == {"tendering"}
    assert reo.court_ordered_cleanup is True  # 第七十二条
    assert reo.cite == "深圳 第六十八条, 第六十九条, 第七十条, 第七十一条, 第七十二条"


# --------------------------------------------------------------------------- reports


def test_jilin_34_two_free_reports_a_year_for_natural_persons() -> None:
    rep = load("jilin").reports
    assert rep is not None
    assert rep.free_per_year == 2
    assert rep.free_for == ["natural_person"]
    assert rep.shows_queries is False
    assert rep.cite == "吉林 第三十四条"


def test_henan_40_two_free_reports_a_year_for_every_subject_showing_queries() -> None:
    rep = load("henan").reports
    assert rep is not None
    assert rep.free_per_year == 2
    assert rep.free_for == ALL_KINDS
    assert rep.shows_queries is True
    assert rep.free_self_query is True
    assert rep.cite == "河南 第四十条"


def test_nanjing_57_natural_persons_free_without_a_number_showing_queries() -> None:
    rep = load("nanjing").reports
    assert rep is not None
    assert rep.free_per_year == "unlimited"
    assert rep.free_for == ["natural_person"]
    assert rep.shows_queries is True
    assert rep.cite == "南京 第五十七条"


@pytest.mark.parametrize(("pid", "cite"), [("jiangsu", "江苏 第六十三条"), ("shenzhen", "深圳 第五十八条")])
def test_jiangsu_63_shenzhen_58_right_to_know_silent_on_quota_and_queries(pid: str, cite: str) -> None:
    rep = load(pid).reports
    assert rep is not None
    assert rep.free_per_year is None
    assert rep.free_for == []
    assert rep.shows_queries is False
    assert rep.free_self_query is False
    assert rep.cite == cite


@pytest.mark.parametrize("pid", IDS)
def test_every_report_shows_sources_and_change_reasons(pid: str) -> None:
    rep = load(pid).reports
    assert rep is not None and rep.shows_sources_and_changes is True


# --------------------------------------------------------------------------- notices (R-PLT-05, R-REV-04)


def test_shenzhen_36_37_42_notices_to_sharing_units() -> None:
    prof = load("shenzhen")
    n = prof.notices
    assert n is not None
    assert stage(n.sharing_units_on_mark) == (wd(1), "accepted", None)
    assert stage(n.sharing_units_on_correction) == (wd(1), "decided", None)
    assert stage(n.sharing_units_on_revocation) == ("promptly", "decided", None)
    assert n.sharing_units_on_revocation.cite == "深圳 第三十六条"  # type: ignore[union-attr]
    assert n.downstream_stop_use is None
    # the objection section and the notices section say the same
    st = prof.objection.stages  # type: ignore[union-attr]
    assert stage(st["notify_sharing_units"]) == stage(n.sharing_units_on_mark)
    assert stage(st["notify_sharing_units_on_correction"]) == stage(n.sharing_units_on_correction)


def test_henan_42_revocation_update_shared_promptly() -> None:
    prof = load("henan")
    n = prof.notices
    assert n is not None
    assert stage(n.sharing_units_on_revocation) == ("promptly", "received", None)
    assert n.sharing_units_on_revocation.cite == "河南 第四十二条"  # type: ignore[union-attr]
    assert n.sharing_units_on_mark is None and n.sharing_units_on_correction is None
    assert prof.revocation.platform_action == wd(1)  # each receiving unit revokes within 1 WD


def test_jiangsu_67_downstream_users_stop_using_promptly_no_platform_push() -> None:
    n = load("jiangsu").notices
    assert n is not None
    assert stage(n.downstream_stop_use) == ("promptly", "disclosure_ended", None)
    assert n.downstream_stop_use.cite == "江苏 第六十七条"  # type: ignore[union-attr]
    assert n.sharing_units_on_mark is None
    assert n.sharing_units_on_correction is None
    assert n.sharing_units_on_revocation is None


@pytest.mark.parametrize("pid", ["nanjing", "jilin"])
def test_nanjing_and_jilin_are_silent_on_notifying_sharing_units(pid: str) -> None:
    assert load(pid).notices is None


# --------------------------------------------------------------------------- schema


def test_a_stage_reads_from_as_the_toml_key() -> None:
    s = Stage.model_validate({"within": {"value": 2, "unit": "working_day"}, "from": "received", "cite": "x"})
    assert s.from_ == "received" and s.extendable is False and s.extendable_to is None


def test_a_profile_without_rights_sections_still_loads(tmp_path: Path) -> None:
    text = (PROFILE_DIR / "jilin.toml").read_text(encoding="utf-8")
    head = text.split("# ---- subjects' rights (issue 3) ----")[0]
    path = tmp_path / "jilin.toml"
    path.write_text(head, encoding="utf-8")
    prof = profiles.load_file(path)
    assert all(getattr(prof, name) is None for name in SECTIONS)


# ------------------------------------------------------------- objection grounds, receivers, window


def test_objection_grounds_follow_each_text() -> None:
    """R-OBJ-01: Jilin 第三十五条 five cases (closed); Shenzhen 第三十七条 不准确、不完整、不适当、评价不当;
    Henan 第四十一条 错误、遗漏等情形 (open: 等)."""
    from xinyong.core import profile as profile_loader

    got = {
        pid: (o.grounds_rule, o.grounds, o.grounds_cite)
        for pid in ("jiangsu", "shenzhen", "nanjing", "jilin", "henan")
        if (o := profile_loader.get(pid).objection) is not None
    }
    assert got["jilin"] == (
        "closed",
        [
            "error",
            "omission",
            "trade_secret_or_privacy",
            "published_after_period",
            "wrongly_listed",
            "other_law",
        ],
        "吉林 第三十五条",
    )
    assert got["shenzhen"][:2] == ("closed", ["error", "omission", "inappropriate", "improper_evaluation"])
    assert got["henan"][0] == "open"
    assert got["nanjing"][1] == ["error", "omission", "trade_secret_or_privacy", "lawful_rights"]


def test_objection_receivers_and_window_extension() -> None:
    """R-OBJ-02/03: Shenzhen 第三十七条 platform, agency, provider with the platform's days (第三十九条);
    第三十八条 the only extendable window."""
    from xinyong.core import profile as profile_loader

    sz = profile_loader.get("shenzhen").objection
    assert sz is not None
    assert (sz.receivers, sz.agency_deadlines) == (["platform", "agency", "provider"], "same_as_platform")
    assert (sz.window_extendable, sz.window_extension_grounds) == (
        True,
        ["force_majeure", "other_legitimate"],
    )
    for pid in ("jiangsu", "nanjing", "jilin", "henan"):
        o = profile_loader.get(pid).objection
        assert o is not None and (o.window, o.window_extendable) == (None, False)
    assert profile_loader.get("jilin").objection.receivers == ["platform"]  # type: ignore[union-attr]


def test_objection_section_consistency_is_checked() -> None:
    import pytest
    from pydantic import ValidationError

    from xinyong.core import profile as profile_loader

    sz = profile_loader.get("shenzhen").objection
    assert sz is not None
    data = sz.model_dump(by_alias=True)
    with pytest.raises(ValidationError, match="closed"):
        type(sz).model_validate(data | {"grounds": []})
    with pytest.raises(ValidationError, match="window_extendable"):
        type(sz).model_validate(data | {"window_extension_grounds": []})
    with pytest.raises(ValidationError):
        type(sz).model_validate(data | {"grounds": ["no_such_ground"]})
