"""`xinyong scenario run PATH...`"""

from __future__ import annotations

from pathlib import Path

import typer

from xinyong.scenario.runner import run_paths

app = typer.Typer(help="Legal scenario files (SCENARIOS.md).", no_args_is_help=True)


@app.command("run")
def run(paths: list[Path] = typer.Argument(..., help="files or folders of *.yaml")) -> None:
    """Run each file against a fresh platform; print failures and `N passed, N failed`."""
    results = run_paths(paths, echo=typer.echo)
    raise typer.Exit(0 if results and all(r.passed for r in results) else 1)
