"""Disclosure rules (records/rules.py): windows, states, who sees what, marks and masking.

Pure functions of (facts, profile, viewer, time): no database here. Every period is checked on its
last day in and its first day out (民法典 第二百零一条、第二百零二条: the start day is not counted, a
year ends on the corresponding day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import PROVIDER, amended, at, event, facts
from xinyong.core import profile as profiles
from xinyong.core.clock import local_date
from xinyong.core.profile import Profile
from xinyong.records import rules
from xinyong.records.rules import AuthorizationFacts, Channel, State, Viewer

JILIN = profiles.get("jilin")
NANJING = profiles.get("nanjing")
HENAN = profiles.get("henan")
SHENZHEN = profiles.get("shenzhen")
JIANGSU = profiles.get("jiangsu")

PUBLIC = Viewer(Channel.public)
GOVERNMENT = Viewer(Channel.government, name="长春市发展和改革委员会")
OWNER = 10


def sees(f: rules.RecordFacts, profile: Profile, viewer: Viewer, day: date, **kw: Any) -> bool:
    kw.setdefault("owner_id", OWNER)
    return rules.visible(f, profile, viewer, at(day), day, **kw)


def state_on(f: rules.RecordFacts, profile: Profile, day: date) -> State:
    return rules.state(f, profile, at(day), day)


def with_row(profile: Profile, period: str, row: dict[str, Any]) -> Profile:
    """`profile` with an amendment row appended to one disclosure period."""

    def change(data: dict[str, Any]) -> None:
        data["disclosure"]["periods"][period]["values"].append(row)

    return amended(profile, change)


def with_retention(profile: Profile, period: str, retention: dict[str, Any]) -> Profile:
    def change(data: dict[str, Any]) -> None:
        data["disclosure"]["periods"][period]["values"][0]["retention"] = retention

    return amended(profile, change)


# --------------------------------------------------------------------------- window


def test_jilin_19_general_penalty_runs_one_year_from_effective_date() -> None:
    """吉林 第十九条第一款: 自行政处罚决定生效之日起, 最短三个月, 最长一年."""
    w = rules.window(facts(effective_on=date(2026, 3, 20)), JILIN)
    assert w.start == date(2026, 3, 20)
    assert w.public_until == date(2027, 3, 20)
    assert w.retained_until == date(2027, 3, 20)
    assert w.min_until == date(2026, 6, 20)


def test_jilin_19_without_effective_date_falls_back_to_decision_date() -> None:
    w = rules.window(facts(effective_on=None), JILIN)
    assert (w.start, w.public_until, w.min_until) == (date(2026, 3, 2), date(2027, 3, 2), date(2026, 6, 2))


def test_jilin_19_severe_penalty_three_years_minimum_six_months() -> None:
    w = rules.window(facts(severity="severe", effective_on=date(2026, 3, 20)), JILIN)
    assert (w.public_until, w.min_until) == (date(2029, 3, 20), date(2026, 9, 20))


def test_jilin_19_general_penalty_public_last_day_hidden_first_day_after() -> None:
    f = facts(effective_on=date(2026, 3, 20))
    assert sees(f, JILIN, PUBLIC, date(2027, 3, 20))
    assert not sees(f, JILIN, PUBLIC, date(2027, 3, 21))


def test_nanjing_56_severe_dishonest_three_years_from_confirmation() -> None:
    """南京 第五十六条: 严重失信信息查询期限三年, 自确认之日起 (confirmed_on is the decision date)."""
    f = facts(severity="severe", decided_on=date(2026, 3, 2))
    assert rules.window(f, NANJING).public_until == date(2029, 3, 2)
    assert sees(f, NANJING, PUBLIC, date(2029, 3, 2))
    assert not sees(f, NANJING, PUBLIC, date(2029, 3, 3))


def test_nanjing_56_general_dishonest_one_year() -> None:
    f = facts(decided_on=date(2026, 3, 2))
    assert rules.window(f, NANJING).public_until == date(2027, 3, 2)


def test_nanjing_56_one_year_from_29_february_ends_28_february() -> None:
    """民法典 第二百零二条: no corresponding day, the month's last day."""
    assert rules.window(facts(decided_on=date(2024, 2, 29)), NANJING).public_until == date(2025, 2, 28)


