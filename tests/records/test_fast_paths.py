"""The performance paths of the records service give exactly the answers of the plain ones
(docs/PERFORMANCE.md): `rules.assess` against `visible`/`window`/`status_name`, archive reads built
from plain rows against the ORM's own loading, bulk ingest ids against what was stored, and the
remembered identifier checks against fresh ones.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from factories import at, event, facts, government, license_, operator, penalty, provider, uscc, wrong_check
from xinyong.core import identifiers
from xinyong.core import profile as profiles
from xinyong.core.clock import local_date
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.records import rules, service, validation
from xinyong.records.models import Record, RecordEvent
from xinyong.records.rules import Channel, Viewer
from xinyong.subjects import service as subjects_service

JILIN = profiles.get("jilin")
PROFILES = [profiles.get(p) for p in ("jilin", "nanjing", "henan", "shenzhen", "jiangsu")]
ITEMS = ["admin_penalty", "admin_license", "registration", "dishonest_list", "no_such_item"]
KINDS = ["revoked", "withheld", "archived", "deleted", "objection", "objection.end", "suspended", "repaired"]
VIEWERS = [
    Viewer(Channel.public),
    Viewer(Channel.government, name="长春市发展和改革委员会"),
    Viewer(Channel.self, subject_id=10),
    Viewer(Channel.provider, name="长春市市场监督管理局"),
    Viewer(Channel.provider, name=None),
]
DAYS = st.dates(min_value=date(2018, 1, 1), max_value=date(2031, 12, 31))

Factory = sessionmaker[Session]


@st.composite
def record_facts(draw: st.DrawFn) -> rules.RecordFacts:
    decided = draw(DAYS)
    optional = st.none() | DAYS
    events = draw(st.lists(st.builds(event, st.sampled_from(KINDS), DAYS), max_size=3))
    return facts(
        item=draw(st.sampled_from(ITEMS)),
        subject_kind=draw(st.sampled_from(["legal_person", "natural_person", "unincorporated_org"])),
        decided_on=decided,
        submitted_on=decided + timedelta(days=draw(st.integers(0, 30))),
        effective_on=draw(optional),
        severity=draw(st.sampled_from([None, "general", "severe"])),
        valid_until=draw(optional),
        disclosure_until=draw(optional),
        events=tuple(events),
    )


@settings(max_examples=200, deadline=None)
@given(
    f=record_facts(),
    profile=st.sampled_from(PROFILES),
    viewer=st.sampled_from(VIEWERS),
    day=DAYS,
)
def test_assess_is_visible_window_and_status_name(
    f: rules.RecordFacts, profile: Any, viewer: Viewer, day: date
) -> None:
    now = at(day)
    seen = rules.assess(f, profile, viewer, now, day, owner_id=10)
    if not rules.visible(f, profile, viewer, now, day, owner_id=10):
        assert seen is None
        return
    assert seen == (rules.window(f, profile), rules.status_name(f, profile, now, day))


LIST_NAMES = sorted(
    {
        p.extends_while_listed
        for pr in PROFILES
        for p in pr.disclosure.periods.values()
        if p.extends_while_listed
    }
    | {"red"}
)
AUTHORIZATIONS = st.builds(
    rules.AuthorizationFacts,
    subject_id=st.sampled_from([10, 11]),
    grantee=st.just("某信用服务机构"),
    items=st.none() | st.just(("admin_penalty",)),
    valid_from=DAYS,
    valid_until=DAYS,
    revoked_at=st.none() | DAYS.map(at),
)


@st.composite
def listed_spans(draw: st.DrawFn) -> tuple[tuple[str, date, date | None], ...]:
    spans = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(DAYS)
        last = draw(st.none() | st.dates(min_value=first, max_value=date(2031, 12, 31)))
        spans.append((draw(st.sampled_from(LIST_NAMES)), first, last))
    return tuple(spans)


@settings(max_examples=200, deadline=None)
@given(
    records=st.lists(st.tuples(record_facts(), listed_spans()), min_size=1, max_size=6),
    profile=st.sampled_from(PROFILES),
    viewer=st.sampled_from([*VIEWERS, Viewer(Channel.authorized, name="某信用服务机构")]),
    authorization=st.none() | AUTHORIZATIONS,
    day=DAYS,
)
def test_one_assessor_answers_as_the_plain_rules_for_every_record_of_a_read(
    records: list[tuple[rules.RecordFacts, tuple[tuple[str, date, date | None], ...]]],
    profile: Any,
    viewer: Viewer,
    authorization: rules.AuthorizationFacts | None,
    day: date,
) -> None:
    """An archive read makes one Assessor and asks it of every record: list spans that extend a
    period (Nanjing 第五十六条, Henan 第十九条第三款), authorizations, events and withdrawn items included."""
    now = at(day)
    assess = rules.Assessor(profile, viewer, now, day, owner_id=10, authorization=authorization)
    for f, listed in records:
        f = dataclasses.replace(f, listed=listed)
        plain = rules.visible(f, profile, viewer, now, day, owner_id=10, authorization=authorization)
        expected = (rules.window(f, profile), rules.status_name(f, profile, now, day)) if plain else None
        assert assess(f) == expected


def test_a_viewer_naming_its_channel_by_value_sees_what_the_member_sees() -> None:
    """Viewer("public") as Viewer(Channel.public); an unknown channel sees nothing, as `visible` says."""
    f = facts()
    now = at(date(2026, 3, 2))
    for channel in Channel:
        by_value = rules.Assessor(JILIN, Viewer(channel.value), now, date(2026, 3, 2), owner_id=10)  # type: ignore[arg-type]
        by_member = rules.Assessor(JILIN, Viewer(channel), now, date(2026, 3, 2), owner_id=10)
        assert by_value(f) == by_member(f)
    nobody = Viewer("nobody")  # type: ignore[arg-type]
    assert rules.Assessor(JILIN, nobody, now, date(2026, 3, 2))(f) is None
    assert not rules.visible(f, JILIN, nobody, now, date(2026, 3, 2))


def test_fast_windows_are_windows() -> None:
    """Windows made without the dataclass's __init__ equal, hash and print as made by it."""
    made = rules._window(date(2026, 3, 2), date(2027, 3, 2), None, date(2026, 6, 2))
    plain = rules.Window(date(2026, 3, 2), date(2027, 3, 2), None, date(2026, 6, 2))
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    assert type(made) is rules.Window


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62, max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES)
def test_record_data_is_read_as_json_loads_reads_it(value: Any) -> None:
    """A shown record's data on SQLite goes through orjson unless that could differ from json.loads
    (integers beyond 64 bits, NaN, lone surrogates): the same values and the same types."""
    text = json.dumps(value)  # as SQLAlchemy's JSON type writes it
    assert repr(service._json_loads(text)) == repr(json.loads(text))


