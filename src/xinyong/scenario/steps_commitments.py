"""Project extension steps for credit commitments (信用承诺), and the status of commitment refs.

- `commit` {ref, subject, matter, unit, kind, content, public, due, area}: the accepting unit records
  a commitment. `content` is the promise's text, or a map {text, breach_consequences,
  accepts_constraints}. A route commitment (告知承诺, 容缺受理) is refused `not_eligible` where the
  subject or the matter does not qualify; missing required content is `missing_field`.
- `verify_commitment` {commitment, outcome: kept|broken, serious, finding, document, ref}: the unit
  records the verification; the record the outcome becomes (if the profile makes one) is named by
  the optional `ref`, so `see` and `status` can name it.
- `commitment_route` {subject, matter, kind} → true / false: whether the subject may use the
  commitment route (`kind`, default notification: 告知承诺) for the matter.
- `status` of a commitment ref: open / kept / broken.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.commitments import rules, service
from xinyong.commitments.models import Commitment
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.scenario import steps

steps.extension(
    "commit",
    fields={"ref", "subject", "matter", "unit", "kind", "content", "public", "due", "area"},
    required={"ref", "subject", "matter", "unit", "kind", "content"},
    defines="commitment",
    uses={"subject": {"subject"}},
)
steps.extension(
    "verify_commitment",
    fields={"ref", "commitment", "outcome", "serious", "finding", "document"},
    required={"commitment", "outcome"},
    defines="record",
    uses={"commitment": {"commitment"}},
)
steps.extension(
    "commitment_route",
    fields={"subject", "matter", "kind"},
    required={"subject", "matter"},
    uses={"subject": {"subject"}},
    expect=(lambda e: isinstance(e, bool), "true or false"),
)


def _refs(run: Any) -> set[str]:
    """The refs this file defined with `commit` (run.handles is shared by every feature)."""
    refs: set[str] = run.__dict__.setdefault("_commitment_refs", set())
    return refs


def _unit(name: str) -> Actor:
    return Actor(username=name, role=Role.provider, organization=name)


def _content(args: dict[str, Any]) -> rules.Content:
    raw = args.get("content")
    due = args.get("due")
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due)
        except ValueError:
            raise XinyongError("invalid_date", field="due", detail=repr(due)) from None
    if isinstance(raw, dict):
        unknown = set(raw) - {"text", "breach_consequences", "accepts_constraints"}
        if unknown:
            raise XinyongError("invalid_field", field="content", detail=f"unknown key(s) {sorted(unknown)}")
        return rules.Content(
            text=raw.get("text"),
            breach_consequences=raw.get("breach_consequences"),
            accepts_constraints=bool(raw.get("accepts_constraints")),
            due=due,
        )
    return rules.Content(text=None if raw is None else str(raw), due=due)


@steps.action("commit")
def do_commit(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    ref = str(args["ref"])
    _refs(run).add(ref)
    run.handles[ref] = None
    subject = run._subject(db, args["subject"])
    unit = str(args["unit"])
    commitment = service.make(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=_unit(unit),
        subject_id=subject.id,
        kind=str(args["kind"]),
        matter=str(args["matter"]),
        unit=unit,
        content=_content(args),
        public=bool(args.get("public") or False),
        area=args.get("area"),
    )
    run.handles[ref] = commitment.id


@steps.action("verify_commitment")
def do_verify(run: Any, n: int, args: dict[str, Any], db: Session) -> None:
    if args.get("ref") is not None:
        run.records[str(args["ref"])] = None
    commitment_id = run.handles.get(str(args["commitment"]))
    if commitment_id is None:
        raise XinyongError("unknown_commitment", detail=f"{args['commitment']} was refused when made")
    found = service.get_or_raise(db_session=db, commitment_id=commitment_id, jurisdiction=run.profile.id)
    commitment = service.verify(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=_unit(found.unit),
        commitment_id=commitment_id,
        outcome=str(args["outcome"]),
        serious=bool(args.get("serious") or False),
        finding=args.get("finding"),
        document=args.get("document"),
    )
    if args.get("ref") is not None:
        run.records[str(args["ref"])] = commitment.outcome_record_id


@steps.observation("commitment_route")
def observe_route(run: Any, n: int, args: dict[str, Any], expect: bool) -> None:
    kind = str(args.get("kind") or "notification")
    with transaction(run.factory) as db:
        subject = run._subject(db, args["subject"])
        verdict = service.eligibility(
            db_session=db,
            profile=run.profile,
            now=run.now,
            subject_id=subject.id,
            matter=str(args["matter"]),
            kind=kind,
        )
    if verdict.eligible != expect:
        why = "; ".join(f"{r.code} [{r.cite}]" for r in verdict.reasons) or "no reason against it"
        run.fail(
            n,
            f"commitment_route {args['subject']} {args['matter']} ({kind}): expected {str(expect).lower()}, "
            f"saw {str(verdict.eligible).lower()} ({why})",
        )


@steps.status_resolver
def commitment_status(run: Any, ref: str) -> str | None:
    if ref not in _refs(run):
        return None
    commitment_id = run.handles.get(ref)
    if commitment_id is None:
        return "refused"
    with transaction(run.factory) as db:
        commitment = db.get(Commitment, commitment_id)
        assert commitment is not None
        return commitment.state
