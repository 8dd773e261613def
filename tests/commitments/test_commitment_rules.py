"""The pure commitment rules, on the packaged profiles' sections."""

from __future__ import annotations

from datetime import date

from helpers import profile
from hypothesis import given
from hypothesis import strategies as st

from xinyong.commitments import rules
from xinyong.core.profile_commitments import Commitments


def _sec(profile_id: str) -> Commitments:
    sec = profile(profile_id).commitments
    assert sec is not None
    return sec


MATTERS = {"administrative_license": ["notification", "missing_materials"]}


def test_nanjing_45_and_39_every_reason_given() -> None:
    """Nanjing 第四十五条第二款 and 第三十九条第二项 both answer, with their articles."""
    verdict = rules.eligibility(
        _sec("nanjing"),
        matter="administrative_license",
        kind="notification",
        matters=MATTERS,
        standing=rules.Standing(dishonest_record_ids=(7,), dishonest=True, general_dishonest=True),
    )
    assert [(r.code, r.cite, r.ids) for r in verdict.reasons] == [
        ("dishonest_record", "南京 第四十五条第二款", (7,)),
        ("general_dishonest", "南京 第三十九条第二项", ()),
    ]
    assert verdict.handling == ()


def test_public_kind_is_not_a_route() -> None:
    verdict = rules.eligibility(
        _sec("henan"),
        matter="administrative_license",
        kind="public",
        matters=MATTERS,
        standing=rules.Standing(),
    )
    assert [r.code for r in verdict.reasons] == ["kind_not_offered", "kind_not_offered"]


@given(
    dishonest=st.booleans(),
    general=st.booleans(),
    severe=st.booleans(),
    broken=st.booleans(),
    listed=st.booleans(),
)
def test_jiangsu_answers_only_the_list(
    dishonest: bool, general: bool, severe: bool, broken: bool, listed: bool
) -> None:
    """Jiangsu 第二十三条: 清单制, and no credit condition (silence): only the list decides."""
    standing = rules.Standing(
        dishonest_record_ids=(1,) if dishonest else (),
        dishonest=dishonest,
        general_dishonest=general,
        severe_listed=severe,
        broken_commitment_ids=(2,) if broken else (),
    )
    verdict = rules.eligibility(
        _sec("jiangsu"),
        matter="administrative_license" if listed else "honors",
        kind="notification",
        matters={"administrative_license": ["notification"]},
        standing=standing,
    )
    assert verdict.eligible is listed


def test_henan_33_8_first_matching_outcome() -> None:
    """Henan 第三十三条第八项: only a public commitment, only with serious consequences, is severe."""
    sec = _sec("henan")
    serious = rules.outcome_rule(sec, kind="public", public=True, outcome="broken", serious=True)
    plain = rules.outcome_rule(sec, kind="public", public=True, outcome="broken", serious=False)
    notification = rules.outcome_rule(sec, kind="notification", public=False, outcome="broken", serious=True)
    assert serious is not None and plain is not None and notification is not None
    assert (serious.item, serious.severity) == ("commitment_broken", "severe")
    assert (plain.item, notification.item) == ("commitment", "commitment")


def test_due_before_the_commitment_day_is_refused() -> None:
    errors = rules.check_content(
        _sec("jilin"),
        "missing_materials",
        rules.Content(text="补交材料", due=date(2026, 3, 1)),
        date(2026, 3, 2),
    )
    assert [(e.code, e.field) for e in errors] == [("invalid_date", "due")]


def test_overdue_from_the_day_after_due() -> None:
    assert rules.overdue("open", date(2026, 4, 1), date(2026, 4, 1)) is False
    assert rules.overdue("open", date(2026, 4, 1), date(2026, 4, 2)) is True
    assert rules.overdue("kept", date(2026, 4, 1), date(2026, 4, 2)) is False
