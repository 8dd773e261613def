"""Query log and audit trail: append, verify, "who looked at me", retention purge.

Every function takes a keyword-only `db_session` and never commits: the caller's transaction saves a
change and the entry that explains it together, or neither (DESIGN principle 4). Appends to one chain
are serialised by the chain's head row: a write that takes SQLite's write lock, and SELECT ... FOR
UPDATE on PostgreSQL, so two appends can never link to the same predecessor.

Retention (REQUIREMENTS R-SEC-02) is the profile's `query_log.retention`, counted from the local
date of each entry by 民法典 第二百零一条、第二百零二条 (:func:`xinyong.core.periods.end_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, Literal, Protocol
from weakref import WeakKeyDictionary

from sqlalchemy import Dialect, Row, delete, func, or_, select, union
from sqlalchemy.orm import Session, configure_mappers
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.orm.base import manager_of_class

from xinyong.audit import chain as hashchain
from xinyong.audit.chain import GENESIS, EntryContent, VerifyResult
from xinyong.audit.models import AuditEntry, AuditHead
from xinyong.core.clock import SHANGHAI, local_date, start_of_day
from xinyong.core.errors import XinyongError
from xinyong.core.periods import Duration, end_of

CHANNELS = ("public", "government", "self", "authorized", "provider", "operator")
STREAM_BATCH = 1000  # rows fetched at a time while streaming a chain

# The columns a verification reads (no ORM objects: a long chain must not fill the identity map).
_VERIFY_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.prev_hash,
    AuditEntry.hash,
    *(getattr(AuditEntry, name) for name in hashchain.CONTENT_FIELDS),
)


class _HasDuration(Protocol):
    def to_duration(self) -> Duration: ...


Retention = Duration | _HasDuration | Literal["long_term", "unspecified"]


# --------------------------------------------------------------------------- append


def log_query(
    *,
    db_session: Session,
    now: datetime,
    chain: str,
    actor: str,
    actor_org: str | None,
    channel: str | None,
    purpose: str | None,
    authorization_id: str | None,
    subject_id: str | None,
    record_ids: Sequence[str],
) -> AuditEntry:
    """Log one look-up: who, through which channel, why, under which authorization, what was returned."""
    if channel is not None and channel not in CHANNELS:
        known = ", ".join(CHANNELS)
        raise XinyongError("invalid_field", field="channel", detail=f"{channel!r}; one of {known}")
    return _append(
        db_session,
        now=now,
        chain=chain,
        kind="query",
        actor=actor,
        actor_org=actor_org,
        channel=channel,
        purpose=purpose,
        authorization_id=authorization_id,
        subject_id=subject_id,
        record_ids=record_ids,
        action=None,
        details={},
    )


def log_event(
    *,
    db_session: Session,
    now: datetime,
    chain: str,
    actor: str,
    action: str,
    details: dict[str, Any],
    subject_id: str | None = None,
    record_ids: Sequence[str] = (),
) -> AuditEntry:
    """Log one audited operation, e.g. action="record.revoked" with the why in `details`."""
    if not action:
        raise XinyongError("missing_field", field="action")
    return _append(
        db_session,
        now=now,
        chain=chain,
        kind="event",
        actor=actor,
        actor_org=None,
        channel=None,
        purpose=None,
        authorization_id=None,
        subject_id=subject_id,
        record_ids=record_ids,
        action=action,
        details=details,
    )


def log_queries(
    *,
    db_session: Session,
    now: datetime,
    chain: str,
    actor: str,
    actor_org: str | None,
    channel: str | None,
    purpose: str | None,
    entries: Sequence[tuple[str | None, Sequence[str]]],
) -> int:
    """Log many look-ups made at once (an automatic check): one entry per (subject_id, record_ids).

    Same entries, links and head as that many :func:`log_query` calls, but one head lock, the hashes
    chained in Python and one bulk insert. Returns how many entries were appended.
    """
    _check_channel(channel)
    _check_append(now, chain, actor)
    rows: list[dict[str, Any]] = []
    for subject_id, record_ids in entries:
        rows.append(
            _content(
                chain=chain,
                now=now,
                kind="query",
                actor=actor,
                actor_org=actor_org,
                channel=channel,
                purpose=purpose,
                authorization_id=None,
                subject_id=subject_id,
                record_ids=record_ids,
                action=None,
                details={},
            )
        )
    if rows:
        _write(db_session, chain, now, rows)
    return len(rows)


def _check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        known = ", ".join(CHANNELS)
        raise XinyongError("invalid_field", field="channel", detail=f"{channel!r}; one of {known}")


def _check_append(now: datetime, chain: str, actor: str) -> None:
    if now.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware `now`")
    if not chain:
        raise XinyongError("missing_field", field="chain")
    if not actor:
        raise XinyongError("missing_field", field="actor")


def _content(
    *, chain: str, now: datetime, record_ids: Sequence[str], details: Any, **fields: Any
) -> dict[str, Any]:
    """An entry's content (CONTENT_FIELDS), as stored and hashed."""
    if isinstance(record_ids, str):
        raise XinyongError("invalid_field", field="record_ids", detail="a list of record ids, not one string")
    return {
        "chain": chain,
        "at": now,
        **fields,
        "record_ids": [str(r) for r in record_ids],
        "details": hashchain.normalize(dict(details)),  # stored exactly as hashed
    }


