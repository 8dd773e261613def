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

from sqlalchemy import Row, delete, func, or_, select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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


def _append(db_session: Session, *, now: datetime, chain: str, actor: str, **fields: Any) -> AuditEntry:
    if now.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware `now`")
    if not chain:
        raise XinyongError("missing_field", field="chain")
    if not actor:
        raise XinyongError("missing_field", field="actor")
    if isinstance(fields["record_ids"], str):
        raise XinyongError("invalid_field", field="record_ids", detail="a list of record ids, not one string")
    fields["record_ids"] = [str(r) for r in fields["record_ids"]]
    fields["details"] = hashchain.normalize(dict(fields["details"]))  # stored exactly as hashed
    head = _lock_head(db_session, chain=chain, now=now)
    entry = AuditEntry(chain=chain, at=now, actor=actor, prev_hash=head.last_hash, **fields)
    entry.hash = hashchain.entry_hash(head.last_hash, entry.content())
    db_session.add(entry)
    db_session.flush()  # assigns seq
    head.last_seq, head.last_hash, head.updated_at = entry.seq, entry.hash, now
    return entry


def _lock_head(db_session: Session, *, chain: str, now: datetime) -> AuditHead:
    """The chain's head row, created on first use and locked until the caller's transaction ends.

    The INSERT ... ON CONFLICT DO NOTHING settles the creation race, and as a write it also takes
    SQLite's database write lock (SQLite has no FOR UPDATE); on PostgreSQL FOR UPDATE locks the row.
    """
    values = {
        "chain": chain,
        "last_seq": 0,
        "last_hash": GENESIS,
        "anchor_seq": 0,
        "anchor_hash": GENESIS,
        "updated_at": now,
    }
    table = AuditHead.__table__
    dialect = db_session.get_bind().dialect.name
    if dialect == "postgresql":
        db_session.execute(pg_insert(table).values(values).on_conflict_do_nothing(index_elements=["chain"]))
    elif dialect == "sqlite":
        db_session.execute(
            sqlite_insert(table).values(values).on_conflict_do_nothing(index_elements=["chain"])
        )
    else:  # pragma: no cover - the platform supports SQLite and PostgreSQL only
        raise NotImplementedError(f"audit log on {dialect}")
    stmt = select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    return db_session.scalars(stmt.execution_options(populate_existing=True)).one()


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
