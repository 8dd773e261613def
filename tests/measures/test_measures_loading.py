"""Loading local supplementary lists into the database: versions, effective dates, validation."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

import xinyong.checks.models
import xinyong.measures.models  # noqa: F401  registers the tables before `engine` creates them
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.measures import loader

OPERATOR = Actor(username="op", role=Role.operator, organization="公共信用信息工作机构")
NOW = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)

LOCAL = """
[list]
id = "nj-local"
profile = "nanjing"
title = "南京市社会信用联合奖惩清单（补充）"
layer = "local"
version = "{version}"
effective_from = {effective}
published_by = "南京市社会信用行政主管部门"
cite = "南京 第三十三条"

[measures.NJL-01]
name = "{name}"
kind = "sanction"
layer = "local"
matters = ["inspection"]
targets = {{ standings = ["general_dishonest"], subject_kinds = ["legal_person"] }}
means = "提高抽查比例"
implementing_units = ["南京市市场监督管理局"]
cite = "南京 第三十九条第一项"
relates_to = {{ grounds = "any", items = ["admin_penalty"] }}
"""


def _load(factory: sessionmaker[Session], pid: str, text: str) -> int:
    with transaction(factory) as db:
        return loader.load(
            db_session=db, profile=profiles.get(pid), now=NOW, actor=OPERATOR, text=text, source="t.toml"
        ).id


def test_local_list_in_force_from_its_effective_date_newest_version_wins(
    session_factory: sessionmaker[Session],
) -> None:
    """Nanjing 第三十三条: the list is published and adjusted; each version holds from its date."""
    _load(session_factory, "nanjing", LOCAL.format(version="1", effective="2026-04-01", name="v1"))
    _load(session_factory, "nanjing", LOCAL.format(version="2", effective="2026-06-01", name="v2"))
    p = profiles.get("nanjing")
    with transaction(session_factory) as db:
        before = loader.measure_set(db_session=db, profile=p, day=date(2026, 3, 31))
        first = loader.measure_set(db_session=db, profile=p, day=date(2026, 4, 1))
        second = loader.measure_set(db_session=db, profile=p, day=date(2026, 6, 1))
    assert "NJL-01" not in before.measures
    assert first.measures["NJL-01"].measure.name == "v1" and first.measures["NJL-01"].version == "1"
    assert second.measures["NJL-01"].measure.name == "v2" and second.measures["NJL-01"].version == "2"
    assert "NJ39-01" in second.measures  # the base list stays


def test_same_version_twice_refused(session_factory: sessionmaker[Session]) -> None:
    text = LOCAL.format(version="1", effective="2026-04-01", name="v1")
    _load(session_factory, "nanjing", text)
    with pytest.raises(XinyongError) as err:
        _load(session_factory, "nanjing", text)
    assert err.value.code == "not_eligible"


def test_code_clash_with_base_refused(session_factory: sessionmaker[Session]) -> None:
    text = LOCAL.format(version="1", effective="2026-04-01", name="x").replace("NJL-01", "NJ39-01")
    with pytest.raises(XinyongError) as err:
        _load(session_factory, "nanjing", text)
    assert err.value.code == "invalid_file" and "NJ39-01" in (err.value.detail or "")


def test_jiangsu_46_local_sanction_stays_within_the_nine_ranges(
    session_factory: sessionmaker[Session],
) -> None:
    """Jiangsu 第四十六条: a local sanction names its range; a matter outside that range is refused."""
    text = (
        LOCAL.format(version="1", effective="2026-04-01", name="x")
        .replace("nanjing", "jiangsu")
        .replace("nj-local", "js-local")
        .replace("南京 第三十九条第一项", "南京市地方性法规")
        .replace('standings = ["general_dishonest"]', 'standings = ["dishonest"]')
    )
    with pytest.raises(XinyongError) as err:
        _load(session_factory, "jiangsu", text)
    assert err.value.cite == "江苏 第四十六条" and err.value.field == "measures.NJL-01.within"
    outside = text.replace("relates_to = { grounds", 'within = "JS46-03"\nrelates_to = { grounds')
    with pytest.raises(XinyongError) as err:
        _load(session_factory, "jiangsu", outside)  # JS46-03 is fiscal_subsidy, the entry says inspection
    assert err.value.field == "measures.NJL-01.matters"
    inside = outside.replace('within = "JS46-03"', 'within = "JS46-02"')
    _load(session_factory, "jiangsu", inside)


def test_only_operators_load(session_factory: sessionmaker[Session]) -> None:
    unit = Actor(username="u", role=Role.government, organization="南京市发展和改革委员会")
    with transaction(session_factory) as db, pytest.raises(XinyongError) as err:
        loader.load(
            db_session=db,
            profile=profiles.get("nanjing"),
            now=NOW,
            actor=unit,
            text=LOCAL.format(version="1", effective="2026-04-01", name="x"),
            source="t",
        )
    assert err.value.code == "not_allowed"
