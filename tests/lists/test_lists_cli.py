"""`xinyong listings list/show` read the database named by XINYONG_DATABASE_URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.core import db as core_db
from xinyong.lists.cli import app

from .helpers import World, at, profile


def test_list_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    engine = core_db.make_engine(url)
    core_db.create_all(engine)
    w = World(core_db.session_factory(engine), profile("nanjing"))
    c = w.subject(at("2026-03-20"))
    r = w.record(at("2026-03-20"), c, decided_on="2026-03-18", severity="general")
    lid = w.listed(at("2026-03-31"), c, [r], list_name="key_attention", ground="minor_first")
    engine.dispose()
    runner = CliRunner()
    out = runner.invoke(app, ["list", "-j", "nanjing", "--json", "--at", "2026-07-01T09:00:00+08:00"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [(x["ref"], x["state"], x["valid_until"]) for x in rows] == [
        (f"LST-{lid}", "expired", "2026-06-30")
    ]
    shown = runner.invoke(app, ["show", str(lid), "-j", "nanjing", "--at", "2026-04-01T09:00:00+08:00"])
    assert shown.exit_code == 0, shown.output
    assert "listed" in shown.output and "decided" in shown.output
    missing = runner.invoke(app, ["show", "999", "-j", "nanjing"])
    assert missing.exit_code == 2
