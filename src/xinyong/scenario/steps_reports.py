"""Scenario observation `report` {subject, as} → {free: BOOL, queried_by: [grantee names]} (SCENARIOS.md).

The subject's own report is issued through the real service at the step's time, so each `report`
step counts against the yearly free quota exactly as a report issued through the API would.
`queried_by` lists names that must appear among the report's queriers (an authorized querier is
named by its grantee); like `visible`, it does not say that nobody else queried.
"""

from __future__ import annotations

from typing import Any

from xinyong.core.db import transaction
from xinyong.reports import service as reports_service
from xinyong.scenario.steps import observation


@observation("report")
def observe_report(run: Any, n: int, args: dict[str, Any], expect: dict[str, Any]) -> None:
    viewer = str(args["as"])
    if viewer != "self":
        run.fail(n, f"report as {viewer}: a credit report is issued to the subject itself (as: self)")
        return
    with transaction(run.factory) as db:
        subject = run._subject(db, args["subject"])
        report = reports_service.issue(
            db_session=db,
            profile=run.profile,
            now=run.now,
            actor=run._subject_actor(subject, args["subject"]),
            subject=subject,
        )
        content = report.content
    free = content["fee"]["free"]
    if "free" in expect and expect["free"] != free:
        run.fail(
            n,
            f"report of {args['subject']}: expected free={expect['free']}, saw free={free} "
            f"({content['fee']['basis']})",
        )
    wanted = [str(name) for name in expect.get("queried_by") or []]
    if wanted:
        queries = content["queries"]
        if queries is None:
            run.fail(
                n,
                f"report of {args['subject']}: expected queried_by {wanted}, the profile's reports "
                "do not show queries",
            )
            return
        seen = {q["querier"] for q in queries}
        for name in wanted:
            if name not in seen:
                run.fail(n, f"report of {args['subject']}: expected queried_by {name}, saw {sorted(seen)}")
