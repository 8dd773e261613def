"""Scenario steps for objections (异议): object, forward, extend, pause, resume, resolve, review;
`status` and `deadline` of objection refs.

Who acts: `object` and `review` — the subject named by `by` (the record's subject when `by` is
left out); `forward`, `extend`, `pause`, `resume` — the platform (an operator); `resolve` — the
record's provider with `by: provider`, else the platform (without `by`: whoever has the case).

Deadline stages are the profile's objection stage names (rules.py): `mark`, `compare`,
`own_decision`, `forward`, `provider_reply`, `provider_direct`, `total`, `inform_acceptance`,
`inform_applicant`, `review`, `notify_sharing_units`, `notify_sharing_units_on_correction`, and
`window` (the last day to file). Without `stage`: what the case waits for now.

Project extensions the step reads when the runner lets them through: `object.evidence` (a list, or
one text: the supporting materials Henan 第四十一条 requires) and `resolve.changes` / `resolve.reason`;
declared here: `object.ground` (异议事由 from the profile's list), `object.filed_with` (`platform`,
`provider` or `agency`) with `object.received_by` (the agency's name), and the action `extend_window`
(`ref`, `record`, `by`, `ground`: force_majeure / other_legitimate, `reason`, `known_on`, `until`): the
filer asks to file after the window and the department approves it through `until` (Shenzhen
第三十八条); without `until` the request is made and left undecided.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.records.models import Record
from xinyong.rights.objections import service
from xinyong.rights.objections.models import ObjectionCase
from xinyong.scenario.steps import action, deadline_resolver, extension, extension_fields, status_resolver
from xinyong.subjects.models import Subject

REFS = "_objection_refs"  # the run's objection refs, so resolvers answer only for their own

extension_fields("object", {"ground", "filed_with", "received_by"})
extension(
    "extend_window",
    fields={"ref", "record", "by", "ground", "reason", "known_on", "until"},
    required={"ref", "record", "ground"},
    defines="window_extension",
    uses={"record": {"record"}, "by": {"subject"}},
)


def _refs(run: Any) -> set[str]:
    refs = getattr(run, REFS, None)
    if refs is None:
        refs = set()
        setattr(run, REFS, refs)
    return refs


def _case(run: Any, ref: Any) -> int:
    case_id = run.handles.get(str(ref))
    if case_id is None:
        raise XinyongError("unknown_case", field="objection", detail=f"{ref} was refused when filed")
    return case_id


def _day(value: Any, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise XinyongError("invalid_date", field=field, detail=str(value)) from None


def _evidence(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


@action("object")
def do_object(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    ref = str(args["ref"])
    _refs(run).add(ref)
    run.handles[ref] = None
    target = "evaluation" if "evaluation" in args else "record"
    record_id = run._record(args[target])
    if args.get("by") is not None:
        by_ref = args["by"]
        filer = run._subject(db, by_ref)
    else:
        record = db.get(Record, record_id)
        assert record is not None
        filer = db.get(Subject, record.subject_id)
        by_ref = "record-subject"
    case = service.file_objection(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run._subject_actor(filer, by_ref),
        record_id=record_id,
        reason=str(args.get("reason") or "异议"),
        target=target,
        known_on=_day(args.get("known_on"), "known_on"),
        evidence=_evidence(args.get("evidence")),
        ground=str(args["ground"]) if args.get("ground") is not None else None,
        filed_with=str(args.get("filed_with") or service.PLATFORM),
        received_by=str(args["received_by"]) if args.get("received_by") is not None else None,
    )
    run.handles[ref] = case.id


@action("extend_window")
def do_extend_window(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    ref = str(args["ref"])
    run.handles[ref] = None
    record_id = run._record(args["record"])
    if args.get("by") is not None:
        filer = run._subject(db, args["by"])
        by_ref = args["by"]
    else:
        record = db.get(Record, record_id)
        assert record is not None
        filer = db.get(Subject, record.subject_id)
        by_ref = "record-subject"
    ext = service.request_window_extension(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run._subject_actor(filer, by_ref),
        record_id=record_id,
        ground=str(args["ground"]),
        reason=str(args.get("reason") or "不可抗力"),
        known_on=_day(args.get("known_on"), "known_on"),
    )
    until = _day(args.get("until"), "until")
    if until is not None:
        service.decide_window_extension(
            db_session=db,
            profile=run.profile,
            now=run.now,
            actor=run.operator,
            request_id=ext.id,
            approve=True,
            until=until,
            reason="经核实批准",
        )
    run.handles[ref] = ext.id


@action("forward")
def do_forward(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    service.forward(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        case_id=_case(run, args["objection"]),
    )


@action("extend")
def do_extend(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    days = args.get("working_days")
    if isinstance(days, bool) or not isinstance(days, int):
        raise XinyongError("invalid_field", field="working_days", detail=f"a whole number, got {days!r}")
    service.extend(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        case_id=_case(run, args["objection"]),
        working_days=days,
    )


@action("pause")
def do_pause(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    service.pause(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        case_id=_case(run, args["objection"]),
    )


@action("resume")
def do_resume(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    service.resume(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run.operator,
        case_id=_case(run, args["objection"]),
    )


@action("resolve")
def do_resolve(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    case_id = _case(run, args["objection"])
    case = db.get(ObjectionCase, case_id)
    record = db.get(Record, case.record_id) if case is not None else None
    by = args.get("by")
    actor: Actor = run.operator
    if record is not None and (by == service.PROVIDER or (by is None and case.state == "forwarded")):
        actor = Actor(username=record.provider, role=Role.provider, organization=record.provider)
    service.resolve(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=actor,
        case_id=case_id,
        outcome=str(args.get("outcome")),
        by=by,
        reason=args.get("reason"),
        changes=args.get("changes"),
    )


@action("review")
def do_review(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    case_id = _case(run, args["objection"])
    case = db.get(ObjectionCase, case_id)
    assert case is not None
    actor = Actor(username=f"subject:{case.filer_id}", role=Role.subject, subject_id=case.filer_id)
    service.request_review(db_session=db, profile=run.profile, now=run.now, actor=actor, case_id=case_id)


@status_resolver
def objection_status(run: Any, ref: str) -> str | None:
    if ref not in _refs(run):
        return None
    case_id = run.handles.get(ref)
    if case_id is None:
        return "refused"
    with transaction(run.factory) as db:
        case = service.get_or_raise(db_session=db, case_id=case_id)
        return case.state


@deadline_resolver
def objection_deadline(run: Any, ref: str, stage: str | None) -> tuple[date, bool] | None:
    if ref not in _refs(run):
        return None
    case_id = _case(run, ref)
    with transaction(run.factory) as db:
        case = service.get_or_raise(db_session=db, case_id=case_id)
        due, _name = service.deadline(db_session=db, profile=run.profile, now=run.now, case=case, stage=stage)
    return due.due, due.provisional
