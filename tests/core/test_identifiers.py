"""Subject identifiers: GB 32100-2015 (USCC), GB 11643-1999 (RIC) and other documents."""

from __future__ import annotations

import doctest
from datetime import date

import pytest

from xinyong.core import identifiers
from xinyong.core.errors import XinyongError
from xinyong.core.identifiers import (
    IdType,
    SubjectKind,
    birth_date,
    default_id_type,
    is_valid,
    mask,
    mask_name,
    validate,
)

# real ids: the style guide's examples and the subjects of /work/shared/scenarios/*.yaml
USCCS = [
    "91220101MA14XK7Q0T",
    "91410122MA1QQMMG5K",
    "91410105MA1EFPAA7G",
    "91220102MA1TFQTJ88",
    "91220104MA1WTMRD4J",
    "91320105MA1LFYY09D",
    "91440305MA1G6BN960",
]
RICS = [
    "320102199003074560",
    "32011319850426173X",
    "320106199708080261",
    "320113199408213978",
    "440306199601052197",
]


def _reason(value: object, kind: str, id_type: str | None = None) -> str | None:
    with pytest.raises(XinyongError) as info:
        validate(value, kind, id_type)  # type: ignore[arg-type]
    assert info.value.code == "invalid_identifier"
    return info.value.detail


def test_doctests() -> None:
    assert doctest.testmod(identifiers).failed == 0


@pytest.mark.parametrize("uscc", USCCS)
@pytest.mark.parametrize("kind", ["legal_person", SubjectKind.unincorporated_org])
def test_valid_uscc(uscc: str, kind: str) -> None:
    assert validate(uscc, kind) == uscc
    assert is_valid(uscc, kind)


@pytest.mark.parametrize("ric", RICS)
def test_valid_ric(ric: str) -> None:
    assert validate(ric, "natural_person") == ric
    assert validate(ric, SubjectKind.natural_person, IdType.ric) == ric


def test_default_id_types() -> None:
    assert default_id_type("legal_person") is IdType.uscc
    assert default_id_type(SubjectKind.unincorporated_org) is IdType.uscc
    assert default_id_type("natural_person") is IdType.ric


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "９１２２ ０１０１ ＭＡ１４ ＸＫ７Ｑ０Ｔ",  # full width, as pasted from Excel
        "91220101\u3000MA14XK7Q0T",  # ideographic space
        "9122-0101-MA14-XK7Q-0T",
        "9122\u20140101MA14XK7Q0T",  # em dash
        " 91220101ma14xk7q0t\n",
    ],
)
def test_uscc_input_is_normalised(raw: str) -> None:
    assert validate(raw, "legal_person") == "91220101MA14XK7Q0T"


def test_ric_input_is_normalised() -> None:
    assert validate("３２０１１３ １９８５０４２６ １７３ｘ", "natural_person") == "32011319850426173X"
    assert validate("32011319850426173x", "natural_person") == "32011319850426173X"
    assert validate(320102199003074560, "natural_person") == "320102199003074560"  # unquoted in YAML


# --- failures and their reasons ----------------------------------------------------------------


def test_uscc_failures() -> None:
    assert _reason("91220101MA14XK7Q0A", "legal_person") == "InvalidChecksum"
    assert _reason("91220101MA14XK7Q0", "legal_person") == "InvalidLength"
    assert _reason("91220101MA14XK7Q0TT", "legal_person") == "InvalidLength"
    assert _reason("91220101MA14XI7Q0T", "legal_person") == "InvalidFormat"  # I is not in the alphabet
    assert _reason("", "legal_person") == "InvalidLength"
    assert not is_valid("91220101MA14XK7Q0A", "legal_person")


def test_ric_failures() -> None:
    assert _reason("320102199003074561", "natural_person") == "InvalidChecksum"
    assert _reason("32010219900307456", "natural_person") == "InvalidLength"
    assert _reason("3201021990030745X0", "natural_person") == "InvalidFormat"
    # check characters right, meaning wrong
    assert _reason("320102199002304563", "natural_person") == "InvalidComponent"  # 30 February
    assert _reason("999999199003074566", "natural_person") == "InvalidComponent"  # invented division
    assert _reason("123456199003074561", "natural_person") == "InvalidComponent"  # invented division


def test_scheme_follows_the_kind_not_the_look() -> None:
    assert not is_valid("320102199003074560", "legal_person")
    assert not is_valid("91220101MA14XK7Q0T", "natural_person")
    not_allowed = "IdTypeNotAllowed: uscc for natural_person"
    assert _reason("91220101MA14XK7Q0T", "natural_person", "uscc") == not_allowed
    assert _reason("320102199003074560", "legal_person", "ric").startswith("IdTypeNotAllowed")
    assert _reason("320102199003074560", "natural_person", "drivers_licence") == "UnknownIdType"


def test_error_names_the_field() -> None:
    with pytest.raises(XinyongError) as info:
        validate("91220101MA14XK7Q0A", "legal_person")
    assert info.value.field == "id"
    with pytest.raises(XinyongError) as info:
        validate("91220101MA14XK7Q0A", "legal_person", field="subject.id")
    assert info.value.field == "subject.id"
    assert info.value.as_dict()["detail"] == "InvalidChecksum"


