"""check_submission (records/validation.py): every refusal code, its field, and the order of checks.

Order (the module docstring): the item, the subject identifier, data that may never enter
(prohibited, sensitive without consent, excluded by the profile), then the remaining fields. Every
problem is reported, each naming its field, so a provider can fix a row in one pass.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from factories import (
    HK_MACAO_PERMIT,
    PASSPORT,
    TAIWAN_PERMIT,
    license_,
    penalty,
    person_penalty,
    residence_permit,
    ric,
    uscc,
    wrong_check,
)
from xinyong.catalog.standard import standard_catalog
from xinyong.core import profile as profiles
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records.validation import Submission, check_submission, natural_key

JILIN = profiles.get("jilin")
NANJING = profiles.get("nanjing")
HENAN = profiles.get("henan")
SHENZHEN = profiles.get("shenzhen")
JIANGSU = profiles.get("jiangsu")
ALL = [JILIN, NANJING, HENAN, SHENZHEN, JIANGSU]


def check(values: dict[str, Any], profile: Profile = JILIN, row: int | None = None) -> Submission:
    result = check_submission(values, profile=profile, standard=standard_catalog(), row=row)
    assert isinstance(result, Submission), [e.as_dict() for e in result]
    return result


def errors(values: dict[str, Any], profile: Profile = JILIN, row: int | None = None) -> list[XinyongError]:
    result = check_submission(values, profile=profile, standard=standard_catalog(), row=row)
    assert isinstance(result, list), f"accepted: {result}"
    return result


def codes(values: dict[str, Any], profile: Profile = JILIN) -> list[tuple[str, str | None]]:
    return [(e.code, e.field) for e in errors(values, profile)]


# --------------------------------------------------------------------------- accepted


def test_valid_penalty_is_normalised() -> None:
    s = check(penalty(subject_id="９１２２ ０１０１ " + uscc(1)[8:], decided_on=" 2026-03-02 "))
    assert s.subject_identifier == uscc(1)
    assert s.subject_id_type == "uscc"
    assert s.item == "admin_penalty"
    assert s.decided_on == date(2026, 3, 2)
    assert s.source == "public"
    assert s.data == {"fine_amount": "5000"}
    assert s.key == natural_key("admin_penalty", uscc(1), "长市监罚〔2026〕12号", date(2026, 3, 2))


def test_record_id_is_the_key_when_given() -> None:
    assert check(penalty(record_id="R-2026-001")).key == "R-2026-001"


def test_severity_defaults_to_general_for_items_with_severity() -> None:
    assert check(penalty(severity=None)).severity == "general"
    assert check(license_()).severity is None


def test_natural_person_ric_with_birth_year_in_range() -> None:
    s = check(person_penalty(subject_id=ric(3, "220102", date(1984, 1, 31))))
    assert (s.subject_kind, s.subject_id_type) == ("natural_person", "ric")


# --------------------------------------------------------------------------- unknown_item


@pytest.mark.parametrize(
    ("raw", "code"),
    [("行政处罚", "admin_penalty"), ("行政处罚信息", "admin_penalty"), ("行政　处罚", "admin_penalty")],
)
def test_chinese_item_names_and_aliases_accepted(raw: str, code: str) -> None:
    assert check(penalty(item=raw)).item == code


def test_chinese_alias_of_license_accepted() -> None:
    assert check(license_(item="行政许可")).item == "admin_license"


def test_unknown_item_code() -> None:
    [err] = errors(penalty(item="no_such_item"), row=4)
    assert (err.code, err.field, err.row, err.detail) == ("unknown_item", "item", 4, "no_such_item")


@pytest.mark.parametrize(
    ("profile", "item"),
    [(HENAN, "heroic_act"), (JILIN, "litigation"), (JIANGSU, "drunk_driving"), (SHENZHEN, "commitment")],
)
def test_standard_item_missing_from_the_profile_is_unknown(profile: Profile, item: str) -> None:
    assert codes(person_penalty(item=item, document="文书1号"), profile)[0] == ("unknown_item", "item")


def test_nanjing_23_natural_person_item_does_not_apply_to_a_company() -> None:
    """南京 第二十三条第二款: 酒后驾驶 is a natural-person item."""
    [err] = errors(penalty(item="drunk_driving"), NANJING)
    assert (err.code, err.field) == ("unknown_item", "item")
    assert err.detail == "drunk_driving does not apply to legal_person"
    assert err.cite == "南京 第二十三条第二款第一项 (酒后驾驶)"
    assert check(person_penalty(item="drunk_driving"), NANJING).item == "drunk_driving"


def test_nanjing_23_profile_narrows_honor_fraud_to_natural_persons() -> None:
    """南京 第二十三条第二款第六项: the profile's subject_kinds overrides the standard item's."""
    assert codes(penalty(item="honor_fraud"), NANJING) == [("unknown_item", "item")]
    assert check(penalty(item="honor_fraud"), SHENZHEN).item == "honor_fraud"


def test_business_anomaly_does_not_apply_to_natural_persons() -> None:
    assert codes(person_penalty(item="business_anomaly"), JILIN) == [("unknown_item", "item")]


def test_missing_item() -> None:
    assert codes(penalty(item=None)) == [("missing_field", "item")]


# --------------------------------------------------------------------------- invalid_identifier


def test_uscc_with_wrong_check_character() -> None:
    [err] = errors(penalty(subject_id=wrong_check(uscc(1))), row=2)
    assert (err.code, err.field, err.row, err.detail) == (
        "invalid_identifier",
        "subject_id",
        2,
        "InvalidChecksum",
    )


def test_ric_with_invented_division() -> None:
    body = "12345619900307001"
    from stdnum.cn import ric as stdnum_ric

    invented = body + stdnum_ric.calc_check_digit(body + "0")
    [err] = errors(person_penalty(subject_id=invented))
    assert (err.code, err.field, err.detail) == ("invalid_identifier", "subject_id", "InvalidComponent")


def test_company_with_a_citizen_number() -> None:
    assert codes(penalty(subject_id=ric(1))) == [("invalid_identifier", "subject_id")]


def test_missing_subject_id_and_unknown_kind() -> None:
    assert codes(penalty(subject_id=None)) == [("missing_field", "subject_id")]
    assert ("invalid_field", "subject_kind") in codes(penalty(subject_kind="company"))


@pytest.mark.parametrize("profile", [JILIN, HENAN, JIANGSU, NANJING])
@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("passport", PASSPORT),
        ("hk_macao_permit", HK_MACAO_PERMIT),
        ("taiwan_permit", TAIWAN_PERMIT),
        ("residence_permit", residence_permit()),
    ],
)
def test_fallback_identity_documents_accepted(profile: Profile, id_type: str, number: str) -> None:
    """吉林 第九条, 河南 第十六条, 江苏 第三十四条第二款, 南京 第二十条: other valid identity documents."""
    s = check(person_penalty(subject_id=number, subject_id_type=id_type), profile)
    assert (s.subject_id_type, s.subject_identifier) == (id_type, number)


def test_shenzhen_17_no_fallback_identity_document() -> None:
    """深圳 第十七条第二款 names only 个人身份证件号码: a passport is refused, citing it."""
    [err] = errors(person_penalty(subject_id=PASSPORT, subject_id_type="passport"), SHENZHEN)
    assert (err.code, err.field) == ("invalid_identifier", "subject_id")
    assert err.cite == SHENZHEN.subjects.cite


def test_fallback_document_never_for_an_organisation() -> None:
    assert codes(penalty(subject_id=PASSPORT, subject_id_type="passport")) == [
        ("invalid_identifier", "subject_id")
    ]


def test_unknown_identity_document_type() -> None:
    [err] = errors(person_penalty(subject_id=PASSPORT, subject_id_type="driver_license"))
    assert (err.code, err.cite) == ("invalid_identifier", JILIN.subjects.fallback_cite)


# --------------------------------------------------------------------------- prohibited_data


@pytest.mark.parametrize("profile", ALL, ids=lambda p: p.id)
@pytest.mark.parametrize(
    ("key", "canonical"),
    [
        ("blood_type", "blood_type"),
        ("血型", "blood_type"),
        ("宗教信仰", "religion"),
        ("病史", "medical_history"),
    ],
)
def test_prohibited_data_refused_in_every_profile(profile: Profile, key: str, canonical: str) -> None:
    [err] = errors(person_penalty(data={key: "A", "fine_amount": "200"}, consent=True), profile)
    assert (err.code, err.field, err.cite) == (
        "prohibited_data",
        f"data.{canonical}",
        profile.intake.prohibited_cite,
    )


def test_prohibited_data_refused_for_organisations_too_and_all_keys_named() -> None:
    [err] = errors(penalty(data={"指纹": "...", "genes": "..."}))
    assert (err.code, err.field, err.detail) == (
        "prohibited_data",
        "data.fingerprints",
        "fingerprints, genes",
    )


# --------------------------------------------------------------------------- consent_required


@pytest.mark.parametrize("key", ["income", "deposits", "securities", "commercial_insurance", "收入"])
def test_jilin_16_four_sensitive_keys_need_written_consent(key: str) -> None:
    """吉林 第十六条第三款: 收入、存款、有价证券、商业保险."""
    [err] = errors(person_penalty(data={key: "1"}), JILIN)
    canonical = "income" if key == "收入" else key
    assert (err.code, err.field, err.cite) == ("consent_required", f"data.{canonical}", "吉林 第十六条第三款")
    assert check(person_penalty(data={key: "1"}, consent=True), JILIN).consent is True


@pytest.mark.parametrize("key", ["real_estate", "tax_amount", "home_address"])
def test_jilin_16_real_estate_and_tax_not_listed(key: str) -> None:
    assert check(person_penalty(data={key: "1"}), JILIN).data == {key: "1"}


def test_nanjing_29_real_estate_needs_a_written_agreement_from_every_source() -> None:
    """南京 第二十九条第二款 (书面协议); the profile exempts no source."""
    for source in ("public", "market"):
        assert codes(person_penalty(data={"不动产": "1"}, source=source), NANJING) == [
            ("consent_required", "data.real_estate")
        ]


def test_henan_45_binds_market_providers_only() -> None:
    """河南 第四十五条第二款: 市场信用信息提供单位 need the person's written consent."""
    assert check(person_penalty(data={"不动产": "1"}), HENAN).data == {"real_estate": "1"}
    [err] = errors(person_penalty(data={"不动产": "1"}, source="market"), HENAN)
    assert (err.code, err.field, err.cite) == (
        "consent_required",
        "data.real_estate",
        "河南 第四十五条第二款",
    )


