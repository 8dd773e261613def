"""`xinyong repair list --jurisdiction J [--overdue]`: the repair work queue in a terminal.

The database is the one named by XINYONG_DATABASE_URL (default: the embedded SQLite file).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core import profile as profiles
from xinyong.core.clock import DEFAULT_HOUR, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.rights.repair import service

app = typer.Typer(help="Credit repair cases (信用修复).", no_args_is_help=True)


@app.callback()
def repair() -> None:
    """Credit repair cases (信用修复): the work queue."""


@app.command("list")
def list_command(
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="profile id, e.g. shenzhen")],
    overdue: Annotated[bool, typer.Option("--overdue", help="only cases past a due date")] = False,
    all_: Annotated[bool, typer.Option("--all", help="closed cases too")] = False,
    today: Annotated[str | None, typer.Option("--today", help="as of this local date (YYYY-MM-DD)")] = None,
) -> None:
    """Repair cases, overdue first, then by the due date of what each waits for."""
    try:
        profile = profiles.get(jurisdiction)
        now = system_clock()  # the CLI is the edge: the only place the wall clock is read
        if today is not None:
            try:
                day = date.fromisoformat(today)
            except ValueError:
                raise typer.BadParameter(f"{today!r} is not a date", param_hint="--today") from None
            now = datetime.combine(day, DEFAULT_HOUR, tzinfo=ZoneInfo(profile.meta.timezone))
        engine = make_engine()
        ensure_schema(engine)
        with transaction(session_factory(engine)) as db_session:
            views = service.list_cases(
                db_session=db_session,
                profile=profile,
                now=now,
                overdue=True if overdue else None,
                open_only=not all_,
            )
            rows = [
                (
                    v.case.ref,
                    v.case.state,
                    v.subject.identifier,
                    str(v.case.record_id or ""),
                    v.case.handling_unit,
                    v.waiting.name if v.waiting else "",
                    (
                        f"{v.waiting.due}{' (provisional)' if v.waiting.provisional else ''}"
                        if v.waiting and v.waiting.due
                        else ""
                    ),
                    "OVERDUE" if v.overdue else "",
                )
                for v in views
            ]
    except XinyongError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    table = Table(title=f"{jurisdiction}: repair cases / 信用修复案件")
    for heading in ("case", "state", "subject", "record", "deciding unit", "waiting for", "due", "overdue"):
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console = Console(width=200)
    console.print(table)
    console.print(f"{len(rows)} cases / 件")
