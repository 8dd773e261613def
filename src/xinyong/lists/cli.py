"""`xinyong listings ...`: a jurisdiction's listings and their state as of an instant.

The database is the one named by XINYONG_DATABASE_URL (default: the embedded SQLite file).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from xinyong.core import profile as profiles
from xinyong.core.clock import parse_instant, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.lists import service
from xinyong.lists.models import Listing

app = typer.Typer(
    help="Lists (名单): listings, their stage, notice, decision and validity.", no_args_is_help=True
)

Jurisdiction = Annotated[str, typer.Option("--jurisdiction", "-j", help="profile id, e.g. henan")]
At = Annotated[str | None, typer.Option("--at", help="as of this instant (ISO, with offset); default: now")]


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
def list_listings(
    jurisdiction: Jurisdiction,
    list_name: Annotated[str | None, typer.Option("--list", help="severe, red, key_attention, ...")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
    at: At = None,
) -> None:
    """Every listing of the jurisdiction (of one list), with its state now."""
    now = _now(at)
    engine = make_engine()
    ensure_schema(engine)
    rows: list[dict[str, object]] = []
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            query = select(Listing).where(Listing.jurisdiction == profile.id).order_by(Listing.id)
            if list_name is not None:
                query = query.where(Listing.list_name == list_name)
            for listing in db.scalars(query):
                v = service.view(db_session=db, profile=profile, now=now, listing=listing)
                rows.append(
                    {
                        "ref": listing.ref,
                        "list": listing.list_name,
                        "subject_id": listing.subject_id,
                        "ground": listing.ground,
                        "state": v.status,
                        "valid_until": listing.valid_until.isoformat() if listing.valid_until else None,
                        "determining_body": listing.determining_body,
                    }
                )
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("listing", "list", "subject", "ground", "state", "valid until", "determining body")
    for r in rows:
        table.add_row(*(str(r[k] if r[k] is not None else "—") for k in r))
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} listing(s) in {jurisdiction}")


@app.command("show")
def show(
    listing_id: Annotated[int, typer.Argument(help="listing number (LST-<n>)")],
    jurisdiction: Jurisdiction,
    at: At = None,
) -> None:
    """One listing: its state now, notice, decision document and every event."""
    now = _now(at)
    engine = make_engine()
    ensure_schema(engine)
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            listing = service.get_or_raise(db_session=db, listing_id=listing_id, jurisdiction=profile.id)
            v = service.view(db_session=db, profile=profile, now=now, listing=listing)
            console = Console()
            until = listing.valid_until.isoformat() if listing.valid_until else "until removed"
            console.print(
                f"{listing.ref} {listing.list_name} subject {listing.subject_id}: {v.status}"
                + (f" ({v.state.reason})" if v.state.reason else "")
                + f", valid {until} (version {listing.version})"
            )
            for title, doc in (("notice", listing.notice), ("decision", listing.decision)):
                if doc:
                    console.print(f"[bold]{title}[/bold]")
                    console.print_json(json.dumps(doc, ensure_ascii=False))
            events = Table("#", "at", "event", "by", "state", "reason")
            for e in v.events:
                events.add_row(str(e.seq), e.at.isoformat(), e.kind, e.actor, e.state_after, e.reason or "")
            console.print(events)
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