def test_unknown_kind_is_a_field_error() -> None:
    with pytest.raises(XinyongError) as info:
        validate("91220101MA14XK7Q0T", "company")
    assert (info.value.code, info.value.field) == ("invalid_field", "kind")


# --- other documents of natural persons --------------------------------------------------------


def test_residence_permit() -> None:
    """港澳台居民居住证: GB 11643 layout with division 810000/820000/830000."""
    assert validate("810000199003074569", "natural_person", "residence_permit") == "810000199003074569"
    assert validate("830000198504261732", "natural_person", "residence_permit") == "830000198504261732"
    assert validate("820000200101010021", "natural_person", "residence_permit") == "820000200101010021"
    assert _reason("810000199003074560", "natural_person", "residence_permit") == "InvalidChecksum"
    assert _reason("320102199003074560", "natural_person", "residence_permit") == "InvalidComponent"
    assert _reason("81000019900307456", "natural_person", "residence_permit") == "InvalidLength"


def test_foreign_permanent_residence() -> None:
    """外国人永久居留身份证: 2023 card (18 digits from 9, GB 11643 check) and 2004 card (15)."""
    fpr = IdType.foreign_permanent_residence
    assert validate("93184019850315001X", "natural_person", fpr) == "93184019850315001X"
    assert validate("usa 123456789012", "natural_person", fpr) == "USA123456789012"
    assert _reason("931840198503150011", "natural_person", fpr) == "InvalidChecksum"
    assert _reason("931840198513320019", "natural_person", fpr) == "InvalidComponent"  # month 13
    assert _reason("320102199003074560", "natural_person", fpr) == "InvalidFormat"  # not from 9
    assert _reason("US1123456789012", "natural_person", fpr) == "InvalidFormat"
    assert _reason("USA12345678901", "natural_person", fpr) == "InvalidLength"


def test_format_only_documents() -> None:
    assert validate("H12345678", "natural_person", "hk_macao_permit") == "H12345678"
    assert validate("m1234567890", "natural_person", "hk_macao_permit") == "M1234567890"
    assert _reason("H1234567", "natural_person", "hk_macao_permit") == "InvalidLength"
    assert _reason("X12345678", "natural_person", "hk_macao_permit") == "InvalidFormat"
    assert validate("12345678", "natural_person", "taiwan_permit") == "12345678"
    assert validate("1234567890", "natural_person", "taiwan_permit") == "1234567890"
    assert _reason("1234567", "natural_person", "taiwan_permit") == "InvalidLength"
    assert _reason("A2345678", "natural_person", "taiwan_permit") == "InvalidFormat"
    assert validate("E12345678", "natural_person", "passport") == "E12345678"
    assert validate("ea 1234567", "natural_person", "passport") == "EA1234567"
    assert _reason("ABCDEFGH", "natural_person", "passport") == "InvalidFormat"  # no digit
    assert _reason("E123", "natural_person", "passport") == "InvalidLength"
    assert _reason("E1234567#", "natural_person", "passport") == "InvalidFormat"
    assert _reason("E١٢٣٤٥٦٧٨", "natural_person", "passport") == "InvalidFormat"  # Arabic-Indic digits


# --- birth date: Jiangsu 第二十六条 (十六周岁) -------------------------------------------------------


def test_birth_date_for_the_sixteen_years_rule_jiangsu_26() -> None:
    assert birth_date("32011319850426173X") == date(1985, 4, 26)
    assert birth_date("３２０１０２１９９００３０７４５６０") == date(1990, 3, 7)
    assert birth_date("810000199003074569", IdType.residence_permit) == date(1990, 3, 7)
    assert birth_date("93184019850315001X", "foreign_permanent_residence") == date(1985, 3, 15)
    with pytest.raises(ValueError):
        birth_date("E12345678", "passport")
    with pytest.raises(ValueError):
        birth_date("USA123456789012", "foreign_permanent_residence")
    with pytest.raises(XinyongError):
        birth_date("320102199003074561")


# --- masking -----------------------------------------------------------------------------------


def test_mask_natural_persons_keeps_first_and_last_four() -> None:
    assert mask("320102199003074560", "natural_person") == "3201**********4560"
    assert mask("32011319850426173X", SubjectKind.natural_person) == "3201**********173X"
    assert mask("３２０１０２１９９００３０７４５６０", "natural_person") == "3201**********4560"
    assert mask("USA123456789012", "natural_person", "foreign_permanent_residence") == "USA*********012"


def test_mask_short_documents_hides_at_least_half() -> None:
    assert mask("H12345678", "natural_person", "hk_macao_permit") == "H1*****78"
    assert mask("12345678", "natural_person", "taiwan_permit") == "12****78"
    assert mask("123", "natural_person") == "***"


def test_organisations_are_not_masked() -> None:
    assert mask("91220101MA14XK7Q0T", "legal_person") == "91220101MA14XK7Q0T"
    assert mask("91220101MA14XK7Q0T", "unincorporated_org") == "91220101MA14XK7Q0T"
    assert mask_name("长春某某科技有限公司", "legal_person") == "长春某某科技有限公司"


def test_mask_name() -> None:
    assert mask_name("张三", "natural_person") == "张*"
    assert mask_name("欧阳娜娜", "natural_person") == "欧***"
    assert mask_name(" 徐军 ", "natural_person") == "徐*"
    assert mask_name("李", "natural_person") == "*"
