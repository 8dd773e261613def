"""Validation in the pipeline's worker process gives exactly what validation in-process gives
(records/pipeline.py): the same submissions and the same per-row errors, and the same report and
stored rows from `submit_batch`, on a batch of good and bad rows. Good rows are kept whatever
happens to the bad ones, as without the worker.
"""

from __future__ import annotations

import itertools
import sys
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from factories import operator, wrong_check
from xinyong.core import db
from xinyong.core import profile as profiles
from xinyong.records import pipeline, service
from xinyong.records.ingest import RowError, SourceRow
from xinyong.records.models import Batch, Record
from xinyong.subjects.models import Subject

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

JIANGSU = profiles.get("jiangsu")
NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
ROWS = 5000  # more than two chunks, so one is checked ahead while another is stored


def mixed_rows(n: int = ROWS) -> list[SourceRow | RowError]:
    """Generated rows with bad ones among them: every problem a provider file has."""
    out: list[SourceRow | RowError] = []
    for number, values in enumerate(itertools.islice(generate(n, seed=7), n), start=1):
        values = dict(values)
        match number % 23:
            case 1:
                values["subject_id"] = wrong_check(values["subject_id"].replace(" ", "").upper())
            case 2:
                values["item"] = "no_such_item"
            case 3:
                del values["decided_on"]
            case 4:
                values["decided_on"] = "2024-02-30"
            case 5:
                values["data"] = {**values.get("data", {}), "宗教信仰": "某教"}  # prohibited
            case 6:
                values["severity"] = "very"
            case 7:
                values["subject_kind"] = "robot"
            case 8:
                out.append(
                    RowError(row=number, code="invalid_field", field="decided_on", detail="unreadable")
                )
                continue
            case 9:
                values["decided_on"] = date(2024, 5, 6)  # a date object, as read from a spreadsheet
            case 10:
                values["responsible"] = "nobody"
            case 11 if values["subject_kind"] == "legal_person":  # registered as another kind
                values["subject_kind"] = "unincorporated_org"
        out.append(SourceRow(row=number, values=values))
    twice = next(r for r in out if isinstance(r, SourceRow) and r.row > n // 2)
    out.append(SourceRow(row=n + 1, values=dict(twice.values)))  # the same record again
    return out


def _outcomes(rows: list[SourceRow | RowError], remote: bool) -> list[tuple[list[Any], list[Any]]]:
    chunks = (rows[i : i + service.CHUNK] for i in range(0, len(rows), service.CHUNK))
    return [
        (chunk, outcomes)
        for chunk, outcomes in pipeline.checked_chunks(
            chunks, actor=operator(), provider="某单位", profile=JIANGSU, remote=remote
        )
    ]


def test_worker_outcomes_are_the_in_process_outcomes() -> None:
    rows = mixed_rows()
    here = _outcomes(rows, remote=False)
    there = _outcomes(rows, remote=True)
    assert pipeline._Worker._current is not None and not pipeline._Worker._broken  # the worker answered
    assert there == here
    accepted = sum(1 for _, outcomes in here for o in outcomes if not isinstance(o, list))
    refused = sum(1 for _, outcomes in here for o in outcomes if isinstance(o, list))
    assert accepted > 2500 and refused > 1500
    codes = {e["code"] for _, outcomes in here for o in outcomes if isinstance(o, list) for e in o}
    assert {"invalid_identifier", "unknown_item", "missing_field", "invalid_date", "prohibited_data"} <= codes


@pytest.fixture
def reference_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as `db_url`."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


def _ingest(url: str, rows: list[SourceRow | RowError], pipelined: bool) -> tuple[Any, ...]:
    engine = db.make_engine(url)
    try:
        db.create_all(engine)
        with db.transaction(db.session_factory(engine)) as session:
            report = service.submit_batch(
                db_session=session,
                profile=JIANGSU,
                now=NOW,
                actor=operator(),
                rows=rows,
                name="mixed.jsonl",
                pipelined=pipelined,
            )
        with db.transaction(db.session_factory(engine)) as session:
            records = [
                (
                    r.id,
                    r.key,
                    r.item,
                    r.subject_id,
                    r.provider,
                    r.decided_on,
                    r.effective_on,
                    r.severity,
                    r.data,
                )
                for r in session.scalars(select(Record).order_by(Record.id))
            ]
            subjects = [
                (s.id, s.kind, s.id_type, s.identifier, s.name, s.birth_date)
                for s in session.scalars(select(Subject).order_by(Subject.id))
            ]
            batch = session.get(Batch, report.batch_id)
            assert batch is not None
            stored_batch = (batch.total, batch.accepted, batch.duplicates, batch.rejected, batch.errors)
        return report, records, subjects, stored_batch
    finally:
        engine.dispose()


def test_pipelined_batch_stores_what_the_in_process_batch_stores(db_url: str, reference_url: str) -> None:
    rows = mixed_rows()
    report, records, subjects, batch = _ingest(db_url, rows, pipelined=True)
    assert pipeline._Worker._current is not None and not pipeline._Worker._broken
    expected = _ingest(reference_url, rows, pipelined=False)
    assert (report, records, subjects, batch) == expected
    assert report.total == len(rows)
    assert report.accepted > 2500 and report.rejected > 1500 and report.duplicates >= 1  # good rows kept
    assert "subject_mismatch" in {e["code"] for e in report.errors}


def test_the_worker_is_off_unless_the_operator_turns_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pipeline.WORKER_SETTING, raising=False)
    assert not pipeline.worker_enabled()
    for value, on in (("1", True), ("on", True), ("TRUE", True), ("0", False), ("off", False), ("", False)):
        monkeypatch.setenv(pipeline.WORKER_SETTING, value)
        assert pipeline.worker_enabled() is on


def test_large_lists_are_pipelined_by_default_small_calls_are_not(engine: Any) -> None:
    """With the worker on, it is used from PIPELINE_MIN_ROWS rows; a small call never waits for it."""
    factory = db.session_factory(engine)
    few = mixed_rows(50)
    with db.transaction(factory) as session:
        small = service.submit_batch(
            db_session=session, profile=JIANGSU, now=NOW, actor=operator(), rows=few, name=None
        )
    busy = pipeline._Worker._current
    assert busy is None or not busy.busy
    assert small.total == len(few) and small.accepted + small.rejected + small.duplicates == len(few)
    assert pipeline.PIPELINE_MIN_ROWS <= ROWS


def test_rows_are_checked_here_when_the_worker_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline._Worker, "_current", None)
    monkeypatch.setattr(pipeline._Worker, "_broken", False)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    rows = mixed_rows(3000)
    assert _outcomes(rows, remote=True) == _outcomes(rows, remote=False)
    assert pipeline._Worker._broken  # not tried again by later batches


def test_rows_are_checked_here_when_the_worker_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline._Worker, "_current", None)
    monkeypatch.setattr(pipeline._Worker, "_broken", False)
    rows = mixed_rows(7000)  # four chunks: some are sent after the worker is gone
    expected = _outcomes(rows, remote=False)
    chunks = (rows[i : i + service.CHUNK] for i in range(0, len(rows), service.CHUNK))
    got = []
    for chunk, outcomes in pipeline.checked_chunks(
        chunks, actor=operator(), provider="某单位", profile=JIANGSU, remote=True
    ):
        got.append((chunk, outcomes))
        worker = pipeline._Worker._current
        assert worker is not None
        worker.stop()  # killed while the next chunk is being checked
    assert got == expected
    assert pipeline._Worker._broken
