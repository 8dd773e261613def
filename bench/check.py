"""Benchmark of the automatic check at scale (docs/PERFORMANCE-check.md).

    .venv/bin/python -m bench.check --records 1000000            # load (or --reuse), then measure
    .venv/bin/python -m bench.check --records 1000000 --reuse    # measure on the database kept by a run

Phases, all on one SQLite file (the platform's own settings, `make_engine`):
1. load: bench.generate's rows through `records.service.submit_batch` (10,000 a batch), then 1% of
   the subjects severe-listed and 1% red-listed (Listing rows inserted directly: the listing workflow is
   not what is measured; grounds rotate over the vocabulary so the relevance guard has work to do).
2. single: `checks.service.check` per sampled subject, each in its own committed transaction (check
   row + query-log entry), against the raw look-up of the same facts (subject by identifier, its
   records, its listings) on a raw driver connection. p50/p99 over subjects (best of --repeat).
3. batch: `checks.service.check_batch` over --batch subjects (chunk commits, bulk query log), consumed
   as the API streams it, against the raw chunked look-ups of the same subjects.
4. http: uvicorn (one worker, a separate process) serving `create_app` with the check router, loaded by
   wrk (a separate process, Lua script rotating over the sampled identifiers) for --seconds.
No timing is asserted anywhere; the JSON result goes to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-02T10:00:00+08:00"
UNIT = "江苏省财政厅"
ID_TYPES = (
    "uscc",
    "ric",
    "passport",
    "hk_macao_permit",
    "taiwan_permit",
    "foreign_permanent_residence",
    "residence_permit",
)
SEVERE_GROUNDS = ("market_order", "health_safety", "court_defaulter", "consumer_investor")


def dumps(line: dict[str, Any]) -> bytes:
    """A batch line as the API serializes it (checks.router.dumps: orjson when installed)."""
    try:
        from xinyong.checks.router import dumps as api_dumps
    except ImportError:  # a router without it (measuring an older tree): what it did
        return json.dumps(line, ensure_ascii=False).encode()
    return api_dumps(line)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _lat(values: list[float]) -> dict[str, float]:
    return {"p50_ms": _pct(values, 0.5) * 1e3, "p99_ms": _pct(values, 0.99) * 1e3, "n": len(values)}


def _engine(path: Path) -> Any:
    import xinyong.checks.models
    import xinyong.measures.models  # noqa: F401
    from xinyong.core.db import create_all, make_engine

    engine = make_engine(f"sqlite:///{path}")
    create_all(engine)
    return engine


def load(path: Path, records: int, profile_id: str) -> dict[str, Any]:
    from bench.generate import generate
    from xinyong.core import profile as profiles
    from xinyong.core.actor import Actor, Role
    from xinyong.core.clock import parse_instant
    from xinyong.core.db import session_factory, transaction
    from xinyong.lists.models import Listing
    from xinyong.records import service as records_service
    from xinyong.records.ingest import SourceRow
    from xinyong.subjects.models import Subject
    from xinyong.users import service as users_service

    if path.exists():
        path.unlink()
    engine = _engine(path)
    factory = session_factory(engine)
    profile = profiles.get(profile_id)
    now = parse_instant(NOW)
    operator = Actor(username="bench", role=Role.operator, organization="公共信用信息工作机构")
    started = time.perf_counter()
    batch: list[SourceRow] = []
    for n, row in enumerate(generate(records, profile_id=profile_id), start=1):
        batch.append(SourceRow(row=n, values=row))
        if len(batch) == 10_000:
            with transaction(factory) as db:
                records_service.submit_batch(
                    db_session=db, profile=profile, now=now, actor=operator, rows=batch, name="bench"
                )
            batch = []
    if batch:
        with transaction(factory) as db:
            records_service.submit_batch(
                db_session=db, profile=profile, now=now, actor=operator, rows=batch, name="b"
            )
    loaded = time.perf_counter() - started
    rng = random.Random(7)
    with transaction(factory) as db:
        ids = [i for (i,) in db.query(Subject.id).all()]
        picks = rng.sample(ids, len(ids) // 50)
        decided = now - timedelta(days=30)
        for k, sid in enumerate(picks):
            red = k % 2 == 1
            db.add(
                Listing(
                    jurisdiction=profile.id,
                    list_name="red" if red else "severe",
                    subject_id=sid,
                    ground="honest_model" if red else SEVERE_GROUNDS[k % len(SEVERE_GROUNDS)],
                    basis_record_ids=[],
                    proposed_by="bench",
                    determining_body="bench",
                    state="listed",
                    proposed_at=decided,
                    notified_at=decided,
                    decided_at=decided,
                    version=1,
                )
            )
        users_service.get_or_create_org(db_session=db, now=now, name=UNIT)
        user = users_service.create_user(
            db_session=db,
            now=now,
            username="bench-unit",
            role=Role.government,
            organization=UNIT,
            jurisdiction=None,
        )
        token = users_service.issue_token(db_session=db, now=now, user=user)
    (path.parent / "check-token.txt").write_text(token)
    engine.dispose()
    return {"records": records, "load_seconds": loaded, "subjects": len(ids), "listed": len(picks)}


def _raw_one(conn: sqlite3.Connection, identifier: str, jurisdiction: str) -> int:
    row = conn.execute(
        f"SELECT id, kind FROM subjects WHERE id_type IN {ID_TYPES} AND identifier = ?", (identifier,)
    ).fetchone()
    recs = conn.execute(
        "SELECT r.id, r.item, r.decided_on, r.severity, e.kind FROM records r LEFT JOIN record_events e "
        "ON e.record_id = r.id WHERE r.subject_id = ? AND r.jurisdiction = ? "
        "AND (r.info_class IN ('dishonest','good') OR r.item = 'evaluation')",
        (row[0], jurisdiction),
    ).fetchall()
    lst = conn.execute(
        "SELECT id, list, ground FROM listings WHERE jurisdiction = ? AND subject_id = ? "
        "AND state = 'listed'",
        (jurisdiction, row[0]),
    ).fetchall()
    return len(recs) + len(lst)


def measure(
    path: Path, profile_id: str, sample: int, batch_size: int, repeat: int, skip: set[str]
) -> dict[str, Any]:
    from xinyong.checks import service
    from xinyong.core import profile as profiles
    from xinyong.core.actor import Actor, Role
    from xinyong.core.clock import parse_instant
    from xinyong.core.db import session_factory

    engine = _engine(path)
    factory = session_factory(engine)
    profile = profiles.get(profile_id)
    now = parse_instant(NOW)
    actor = Actor(username="bench-unit", role=Role.government, organization=UNIT)
    raw = sqlite3.connect(path)
    identifiers = [i for (i,) in raw.execute("SELECT identifier FROM subjects ORDER BY id")]
    rng = random.Random(11)
    chosen = rng.sample(identifiers, sample + 200)
    matter = "fiscal_subsidy"
    out: dict[str, Any] = {}
    (path.parent / "check-identifiers.txt").write_text("\n".join(chosen[200:]))
    if "single" not in skip:
        out["single"] = _single(factory, raw, service, profile, now, actor, chosen, matter, repeat)
    if "batch" not in skip:
        subjects = rng.sample(identifiers, min(batch_size, len(identifiers)))
        out["batch"] = _batch(factory, raw, service, profile, now, actor, subjects, matter)
    raw.close()
    engine.dispose()
    return out


def _single(
    factory: Any,
    raw: sqlite3.Connection,
    service: Any,
    profile: Any,
    now: datetime,
    actor: Any,
    chosen: list[str],
    matter: str,
    repeat: int,
) -> dict[str, Any]:
    from xinyong.core.db import transaction

    for ident in chosen[:200]:  # warm-up
        with transaction(factory) as db:
            service.check(db_session=db, profile=profile, now=now, actor=actor, subject=ident, matter=matter)
        _raw_one(raw, ident, profile.id)
    svc: list[float] = []
    rawt: list[float] = []
    restricted = incentive = 0
    for ident in chosen[200:]:
        best_s = best_r = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            with transaction(factory) as db:
                res = service.check(
                    db_session=db, profile=profile, now=now, actor=actor, subject=ident, matter=matter
                )
            best_s = min(best_s, time.perf_counter() - t0)
            t0 = time.perf_counter()
            _raw_one(raw, ident, profile.id)
            best_r = min(best_r, time.perf_counter() - t0)
        restricted += res.restricted
        incentive += res.incentive
        svc.append(best_s)
        rawt.append(best_r)
    single = {"service": _lat(svc), "raw": _lat(rawt), "restricted": restricted, "incentive": incentive}
    single["ratio_p50"] = single["service"]["p50_ms"] / single["raw"]["p50_ms"]
    single["ratio_p99"] = single["service"]["p99_ms"] / single["raw"]["p99_ms"]
    return single


def _batch(
    factory: Any,
    raw: sqlite3.Connection,
    service: Any,
    profile: Any,
    now: datetime,
    actor: Any,
    subjects: list[str],
    matter: str,
) -> dict[str, Any]:
    from xinyong.core.db import transaction

    t0, c0 = time.perf_counter(), time.process_time()
    with transaction(factory) as db:
        lines = 0
        for line in service.check_batch(
            db_session=db,
            profile=profile,
            now=now,
            actor=actor,
            subjects=subjects,
            matter=matter,
            on_chunk=db.commit,
        ):
            dumps(line)  # as the API serializes it
            lines += 1
    batch_s, batch_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(subjects), 900):
        chunk = subjects[i : i + 900]
        marks = ",".join("?" * len(chunk))
        ids = [
            r[0]
            for r in raw.execute(
                f"SELECT id FROM subjects WHERE id_type IN {ID_TYPES} AND identifier IN ({marks})", chunk
            )
        ]
        im = ",".join("?" * len(ids))
        raw.execute(
            "SELECT r.id, r.subject_id, r.item, r.decided_on, r.severity FROM records r "
            f"WHERE r.subject_id IN ({im}) "
            "AND r.jurisdiction = ? AND (r.info_class IN ('dishonest','good') OR r.item = 'evaluation')",
            [*ids, profile.id],
        ).fetchall()
        raw.execute(
            f"SELECT e.record_id, e.kind FROM record_events e JOIN records r ON r.id = e.record_id "
            f"WHERE r.subject_id IN ({im})",
            ids,
        ).fetchall()
        raw.execute(
            f"SELECT id, subject_id, list FROM listings WHERE jurisdiction = ? AND subject_id IN ({im}) "
            "AND state = 'listed'",
            [profile.id, *ids],
        ).fetchall()
    raw_batch_s, raw_cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "subjects": len(subjects),
        "lines": lines,
        "service_seconds": batch_s,
        "raw_seconds": raw_batch_s,
        "ratio": batch_s / raw_batch_s,
        # CPU time of this process (the database engine runs in it too): on a shared machine it moves
        # less than wall time when other sessions take the cores
        "service_cpu_seconds": batch_cpu,
        "raw_cpu_seconds": raw_cpu,
    }


SERVE = """
import sys
import uvicorn
from xinyong.api.app import J, create_app
from xinyong.core.clock import fixed_clock, parse_instant
from xinyong.core.db import make_engine
from xinyong.checks.router import router
import xinyong.checks.models, xinyong.measures.models
app = create_app(make_engine({url!r}), fixed_clock(parse_instant({now!r})))
if not any(getattr(r, "path", "").endswith("/check") for r in app.routes):
    app.include_router(router, prefix=J)
