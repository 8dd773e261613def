"""Catalog versions (R-CAT-01, R-CAT-02) on real SQLite and PostgreSQL, and the standard item set.

The legal attributes of an item come from the profile file; the catalog versions them in the
database. A version is never edited: a change appends one, and a record keeps the version it was
accepted under.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import amended, at, penalty, provider
from xinyong.catalog import service
from xinyong.catalog.models import CatalogItemVersion
from xinyong.catalog.standard import coerce_field, standard_catalog
from xinyong.core import profile as profiles
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import service as records_service
from xinyong.records.models import Record

Factory = sessionmaker[Session]
JILIN = profiles.get("jilin")
T0 = at(date(2026, 3, 2))
T1 = at(date(2026, 6, 1))

# SCENARIOS.md "Shared vocabulary", catalog items: an implementation may accept more, never fewer.
VOCABULARY = [
    "registration",
    "admin_license",
    "qualification",
    "commendation",
    "volunteer_service",
    "charitable_donation",
    "heroic_act",
    "excellent_rating",
    "commitment_kept",
    "admin_penalty",
    "admin_enforcement",
    "criminal_conviction",
    "judgment_default",
    "fraudulent_acquisition",
    "false_materials",
    "industry_ban",
    "arrears",
    "utility_arrears",
    "commitment_broken",
    "safety_accident",
    "interview_record",
    "business_anomaly",
    "exam_cheating",
    "honor_fraud",
    "drunk_driving",
    "dangerous_dog",
    "medical_disorder",
    "fare_evasion",
    "pyramid_selling",
    "benefit_fraud",
    "academic_misconduct",
    "commitment",
    "inspection",
    "evaluation",
    "litigation",
]


def sync(sf: Factory, profile: Profile = JILIN, now: Any = T0) -> dict[str, int]:
    with transaction(sf) as db:
        return service.sync(db_session=db, profile=profile, now=now, actor="operator")


def rows(sf: Factory, jurisdiction: str = "jilin", code: str | None = None) -> list[CatalogItemVersion]:
    query = select(CatalogItemVersion).where(CatalogItemVersion.jurisdiction == jurisdiction)
    if code:
        query = query.where(CatalogItemVersion.code == code)
    with transaction(sf) as db:
        return list(db.scalars(query.order_by(CatalogItemVersion.code, CatalogItemVersion.version)))


# --------------------------------------------------------------------------- sync


@pytest.mark.parametrize("profile_id", sorted(profiles.all_profiles()))
def test_sync_creates_version_one_for_every_profile_item(session_factory: Factory, profile_id: str) -> None:
    profile = profiles.get(profile_id)
    versions = sync(session_factory, profile)
    assert versions == dict.fromkeys(profile.catalog.items, 1)
    stored = rows(session_factory, profile_id)
    assert sorted(r.code for r in stored) == sorted(profile.catalog.items)
    for row in stored:
        assert (row.version, row.status, row.reason) == (1, "published", "initial catalog from profile")
        assert (row.effective_from, row.created_at, row.created_by) == (date(2026, 3, 2), T0, "operator")
        assert row.definition["class"] == profile.catalog.items[row.code].class_.value
        assert row.definition["cite"] == profile.catalog.items[row.code].cite


def test_resync_adds_nothing(session_factory: Factory) -> None:
    """Run in a new transaction, so the stored JSON is read back from the database."""
    sync(session_factory)
    assert sync(session_factory, now=T1) == dict.fromkeys(JILIN.catalog.items, 1)
    assert len(rows(session_factory)) == len(JILIN.catalog.items)


def test_definition_carries_the_legal_attributes(session_factory: Factory) -> None:
    """R-CAT-02: public and sharing scope, disclosure period, retention, with their articles."""
    sync(session_factory)
    [row] = rows(session_factory, code="admin_penalty")
    d = row.definition
    assert (d["name"], d["class"], d["layer"]) == ("行政处罚信息", "dishonest", "national")
    assert d["public"] == ["legal_person", "unincorporated_org"]
    assert d["government"] == ["legal_person", "unincorporated_org", "natural_person"]
    assert d["disclosure_period"] == "1 year from effective_on (吉林 第十九条第一款)"
    assert d["disclosure_period_severe"] == "3 year from effective_on (吉林 第十九条第一款)"
    assert d["needs"] == ["document"]
    assert d["uses_severity"] is True


def test_changed_profile_definition_appends_a_version(session_factory: Factory) -> None:
    sync(session_factory)

    def recite(data: dict[str, Any]) -> None:
        data["catalog"]["items"]["admin_penalty"]["cite"] = "吉林 第十三条第一项, 第十九条 (修正)"

    changed = amended(JILIN, recite)
    versions = sync(session_factory, changed, now=T1)
    assert versions["admin_penalty"] == 2
    assert {code: v for code, v in versions.items() if code != "admin_penalty"} == dict.fromkeys(
        set(JILIN.catalog.items) - {"admin_penalty"}, 1
    )
    v1, v2 = rows(session_factory, code="admin_penalty")
    assert v1.definition["cite"] == "吉林 第十三条第一项, 第十九条"  # never edited
    assert (v2.version, v2.reason, v2.effective_from) == (2, "profile file changed", date(2026, 6, 1))
    assert v2.definition["cite"] == v2.definition["legal_basis"] == "吉林 第十三条第一项, 第十九条 (修正)"
    assert sync(session_factory, changed, now=T1)["admin_penalty"] == 2  # and nothing more


def test_changed_disclosure_period_appends_a_version(session_factory: Factory) -> None:
    sync(session_factory)

    def amend(data: dict[str, Any]) -> None:
        data["disclosure"]["periods"]["penalty_general"]["values"].append(
            {"since": date(2027, 1, 1), "max": {"value": 2, "unit": "year"}}
        )

    assert sync(session_factory, amended(JILIN, amend), now=T1)["admin_penalty"] == 2
    assert rows(session_factory, code="admin_penalty")[-1].definition["disclosure_period"] == (
        "2 year from effective_on (吉林 第十九条第一款)"
    )


def test_item_removed_from_the_profile_is_withdrawn(session_factory: Factory) -> None:
    sync(session_factory)

    def drop(data: dict[str, Any]) -> None:
        del data["catalog"]["items"]["interview_record"]

    versions = sync(session_factory, amended(JILIN, drop), now=T1)
    assert "interview_record" not in versions
    v1, v2 = rows(session_factory, code="interview_record")
    assert (v1.status, v2.status, v2.version, v2.reason) == (
        "published",
        "withdrawn",
        2,
        "item removed from profile",
    )
    sync(session_factory, amended(JILIN, drop), now=T1)
    assert len(rows(session_factory, code="interview_record")) == 2


# --------------------------------------------------------------------------- update_item


def update(
    sf: Factory, code: str, changes: dict[str, Any], reason: str = "提供单位调整"
) -> CatalogItemVersion:
    with transaction(sf) as db:
        return service.update_item(
            db_session=db, profile=JILIN, now=T1, actor="operator", code=code, changes=changes, reason=reason
        )


def test_update_item_appends_a_version_with_its_reason(session_factory: Factory) -> None:
    sync(session_factory)
    changes = {"providers": ["吉林省市场监督管理厅"], "update_frequency": "实时"}
    new = update(session_factory, "admin_penalty", changes)
    assert (new.version, new.reason, new.created_by, new.effective_from) == (
        2,
        "提供单位调整",
        "operator",
        date(2026, 6, 1),
    )
    assert new.definition["providers"] == ["吉林省市场监督管理厅"]
    assert new.definition["update_frequency"] == "实时"
    assert new.definition["cite"] == JILIN.catalog.items["admin_penalty"].cite
    # the operator's change survives the next sync: nothing appended
    assert sync(session_factory, now=T1)["admin_penalty"] == 2
    assert [r.version for r in rows(session_factory, code="admin_penalty")] == [1, 2]


def test_profile_change_reaches_what_the_operator_did_not_override(session_factory: Factory) -> None:
    sync(session_factory)
    update(session_factory, "admin_penalty", {"note": "运营备注"})

    def renote(data: dict[str, Any]) -> None:
        for code in ("admin_penalty", "admin_license"):
            data["catalog"]["items"][code]["note"] = "条例修正后的说明"
            data["catalog"]["items"][code]["cite"] = data["catalog"]["items"][code]["cite"] + " (修正)"

    versions = sync(session_factory, amended(JILIN, renote), now=T1)
    assert (versions["admin_penalty"], versions["admin_license"]) == (3, 2)
    penalty_def = rows(session_factory, code="admin_penalty")[-1].definition
    license_def = rows(session_factory, code="admin_license")[-1].definition
    assert (penalty_def["note"], penalty_def["legal_basis"]) == (
        "运营备注",
        "吉林 第十三条第一项, 第十九条 (修正)",
    )
    assert (license_def["note"], license_def["legal_basis"]) == (
        "条例修正后的说明",
        "吉林 第十一条第一项 (行政许可) (修正)",
    )


def test_update_item_before_any_sync_syncs_first(session_factory: Factory) -> None:
    assert update(session_factory, "admin_license", {"note": "每日更新"}).version == 2


@pytest.mark.parametrize("attribute", ["class", "public", "disclosure_period", "cite"])
def test_update_item_refuses_legal_attributes(session_factory: Factory, attribute: str) -> None:
    sync(session_factory)
    with pytest.raises(XinyongError) as exc:
        update(session_factory, "admin_penalty", {attribute: "x"})
    assert (exc.value.code, exc.value.field) == ("invalid_catalog", attribute)
    assert len(rows(session_factory, code="admin_penalty")) == 1


def test_update_item_refuses_unknown_items_and_needs_a_reason(session_factory: Factory) -> None:
    with pytest.raises(XinyongError) as exc:
        update(session_factory, "drunk_driving", {"note": "x"})  # a Nanjing item, not Jilin's
    assert (exc.value.code, exc.value.field) == ("unknown_item", "code")
    with pytest.raises(XinyongError) as exc:
        update(session_factory, "admin_penalty", {"note": "x"}, reason="")
    assert (exc.value.code, exc.value.field) == ("missing_field", "reason")


# --------------------------------------------------------------------------- records keep their version


def test_records_keep_the_catalog_version_they_were_accepted_under(session_factory: Factory) -> None:
    def submit(profile: Profile, document: str) -> int:
        with transaction(session_factory) as db:
            record, _ = records_service.submit(
                db_session=db, profile=profile, now=T0, actor=provider(), values=penalty(document=document)
            )
            return record.id

    first = submit(JILIN, "长市监罚〔2026〕1号")

    def recite(data: dict[str, Any]) -> None:
        data["catalog"]["items"]["admin_penalty"]["cite"] = "吉林 第十三条第一项 (修正)"

    second = submit(amended(JILIN, recite), "长市监罚〔2026〕2号")
    with transaction(session_factory) as db:
        versions = dict(db.execute(select(Record.id, Record.catalog_version)).all())
    assert versions == {first: 1, second: 2}


# --------------------------------------------------------------------------- the standard item set


def test_standard_catalog_covers_the_scenario_vocabulary() -> None:
    assert set(VOCABULARY) <= set(standard_catalog().items)


@pytest.mark.parametrize("profile_id", sorted(profiles.all_profiles()))
def test_every_profile_item_is_a_standard_item(profile_id: str) -> None:
    standard = standard_catalog()
    for code in profiles.get(profile_id).catalog.items:
        assert code in standard.items, code
        assert standard.resolve(standard.items[code].name) == code


def test_names_and_aliases_resolve_to_one_item_each() -> None:
    standard = standard_catalog()
    for code, item in standard.items.items():
        for name in (code, item.name, *item.aliases):
            assert standard.resolve(name) == code, name
    assert standard.resolve("ＡＤＭＩＮ_ＰＥＮＡＬＴＹ") == "admin_penalty"  # full-width folded
    assert standard.resolve("行政 处罚") == "admin_penalty"
    assert standard.resolve("没有这个信息项") is None


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("decimal", "1,234.50", "1234.50"),
        ("decimal", 5000.1, "5000.1"),
        ("decimal", "1e3", "1000"),
        ("integer", "42", 42),
        ("bool", "是", True),
        ("bool", "否", False),
        ("date", "2026-03-02", "2026-03-02"),
        ("enum:made|kept|broken", "kept", "kept"),
        ("text", 12, "12"),
        ("decimal", "", None),
    ],
)
def test_coerce_field_stored_form(kind: str, value: Any, stored: Any) -> None:
    assert coerce_field(kind, value) == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("decimal", "五千"),
        ("decimal", "NaN"),
        ("decimal", "Infinity"),
        ("integer", "4.2"),
        ("integer", "４２"),
        ("integer", True),
        ("bool", "maybe"),
        ("date", "2026-02-30"),
        ("enum:made|kept|broken", "lost"),
    ],
)
def test_coerce_field_refuses(kind: str, value: Any) -> None:
    with pytest.raises(ValueError):
        coerce_field(kind, value)


def test_catalog_rows_per_jurisdiction_are_separate(session_factory: Factory) -> None:
    sync(session_factory)
    sync(session_factory, profiles.get("nanjing"))
    with transaction(session_factory) as db:
        per = dict(
            db.execute(
                select(CatalogItemVersion.jurisdiction, func.count()).group_by(
                    CatalogItemVersion.jurisdiction
                )
            ).all()
        )
    assert per == {"jilin": len(JILIN.catalog.items), "nanjing": len(profiles.get("nanjing").catalog.items)}