def test_jiangsu_62_public_source_exempt_market_source_not() -> None:
    """江苏 第六十二条第二款: 国家机关、法律法规授权的组织依法可以采集的除外."""
    assert check(person_penalty(data={"income": "1"}, source="public"), JIANGSU).source == "public"
    assert check(person_penalty(data={"income": "1"}), JIANGSU).source == "public"  # the default
    [err] = errors(person_penalty(data={"income": "1"}, source="market"), JIANGSU)
    assert (err.code, err.field, err.cite) == ("consent_required", "data.income", "江苏 第六十二条第二款")
    assert check(person_penalty(data={"income": "1"}, source="market", consent="是"), JIANGSU).consent


def test_shenzhen_23_notice_only_needs_no_consent() -> None:
    """深圳 第二十三条第二款: 明确告知 only."""
    assert check(person_penalty(data={"home_address": "深圳市罗湖区"}), SHENZHEN).consent is False


def test_sensitive_keys_of_organisations_need_no_consent() -> None:
    assert check(penalty(data={"income": "1000000"}), JILIN).data["income"] == "1000000"


def test_consent_must_be_yes_or_no() -> None:
    assert codes(person_penalty(consent="maybe")) == [("invalid_field", "consent")]


# --------------------------------------------------------------------------- not_reportable


