"""The conformance runner: legal scenario files (SCENARIOS.md) against a fresh platform each.

Each file runs in its own temporary SQLite database with its own clock; steps call the same
services as the API and the CLI, so a scenario proves the engine, not a copy of it. A file that
breaks the contract (unknown key, unknown action, bad date) fails with a message naming the file
and step, and never stops the other files.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from xinyong.authorizations import service as authorizations_service
from xinyong.authorizations.models import Authorization
from xinyong.calendar import service as calendar_service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date, parse_instant
from xinyong.core.db import create_all, make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile
from xinyong.records import rules
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

TOP_KEYS = {"name", "profile", "cite", "note", "calendar", "subjects", "steps"}
STEP_KEYS = {"at", "expect", "note"}
ACTIONS = {
    "submit",
    "revoke",
    "object",
    "forward",
    "extend",
    "pause",
    "resume",
    "resolve",
    "review",
    "repair",
    "decide_repair",
    "statement",
    "withhold",
    "archive",
    "contest",
    "contest_end",
    "reorganize",
    "propose_listing",
    "notify_listing",
    "decide_listing",
    "remove_listing",
    "authorize",
    "load_calendar",
}
OBSERVATIONS = {"see", "deadline", "status", "on_list", "check", "report"}
SUBJECT_KEYS = {"ref", "kind", "id", "name", "responsible", "id_type"}
SEE_EXPECT_KEYS = {"visible", "hidden", "marked", "masked"}


class ContractError(Exception):
    """The file does not follow SCENARIOS.md."""


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
            out.append(p)
    return out


def run_paths(paths: Iterable[str | Path], echo: Callable[[str], None] = print) -> list[FileResult]:
    results = []
    for path in discover(paths):
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
        with tempfile.TemporaryDirectory(prefix="xinyong-scenario-") as tmp:
            engine = make_engine(f"sqlite:///{tmp}/scenario.db")
            try:
                create_all(engine)
                _Run(path, doc, session_factory(engine), result).run()
            finally:
                engine.dispose()
    except ContractError as exc:
        result.failures.append(Failure(str(path), getattr(exc, "step", None), f"contract: {exc}"))
    except Exception as exc:  # a crash in one file never stops the others
        result.failures.append(Failure(str(path), None, f"error: {type(exc).__name__}: {exc}"))
    return result


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContractError(f"cannot read YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ContractError("the file is not a mapping")
    unknown = set(doc) - TOP_KEYS
    if unknown:
        raise ContractError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    for key in ("name", "profile", "steps"):
        if key not in doc:
            raise ContractError(f"missing key: {key}")
    if not isinstance(doc["steps"], list):
        raise ContractError("steps must be a list")
    return doc


def _step_error(n: int, message: str) -> ContractError:
    err = ContractError(message)
    err.step = n  # type: ignore[attr-defined]
    return err


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ContractError(f"{what}: bad date {value!r}") from None


class _Run:
    def __init__(
        self, path: Path, doc: dict[str, Any], factory: sessionmaker[Session], result: FileResult
    ) -> None:
        self.path = path
        self.doc = doc
        self.factory = factory
        self.result = result
        try:
            self.profile: Profile = profiles.get(str(doc["profile"]))
        except XinyongError as exc:
            raise ContractError(f"profile: {exc.detail}") from exc
        self.subjects: dict[str, dict[str, Any]] = {}
        self.records: dict[str, int | None] = {}  # ref -> record id (None: the submission was refused)
        self.authorizations: dict[str, int | None] = {}
        self.now: datetime | None = None
        self.operator = Actor(
            username="scenario-operator", role=Role.operator, organization="公共信用信息工作机构"
        )

    # ---------------------------------------------------------------- driver

    def run(self) -> None:
        self._subjects(self.doc.get("subjects") or [])
        if self.doc.get("calendar"):
            self._load_calendar(self.doc["calendar"], None, at=None)
        for n, step in enumerate(self.doc["steps"], start=1):
            if not isinstance(step, dict):
                raise _step_error(n, "a step must be a mapping")
            action = self._parse_step(n, step)
            try:
                self._step(n, action, step)
            except NotImplementedAction:
                self.fail(n, f"{action}: not implemented")
                return

    def _parse_step(self, n: int, step: dict[str, Any]) -> str:
        keys = set(step) - STEP_KEYS
        unknown = keys - ACTIONS - OBSERVATIONS
        if unknown:
            raise _step_error(n, f"unknown action or key: {', '.join(sorted(map(str, unknown)))}")
        if len(keys) != 1:
            raise _step_error(n, f"a step has exactly one action, found {sorted(keys) or 'none'}")
        if "at" not in step:
            raise _step_error(n, "missing `at`")
        try:
            at = parse_instant(step["at"])
        except (ValueError, TypeError) as exc:
            raise _step_error(n, f"bad `at`: {exc}") from exc
        if self.now is not None and at < self.now:
            raise _step_error(n, f"`at` goes backwards ({step['at']})")
        self.now = at
        return keys.pop()

    def fail(self, n: int | None, message: str) -> None:
        self.result.failures.append(Failure(str(self.path), n, message))

    def _step(self, n: int, action: str, step: dict[str, Any]) -> None:
        args = step[action]
        if not isinstance(args, dict):
            raise _step_error(n, f"{action}: fields must be a mapping")
        expect = step.get("expect", _NO_EXPECT)
        if action in OBSERVATIONS:
            handler = getattr(self, f"observe_{action}", None)
            if handler is None:
                raise NotImplementedAction(action)
            if expect is _NO_EXPECT:
                raise _step_error(n, f"{action}: an observation needs `expect`")
            handler(n, args, expect)
            return
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            raise NotImplementedAction(action)
        outcome = self._attempt(n, action, handler, args)
        if expect is _NO_EXPECT:
            return
        wanted = _expected_outcome(n, action, expect)
        if wanted != outcome:
            self.fail(n, f"{action}: expected {_fmt(wanted)}, saw {_fmt(outcome)}")

    def _attempt(self, n: int, action: str, handler: Callable[..., None], args: dict[str, Any]) -> str:
        """Run one action in its own transaction: 'accepted' or 'rejected:<code>'."""
        try:
            with transaction(self.factory) as db:
                handler(n, args, db)
        except XinyongError as exc:
            return f"rejected:{exc.code}"
        return "accepted"

    # ---------------------------------------------------------------- helpers

    @property
    def today(self) -> date:
        assert self.now is not None
        return local_date(self.now)

    def _subjects(self, specs: list[Any]) -> None:
        for spec in specs:
            if not isinstance(spec, dict) or "ref" not in spec:
                raise ContractError("each subject needs a `ref`")
            unknown = set(spec) - SUBJECT_KEYS
            if unknown:
                raise ContractError(f"subject {spec['ref']}: unknown key(s) {sorted(unknown)}")
            for key in ("kind", "id"):
                if key not in spec:
                    raise ContractError(f"subject {spec['ref']}: missing `{key}`")
            self.subjects[str(spec["ref"])] = spec

    def _subject_spec(self, n: int, ref: Any) -> dict[str, Any]:
        spec = self.subjects.get(str(ref))
        if spec is None:
            raise _step_error(n, f"unknown subject ref {ref!r}")
        return spec

    def _subject(self, db: Session, n: int, ref: Any) -> Subject:
        """The registered subject for a ref (registered now if it has no records yet)."""
        spec = self._subject_spec(n, ref)
        subject = subjects_service.get_or_create(
            db_session=db,
            now=self.now,
            kind=spec["kind"],  # type: ignore[arg-type]
            identifier=str(spec["id"]),
            name=str(spec.get("name") or spec["id"]),
            id_type=spec.get("id_type"),
        )
        for link in spec.get("responsible") or []:
            person = self._subject(db, n, link["ref"])
            subjects_service.link_responsible(
                db_session=db,
                now=self.now,
                organization=subject,  # type: ignore[arg-type]
                person=person,
                role=link["role"],
            )
        return subject

    def _record(self, n: int, ref: Any) -> int:
        if str(ref) not in self.records:
            raise _step_error(n, f"unknown record ref {ref!r}")
        record_id = self.records[str(ref)]
        if record_id is None:
            raise XinyongError("unknown_record", detail=f"{ref} was refused when submitted")
        return record_id

    def _provider_actor(self, provider: str) -> Actor:
        return Actor(username=provider, role=Role.provider, organization=provider)

    def _subject_actor(self, db: Session, n: int, ref: Any) -> Actor:
        subject = self._subject(db, n, ref)
        return Actor(username=f"subject:{ref}", role=Role.subject, subject_id=subject.id)

    # ---------------------------------------------------------------- actions

    def do_submit(self, n: int, args: dict[str, Any], db: Session) -> None:
        allowed = {
            "ref",
            "item",
            "subject",
            "provider",
            "decided_on",
            "source",
            "severity",
            "procedure",
            "document",
            "data",
            "consent",
            "valid_until",
            "effective_on",
            "record_id",
        }
        _check_keys(n, "submit", args, allowed, required={"ref", "item", "subject", "provider", "decided_on"})
        ref = str(args["ref"])
        self.records[ref] = None
        spec = self._subject_spec(n, args["subject"])
        values = {
            "item": args["item"],
            "subject_kind": spec["kind"],
            "subject_id": str(spec["id"]),
            "subject_id_type": spec.get("id_type"),
            "subject_name": spec.get("name"),
            "provider": args["provider"],
            "decided_on": _as_date(args["decided_on"], "decided_on").isoformat(),
            "source": args.get("source"),
            "severity": args.get("severity"),
            "procedure": args.get("procedure"),
            "document": args.get("document"),
            "data": args.get("data") or {},
            "consent": args.get("consent"),
            "valid_until": _as_date(args["valid_until"], "valid_until").isoformat()
            if args.get("valid_until")
            else None,
            "effective_on": _as_date(args["effective_on"], "effective_on").isoformat()
            if args.get("effective_on")
            else None,
            "record_id": args.get("record_id") or f"scenario:{ref}",
            "responsible": [
                {
                    "role": link["role"],
                    "name": self._subject_spec(n, link["ref"]).get("name"),
                    "id": str(self._subject_spec(n, link["ref"])["id"]),
                    "id_type": self._subject_spec(n, link["ref"]).get("id_type"),
                }
                for link in spec.get("responsible") or []
            ],
        }
        record, _ = records_service.submit(
            db_session=db,
            profile=self.profile,
            now=self.now,  # type: ignore[arg-type]
            actor=self._provider_actor(str(args["provider"])),
            values=values,
        )
        self.records[ref] = record.id

    def do_revoke(self, n: int, args: dict[str, Any], db: Session) -> None:
        _check_keys(n, "revoke", args, {"record", "document", "reason"}, required={"record"})
        record_id = self._record(n, args["record"])
        record = db.get(Record, record_id)
        assert record is not None
        records_service.revoke(
            db_session=db,
            profile=self.profile,
            now=self.now,  # type: ignore[arg-type]
            actor=self._provider_actor(record.provider),
            record_id=record_id,
            document=args.get("document"),
            reason=args.get("reason"),
        )

    def do_authorize(self, n: int, args: dict[str, Any], db: Session) -> None:
        _check_keys(
            n,
            "authorize",
            args,
            {"ref", "subject", "grantee", "purpose", "items", "until", "from"},
            required={"ref", "subject", "grantee", "purpose"},
        )
        ref = str(args["ref"])
        self.authorizations[ref] = None
        subject = self._subject(db, n, args["subject"])
        auth = authorizations_service.grant(
            db_session=db,
            profile=self.profile,
            now=self.now,
            actor=self._subject_actor(db, n, args["subject"]),  # type: ignore[arg-type]
            subject=subject,
            grantee=str(args["grantee"]),
            purpose=str(args["purpose"]),
            until=_as_date(args["until"], "until") if args.get("until") is not None else None,
            items=[str(i) for i in args["items"]] if args.get("items") is not None else None,
            valid_from=_as_date(args["from"], "from") if args.get("from") else None,
        )
        self.authorizations[ref] = auth.id

    def do_load_calendar(self, n: int, args: dict[str, Any], db: Session) -> None:
        _check_keys(n, "load_calendar", args, {"holidays", "workdays", "years"}, required=set())
        self._load_calendar(args, db, at=self.now)

    def _load_calendar(self, spec: dict[str, Any], db: Session | None, at: datetime | None) -> None:
        unknown = set(spec) - {"holidays", "workdays", "years"}
        if unknown:
            raise ContractError(f"calendar: unknown key(s) {sorted(unknown)}")
        holidays = [_as_date(d, "holidays") for d in spec.get("holidays") or []]
        workdays = [_as_date(d, "workdays") for d in spec.get("workdays") or []]
        years = spec.get("years") or sorted({d.year for d in holidays + workdays})
        if at is None:  # the file-level calendar is loaded before the first step
            first = (
                self.doc["steps"][0] if self.doc["steps"] and isinstance(self.doc["steps"][0], dict) else {}
            )
            try:
                at = parse_instant(first.get("at", "2000-01-01"))
            except (ValueError, TypeError) as exc:
                raise ContractError(f"step 1: bad `at`: {exc}") from exc
        when = at
        if db is None:
            with transaction(self.factory) as session:
                calendar_service.load_schedule(
                    db_session=session,
                    holidays=holidays,
                    workdays=workdays,
                    years=list(years),
                    source=f"scenario {self.path.name}",
                    now=when,
                )
        else:
            calendar_service.load_schedule(
                db_session=db,
                holidays=holidays,
                workdays=workdays,
                years=list(years),
                source=f"scenario {self.path.name}",
                now=when,
            )

    # ---------------------------------------------------------------- observations

    def observe_see(self, n: int, args: dict[str, Any], expect: Any) -> None:
        _check_keys(n, "see", args, {"subject", "as", "purpose"}, required={"subject", "as"})
        if not isinstance(expect, dict) or set(expect) - SEE_EXPECT_KEYS:
            raise _step_error(n, f"see: expect is a map of {sorted(SEE_EXPECT_KEYS)}")
        channel, auth_ref = _channel(n, str(args["as"]))
        with transaction(self.factory) as db:
            subject = self._subject(db, n, args["subject"])
            authorization = None
            actor = self.operator
            if channel is rules.Channel.authorized:
                if auth_ref not in self.authorizations:
                    raise _step_error(n, f"unknown authorization ref {auth_ref!r}")
                auth_id = self.authorizations[auth_ref]
                if auth_id is not None:
                    authorization = db.get(Authorization, auth_id)
            if channel is rules.Channel.authorized and authorization is None:
                shown: dict[int, Any] = {}  # a refused authorization grants nothing
                masked = False
            else:
                view = records_service.read_archive(
                    db_session=db,
                    profile=self.profile,
                    now=self.now,
                    actor=actor,
                    subject=subject,  # type: ignore[arg-type]
                    channel=channel,
                    purpose=args.get("purpose") or "scenario",
                    authorization=authorization,
                )
                shown = {v.record.id: v for v in view.records}
                masked = view.masked
        by_ref = {ref: rid for ref, rid in self.records.items()}
        for ref in expect.get("visible") or []:
            rid = self._ref_id(n, ref, by_ref)
            if rid not in shown:
                self.fail(n, f"see {args['as']}: expected {ref} visible, it is hidden")
        for ref in expect.get("hidden") or []:
            rid = self._ref_id(n, ref, by_ref)
            if rid in shown:
                self.fail(n, f"see {args['as']}: expected {ref} hidden, it is visible")
        for ref, wanted in (expect.get("marked") or {}).items():
            rid = self._ref_id(n, ref, by_ref)
            seen = shown[rid].marks if rid in shown else None
            if seen is None:
                self.fail(n, f"see {args['as']}: expected {ref} marked {wanted}, it is hidden")
            elif (not wanted and seen) or not set(wanted or []) <= set(seen):
                self.fail(n, f"see {args['as']}: expected {ref} marked {wanted}, saw {seen}")
        if "masked" in expect and bool(expect["masked"]) != masked:
            self.fail(n, f"see {args['as']}: expected masked={expect['masked']}, saw masked={masked}")

    def _ref_id(self, n: int, ref: Any, by_ref: dict[str, int | None]) -> int | None:
        if str(ref) not in by_ref:
            raise _step_error(n, f"unknown ref {ref!r}")
        return by_ref[str(ref)]

    def observe_status(self, n: int, args: dict[str, Any], expect: Any) -> None:
        _check_keys(n, "status", args, {"of"}, required={"of"})
        if not isinstance(expect, dict) or set(expect) != {"state"}:
            raise _step_error(n, "status: expect is {state: NAME}")
        ref = str(args["of"])
        if ref not in self.records:
            if ref in self.authorizations:
                raise _step_error(n, f"status of an authorization ({ref}) is not part of the contract")
            raise NotImplementedAction(f"status of {ref}")
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
                    now=self.now,  # type: ignore[arg-type]
                    record=record,
                )
        if seen != expect["state"]:
            self.fail(n, f"status of {ref}: expected {expect['state']}, saw {seen}")


_NO_EXPECT = object()


def _check_keys(n: int, action: str, args: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = set(args) - allowed
    if unknown:
        raise _step_error(n, f"{action}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    missing = required - set(args)
    if missing:
        raise _step_error(n, f"{action}: missing field(s) {', '.join(sorted(missing))}")


def _channel(n: int, text: str) -> tuple[rules.Channel, str | None]:
    if text.startswith("authorized:"):
        return rules.Channel.authorized, text.removeprefix("authorized:")
    try:
        channel = rules.Channel(text)
    except ValueError:
        raise _step_error(n, f"see: unknown channel {text!r}") from None
    if channel is rules.Channel.authorized:
        raise _step_error(n, "see: use authorized:REF")
    return channel, None


def _expected_outcome(n: int, action: str, expect: Any) -> str:
    if expect == "accepted":
        return "accepted"
    if isinstance(expect, dict) and set(expect) == {"rejected"}:
        return f"rejected:{expect['rejected']}"
    raise _step_error(n, f"{action}: expect is `accepted` or {{rejected: CODE}}, got {expect!r}")


def _fmt(outcome: str) -> str:
    return outcome.replace("rejected:", "rejected ")
