"""`xinyong commitments ...` against a SQLite file (the CLI's own engine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.commitments import models  # noqa: F401  the tables
from xinyong.commitments.cli import app
from xinyong.core.db import create_all, make_engine


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # built from the models (the commitment tables have no migration yet: asked of the lead)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    create_all(engine)
    engine.dispose()
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)


def test_operator_adds_matter_jilin_51_then_lists_and_withdraws(db: None) -> None:
    """Jilin 第五十一条第一款: matters published by the reform departments enter the list."""
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "add-matter",
            "-j",
            "jilin",
            "--code",
            "food_license",
            "--name",
            "食品经营许可",
            "--basis",
            "吉政数〔2026〕3号",
            "--kind",
            "notification",
        ],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["matters", "-j", "jilin", "--json"])
    assert [(m["code"], m["source"]) for m in json.loads(listed.output)] == [
        ("administrative_license", "profile"),
        ("food_license", "operator"),
    ]
    assert runner.invoke(app, ["withdraw-matter", "-j", "jilin", "--code", "food_license"]).exit_code == 0
    assert [
        m["code"] for m in json.loads(runner.invoke(app, ["matters", "-j", "jilin", "--json"]).output)
    ] == ["administrative_license"]


def test_eligibility_unknown_subject_exits_2(db: None) -> None:
    result = CliRunner().invoke(
        app,
        [
            "eligibility",
            "-j",
            "nanjing",
            "--subject",
            "91320102MA1XY81239",
            "--matter",
            "administrative_license",
        ],
    )
    assert result.exit_code == 2