def test_henan_13_simple_procedure_penalty_on_natural_person_not_reportable() -> None:
    """河南 第十三条第三款: 适用简易程序作出的行政处罚信息 on natural persons is not reported."""
    [err] = errors(person_penalty(procedure="simple"), HENAN, row=3)
    assert (err.code, err.field, err.row, err.cite) == (
        "not_reportable",
        "procedure",
        3,
        "河南 第十三条第三款",
    )
    assert check(penalty(procedure="simple"), HENAN).procedure == "simple"
    assert check(person_penalty(procedure="general"), HENAN).procedure == "general"


def test_henan_13_minor_remedied_violation_of_a_natural_person_not_reportable() -> None:
    """河南 第十三条第三款: 违法行为轻微并主动消除或者减轻违法行为危害后果 — flagged by the provider."""
    [err] = errors(person_penalty(data={"minor_remedied": "是"}), HENAN)
    assert (err.code, err.cite) == ("not_reportable", "河南 第十三条第三款")
    assert check(person_penalty(data={"minor_remedied": "否"}), HENAN).item == "admin_penalty"
    assert check(penalty(data={"minor_remedied": True}), HENAN).item == "admin_penalty"


@pytest.mark.parametrize(
    ("profile", "cite"),
    [(JILIN, "吉林 第十三条第一项"), (SHENZHEN, "深圳 第十八条第一款第一项")],
    ids=["jilin", "shenzhen"],
)
def test_only_general_procedure_penalties_enter(profile: Profile, cite: str) -> None:
    """吉林 第十三条第一项, 深圳 第十八条第一款第一项: 适用一般程序 — for every kind of subject."""
    for values in (penalty(procedure="simple"), person_penalty(procedure="simple")):
        [err] = errors(values, profile)
        assert (err.code, err.field, err.cite) == ("not_reportable", "procedure", cite)


