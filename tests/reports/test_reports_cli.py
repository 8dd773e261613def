"""`xinyong report`, `xinyong reports verify|list` and `xinyong notices`, `xinyong queue` on a SQLite file.

The commands are mounted here the way the lead mounts them in xinyong/cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from factories import person_penalty, provider
from xinyong.core import profile as profiles
from xinyong.core.clock import system_clock
from xinyong.core.db import create_all, make_engine, session_factory, transaction
from xinyong.notices import service as notices
from xinyong.notices.cli import app as notices_app
from xinyong.queues.cli import queue_command
from xinyong.records import service as records_service
from xinyong.reports.cli import app as reports_app
from xinyong.reports.cli import report_command

cli = typer.Typer()
cli.command("report")(report_command)
cli.command("queue")(queue_command)
cli.add_typer(reports_app, name="reports")
cli.add_typer(notices_app, name="notices")
runner = CliRunner()
PERSON = person_penalty(provider="南京市市场监督管理局")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    engine = make_engine(url)
    create_all(engine)  # the CLI stamps a schema it finds; the migration for these tables comes later
    now = system_clock()
    with transaction(session_factory(engine)) as db:
        for jurisdiction in ("nanjing", "jiangsu"):
            record, _ = records_service.submit(
                db_session=db,
                profile=profiles.get(jurisdiction),
                now=now,
                actor=provider("南京市市场监督管理局"),
                values=PERSON,
            )
        records_service.revoke(
            db_session=db,
            profile=profiles.get("jiangsu"),
            now=now,
            actor=provider("南京市市场监督管理局"),
            record_id=record.id,
        )
        notices.enqueue(
            db_session=db,
            now=now,
            jurisdiction="jiangsu",
            recipient="南京市发展和改革委员会",
            recipient_kind="sharing_unit",
            kind="record.revoked",
            subject_id=record.subject_id,
            case_ref=f"REV-{record.id}",
            content={"zh": "该信息已撤销", "en": "the record was revoked"},
            due=None,
        )
    engine.dispose()
    return url


def test_report_json_html_then_verify_and_list(database: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", PERSON["subject_id"], "-j", "nanjing", "--html", str(page)])
    assert result.exit_code == 0, result.output
    content = json.loads(result.stdout)
    number = content["number"]
    assert number.startswith("NANJING-") and len(content["records"]) == 1
    assert content["subject"]["identifier"] == PERSON["subject_id"]
    assert number in page.read_text(encoding="utf-8")
    verified = runner.invoke(cli, ["reports", "verify", number])
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.stdout
    altered = runner.invoke(cli, ["reports", "verify", number, "--hash", "0" * 64])
    assert altered.exit_code == 1 and "DOES NOT MATCH" in altered.stdout
    unknown = runner.invoke(cli, ["reports", "verify", "NANJING-2026-999999-00"])
    assert unknown.exit_code == 2
    listed = runner.invoke(cli, ["reports", "list", PERSON["subject_id"], "-j", "nanjing"])
    assert listed.exit_code == 0 and number in listed.stdout


def test_report_of_an_unknown_subject_fails_with_its_code(database: str) -> None:
    result = runner.invoke(cli, ["report", "91320102MA1XY81239", "-j", "nanjing"])
    assert result.exit_code == 2
    assert "unknown_subject" in result.output


def test_queue_lists_the_open_revocation(database: str) -> None:
    result = runner.invoke(cli, ["queue", "-j", "jiangsu", "--unit", "platform", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    (case,) = body["units"]["platform"]
    assert (case["kind"], case["stage"], case["subject"]) == (
        "revocation",
        "platform_action",
        PERSON["subject_id"],
    )
    table = runner.invoke(cli, ["queue"])
    assert table.exit_code == 0 and "1 open case(s), 0 overdue" in table.stdout
    bad = runner.invoke(cli, ["queue", "-j", "atlantis"])
    assert bad.exit_code == 2 and "unknown_profile" in bad.output


def test_notices_list_send_and_list_again(database: str, tmp_path: Path) -> None:
    """The Nanjing submission tells the person (南京 第五十七条第一款); then the revocation notice."""
    listed = runner.invoke(cli, ["notices", "list", "--pending"])
    assert listed.exit_code == 0, listed.output
    assert "2 notice(s)" in listed.stdout
    lines = runner.invoke(cli, ["notices", "list", "--pending", "--json"]).stdout.splitlines()
    pending = [json.loads(line) for line in lines]
    assert [(p["kind"], p["recipient"], p["sent_at"], p["attempts"]) for p in pending] == [
        ("record.submitted", PERSON["subject_id"], None, 0),
        ("record.revoked", "南京市发展和改革委员会", None, 0),
    ]
    sent = runner.invoke(cli, ["notices", "send", "--transport", "file", "--outbox", str(tmp_path / "box")])
    assert sent.exit_code == 0, sent.output
    assert "sent 2, failed 0 (file)" in sent.stdout
    (outbox,) = (tmp_path / "box").iterdir()
    kinds = [json.loads(line)["kind"] for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert kinds == ["record.submitted", "record.revoked"]
    assert "0 notice(s)" in runner.invoke(cli, ["notices", "list", "--pending"]).stdout
    assert "2 notice(s)" in runner.invoke(cli, ["notices", "list"]).stdout  # kept after sending
    assert runner.invoke(cli, ["notices", "send", "--transport", "pigeon"]).exit_code == 2
