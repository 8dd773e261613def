"""`xinyong notices list|send`: read the outbox and deliver what is pending."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.calendar import service as calendar_service
from xinyong.core.clock import local_date, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.dbcli import ensure_schema
from xinyong.notices import service
from xinyong.notices.transports import TRANSPORTS, get_transport

app = typer.Typer(no_args_is_help=True, help="Notification outbox (通知): list, send.")
console = Console()


@app.command("list")
def list_command(
    pending: bool = typer.Option(False, "--pending", help="only notices not sent yet"),
    jurisdiction: str | None = typer.Option(None, "--jurisdiction", "-j", help="profile id"),
    case_ref: str | None = typer.Option(None, "--case", help="one case's notices"),
    limit: int = typer.Option(500, min=1),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of a table"),
) -> None:
    """Every stored notice, oldest first: recipient, kind, due date, sent state, attempts."""
    engine = make_engine()
    ensure_schema(engine)
    now = system_clock()
    with transaction(session_factory(engine)) as db:
        rows = service.list_notices(
            db_session=db, jurisdiction=jurisdiction, pending=pending, case_ref=case_ref, limit=limit
        )
        calendar = calendar_service.get_calendar(db_session=db)
        if as_json:
            for n in rows:
                line = service.message_of(n, n.sent_at or now, calendar)
                line.update(sent_at=n.sent_at.isoformat() if n.sent_at else None, attempts=n.attempts)
                line.update(transport=n.transport, last_error=n.last_error)
                line["overdue"] = service.is_overdue(n, local_date(now), calendar)
                typer.echo(json.dumps(line, ensure_ascii=False))
            return
        table = Table("id", "jurisdiction", "kind", "recipient", "case", "due", "sent", "attempts")
        today = local_date(now)
        for n in rows:
            due = ""
            found = service.due_of(n, calendar)
            if found is not None:
                due = found.due.isoformat() + (" 暂定" if found.provisional else "")
                due += " 逾期" if service.is_overdue(n, today, calendar) else ""
            sent = n.sent_at.isoformat(timespec="seconds") + f" ({n.transport})" if n.sent_at else "pending"
            table.add_row(
                str(n.id),
                n.jurisdiction,
                n.kind,
                f"{n.recipient} [{n.recipient_kind}]",
                n.case_ref or "",
                due,
                sent if not n.last_error else f"{sent}: {n.last_error}",
                str(n.attempts),
            )
    engine.dispose()
    console.print(table)
    console.print(f"{len(rows)} notice(s)")


@app.command("send")
def send_command(
    transport: str = typer.Option("file", "--transport", "-t", help=" / ".join(TRANSPORTS)),
    outbox: Path | None = typer.Option(None, "--outbox", help="directory for the file transport"),
    jurisdiction: str | None = typer.Option(None, "--jurisdiction", "-j", help="profile id"),
) -> None:
    """Deliver every pending notice; failures keep their attempt count and are retried next time."""
    if transport not in TRANSPORTS:
        console.print(f"[red]unknown transport {transport!r} (one of {', '.join(TRANSPORTS)})[/red]")
        raise typer.Exit(2)
    carrier = get_transport(transport, directory=outbox)
    engine = make_engine()
    ensure_schema(engine)
    with transaction(session_factory(engine)) as db:
        report = service.deliver_pending(
            db_session=db, now=system_clock(), transport=carrier, jurisdiction=jurisdiction
        )
    engine.dispose()
    console.print(f"sent {len(report.sent)}, failed {len(report.failed)} ({carrier.name})")
    for notice_id, error in report.failed.items():
        console.print(f"[red]#{notice_id}: {error}[/red]")
    raise typer.Exit(0 if not report.failed else 1)
