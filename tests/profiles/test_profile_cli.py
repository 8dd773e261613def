"""`xinyong profile list | show | check`, run through Typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.core import profile as profiles
from xinyong.core.profile_cli import app

PROFILE_DIR = Path(profiles.PACKAGED_DIR)
BROKEN = Path(__file__).resolve().parent / "broken"
WIDE = {"COLUMNS": "400"}  # one value per line, no wrapping inside a citation

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    profiles._registry.cache_clear()
    yield
    profiles._registry.cache_clear()


def test_list_names_every_profile_with_its_status() -> None:
    result = runner.invoke(app, ["list"], env=WIDE)
    assert result.exit_code == 0, result.output
    for pid, status in [
        ("jiangsu", "in_force"),
        ("shenzhen", "draft"),
        ("nanjing", "in_force"),
        ("jilin", "draft"),
        ("henan", "in_force"),
    ]:
        line = next(line for line in result.output.splitlines() if f" {pid} " in line)
        assert status in line
    assert "2020-07-01" in result.output  # Nanjing 第七十六条


def test_show_prints_each_value_beside_its_article() -> None:
    result = runner.invoke(app, ["show", "shenzhen"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.output
    for section in (
        "meta",
        "subjects",
        "disclosure",
        "catalog",
        "intake",
        "authorization",
        "query_log",
        "revocation",
    ):
        assert any(line.startswith(section) for line in out.splitlines()), section
    assert "深圳经济特区社会信用条例（草案）" in out
    assert "max: 5 year" in out and "min: provider_set" in out  # 第三十一条
    assert "〔深圳 第三十一条第一款第二项, 第三十一条第二款〕" in out
    assert "platform_action: 3 working_day" in out and "〔深圳 第三十六条〕" in out
    assert "retention: 5 year" in out and "〔深圳 第三十条〕" in out
    # an item line with its class and citation, and its applied scope below it
    assert "evaluation (other)  〔深圳 第五十条〕" in out
    assert (
        "public: —; government: legal_person, unincorporated_org, natural_person; authorized: —; "
        "period: while_valid" in out
    )


def test_show_resolves_class_defaults_for_items() -> None:
    """Nanjing 第五十六条: an item without its own period shows the class's general/severe periods."""
    result = runner.invoke(app, ["show", "nanjing"], env=WIDE)
    assert result.exit_code == 0, result.output
    line = next(i for i, text in enumerate(result.output.splitlines()) if "drunk_driving (dishonest)" in text)
    below = result.output.splitlines()[line + 1]
    assert "period: general=dishonest_general, severe=dishonest_severe" in below
    assert "public: legal_person, unincorporated_org;" in below


def test_show_json_is_the_whole_profile() -> None:
    result = runner.invoke(app, ["show", "jilin", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["meta"]["id"] == "jilin"
    period = data["disclosure"]["periods"]["penalty_general"]
    assert period["values"][0]["max"] == {"value": 1, "unit": "year"}  # Jilin 第十九条
    assert period["cite"] == "吉林 第十九条第一款"
    assert data["catalog"]["items"]["interview_record"]["class"] == "dishonest"  # alias, not class_
    assert data == profiles.get("jilin").model_dump(mode="json", by_alias=True)


def test_show_an_unknown_profile_fails_with_its_code() -> None:
    result = runner.invoke(app, ["show", "atlantis"])
    assert result.exit_code == 1
    assert "unknown_profile" in result.output
    assert "'atlantis'; known: henan, jiangsu, jilin, nanjing, shenzhen" in result.output


def test_check_a_good_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(PROFILE_DIR / "henan.toml")], env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")
    assert "henan — 河南省社会信用条例" in result.output


@pytest.mark.parametrize(
    ("stem", "words"),
    [
        ("unknown_key", "meta.colour: unknown key"),
        ("since_out_of_order", "`since` dates must be strictly increasing"),
        ("duplicate_key", "Cannot overwrite a value (at line 14, column 15)"),
    ],
)
def test_check_a_broken_file_prints_the_error_and_exits_1(tmp_path: Path, stem: str, words: str) -> None:
    path = tmp_path / f"{stem}.toml"
    shutil.copy(BROKEN / f"{stem}.toml", path)
    result = runner.invoke(app, ["check", str(path)], env=WIDE)
    assert result.exit_code == 1
    assert "invalid_profile" in result.output
    assert str(path) in result.output
    assert words in result.output
    assert "OK" not in result.output


def test_check_refuses_a_file_named_after_another_id(tmp_path: Path) -> None:
    path = tmp_path / "anhui.toml"
    shutil.copy(PROFILE_DIR / "henan.toml", path)
    result = runner.invoke(app, ["check", str(path)], env=WIDE)
    assert result.exit_code == 1
    assert "meta.id 'henan' must equal the file name" in result.output


def test_list_includes_an_operator_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (PROFILE_DIR / "jilin.toml").read_text(encoding="utf-8").replace('id = "jilin"', 'id = "sixth"')
    (tmp_path / "sixth.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("XINYONG_PROFILE_DIR", str(tmp_path))
    result = runner.invoke(app, ["list"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert " sixth " in result.output
