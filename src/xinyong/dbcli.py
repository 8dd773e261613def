"""`xinyong db upgrade|current|check`: the schema under Alembic, on SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import typer
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from xinyong.core.db import create_all, database_url

app = typer.Typer(no_args_is_help=True)
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def ensure_schema(engine: Engine) -> None:
    """Bring a database the CLI is about to use to the newest revision.

    A fresh database is built by the migrations, so `xinyong db upgrade` keeps working later; a
    database built before migrations existed (tables but no revision) is stamped at head.
    """
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    names = set(inspect(engine).get_table_names())
    if names and "alembic_version" not in names:
        create_all(engine)
        command.stamp(config, "head")
    else:
        command.upgrade(config, "head")


@app.command("stamp")
def stamp(revision: str = typer.Argument("head")) -> None:
    """Record `revision` as applied without running it (for a schema built another way)."""
    command.stamp(alembic_config(), revision)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to `revision` (default: the newest) on $XINYONG_DATABASE_URL."""
    command.upgrade(alembic_config(), revision)


@app.command("current")
def current() -> None:
    """Show the database's revision."""
    command.current(alembic_config(), verbose=True)


@app.command("check")
def check() -> None:
    """Fail if the models differ from the migrations."""
    command.check(alembic_config())