def test_henan_19_dishonest_at_most_five_years_good_long_term() -> None:
    """河南 第十九条: 失信信息最长不超过五年; 守信信息可以长期公示."""
    assert rules.window(facts(), HENAN).public_until == date(2031, 3, 2)
    good = rules.window(facts(item="commendation", severity=None), HENAN)
    assert (good.public_until, good.retained_until) == (None, None)


def test_shenzhen_31_dishonest_five_years_minimum_set_by_provider() -> None:
    """深圳 第三十一条: 披露期不超过五年; the minimum is the provider's, not the profile's."""
    w = rules.window(facts(), SHENZHEN)
    assert (w.public_until, w.min_until) == (date(2031, 3, 2), None)


def test_provider_disclosure_until_shortens_public_period() -> None:
    f = facts(decided_on=date(2026, 3, 2), disclosure_until=date(2026, 9, 30))
    w = rules.window(f, NANJING)
    assert w.public_until == date(2026, 9, 30)
    assert sees(f, NANJING, PUBLIC, date(2026, 9, 30))
    assert not sees(f, NANJING, PUBLIC, date(2026, 10, 1))


def test_provider_disclosure_until_never_lengthens_public_period() -> None:
    f = facts(decided_on=date(2026, 3, 2), disclosure_until=date(2028, 1, 1))
    assert rules.window(f, NANJING).public_until == date(2027, 3, 2)
    assert not sees(f, NANJING, PUBLIC, date(2027, 3, 3))


def test_provider_disclosure_until_bounds_an_unlimited_period() -> None:
    """吉林 第十九条第三款 sets no period for other negative information: the provider's date ends it."""
    f = facts(item="admin_enforcement", disclosure_until=date(2026, 12, 31))
    assert rules.window(f, JILIN).public_until == date(2026, 12, 31)
    assert rules.window(facts(item="admin_enforcement"), JILIN).public_until is None


def test_provider_disclosure_until_does_not_shorten_government_retention() -> None:
    """The provider's 公示截止期 ends public display, not the legal retention for sharing."""
    f = facts(decided_on=date(2026, 3, 2), disclosure_until=date(2026, 9, 30))
    w = rules.window(f, NANJING)
    assert w.retained_until == date(2027, 3, 2)
    assert not sees(f, NANJING, PUBLIC, date(2026, 10, 1))
    assert sees(f, NANJING, GOVERNMENT, date(2027, 3, 2))
    assert not sees(f, NANJING, GOVERNMENT, date(2027, 3, 3))


def test_jilin_11_basic_information_public_while_valid() -> None:
    """吉林 第十一条: a license is disclosed through its own valid_until (inclusive)."""
    f = facts(item="admin_license", severity=None, valid_until=date(2027, 3, 1))
    assert rules.window(f, JILIN).public_until == date(2027, 3, 1)
    assert sees(f, JILIN, PUBLIC, date(2027, 3, 1))
    assert not sees(f, JILIN, PUBLIC, date(2027, 3, 2))


def test_valid_until_period_without_valid_until_has_no_end() -> None:
    f = facts(item="admin_license", severity=None, valid_until=None)
    assert rules.window(f, JILIN).public_until is None
    assert sees(f, JILIN, PUBLIC, date(2040, 1, 1))


# --------------------------------------------------------------------------- amendments (`since` rows)

AMENDED_JILIN = with_row(
    JILIN,
    "penalty_general",
    {"since": date(2027, 1, 1), "cite": "修正案", "max": {"value": 2, "unit": "year"}},
)


def test_amendment_since_row_governs_records_whose_period_starts_on_or_after_it() -> None:
    f = facts(decided_on=date(2026, 12, 20), effective_on=date(2027, 1, 1))
    assert rules.window(f, AMENDED_JILIN).public_until == date(2029, 1, 1)


