"""`xinyong report SUBJECT -j J [--html FILE]` and `xinyong reports verify NUMBER`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.reports import html, service
from xinyong.subjects import service as subjects_service

app = typer.Typer(no_args_is_help=True, help="Credit reports: verify a number, list a subject's reports.")
err = Console(stderr=True)
COUNTER = Actor(username="cli:counter", role=Role.operator, organization="公共信用信息工作机构")


def _fail(exc: XinyongError) -> typer.Exit:
    err.print(f"[red]{exc.code}: {exc.detail or exc.spec.en}[/red]")
    return typer.Exit(2)


def report_command(
    subject: str = typer.Argument(..., help="the subject's identifier (统一社会信用代码 / 公民身份号码)"),
    jurisdiction: str = typer.Option(..., "--jurisdiction", "-j", help="profile id, e.g. jilin"),
    html_file: Path | None = typer.Option(None, "--html", help="also write the report as HTML here"),
    json_file: Path | None = typer.Option(None, "--json", help="write the JSON here instead of stdout"),
    purpose: str | None = typer.Option(None, help="written to the query log"),
) -> None:
    """Issue a subject's own credit report at the counter (after real-name authentication)."""
    engine = make_engine()
    ensure_schema(engine)
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            who = subjects_service.get_by_identifier_or_raise(db_session=db, identifier=subject)
            report = service.issue(
                db_session=db,
                profile=profile,
                now=system_clock(),
                actor=COUNTER,
                subject=who,
                purpose=purpose,
            )
            number, digest, content = report.number, report.content_hash, report.content
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
    text = json.dumps(content, ensure_ascii=False, indent=2)
    if json_file is not None:
        json_file.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    if html_file is not None:
        html_file.write_text(html.render(content, digest), encoding="utf-8")
    free = "free" if content["fee"]["free"] else "not free"
    err.print(f"report {number}: {len(content['records'])} record(s), {free}; sha256 {digest}")


@app.command("verify")
def verify_command(
    number: str = typer.Argument(..., help="the report number, e.g. JILIN-2026-000003-17"),
    hash_: str | None = typer.Option(None, "--hash", help="SHA-256 of the copy you hold"),
) -> None:
    """Check that the platform issued this number and, with --hash, that a copy is unaltered."""
    engine = make_engine()
    ensure_schema(engine)
    try:
        with transaction(session_factory(engine)) as db:
            found = service.verify(db_session=db, number=number, presented_hash=hash_)
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
    typer.echo(
        f"{found.number}: issued {found.issued_at.isoformat(timespec='seconds')} in {found.jurisdiction} "
        f"to {found.subject_name} ({found.subject}); sha256 {found.content_hash}; "
        f"{'intact' if found.intact else 'STORED CONTENT ALTERED'}"
        + ("" if found.matches is None else f"; copy {'matches' if found.matches else 'DOES NOT MATCH'}")
    )
    raise typer.Exit(0 if found.intact and found.matches is not False else 1)


@app.command("list")
def list_command(
    subject: str = typer.Argument(..., help="the subject's identifier"),
    jurisdiction: str = typer.Option(..., "--jurisdiction", "-j", help="profile id"),
) -> None:
    """The reports issued to a subject: number, time, free or not."""
    engine = make_engine()
    ensure_schema(engine)
    try:
        with transaction(session_factory(engine)) as db:
            who = subjects_service.get_by_identifier_or_raise(db_session=db, identifier=subject)
            rows = service.of_subject(db_session=db, jurisdiction=jurisdiction, subject_id=who.id)
            lines = [
                f"{r.number}  {r.issued_at.isoformat(timespec='seconds')}  {'free' if r.free else 'not free'}"
                for r in rows
            ]
    except XinyongError as exc:
        raise _fail(exc) from exc
    finally:
        engine.dispose()
    for line in lines:
        typer.echo(line)
