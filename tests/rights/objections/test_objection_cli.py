"""`xinyong objections list|show` on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.core.db import create_all, make_engine, session_factory
from xinyong.rights.objections import service
from xinyong.rights.objections.cli import app

from .builders import World, at, operator, profile

runner = CliRunner()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    engine = make_engine(url)
    create_all(engine)
    return World(session_factory(engine), profile("shenzhen"))


def test_list_open_cases_overdue_first(world: World) -> None:
    w = world
    c1 = w.subject(at("2026-11-02"))
    late = w.file(at("2026-11-02"), w.record(at("2026-11-02"), c1), c1)
    fwd = w.file(at("2026-11-05"), w.record(at("2026-11-02"), c1), c1)
    w.do(service.forward, at("2026-11-05"), actor=operator(), case_id=fwd)
    closed = w.file(at("2026-11-05"), w.record(at("2026-11-02"), c1), c1)
    w.do(service.resolve, at("2026-11-05"), actor=operator(), case_id=closed, outcome="upheld")

    result = runner.invoke(app, ["list", "-j", "shenzhen", "--json", "--at", "2026-11-06T09:00:00+08:00"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["ref"], r["stage"], r["due"], r["overdue"]) for r in rows] == [
        (f"OBJ-{late}", "compare", "2026-11-04", True),
        (f"OBJ-{fwd}", "provider_reply", "2026-11-19", False),
    ]
    assert rows[1]["handling_unit"] == w.provider_name

    result = runner.invoke(
        app, ["list", "-j", "shenzhen", "--overdue", "--json", "--at", "2026-11-06T09:00:00+08:00"]
    )
    assert [r["ref"] for r in json.loads(result.output)] == [f"OBJ-{late}"]

    result = runner.invoke(app, ["list", "-j", "shenzhen", "--at", "2026-11-06T09:00:00+08:00"])
    assert result.exit_code == 0 and "2 open case(s)" in result.output and f"OBJ-{late}" in result.output

    result = runner.invoke(
        app, ["show", str(fwd), "-j", "shenzhen", "--at", "2026-11-06T09:00:00+08:00"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert (
        "provider_reply" in result.output and "2026-11-19" in result.output and "forwarded" in result.output
    )


def test_unknown_profile_and_case(world: World) -> None:
    assert runner.invoke(app, ["list", "-j", "atlantis"]).exit_code == 2
    assert runner.invoke(app, ["show", "99", "-j", "shenzhen"]).exit_code == 2
    assert runner.invoke(app, ["list", "-j", "shenzhen", "--at", "yesterday"]).exit_code == 2