def test_amendment_older_records_keep_the_old_answer() -> None:
    """Style guide: an amendment appends a row; older records keep their old answer (吉林 第十九条)."""
    f = facts(decided_on=date(2026, 12, 31), effective_on=date(2026, 12, 31))
    assert rules.window(f, AMENDED_JILIN).public_until == date(2027, 12, 31)
    assert rules.window(f, AMENDED_JILIN) == rules.window(f, JILIN)
    assert not sees(f, AMENDED_JILIN, PUBLIC, date(2028, 1, 1))


def test_amendment_row_is_read_at_the_period_start_not_today() -> None:
    # decided before the amendment, effective after it: the period starts on effective_on
    before = facts(decided_on=date(2026, 12, 31), effective_on=None)
    assert rules.window(before, AMENDED_JILIN).public_until == date(2027, 12, 31)
    assert sees(before, AMENDED_JILIN, PUBLIC, date(2027, 12, 31))
    assert not sees(before, AMENDED_JILIN, PUBLIC, date(2028, 1, 1))


def test_amendment_dropping_the_minimum_period() -> None:
    f_old = facts(effective_on=date(2026, 6, 1))
    f_new = facts(decided_on=date(2027, 1, 2), effective_on=date(2027, 1, 2))
    assert rules.window(f_old, AMENDED_JILIN).min_until == date(2026, 9, 1)
    assert rules.window(f_new, AMENDED_JILIN).min_until is None


# --------------------------------------------------------------------------- state


def test_jilin_19_at_expiry_delete_state_active_then_deleted() -> None:
    """吉林 第十九条第二款: 期限届满后在信用档案中及时删除 (retention = the public period)."""
    f = facts()
    assert state_on(f, JILIN, date(2027, 3, 2)) is State.active
    assert state_on(f, JILIN, date(2027, 3, 3)) is State.deleted
    assert sees(f, JILIN, Viewer(Channel.self, subject_id=OWNER), date(2027, 3, 2))
    assert not sees(f, JILIN, Viewer(Channel.self, subject_id=OWNER), date(2027, 3, 3))


def test_at_expiry_delete_with_longer_retention_expires_first() -> None:
    profile = with_retention(JILIN, "penalty_general", {"value": 2, "unit": "year"})
    f = facts()
    assert state_on(f, profile, date(2027, 3, 3)) is State.expired
    assert state_on(f, profile, date(2028, 3, 2)) is State.expired
    assert state_on(f, profile, date(2028, 3, 3)) is State.deleted


def test_henan_19_at_expiry_archive() -> None:
    """河南 第十九条第二款: 超过披露期限的转为档案保存."""
    f = facts()
    assert state_on(f, HENAN, date(2031, 3, 2)) is State.active
    assert state_on(f, HENAN, date(2031, 3, 3)) is State.archived
    assert sees(f, HENAN, Viewer(Channel.self, subject_id=OWNER), date(2031, 3, 3))
    assert not sees(f, HENAN, GOVERNMENT, date(2031, 3, 3))


def test_nanjing_56_at_expiry_stop_state_expired() -> None:
    """南京 第五十六条: 查询期限届满的，不得提供查询服务 — the record stays, expired."""
    f = facts()
    assert state_on(f, NANJING, date(2027, 3, 2)) is State.active
    assert state_on(f, NANJING, date(2027, 3, 3)) is State.expired
    assert sees(f, NANJING, Viewer(Channel.self, subject_id=OWNER), date(2027, 3, 3))
    assert not sees(f, NANJING, GOVERNMENT, date(2027, 3, 3))


def test_henan_44_archived_on_request_from_the_event_day() -> None:
    """河南 第四十四条: the subject asks that the record be moved to archive."""
    f = facts(events=(event(rules.ARCHIVED, date(2026, 6, 1)),))
    assert state_on(f, HENAN, date(2026, 5, 31)) is State.active
    assert state_on(f, HENAN, date(2026, 6, 1)) is State.archived
    assert not sees(f, HENAN, PUBLIC, date(2026, 6, 1))