@pytest.mark.parametrize("profile", [JIANGSU, NANJING], ids=lambda p: p.id)
def test_simple_procedure_reportable_where_the_text_is_silent(profile: Profile) -> None:
    assert check(person_penalty(procedure="simple"), profile).procedure == "simple"


# --------------------------------------------------------------------------- remaining fields


def test_missing_provider_decision_date_and_document() -> None:
    assert codes(penalty(provider=None, decided_on=None, document=None)) == [
        ("missing_field", "provider"),
        ("missing_field", "decided_on"),
        ("missing_field", "document"),
    ]


def test_license_needs_a_document_registration_does_not() -> None:
    assert codes(license_(document="  ")) == [("missing_field", "document")]
    assert check(license_(item="registration", document=None, data={})).document is None


@pytest.mark.parametrize("field", ["decided_on", "effective_on", "valid_until", "disclosure_until"])
def test_invalid_dates_name_their_field(field: str) -> None:
    assert codes(penalty(**{field: "2026-02-30"})) == [("invalid_date", field)]
    assert codes(penalty(**{field: "明天"})) == [("invalid_date", field)]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"severity": "grave"}, "severity"),
        ({"procedure": "summary"}, "procedure"),
        ({"source": "private"}, "source"),
        ({"data": {"fine_amount": "五千元"}}, "data.fine_amount"),
        ({"data": {"fine_amount": "NaN"}}, "data.fine_amount"),
        ({"responsible": [{"role": "boss", "name": "张三", "id": ric(1)}]}, "responsible[0].role"),
    ],
)
def test_invalid_field(over: dict[str, Any], field: str) -> None:
    assert codes(penalty(**over)) == [("invalid_field", field)]


def test_responsible_person_with_a_bad_identifier() -> None:
    person = {"role": "legal_representative", "name": "张三", "id": wrong_check(ric(1))}
    assert codes(penalty(responsible=[person])) == [("invalid_identifier", "responsible[0].id")]


def test_typed_data_fields_are_coerced() -> None:
    s = check(penalty(data={"fine_amount": "1,234.50", "violation": "超范围经营"}))
    assert s.data == {"fine_amount": "1234.50", "violation": "超范围经营"}


# --------------------------------------------------------------------------- several errors, order


def test_every_error_of_a_row_reported_in_check_order_each_with_its_field() -> None:
    """Henan: identifier, prohibited, consent, not_reportable, then the other fields."""
    values = person_penalty(
        subject_id=wrong_check(ric(1)),
        procedure="simple",
        source="market",
        data={"血型": "O", "收入": "5000"},
        provider=None,
        decided_on="2026-13-01",
        severity="grave",
    )
    errs = errors(values, HENAN, row=7)
    assert [(e.code, e.field) for e in errs] == [
        ("invalid_identifier", "subject_id"),
        ("prohibited_data", "data.blood_type"),
        ("consent_required", "data.income"),
        ("not_reportable", "procedure"),
        ("missing_field", "provider"),
        ("invalid_date", "decided_on"),
        ("invalid_field", "severity"),
    ]
    assert {e.row for e in errs} == {7}


def test_item_is_checked_before_the_identifier() -> None:
    assert codes(penalty(item="no_such_item", subject_id=wrong_check(uscc(1)))) == [
        ("unknown_item", "item"),
        ("invalid_identifier", "subject_id"),
    ]


# --------------------------------------------------------------------------- known bugs (validation.py)
# validation.py is not ours to edit while it is being optimised; the exact fixes are in the report.


def test_missing_subject_kind_is_missing_field() -> None:
    assert codes(penalty(subject_kind=None)) == [("missing_field", "subject_kind")]


def test_data_that_is_not_a_map_is_invalid_field() -> None:
    assert codes(penalty(data="罚款5000元")) == [("invalid_field", "data")]


def test_responsible_that_is_not_a_list_of_maps_is_invalid_field() -> None:
    assert codes(penalty(responsible=["张三"])) == [("invalid_field", "responsible[0]")]
