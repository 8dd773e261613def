"""The benchmark: `python -m bench.run --records 1000000 --database sqlite|postgresql [--url URL]`.

On the same generated data, in one run, against the raw database doing the same work:

(a) ingest: each batch of rows goes through `records.service.submit_batch` (full validation,
    subjects registered, catalog version, idempotency check, an audit entry per batch) into one
    fresh database and is committed; then the rows it stored (validated, subject ids resolved,
    read back untimed) go into a second fresh database with the same schema through the same
    driver's plain `executemany(INSERT ...)`, also committed. Batch after batch, so both sides see
    the same conditions. Records per second of each, and the ratio.
(b) archive read: for a seeded sample of subjects, `records.service.read_archive` through the public
    channel and through the government channel (which also appends to the hash-chained query log),
    each call committed, against the raw database doing the same work on a raw driver connection to
    the same database: `SELECT * FROM records WHERE subject_id=? AND jurisdiction=?` for the public
    channel; that SELECT, an INSERT of one row into a table shaped as the query log and the COMMIT
    of that write transaction for the government channel. The four are interleaved with a rotating order,
    after a warm-up, and each subject is read `--repeat` times by each: its latency is the fastest
    of them, which keeps the scheduler's pauses on a busy machine out of the percentiles (the
    percentiles over every call are reported too). p50/p99 over subjects and the ratio of the p99s.
(c) peak memory: each phase runs in its own process and reports its peak resident set size
    (getrusage ru_maxrss), so one phase's peak does not hide another's.

Only database work is timed: parsing the input file, reading rows back for the raw side and
creating the schema are not. Results print as a table and are written to a JSON file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-02T10:00:00+08:00"  # the platform's clock during the run (records span 2019-2026)
TARGET_INGEST_RATIO = 0.5  # ingest >= 50% of the raw insert rate
TARGET_READ_P99_RATIO = 3.0  # archive read p99 <= 3x the raw SELECT's p99
PG_DATABASES = ("xinyong_bench_ingest", "xinyong_bench_raw")
# A PostgreSQL started by the bench keeps its data files durable (fsync, full page writes) and
# acknowledges commits before their WAL reaches the disk, as SQLite's WAL + synchronous=NORMAL does.
PG_BENCH_SETTINGS = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "off"}
WARM_UP = 200  # untimed reads before measuring
# each channel's read against the raw database doing the same work (phase_read)
READ_BASELINES = {"public": "raw_select", "government": "raw_select_and_log"}


def _maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _latency(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    ms = [x * 1000 for x in ordered]
    return {
        "p50_ms": round(_percentile(ms, 50), 4),
        "p99_ms": round(_percentile(ms, 99), 4),
        "mean_ms": round(sum(ms) / len(ms), 4) if ms else float("nan"),
        "max_ms": round(ms[-1], 4) if ms else float("nan"),
    }


def _rate(counts: list[int], seconds: list[float]) -> float:
    return round(sum(counts) / sum(seconds), 1) if sum(seconds) > 0 else 0.0


# --------------------------------------------------------------------------- phases (own process)


def phase_generate(args: dict[str, Any]) -> dict[str, Any]:
    from bench.generate import generate, write

    started = time.perf_counter()
    rows = generate(args["records"], seed=args["seed"], profile_id=args["profile"], persons=args["persons"])
    count = write(Path(args["data"]), rows, args["profile"])
    return {"rows": count, "seconds": round(time.perf_counter() - started, 2), "maxrss_mb": _maxrss_mb()}


def _read_batches(path: Path, size: int) -> Iterator[list[Any]]:
    from xinyong.records.ingest import SourceRow

    batch: list[Any] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            batch.append(SourceRow(row=number, values=json.loads(line)))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


RECORD_COLUMNS = (
    "id, jurisdiction, key, item, catalog_version, info_class, subject_id, provider, provider_code, source, "
    "batch_id, submitted_at, submitted_by, decided_on, effective_on, severity, procedure, document, "
    "valid_until, disclosure_until, consent, data"
)
SUBJECT_COLUMNS = "id, kind, id_type, identifier, name, birth_date, created_at"
BATCH_COLUMNS = (
    "id, jurisdiction, provider, name, submitted_at, submitted_by, total, accepted, duplicates, rejected, "
    "errors"
)


def _insert_sql(table: str, columns: str, mark: str, json_column: str | None) -> str:
    names = [c.strip() for c in columns.split(",")]
    marks = [f"CAST({mark} AS jsonb)" if c == json_column else mark for c in names]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)})"


class RawCopy:
    """Copies what the service stored for a batch into the raw database with plain executemany.

    The rows are read back from the service's database untimed ("already validated, subject ids
    resolved"); only the inserts and the commit on the raw side are timed. The bench is the only
    writer, so a batch's rows are those above the last copied id.
    """

    def __init__(self, source: Any, target: Any) -> None:
        pg = target.dialect.name == "postgresql"
        mark = "%s" if pg else "?"
        text = "::text" if pg else ""  # JSON travels as text both ways
        self.src, self.dst = source.raw_connection(), target.raw_connection()
        self.read, self.write = self.src.cursor(), self.dst.cursor()
        records = RECORD_COLUMNS.replace("data", "data" + text)
        batches = BATCH_COLUMNS.replace("errors", "errors" + text)
        self.select_records = f"SELECT {records} FROM records WHERE id > {mark} ORDER BY id"
        self.select_subjects = f"SELECT {SUBJECT_COLUMNS} FROM subjects WHERE id > {mark} ORDER BY id"
        self.select_batch = f"SELECT {batches} FROM batches WHERE id = {mark}"
        self.insert_records = _insert_sql("records", RECORD_COLUMNS, mark, "data" if pg else None)
        self.insert_subjects = _insert_sql("subjects", SUBJECT_COLUMNS, mark, None)
        self.insert_batch = _insert_sql("batches", BATCH_COLUMNS, mark, "errors" if pg else None)
        self.last_record = self.last_subject = 0

    def copy(self, batch_id: int) -> tuple[int, float]:
        """(records inserted, seconds) for one batch the service has just committed."""
        self.read.execute(self.select_subjects, (self.last_subject,))
        subjects = self.read.fetchall()
        self.read.execute(self.select_batch, (batch_id,))
        batch = self.read.fetchall()
        self.read.execute(self.select_records, (self.last_record,))
        records = self.read.fetchall()
        self.src.commit()  # end the read transaction, so the next batch is visible on PostgreSQL
        started = time.perf_counter()
        if subjects:
            self.write.executemany(self.insert_subjects, subjects)
        self.write.executemany(self.insert_batch, batch)
        if records:
            self.write.executemany(self.insert_records, records)
        self.dst.commit()
        elapsed = time.perf_counter() - started
        self.last_subject = subjects[-1][0] if subjects else self.last_subject
        self.last_record = records[-1][0] if records else self.last_record
        return len(records), elapsed

    def close(self) -> None:
        self.src.close()
        self.dst.close()


def phase_load(args: dict[str, Any]) -> dict[str, Any]:
    """(a) Each batch through the records service, then the same rows raw."""
    from xinyong.core import db
    from xinyong.core import profile as profiles
    from xinyong.core.actor import Actor, Role
    from xinyong.records import service

    engine = db.make_engine(args["url"])
    raw_engine = db.make_engine(args["raw_url"])
    db.create_all(engine)
    db.create_all(raw_engine)
    factory = db.session_factory(engine)
    profile = profiles.get(args["profile"])
    now = datetime.fromisoformat(NOW)
    actor = Actor(username="bench-operator", role=Role.operator, organization="公共信用信息工作机构")
    raw = RawCopy(engine, raw_engine)
    totals = {"rows": 0, "accepted": 0, "duplicates": 0, "rejected": 0, "batches": 0}
    service_s: list[float] = []  # per batch
    raw_s: list[float] = []
    accepted: list[int] = []
    copied: list[int] = []
    first_errors: list[dict[str, Any]] = []
    load_before = _loadavg()
    for n, rows in enumerate(_read_batches(Path(args["data"]), args["batch_size"]), start=1):
        started = time.perf_counter()
        with db.transaction(factory) as session:
            report = service.submit_batch(
                db_session=session, profile=profile, now=now, actor=actor, rows=rows, name=f"bench-{n:04d}"
            )
        service_s.append(time.perf_counter() - started)
        count, elapsed = raw.copy(report.batch_id)
        raw_s.append(elapsed)
        copied.append(count)
        accepted.append(report.accepted)
        totals["rows"] += report.total
        totals["accepted"] += report.accepted
        totals["duplicates"] += report.duplicates
        totals["rejected"] += report.rejected
        totals["batches"] += 1
        first_errors.extend(report.errors[: max(0, 5 - len(first_errors))])
    raw.close()
    engine.dispose()
    raw_engine.dispose()
    tail = max(1, len(service_s) // 10)  # the last tenth of the batches: the rate at full table size
    return {
        "ingest": {
            **totals,
            "seconds": round(sum(service_s), 3),
            "records_per_s": _rate(accepted, service_s),
            "records_per_s_last_tenth": _rate(accepted[-tail:], service_s[-tail:]),
            "records_per_s_by_batch": [round(c / t) for c, t in zip(accepted, service_s, strict=True)],
            "first_errors": first_errors,
        },
        "raw_insert": {
            "rows": sum(copied),
            "seconds": round(sum(raw_s), 3),
            "records_per_s": _rate(copied, raw_s),
            "records_per_s_last_tenth": _rate(copied[-tail:], raw_s[-tail:]),
            "records_per_s_by_batch": [round(c / t) for c, t in zip(copied, raw_s, strict=True)],
        },
        "load_average": {"before": load_before, "after": _loadavg()},
        "maxrss_mb": _maxrss_mb(),
    }


RAW_LOG_TABLE = "bench_raw_log"  # the raw side's query log: audit_log's columns and indexes, no chain


def _raw_log_table(engine: Any) -> Any:
    """A table shaped as `audit_log` (same columns, types, unique hash, indexes), in the service's own
    database, for the raw side of the government read; created once and kept, so that it grows with
    the query log when the databases are reused."""
    from sqlalchemy import Column, Index, MetaData, Table

    from xinyong.audit.models import AuditEntry

    source = AuditEntry.__table__
    table = Table(
        RAW_LOG_TABLE,
        MetaData(),
        *(
            Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, unique=c.unique)
            for c in source.columns
        ),
        sqlite_autoincrement=True,
    )
    for index in source.indexes:
        if not index.unique:  # the unique hash comes with its column
            Index(
                f"{RAW_LOG_TABLE}_{'_'.join(c.name for c in index.columns)}",
                *(table.c[c.name] for c in index.columns),
            )
    table.create(engine, checkfirst=True)
    return table


def phase_read(args: dict[str, Any]) -> dict[str, Any]:
    """(b) read_archive (public, government) against the raw database doing the same work, interleaved:
    the indexed SELECT for the public channel; the SELECT plus an INSERT of a query-log row and its
    COMMIT for the government channel (whose read also logs the look-up, in the same transaction)."""
    from xinyong.core import db
    from xinyong.core import profile as profiles
    from xinyong.core.actor import Actor, Role
    from xinyong.records import rules, service
    from xinyong.subjects.models import Subject

    engine = db.make_engine(args["url"])
    factory = db.session_factory(engine)
    profile = profiles.get(args["profile"])
    now = datetime.fromisoformat(NOW)
    pg = engine.dialect.name == "postgresql"
    _raw_log_table(engine)
    raw = engine.raw_connection()
    logging_raw = engine.raw_connection()  # the raw side's write transactions (not autocommit)
    if pg:  # one statement, one round trip; and the planner statistics autovacuum would have made
        raw.driver_connection.autocommit = True
        raw.cursor().execute("VACUUM ANALYZE")
    cursor = raw.cursor()
    log_cursor = logging_raw.cursor()
    mark = "%s" if pg else "?"
    select_sql = f"SELECT * FROM records WHERE subject_id = {mark} AND jurisdiction = {mark}"
    json_mark = f"CAST({mark} AS jsonb)" if pg else mark
    log_columns = (
        "chain, at, kind, actor, actor_org, channel, purpose, authorization_id, subject_id, record_ids, "
        "action, details, prev_hash, hash"
    )
    marks = [mark] * 9 + [json_mark, mark, json_mark, mark, mark]
    log_sql = f"INSERT INTO {RAW_LOG_TABLE} ({log_columns}) VALUES ({', '.join(marks)})"
    cursor.execute("SELECT id, identifier FROM subjects ORDER BY id")
    identifiers = dict(cursor.fetchall())
    sample = random.Random(args["seed"]).sample(sorted(identifiers), min(args["reads"], len(identifiers)))
    gov_actor = Actor(username="bench-gov", role=Role.government, organization="南京市发展和改革委员会")
    gov_purpose = "依职权查询（基准测试）"
    channels = {
        "public": (rules.Channel.public, Actor(username="public", role=Role.subject), None),
        "government": (rules.Channel.government, gov_actor, gov_purpose),
    }
    # the raw log row's constant columns, as the driver takes them (the instant as the platform stores it)
    at = now if pg else now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    log_row = (profile.id, at, "query", gov_actor.username, gov_actor.organization, "government", gov_purpose)
    cursor.execute(f"SELECT count(*) FROM {RAW_LOG_TABLE}")
    logged = [cursor.fetchone()[0], "0" * 64]  # rows so far (for unique hashes), the last hash

    def raw_select(subject_id: int) -> tuple[float, int]:
        started = time.perf_counter()
        cursor.execute(select_sql, (subject_id, profile.id))
        count = len(cursor.fetchall())
        return time.perf_counter() - started, count

    def raw_select_and_log(subject_id: int) -> tuple[float, int]:
        """The same work as the government read, raw: the SELECT, one query-log row, COMMIT."""
        logged[0] += 1
        prev, digest = logged[1], f"{logged[0]:064x}"  # unique, as the hash column requires
        if pg:  # the service's transaction began before its timer too (loading the Subject)
            log_cursor.execute("SELECT 1")
        started = time.perf_counter()
        log_cursor.execute(select_sql, (subject_id, profile.id))
        rows = log_cursor.fetchall()
        record_ids = json.dumps([str(row[0]) for row in rows])
        log_cursor.execute(
            log_sql, (*log_row, None, identifiers[subject_id], record_ids, None, "{}", prev, digest)
        )
        logging_raw.commit()
        elapsed = time.perf_counter() - started
        logged[1] = digest
        return elapsed, len(rows)

    def archive(subject_id: int, name: str) -> tuple[float, int]:
        channel, actor, purpose = channels[name]
        with factory() as session:
            subject = session.get(Subject, subject_id)
            assert subject is not None
            started = time.perf_counter()
            view = service.read_archive(
                db_session=session,
                profile=profile,
                now=now,
                actor=actor,
                subject=subject,
                channel=channel,
                purpose=purpose,
            )
            session.commit()
            return time.perf_counter() - started, len(view.records)

    raws = {"raw_select": raw_select, "raw_select_and_log": raw_select_and_log}
    for subject_id in sample[:WARM_UP]:  # caches, compiled statements, the audit chain's head row
        raw_select(subject_id)
        raw_select_and_log(subject_id)
        archive(subject_id, "public")
        archive(subject_id, "government")
    methods = ["raw_select", "raw_select_and_log", "public", "government"]
    best: dict[str, list[float]] = {m: [] for m in methods}  # per subject: the fastest of its reads
    every: dict[str, list[float]] = {m: [] for m in methods}  # every call
    counts: dict[str, int] = dict.fromkeys(methods, 0)
    per_subject: list[int] = []
    load_before = _loadavg()
    for i, subject_id in enumerate(sample):
        runs: dict[str, list[float]] = {m: [] for m in methods}
        for r in range(args["repeat"]):
            turn = (i + r) % len(methods)
            for method in methods[turn:] + methods[:turn]:
                elapsed, count = raws[method](subject_id) if method in raws else archive(subject_id, method)
                runs[method].append(elapsed)
                every[method].append(elapsed)
                if r == 0:
                    counts[method] += count
                    if method == "raw_select":
                        per_subject.append(count)
        for method in methods:
            best[method].append(min(runs[method]))
    raw.close()
    logging_raw.close()
    engine.dispose()
    per_subject.sort()
    result: dict[str, Any] = {
        "samples": len(sample),
        "records_per_subject": {
            "mean": round(sum(per_subject) / len(per_subject), 2) if per_subject else 0,
            "p99": _percentile(per_subject, 99),
            "max": per_subject[-1] if per_subject else 0,
        },
        "rows_returned_mean": {k: round(v / len(sample), 2) if sample else 0 for k, v in counts.items()},
        "repeat": args["repeat"],
        **{m: {**_latency(best[m]), "all_calls": _latency(every[m])} for m in methods},
        "baselines": dict(READ_BASELINES),
    }

    def ratio(mine: float, floor: float) -> float | None:
        return round(mine / floor, 2) if floor else None

    for name, baseline in READ_BASELINES.items():
        base = result[baseline]
        for q in ("p50", "p99"):
            result[f"{q}_ratio_{name}"] = ratio(result[name][f"{q}_ms"], base[f"{q}_ms"])
        result[f"p99_ratio_{name}_all_calls"] = ratio(
            result[name]["all_calls"]["p99_ms"], base["all_calls"]["p99_ms"]
        )
    # the government read against the bare SELECT too, as reported before the same-work baseline
    for q in ("p50", "p99"):
        result[f"{q}_ratio_government_vs_raw_select"] = ratio(
            result["government"][f"{q}_ms"], result["raw_select"][f"{q}_ms"]
        )
    result["load_average"] = {"before": load_before, "after": _loadavg()}
    result["maxrss_mb"] = _maxrss_mb()
    return result


PHASES = {"generate": phase_generate, "load": phase_load, "read": phase_read}


# --------------------------------------------------------------------------- orchestration


def _run_phase(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; its last stdout line is the JSON result."""
    cmd = [sys.executable, "-m", "bench.run", "--phase", name, "--phase-args", json.dumps(args)]
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Databases:
    """Two fresh databases of one kind (service, raw), or with `fresh=False` the ones an earlier
    `--reuse` run loaded; removed afterwards unless kept."""

    def __init__(self, kind: str, workdir: Path, url: str | None, keep: bool, fresh: bool = True) -> None:
        self.kind, self.keep = kind, keep
        self.server: Any = None
        self.info: dict[str, Any] = {"kind": kind}
        if kind == "sqlite":
            import sqlite3

            self.paths = [workdir / "ingest.db", workdir / "raw.db"]
            if fresh:
                self._remove_sqlite()
            self.urls = [f"sqlite:///{p}" for p in self.paths]
            self.info["version"] = f"SQLite {sqlite3.sqlite_version}"
            self.info["settings"] = "journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON (xinyong.core.db)"
            return
        sys.path.insert(0, str(ROOT / "tests"))
        from support import pg  # the test suite's server starter, tests/support/pg.py

        if url:
            self.server = pg.connect_external(url)
        else:
            bindir = pg.find_bindir()
            if bindir is None:
                raise SystemExit("PostgreSQL binaries not found: install postgresql or pass --url")
            self.server = pg.start_local(bindir)  # as root it runs the server as `postgres` (runuser)
            for key, value in PG_BENCH_SETTINGS.items():
                self._sql(f"ALTER SYSTEM SET {key} = '{value}'")
            self._sql("SELECT pg_reload_conf()")
        if fresh:
            for name in PG_DATABASES:
                self.server.drop_database(name)
            self.urls = [self.server.create_database(name) for name in PG_DATABASES]
        else:
            self.urls = [self.server.url(name) for name in PG_DATABASES]
        self.info["version"] = self.server.version.split(" on ")[0]
        self.info["server"] = self.server.description.replace("by the tests", "by the bench")
        names = ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "autovacuum")
        self.info["settings"] = ", ".join(f"{n}={self._sql(f'SHOW {n}')}" for n in names)

    def _sql(self, sql: str, *params: Any) -> Any:
        import psycopg

        with psycopg.connect(self.server.conninfo(), autocommit=True) as conn:
            cursor = conn.execute(sql, params or None)
            row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None

    def sizes_mb(self) -> dict[str, float]:
        if self.kind == "sqlite":
            sizes = [
                sum(Path(f"{p}{s}").stat().st_size for s in ("", "-wal") if Path(f"{p}{s}").exists())
                for p in self.paths
            ]
        else:
            sizes = [self._sql("SELECT pg_database_size(%s)", name) for name in PG_DATABASES]
        return {name: round(size / 2**20, 1) for name, size in zip(("ingest", "raw"), sizes, strict=True)}

    def _remove_sqlite(self) -> None:
        for p in self.paths:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{p}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self.keep:
            return
        if self.kind == "sqlite":
            self._remove_sqlite()
            return
        for name in PG_DATABASES:
            self.server.drop_database(name)
        self.server.stop()  # only stops a server the bench started


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def _versions() -> dict[str, str]:
    import psycopg
    import sqlalchemy
    import stdnum

    return {
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "python-stdnum": stdnum.__version__,
    }


