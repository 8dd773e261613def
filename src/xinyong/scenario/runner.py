"""The conformance runner: legal scenario files (SCENARIOS.md) against a fresh platform each.

Each file runs in its own temporary SQLite database with its own clock; steps call the same
services as the API and the CLI, so a scenario proves the engine, not a copy of it.

A file is checked against the contract as a whole before anything runs: keys, one action per
step, dates, `at` never going backwards, expectation shapes, channels and refs. Every violation
is reported with the file and step, and a file that breaks the contract does not run. Neither a
violation nor a crash in one file ever stops the other files. Actions and observations of later
features answer "not implemented" and fail the file at that step.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from xinyong.authorizations import service as authorizations_service
from xinyong.authorizations.models import Authorization
from xinyong.calendar import service as calendar_service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import parse_instant
from xinyong.core.db import create_all, make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import rules
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.scenario import steps
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

TOP_KEYS = {"name", "profile", "cite", "note", "calendar", "subjects", "steps"}
STEP_KEYS = {"at", "expect", "note"}
SUBJECT_KEYS = {"ref", "kind", "id", "name", "responsible", "id_type"}  # id_type: project extension
SUBJECT_KINDS = {"legal_person", "unincorporated_org", "natural_person"}
RESPONSIBLE_ROLES = {"legal_representative", "actual_controller", "principal", "directly_responsible"}
CALENDAR_KEYS = {"holidays", "workdays", "years"}  # years: project extension
SEE_EXPECT_KEYS = {"visible", "hidden", "marked", "masked"}

# The fields of every action and observation (SCENARIOS.md tables), then the project's extensions.
FIELDS: dict[str, set[str]] = {
    "submit": {"ref", "item", "subject", "provider", "decided_on", "source", "severity", "procedure"}
    | {"document", "data", "consent", "valid_until"},
    "revoke": {"record"},
    "object": {"ref", "record", "evaluation", "by", "reason", "known_on"},
    "forward": {"objection"},
    "extend": {"objection", "working_days"},
    "pause": {"objection"},
    "resume": {"objection"},
    "resolve": {"objection", "outcome", "by"},
    "review": {"objection"},
    "repair": {"ref", "record", "listing", "by", "measures"},
    "decide_repair": {"repair", "outcome"},
    "statement": {"record", "by", "text"},
    "withhold": {"record", "by"},
    "archive": {"record", "by"},
    "contest": {"record", "by"},
    "contest_end": {"record", "by"},
    "reorganize": {"subject", "document"},
    "propose_listing": {"ref", "list", "subject", "basis", "ground"},
    "notify_listing": {"listing"},
    "decide_listing": {"listing"},
    "remove_listing": {"listing", "reason"},
    "authorize": {"ref", "subject", "grantee", "purpose", "items", "until"},
    "load_calendar": {"holidays", "workdays"},
    "see": {"subject", "as"},
    "deadline": {"of", "stage"},
    "status": {"of"},
    "on_list": {"subject", "list"},
    "check": {"subject", "matter"},
    "report": {"subject", "as"},
}
EXTENSIONS: dict[str, set[str]] = {
    "submit": {"effective_on", "record_id"},  # 行政处罚决定生效之日 (Jilin 第十九条); the provider's own id
    "revoke": {"document", "reason", "document_effective_on"},  # the revoking document and its day
    "authorize": {"from"},
    "load_calendar": {"years"},
    "see": {"purpose"},
    "object": {"evidence"},  # Henan 第四十一条: 并提供相关证据
    "resolve": {"changes", "reason"},  # the corrected values and the change reason (变动理由)
}
OBSERVATIONS = {"see", "deadline", "status", "on_list", "check", "report"}
ACTIONS = set(FIELDS) - OBSERVATIONS
REQUIRED: dict[str, set[str]] = {  # fields the runner cannot do without, for what it implements
    "submit": {"ref", "item", "subject", "provider", "decided_on"},
    "revoke": {"record"},
    "authorize": {"ref", "subject", "grantee", "purpose"},
    "see": {"subject", "as"},
    "status": {"of"},
}
DATE_FIELDS: dict[str, set[str]] = {
    "submit": {"decided_on", "valid_until", "effective_on"},
    "object": {"known_on"},
    "authorize": {"until", "from"},
    "revoke": {"document_effective_on"},
}

SHAPES: dict[tuple[str, str], tuple[type, str]] = {  # fields whose shape the contract fixes
    ("submit", "data"): (dict, "a map"),
    ("submit", "consent"): (bool, "true or false"),
    ("authorize", "items"): (list, "a list of items"),
    ("propose_listing", "basis"): (list, "a list of record refs"),
    ("repair", "measures"): (list, "a list of measures"),
}

# Refs: what each action's `ref` names, and what kind of thing each field must name.
SUBJECT, RECORD, AUTHORIZATION, OBJECTION, REPAIR, LISTING = (
    "subject",
    "record",
    "authorization",
    "objection",
    "repair",
    "listing",
)
DEFINES = {
    "submit": RECORD,
    "authorize": AUTHORIZATION,
    "object": OBJECTION,
    "repair": REPAIR,
    "propose_listing": LISTING,
}
_BY_SUBJECT = {"record": {RECORD}, "by": {SUBJECT}}
USES: dict[str, dict[str, set[str]]] = {
    "submit": {"subject": {SUBJECT}},
    "revoke": {"record": {RECORD}},
    "object": {"record": {RECORD}, "evaluation": {RECORD}, "by": {SUBJECT}},
    **{a: {"objection": {OBJECTION}} for a in ("forward", "extend", "pause", "resume", "resolve", "review")},
    "repair": {"record": {RECORD}, "listing": {LISTING}, "by": {SUBJECT}},
    "decide_repair": {"repair": {REPAIR}},
    **{a: _BY_SUBJECT for a in ("statement", "withhold", "archive", "contest", "contest_end")},
    "reorganize": {"subject": {SUBJECT}},
    "propose_listing": {"subject": {SUBJECT}, "basis": {RECORD}},
    **{a: {"listing": {LISTING}} for a in ("notify_listing", "decide_listing", "remove_listing")},
    "authorize": {"subject": {SUBJECT}},
    "see": {"subject": {SUBJECT}},
    "deadline": {"of": {OBJECTION, REPAIR, LISTING, RECORD}},
    "status": {"of": {OBJECTION, REPAIR, LISTING, RECORD}},
    "on_list": {"subject": {SUBJECT}},
    "check": {"subject": {SUBJECT}},
    "report": {"subject": {SUBJECT}},
}
VIEWABLE = {RECORD, LISTING}  # what `see` expectations name
CHANNEL_NAMES = ("public", "government", "self", "provider", "authorized:REF")


class ContractError(Exception):
    """The file does not follow SCENARIOS.md."""

    def __init__(self, message: str, step: int | None = None) -> None:
        super().__init__(message)
        self.step = step


class NotImplementedAction(Exception):
    pass


@dataclass
class Failure:
    file: str
    step: int | None
    message: str

    def __str__(self) -> str:
        where = f"step {self.step}" if self.step is not None else "file"
        return f"{self.file}: {where}: {self.message}"


@dataclass
class FileResult:
    path: str
    name: str
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def discover(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")]))
        else:
            out.append(p)  # a missing file fails as unreadable, it is never skipped
    return out


def run_paths(paths: Iterable[str | Path], echo: Callable[[str], None] = print) -> list[FileResult]:
    """Run every file; print one line per failure, then exactly `N passed, N failed`."""
    paths = list(paths)
    files = discover(paths)
    if not files:
        echo(f"no scenario files (*.yaml) under {', '.join(map(str, paths))}")
    results = []
    for path in files:
        result = run_file(path)
        for failure in result.failures:
            echo(f"FAIL {failure}")
        results.append(result)
    passed = sum(r.passed for r in results)
    echo(f"{passed} passed, {len(results) - passed} failed")
    return results


def run_file(path: Path) -> FileResult:
    result = FileResult(path=str(path), name=path.name)
    try:
        doc = _load(path)
        result.name = str(doc.get("name") or path.name)
        profile = _validate(
            doc, lambda n, msg: result.failures.append(Failure(str(path), n, f"contract: {msg}"))
        )
        if result.failures:
            return result
        assert profile is not None
        with tempfile.TemporaryDirectory(prefix="xinyong-scenario-") as tmp:
            engine = make_engine(f"sqlite:///{tmp}/scenario.db")
            try:
                create_all(engine)
                _Run(path, doc, profile, session_factory(engine), result).run()
            finally:
                engine.dispose()
    except ContractError as exc:
        result.failures.append(Failure(str(path), exc.step, f"contract: {exc}"))
    except Exception as exc:  # a crash in one file never stops the others
        result.failures.append(Failure(str(path), None, f"error: {type(exc).__name__}: {exc}"))
    return result


# --------------------------------------------------------------------------- loading


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys and keeps dates as text.

    A second `see:` in one step would otherwise silently replace the first; and a date YAML
    cannot build (2026-02-30) would otherwise stop the parser with no step to name. Dates are
    parsed by the runner, which knows the step.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # an unhashable key: the base constructor gives the error
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"cannot read the file: {exc}") from exc
    try:
        doc = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        context = f" ({exc.context} on line {exc.context_mark.line + 1})" if exc.context_mark else ""
        step = _step_at_line(text, mark.line) if mark else None
        raise ContractError(f"cannot read YAML: {where}{exc.problem}{context}", step) from exc
    except yaml.YAMLError as exc:
        raise ContractError(f"cannot read YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ContractError("the file is not a mapping")
    return doc


_STEPS_KEY = re.compile(r"^steps\s*:")
_ITEM = re.compile(r"^(\s*)-(\s|$)")


def _step_at_line(text: str, line: int) -> int | None:
    """The step a (0-based) line of a block-style `steps:` list belongs to, for YAML errors."""
    lines = text.splitlines()
    start = next((i for i, s in enumerate(lines) if _STEPS_KEY.match(s)), None)
    if start is None or line <= start:
        return None
    indent, step = None, None
    for s in lines[start + 1 : line + 1]:
        item = _ITEM.match(s)
        if item and (indent is None or item.group(1) == indent):
            indent, step = item.group(1), (step or 0) + 1
    return step


# --------------------------------------------------------------------------- the contract, before running


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ContractError(f"{what}: bad date {value!r} (YYYY-MM-DD)") from None


def _validate(doc: dict[str, Any], report: Callable[[int | None, str], None]) -> Profile | None:
    """Check the whole file against SCENARIOS.md; report every violation. Returns the profile."""
    unknown = set(doc) - TOP_KEYS
    if unknown:
        report(None, f"unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    for key in ("name", "profile", "steps"):
        if key not in doc:
            report(None, f"missing top-level key: {key}")
    profile = None
    if "profile" in doc:
        try:
            profile = profiles.get(str(doc["profile"]))
        except XinyongError:
            known = ", ".join(sorted(profiles.all_profiles()))
            report(None, f"unknown profile {doc['profile']!r} (known: {known})")
    state = _Seen()
    try:
        _check_subjects(doc.get("subjects"), state.refs)
        if doc.get("calendar") is not None:
            _check_calendar(doc["calendar"], "calendar")
    except ContractError as exc:
        report(None, str(exc))
    steps = doc.get("steps")
    if "steps" in doc and (not isinstance(steps, list) or not steps):
        report(None, "steps must be a non-empty list")
        steps = []
    for n, step in enumerate(steps or [], start=1):
        try:
            _check_step(n, step, state)
        except ContractError as exc:
            report(n, str(exc))
    return profile


@dataclass
class _Seen:
    """What the steps so far have established: the latest `at`, and every ref with its kind."""

    last: datetime | None = None
    refs: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # ref -> (kind, defining step)


def _check_subjects(specs: Any, refs: dict[str, tuple[str, int | None]]) -> None:
    if specs is None:
        return
    if not isinstance(specs, list):
        raise ContractError("subjects must be a list")
    for spec in specs:
        if not isinstance(spec, dict) or "ref" not in spec:
            raise ContractError("each subject is a mapping with a `ref`")
        ref = str(spec["ref"])
        unknown = set(spec) - SUBJECT_KEYS
        if unknown:
            raise ContractError(f"subject {ref}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        for key in ("kind", "id"):
            if key not in spec:
                raise ContractError(f"subject {ref}: missing `{key}`")
        if spec["kind"] not in SUBJECT_KINDS:
            raise ContractError(
                f"subject {ref}: unknown kind {spec['kind']!r} (one of {sorted(SUBJECT_KINDS)})"
            )
        if ref in refs:
            raise ContractError(f"subject {ref}: ref defined twice")
        refs[ref] = (SUBJECT, None)
    people = {str(s["ref"]): s for s in specs}
    for spec in specs:
        for link in spec.get("responsible") or []:
            if not isinstance(link, dict) or set(link) != {"ref", "role"}:
                raise ContractError(f"subject {spec['ref']}: a responsible entry is {{ref, role}}")
            person = people.get(str(link["ref"]))
            if person is None:
                raise ContractError(f"subject {spec['ref']}: unknown responsible ref {link['ref']!r}")
            if person["kind"] != "natural_person":
                raise ContractError(
                    f"subject {spec['ref']}: responsible {link['ref']} is not a natural person"
                )
            if link["role"] not in RESPONSIBLE_ROLES:
                roles = ", ".join(sorted(RESPONSIBLE_ROLES))
                raise ContractError(f"subject {spec['ref']}: unknown role {link['role']!r} (one of {roles})")


def _check_calendar(spec: Any, what: str) -> None:
    if not isinstance(spec, dict):
        raise ContractError(f"{what}: a mapping of holidays and workdays")
    unknown = set(spec) - CALENDAR_KEYS
    if unknown:
        raise ContractError(f"{what}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    for key in ("holidays", "workdays"):
        days = spec.get(key) or []
        if not isinstance(days, list):
            raise ContractError(f"{what}: {key} must be a list of dates")
        for day in days:
            _as_date(day, f"{what}.{key}")


def _parse_at(value: Any) -> datetime:
    try:
        return parse_instant(value)
    except (ValueError, TypeError) as exc:
        raise ContractError(
            f"bad `at` {value!r}: {exc} (a date YYYY-MM-DD or an ISO datetime with offset)"
        ) from None


def _check_step(n: int, step: Any, state: _Seen) -> None:
    if not isinstance(step, dict):
        raise ContractError("a step must be a mapping")
    keys = set(step) - STEP_KEYS
    unknown = keys - ACTIONS - OBSERVATIONS
    if unknown:
        raise ContractError(f"unknown action or key: {', '.join(sorted(map(str, unknown)))}")
    if len(keys) != 1:
        found = ", ".join(sorted(keys)) if keys else "none"
        raise ContractError(f"a step has exactly one action, found {len(keys)}: {found}")
    action = keys.pop()
    args = step[action]
    defined = str(args["ref"]) if action in DEFINES and isinstance(args, dict) and "ref" in args else None
    if defined is not None and defined in state.refs:
        kind, where = state.refs[defined]
        raise ContractError(
            f"{action}: ref {defined} is already a {kind} ({f'step {where}' if where else 'subjects'})"
        )
    try:
        _check_fields(n, action, step, state)
    finally:  # a ref stays defined even when its step has a problem, so later steps are not blamed
        if defined is not None:
            state.refs[defined] = (DEFINES[action], n)


def _check_fields(n: int, action: str, step: dict[str, Any], state: _Seen) -> None:
    if "at" not in step:
        raise ContractError(f"{action}: missing `at`")
    at = _parse_at(step["at"])
    if state.last is not None and at < state.last:
        raise ContractError(f"`at` goes backwards: {step['at']} is before the previous step")
    state.last = at
    args = step[action]
    if not isinstance(args, dict):
        raise ContractError(f"{action}: its fields must be a mapping")
    allowed = FIELDS[action] | EXTENSIONS.get(action, set())
    unknown = set(args) - allowed
    if unknown:
        raise ContractError(f"{action}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    missing = REQUIRED.get(action, set()) - set(args)
    if missing:
        raise ContractError(f"{action}: missing field(s) {', '.join(sorted(missing))}")
    for key in args:
        kind, words = SHAPES.get((action, key), (object, ""))
        if args[key] is not None and not isinstance(args[key], kind):
            raise ContractError(f"{action}.{key}: {words}, got {args[key]!r}")
    for key in DATE_FIELDS.get(action, set()) & set(args):
        if args[key] is not None:
            _as_date(args[key], f"{action}.{key}")
    if action == "load_calendar":
        _check_calendar(args, action)
    for key, kinds in USES.get(action, {}).items():
        if key in args:
            values = args[key] if isinstance(args[key], list) else [args[key]]
            for value in values:
                _check_ref(action, key, value, kinds, state.refs)
    if action in ("see", "report") and "as" in args:
        auth = _channel_ref(str(args["as"]))
        if auth is not None:
            _check_ref(action, "as", auth, {AUTHORIZATION}, state.refs)
    _check_expect(action, step.get("expect", _NO_EXPECT), state.refs)


def _check_ref(
    action: str, key: str, value: Any, kinds: set[str], refs: dict[str, tuple[str, int | None]]
) -> None:
    if key == "by" and action == "resolve":
        return  # resolve's `by` is platform/provider, not a ref
    ref = str(value)
    if ref not in refs:
        raise ContractError(f"{action}.{key}: unknown ref {ref!r}")
    kind = refs[ref][0]
    if kind not in kinds:
        raise ContractError(f"{action}.{key}: {ref} is a {kind}, not a {' or '.join(sorted(kinds))}")


def _channel_ref(text: str) -> str | None:
    """The authorization ref of `authorized:REF`; None for another channel. Unknown channels raise."""
    if text.startswith("authorized:") and text.removeprefix("authorized:"):
        return text.removeprefix("authorized:")
    if text not in {c.value for c in rules.Channel} or text == rules.Channel.authorized.value:
        raise ContractError(f"unknown channel {text!r} (one of {', '.join(CHANNEL_NAMES)})")
    return None


_NO_EXPECT = object()


def _check_expect(action: str, expect: Any, refs: dict[str, tuple[str, int | None]]) -> None:
    if action not in OBSERVATIONS:
        if expect is _NO_EXPECT:
            return  # an action without `expect` checks nothing about its own outcome
        _expected_outcome(action, expect)
        return
    if expect is _NO_EXPECT:
        raise ContractError(f"{action}: an observation needs `expect`")
    shape = _EXPECT_SHAPES[action]
    if not shape[0](expect):
        raise ContractError(f"{action}: expect is {shape[1]}, got {expect!r}")
    if action == "see":
        for key in ("visible", "hidden"):
            for ref in expect.get(key) or []:
                _check_ref(action, f"expect.{key}", ref, VIEWABLE, refs)
        for ref in expect.get("marked") or {}:
            _check_ref(action, "expect.marked", ref, VIEWABLE, refs)
    if action == "deadline":
        _as_date(expect["due"], "deadline.expect.due")


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str | int) for v in value)


def _see_shape(e: Any) -> bool:
    return (
        isinstance(e, dict)
        and bool(e)
        and set(e) <= SEE_EXPECT_KEYS
        and all(_is_str_list(e[k]) for k in ("visible", "hidden") if k in e)
        and (
            "marked" not in e
            or (
                isinstance(e["marked"], dict)
                and all(_is_str_list(v) or v is None for v in e["marked"].values())
            )
        )
        and ("masked" not in e or isinstance(e["masked"], bool))
    )


def _bools(e: Any, keys: set[str]) -> bool:
    return isinstance(e, dict) and bool(e) and set(e) <= keys and all(isinstance(v, bool) for v in e.values())


_EXPECT_SHAPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "see": (_see_shape, "a map of visible: [refs], hidden: [refs], marked: {ref: [marks]}, masked: BOOL"),
    "status": (
        lambda e: isinstance(e, dict) and set(e) == {"state"} and isinstance(e["state"], str),
        "{state: NAME}",
    ),
    "deadline": (
        lambda e: (
            isinstance(e, dict)
            and "due" in e
            and set(e) <= {"due", "provisional"}
            and isinstance(e.get("provisional", False), bool)
        ),
        "{due: DATE, provisional: BOOL}",
    ),
    "on_list": (lambda e: isinstance(e, bool), "true or false"),
    "check": (lambda e: _bools(e, {"restricted", "incentive"}), "{restricted: BOOL, incentive: BOOL}"),
    "report": (
        lambda e: (
            isinstance(e, dict)
            and bool(e)
            and set(e) <= {"free", "queried_by"}
            and isinstance(e.get("free", True), bool)
            and _is_str_list(e.get("queried_by", []))
        ),
        "{free: BOOL, queried_by: [names]}",
    ),
}


def _expected_outcome(action: str, expect: Any) -> str:
    if expect == "accepted":
        return "accepted"
    if isinstance(expect, dict) and set(expect) == {"rejected"} and isinstance(expect["rejected"], str):
        return f"rejected:{expect['rejected']}"
    raise ContractError(f"{action}: expect is `accepted` or {{rejected: CODE}}, got {expect!r}")


# --------------------------------------------------------------------------- running


class _Run:
    def __init__(
        self,
        path: Path,
        doc: dict[str, Any],
        profile: Profile,
        factory: sessionmaker[Session],
        result: FileResult,
    ) -> None:
        self.path = path
        self.doc = doc
        self.profile = profile
        self.factory = factory
        self.result = result
        self.subjects: dict[str, dict[str, Any]] = {str(s["ref"]): s for s in doc.get("subjects") or []}
        self.records: dict[str, int | None] = {}  # ref -> record id (None: the submission was refused)
        self.authorizations: dict[str, int | None] = {}
        self.handles: dict[str, int | None] = {}  # other refs (objections, repairs, listings …) -> ids
        self.clock: datetime | None = None  # the current step's `at`
        self.operator = Actor(
            username="scenario-operator", role=Role.operator, organization="公共信用信息工作机构"
        )

    # ---------------------------------------------------------------- driver

    def run(self) -> None:
        steps: list[dict[str, Any]] = self.doc["steps"]
        if self.doc.get("calendar"):
            # the file's calendar is in place before the first step, at that step's time
            self._load_calendar(self.doc["calendar"], None, at=parse_instant(steps[0]["at"]))
        for n, step in enumerate(steps, start=1):
            action = next(k for k in step if k not in STEP_KEYS)
            self.clock = parse_instant(step["at"])
            try:
                self._step(n, action, step)
            except NotImplementedAction:
                self.fail(n, f"{action}: not implemented")
                return  # later steps build on this one
            except ContractError as exc:
                self.fail(n, f"contract: {exc}")
                return
            except Exception as exc:  # an engine crash names its step; the other files still run
                self.fail(n, f"{action}: error: {type(exc).__name__}: {exc}")
                return

    def fail(self, n: int | None, message: str) -> None:
        self.result.failures.append(Failure(str(self.path), n, message))

    def _step(self, n: int, action: str, step: dict[str, Any]) -> None:
        args = step[action]
        expect = step.get("expect", _NO_EXPECT)
        if action in OBSERVATIONS:
            handler = getattr(self, f"observe_{action}", None)
            if handler is None and action in steps.OBSERVATIONS:
                handler = partial(steps.OBSERVATIONS[action], self)
            if handler is None:
                raise NotImplementedAction(action)
            try:
                handler(n, args, expect)
            except XinyongError as exc:
                self.fail(n, f"{action}: the platform refused the observation: {_describe(exc)}")
            return
        handler = getattr(self, f"do_{action}", None)
        if handler is None and action in steps.ACTIONS:
            handler = partial(steps.ACTIONS[action], self)
        if handler is None:
            raise NotImplementedAction(action)
        outcome, error = self._attempt(n, handler, args)
        if expect is _NO_EXPECT:
            return
        wanted = _expected_outcome(action, expect)
        if wanted != outcome:
            why = f" ({_describe(error)})" if error is not None and error.detail else ""
            self.fail(n, f"{action}: expected {_fmt(wanted)}, saw {_fmt(outcome)}{why}")

    def _attempt(
        self, n: int, handler: Callable[..., None], args: dict[str, Any]
    ) -> tuple[str, XinyongError | None]:
        """Run one action in its own transaction: 'accepted' or 'rejected:<code>'."""
        try:
            with transaction(self.factory) as db:
                handler(n, args, db)
        except XinyongError as exc:
            return f"rejected:{exc.code}", exc
        return "accepted", None

    # ---------------------------------------------------------------- helpers

    @property
    def now(self) -> datetime:
        assert self.clock is not None, "no step has started"
        return self.clock

    def _subject(self, db: Session, ref: Any) -> Subject:
        """The registered subject for a ref (registered now if it has no records yet)."""
        spec = self.subjects[str(ref)]
        subject = subjects_service.get_or_create(
            db_session=db,
            now=self.now,
            kind=spec["kind"],
            identifier=str(spec["id"]),
            name=str(spec.get("name") or spec["id"]),
            id_type=spec.get("id_type"),
        )
        for link in spec.get("responsible") or []:
            person = self._subject(db, link["ref"])
            subjects_service.link_responsible(
                db_session=db,
                now=self.now,
                organization=subject,
                person=person,
                role=link["role"],
            )
        return subject

    def _record(self, ref: Any) -> int:
        record_id = self.records[str(ref)]
        if record_id is None:
            raise XinyongError("unknown_record", detail=f"{ref} was refused when submitted")
        return record_id

    def _provider_actor(self, provider: str) -> Actor:
        return Actor(username=provider, role=Role.provider, organization=provider)

    def _subject_actor(self, subject: Subject, ref: Any) -> Actor:
        return Actor(username=f"subject:{ref}", role=Role.subject, subject_id=subject.id)

    # ---------------------------------------------------------------- actions

    def do_submit(self, n: int, args: dict[str, Any], db: Session) -> None:
        ref = str(args["ref"])
        self.records[ref] = None
        spec = self.subjects[str(args["subject"])]

        def day(key: str) -> str | None:
            return _as_date(args[key], key).isoformat() if args.get(key) is not None else None

        values = {
            "item": args["item"],
            "subject_kind": spec["kind"],
            "subject_id": str(spec["id"]),
            "subject_id_type": spec.get("id_type"),
            "subject_name": spec.get("name"),
            "provider": args["provider"],
            "decided_on": day("decided_on"),
            "source": args.get("source"),
            "severity": args.get("severity"),
            "procedure": args.get("procedure"),
            "document": args.get("document"),
            "data": args.get("data") or {},
            "consent": args.get("consent"),
            "valid_until": day("valid_until"),
            "effective_on": day("effective_on"),
            "record_id": args.get("record_id") or f"scenario:{ref}",
            "responsible": [
                {
                    "role": link["role"],
                    "name": self.subjects[str(link["ref"])].get("name"),
                    "id": str(self.subjects[str(link["ref"])]["id"]),
                    "id_type": self.subjects[str(link["ref"])].get("id_type"),
                }
                for link in spec.get("responsible") or []
            ],
        }
        record, _ = records_service.submit(
            db_session=db,
            profile=self.profile,
            now=self.now,
            actor=self._provider_actor(str(args["provider"])),
            values=values,
        )
        self.records[ref] = record.id

    def do_revoke(self, n: int, args: dict[str, Any], db: Session) -> None:
        record_id = self._record(args["record"])
        record = db.get(Record, record_id)
        assert record is not None
        records_service.revoke(
            db_session=db,
            profile=self.profile,
            now=self.now,
            actor=self._provider_actor(record.provider),
            record_id=record_id,
            document=args.get("document"),
            reason=args.get("reason"),
            document_effective_on=(
                _as_date(args["document_effective_on"], "revoke.document_effective_on")
                if args.get("document_effective_on") is not None
                else None
            ),
        )

    def do_authorize(self, n: int, args: dict[str, Any], db: Session) -> None:
        ref = str(args["ref"])
        self.authorizations[ref] = None
        subject = self._subject(db, args["subject"])
        items = args.get("items")
        auth = authorizations_service.grant(
            db_session=db,
            profile=self.profile,
            now=self.now,
            actor=self._subject_actor(subject, args["subject"]),
            subject=subject,
            grantee=str(args["grantee"]),
            purpose=str(args["purpose"]),
            until=_as_date(args["until"], "until") if args.get("until") is not None else None,
            items=[str(i) for i in items] if items is not None else None,
            valid_from=_as_date(args["from"], "from") if args.get("from") else None,
        )
        self.authorizations[ref] = auth.id

    def do_load_calendar(self, n: int, args: dict[str, Any], db: Session) -> None:
        self._load_calendar(args, db, at=self.now)

    def _load_calendar(self, spec: dict[str, Any], db: Session | None, at: datetime) -> None:
        holidays = [_as_date(d, "holidays") for d in spec.get("holidays") or []]
        workdays = [_as_date(d, "workdays") for d in spec.get("workdays") or []]
        years = spec.get("years") or sorted({d.year for d in holidays + workdays})
        if db is None:
            with transaction(self.factory) as session:
                self._load_calendar(spec, session, at)
            return
        calendar_service.load_schedule(
            db_session=db,
            holidays=holidays,
            workdays=workdays,
            years=list(years),
            source=f"scenario {self.path.name}",
            now=at,
        )

    # ---------------------------------------------------------------- observations

    def observe_see(self, n: int, args: dict[str, Any], expect: dict[str, Any]) -> None:
        viewer = str(args["as"])
        auth_ref = _channel_ref(viewer)
        channel = rules.Channel.authorized if auth_ref is not None else rules.Channel(viewer)
        with transaction(self.factory) as db:
            subject = self._subject(db, args["subject"])
            authorization = None
            if auth_ref is not None and self.authorizations[auth_ref] is not None:
                authorization = db.get(Authorization, self.authorizations[auth_ref])
            if auth_ref is not None and authorization is None:
                shown: dict[int, Any] = {}  # a refused authorization grants nothing
                masked = False
            else:
                try:
                    view = records_service.read_archive(
                        db_session=db,
                        profile=self.profile,
                        now=self.now,
                        actor=self.operator,
                        subject=subject,
                        channel=channel,
                        purpose=args.get("purpose") or "scenario",
                        authorization=authorization,
                    )
                    shown = {v.record.id: v for v in view.records}
                    masked = view.masked
                except XinyongError as exc:
                    if exc.code != "authorization_inactive":
                        raise
                    shown, masked = {}, False  # an authorization out of force shows nothing
            others: set[str] = set()  # listings and other non-record refs this viewer sees
            if auth_ref is None or authorization is not None:
                for contribute in steps.SEE_CONTRIBUTORS:
                    others |= contribute(self, db, subject, channel, authorization)
        for ref in expect.get("visible") or []:
            rid = self.records.get(str(ref))
            if str(ref) not in self.records:
                if str(ref) not in others:
                    self.fail(n, f"see {viewer}: expected {ref} visible, it is hidden")
            elif rid is None:
                self.fail(n, f"see {viewer}: expected {ref} visible, but {ref} was refused when submitted")
            elif rid not in shown:
                self.fail(n, f"see {viewer}: expected {ref} visible, it is hidden")
        for ref in expect.get("hidden") or []:
            if str(ref) in others or (str(ref) in self.records and self.records[str(ref)] in shown):
                self.fail(n, f"see {viewer}: expected {ref} hidden, it is visible")
        for ref, wanted in (expect.get("marked") or {}).items():
            rid = self.records.get(str(ref))
            seen = shown[rid].marks if rid in shown else None
            if seen is None:
                self.fail(n, f"see {viewer}: expected {ref} marked {wanted}, it is hidden")
            elif (not wanted and seen) or not set(wanted or []) <= set(seen):
                self.fail(n, f"see {viewer}: expected {ref} marked {wanted}, saw {seen}")
        if "masked" in expect and expect["masked"] != masked:
            self.fail(n, f"see {viewer}: expected masked={expect['masked']}, saw masked={masked}")

    def observe_status(self, n: int, args: dict[str, Any], expect: dict[str, Any]) -> None:
        ref = str(args["of"])
        if ref not in self.records:
            for resolve in steps.STATUS:
                seen = resolve(self, ref)
                if seen is not None:
                    if seen != expect["state"]:
                        self.fail(n, f"status of {ref}: expected {expect['state']}, saw {seen}")
                    return
            raise NotImplementedAction(f"status of {ref}")  # a ref no feature owns yet
        record_id = self.records[ref]
        if record_id is None:
            seen = "refused"
        else:
            with transaction(self.factory) as db:
                record = db.get(Record, record_id)
                assert record is not None
                seen = records_service.record_status(
                    db_session=db,
                    profile=self.profile,
                    now=self.now,
                    record=record,
                )
        if seen != expect["state"]:
            self.fail(n, f"status of {ref}: expected {expect['state']}, saw {seen}")

    def observe_deadline(self, n: int, args: dict[str, Any], expect: dict[str, Any]) -> None:
        ref, stage = str(args["of"]), args.get("stage")
        for resolve in steps.DEADLINES:
            found = resolve(self, ref, stage)
            if found is not None:
                due, provisional = found
                wanted_due = _as_date(expect["due"], "due")
                if due != wanted_due or (
                    "provisional" in expect and bool(expect["provisional"]) != provisional
                ):
                    self.fail(
                        n,
                        f"deadline of {ref}{f' ({stage})' if stage else ''}: expected due {wanted_due}"
                        f"{', provisional' if expect.get('provisional') else ''}, saw {due}"
                        f"{', provisional' if provisional else ''}",
                    )
                return
        raise NotImplementedAction(f"deadline of {ref}")


def _merge_extensions() -> None:
    """Teach the contract check the project extensions the feature plug-ins declared."""
    for name, extra in steps.EXTENSION_FIELDS.items():
        EXTENSIONS.setdefault(name, set()).update(extra)
    for name, ext in steps.EXTENSIONS.items():
        FIELDS[name] = set(ext.fields)
        if ext.expect is not None:
            OBSERVATIONS.add(name)
            _EXPECT_SHAPES[name] = ext.expect
        else:
            ACTIONS.add(name)
        if ext.required:
            REQUIRED[name] = set(ext.required)
        if ext.defines:
            DEFINES[name] = ext.defines
            USES["status"]["of"].add(ext.defines)
        if ext.uses:
            USES[name] = {k: set(v) for k, v in ext.uses.items()}


steps.load_plugins()
_merge_extensions()


def _describe(exc: XinyongError) -> str:
    return f"{exc.code}: {exc.detail}" if exc.detail else exc.code


def _fmt(outcome: str) -> str:
    return outcome.replace("rejected:", "rejected ")
