"""The `xinyong` command: one Typer app composed from each feature's commands."""

from __future__ import annotations

import typer

from xinyong.audit.cli import app as audit_app
from xinyong.calendar.cli import app as calendar_app
from xinyong.catalog.cli import app as catalog_app
from xinyong.checks.cli import check_command
from xinyong.commitments.cli import app as commitments_app
from xinyong.core.profile_cli import app as profile_app
from xinyong.dbcli import app as db_app
from xinyong.demo import demo_command, serve_command
from xinyong.lists.cli import app as listings_app
from xinyong.measures.cli import app as measures_app
from xinyong.notices.cli import app as notices_app
from xinyong.queues.cli import queue_command
from xinyong.records.cli import ingest_command
from xinyong.reports.cli import app as reports_app
from xinyong.reports.cli import report_command
from xinyong.rights.objections.cli import app as objections_app
from xinyong.rights.repair.cli import app as repair_app
from xinyong.scenario.cli import app as scenario_app
from xinyong.users.cli import app as users_app

app = typer.Typer(
    help="xinyong 信用 — public credit information platform (公共信用信息平台).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo_command)
app.command("serve")(serve_command)
app.command("ingest")(ingest_command)
app.command("queue")(queue_command)
app.command("report")(report_command)
app.add_typer(profile_app, name="profile", help="Jurisdiction profiles: show, check, list.")
app.add_typer(calendar_app, name="calendar", help="Working-day calendar: load a year, show a year.")
app.add_typer(audit_app, name="audit", help="Query log and audit chain: verify, list, purge.")
app.add_typer(scenario_app, name="scenario", help="Legal scenario files.")
app.add_typer(catalog_app, name="catalog", help="Catalog items and their versions.")
app.add_typer(users_app, name="users", help="Users, roles and API tokens.")
app.add_typer(db_app, name="db", help="Database schema (Alembic migrations).")
app.add_typer(notices_app, name="notices", help="Notification outbox: list, send.")
app.add_typer(reports_app, name="reports", help="Credit reports: verify, list.")
app.add_typer(objections_app, name="objections", help="Objection cases (异议): list, show.")
app.add_typer(repair_app, name="repair", help="Credit repair cases (信用修复).")
app.add_typer(listings_app, name="listings", help="Lists (名单): listings, published lists.")
app.add_typer(commitments_app, name="commitments", help="Credit commitments (信用承诺).")
app.add_typer(measures_app, name="measures", help="Measures lists (措施清单): show, load, check.")
app.command("check")(check_command)

if __name__ == "__main__":
    app()
