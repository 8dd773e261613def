"""Which data keys each channel reads (records/redaction.py)."""

from __future__ import annotations

from xinyong.core import profile as profiles
from xinyong.records.redaction import MASKED, shown_data

DATA = {"violation": "无照经营", "income": "120000", "real_estate": "南京市某小区", "tax_amount": "3000"}


def test_sensitive_data_is_never_public() -> None:
    assert shown_data(DATA, profiles.get("nanjing"), "public") == {"violation": "无照经营"}


def test_jiangsu_real_estate_and_tax_only_to_the_subject_and_authorised() -> None:
    """Jiangsu 第六十二条第三款."""
    jiangsu = profiles.get("jiangsu")
    assert shown_data(DATA, jiangsu, "government") == {"violation": "无照经营", "income": "120000"}
    assert shown_data(DATA, jiangsu, "self") == DATA
    assert shown_data(DATA, jiangsu, "authorized") == DATA
    assert "tax_amount" not in shown_data(DATA, jiangsu, "provider")


def test_shenzhen_desensitises_sensitive_data_when_used() -> None:
    """Shenzhen 第二十三条第二款: 使用时应当进行脱敏处理 — the subject itself sees its own values."""
    shenzhen = profiles.get("shenzhen")
    government = shown_data(DATA, shenzhen, "government")
    assert government == {
        "violation": "无照经营",
        "income": MASKED,
        "real_estate": MASKED,
        "tax_amount": MASKED,
    }
    assert shown_data(DATA, shenzhen, "self") == DATA


def test_other_profiles_show_government_the_whole_record() -> None:
    assert shown_data(DATA, profiles.get("jilin"), "government") == DATA
