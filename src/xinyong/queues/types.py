"""The row every case feature returns from `open_cases(*, db_session, jurisdiction, now)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CaseSummary:
    ref: str  # the case's own reference, e.g. "OBJ-12"
    kind: str  # objection / repair / revocation / withholding / ...
    jurisdiction: str
    subject: str  # the subject's identifier (USCC or masked id), as shown to operators
    handling_unit: str  # who must act next: platform, a provider's name, ...
    stage: str  # the stage whose deadline is `due`
    due: tuple[date, bool] | None  # (due date, provisional) — None when the stage has no deadline
    overdue: bool  # computed by the feature with `now`
    opened_at: datetime
