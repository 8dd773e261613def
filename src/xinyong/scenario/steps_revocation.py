"""Scenario plug-in: the deadlines a revocation opens (R-REV-01, R-REV-02).

`deadline: {of: R1, stage: platform_action}` — the platform's time to act on the revocation
(Jiangsu 第六十五条 2 WD, Shenzhen 第三十六条 and Nanjing 第五十九条 3 WD, Henan 第四十二条 1 WD), counted
from the day it was reported; the default stage. `stage: provider_notice` — the provider's own time
to report it, from the day the revoking document took effect (`revoke` with `document_effective_on`;
Jiangsu 第六十五条 5 WD).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xinyong.calendar import service as calendar_service
from xinyong.core.clock import local_date
from xinyong.core.db import transaction
from xinyong.core.errors import XinyongError
from xinyong.records import rules
from xinyong.records import service as records_service
from xinyong.scenario.steps import deadline_resolver

STAGES = ("platform_action", "provider_notice")


@deadline_resolver
def revocation_deadline(run: Any, ref: str, stage: str | None) -> tuple[date, bool] | None:
    if ref not in run.records:
        return None
    stage = stage or "platform_action"
    if stage not in STAGES:
        raise XinyongError("wrong_stage", detail=f"{ref}: a record's stages are {', '.join(STAGES)}")
    record_id = run._record(ref)
    with transaction(run.factory) as db:
        events = records_service.events_of(db, [record_id])[record_id]
        revoked = next((e for e in events if e.kind == rules.REVOKED), None)
        if revoked is None:
            raise XinyongError("wrong_stage", detail=f"{ref} was not revoked: it has no {stage} deadline")
        if stage == "platform_action":
            calendar = calendar_service.get_calendar(db_session=db)
            due = records_service.revocation_due(run.profile, calendar, local_date(revoked.at))
        else:
            notice = records_service.provider_notices(db, run.profile, [revoked]).get(revoked.id)
            due = notice.due if notice is not None else None
    if due is None:
        raise XinyongError(
            "wrong_stage",
            detail=f"{ref}: no {stage} time in days (the profile sets none, or no document_effective_on)",
        )
    return due.due, due.provisional
