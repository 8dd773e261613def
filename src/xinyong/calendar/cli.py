"""`xinyong calendar`: load a year's State Council schedule, show what the platform knows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from xinyong.calendar import service
from xinyong.core.clock import SHANGHAI, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema

app = typer.Typer(
    help="工作日历 Working-day calendar: load the State Council holiday schedule of a year, show a year.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="Database URL (default: $XINYONG_DATABASE_URL or sqlite:///var/xinyong.db)"
    ),
]
_WEEKDAYS = "一二三四五六日"


def _sessions(url: str | None) -> sessionmaker[Session]:
    engine = make_engine(url)
    ensure_schema(engine)
    return session_factory(engine)


def _fail(exc: XinyongError) -> typer.Exit:
    errors.print(f"[red]{exc.code}[/red]: {exc.message_zh()}\n{exc.message_en()}", highlight=False)
    return typer.Exit(code=1)


@app.command()
def load(
    file: Annotated[Path, typer.Argument(help="YAML schedule file, e.g. docs/examples/calendar-2027.yaml")],
    database_url: DbUrl = None,
) -> None:
    """Load (or re-load) the schedule of the years a file declares; those years become known."""
    try:
        parsed = service.read_schedule_file(file)
        with transaction(_sessions(database_url)) as db_session:
            years = service.load_schedule(
                db_session=db_session,
                holidays=parsed.holidays,
                workdays=parsed.workdays,
                years=parsed.years,
                source=parsed.source or str(file),
                note=parsed.note,
                notes=parsed.notes,
                now=system_clock(),  # the CLI is the edge: the only place that reads the clock
            )
    except XinyongError as exc:
        raise _fail(exc) from None
    console.print(
        f"Loaded {', '.join(map(str, years))} from {file}: {len(parsed.holidays)} holidays, "
        f"{len(parsed.workdays)} adjusted working days (调休上班). "
        "Deadlines in these years are no longer provisional."
    )


@app.command()
def show(year: Annotated[int, typer.Argument(help="e.g. 2027")], database_url: DbUrl = None) -> None:
    """List the holidays and adjusted working days (调休) of a year, and whether it is known."""
    with transaction(_sessions(database_url)) as db_session:
        view = service.describe_year(db_session=db_session, year=year)
    if not view.known:
        title = f"{year}: 未加载 not loaded — counted Monday–Friday, deadlines are provisional"
    elif view.loaded_at is not None:
        loaded = view.loaded_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        title = f"{year}: known — loaded {loaded} from {view.source}"
    else:
        title = f"{year}: known — bundled schedule ({view.source})"
    if not view.days:
        console.print(title)
        return
    table = Table(title=title, caption=view.note)
    for column in ("日期 Date", "星期", "状态 Status", "说明 Note", "来源 Source"):
        table.add_column(column)
    for day in view.days:
        if day.is_workday:
            status = "[yellow]班 working day[/yellow]" if day.day.weekday() >= 5 else "班 working day"
        else:
            status = "[green]休 holiday[/green]" if day.day.weekday() < 5 else "休 holiday (weekend)"
        source = "" if day.source == view.source else day.source  # only where it differs from the year's
        table.add_row(day.day.isoformat(), _WEEKDAYS[day.day.weekday()], status, day.note or "", source)
    console.print(table)