def _append(db_session: Session, *, now: datetime, chain: str, actor: str, **fields: Any) -> AuditEntry:
    _check_append(now, chain, actor)
    content = _content(chain=chain, now=now, actor=actor, **fields)
    seq, prev_hash, entry_hash = _write(db_session, chain, now, [content])
    # The entry as the caller knows it: every column set, detached (it was written by a Core
    # statement, not through the session's unit of work).
    entry = _ENTRY_MANAGER.new_instance()
    entry.__dict__.update(content, seq=seq, prev_hash=prev_hash, hash=entry_hash)
    instance_state(entry).key = (AuditEntry, (seq,), None)  # detached, as if loaded
    return entry


def _write(
    db_session: Session, chain: str, now: datetime, contents: list[dict[str, Any]]
) -> tuple[int, str, str]:
    """Append `contents` to `chain` under its head lock; (seq, prev_hash, hash) of the last one.

    Core statements on the session's own connection and transaction: on PostgreSQL the head is
    locked with SELECT ... FOR UPDATE and the entry and the head move in one statement; on SQLite
    an UPDATE of the head takes the database write lock first (SQLite has no FOR UPDATE, and a
    plain read would let two writers read the same head). A single entry first tries the hash
    this process appended last (`_last_hashes`): one statement fewer when no one appended since.
    """
    db_session.flush()  # pending ORM changes go first, as the ORM's own flush ordered them before
    sql = _statements(db_session)
    engine = db_session.get_bind()
    cursor = db_session.connection().connection.cursor()
    try:
        at = sql.at(now)  # converted once: every entry of the call and the head carry it
        head: tuple[int, str] | None = None
        guess = _last_hashes.get(engine, {}).get(chain) if len(contents) == 1 else None
        if guess is not None and not sql.postgresql:
            linked = _insert_if_head(cursor, sql, at, contents[0], guess)
            if linked is not None:  # the head still ended with the guess: move it to the new entry
                last_seq, row = linked
                cursor.execute(sql.move_head, sql.head_params(chain, at, last_seq, row["hash"]))
                _last_hashes[engine][chain] = row["hash"]
                _sync_head(db_session, chain, now, last_seq, row["hash"])
                return last_seq, row["prev_hash"], row["hash"]
        elif guess is not None:
            found = _append_if_head(cursor, sql, chain, at, contents[0], guess)
            if found is not None and found[0] is not None:
                row = found[3]
                _last_hashes.setdefault(engine, {})[chain] = row["hash"]
                _sync_head(db_session, chain, now, found[0], row["hash"])
                return found[0], row["prev_hash"], row["hash"]
            if found is not None:  # a wrong guess: the head is locked and known now
                head = (found[1], found[2])
        last_seq, last_hash = head if head is not None else _lock(cursor, sql, chain, at)
        rows = []
        prev = last_hash
        for content in contents:
            h = hashchain.entry_hash(prev, content)
            rows.append(sql.entry({**content, "at": at, "prev_hash": prev, "hash": h}))
            prev = h
        if sql.postgresql and len(rows) == 1:
            # the entry and the head's move in one round trip
            cursor.execute(sql.append_pg, {**rows[0], **sql.head_params(chain, at, 0, prev)})
            last_seq = cursor.fetchone()[0]
        elif sql.postgresql:
            cursor.execute(sql.next_seqs, (len(rows),))
            seqs = [r[0] for r in cursor.fetchall()]
            for row, seq in zip(rows, seqs, strict=True):
                row["seq"] = seq
            cursor.executemany(sql.insert_with_seq, rows)
            last_seq = seqs[-1]
            cursor.execute(sql.move_head, sql.head_params(chain, at, last_seq, prev))
        else:
            if len(rows) == 1:
                cursor.execute(sql.insert, rows[0])
                last_seq = cursor.lastrowid
            else:
                cursor.executemany(sql.insert, rows)
                cursor.execute(sql.max_seq)  # the write lock is held: the highest seq is our last entry
                last_seq = cursor.fetchone()[0]
            cursor.execute(sql.move_head, sql.head_params(chain, at, last_seq, prev))
    finally:
        cursor.close()
    _last_hashes.setdefault(engine, {})[chain] = prev
    _sync_head(db_session, chain, now, last_seq, prev)
    return last_seq, rows[-1]["prev_hash"], prev


