"""`xinyong demo` (SQLite with demo data) and `xinyong serve` (the API on a configured database)."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import synth
from xinyong.authorizations import service as authorizations_service
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import system_clock
from xinyong.core.db import make_engine, session_factory, transaction
from xinyong.core.errors import XinyongError
from xinyong.dbcli import ensure_schema
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects.models import Subject
from xinyong.users import service as users_service
from xinyong.users.models import User

console = Console()
DEMO_ITEMS = ["admin_penalty", "admin_license", "commendation", "registration"]


def seed(db: Session, *, subjects_per_profile: int = 60, records_per_profile: int = 120) -> dict[str, int]:
    """Load demo subjects and records into every profile; returns records accepted per profile."""
    now = system_clock()
    rng = random.Random(20260301)
    operator = Actor(username="demo-seed", role=Role.operator, organization="公共信用信息工作机构")
    accepted: dict[str, int] = {}
    for profile in profiles.all_profiles().values():
        items = [i for i in DEMO_ITEMS if profile.item(i) is not None]
        pool = list(synth.subjects(rng, profile.id, subjects_per_profile))
        rows = synth.records(
            rng,
            profile.id,
            pool,
            records_per_profile,
            items,
            date(2025, 6, 1),
            500,
            prefix=f"demo-{profile.id}-",
        )
        report = records_service.submit_batch(
            db_session=db, profile=profile, now=now, actor=operator, rows=rows, name="demo data"
        )
        accepted[profile.id] = report.accepted
        _demo_listings(db, profile, now, operator)
    return accepted


def _demo_listings(db: Session, profile: profiles.Profile, now: datetime, operator: Actor) -> None:
    """A few listings per profile, through the same stages as real ones (propose, notice, decision):
    the first organizations with a dishonest record go on each sanction list the profile has, the
    first with good information on its red list. Lists with a fixed notice or objection period the
    decision cannot pass yet stay at their notice; the demo shows those stages too."""
    from xinyong.core.profile_lists import GROUND_VOCABULARY
    from xinyong.lists import rules as list_rules  # the demo is the only place seeding lists
    from xinyong.lists import service as lists_service

    section = list_rules.lists_of(profile)
    if section is None:
        return
    for name, spec in section.root.items():
        klass = "good" if "good" in spec.basis_classes else "dishonest"
        items = [c for c, i in profile.catalog.items.items() if i.class_.value == klass]
        rows = db.execute(
            select(Record.id, Record.subject_id)
            .join(Subject, Subject.id == Record.subject_id)
            .where(Record.jurisdiction == profile.id, Record.item.in_(items), Subject.kind == "legal_person")
            .order_by(Record.id)
            .limit(12)
        ).all()
        ground = next(iter(spec.grounds.allowed), None) or GROUND_VOCABULARY[name][-1]
        done: set[int] = set()
        for record_id, subject_id in rows:
            if len(done) == 2 or subject_id in done:
                continue
            done.add(subject_id)
            try:
                with db.begin_nested():  # a refused step leaves nothing half-done
                    listing = lists_service.propose(
                        db_session=db,
                        profile=profile,
                        now=now,
                        actor=operator,
                        list_name=name,
                        subject_id=subject_id,
                        ground=ground,
                        basis_record_ids=[record_id],
                        reason="演示数据 / demo data",
                    )
                    ids = {"db_session": db, "profile": profile, "now": now, "actor": operator}
                    lists_service.notify(**ids, listing_id=listing.id)
                with db.begin_nested():
                    lists_service.decide(**ids, listing_id=listing.id)
            except XinyongError:
                pass  # e.g. an objection period that must run first: the listing stays at its notice


def _demo_users(db: Session) -> list[tuple[str, str, str, str]]:
    """One user per role (and per jurisdiction for units); a fresh token for each at every start."""
    now = system_clock()
    out = []
    specs: list[tuple[str, Role, str | None, str | None]] = [("operator", Role.operator, None, None)]
    for pid in profiles.all_profiles():
        provider = db.scalars(select(Record.provider).where(Record.jurisdiction == pid).limit(1)).first()
        specs += [
            (f"{pid}-provider", Role.provider, provider or f"{pid} provider", pid),
            (f"{pid}-government", Role.government, f"{pid} 政务共享单位", pid),
            (f"{pid}-agency", Role.agency, f"{pid} 信用服务机构", pid),
        ]
    person = db.scalars(select(Subject).where(Subject.kind == "natural_person").order_by(Subject.id)).first()
    for username, role, org, jurisdiction in specs:
        user = db.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = users_service.create_user(
                db_session=db,
                now=now,
                username=username,
                role=role,
                organization=org,
                jurisdiction=jurisdiction,
            )
        token = users_service.issue_token(db_session=db, now=now, user=user, label="demo start")
        out.append((username, role.value, org or "", token))
    if person is not None:
        username = "subject-" + person.identifier[-4:]
        user = db.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = users_service.create_user(
                db_session=db, now=now, username=username, role=Role.subject, subject_id=person.id
            )
        out.append(
            (
                username,
                "subject",
                person.identifier,
                users_service.issue_token(db_session=db, now=now, user=user),
            )
        )
        profile = profiles.get("jiangsu") if "jiangsu" in profiles.all_profiles() else None
        if profile is not None and not authorizations_service.of_subject(
            db_session=db, jurisdiction=profile.id, subject_id=person.id
        ):
            authorizations_service.grant(
                db_session=db,
                profile=profile,
                now=now,
                actor=Actor(username=username, role=Role.subject, subject_id=person.id),
                subject=person,
                grantee="jiangsu 信用服务机构",
                purpose="演示：个人信用评估",
                until=date(now.year + 1, 12, 31),
                items=None,
            )
    return out


def demo_command(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port"),
    database: Path = typer.Option(Path("var/demo.db"), help="SQLite file for the demo"),
    fresh: bool = typer.Option(False, help="delete the demo database first"),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="load the data and print the logins, do not serve"
    ),
) -> None:
    """Start the platform on an embedded SQLite database with demo data for all five profiles."""
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    ensure_schema(engine)
    factory = session_factory(engine)
    with transaction(factory) as db:
        if db.scalar(select(func.count()).select_from(Record)) == 0:
            with console.status("loading demo data…"):
                counts = seed(db)
            console.print("demo data: " + ", ".join(f"{k} {v} records" for k, v in counts.items()))
        logins = _demo_users(db)
        subjects = db.scalar(select(func.count()).select_from(Subject))
        records = db.scalar(select(func.count()).select_from(Record))
    console.print(f"database {database}: {subjects} subjects, {records} records")
    console.print(
        "[bold]demo logins[/bold] — send `Authorization: Bearer <token>`; tokens are new at every start"
    )
    for username, role, unit, token in logins:
        console.print(f"  {username:<22} {role:<10} {token}  {unit}", soft_wrap=True)
    console.print(f"API: http://{host}:{port}/api/v1   OpenAPI docs: http://{host}:{port}/docs")
    if not no_serve:
        _serve(engine, host, port)


def serve_command(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000)) -> None:
    """Serve the API on $XINYONG_DATABASE_URL (run `xinyong db upgrade` first)."""
    _serve(make_engine(), host, port)


def _serve(engine, host: str, port: int) -> None:
    import uvicorn

    from xinyong.api.app import create_app

    uvicorn.run(create_app(engine), host=host, port=port, log_level="info")
