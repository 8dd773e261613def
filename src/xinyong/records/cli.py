"""`xinyong ingest FILE`: aggregate a provider's file with a progress bar and a row-by-row report."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.records import ingest
from xinyong.records import service as records_service
from xinyong.records.pipeline import PIPELINE_MIN_ROWS, worker_enabled

console = Console()


def ingest_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (UTF-8/GBK), XLSX or JSON Lines"),
    jurisdiction: str = typer.Option(..., "--jurisdiction", "-j", help="profile id, e.g. jiangsu"),
    provider: str = typer.Option(..., "--provider", "-p", help="the provider unit submitting the file"),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help="built-in mapping id or mapping file"),
    encoding: str | None = typer.Option(None, help="force a CSV encoding (default: UTF-8, else GB18030)"),
    report: Path | None = typer.Option(None, help="write the full error report as JSON here"),
    worker: bool | None = typer.Option(
        None,
        "--worker/--no-worker",
        help="check rows in a worker process while storing (default: XINYONG_INGEST_WORKER, off)",
    ),
) -> None:
    """Validate and store every row; good rows are kept, bad rows are reported with row, field and code."""
    try:
        profile = profiles.get(jurisdiction)
        rows = ingest.read_rows(file, mapping=mapping, encoding=encoding, defaults={"provider": provider})
        total = ingest.count_rows(file)
    except XinyongError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    engine = make_engine()
    ensure_schema(engine)
    actor = Actor(username=f"cli:{provider}", role=Role.provider, organization=provider)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(f"归集 {file.name}", total=total)
        try:
            with transaction(session_factory(engine)) as db:
                result = records_service.submit_batch(
                    db_session=db,
                    profile=profile,
                    now=system_clock(),
                    actor=actor,
                    rows=rows,
                    name=file.name,
                    provider=provider,
                    progress=lambda n: bar.advance(task, n),
                    # rows checked in a worker process, if wanted, unless the file is known to be small
                    pipelined=(worker_enabled() if worker is None else worker)
                    and (total is None or total >= PIPELINE_MIN_ROWS),
                )
        except XinyongError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    console.print(
        f"batch {result.batch_id}: {result.total} rows — accepted {result.accepted}, "
        f"resubmitted {result.duplicates}, rejected {result.rejected}"
    )
    if result.errors:
        table = Table("row", "field", "code", "message")
        for err in result.errors[:50]:
            table.add_row(str(err.get("row", "")), str(err.get("field", "")), err["code"], err["message_zh"])
        console.print(table)
        if len(result.errors) > 50:
            console.print(f"… {len(result.errors) - 50} more (use --report)")
    if report:
        report.write_text(json.dumps(result.errors, ensure_ascii=False, indent=2), encoding="utf-8")
    raise typer.Exit(0 if result.rejected == 0 else 1)