def _sync_head(db_session: Session, chain: str, now: datetime, last_seq: int, last_hash: str) -> None:
    head = db_session.identity_map.get((AuditHead, (chain,), None))
    if head is not None:  # keep a head the session has loaded in step with the row
        set_committed_value(head, "last_seq", last_seq)
        set_committed_value(head, "last_hash", last_hash)
        set_committed_value(head, "updated_at", now)


# The last hash this process appended per database (engine) and chain: an append guesses that the
# head still ends there and links to it with one statement fewer (`_append_if_head`,
# `_insert_if_head`). A wrong guess (another process appended, or the transaction was rolled back)
# costs the full path: on PostgreSQL no statement more, on SQLite one local statement more.
_last_hashes: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()


def _insert_if_head(
    cursor: Any, sql: _Statements, at: Any, content: dict[str, Any], guess: str
) -> tuple[int, dict[str, Any]] | None:
    """SQLite: insert the entry linked to `guess` if the chain's head still ends with it; (its seq,
    the row inserted), or None when the head ends elsewhere or is missing (nothing inserted). The
    INSERT takes the database write lock before it reads the head, so no other append can come
    between the check and the caller's move of the head."""
    h = hashchain.entry_hash(guess, content)
    row = sql.entry({**content, "at": at, "prev_hash": guess, "hash": h})
    cursor.execute(sql.insert_if_head, {**row, "guess": guess})
    if cursor.rowcount != 1:
        return None
    return int(cursor.lastrowid), row


def _append_if_head(
    cursor: Any, sql: _Statements, chain: str, at: Any, content: dict[str, Any], guess: str
) -> tuple[int | None, int, str, dict[str, Any]] | None:
    """PostgreSQL, one round trip: lock the head and, if its last hash is `guess`, insert the entry
    linked to it and move the head. Returns (seq of the new entry, or None when the guess was
    wrong, the head's last_seq and last_hash before the call, the row tried), or None when the
    chain has no head yet. A wrong guess leaves the head locked and known: the caller appends
    with one more statement, as many as without a guess."""
    h = hashchain.entry_hash(guess, content)
    row = sql.entry({**content, "at": at, "prev_hash": guess, "hash": h})
    cursor.execute(sql.append_if_head, {**row, **sql.head_params(chain, at, 0, h), "guess": guess})
    found = cursor.fetchone()
    if found is None:
        return None
    return found[0], int(found[1]), str(found[2]), row


