"""The periodic check of the query log (查询检查, R-SEC-03): look-ups per querier and day, flagged.

Shenzhen 第四十三条第四项、第五项 (check the queries, review those of agencies and financial
institutions periodically) and Nanjing 第五十二条第二项 (查询流量异常管控). The thresholds are the
operator's; the profile says only whether the text requires the review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from xinyong.audit import review, service
from xinyong.audit.cli import app
from xinyong.core import profile as profiles
from xinyong.core.clock import SHANGHAI
from xinyong.core.db import create_all, make_engine, session_factory, transaction

LIMITS = review.Limits(queries_per_day=2, subjects_per_day=2)


def row(
    hour: int, unit: str = "某某银行", subject: str = "S1", day: int = 2, channel: str = "authorized"
) -> review.QueryRow:
    return review.QueryRow(
        at=datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI).astimezone(UTC),
        actor=f"user:{unit}",
        unit=unit,
        channel=channel,
        subject=subject,
    )


def test_volume_breadth_and_off_hours_are_flagged_per_unit_channel_and_local_day() -> None:
    rows = [
        row(9, subject="S1"),
        row(10, subject="S2"),
        row(11, subject="S3"),
        row(23, unit="某某信用服务有限公司"),
    ]
    rows.append(row(9, unit="某某信用服务有限公司", day=3))
    lines = review.summarize(rows, LIMITS, SHANGHAI)
    assert [(q.unit, q.day, q.queries, len(q.subjects), q.off_hours, q.flags) for q in lines] == [
        ("某某信用服务有限公司", date(2026, 3, 2), 1, 1, 1, ["off_hours"]),  # 23:00 local
        ("某某银行", date(2026, 3, 2), 3, 3, 0, ["volume", "breadth"]),
        ("某某信用服务有限公司", date(2026, 3, 3), 1, 1, 0, []),
    ]


def test_at_the_thresholds_nothing_is_flagged() -> None:
    rows = [row(9, subject="S1"), row(21, subject="S2")]  # 21:00 is inside working hours
    (line,) = review.summarize(rows, LIMITS, SHANGHAI)
    assert (line.queries, len(line.subjects), line.flags) == (2, 2, [])
    (early,) = review.summarize([row(6)], LIMITS, SHANGHAI)
    assert early.flags == ["off_hours"]  # before 07:00


def test_the_profiles_say_which_texts_require_the_review() -> None:
    found = {
        p: profiles.get(p).query_log.review for p in ("jiangsu", "shenzhen", "nanjing", "jilin", "henan")
    }
    assert {p: r.cite if r else None for p, r in found.items()} == {
        "jiangsu": None,
        "shenzhen": "深圳 第四十三条第二项、第四项、第五项",
        "nanjing": "南京 第五十二条第二项",
        "jilin": None,
        "henan": None,
    }


def log(sf: sessionmaker[Session], at: datetime, *, unit: str, channel: str, subject: str) -> None:
    with transaction(sf) as db:
        service.log_query(
            db_session=db,
            now=at,
            chain="shenzhen",
            actor=f"user:{unit}",
            actor_org=unit,
            channel=channel,
            purpose="核查",
            authorization_id=None,
            subject_id=subject,
            record_ids=["1"],
        )


def bank_morning(sf: sessionmaker[Session]) -> None:
    """甲银行 looks up three subjects through authorized queries on the morning of 2026-03-02."""
    for i in range(3):
        log(
            sf,
            datetime(2026, 3, 2, 10, i, tzinfo=SHANGHAI),
            unit="甲银行",
            channel="authorized",
            subject=f"S{i}",
        )


def test_review_reads_the_period_by_local_days_and_skips_public_reads(
    session_factory: sessionmaker[Session],
) -> None:
    sf = session_factory
    log(sf, datetime(2026, 3, 1, 23, 59, tzinfo=SHANGHAI), unit="甲银行", channel="authorized", subject="S0")
    bank_morning(sf)
    log(
        sf,
        datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI),
        unit="深圳市住房和建设局",
        channel="government",
        subject="S9",
    )
    log(sf, datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI), unit="public", channel="public", subject="S9")
    log(sf, datetime(2026, 3, 3, 0, 0, tzinfo=SHANGHAI), unit="甲银行", channel="authorized", subject="S1")
    with transaction(sf) as db:
        lines = review.review(
            db_session=db,
            chain="shenzhen",
            zone=SHANGHAI,
            since=datetime(2026, 3, 2, tzinfo=SHANGHAI),
            until=datetime(2026, 3, 3, tzinfo=SHANGHAI),
            limits=LIMITS,
        )
        assert [(q.unit, q.channel, q.day, q.queries, q.flags) for q in lines] == [
            ("深圳市住房和建设局", "government", date(2026, 3, 2), 1, ["off_hours"]),
            ("甲银行", "authorized", date(2026, 3, 2), 3, ["volume", "breadth"]),
        ]
        agencies = review.review(
            db_session=db,
            chain="shenzhen",
            zone=SHANGHAI,
            since=datetime(2026, 3, 2, tzinfo=SHANGHAI),
            until=datetime(2026, 3, 3, tzinfo=SHANGHAI),
            limits=LIMITS,
            channels=["authorized"],
        )
        assert [q.unit for q in agencies] == ["甲银行"]


@pytest.fixture
def cli_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", sqlite_url)
    engine = make_engine(sqlite_url)
    create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def test_cli_review_prints_the_flagged_lines(cli_db: Engine) -> None:
    sf = session_factory(cli_db)
    bank_morning(sf)
    runner = CliRunner(env={"COLUMNS": "200"})
    args = ["review", "--chain", "shenzhen", "--since", "2026-03-02", "--until", "2026-03-02"]
    result = runner.invoke(app, [*args, "--max-queries", "2", "--json"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert (line["unit"], line["queries"], line["subjects"], line["flags"]) == ("甲银行", 3, 3, ["volume"])
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "第四十三条第二项、第四项、第五项" in table.stdout and "0 flagged" in table.stdout