def test_henan_42_revoked_record_leaves_outside_channels_and_stays_for_self() -> None:
    f = facts(events=(event(rules.REVOKED, date(2026, 5, 6)),))
    assert state_on(f, HENAN, date(2026, 5, 5)) is State.active
    assert state_on(f, HENAN, date(2026, 5, 6)) is State.revoked
    assert rules.status_name(f, HENAN, at(date(2026, 5, 6)), date(2026, 5, 6)) == "revoked"
    assert sees(f, HENAN, PUBLIC, date(2026, 5, 5))
    for viewer in (PUBLIC, GOVERNMENT):
        assert not sees(f, HENAN, viewer, date(2026, 5, 6))
    assert sees(f, HENAN, Viewer(Channel.self, subject_id=OWNER), date(2026, 5, 6))
    assert sees(f, HENAN, Viewer(Channel.provider, name=PROVIDER), date(2026, 5, 6))


def test_revocation_counts_from_the_instant_it_is_recorded() -> None:
    f = facts(events=(rules.EventFacts(kind=rules.REVOKED, at=at(date(2026, 5, 6), hour=15)),))
    day = date(2026, 5, 6)
    assert rules.state(f, HENAN, at(day, hour=14), day) is State.active
    assert rules.state(f, HENAN, at(day, hour=15), day) is State.revoked


def test_event_with_effective_on_takes_effect_that_day() -> None:
    f = facts(events=(event(rules.REVOKED, date(2026, 4, 1), effective_on=date(2026, 4, 10)),))
    assert state_on(f, HENAN, date(2026, 4, 9)) is State.active
    assert state_on(f, HENAN, date(2026, 4, 10)) is State.revoked


def test_shenzhen_36_revoked_reads_revoked_but_is_deleted_even_for_self() -> None:
    """深圳 第三十六条: 在市公共信用信息管理系统中删除该信息."""
    f = facts(events=(event(rules.REVOKED, date(2026, 5, 6)),))
    day = date(2026, 5, 6)
    assert state_on(f, SHENZHEN, day) is State.deleted
    assert rules.status_name(f, SHENZHEN, at(day), day) == "revoked"
    for viewer in (PUBLIC, GOVERNMENT, Viewer(Channel.self, subject_id=OWNER), Viewer(Channel.provider)):
        assert not sees(f, SHENZHEN, viewer, day)


# --------------------------------------------------------------------------- visible


@pytest.mark.parametrize(
    ("profile", "kind", "public"),
    [
        (JILIN, "legal_person", True),
        (JILIN, "unincorporated_org", True),
        (JILIN, "natural_person", False),  # 吉林 第十八条第三款
        (NANJING, "natural_person", False),
        (JIANGSU, "natural_person", True),  # 江苏 第四十条第二款: penalties disclosed by law, desensitised
    ],
)
def test_public_scope_per_subject_kind(profile: Profile, kind: str, public: bool) -> None:
    assert sees(facts(subject_kind=kind), profile, PUBLIC, date(2026, 3, 3)) is public


def test_shenzhen_50_evaluation_never_public_shared_with_government() -> None:
    """深圳 第五十条: 信用分类结果 for government reference only; the subject sees it."""
    f = facts(item="evaluation", severity=None)
    day = date(2026, 3, 3)
    assert not sees(f, SHENZHEN, PUBLIC, day)
    assert sees(f, SHENZHEN, GOVERNMENT, day)
    assert sees(f, SHENZHEN, Viewer(Channel.self, subject_id=OWNER), day)


def test_government_sees_natural_persons_within_retention() -> None:
    f = facts(subject_kind="natural_person")
    assert sees(f, JILIN, GOVERNMENT, date(2027, 3, 2))
    assert not sees(f, JILIN, GOVERNMENT, date(2027, 3, 3))


def test_government_sharing_stops_when_retention_ends() -> None:
    """江苏 第四十一条第二款 style two tiers: public period then a longer retention for sharing."""
    profile = with_retention(NANJING, "dishonest_general", {"value": 3, "unit": "year"})
    f = facts()
    assert not sees(f, profile, PUBLIC, date(2027, 3, 3))
    assert sees(f, profile, GOVERNMENT, date(2029, 3, 2))
    assert not sees(f, profile, GOVERNMENT, date(2029, 3, 3))


