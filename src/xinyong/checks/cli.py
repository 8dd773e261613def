"""`xinyong check`: the automatic check from the command line.

    xinyong check SUBJECT --matter M --unit U -j PROFILE       one subject, measures with their articles
    xinyong check batch FILE --matter M --unit U -j PROFILE    one identifier per line → NDJSON on stdout
    xinyong check statistics --from D --to D -j PROFILE       per-measure counts for publication

One command dispatching on its first word, so `xinyong check SUBJECT` stays as short as the brief of
the platform says while `batch` and `statistics` live beside it.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from xinyong.checks import service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import system_clock
from xinyong.core.db import Base, make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema

console = Console()
err = Console(stderr=True)


def open_engine() -> Engine:
    engine = make_engine()
    ensure_schema(engine)
    # until the migration carries them (lead): create the check and measures tables when missing
    import xinyong.checks.models
    import xinyong.measures.models  # noqa: F401

    tables = [Base.metadata.tables[n] for n in ("measure_lists", "check_batches", "checks", "check_feedback")]
    Base.metadata.create_all(engine, tables=tables, checkfirst=True)
    return engine


def _actor(jurisdiction: str) -> Actor:
    return Actor(
        username="cli", role=Role.operator, organization="公共信用信息工作机构", jurisdiction=jurisdiction
    )


def check_command(
    args: list[str] = typer.Argument(..., help="SUBJECT | batch FILE | statistics"),
    jurisdiction: str = typer.Option(..., "--jurisdiction", "-j", help="profile id, e.g. nanjing"),
    matter: str | None = typer.Option(None, "--matter", "-m", help="e.g. government_procurement"),
    unit: str | None = typer.Option(
        None, "--unit", "-u", help="the implementing unit (a registered organization)"
    ),
    start: str | None = typer.Option(None, "--from", help="statistics: first day (YYYY-MM-DD)"),
    end: str | None = typer.Option(None, "--to", help="statistics: last day (YYYY-MM-DD)"),
    as_json: bool = typer.Option(False, "--json", help="print the full JSON result"),
) -> None:
    """Automatic check (自动比对): which listed measures apply to a subject for a matter."""
    try:
        profile = profiles.get(jurisdiction)
        factory = session_factory(open_engine())
        now = system_clock()
        actor = _actor(profile.id)
        if args[0] == "statistics":
            if not start or not end:
                raise XinyongError("missing_field", field="--from/--to")
            with transaction(factory) as db:
                stats = service.statistics(
                    db_session=db,
                    profile=profile,
                    start=date.fromisoformat(start),
                    end=date.fromisoformat(end),
                )
            _print_statistics(stats, as_json)
            return
        if matter is None:
            raise XinyongError("missing_field", field="--matter")
        if args[0] == "batch":
            if len(args) != 2:
                raise XinyongError("missing_field", field="FILE")
            path = Path(args[1])
            subjects = service.read_subjects(path.read_text(encoding="utf-8").splitlines())
            with transaction(factory) as db:
                for line in service.check_batch(
                    db_session=db,
                    profile=profile,
                    now=now,
                    actor=actor,
                    subjects=subjects,
                    matter=matter,
                    unit=unit,
                    on_chunk=db.commit,
                ):
                    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            return
        with transaction(factory) as db:
            result = service.check(
                db_session=db,
                profile=profile,
                now=now,
                actor=actor,
                subject=args[0],
                matter=matter,
                unit=unit,
            )
            out = result.as_dict()
    except XinyongError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except OSError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        console.print_json(json.dumps(out, ensure_ascii=False))
        return
    _print_result(out)


def _print_result(out: dict[str, object]) -> None:
    subject = out["subject"]
    assert isinstance(subject, dict)
    console.print(
        f"check {out['check_id']}: {subject['name']} ({subject['identifier']}) — {out['matter']} — "
        f"restricted={out['restricted']} incentive={out['incentive']}"
    )
    table = Table("code", "kind", "measure", "basis", "triggered by")
    for m in out["measures"]:  # type: ignore[attr-defined]
        triggers = "; ".join(
            f"{t['kind']} {t.get('list') or t.get('standing') or ''} {t.get('listing_id') or ''} "
            f"records {t['record_ids']}"
            for t in m["triggers"]
        )
        table.add_row(m["code"], m["kind"], m["name"], " / ".join([m["cite"], *m["also_cites"]]), triggers)
    console.print(table)
    for g in out["guarded"]:  # type: ignore[attr-defined]
        console.print(f"  not applied {g['measure']}: {g['guard']} — {g['detail']} [{g['cite']}]")


def _print_statistics(stats: dict[str, object], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(stats, ensure_ascii=False))
        return
    console.print(
        f"{stats['jurisdiction']} {stats['from']} – {stats['to']}  (published under {stats['cite']})"
    )
    table = Table("code", "measure", "returned", "applied", "not applied", "no feedback")
    for row in stats["measures"]:  # type: ignore[attr-defined]
        table.add_row(
            row["code"],
            row["name"] or "",
            str(row["returned"]),
            str(row["applied"]),
            str(row["not_applied"]),
            str(row["no_feedback"]),
        )
    console.print(table)