def _columns(obj: Any) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def test_archive_records_and_events_equal_the_orm_loaded_ones(session_factory: Factory) -> None:
    """Every column, with its Python type (aware instants, dates, JSON, booleans), as the ORM loads it."""
    rows = [
        penalty(document="长市监罚〔2026〕1号", data={"amount": 5000, "宗旨": "x"}),
        penalty(document="长市监罚〔2026〕2号", decided_on="2026-02-27", effective_on="2026-03-01"),
        license_(),
    ]
    with transaction(session_factory) as db:
        report = service.submit_batch(
            db_session=db, profile=JILIN, now=at(date(2026, 3, 2)), actor=provider(), rows=rows, name=None
        )
    first = report.record_ids[1]
    with transaction(session_factory) as db:
        service.revoke(
            db_session=db, profile=JILIN, now=at(date(2026, 3, 5)), actor=operator(), record_id=first,
            document="撤销决定", reason="复议撤销",
        )  # fmt: skip
    last = report.record_ids[3]  # two events on the last record: rows of one record stay together
    with transaction(session_factory) as db:
        for kind, day in (("objection", 6), ("objection.end", 8)):
            db.add(
                RecordEvent(
                    record_id=last, kind=kind, at=at(date(2026, 3, day)), actor="op", data={"case": 7}
                )
            )
    with transaction(session_factory) as db:
        subject = subjects_service.find(db_session=db, identifier=uscc(1))
        assert subject is not None
        view = service.read_archive(
            db_session=db, profile=JILIN, now=at(date(2026, 3, 10)), actor=operator(),
            subject=subject, channel=Channel.provider,
        )  # fmt: skip
        built = {v.record.id: (_columns(v.record), [_columns(e) for e in v.events]) for v in view.records}
    with transaction(session_factory) as db:
        loaded = {
            r.id: (_columns(r), [_columns(e) for e in service.events_of(db, [r.id])[r.id]])
            for r in db.scalars(select(Record).where(Record.subject_id == subject.id))
        }
    assert built == loaded and len(built) == 3
    record, events = built[first]
    assert isinstance(record["submitted_at"], datetime) and record["submitted_at"].tzinfo is not None
    assert record["data"] == {"amount": 5000, "宗旨": "x"} and record["consent"] is False
    assert [e["kind"] for e in events] == ["revoked"] and events[0]["at"].tzinfo is not None
    assert [e["kind"] for e in built[last][1]] == ["objection", "objection.end"]
    assert built[report.record_ids[2]][1] == []
    assert all(type(v.record) is Record and inspect(v.record).detached for v in view.records)
    assert all(type(e) is RecordEvent for v in view.records for e in v.events)


