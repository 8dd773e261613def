"""`xinyong queue`: open cases by due date, overdue first, per handling unit."""

from __future__ import annotations

import json
from datetime import UTC

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.clock import system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.queues import service

console = Console()


def queue_command(
    jurisdiction: str | None = typer.Option(None, "--jurisdiction", "-j", help="profile id (default: all)"),
    unit: str | None = typer.Option(None, "--unit", help="one handling unit, e.g. platform"),
    overdue: bool = typer.Option(False, "--overdue", help="only overdue cases"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of tables"),
) -> None:
    """Open cases of every kind: overdue first, then by due date, grouped by handling unit."""
    engine = make_engine()
    ensure_schema(engine)
    try:
        with transaction(session_factory(engine)) as db:
            queue = service.gather(
                db_session=db, now=system_clock(), jurisdiction=jurisdiction, unit=unit, overdue_only=overdue
            )
    except XinyongError as exc:
        console.print(f"[red]{exc.code}: {exc.detail or exc.spec.en}[/red]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(_as_json(queue), ensure_ascii=False, indent=2))
        return
    for name, cases in queue.by_unit().items():
        late = sum(c.overdue for c in cases)
        table = Table(
            "ref",
            "kind",
            "jurisdiction",
            "subject",
            "stage",
            "due",
            title=f"{name} — {len(cases)} open, {late} overdue",
        )
        for c in cases:
            due = ""
            if c.due:
                due = c.due[0].isoformat() + (" 暂定" if c.due[1] else "")
            if c.overdue:
                due = f"[red]{due} 逾期[/red]"
            table.add_row(c.ref, c.kind, c.jurisdiction, c.subject, c.stage, due)
        console.print(table)
    console.print(f"{len(queue.cases)} open case(s), {sum(c.overdue for c in queue.cases)} overdue")
    for why in queue.missing:
        console.print(f"[yellow]not in this queue: {why}[/yellow]")


def _as_json(queue: service.Queue) -> dict[str, object]:
    return {
        "as_of": queue.as_of.astimezone(UTC).isoformat(),
        "units": {
            name: [
                {
                    "ref": c.ref,
                    "kind": c.kind,
                    "jurisdiction": c.jurisdiction,
                    "subject": c.subject,
                    "stage": c.stage,
                    "due": {"date": c.due[0].isoformat(), "provisional": c.due[1]} if c.due else None,
                    "overdue": c.overdue,
                    "opened_at": c.opened_at.astimezone(UTC).isoformat(),
                }
                for c in cases
            ]
            for name, cases in queue.by_unit().items()
        },
        "missing": queue.missing,
    }