def _lock(cursor: Any, sql: _Statements, chain: str, at: Any) -> tuple[int, str]:
    """(last_seq, last_hash) of the chain's head, locked until the transaction ends; created if missing.

    `at` is the instant as the database driver takes it (`_Statements.at`)."""
    params = {"chain": chain, "updated_at": at}
    cursor.execute(sql.lock, params)
    row = cursor.fetchone()
    if row is None:
        cursor.execute(sql.create_head, {**params, "genesis": GENESIS})  # ON CONFLICT DO NOTHING
        cursor.execute(sql.lock, params)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _lock_head(db_session: Session, *, chain: str, now: datetime) -> AuditHead:
    """The chain's head row as an ORM object (for purge), created on first use and locked until the
    caller's transaction ends (see :func:`_write`)."""
    db_session.flush()
    cursor = db_session.connection().connection.cursor()
    try:
        sql = _statements(db_session)
        _lock(cursor, sql, chain, sql.at(now))
    finally:
        cursor.close()
    head = db_session.get(AuditHead, chain, populate_existing=True)
    assert head is not None
    return head


# every content field, then the links; `seq` is the table's own
_COLUMNS = (
    "chain",
    "at",
    *(c for c in hashchain.CONTENT_FIELDS if c not in ("chain", "at")),
    "prev_hash",
    "hash",
)


class _Statements:
    """The append's SQL for one dialect, written once, and the column types' own bind processors
    (so values are stored exactly as the ORM would store them)."""

    def __init__(self, dialect: Dialect) -> None:
        if dialect.name not in ("postgresql", "sqlite"):  # pragma: no cover - SQLite and PostgreSQL only
            raise NotImplementedError(f"audit log on {dialect.name}")
        self.postgresql = dialect.name == "postgresql"
        configure_mappers()  # AuditEntry objects are built by hand (`_append`): instrumentation ready
        table = AuditEntry.__table__
        self._processors = {
            name: proc
            for name in _COLUMNS
            if name != "at"  # converted once per call (`at`)
            and (proc := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        at = AuditHead.__table__.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.at: Callable[[datetime], Any] = at or (lambda v: v)

        def mark(name: str) -> str:
            if not self.postgresql:
                return f":{name}"
            return f"%({name})s" + ("::jsonb" if name in ("record_ids", "details") else "")

        columns = ", ".join(_COLUMNS)
        values = ", ".join(mark(c) for c in _COLUMNS)
        self.insert = f"INSERT INTO audit_log ({columns}) VALUES ({values})"
        self.insert_with_seq = f"INSERT INTO audit_log (seq, {columns}) VALUES ({mark('seq')}, {values})"
        chain, updated_at, genesis = mark("chain"), mark("updated_at"), mark("genesis")
        self.create_head = (
            "INSERT INTO audit_heads (chain, last_seq, last_hash, anchor_seq, anchor_hash, updated_at) "
            f"VALUES ({chain}, 0, {genesis}, 0, {genesis}, {updated_at}) ON CONFLICT (chain) DO NOTHING"
        )
        if self.postgresql:
            self.lock = f"SELECT last_seq, last_hash FROM audit_heads WHERE chain = {chain} FOR UPDATE"
        else:  # a write, so that it takes SQLite's write lock before the head is read
            self.lock = (
                f"UPDATE audit_heads SET updated_at = {updated_at} WHERE chain = {chain} "
                "RETURNING last_seq, last_hash"
            )
        set_head = f"last_hash = {mark('last_hash')}, updated_at = {updated_at}"
        self.move_head = (
            f"UPDATE audit_heads SET last_seq = {mark('last_seq')}, {set_head} WHERE chain = {chain}"
        )
        self.append_pg = (
            f"WITH e AS ({self.insert} RETURNING seq) "
            f"UPDATE audit_heads SET last_seq = e.seq, {set_head} FROM e "
            f"WHERE chain = {chain} RETURNING e.seq"
        )
        select_values = ", ".join(mark(c) for c in _COLUMNS)
        self.append_if_head = (
            f"WITH h AS (SELECT last_seq, last_hash FROM audit_heads WHERE chain = {chain} FOR UPDATE), "
            f"e AS (INSERT INTO audit_log ({columns}) SELECT {select_values} FROM h "
            f"WHERE h.last_hash = {mark('guess')} RETURNING seq), "
            f"u AS (UPDATE audit_heads SET last_seq = e.seq, {set_head} FROM e "
            f"WHERE chain = {chain} RETURNING e.seq) "
            "SELECT (SELECT seq FROM u), h.last_seq, h.last_hash FROM h"
        )
        self.next_seqs = (
            "SELECT nextval(pg_get_serial_sequence('audit_log', 'seq')) FROM generate_series(1, %s)"
        )
        self.max_seq = "SELECT max(seq) FROM audit_log"
        self.insert_if_head = (
            f"INSERT INTO audit_log ({columns}) SELECT {select_values} FROM audit_heads "
            f"WHERE chain = {chain} AND last_hash = {mark('guess')}"
        )

    def entry(self, values: dict[str, Any]) -> dict[str, Any]:
        for name, proc in self._processors.items():
            values[name] = proc(values[name])
        return values

    def head_params(self, chain: str, at: Any, last_seq: int, last_hash: str) -> dict[str, Any]:
        return {"chain": chain, "updated_at": at, "last_seq": last_seq, "last_hash": last_hash}


_STATEMENTS: WeakKeyDictionary[Dialect, _Statements] = WeakKeyDictionary()  # per engine, built once
_ENTRY_MANAGER = manager_of_class(AuditEntry)


def _statements(db_session: Session) -> _Statements:
    dialect = db_session.get_bind().dialect
    sql = _STATEMENTS.get(dialect)
    if sql is None:
        sql = _STATEMENTS[dialect] = _Statements(dialect)
    return sql


# --------------------------------------------------------------------------- read


def get_head(*, db_session: Session, chain: str) -> AuditHead | None:
    return db_session.get(AuditHead, chain)


def chains(*, db_session: Session) -> list[str]:
    """Every chain with a head or an entry (an entry without a head is itself a finding)."""
    ids = union(select(AuditHead.chain), select(AuditEntry.chain).distinct())
    return sorted(db_session.scalars(select(ids.subquery().c.chain)))


def queries_of_subject(
    *, db_session: Session, chain: str, subject_id: str, since: datetime | None = None
) -> list[AuditEntry]:
    """Who looked at this subject, when and why (non-public queries only), newest first."""
    stmt = select(AuditEntry).where(
        AuditEntry.chain == chain,
        AuditEntry.subject_id == subject_id,
        AuditEntry.kind == "query",
        or_(AuditEntry.channel.is_(None), AuditEntry.channel != "public"),
    )
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    return list(db_session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.seq.desc())))


