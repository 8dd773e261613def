"""Scenario actions `statement`, `withhold`, `archive`, `contest`, `contest_end` and `reorganize`.

Each is asked by the subject named in `by` (default: the record's subject); `reorganize` by the
subject it names (its administrator acts in its name). The effects show through `see` (marks,
visibility) and `status` (a record's state).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.actor import Actor, Role
from xinyong.records.models import Record
from xinyong.rights.marks import service
from xinyong.scenario.steps import action


def _asker(run: Any, args: dict[str, Any], db: Session, record_id: int) -> Actor:
    if args.get("by") is not None:
        return run._subject_actor(run._subject(db, args["by"]), args["by"])  # type: ignore[no-any-return]
    record = db.get(Record, record_id)
    assert record is not None
    return Actor(username=f"subject:{record.subject_id}", role=Role.subject, subject_id=record.subject_id)


def _on_record(args: dict[str, Any], run: Any, db: Session) -> tuple[int, Actor]:
    record_id = run._record(args["record"])
    return record_id, _asker(run, args, db, record_id)


@action("statement")
def do_statement(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    record_id, actor = _on_record(args, run, db)
    service.statement(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=actor,
        record_id=record_id,
        text=str(args.get("text") or ""),
    )


@action("withhold")
def do_withhold(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    record_id, actor = _on_record(args, run, db)
    service.withhold(db_session=db, profile=run.profile, now=run.now, actor=actor, record_id=record_id)


@action("archive")
def do_archive(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    record_id, actor = _on_record(args, run, db)
    service.archive(db_session=db, profile=run.profile, now=run.now, actor=actor, record_id=record_id)


@action("contest")
def do_contest(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    record_id, actor = _on_record(args, run, db)
    service.contest(db_session=db, profile=run.profile, now=run.now, actor=actor, record_id=record_id)


@action("contest_end")
def do_contest_end(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    record_id, actor = _on_record(args, run, db)
    service.contest_end(db_session=db, profile=run.profile, now=run.now, actor=actor, record_id=record_id)


@action("reorganize")
def do_reorganize(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    subject = run._subject(db, args["subject"])
    service.reorganize(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run._subject_actor(subject, args["subject"]),
        subject=subject,
        document=str(args["document"]) if args.get("document") else None,
    )
