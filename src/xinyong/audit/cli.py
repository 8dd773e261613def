"""`xinyong audit ...`: verify the hash chains, list who queried a subject, review the query traffic,
purge past retention.

The database is the one named by XINYONG_DATABASE_URL (default: the embedded SQLite file).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import review as query_review
from xinyong.audit import service
from xinyong.core import profile as profiles
from xinyong.core.clock import SHANGHAI, local_date, start_of_day, system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema

app = typer.Typer(help="Query log and audit trail (查询记录与审计日志).", no_args_is_help=True)

ChainOption = Annotated[str, typer.Option("--chain", help="jurisdiction profile id, e.g. jilin")]


def _sessions() -> sessionmaker[Session]:
    engine = make_engine()
    ensure_schema(engine)
    return session_factory(engine)


def _zone(chain: str) -> ZoneInfo:
    try:
        return ZoneInfo(profiles.get(chain).meta.timezone)
    except XinyongError:
        return SHANGHAI  # a chain whose profile file is gone is still listed, in the default zone


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _fail(exc: XinyongError) -> typer.Exit:
    Console(stderr=True).print(f"[red]{exc}[/red]")
    return typer.Exit(1)


@app.command()
def verify(
    chain: Annotated[str | None, typer.Option("--chain", help="one chain (profile id); default: all")] = None,
) -> None:
    """Check every link of the hash chain(s); exit 1 and name the first broken entry if any."""
    with transaction(_sessions()) as db_session:
        if chain is None:
            results = service.verify_all(db_session=db_session)
        else:
            results = {chain: service.verify_chain(db_session=db_session, chain=chain)}
        heads = {c: service.get_head(db_session=db_session, chain=c) for c in results}
    console = Console()
    if not results:
        console.print("no audit chains yet / 尚无审计链")
    for name, result in results.items():
        if result.ok:
            head = heads[name]
            where = f" (head seq {head.last_seq}, hash {head.last_hash})" if head is not None else ""
            console.print(f"{name}: OK {result.checked} entries / 校验通过{where}", soft_wrap=True)
        else:
            seq = "-" if result.first_bad_seq is None else result.first_bad_seq
            console.print(f"[red]{name}: BROKEN at seq {seq}: {result.reason}[/red]")
    if any(not r.ok for r in results.values()):
        raise typer.Exit(1)


@app.command("list")
def list_queries(
    chain: ChainOption,
    subject: Annotated[str, typer.Option("--subject", help="the subject's identifier")],
    since: Annotated[str | None, typer.Option("--since", help="from this local date on (YYYY-MM-DD)")] = None,
) -> None:
    """Who queried a subject, when, through which channel and why (non-public queries, newest first)."""
    tz = _zone(chain)
    since_day = _day(since, "--since")
    with transaction(_sessions()) as db_session:
        entries = service.queries_of_subject(
            db_session=db_session,
            chain=chain,
            subject_id=subject,
            since=start_of_day(since_day, tz) if since_day else None,
        )
    table = Table(title=f"{chain} · {subject}: queries / 查询记录")
    for heading, keep_whole in (
        ("seq", True),
        ("time\n时间", True),
        ("querier\n查询人", False),
        ("channel\n渠道", True),
        ("purpose\n用途", False),
        ("authorization\n授权", False),
        ("records\n记录", False),
    ):
        # ids and purposes fold onto more lines rather than being cut short
        table.add_column(heading, no_wrap=keep_whole, overflow="fold")
    for e in entries:
        querier = e.actor if not e.actor_org else f"{e.actor} ({e.actor_org})"
        table.add_row(
            str(e.seq),
            e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            querier,
            e.channel or "",
            e.purpose or "",
            e.authorization_id or "",
            ", ".join(e.record_ids),
        )
    console = Console()
    console.print(table)
    console.print(f"{len(entries)} queries / 条")


@app.command()
def review(
    chain: ChainOption,
    since: Annotated[str, typer.Option("--since", help="first local day reviewed (YYYY-MM-DD)")],
    until: Annotated[str, typer.Option("--until", help="last local day reviewed (YYYY-MM-DD)")],
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="only these channels (repeatable), e.g. authorized")
    ] = None,
    max_queries: Annotated[int, typer.Option("--max-queries", help="look-ups per querier per day")] = (
        query_review.QUERIES_PER_DAY
    ),
    max_subjects: Annotated[int, typer.Option("--max-subjects", help="subjects per querier per day")] = (
        query_review.SUBJECTS_PER_DAY
    ),
    flagged_only: Annotated[bool, typer.Option("--flagged", help="only the flagged lines")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Review the query log of a period (查询检查): look-ups per querier, channel and day, flagged when
    over the thresholds or outside working hours. Exit 0 whatever is flagged: it is a report."""
    tz = _zone(chain)
    first, last = _day(since, "--since"), _day(until, "--until")
    assert first is not None and last is not None
    limits = query_review.Limits(queries_per_day=max_queries, subjects_per_day=max_subjects)
    with transaction(_sessions()) as db_session:
        lines = query_review.review(
            db_session=db_session,
            chain=chain,
            zone=tz,
            since=start_of_day(first, tz),
            until=start_of_day(last + timedelta(days=1), tz),
            limits=limits,
            channels=channel,
        )
    if flagged_only:
        lines = [q for q in lines if q.flags]
    console = Console()
    if as_json:
        for q in lines:
            out = {**q.summary(), "day": q.day.isoformat()}
            typer.echo(json.dumps(out, ensure_ascii=False))  # not through rich: no markup in data
        return
    profile_review = profiles.get(chain).query_log.review
    required = f"〔{profile_review.cite}〕" if profile_review else "(the profile's text sets no review)"
    table = Table(title=f"{chain}: query review {first} – {last} / 查询检查 {required}")
    for heading in (
        "day\n日期",
        "querier\n查询单位",
        "channel\n渠道",
        "look-ups\n次数",
        "subjects\n主体数",
        "off hours\n非工作时间",
        "flags\n异常",
    ):
        table.add_column(heading, overflow="fold")
    for q in lines:
        table.add_row(
            q.day.isoformat(),
            q.unit,
            q.channel,
            str(q.queries),
            str(len(q.subjects)),
            str(q.off_hours),
            ", ".join(q.flags),
            style="red" if q.flags else None,
        )
    console.print(table)
    flagged = sum(1 for q in lines if q.flags)
    console.print(f"{len(lines)} lines, {flagged} flagged / 共 {len(lines)} 行，异常 {flagged} 行")


@app.command()
def purge(
    chain: ChainOption,
    today: Annotated[str | None, typer.Option("--today", help="as of this local date")] = None,
) -> None:
    """Delete the entries past the profile's query-log retention, oldest first; the chain stays verifiable."""
    try:
        log = profiles.get(chain).query_log
    except XinyongError as exc:
        raise _fail(exc) from None
    tz = _zone(chain)
    now = system_clock()  # the CLI is the edge: the only place the wall clock is read
    day = _day(today, "--today") or local_date(now, tz)
    try:
        with transaction(_sessions()) as db_session:
            count = service.purge(
                db_session=db_session, chain=chain, retention=log.retention, today=day, now=now, tz=tz
            )
    except XinyongError as exc:
        raise _fail(exc) from None
    basis = f"retention {log.retention}, {log.cite}"
    Console(soft_wrap=True).print(
        f"{chain}: purged {count} entries as of {day} / 已删除 {count} 条 ({basis})"
    )
