"""`xinyong commitments ...`: the commitment matters list, the route check, one commitment.

The database is the one named by XINYONG_DATABASE_URL (default: the embedded SQLite file).
Operators add the matters a department publishes (Jiangsu 第二十三条 清单制; Jilin 第五十一条 公布).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from xinyong.commitments import rules, service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import parse_instant, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.subjects import service as subjects_service

app = typer.Typer(help="Credit commitments (信用承诺): matters list, route check.", no_args_is_help=True)

Jurisdiction = Annotated[str, typer.Option("--jurisdiction", "-j", help="profile id, e.g. jilin")]
At = Annotated[str | None, typer.Option("--at", help="as of this instant (ISO, with offset); default: now")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON instead of a table")]
T = TypeVar("T")


def _now(value: str | None) -> datetime:
    if value is None:
        return system_clock()
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None


def _run(jurisdiction: str, fn: Callable[[Session, Any], T]) -> T:
    engine = make_engine()
    ensure_schema(engine)
    try:
        profile = profiles.get(jurisdiction)
        with transaction(session_factory(engine)) as db:
            return fn(db, profile)
    except XinyongError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


def _operator(name: str) -> Actor:
    return Actor(username=name, role=Role.operator, organization="公共信用信息工作机构")


@app.command("matters")
def matters(jurisdiction: Jurisdiction, as_json: AsJson = False) -> None:
    """The commitment matters list in force: the profile's own, then those an operator added."""

    def read(db: Session, profile: Any) -> list[dict[str, Any]]:
        sec = rules.section(profile)
        out = [
            {"code": c, "kinds": m.kinds, "source": "profile", "name": m.name, "basis": m.cite}
            for c, m in sec.matters.items()
        ]
        out += [
            {"code": r.code, "kinds": r.kinds, "source": "operator", "name": r.name, "basis": r.basis}
            for r in service.added_matters(db_session=db, profile=profile)
            if r.withdrawn_at is None
        ]
        return out

    rows = _run(jurisdiction, read)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("code", "kinds", "source", "name", "basis")
    for r in rows:
        table.add_row(r["code"], ", ".join(r["kinds"]), r["source"], r["name"], r["basis"])
    Console().print(table)


@app.command("add-matter")
def add_matter(
    jurisdiction: Jurisdiction,
    code: Annotated[str, typer.Option(help="matter code, e.g. food_license")],
    name: Annotated[str, typer.Option(help="the matter's name, e.g. 食品经营许可")],
    basis: Annotated[str, typer.Option(help="the document that published it")],
    kind: Annotated[list[str], typer.Option(help="notification / missing_materials (repeat)")],
    operator: Annotated[str, typer.Option(help="who adds it (audit log)")] = "cli-operator",
    at: At = None,
) -> None:
    """Put a published matter on the commitment list."""
    now = _now(at)
    row = _run(
        jurisdiction,
        lambda db, p: service.add_matter(
            db_session=db,
            profile=p,
            now=now,
            actor=_operator(operator),
            code=code,
            name=name,
            kinds=kind,
            basis=basis,
        ),
    )
    typer.echo(f"added {row.code} ({', '.join(row.kinds)})")


@app.command("withdraw-matter")
def withdraw_matter(
    jurisdiction: Jurisdiction,
    code: Annotated[str, typer.Option(help="an operator-added matter code")],
    operator: Annotated[str, typer.Option(help="who withdraws it (audit log)")] = "cli-operator",
    at: At = None,
) -> None:
    """Take an operator-added matter off the list."""
    now = _now(at)
    _run(
        jurisdiction,
        lambda db, p: service.withdraw_matter(
            db_session=db, profile=p, now=now, actor=_operator(operator), code=code
        ),
    )
    typer.echo(f"withdrawn {code}")


@app.command("eligibility")
def eligibility(
    jurisdiction: Jurisdiction,
    subject: Annotated[str, typer.Option(help="the subject's identifier")],
    matter: Annotated[str, typer.Option(help="matter code")],
    kind: Annotated[
        str, typer.Option(help="notification (告知承诺) / missing_materials (容缺受理)")
    ] = "notification",
    as_json: AsJson = False,
    at: At = None,
) -> None:
    """May the subject use the commitment route for the matter? Exit 0 yes, 1 no (with reasons)."""
    now = _now(at)

    def check(db: Session, profile: Any) -> rules.Eligibility:
        found = subjects_service.get_by_identifier_or_raise(db_session=db, identifier=subject)
        return service.eligibility(
            db_session=db, profile=profile, now=now, subject_id=found.id, matter=matter, kind=kind
        )

    verdict = _run(jurisdiction, check)
    body = {
        "eligible": verdict.eligible,
        "listed": verdict.listed,
        "reasons": [service.reason_dict(r) for r in verdict.reasons],
        "cautions": [service.reason_dict(r) for r in verdict.cautions],
        "handling": [service.reason_dict(r) for r in verdict.handling],
    }
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        typer.echo("eligible" if verdict.eligible else "not eligible")
        for label in ("reasons", "cautions", "handling"):
            for r in body[label]:
                typer.echo(f"  {label[:-1]}: {r['code']} [{r['cite']}]")
    raise typer.Exit(0 if verdict.eligible else 1)


@app.command("show")
def show(
    jurisdiction: Jurisdiction,
    commitment_id: Annotated[int, typer.Argument(help="commitment id")],
    at: At = None,
) -> None:
    """One commitment as JSON, with its events, and the measures and fines of a breach."""
    from xinyong.commitments.schemas import CommitmentRead

    now = _now(at)

    def read(db: Session, profile: Any) -> str:
        view = service.read(
            db_session=db, profile=profile, now=now, actor=_operator("cli"), commitment_id=commitment_id
        )
        return CommitmentRead.of(view, masked=False).model_dump_json(indent=2)

    typer.echo(_run(jurisdiction, read))