def run(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    data = args.data or workdir / f"data-{args.profile}-{args.records}-{args.seed}-p{args.persons}.jsonl"
    result: dict[str, Any] = {
        "command": "python -m bench.run " + shlex.join(argv),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "libraries": _versions(),
        "profile": args.profile,
        "records": args.records,
        "seed": args.seed,
        "persons": args.persons,
        "batch_size": args.batch_size,
    }
    common = {"profile": args.profile, "seed": args.seed}
    started = time.perf_counter()
    if args.data is None and not data.exists():
        _say(args, f"generating {args.records} rows -> {data}")
        result["generate"] = _run_phase(
            "generate", {**common, "records": args.records, "persons": args.persons, "data": str(data)}
        )
    else:
        result["generate"] = {"reused": str(data)}
    # --reuse: the databases an earlier --reuse run loaded from the same data file, if there are any
    marker = workdir / f"loaded-{args.database}.json"
    identity = {"data": str(data), "batch_size": args.batch_size, "url": args.url}
    earlier = json.loads(marker.read_text(encoding="utf-8")) if args.reuse and marker.exists() else None
    if earlier is not None and earlier["identity"] != identity:
        earlier = None
    if earlier is None:
        marker.unlink(missing_ok=True)  # the databases are made afresh
    dbs = Databases(args.database, workdir, args.url, args.keep or args.reuse, fresh=earlier is None)
    try:
        result["database"] = dbs.info
        if earlier is None:
            _say(args, f"(a) ingest, batch by batch: records service, then raw executemany ({args.database})")
            loaded = _run_phase(
                "load",
                {
                    **common,
                    "url": dbs.urls[0],
                    "raw_url": dbs.urls[1],
                    "data": str(data),
                    "batch_size": args.batch_size,
                },
            )
            if args.reuse:
                marker.write_text(json.dumps({"identity": identity, "loaded": loaded}), encoding="utf-8")
        else:
            loaded = earlier["loaded"]
            result["load_reused"] = (
                f"databases loaded by an earlier --reuse run; (a) is that run's ({marker})"
            )
            _say(args, f"(a) skipped: reusing the databases loaded earlier ({marker})")
        result["ingest"], result["raw_insert"] = loaded.pop("ingest"), loaded.pop("raw_insert")
        result["load"] = loaded
        _say(args, f"(b) archive reads, {args.reads} subjects")
        result["read"] = _run_phase(
            "read", {**common, "url": dbs.urls[0], "reads": args.reads, "repeat": args.repeat}
        )
        result["database"]["size_mb"] = dbs.sizes_mb()
    finally:
        dbs.close()
        if args.data is None and not args.keep_data:
            data.unlink(missing_ok=True)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    raw_rate = result["raw_insert"]["records_per_s"]
    result["ingest_ratio"] = round(result["ingest"]["records_per_s"] / raw_rate, 3) if raw_rate else None
    peaks = {
        name: result[name]["maxrss_mb"]
        for name in ("generate", "load", "read")
        if "maxrss_mb" in result[name]
    }
    result["peak_memory_mb"] = {**peaks, "max": max(peaks.values())}
    read = result["read"]
    result["targets"] = {
        "ingest_ratio_min": TARGET_INGEST_RATIO,
        "read_p99_ratio_max": TARGET_READ_P99_RATIO,
        "ingest_met": (result["ingest_ratio"] or 0) >= TARGET_INGEST_RATIO,
        "read_public_met": read["p99_ratio_public"] is not None
        and read["p99_ratio_public"] <= TARGET_READ_P99_RATIO,
        "read_government_met": read["p99_ratio_government"] is not None
        and read["p99_ratio_government"] <= TARGET_READ_P99_RATIO,
    }
    return result


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(result: dict[str, Any]) -> str:
    ing, raw, rd, t = result["ingest"], result["raw_insert"], result["read"], result["targets"]
    m = result["machine"]
    lines = [
        f"xinyong benchmark: {result['records']} records, profile {result['profile']}, "
        f"{result['database']['version']}, {m['cores']} cores, {m['memory_gib']} GiB",
        "",
        f"{'(a) ingest':<36}{'records':>10}{'seconds':>10}{'records/s':>12}{'last 10%':>10}",
    ]
    for label, side, count in (
        ("records service (validated)", ing, ing["accepted"]),
        ("raw executemany INSERT", raw, raw["rows"]),
    ):
        lines.append(
            f"  {label:<34}{count:>10}{side['seconds']:>10.1f}{side['records_per_s']:>12.0f}"
            f"{side['records_per_s_last_tenth']:>10.0f}"
        )
    lines += [
        f"  ratio service/raw {result['ingest_ratio']:.3f}  "
        f"(target >= {t['ingest_ratio_min']}: {_met(t['ingest_met'])})",
        "",
        f"{'(b) archive read, ' + str(rd['samples']) + ' subjects':<36}"
        f"{'p50 ms':>10}{'p99 ms':>10}{'p99 ratio':>12}{'all calls: p99 ms':>19}{'ratio':>7}",
    ]
    for name, label in (
        ("raw_select", "raw indexed SELECT"),
        ("raw_select_and_log", "raw SELECT + log INSERT + COMMIT"),
        ("public", "read_archive, public"),
        ("government", "read_archive, government + log"),
    ):
        raw_side = name not in READ_BASELINES
        ratio = "" if raw_side else f"{rd['p99_ratio_' + name]:.2f}"
        ratio_all = "" if raw_side else f"{rd['p99_ratio_' + name + '_all_calls']:.2f}"
        lines.append(
            f"  {label:<34}{rd[name]['p50_ms']:>10.3f}{rd[name]['p99_ms']:>10.3f}{ratio:>12}"
            f"{rd[name]['all_calls']['p99_ms']:>19.3f}{ratio_all:>7}"
        )
    lines.append(f"  (per subject the fastest of {rd['repeat']} reads; 'all calls' counts every read)")
    lines.append(
        "  ratios against the raw side doing the same work: public / raw SELECT, government / raw SELECT"
        f" + log INSERT + COMMIT (against the bare SELECT: {rd['p99_ratio_government_vs_raw_select']:.2f})"
    )
    per = rd["records_per_subject"]
    lines += [
        f"  records per subject: mean {per['mean']}, p99 {per['p99']}, max {per['max']}",
        f"  target p99 ratio <= {t['read_p99_ratio_max']}: public {_met(t['read_public_met'])}, "
        f"government {_met(t['read_government_met'])}",
        "",
        "(c) peak RSS per phase process, MiB: "
        + ", ".join(f"{k} {v}" for k, v in result["peak_memory_mb"].items()),
        f"total {result['total_seconds']} s; load average during (a) {result['load']['load_average']}",
    ]
    return "\n".join(lines)


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(f"[{datetime.now().strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    from bench.generate import parse_size

    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--records", type=parse_size, default=parse_size("100k"), help="rows: 1000000, 1m, 50k")
    p.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--url", help="PostgreSQL server to use (its maintenance database); default: start one")
    p.add_argument("--profile", default="jiangsu")
    p.add_argument("--seed", type=int, default=20260302)
    p.add_argument("--persons", type=float, default=0.3, help="share of natural persons among subjects")
    p.add_argument("--reads", type=int, default=2000, help="subjects sampled for the archive reads")
    p.add_argument("--repeat", type=int, default=3, help="reads per subject and method; the fastest counts")
    p.add_argument("--batch-size", type=int, default=10_000, help="rows per submitted, committed batch")
    p.add_argument("--data", type=Path, help="use this generated JSON Lines file instead of generating")
    p.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench", help="databases and data go here")
    p.add_argument("--out", type=Path, help="result JSON (default WORKDIR/result-DATABASE-RECORDS.json)")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases afterwards (a server the bench started still stops)",
    )
    p.add_argument("--keep-data", action="store_true", help="keep the generated data file for another run")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep the loaded databases and, in a later run with --reuse on the same data, skip the load "
        "(on PostgreSQL needs --url: a server the bench starts goes with its databases)",
    )
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    p.add_argument("--phase-args", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    if args.reuse and args.database == "postgresql" and not args.url:
        raise SystemExit(
            "--reuse on PostgreSQL needs --url: the server the bench starts is removed when it stops"
        )
    if args.phase:
        print(json.dumps(PHASES[args.phase](json.loads(args.phase_args)), ensure_ascii=False))
        return 0
    result = run(args, argv)
    out = args.out or args.workdir / f"result-{args.database}-{args.records}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\nresult: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
