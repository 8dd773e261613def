"""`xinyong objections ...`: the objection cases of a jurisdiction, with what each waits for.

The database is the one named by XINYONG_DATABASE_URL (default: the embedded SQLite file).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core import profile as profiles
from xinyong.core.actor import SYSTEM, Actor, Role
from xinyong.core.clock import parse_instant, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.queues.service import sort_key
from xinyong.rights.objections import service

app = typer.Typer(help="Objections (异议): open cases, stages and due dates.", no_args_is_help=True)

Jurisdiction = Annotated[str, typer.Option("--jurisdiction", "-j", help="profile id, e.g. shenzhen")]
At = Annotated[
    str | None,
    typer.Option("--at", help="read the queue as of this instant (ISO, with offset); default: now"),
]


def _now(value: str | None) -> datetime:
    if value is None:
        return system_clock()
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None


def _fail(exc: XinyongError) -> typer.Exit:
    Console(stderr=True).print(f"[red]{exc}[/red]")
    return typer.Exit(2)


@app.command("list")
def list_cases(
    jurisdiction: Jurisdiction,
    overdue: Annotated[bool, typer.Option("--overdue", help="only cases with an overdue stage")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
    at: At = None,
) -> None:
    """Open cases: overdue first, then by the due date of what each waits for."""
    now = _now(at)
    engine = make_engine()
    ensure_schema(engine)
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            rows = service.open_cases(db_session=db, jurisdiction=profile.id, now=now, profile=profile)
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
    rows = sorted((r for r in rows if r.overdue or not overdue), key=sort_key)
    if as_json:
        out = [
            {
                "ref": r.ref,
                "subject": r.subject,
                "handling_unit": r.handling_unit,
                "stage": r.stage,
                "due": r.due[0].isoformat() if r.due else None,
                "provisional": bool(r.due and r.due[1]),
                "overdue": r.overdue,
                "opened_at": r.opened_at.isoformat(),
            }
            for r in rows
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console = Console()  # made per command, so the terminal's (or COLUMNS') width applies
    table = Table("case", "subject", "handling unit", "waiting for", "due", "overdue", "opened")
    for r in rows:
        due = "—" if r.due is None else r.due[0].isoformat() + (" (provisional)" if r.due[1] else "")
        table.add_row(
            r.ref,
            r.subject,
            r.handling_unit,
            r.stage,
            due,
            "yes" if r.overdue else "",
            r.opened_at.date().isoformat(),
        )
    console.print(table)
    console.print(f"{len(rows)} open case(s){' overdue' if overdue else ''} in {jurisdiction}")


@app.command("show")
def show(
    case_id: Annotated[int, typer.Argument(help="case number (OBJ-<n>)")],
    jurisdiction: Jurisdiction,
    at: At = None,
) -> None:
    """One case: every stage with its due date and status, every event."""
    now = _now(at)
    engine = make_engine()
    ensure_schema(engine)
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            case = service.get_or_raise(db_session=db, case_id=case_id, jurisdiction=profile.id)
            view = service.view(db_session=db, profile=profile, now=now, case=case)
            stages = Table("stage", "from", "within", "due", "status", "met", "cite")
            for s in view.stages:
                due = (
                    "—"
                    if s.due is None
                    else s.due.due.isoformat() + (" (provisional)" if s.due.provisional else "")
                )
                status = s.status + (" OVERDUE" if s.overdue else "") + (" late" if s.late else "")
                met = s.met_on.isoformat() if s.met_on else ""
                stages.add_row(s.name, s.from_, s.within, due, status, met, s.cite)
            events = Table("#", "at", "event", "by", "state", "reason")
            for e in view.events:
                events.add_row(str(e.seq), e.at.isoformat(), e.kind, e.actor, e.state_after, e.reason or "")
            console = Console()
            console.print(f"{case.ref} record {case.record_id}: {case.state} (version {case.version})")
            console.print(
                f"received by {case.filed_with}{f' ({case.received_by})' if case.received_by else ''}; "
                f"ground {case.ground or '—'}"
                + (f"; filed under OWX-{case.window_extension_id}" if case.window_extension_id else "")
            )
            console.print(stages)
            console.print(events)
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()


@app.command("decide-extension")
def decide_extension(
    request_id: Annotated[int, typer.Argument(help="window extension request number (OWX-<n>)")],
    jurisdiction: Jurisdiction,
    approve: Annotated[bool, typer.Option("--approve/--deny", help="approve or deny the request")],
    until: Annotated[
        str | None, typer.Option("--until", help="approved: last day to file (YYYY-MM-DD)")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="the verification behind it")] = None,
    operator: Annotated[str, typer.Option("--operator", help="the deciding operator's name")] = "operator",
    at: At = None,
) -> None:
    """Approve or deny a request to file an objection after the window (Shenzhen 第三十八条)."""
    now = _now(at)
    try:
        last = date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--until") from None
    actor = Actor(username=operator, role=Role.operator, organization=SYSTEM.organization)
    engine = make_engine()
    ensure_schema(engine)
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            ext = service.decide_window_extension(
                db_session=db,
                profile=profile,
                now=now,
                actor=actor,
                request_id=request_id,
                approve=approve,
                until=last,
                reason=reason,
            )
            typer.echo(f"{ext.ref}: {ext.state}" + (f" through {ext.until.isoformat()}" if ext.until else ""))
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
