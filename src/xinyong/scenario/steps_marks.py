"""Scenario actions `statement`, `withhold`, `archive`, `contest`, `contest_end` and `reorganize`.

Each is asked by the subject named in `by` (default: the record's subject); `reorganize` by the
subject it names (its administrator acts in its name). The effects show through `see` (marks,
visibility) and `status` (a record's state).

Project extensions: `court_notice: {subject, document, records?}` — the platform carries out the
court's 协助执行通知书 during plan execution (Shenzhen 第七十二条): the subject leaves the lists a court's
notice removes from, and the named records (default: the removed listings' basis) are deleted;
`reorganize.plan_on` (the day the court approved the plan; default: the day it is
presented) and the observation `adverse_use: {subject, matter}` with expect `{excluded: [record refs],
used: [record refs]}` — which of the subject's records the automatic check may not use against it for
that matter (Shenzhen 第七十一条: pre-plan information, by the day it was decided, whenever submitted).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.records.models import Record
from xinyong.rights.marks import service
from xinyong.scenario.steps import action, extension, extension_fields, observation


def _expect_shape(e: Any) -> bool:
    return (
        isinstance(e, dict)
        and bool(e)
        and set(e) <= {"excluded", "used"}
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in e.values())
    )


extension_fields("reorganize", {"plan_on"})
extension(
    "court_notice",
    fields={"subject", "document", "records"},
    required={"subject", "document"},
    uses={"subject": {"subject"}, "records": {"record"}},
)
extension(
    "adverse_use",
    fields={"subject", "matter"},
    required={"subject", "matter"},
    uses={"subject": {"subject"}},
    expect=(_expect_shape, "{excluded: [record refs], used: [record refs]}"),
)


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
        plan_on=_day(args.get("plan_on")),
    )


@action("court_notice")
def do_court_notice(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    subject = run._subject(db, args["subject"])
    records = args.get("records")
    service.court_notice(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        subject=subject,
        document=str(args["document"]) if args.get("document") else None,
        record_ids=None if records is None else [run._record(r) for r in records],
    )


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise XinyongError("invalid_date", field="plan_on", detail=str(value)) from None


@observation("adverse_use")
def observe_adverse_use(run: Any, n: int, args: dict[str, Any], expect: dict[str, Any]) -> None:
    with transaction(run.factory) as db:
        subject = run._subject(db, args["subject"])
        excluded = service.excluded_records(
            db_session=db, profile=run.profile, now=run.now, subject_id=subject.id, matter=str(args["matter"])
        )
    for ref in expect.get("excluded") or []:
        if run.records.get(str(ref)) not in excluded:
            run.fail(n, f"adverse_use {args['matter']}: expected {ref} excluded, it may be used")
    for ref in expect.get("used") or []:
        rid = run.records.get(str(ref))
        if rid is None or rid in excluded:
            run.fail(n, f"adverse_use {args['matter']}: expected {ref} usable, it is excluded")
