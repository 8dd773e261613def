"""Statements, withholding, archive, contest and reorganization rules, pure: who may ask, what
qualifies, and the exact day a record becomes eligible."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from factories import amended, at, event, facts
from xinyong.core import profile as profiles
from xinyong.records.rules import EventFacts
from xinyong.rights.marks import rules

SHENZHEN = profiles.get("shenzhen")
NANJING = profiles.get("nanjing")
HENAN = profiles.get("henan")
JILIN = profiles.get("jilin")
JIANGSU = profiles.get("jiangsu")
ALL = [SHENZHEN, NANJING, HENAN, JILIN, JIANGSU]


def code(v: Any) -> str | None:
    return None if v.ok else v.code


def good(**over: Any) -> Any:
    return facts(item="commendation", severity=None, **over)


# --------------------------------------------------------------------------- statements


def test_shenzhen_60_statement_on_own_record() -> None:
    f = facts()
    assert rules.statement_verdict(f, SHENZHEN, at(date(2026, 3, 3)), by_subject=True, ground=None).ok
    assert rules.statement_verdict(
        f, SHENZHEN, at(date(2026, 3, 3)), by_subject=True, ground="force_majeure"
    ).ok
    v = rules.statement_verdict(f, SHENZHEN, at(date(2026, 3, 3)), by_subject=False, ground=None)
    assert (v.code, v.cite) == ("not_allowed", "深圳 第六十条")
    assert (
        code(rules.statement_verdict(f, SHENZHEN, at(date(2026, 3, 3)), by_subject=True, ground="bad_luck"))
        == "invalid_field"
    )


@pytest.mark.parametrize("profile", [NANJING, HENAN, JILIN, JIANGSU], ids=lambda p: p.id)
def test_statement_not_eligible_where_the_text_provides_none(profile: Any) -> None:
    assert (
        code(rules.statement_verdict(facts(), profile, at(date(2026, 3, 3)), by_subject=True, ground=None))
        == "not_eligible"
    )


def test_statement_on_a_deleted_record_refused() -> None:
    revoked = facts(events=(event("revoked", date(2026, 3, 5)),))  # Shenzhen 第三十六条: revoked is deleted
    assert (
        code(rules.statement_verdict(revoked, SHENZHEN, at(date(2026, 3, 6)), by_subject=True, ground=None))
        == "not_eligible"
    )


# --------------------------------------------------------------------------- withholding


def test_nanjing_61_good_information_only() -> None:
    now = at(date(2026, 11, 6))
    assert rules.withhold_verdict(good(), NANJING, now, by_subject=True, withheld=False).ok
    assert rules.withhold_verdict(
        facts(item="heroic_act", severity=None), NANJING, now, by_subject=True, withheld=False
    ).ok
    v = rules.withhold_verdict(facts(), NANJING, now, by_subject=True, withheld=False)
    assert (v.code, v.cite) == ("not_eligible", "南京 第六十一条")
    assert (
        code(rules.withhold_verdict(good(), NANJING, now, by_subject=False, withheld=False)) == "not_allowed"
    )
    assert (
        code(rules.withhold_verdict(good(), NANJING, now, by_subject=True, withheld=True)) == "not_eligible"
    )


def test_shenzhen_59_heroic_act_is_not_among_its_items() -> None:
    """Shenzhen 第五十九条 names 表彰奖励、志愿服务和慈善捐赠: 见义勇为 is not encoded there."""
    v = rules.withhold_verdict(
        facts(item="heroic_act", severity=None),
        SHENZHEN,
        at(date(2026, 3, 3)),
        by_subject=True,
        withheld=False,
    )
    assert code(v) == "not_eligible"


@pytest.mark.parametrize("profile", [HENAN, JILIN, JIANGSU], ids=lambda p: p.id)
def test_withholding_not_eligible_where_the_text_is_silent(profile: Any) -> None:
    assert (
        code(rules.withhold_verdict(good(), profile, at(date(2026, 3, 3)), by_subject=True, withheld=False))
        == "not_eligible"
    )


# --------------------------------------------------------------------------- archive


def test_henan_44_archive_only_after_the_period_and_once() -> None:
    """Henan 第十九条: dishonest information is disclosed up to 5 years, 2026-03-02 → 2031-03-02.
    第四十四条: on 2031-03-02 it is not expired (not_eligible); from 2031-03-03 it may be archived."""
    f = facts()
    assert code(rules.archive_verdict(f, HENAN, at(date(2031, 3, 2)), by_subject=True)) == "not_eligible"
    assert rules.archive_verdict(f, HENAN, at(date(2031, 3, 3)), by_subject=True).ok
    archived = facts(events=(event("archived", date(2031, 3, 3)),))
    assert (
        code(rules.archive_verdict(archived, HENAN, at(date(2031, 3, 4)), by_subject=True)) == "not_eligible"
    )
    assert code(rules.archive_verdict(f, HENAN, at(date(2031, 3, 3)), by_subject=False)) == "not_allowed"
    revoked = facts(events=(event("revoked", date(2026, 4, 1)),))
    assert (
        code(rules.archive_verdict(revoked, HENAN, at(date(2031, 3, 3)), by_subject=True)) == "not_eligible"
    )


def test_henan_44_long_term_good_information_never_expires() -> None:
    assert code(rules.archive_verdict(good(), HENAN, at(date(2040, 1, 1)), by_subject=True)) == "not_eligible"


@pytest.mark.parametrize("profile", [SHENZHEN, NANJING, JILIN, JIANGSU], ids=lambda p: p.id)
def test_archive_request_not_eligible_where_the_text_gives_no_right(profile: Any) -> None:
    assert (
        code(rules.archive_verdict(facts(), profile, at(date(2040, 1, 1)), by_subject=True)) == "not_eligible"
    )


# --------------------------------------------------------------------------- contest


def test_shenzhen_61_contest_suspends() -> None:
    now = at(date(2026, 3, 3))
    assert rules.contest_verdict(facts(), SHENZHEN, now, by_subject=True, open_contest=False).ok
    assert rules.contest_mark(SHENZHEN) == "suspended"
    assert (
        code(rules.contest_verdict(facts(), SHENZHEN, now, by_subject=True, open_contest=True))
        == "not_eligible"
    )
    assert (
        code(rules.contest_verdict(facts(), SHENZHEN, now, by_subject=False, open_contest=False))
        == "not_allowed"
    )
    assert rules.contest_end_verdict(SHENZHEN, by_subject=True, open_contest=True).ok
    assert code(rules.contest_end_verdict(SHENZHEN, by_subject=True, open_contest=False)) == "not_eligible"


@pytest.mark.parametrize("profile", [NANJING, HENAN, JILIN, JIANGSU], ids=lambda p: p.id)
def test_contest_not_eligible_where_the_text_sets_no_suspension(profile: Any) -> None:
    """Jiangsu 第七十一条, Nanjing 第六十二条 grant the right to 复议/诉讼, not a suspension."""
    assert (
        code(
            rules.contest_verdict(facts(), profile, at(date(2026, 3, 3)), by_subject=True, open_contest=False)
        )
        == "not_eligible"
    )
    assert code(rules.contest_end_verdict(profile, by_subject=True, open_contest=True)) == "not_eligible"


def test_a_contest_section_without_suspension_records_without_effect() -> None:
    calm = amended(HENAN, lambda d: d.update(contest={"suspends_disclosure": False, "cite": "test"}))
    assert rules.contest_verdict(facts(), calm, at(date(2026, 3, 3)), by_subject=True, open_contest=False).ok
    assert rules.contest_mark(calm) == "contested"


# --------------------------------------------------------------------------- reorganization


def test_shenzhen_69_reorganize_who_and_what() -> None:
    assert rules.reorganize_verdict(SHENZHEN, "legal_person", by_subject=True, open_case=False).ok
    assert (
        code(rules.reorganize_verdict(SHENZHEN, "natural_person", by_subject=True, open_case=False))
        == "not_eligible"
    )
    assert (
        code(rules.reorganize_verdict(SHENZHEN, "legal_person", by_subject=False, open_case=False))
        == "not_allowed"
    )
    assert (
        code(rules.reorganize_verdict(SHENZHEN, "legal_person", by_subject=True, open_case=True))
        == "not_eligible"
    )
    for profile in (NANJING, HENAN, JILIN, JIANGSU):
        assert (
            code(rules.reorganize_verdict(profile, "legal_person", by_subject=True, open_case=False))
            == "not_eligible"
        )


def test_shenzhen_71_pre_plan_is_before_the_approval_day() -> None:
    assert rules.pre_plan(date(2026, 5, 31), date(2026, 6, 1))
    assert not rules.pre_plan(date(2026, 6, 1), date(2026, 6, 1))


def _reorganized(end: date | None = None) -> Any:
    return facts(
        events=(EventFacts("reorganization", at(date(2026, 6, 1)), ends_at=at(end) if end else None),)
    )


@pytest.mark.parametrize(
    "matter", ["administrative_license", "public_resource_trading", "government_procurement", "tendering"]
)
def test_shenzhen_71_excluded_from_adverse_use_in_the_four_matters(matter: str) -> None:
    assert rules.excluded_from_adverse_use(_reorganized(), matter, SHENZHEN)
    assert rules.excluded_from_adverse_use(_reorganized(), matter, SHENZHEN, at(date(2026, 6, 2)))


def test_shenzhen_71_other_matters_unmarked_records_and_other_profiles_not_excluded() -> None:
    assert not rules.excluded_from_adverse_use(_reorganized(), "high_consumption", SHENZHEN)
    assert not rules.excluded_from_adverse_use(facts(), "government_procurement", SHENZHEN)
    assert not rules.excluded_from_adverse_use(_reorganized(), "government_procurement", JIANGSU)


def test_shenzhen_71_exclusion_ends_with_the_plan() -> None:
    ended = _reorganized(end=date(2027, 6, 1))
    assert rules.excluded_from_adverse_use(ended, "government_procurement", SHENZHEN, at(date(2027, 5, 31)))
    assert not rules.excluded_from_adverse_use(
        ended, "government_procurement", SHENZHEN, at(date(2027, 6, 1))
    )
    assert not rules.excluded_from_adverse_use(ended, "government_procurement", SHENZHEN)
    # before the mark was applied the record was not yet excluded
    assert not rules.excluded_from_adverse_use(
        ended, "government_procurement", SHENZHEN, at(date(2026, 5, 31))
    )


def test_shenzhen_70_treated_as_new_only_while_reorganizing() -> None:
    assert rules.treated_as_new(SHENZHEN, reorganizing=True)
    assert not rules.treated_as_new(SHENZHEN, reorganizing=False)
    assert not rules.treated_as_new(JIANGSU, reorganizing=True)