# --------------------------------------------------------------------------- verify


def verify_chain(*, db_session: Session, chain: str) -> VerifyResult:
    """Verify one chain, streaming its entries in seq order (constant memory)."""
    head = _head_values(db_session, chain)
    result = _verify(db_session, chain, head)
    if not result.ok and head is not None and _head_values(db_session, chain) != head:
        # A purge or append committed between reading the head and reading the entries: read again.
        head = _head_values(db_session, chain)
        result = _verify(db_session, chain, head)
    return result


def verify_all(*, db_session: Session) -> dict[str, VerifyResult]:
    return {c: verify_chain(db_session=db_session, chain=c) for c in chains(db_session=db_session)}


def _head_values(db_session: Session, chain: str) -> Row[Any] | None:
    stmt = select(AuditHead.last_seq, AuditHead.last_hash, AuditHead.anchor_seq, AuditHead.anchor_hash)
    return db_session.execute(stmt.where(AuditHead.chain == chain)).first()


def _verify(db_session: Session, chain: str, head: Row[Any] | None) -> VerifyResult:
    if head is None:
        result = hashchain.verify(_stream(db_session, chain), anchor_hash=GENESIS, head=None)
        if result.ok and result.checked:
            return VerifyResult(False, result.checked, None, hashchain.HEAD_MISSING)
        return result
    # Appends may commit while the entries stream: entries past this head are checked against a
    # head read afterwards, so only entries no head has ever covered are strays.
    result = hashchain.verify(
        _stream(db_session, chain),
        anchor_hash=head.anchor_hash,
        anchor_seq=head.anchor_seq,
        head=(head.last_seq, head.last_hash),
        appends_after_head=True,
    )
    if not result.ok:
        return result
    current = _head_values(db_session, chain)
    last_seq = max(head.last_seq, current.last_seq if current is not None else 0)
    stray = db_session.scalar(
        select(func.min(AuditEntry.seq)).where(AuditEntry.chain == chain, AuditEntry.seq > last_seq)
    )
    if stray is not None:
        return VerifyResult(False, result.checked, stray, hashchain.BEYOND_HEAD)
    return result


