"""Scenario observation `check` {subject, matter} → {restricted, incentive} (SCENARIOS.md), and the
project extension action `feedback` (自动反馈, Nanjing 第三十四条).

`check` runs the real automatic check at the step's time, as a unit would: stored and written to the
query log. `restricted` / `incentive`: whether any sanction / incentive measure applies for the
matter. Extension field `unit` names the checking unit (default: 公共信用信息工作机构's scenario unit).

`feedback` {subject, matter, measure, applied, reason, unit}: the unit's answer on one measure of the
latest `check` of that subject and matter in this file; `expect: {rejected: reason_required}` where a
measure is not applied without a written reason.
"""

from __future__ import annotations

from typing import Any

from xinyong.checks import service as checks_service
from xinyong.core.actor import Actor, Role
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.scenario import steps
from xinyong.users import service as users_service

UNIT = "联合奖惩实施单位（场景）"

steps.extension_fields("check", {"unit"})
steps.extension(
    "feedback",
    fields={"subject", "matter", "measure", "applied", "reason", "unit"},
    required={"subject", "matter", "measure", "applied"},
    uses={"subject": {"subject"}},
)


def _unit_actor(run: Any, db: Any, unit: str | None) -> tuple[Actor, str]:
    name = str(unit or UNIT)
    users_service.get_or_create_org(db_session=db, now=run.now, name=name)
    return Actor(username=f"unit:{name}", role=Role.government, organization=name), name


@steps.observation("check")
def observe_check(run: Any, n: int, args: dict[str, Any], expect: dict[str, Any]) -> None:
    with transaction(run.factory) as db:
        subject = run._subject(db, args["subject"])
        actor, unit = _unit_actor(run, db, args.get("unit"))
        result = checks_service.check(
            db_session=db,
            profile=run.profile,
            now=run.now,
            actor=actor,
            subject=subject.id,
            matter=str(args["matter"]),
            unit=unit,
        )
        run.handles[f"check:{args['subject']}:{args['matter']}"] = result.check_id
        seen = {"restricted": result.restricted, "incentive": result.incentive}
        codes = [f"{a.code} ({a.measure.measure.cite})" for a in result.outcome.measures]
        guarded = [f"{g.code}: {g.guard} [{g.cite}]" for g in result.outcome.guarded]
    for key in ("restricted", "incentive"):
        if key in expect and expect[key] != seen[key]:
            run.fail(
                n,
                f"check {args['subject']} for {args['matter']}: expected {key}={expect[key]}, saw {seen[key]}"
                f" (measures: {codes or 'none'}; stopped by guards: {guarded or 'none'})",
            )


@steps.action("feedback")
def do_feedback(run: Any, n: int, args: dict[str, Any], db: Any) -> None:
    check_id = run.handles.get(f"check:{args['subject']}:{args['matter']}")
    if check_id is None:
        raise XinyongError("unknown_check", detail=f"no check of {args['subject']} for {args['matter']} yet")
    actor, _ = _unit_actor(run, db, args.get("unit"))
    checks_service.feedback(
        db_session=db,
        profile=run.profile,
        now=run.now,
        actor=actor,
        check_id=check_id,
        measure=str(args["measure"]),
        applied=bool(args["applied"]),
        reason=args.get("reason"),
    )
