"""Work queues: every feature's open cases, by due date, overdue first, per handling unit.

A case feature takes part by exposing `open_cases(*, db_session, jurisdiction, now) ->
list[CaseSummary]` in a `service` module under `xinyong.rights` (found by walking the package), or
in the built-in list below. A feature that is not there yet is skipped and named in `missing`, so
an operator sees that the queue is incomplete instead of trusting a short list.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from xinyong.core import profile as profiles
from xinyong.queues.types import CaseSummary

OpenCases = Callable[..., list[CaseSummary]]

BUILTIN = ("xinyong.queues.revocations",)
FEATURES = "xinyong.rights"  # every `<feature>.service` below it with `open_cases` takes part
EXPECTED = ("xinyong.rights.objections.service", "xinyong.rights.repair.service")


@dataclass
class Sources:
    found: dict[str, OpenCases] = field(default_factory=dict)  # module name -> open_cases
    missing: list[str] = field(default_factory=list)  # "module: why" for features not loaded


def _absent(exc: ImportError, module: str) -> bool:
    """The module (or a package on its path) does not exist yet; any other import error is a bug."""
    name = getattr(exc, "name", None)
    return name is not None and (module == name or module.startswith(name + "."))


def discover() -> Sources:
    sources = Sources()
    names = list(BUILTIN)
    try:
        package = importlib.import_module(FEATURES)
    except ImportError as exc:
        if not _absent(exc, FEATURES):
            raise
        package = None
    if package is not None:
        for info in pkgutil.walk_packages(package.__path__, prefix=FEATURES + ".", onerror=lambda _: None):
            if info.name.rsplit(".", 1)[-1] == "service" and info.name not in names:
                names.append(info.name)
    for name in EXPECTED:
        if name not in names:
            names.append(name)
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            if not _absent(exc, name):
                raise
            sources.missing.append(f"{name}: not installed")
            continue
        fn = getattr(module, "open_cases", None)
        if callable(fn):
            sources.found[name] = fn
        elif name in EXPECTED:
            sources.missing.append(f"{name}: no open_cases()")
    return sources


def sort_key(case: CaseSummary) -> tuple[bool, date, datetime, str]:
    """Overdue first, then the earliest due date (no due date last), then the oldest case."""
    return (not case.overdue, case.due[0] if case.due else date.max, case.opened_at, case.ref)


@dataclass
class Queue:
    as_of: datetime
    cases: list[CaseSummary]
    missing: list[str]

    def by_unit(self) -> dict[str, list[CaseSummary]]:
        """Cases per handling unit; units in the order of their most urgent case."""
        out: dict[str, list[CaseSummary]] = {}
        for case in self.cases:
            out.setdefault(case.handling_unit, []).append(case)
        return out


def gather(
    *,
    db_session: Session,
    now: datetime,
    jurisdiction: str | None = None,
    unit: str | None = None,
    overdue_only: bool = False,
    sources: dict[str, OpenCases] | None = None,
) -> Queue:
    """Open cases of one jurisdiction (or all), filtered by handling unit and overdue, sorted."""
    if now.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware instant")
    missing: list[str] = []
    if sources is None:
        found = discover()
        sources, missing = found.found, found.missing
    jurisdictions = [jurisdiction] if jurisdiction is not None else sorted(profiles.all_profiles())
    if jurisdiction is not None:
        profiles.get(jurisdiction)  # unknown_profile for a bad id, before any feature runs
    cases: list[CaseSummary] = []
    for j in jurisdictions:
        for fn in sources.values():
            cases.extend(fn(db_session=db_session, jurisdiction=j, now=now))
    if unit is not None:
        cases = [c for c in cases if c.handling_unit == unit]
    if overdue_only:
        cases = [c for c in cases if c.overdue]
    return Queue(as_of=now, cases=sorted(cases, key=sort_key), missing=missing)