def test_self_sees_own_records_only() -> None:
    f = facts(subject_kind="natural_person")
    assert sees(f, JILIN, Viewer(Channel.self, subject_id=OWNER), date(2026, 3, 3))
    assert not sees(f, JILIN, Viewer(Channel.self, subject_id=OWNER + 1), date(2026, 3, 3))


def test_provider_sees_what_it_submitted_only() -> None:
    f = facts()
    day = date(2026, 3, 3)
    assert sees(f, JILIN, Viewer(Channel.provider, name=PROVIDER), day)
    assert not sees(f, JILIN, Viewer(Channel.provider, name="长春市生态环境局"), day)
    assert sees(f, JILIN, Viewer(Channel.provider, name=None), day)  # an operator reading as provider


def test_withheld_good_information_leaves_public_and_authorized() -> None:
    f = facts(item="commendation", severity=None, events=(event(rules.WITHHELD, date(2026, 4, 1)),))
    auth = grant(items=None)
    assert sees(f, HENAN, PUBLIC, date(2026, 3, 31))
    assert not sees(f, HENAN, PUBLIC, date(2026, 4, 1))
    assert not sees(f, HENAN, authorized(), date(2026, 4, 1), authorization=auth)
    assert sees(f, HENAN, Viewer(Channel.self, subject_id=OWNER), date(2026, 4, 1))


def test_suspended_record_hidden_from_public_government_and_authorized() -> None:
    f = facts(events=(event("suspended", date(2026, 4, 1)),))
    day = date(2026, 4, 1)
    assert rules.marks(f, at(day), day) == ["suspended"]
    assert not sees(f, NANJING, PUBLIC, day)
    assert not sees(f, NANJING, GOVERNMENT, day)
    assert not sees(f, NANJING, authorized(), day, authorization=grant())
    assert sees(f, NANJING, Viewer(Channel.self, subject_id=OWNER), day)


def test_item_missing_from_the_profile_is_not_served() -> None:
    f = facts(item="heroic_act", subject_kind="natural_person", severity=None)  # not in Henan's catalog
    day = date(2026, 3, 3)
    assert not sees(f, HENAN, Viewer(Channel.self, subject_id=OWNER), day)
    assert not sees(f, HENAN, GOVERNMENT, day)
    # its state can still be read (an item withdrawn after records were accepted)
    assert rules.status_name(f, HENAN, at(day), day) == "active"
    assert rules.window(f, HENAN).public_until is None


# --------------------------------------------------------------------------- authorized


def grant(**over: Any) -> AuthorizationFacts:
    values: dict[str, Any] = {
        "subject_id": OWNER,
        "grantee": "某某信用服务有限公司",
        "items": ("admin_penalty",),
        "valid_from": date(2026, 4, 1),
        "valid_until": date(2026, 6, 30),
    }
    values.update(over)
    return AuthorizationFacts(**values)


def authorized() -> Viewer:
    return Viewer(Channel.authorized, name="某某信用服务有限公司")


def test_authorized_validity_is_inclusive_at_both_ends() -> None:
    f, auth = facts(subject_kind="natural_person"), grant()
    assert not sees(f, JILIN, authorized(), date(2026, 3, 31), authorization=auth)
    assert sees(f, JILIN, authorized(), date(2026, 4, 1), authorization=auth)
    assert sees(f, JILIN, authorized(), date(2026, 6, 30), authorization=auth)
    assert not sees(f, JILIN, authorized(), date(2026, 7, 1), authorization=auth)


def test_authorized_limited_to_granted_items() -> None:
    day = date(2026, 4, 2)
    license_ = facts(item="admin_license", severity=None)
    assert not sees(license_, JILIN, authorized(), day, authorization=grant())
    assert sees(license_, JILIN, authorized(), day, authorization=grant(items=None))
    assert sees(license_, JILIN, authorized(), day, authorization=grant(items=("admin_license",)))


def test_authorized_withdrawn_stops_at_the_withdrawal_instant() -> None:
    day = date(2026, 4, 2)
    auth = grant(revoked_at=at(day, hour=12))
    assert rules.visible(
        facts(), JILIN, authorized(), at(day, hour=11), day, owner_id=OWNER, authorization=auth
    )
    assert not rules.visible(
        facts(), JILIN, authorized(), at(day, hour=12), day, owner_id=OWNER, authorization=auth
    )


