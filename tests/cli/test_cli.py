"""The `xinyong` command end to end on a real SQLite file: demo data, ingest, catalog, users."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.lists.models import Listing
from xinyong.records.models import Batch, Record
from xinyong.subjects.models import Subject

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    return url


def test_demo_loads_all_five_profiles_and_prints_logins(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = runner.invoke(app, ["demo", "--no-serve", "--database", str(db)])
    assert result.exit_code == 0, result.output
    assert "operator" in result.output and "xy_" in result.output
    engine = make_engine(f"sqlite:///{db}")
    with transaction(session_factory(engine)) as session:
        per_profile = dict(
            session.execute(select(Record.jurisdiction, func.count()).group_by(Record.jurisdiction)).all()
        )
        subjects = session.scalar(select(func.count()).select_from(Subject))
        listed = set(
            session.execute(
                select(Listing.jurisdiction, Listing.list_name).where(Listing.state == "listed")
            ).all()
        )
    engine.dispose()
    assert set(per_profile) == {"jiangsu", "shenzhen", "nanjing", "jilin", "henan"}
    assert all(n == 120 for n in per_profile.values())  # every generated demo row is valid
    assert subjects >= 250
    # every profile's severe list has listed organizations to look at, decided through its stages
    assert {j for j, lst in listed if lst == "severe"} == {"jiangsu", "shenzhen", "nanjing", "jilin", "henan"}
    again = runner.invoke(app, ["demo", "--no-serve", "--database", str(db)])
    assert again.exit_code == 0  # a second start keeps the data and issues new tokens


def _penalty_csv(path: Path, encoding: str) -> None:
    header = [
        "行政相对人名称",
        "行政相对人类别",
        "统一社会信用代码",
        "法定代表人",
        "行政处罚决定书文号",
        "违法行为类型",
        "处罚类别",
        "罚款金额（万元）",
        "处罚决定日期",
        "处罚机关",
    ]
    rows = [
        [
            "长春某某科技有限公司",
            "法人及非法人组织",
            "91220101MA14XK7Q0T",
            "李四",
            "长市监罚〔2026〕12号",
            "虚假宣传",
            "罚款",
            "0.5",
            "2026-03-02",
            "长春市市场监督管理局",
        ],
        [
            "长春某某贸易有限公司",
            "法人及非法人组织",
            "91220101MA14XK7Q0A",
            "王五",
            "长市监罚〔2026〕13号",
            "虚假宣传",
            "罚款",
            "1",
            "2026-03-03",
            "长春市市场监督管理局",
        ],
        [
            "长春某某食品有限公司",
            "法人及非法人组织",
            "91220101MA14XK7Q0T",
            "李四",
            "长市监罚〔2026〕14号",
            "销售过期食品",
            "罚款",
            "2",
            "2026/3/4",
            "长春市市场监督管理局",
        ],
    ]
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def test_ingest_a_gbk_shuanggongshi_file_keeps_good_rows_and_reports_the_bad_one(
    tmp_path: Path, database: str
) -> None:
    """Row 3 has a bad check character: rows 2 and 4 are stored, row 3 is reported with field and code."""
    file = tmp_path / "penalties.csv"
    _penalty_csv(file, "gbk")
    report = tmp_path / "report.json"
    result = runner.invoke(
        app, ["ingest", str(file), "-j", "jilin", "-p", "长春市市场监督管理局", "--report", str(report)]
    )
    assert result.exit_code == 1, result.output  # some rows were rejected
    assert "accepted 2" in result.output and "rejected 1" in result.output
    errors = json.loads(report.read_text(encoding="utf-8"))
    assert [(e["row"], e["field"], e["code"]) for e in errors] == [(3, "subject_id", "invalid_identifier")]
    engine = make_engine(database)
    with transaction(session_factory(engine)) as session:
        docs = sorted(session.scalars(select(Record.document)))
        batch = session.scalars(select(Batch)).one()
    engine.dispose()
    assert docs == ["长市监罚〔2026〕12号", "长市监罚〔2026〕14号"]
    assert (batch.total, batch.accepted, batch.rejected, batch.name) == (3, 2, 1, "penalties.csv")
    # resubmitting the same file stores nothing twice
    again = runner.invoke(app, ["ingest", str(file), "-j", "jilin", "-p", "长春市市场监督管理局"])
    assert "resubmitted 2" in again.output and "accepted 0" in again.output


def test_ingest_refuses_an_unknown_profile_with_a_clear_error(tmp_path: Path, database: str) -> None:
    file = tmp_path / "p.csv"
    _penalty_csv(file, "utf-8")
    result = runner.invoke(app, ["ingest", str(file), "-j", "atlantis", "-p", "x"])
    assert result.exit_code == 2
    assert "unknown_profile" in result.output


def test_catalog_list_and_history(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from xinyong.catalog import cli as catalog_cli

    monkeypatch.setattr(catalog_cli.console, "width", 300)
    result = runner.invoke(app, ["catalog", "list", "jilin"])
    assert result.exit_code == 0, result.output
    assert "admin_penalty" in result.output and "吉林 第十三条" in result.output
    history = runner.invoke(app, ["catalog", "history", "jilin", "admin_penalty"])
    assert "initial catalog from profile" in history.output


def test_users_create_prints_a_token(database: str) -> None:
    result = runner.invoke(app, ["users", "create", "op1", "operator"])
    assert result.exit_code == 0, result.output
    assert "token: xy_" in result.output
    missing_unit = runner.invoke(app, ["users", "create", "prov1", "provider"])
    assert missing_unit.exit_code == 1
    assert "missing_field" in missing_unit.output
