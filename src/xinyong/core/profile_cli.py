"""`xinyong profile`: list the jurisdiction profiles, show one with its citations, check a file.

`show` prints every section of a profile, each value beside the article it comes from, so an operator
can trace any number the platform applies back to its source. `check` validates a file the way the
platform does at startup (same schema, same messages) before it is dropped into $XINYONG_PROFILE_DIR.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from xinyong.core import profile as profiles
from xinyong.core.errors import XinyongError

app = typer.Typer(
    help="辖区配置 Jurisdiction profiles: list them, show one with its citations, check a file.",
    no_args_is_help=True,
)

# keys rendered in a node's label rather than as children
_LABEL_KEYS = ("description", "cite", "note")


def _out(stderr: bool = False) -> Console:
    # made per call, so the width follows $COLUMNS of the run (and of CliRunner's env in tests)
    return Console(stderr=stderr, highlight=False)


def _fail(exc: XinyongError) -> typer.Exit:
    # soft_wrap: one message per line, whatever the terminal width, so logs stay greppable
    _out(stderr=True).print(
        f"[red]{exc.code}[/red]: {escape(exc.message_zh())}\n{escape(exc.message_en())}", soft_wrap=True
    )
    return typer.Exit(code=1)


@app.command("list")
def list_profiles() -> None:
    """List the profiles the platform loads (packaged ones and $XINYONG_PROFILE_DIR)."""
    try:
        found = profiles.all_profiles()
    except XinyongError as exc:
        raise _fail(exc) from None
    table = Table("id", "status", "in force from", "cite as")
    table.add_column("title", overflow="fold")  # never cut a regulation's title
    for pid in sorted(found):
        meta = found[pid].meta
        table.add_row(pid, meta.status, str(meta.in_force_from or "—"), f"{meta.short} 第…条", meta.title)
    _out().print(table)


@app.command()
def show(
    profile_id: Annotated[str, typer.Argument(help="Profile id, e.g. one listed by `xinyong profile list`")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole profile as JSON.")] = False,
) -> None:
    """Show every section of a profile with its values and the articles they come from."""
    try:
        prof = profiles.get(profile_id)
    except XinyongError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(prof.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2))
        return
    render(prof, _out())


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="A profile TOML file; its name must be <meta.id>.toml")],
) -> None:
    """Validate a profile file; print OK or the error (exit status 1)."""
    try:
        prof = profiles.load_file(file)
    except XinyongError as exc:
        raise _fail(exc) from None
    _out().print(f"OK {escape(str(file))}: {prof.id} — {escape(prof.meta.title)}", soft_wrap=True)


# --------------------------------------------------------------------------- rendering


def render(prof: profiles.Profile, out: Console) -> None:
    """Print a profile section by section; each catalog item with the scope and period it gets."""
    data = prof.model_dump(mode="json", by_alias=True, exclude_none=True)
    meta = prof.meta
    out.print(f"[bold]{escape(meta.title)}[/bold]  ({meta.id}, {meta.status}, cite as “{meta.short} 第…条”)")
    for section, value in data.items():
        if section == "catalog":
            _render_catalog(prof, value, out)
            continue
        tree = Tree(_label(section, value, style="bold blue"))
        _add(tree, value)
        out.print(tree)
    if prof.objection is not None:
        from xinyong.rights.objections.rules import stages_of  # the names `deadline` accepts (SCENARIOS.md)

        names = [*stages_of(prof.objection, prof.notices), *(["window"] if prof.objection.window else [])]
        out.print(f"[bold]objection stages for `deadline`[/bold]: {', '.join(names)}")


def _render_catalog(prof: profiles.Profile, catalog: dict[str, Any], out: Console) -> None:
    tree = Tree("[bold blue]catalog[/bold blue]")
    _add(
        tree.add(_label("local_dishonest_grounds", catalog["local_dishonest_grounds"])),
        catalog["local_dishonest_grounds"],
    )
    _add(tree.add("[bold]classes[/bold] (defaults for every item of the class)"), catalog["classes"])
    items = tree.add(
        "[bold]items[/bold] (scope and period as applied: the item's own value, else its class default)"
    )
    for code, item in prof.catalog.items.items():
        period = item.period if item.period is not None else prof.catalog.classes[item.class_].period
        head = f"[bold]{code}[/bold] ({item.class_.value}"
        head += f", local: {escape(item.ground or '')}" if item.layer == "local" else ""
        head += f")  [cyan]〔{escape(item.cite)}〕[/cyan]"
        if item.note:
            head += f"\n[italic]note: {escape(item.note)}[/italic]"
        scope = "; ".join(
            f"{channel}: {_scalar(prof.item_scope(code, channel))}"
            for channel in ("public", "government", "authorized")
        )
        node = items.add(head)
        node.add(escape(f"{scope}; period: {_scalar(period)}"))
        if item.subject_kinds is not None:
            node.add(escape(f"subject_kinds: {_scalar(item.subject_kinds)}"))
    out.print(tree)


def _label(key: str, node: dict[str, Any], style: str = "bold") -> str:
    text = f"[{style}]{escape(key)}[/{style}]"
    if "description" in node:
        text += f" — {escape(str(node['description']))}"
    if "cite" in node:
        text += f"  [cyan]〔{escape(str(node['cite']))}〕[/cyan]"
    if "note" in node:
        text += f"\n[italic]note: {escape(str(node['note']))}[/italic]"
    return text


def _add(tree: Tree, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if key in _LABEL_KEYS:
                continue
            if key == "cite" or key.endswith("_cite"):
                tree.add(f"{key}: [cyan]〔{escape(str(child))}〕[/cyan]")
            elif isinstance(child, dict) and not _is_duration(child):
                _add(tree.add(_label(key, child)), child)
            elif isinstance(child, list) and any(isinstance(v, dict) for v in child):
                branch = tree.add(f"[bold]{escape(key)}[/bold]")
                for i, row in enumerate(child):
                    _add(branch.add(_label(f"[{i}]", row)), row)
            else:
                tree.add(f"{escape(key)}: {escape(_scalar(child))}")
    else:
        tree.add(escape(_scalar(value)))


def _is_duration(value: dict[str, Any]) -> bool:
    return set(value) == {"value", "unit"}


def _scalar(value: Any) -> str:
    if isinstance(value, dict):
        if _is_duration(value):
            return f"{value['value']} {value['unit']}"
        return ", ".join(f"{k}={_scalar(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_scalar(v) for v in value) if value else "—"
    if value is None:
        return "—"
    return str(value)