def _stream(db_session: Session, chain: str) -> Iterator[EntryContent]:
    stmt = select(*_VERIFY_COLUMNS).where(AuditEntry.chain == chain)
    result = db_session.execute(stmt.order_by(AuditEntry.seq).execution_options(yield_per=STREAM_BATCH))
    try:  # the verifier may stop early; close the cursor then, not at garbage collection
        for row in result:
            m = row._mapping
            content = {name: m[name] for name in hashchain.CONTENT_FIELDS}
            yield EntryContent(m["seq"], m["prev_hash"], m["hash"], content)
    finally:
        result.close()


# --------------------------------------------------------------------------- retention


def purge(
    *,
    db_session: Session,
    chain: str,
    retention: Retention,
    today: date,
    now: datetime | None = None,
    actor: str = "system",
    tz: tzinfo = SHANGHAI,
) -> int:
    """Delete the entries past retention, as a prefix of the chain; return how many.

    An entry made on local day D with retention P is kept through end_of(D, P) and deleted from the
    day after (e.g. 3 years: a query on 2026-03-02 is kept on 2029-03-02, gone on 2029-03-03). Only
    a prefix goes: the first entry still inside retention keeps everything after it. The anchor moves
    to the first kept entry's link so the chain still verifies, and the purge itself is logged as an
    "audit.purged" event (at `now`, by default the start of `today`). "long_term" and "unspecified"
    purge nothing. A chain that does not verify is never purged (that would destroy the evidence):
    XinyongError("not_eligible").
    """
    duration = _duration(retention)
    if duration is None:
        return 0
    when = now if now is not None else start_of_day(today, tz)
    if get_head(db_session=db_session, chain=chain) is None:
        result = verify_chain(db_session=db_session, chain=chain)
        _refuse_if_broken(chain, result)
        return 0  # nothing was ever logged on this chain
    head = _lock_head(db_session, chain=chain, now=when)
    values = _head_values(db_session, chain)
    _refuse_if_broken(chain, _verify(db_session, chain, values))

    cut, count, first_kept_link = _expired_prefix(
        db_session, chain, upto=head.last_seq, keep=lambda at: today <= end_of(local_date(at, tz), duration)
    )
    if count == 0:
        return 0
    db_session.execute(
        delete(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq <= cut),
        execution_options={"synchronize_session": False},
    )
    # Nothing kept: the next append links to the current last hash, so that becomes the anchor.
    head.anchor_seq, head.anchor_hash = cut, first_kept_link or head.last_hash
    head.updated_at = when
    log_event(
        db_session=db_session,
        now=when,
        chain=chain,
        actor=actor,
        action="audit.purged",
        details={"through_seq": cut, "count": count, "retention": str(duration), "today": today},
    )
    return count


def _duration(retention: Retention) -> Duration | None:
    if isinstance(retention, str):
        if retention in ("long_term", "unspecified"):
            return None
        raise ValueError(f"unknown retention {retention!r}")
    if isinstance(retention, Duration):
        return retention
    return retention.to_duration()


def _expired_prefix(
    db_session: Session, chain: str, *, upto: int, keep: Callable[[datetime], bool]
) -> tuple[int, int, str | None]:
    """(seq of the last entry to delete, how many, prev_hash of the first kept entry or None)."""
    stmt = (
        select(AuditEntry.seq, AuditEntry.at, AuditEntry.prev_hash)
        .where(AuditEntry.chain == chain, AuditEntry.seq <= upto)
        .order_by(AuditEntry.seq)
    )
    result = db_session.execute(stmt.execution_options(yield_per=STREAM_BATCH))
    cut, count = 0, 0
    try:
        for row in result:
            if keep(row.at):
                return cut, count, row.prev_hash
            cut, count = row.seq, count + 1
    finally:
        result.close()
    return cut, count, None


def _refuse_if_broken(chain: str, result: VerifyResult) -> None:
    if not result.ok:
        raise XinyongError(
            "not_eligible",
            detail=f"audit chain {chain!r} does not verify (seq {result.first_bad_seq}: {result.reason}); "
            "nothing purged / 审计链校验未通过，未删除任何记录",
        )
