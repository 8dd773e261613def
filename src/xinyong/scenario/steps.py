"""Where features plug their scenario actions and observations into the runner.

A feature writes `src/xinyong/scenario/steps_<feature>.py` and registers its handlers with the
decorators below; the runner imports every `steps_*` module, so adding an action never edits the
runner. Handlers receive the running file (`run`, with `run.now`, `run.profile`, `run.handles`,
`run.records`, `run._subject(db, ref)` …), the step number and the step's fields.

- an action handler `(run, n, args, db)` does the work in the step's transaction and raises
  XinyongError to refuse (the runner turns that into `rejected: CODE`);
- an observation handler `(run, n, args, expect)` checks and calls `run.fail(n, message)`;
- a status resolver `(run, ref) -> str | None` names the state of a ref it owns (None: not mine);
- a deadline resolver `(run, ref, stage) -> (date, bool) | None` likewise for `deadline`;
- a see contributor `(run, db, subject, channel, authorization) -> set[str]` names the refs other than
  records (listings …) that viewer sees for that subject.

Actions and observations SCENARIOS.md does not have are project extensions: declare them with
`extension(...)` (their fields, the kind of ref they define and use, an observation's expect shape)
before registering the handler, so the runner's contract check knows them. Extra fields on a
contract action are declared with `extension_fields`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
SeeContributor = Callable[[Any, Any, Any, Any, Any], set[str]]
SEE_CONTRIBUTORS: list[SeeContributor] = []


@dataclass(frozen=True)
class Extension:
    """A project extension action or observation, as the contract check needs to know it."""

    fields: frozenset[str]
    required: frozenset[str] = frozenset()
    defines: str | None = None  # the kind of ref its `ref` field defines, e.g. "commitment"
    uses: dict[str, set[str]] = field(default_factory=dict)  # field -> kinds of ref it must name
    expect: tuple[Callable[[Any], bool], str] | None = None  # observations: predicate and its words


EXTENSIONS: dict[str, Extension] = {}
EXTENSION_FIELDS: dict[str, set[str]] = {}  # contract action -> extra fields


def extension(
    name: str,
    *,
    fields: Iterable[str],
    required: Iterable[str] = (),
    defines: str | None = None,
    uses: dict[str, set[str]] | None = None,
    expect: tuple[Callable[[Any], bool], str] | None = None,
) -> None:
    """Declare a project extension action (no `expect` shape) or observation (with one)."""
    EXTENSIONS[name] = Extension(frozenset(fields), frozenset(required), defines, dict(uses or {}), expect)


def extension_fields(action_name: str, names: Iterable[str]) -> None:
    EXTENSION_FIELDS.setdefault(action_name, set()).update(names)


def see_contributor(fn: SeeContributor) -> SeeContributor:
    SEE_CONTRIBUTORS.append(fn)
    return fn


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