if __name__ == "__main__":
    uvicorn.run("check_serve:app", host="127.0.0.1", port={port}, log_level="warning", access_log=False,
                workers={workers}, app_dir={app_dir!r})
"""

LUA = """
local ids = {{}}
for line in io.lines({ids!r}) do ids[#ids + 1] = line end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  return wrk.format(nil, "/api/v1/{profile}/check", nil,
    '{{"subject": "' .. id .. '", "matter": "fiscal_subsidy"}}')
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {{\\"requests\\": %d, \\"seconds\\": %f, \\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50_ms\\": %f, \\"p99_ms\\": %f}}\\n", summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
"""


def _logged(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT count(*) FROM audit_log WHERE purpose = 'check:fiscal_subsidy'"
        ).fetchone()[0]


def http(
    path: Path, profile_id: str, seconds: int, connections: int, workers: int, extra_path: str | None
) -> dict[str, Any]:
    """uvicorn (`workers` processes) under wrk; `extra_path` is put on the server's PYTHONPATH (e.g. a
    `pip install --target` folder with uvloop, httptools, orjson — uvicorn uses them when present)."""
    if shutil.which("wrk") is None:
        return {"skipped": "wrk not installed"}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    script = path.parent / "check_serve.py"
    script.write_text(
        SERVE.format(url=f"sqlite:///{path}", now=NOW, port=port, workers=workers, app_dir=str(path.parent))
    )
    env = dict(os.environ)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, env.get("PYTHONPATH")) if p)
    lua = path.parent / "check-wrk.lua"
    token = (path.parent / "check-token.txt").read_text().strip()
    lua.write_text(
        LUA.format(ids=str(path.parent / "check-identifiers.txt"), token=token, profile=profile_id)
    )
    server = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(lua), f"http://127.0.0.1:{port}"]
        subprocess.run([*cmd[:3], "-d2s", *cmd[4:]], capture_output=True, check=True)  # warm-up
        time.sleep(0.5)  # let the warm-up's last writes land
        before = _logged(path)
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        time.sleep(0.5)
        after = _logged(path)
        # the framework's ceiling on this machine: the app's trivial `GET /` (no database, no auth)
        plain = ["wrk", "-t2", f"-c{connections}", f"-d{max(3, seconds // 3)}s", f"http://127.0.0.1:{port}/"]
        ceiling = subprocess.run(plain, capture_output=True, text=True, check=True).stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    result["checks_per_second"] = result["requests"] / result["seconds"]
    result["command"] = " ".join(cmd)
    result["workers"] = workers
    rate = next((line.split()[1] for line in ceiling.splitlines() if line.startswith("Requests/sec:")), "0")
    result["ceiling_get_root_per_second"] = float(rate)
    # every answered check is in the query log (plus those wrk abandoned at its deadline)
    result["query_log_entries"] = after - before
    try:
        import_check = [sys.executable, "-c", "import uvloop, httptools; print('yes')"]
        result["uvloop_httptools"] = (
            subprocess.run(import_check, capture_output=True, text=True, env=env).stdout.strip() == "yes"
        )
    except OSError:
        result["uvloop_httptools"] = False
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.check")
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--profile", default="jiangsu")
    p.add_argument("--workdir", default="var/bench")
    p.add_argument("--reuse", action="store_true", help="measure on the database a previous run kept")
    p.add_argument("--sample", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--batch", type=int, default=100_000)
    p.add_argument("--seconds", type=int, default=15)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    p.add_argument("--extra-path", help="folder put on the server's PYTHONPATH (uvloop, httptools, orjson)")
    p.add_argument("--skip", default="", help="comma-separated phases to skip: single,batch,http")
    p.add_argument("--out")
    args = p.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"check-{args.records}.db"
    result: dict[str, Any] = {
        "records": args.records,
        "at": datetime.now().isoformat(),
        "cpus": os.cpu_count(),
    }
    result["loadavg_before"] = os.getloadavg()
    if not (args.reuse and db.exists()):
        result["load"] = load(db, args.records, args.profile)
    skip = set(filter(None, args.skip.split(",")))
    result.update(measure(db, args.profile, args.sample, args.batch, args.repeat, skip))
    if "http" not in skip:
        result["http"] = http(db, args.profile, args.seconds, args.connections, args.workers, args.extra_path)
    result["loadavg_after"] = os.getloadavg()
    out = Path(args.out or work / f"result-check-{args.records}.json")
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
