"""`xinyong catalog`: list a jurisdiction's items, sync from the profile, show an item's versions."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from xinyong.catalog import service
from xinyong.core import profile as profiles
from xinyong.core.clock import system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.dbcli import ensure_schema

app = typer.Typer(no_args_is_help=True)
console = Console()


def _factory():
    engine = make_engine()
    ensure_schema(engine)
    return session_factory(engine)


@app.command("list")
def list_items(jurisdiction: str) -> None:
    """Every item of a jurisdiction's catalog with class, scopes, period and article."""
    profile = profiles.get(jurisdiction)
    with transaction(_factory()) as db:
        service.sync(db_session=db, profile=profile, now=system_clock(), actor="cli")
        rows = service.latest_versions(db_session=db, jurisdiction=jurisdiction)
    table = Table(
        "code", "名称", "class", "v", "public", "government", "period", "cite", title=profile.meta.title
    )
    for code in profile.catalog.items:
        d = rows[code].definition
        table.add_row(
            code,
            d["name"],
            d["class"],
            str(rows[code].version),
            ",".join(d["public"]),
            ",".join(d["government"]),
            d["disclosure_period"] or "—",
            d["cite"],
        )
    console.print(table)


@app.command("sync")
def sync(jurisdiction: str) -> None:
    """Append catalog versions for items whose profile definition changed."""
    profile = profiles.get(jurisdiction)
    with transaction(_factory()) as db:
        versions = service.sync(db_session=db, profile=profile, now=system_clock(), actor="cli")
    console.print(f"{jurisdiction}: {len(versions)} items in force")


@app.command("history")
def history(jurisdiction: str, code: str) -> None:
    """Every version of one item: when, by whom, why."""
    with transaction(_factory()) as db:
        rows = service.history(db_session=db, jurisdiction=jurisdiction, code=code)
        table = Table("version", "effective from", "status", "by", "reason")
        for row in rows:
            table.add_row(
                str(row.version), row.effective_from.isoformat(), row.status, row.created_by, row.reason or ""
            )
    console.print(table)
