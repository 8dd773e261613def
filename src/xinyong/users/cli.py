"""`xinyong users`: create users with a role and issue API tokens."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import select

from xinyong.core.actor import Role
from xinyong.core.clock import system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.subjects import service as subjects_service
from xinyong.users import service
from xinyong.users.models import User

app = typer.Typer(no_args_is_help=True)
console = Console()


@app.command("create")
def create(
    username: str,
    role: Role,
    organization: str | None = typer.Option(None),
    subject: str | None = typer.Option(None, help="identifier of the subject a `subject` user is"),
    jurisdiction: str | None = typer.Option(None),
) -> None:
    """Create a user and print its first API token."""
    engine = make_engine()
    ensure_schema(engine)
    try:
        with transaction(session_factory(engine)) as db:
            subject_id = None
            if subject:
                subject_id = subjects_service.get_by_identifier_or_raise(db_session=db, identifier=subject).id
            user = service.create_user(
                db_session=db,
                now=system_clock(),
                username=username,
                role=role,
                organization=organization,
                subject_id=subject_id,
                jurisdiction=jurisdiction,
            )
            token = service.issue_token(db_session=db, now=system_clock(), user=user, label="cli")
    except XinyongError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"{username} ({role.value}) token: {token}")


@app.command("token")
def token(username: str) -> None:
    """Issue another API token for a user."""
    engine = make_engine()
    with transaction(session_factory(engine)) as db:
        user = db.scalars(select(User).where(User.username == username)).first()
        if user is None:
            console.print(f"[red]no user {username}[/red]")
            raise typer.Exit(1)
        console.print(service.issue_token(db_session=db, now=system_clock(), user=user, label="cli"))


@app.command("revoke-token")
def revoke_token(token: str) -> None:
    """Stop an API token at once (the row stays, with the time it was revoked)."""
    engine = make_engine()
    try:
        with transaction(session_factory(engine)) as db:
            row = service.revoke_token(db_session=db, now=system_clock(), token=token)
            console.print(f"revoked at {row.revoked_at.isoformat()}")
    except XinyongError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