def test_authorized_for_another_subject_or_without_authorization_sees_nothing() -> None:
    day = date(2026, 4, 2)
    assert not sees(facts(), JILIN, authorized(), day, authorization=grant(subject_id=OWNER + 1))
    assert not sees(facts(), JILIN, authorized(), day, authorization=None)


def test_authorized_never_sees_a_record_past_its_query_period() -> None:
    f = facts(decided_on=date(2025, 4, 1))  # Jilin general penalty: public through 2026-04-01
    auth = grant(valid_until=date(2026, 12, 31))
    assert sees(f, JILIN, authorized(), date(2026, 4, 1), authorization=auth)
    assert not sees(f, JILIN, authorized(), date(2026, 4, 2), authorization=auth)


def test_shenzhen_50_evaluation_not_in_authorized_scope() -> None:
    f = facts(item="evaluation", severity=None)
    assert not sees(f, SHENZHEN, authorized(), date(2026, 4, 2), authorization=grant(items=None))


# --------------------------------------------------------------------------- marks and masking


def test_marks_ongoing_distinct_and_only_mark_kinds() -> None:
    now = at(date(2026, 5, 1))
    f = facts(
        events=(
            event("objection", date(2026, 4, 1)),
            event("objection", date(2026, 4, 2)),
            event("statement", date(2026, 4, 3)),
            event(rules.REVOKED, date(2026, 4, 4)),
            event("repaired", date(2026, 6, 1)),  # not yet
            event("reorganization", date(2026, 4, 5), ends_at=at(date(2026, 4, 30))),  # over
        )
    )
    assert rules.marks(f, now, local_date(now)) == ["objection", "statement"]


@pytest.mark.parametrize(
    ("kind", "channel", "expected"),
    [
        ("natural_person", Channel.public, True),
        ("natural_person", Channel.government, False),
        ("natural_person", Channel.self, False),
        ("legal_person", Channel.public, False),
        ("unincorporated_org", Channel.public, False),
    ],
)
def test_masked_only_natural_persons_on_public(kind: str, channel: Channel, expected: bool) -> None:
    """江苏 第四十条第二款: 依法公开自然人的个人信息，应当进行脱敏处理."""
    assert rules.masked(kind, JIANGSU, channel) is expected


def test_masked_follows_the_profile_switch() -> None:
    def unmask(data: dict[str, Any]) -> None:
        data["disclosure"]["mask_natural_persons"] = False

    assert not rules.masked("natural_person", amended(JIANGSU, unmask), Channel.public)


# --------------------------------------------------------------------------- property


CAPPED = [
    (JILIN, "general"),
    (JILIN, "severe"),
    (NANJING, "general"),
    (NANJING, "severe"),
    (HENAN, "general"),
    (SHENZHEN, "general"),
]


@settings(max_examples=200, deadline=None)
@given(
    case=st.sampled_from(CAPPED),
    decided_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    lag=st.integers(min_value=0, max_value=60),
    offset=st.integers(min_value=-30, max_value=6 * 366),
    hour=st.integers(min_value=0, max_value=23),
)
def test_public_visible_iff_on_or_before_public_until(
    case: tuple[Profile, str], decided_on: date, lag: int, offset: int, hour: int
) -> None:
    profile, severity = case
    f = facts(decided_on=decided_on, effective_on=decided_on + timedelta(days=lag), severity=severity)
    until = rules.window(f, profile).public_until
    assert until is not None
    now: datetime = at(decided_on + timedelta(days=offset), hour=hour)
    today = local_date(now)
    shown = rules.visible(f, profile, PUBLIC, now, today, owner_id=OWNER)
    if shown:
        assert today <= until
    if today >= rules.window(f, profile).start:
        assert shown is (today <= until)
    # the last day in and the first day out
    assert rules.visible(f, profile, PUBLIC, at(until, hour=23), until, owner_id=OWNER)
    after = until + timedelta(days=1)
    assert not rules.visible(f, profile, PUBLIC, at(after, hour=0), after, owner_id=OWNER)
