"""`xinyong measures`: show a profile's measures with their articles; load a local list."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import local_date, system_clock
from xinyong.core.db import session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.measures import loader

app = typer.Typer(no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("show")
def show(
    profile_id: str = typer.Argument(..., help="profile id, e.g. nanjing"),
    day: str | None = typer.Option(None, help="the day the lists are read at (default: today)"),
    packaged: bool = typer.Option(False, help="the packaged base file only, no database"),
) -> None:
    """Every measure in force, with its kind, matters, targets, basis (article), list and version."""
    from datetime import date

    from xinyong.checks.cli import open_engine

    try:
        profile = profiles.get(profile_id)
        when = date.fromisoformat(day) if day else local_date(system_clock())
        if packaged:
            doc = loader.base(profile.id)
            ms = loader.MeasureSet(
                profile=profile.id,
                guards=doc.guards,  # type: ignore[arg-type]
                measures=loader._listed(doc),
                lists=((doc.list.id, "base", doc.list.version, doc.list.effective_from),),
            )
        else:
            with transaction(session_factory(open_engine())) as db:
                ms = loader.measure_set(db_session=db, profile=profile, day=when)
    except XinyongError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    for list_id, layer, version, eff in ms.lists:
        console.print(f"list {list_id} ({layer}) version {version}, in force from {eff}")
    table = Table("code", "kind", "measure", "matters", "targets", "basis", "list@version")
    for code, lm in ms.measures.items():
        m = lm.measure
        t = m.targets
        targets = ", ".join([*t.lists, *t.standings, *(f"grade:{g}" for g in t.evaluations)])
        if t.responsible_persons:
            targets += " (+responsible persons)"
        table.add_row(
            code,
            m.kind,
            m.name,
            ", ".join(m.matters) or "—",
            targets,
            m.cite,
            f"{lm.list_id}@{lm.version}" + ("" if lm.in_force(when) else " (not in force)"),
        )
    console.print(table)
    g = ms.guards
    console.print("guards:")
    for name, value in g.model_dump(exclude_none=True).items():
        if name == "excluded_bases":
            for b in value:
                console.print(f"  excluded basis: {b['item']} [{b['cite']}]")
        else:
            console.print(f"  {name}: {value.get('cite')}")


@app.command("load")
def load(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a local measures list (TOML)"),
    profile_id: str = typer.Option(..., "--profile", "-p", help="profile id"),
) -> None:
    """Validate and store a local supplementary list with its version and effective date."""
    from xinyong.checks.cli import open_engine

    try:
        profile = profiles.get(profile_id)
        text, _ = loader.read_file(file)
        actor = Actor(username="cli", role=Role.operator, organization="公共信用信息工作机构")
        with transaction(session_factory(open_engine())) as db:
            row = loader.load(
                db_session=db, profile=profile, now=system_clock(), actor=actor, text=text, source=file.name
            )
            summary = (row.id, row.list_id, row.version, row.effective_from, len(row.summary["codes"]))
    except XinyongError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(
        f"loaded list {summary[1]} version {summary[2]} (row {summary[0]}), in force from {summary[3]}: "
        f"{summary[4]} measures"
    )


@app.command("check")
def check_file(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Validate a measures file without loading it (CI for list authors)."""
    try:
        _, doc = loader.read_file(file)
        if doc.list.layer == "local":
            loader.check_local(doc, profiles.get(doc.list.profile), str(file))
    except XinyongError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"{file}: ok ({len(doc.measures)} measures)")
