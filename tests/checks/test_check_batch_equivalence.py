"""The batch check answers every subject exactly as the single check does, on SQLite and PostgreSQL.

A mixed population made through the real services: severe- and key-attention-listed organizations
(the key-attention basis exempt, Nanjing 第三十七条第二款; converted, 第三十七条第四款), listings resting on
revoked records, natural persons shown their organizations' listings (Henan 第三十五条, Nanjing 第四十三条,
Shenzhen 第五十二条第二款), an enterprise under a reorganization plan (Shenzhen 第七十一条), subjects whose
records are alike in every column the rules read (they share one verdict in the batch), subjects with
good records only or none, and unknown, full-width and repeated identifiers. Small chunks make the batch
cross chunk and commit boundaries. For every subject, matter and instant the batch line and the query
log entry must equal what `check` returns and logs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import xinyong.measures.models  # noqa: F401  registers the table before `engine` creates the schema
from checks.test_check_listings import BUILD, INSTANTS
from lists.helpers import World, at, profile, subject_actor
from xinyong.audit import service as audit
from xinyong.audit.models import AuditEntry
from xinyong.checks import service
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.rights.marks import service as marks_service
from xinyong.subjects.models import Subject
from xinyong.users import service as users_service

UNIT = "某市财政局"
MATTERS = ("government_procurement", "fiscal_subsidy", "honors", "administrative_license")


def _actor() -> Actor:
    return Actor(username="u:batch", role=Role.government, organization=UNIT)


def _alike(w: World, day: str) -> list[int]:
    """Records alike in every column the rules read, on different subjects; good records; none."""
    a = w.subject(at(day))
    b = w.subject(at(day))
    c = w.subject(at(day), kind="natural_person", name="钱某")
    for sid in (a, b):
        w.record(at(day), sid, decided_on="2025-06-30")
        w.record(at(day), sid, decided_on="2025-06-30", severity="general")
    w.record(at(day), c, decided_on="2025-06-30", severity="general")
    good = w.subject(at(day))
    w.record(at(day), good, item="commendation", decided_on="2025-06-30")
    return [a, b, c, good, w.subject(at(day))]


def _reorganized(w: World) -> list[int]:
    """Shenzhen 第六十九条, 第七十一条: pre-plan records carry a `reorganization` event."""
    sid = w.subject(at("2026-03-02"))
    w.record(at("2026-03-02"), sid, decided_on="2026-03-02")
    with transaction(w.factory) as db:
        marks_service.reorganize(
            db_session=db,
            profile=w.profile,
            now=at("2026-06-15"),
            actor=subject_actor(sid),
            subject=db.get(Subject, sid),
            document="(2026)粤03破12号之一",
            plan_on=date(2026, 6, 10),
        )
    w.record(at("2026-06-20"), sid, decided_on="2026-06-12")
    return [sid]


EXTRA: dict[str, Callable[[World], list[int]]] = {
    "henan": lambda w: _alike(w, "2026-04-01"),
    "nanjing": lambda w: _alike(w, "2026-03-20"),
    "shenzhen": lambda w: [*_alike(w, "2026-04-01"), *_reorganized(w)],
}
LATER = {"henan": [], "nanjing": [], "shenzhen": ["2026-07-01"]}


def _logged(db: Session, purpose: str, after: int) -> list[tuple[str | None, list[str]]]:
    rows = db.execute(
        select(AuditEntry.subject_id, AuditEntry.record_ids)
        .where(AuditEntry.purpose == purpose, AuditEntry.seq > after)
        .order_by(AuditEntry.seq)
    )
    return [(s, list(r)) for s, r in rows]


def _last_seq(db: Session) -> int:
    return db.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).first() or 0


@pytest.mark.parametrize("pid", sorted(BUILD))
def test_batch_lines_equal_single_checks(
    session_factory: sessionmaker[Session], pid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK", 4)  # chunks share the record verdicts; several commits
    monkeypatch.setattr(service, "COMMIT_EVERY", 8)
    w = World(session_factory, profile(pid))
    ids = BUILD[pid](w) + EXTRA[pid](w)
    with transaction(w.factory) as db:
        users_service.get_or_create_org(db_session=db, now=at("2026-03-01"), name=UNIT)
        identifiers = {sid: db.get(Subject, sid).identifier for sid in ids}  # type: ignore[union-attr]
    unknown, odd = "91110000MA01ABCD1X", "ｎｏ　ｉｄ"
    wanted: list[str | int] = [identifiers[s] for s in ids] + [unknown, odd, ids[0], identifiers[ids[1]]]
    compared = 0
    for day in INSTANTS[pid] + LATER[pid]:
        now = at(day)
        for matter in MATTERS:
            purpose = f"check:{matter}"
            with transaction(w.factory) as db:
                start = _last_seq(db)
                lines = list(
                    service.check_batch(
                        db_session=db,
                        profile=w.profile,
                        now=now,
                        actor=_actor(),
                        subjects=wanted,
                        matter=matter,
                        on_chunk=db.commit,
                    )
                )
            with transaction(w.factory) as db:
                batch_log = _logged(db, purpose, start)
                start = _last_seq(db)
            assert [line["n"] for line in lines] == list(range(1, len(wanted) + 1))
            single_log: dict[str | None, list[str]] = {}
            for line, subject in zip(lines, wanted, strict=True):
                if subject in (unknown, odd):
                    with transaction(w.factory) as db, pytest.raises(XinyongError) as err:
                        service.check(
                            db_session=db,
                            profile=w.profile,
                            now=now,
                            actor=_actor(),
                            subject=subject,
                            matter=matter,
                        )
                    assert line["error"] == err.value.as_dict() and err.value.code == "unknown_subject"
                    continue
                with transaction(w.factory) as db:
                    one = service.check(
                        db_session=db,
                        profile=w.profile,
                        now=now,
                        actor=_actor(),
                        subject=subject,
                        matter=matter,
                    )
                    ((logged_subject, record_ids),) = _logged(db, purpose, start)
                    start = _last_seq(db)
                where = (pid, day, matter, subject)
                assert line["subject"] == one.subject.identifier == logged_subject, where
                assert (line["restricted"], line["incentive"]) == (one.restricted, one.incentive), where
                assert line["measures"] == service._line_measures(one.outcome), where
                assert (line["check_id"] is None) == (not one.outcome.measures), where
                single_log[logged_subject] = record_ids
                compared += 1
            # every subject checked is logged with the records the single check logs
            assert {s for s, _ in batch_log} == set(single_log), (pid, day, matter)
            assert all(single_log[s] == r for s, r in batch_log), (pid, day, matter)
            assert len(batch_log) >= len(single_log)
    assert compared == len(INSTANTS[pid] + LATER[pid]) * len(MATTERS) * (len(wanted) - 2)
    with transaction(w.factory) as db:
        assert audit.verify_chain(db_session=db, chain=pid).ok