def test_archive_read_sees_what_the_session_has_not_flushed(session_factory: Factory) -> None:
    """As the ORM query did (autoflush): a pending event counts in the same transaction."""
    record_id = _submit(session_factory, penalty())
    with transaction(session_factory) as db:
        db.add(
            RecordEvent(record_id=record_id, kind="withheld", at=at(date(2026, 3, 3)), actor="op", data={})
        )
        subject = subjects_service.find(db_session=db, identifier=uscc(1))
        assert subject is not None
        view = service.read_archive(
            db_session=db, profile=JILIN, now=at(date(2026, 3, 4)), actor=government(),
            subject=subject, channel=Channel.public,
        )  # fmt: skip
        assert view.records == []


def _submit(sf: Factory, values: dict[str, Any]) -> int:
    with transaction(sf) as db:
        record, _ = service.submit(
            db_session=db, profile=JILIN, now=at(date(2026, 3, 2)), actor=provider(), values=values
        )
        return record.id


def test_bulk_ingest_ids_are_the_stored_rows(session_factory: Factory) -> None:
    """Ids are given before the executemany: each report id names the row submitted under it."""
    rows = [penalty(record_id=f"P{i}", subject_id=uscc(i % 7 + 1), document=f"罚{i}") for i in range(60)]
    rows.append(penalty(record_id="P3", subject_id=uscc(4), document="罚3"))  # a duplicate in the batch
    for _ in range(2):  # the second batch resubmits everything: same ids
        with transaction(session_factory) as db:
            report = service.submit_batch(
                db_session=db, profile=JILIN, now=at(date(2026, 3, 2)), actor=provider(), rows=rows, name=None
            )
        with transaction(session_factory) as db:
            stored = {r.id: r for r in db.scalars(select(Record))}
        assert len(stored) == 60 and report.record_ids[61] == report.record_ids[4]
        for row, record_id in report.record_ids.items():
            assert stored[record_id].key == rows[row - 1]["record_id"]
            assert stored[record_id].document == rows[row - 1]["document"]


def test_remembered_identifier_checks_answer_as_fresh_ones() -> None:
    """A refused identifier is refused again with the same detail; a valid one compacts the same."""
    bad = wrong_check(uscc(3))
    for _ in range(2):
        try:
            identifiers.validate(bad, "legal_person")
        except XinyongError as exc:
            fresh = exc.detail
        try:
            validation._validated(bad, "legal_person", None)
        except XinyongError as exc:
            assert (exc.code, exc.detail) == ("invalid_identifier", fresh)
        else:  # pragma: no cover - the assertion below names the failure
            raise AssertionError("a refused identifier was accepted from the cache")
        spaced = " ".join(uscc(3)[i : i + 4] for i in range(0, 18, 4))
        assert validation._validated(spaced, "legal_person", None) == identifiers.validate(
            spaced, "legal_person"
        )


def test_facts_from_rows_are_facts_of_the_loaded_record(session_factory: Factory) -> None:
    """Submitted at 16:30 UTC, 00:30 the next day in Shanghai: submitted_on is the local date."""
    late = at(date(2026, 3, 2), hour=0) + timedelta(hours=24, minutes=30)  # 03-03 00:30 local
    with transaction(session_factory) as db:
        service.submit(db_session=db, profile=JILIN, now=late, actor=provider(), values=penalty())
    with transaction(session_factory) as db:
        subject = subjects_service.find(db_session=db, identifier=uscc(1))
        assert subject is not None
        read = list(service._archive(db, subject.id, subject.kind, "jilin"))
        assert len(read) == 1
        got, make, events = read[0]
        record = make()
        plain = service.facts_of(record, subject.kind, events)
        assert got == plain and hash(got) == hash(plain) and repr(got) == repr(plain)
        assert got.submitted_on == date(2026, 3, 3) == local_date(record.submitted_at)


def test_sqlite_dates_are_stored_as_sqlalchemy_stores_them() -> None:
    """The bulk insert writes SQLite dates with date.isoformat: the text SQLAlchemy's DATE writes."""
    from sqlalchemy import Date
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    process = Date().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    for day in (date(1, 1, 1), date(999, 12, 31), date(2026, 3, 2), date(9999, 12, 31)):
        assert process(day) == day.isoformat()


def test_bulk_inserts_name_every_column() -> None:
    """A column added to the models must be added to the bulk inserts too (they bypass the ORM)."""
    from xinyong.subjects.models import Subject

    assert set(service._RECORD_INSERT) == {c.name for c in Record.__table__.columns}
    assert set(service._SUBJECT_INSERT) == {c.name for c in Subject.__table__.columns}
