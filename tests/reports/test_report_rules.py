"""The report's pure rules: the yearly free quota, the number and its check digits, the content hash."""

from __future__ import annotations

import pytest

from xinyong.core.profile_rights import Reports
from xinyong.reports import rules

JILIN = Reports(free_per_year=2, free_for=["natural_person"], cite="吉林 第三十四条")
HENAN = Reports(
    free_per_year=2,
    free_for=["legal_person", "unincorporated_org", "natural_person"],
    shows_queries=True,
    cite="河南 第四十条",
)
NANJING = Reports(
    free_per_year="unlimited", free_for=["natural_person"], shows_queries=True, cite="南京 第五十七条"
)
SILENT = Reports(cite="江苏 第三十九条")


def test_jilin_34_two_free_reports_a_year_for_natural_persons() -> None:
    """Jilin 第三十四条: 自然人有权每年…免费获取两次本人的信用报告 — the third is not free."""
    assert rules.fee(JILIN, "natural_person", 0) == rules.Fee(True, "free_quota", "吉林 第三十四条", 2, 1)
    assert rules.fee(JILIN, "natural_person", 1) == rules.Fee(True, "free_quota", "吉林 第三十四条", 2, 0)
    assert rules.fee(JILIN, "natural_person", 2) == rules.Fee(False, "quota_used", "吉林 第三十四条", 2, 0)


def test_jilin_34_sets_no_rule_for_organizations() -> None:
    """Jilin 第三十四条 names natural persons only: for a company the text sets no fee rule (free)."""
    assert rules.fee(JILIN, "legal_person", 5) == rules.Fee(True, "no_fee_rule", None, None, None)


def test_henan_40_quota_applies_to_every_subject() -> None:
    """Henan 第四十条: 信用主体…每年…免费获取二次 — companies too."""
    assert rules.fee(HENAN, "legal_person", 1).free is True
    assert rules.fee(HENAN, "legal_person", 2) == rules.Fee(False, "quota_used", "河南 第四十条", 2, 0)
    assert rules.fee(HENAN, "unincorporated_org", 2).free is False


def test_nanjing_57_natural_persons_always_free() -> None:
    """Nanjing 第五十七条: 自然人有权…免费获取本人的信用报告 — no number set."""
    assert rules.fee(NANJING, "natural_person", 100) == rules.Fee(
        True, "free_unlimited", "南京 第五十七条", None, None
    )
    assert rules.fee(NANJING, "legal_person", 100).basis == "no_fee_rule"


@pytest.mark.parametrize("reports", [None, SILENT])
def test_silence_is_no_fee_rule_not_a_borrowed_quota(reports: Reports | None) -> None:
    assert rules.fee(reports, "natural_person", 10) == rules.Fee(True, "no_fee_rule", None, None, None)


def test_number_layout_and_check_digits() -> None:
    number = rules.number("jilin", 2026, 3)
    assert number == "JILIN-2026-000003-17"
    assert rules.parse_number(number) == ("jilin", 2026, 3)
    assert rules.parse_number(" jilin-2026-000003-17 ") == ("jilin", 2026, 3)
    assert rules.parse_number("JILIN-2026-000003-18") is None  # one digit off
    assert rules.parse_number("JILIN-2026-000004-17") is None  # sequence altered
    assert rules.parse_number("HENAN-2026-000003-17") is None  # another profile
    assert rules.parse_number("not a number") is None
    assert rules.number("henan", 2027, 1234567).startswith("HENAN-2027-1234567-")


def test_content_hash_ignores_key_order_not_content() -> None:
    a = {"number": "X", "records": [{"id": 1, "data": {"金额": "5000"}}]}
    b = {"records": [{"data": {"金额": "5000"}, "id": 1}], "number": "X"}
    assert rules.content_hash(a) == rules.content_hash(b)
    assert rules.content_hash(a) != rules.content_hash({**a, "number": "Y"})
    assert len(rules.content_hash(a)) == 64
