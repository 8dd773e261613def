"""Scenario actions `repair` and `decide_repair`, and the status and deadlines of repair refs.

`repair` is filed by the subject named in `by` (default: the record's subject). `decide_repair` is
decided by the deciding unit, the record's provider; where the profile has the platform re-review
an approval (Jilin 第三十八条: 复审), the platform passes it in the same step, so `approved` in a
file means finally approved, as the contract reads it. Deadline stages: `decision`, `feedback`,
`re_review`, `mark`; without a stage, what the case waits for now.

`repair` with `listing` (a listing ref) is the listed subject's application to be repaired off the
list; the deciding unit is the listing's determining body, and an approval removes the listing
(its `status` reads `removed`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.lists import service as lists_service
from xinyong.records.models import Record
from xinyong.rights.repair import service
from xinyong.rights.repair.rules import RepairState
from xinyong.scenario.steps import action, deadline_resolver, status_resolver


def _refs(run: Any) -> set[str]:
    """The refs this file defined with `repair` (run.handles is shared by every feature)."""
    refs: set[str] = run.__dict__.setdefault("_repair_refs", set())
    return refs


def _case_id(run: Any, ref: Any) -> int:
    case_id = run.handles.get(str(ref))
    if case_id is None:
        raise XinyongError("unknown_case", detail=f"{ref} was refused when filed", field="repair")
    return int(case_id)


@action("repair")
def do_repair(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    ref = str(args["ref"])
    _refs(run).add(ref)
    run.handles[ref] = None
    if args.get("listing") is not None:
        _repair_listing(run, ref, args, db)
        return
    record_id = run._record(args["record"])
    if args.get("by") is not None:
        actor = run._subject_actor(run._subject(db, args["by"]), args["by"])
    else:  # the record's own subject
        record = db.get(Record, record_id)
        assert record is not None
        actor = Actor(
            username=f"subject:{record.subject_id}", role=Role.subject, subject_id=record.subject_id
        )
    case = service.apply(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=actor,
        record_id=record_id,
        measures=[str(m) for m in args.get("measures") or []],
    )
    run.handles[ref] = case.id


def _repair_listing(run: Any, ref: str, args: dict[str, Any], db: Session) -> None:
    listing_id = run.handles.get(str(args["listing"]))
    if listing_id is None:
        raise XinyongError("unknown_listing", field="listing", detail=f"{args['listing']} was refused")
    if args.get("by") is not None:
        actor = run._subject_actor(run._subject(db, args["by"]), args["by"])
    else:  # the listed subject
        listing = lists_service.get_or_raise(db_session=db, listing_id=int(listing_id))
        actor = Actor(
            username=f"subject:{listing.subject_id}", role=Role.subject, subject_id=listing.subject_id
        )
    case = service.apply(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=actor,
        record_id=None,
        listing_id=int(listing_id),
        measures=[str(m) for m in args.get("measures") or []],
    )
    run.handles[ref] = case.id


@action("decide_repair")
def do_decide_repair(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    case = service.get_or_raise(
        db_session=db, case_id=_case_id(run, args["repair"]), jurisdiction=run.profile.id
    )
    outcome = str(args.get("outcome") or "")
    case = service.decide(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=run._provider_actor(case.handling_unit),
        case_id=case.id,
        outcome=outcome,
    )
    if case.state == RepairState.under_review.value:
        service.review(
            db_session=db,
            profile=run.profile,
            now=run.now,
            actor=run.operator,
            case_id=case.id,
            outcome="passed",
        )


@status_resolver
def repair_status(run: Any, ref: str) -> str | None:
    if ref not in _refs(run):
        return None
    if run.handles.get(ref) is None:
        return "refused"
    with transaction(run.factory) as db:
        return service.get_or_raise(db_session=db, case_id=_case_id(run, ref)).state


@deadline_resolver
def repair_deadline(run: Any, ref: str, stage: str | None) -> tuple[date, bool] | None:
    if ref not in _refs(run):
        return None
    with transaction(run.factory) as db:
        case = service.get_or_raise(db_session=db, case_id=_case_id(run, ref))
        v = service.view(db_session=db, profile=run.profile, now=run.now, case=case)
    found = v.waiting if stage is None else next((s for s in v.stages if s.name == stage), None)
    if found is None or found.due is None:
        names = ", ".join(s.name for s in v.stages) or "none"
        raise XinyongError(
            "wrong_stage", detail=f"{ref} has no due date for {stage or 'now'} (stages: {names})"
        )
    return found.due, found.provisional
