"""Where features plug their scenario actions and observations into the runner.

A feature writes `src/xinyong/scenario/steps_<feature>.py` and registers its handlers with the
decorators below; the runner imports every `steps_*` module, so adding an action never edits the
runner. Handlers receive the running file (`run`, with `run.now`, `run.profile`, `run.handles`,
`run.records`, `run._subject(db, ref)` …), the step number and the step's fields.

- an action handler `(run, n, args, db)` does the work in the step's transaction and raises
  XinyongError to refuse (the runner turns that into `rejected: CODE`);
- an observation handler `(run, n, args, expect)` checks and calls `run.fail(n, message)`;
- a status resolver `(run, ref) -> str | None` names the state of a ref it owns (None: not mine);
- a deadline resolver `(run, ref, stage) -> (date, bool) | None` likewise for `deadline`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from datetime import date
from typing import Any

ActionHandler = Callable[[Any, int, dict[str, Any], Any], None]
ObservationHandler = Callable[[Any, int, dict[str, Any], Any], None]
StatusResolver = Callable[[Any, str], str | None]
DeadlineResolver = Callable[[Any, str, str | None], tuple[date, bool] | None]

ACTIONS: dict[str, ActionHandler] = {}
OBSERVATIONS: dict[str, ObservationHandler] = {}
STATUS: list[StatusResolver] = []
DEADLINES: list[DeadlineResolver] = []


def action(name: str) -> Callable[[ActionHandler], ActionHandler]:
    def register(fn: ActionHandler) -> ActionHandler:
        ACTIONS[name] = fn
        return fn

    return register


def observation(name: str) -> Callable[[ObservationHandler], ObservationHandler]:
    def register(fn: ObservationHandler) -> ObservationHandler:
        OBSERVATIONS[name] = fn
        return fn

    return register


def status_resolver(fn: StatusResolver) -> StatusResolver:
    STATUS.append(fn)
    return fn


def deadline_resolver(fn: DeadlineResolver) -> DeadlineResolver:
    DEADLINES.append(fn)
    return fn


def load_plugins() -> None:
    """Import every `xinyong.scenario.steps_*` module once."""
    import xinyong.scenario as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("steps_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
