"""`xinyong db upgrade|current|check`: the schema under Alembic, on SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import typer
from alembic import command
from alembic.config import Config

from xinyong.core.db import database_url

app = typer.Typer(no_args_is_help=True)
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


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
