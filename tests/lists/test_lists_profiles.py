"""The `[lists]` sections: every value beside its article, only the lists each text has."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from xinyong.core.profile_lists import GROUND_VOCABULARY, Lists

from .helpers import DATA, PROFILE_IDS, lists_section, profile

EXPECTED = {
    "jiangsu": ["severe"],
    "shenzhen": ["severe", "business_anomaly"],
    "nanjing": ["severe", "key_attention"],
    "jilin": ["severe", "red", "business_anomaly"],
    "henan": ["severe", "red"],
}


@pytest.mark.parametrize("pid", PROFILE_IDS)
def test_each_profile_has_only_the_lists_its_text_has(pid: str) -> None:
    """REQUIREMENTS R-LST-01: Jiangsu severe only; Nanjing key attention; Jilin business anomaly."""
    assert lists_section(pid).names() == EXPECTED[pid]


@pytest.mark.parametrize("pid", PROFILE_IDS)
def test_every_list_has_a_notice_and_cites(pid: str) -> None:
    for name, spec in lists_section(pid).root.items():
        assert spec.notice.kind in ("prior_notice", "public_notice", "warning"), name
        assert spec.notice.cite and spec.cite and spec.publish_cite and spec.validity_cite
        assert all(g.cite for g in spec.grounds.allowed.values())


@pytest.mark.parametrize("pid", PROFILE_IDS)
def test_the_block_follows_its_marker_line(pid: str) -> None:
    text = (DATA / f"{pid}.toml").read_text(encoding="utf-8")
    marker = text.index("# ---- lists (issue 4) ----\n")
    assert text.index("[lists.") > marker
    assert text.rfind("[lists.") < text.find("# ---- commitments (issue 4) ----") or "commitments" not in text


def test_jilin_severe_leaves_grounds_to_departments() -> None:
    """Jilin 第二十三条/第二十四条: no enumerated grounds, so `health_safety` is accepted."""
    spec = lists_section("jilin").get("severe")
    assert spec is not None and spec.grounds.rule == "open"
    assert spec.notice.form == "written"  # 第二十四条第三款: 以书面方式


def test_henan_severe_grounds_are_the_ten_of_article_33() -> None:
    spec = lists_section("henan").get("severe")
    assert spec is not None and spec.grounds.rule == "closed"
    assert set(spec.grounds.allowed) == {
        "health_safety",
        "market_order",
        "consumer_investor",
        "education_research",
        "court_defaulter",
        "national_defense",
        "defamation",
        "broken_public_commitment",
        "forged_documents",
        "other_law",
    }
    assert spec.removal.announcement and spec.removal.announcement_cite == "河南 第三十七条第三款"
    red = lists_section("henan").get("red")
    assert red is not None and "honest_model" in red.grounds.allowed and red.notice.kind == "public_notice"


def test_nanjing_key_attention_three_months_auto_exit_and_conversion() -> None:
    spec = lists_section("nanjing").get("key_attention")
    assert spec is not None
    assert str(spec.validity) == "3 month" and spec.auto_exit and spec.converts_on_dishonesty
    assert spec.notice.kind == "warning"


def test_profile_with_lists_loads() -> None:
    p = profile("henan")
    assert getattr(p, "lists", None) is not None


def _raw(pid: str) -> dict:
    return tomllib.loads((DATA / f"{pid}.toml").read_text(encoding="utf-8"))["lists"]


def test_unknown_list_name_is_refused() -> None:
    raw = _raw("jiangsu")
    raw["blacklist"] = raw["severe"]
    with pytest.raises(ValidationError, match="blacklist"):
        Lists.model_validate(raw)


def test_ground_outside_the_vocabulary_is_refused() -> None:
    raw = _raw("henan")
    raw["red"]["grounds"]["allowed"]["court_defaulter"] = {"cite": "x"}
    with pytest.raises(ValidationError, match="court_defaulter not in the red vocabulary"):
        Lists.model_validate(raw)


def test_unknown_key_is_refused() -> None:
    raw = _raw("nanjing")
    raw["severe"]["window"] = 3
    with pytest.raises(ValidationError, match=r"severe\.window"):
        Lists.model_validate(raw)


def test_closed_grounds_need_a_list_and_auto_exit_needs_a_period() -> None:
    raw = _raw("nanjing")
    raw["severe"]["grounds"]["allowed"] = {}
    with pytest.raises(ValidationError, match="closed rule lists"):
        Lists.model_validate(raw)
    raw = _raw("nanjing")
    raw["key_attention"]["validity"] = "until_removed"
    with pytest.raises(ValidationError, match="auto_exit needs a validity period"):
        Lists.model_validate(raw)


def test_vocabulary_matches_scenarios_md() -> None:
    assert GROUND_VOCABULARY["business_anomaly"] == ("anomaly",)
    assert {"minor_first", "no_harm"} <= set(GROUND_VOCABULARY["key_attention"])
