"""The audit hash chain: canonical content, entry hashes and the verifier. Pure, standard library only.

Each entry stores the hash of the entry before it (`prev_hash`) and its own hash::

    hash = sha256(prev_hash + canonical_json(content)).hexdigest()

`content` is the entry's fields listed in :data:`CONTENT_FIELDS`; canonical JSON has sorted keys, no
spaces, UTF-8 text (no \\u escapes), instants as ISO 8601 UTC with microseconds and a 'Z', lists in
the order given. The first entry of a chain links to :data:`GENESIS`; after a retention purge the
first kept entry links to the chain's *anchor* hash instead, which the head row keeps.

`seq` is the global row number (one table holds every chain), so it orders a chain but has gaps
between a chain's entries; tampering is found by the links, not by the numbers. The head row
(last seq, last hash) catches what links cannot: entries cut off the end.

>>> h1 = entry_hash(GENESIS, {"chain": "demo", "actor": "张三"})
>>> h2 = entry_hash(h1, {"chain": "demo", "actor": "李四"})
>>> entries = [EntryContent(1, GENESIS, h1, {"chain": "demo", "actor": "张三"}),
...            EntryContent(2, h1, h2, {"chain": "demo", "actor": "李四"})]
>>> verify(entries, anchor_hash=GENESIS, head=(2, h2))
VerifyResult(ok=True, checked=2, first_bad_seq=None, reason=None)
>>> verify(entries[1:], anchor_hash=GENESIS, head=(2, h2)).reason
'entry missing before this one / 此前记录缺失'
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

GENESIS = "0" * 64

# The fields a hash covers, in the `audit_log` table's terms. Never reorder or rename: existing
# hashes depend on them. `seq`, `prev_hash` and `hash` are not content.
CONTENT_FIELDS = (
    "chain",
    "at",
    "kind",
    "actor",
    "actor_org",
    "channel",
    "purpose",
    "authorization_id",
    "subject_id",
    "record_ids",
    "action",
    "details",
)

# How far back the verifier looks to tell an inserted entry from a missing one (constant memory).
LOOKBACK = 256

ALTERED = "entry altered / 记录被篡改"
MISSING = "entry missing before this one / 此前记录缺失"
INSERTED = "entry inserted / 记录被插入"
OUT_OF_ORDER = "entry out of order / 记录顺序错乱"
BEFORE_ANCHOR = "entry before the chain anchor / 锚点之前出现记录"
BEYOND_HEAD = "entry beyond the chain head / 链头之后出现多余记录"
TAIL_MISSING = "entries missing at the end of the chain / 链尾记录缺失"
HEAD_MISMATCH = "last entry does not match the chain head / 末条记录与链头不符"
HEAD_MISSING = "chain head missing / 链头记录缺失"


@dataclass(frozen=True)
class EntryContent:
    """What the verifier needs of one stored entry."""

    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # entries read, the bad one included
    first_bad_seq: int | None = None
    reason: str | None = None


def normalize(value: Any) -> Any:
    """The JSON value `value` is stored and hashed as (so a database round trip changes nothing).

    Aware datetimes become ISO UTC strings, dates ISO strings, tuples lists, mapping keys strings.
    Naive datetimes, non-finite floats and other types are refused.
    """
    # Exact built-in types first, by identity (isinstance against Mapping is slow, and every entry
    # is normalised when it is hashed); subclasses such as StrEnum take the general path below.
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool:
        return value
    if kind is list:
        return [normalize(v) for v in value]
    if kind is dict:
        return {k if type(k) is str else str(k): normalize(v) for k, v in value.items()}
    if kind is datetime:
        return iso_utc(value)
    return _normalize_other(value)


def _normalize_other(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # a StrEnum becomes its plain value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"non-finite number {value!r} cannot be stored in the audit log")
        return value
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    raise TypeError(f"{type(value).__name__} cannot be stored in the audit log")


def iso_utc(at: datetime) -> str:
    """`2026-03-02T01:00:00.000000Z`: always UTC, always microseconds, so one instant has one text."""
    if at.tzinfo is None:
        raise ValueError("naive datetime refused: pass a timezone-aware instant")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(content: Mapping[str, Any]) -> str:
    return json.dumps(
        normalize(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


def verify(
    entries: Iterable[EntryContent],
    *,
    anchor_hash: str,
    head: tuple[int, str] | None,
    anchor_seq: int = 0,
    appends_after_head: bool = False,
) -> VerifyResult:
    """Check one chain's entries, in seq order, and name the first broken link.

    `anchor_hash` is what the first entry must link to (GENESIS, or the hash of the last purged
    entry); `anchor_seq` the seq of that last purged entry (0 before any purge). `head` is the
    (last_seq, last_hash) the head row recorded at the last append; None skips the head checks.
    With `appends_after_head`, entries past the head are taken as appends made since the head was
    read: their links are checked and the caller checks them against a fresh head.
    Reads the entries once and keeps only the last :data:`LOOKBACK` hashes.
    """
    recent: deque[tuple[int, str]] = deque([(anchor_seq, anchor_hash)], maxlen=LOOKBACK)
    checked = 0
    # A mismatch at the head's seq is held back while the next entry is read: that entry may show
    # the real cause further back (an inserted entry pushes the genuine one past the head).
    pending: VerifyResult | None = None
    for entry in entries:
        checked += 1
        bad_seq, reason = _check_links(entry, recent, anchor_seq=anchor_seq)
        if reason is None and head is not None:
            bad_seq, reason = _check_head(entry, recent[-1][0], head, beyond_ok=appends_after_head)
            if reason in (HEAD_MISMATCH, TAIL_MISSING) and pending is None:
                pending = VerifyResult(False, checked, bad_seq, reason)
                recent.append((entry.seq, entry.hash))
                continue
        if reason is not None:
            found = VerifyResult(False, checked, bad_seq, reason)
            return pending if pending is not None and pending.first_bad_seq < bad_seq else found
        if pending is not None:
            return pending
        recent.append((entry.seq, entry.hash))
    if pending is not None:
        return pending

    last_seq, last_hash = recent[-1]
    if head is not None:
        head_seq, head_hash = head
        if last_seq < head_seq:
            return VerifyResult(False, checked, head_seq, TAIL_MISSING)
        if last_seq == head_seq and last_hash != head_hash:
            return VerifyResult(False, checked, last_seq, HEAD_MISMATCH)
    return VerifyResult(True, checked)


def _check_links(
    entry: EntryContent, recent: deque[tuple[int, str]], *, anchor_seq: int
) -> tuple[int, str | None]:
    """(seq to blame, reason) for one entry against the entries before it; reason None if sound."""
    last_seq, last_hash = recent[-1]
    if entry.seq <= anchor_seq:
        return entry.seq, BEFORE_ANCHOR
    if entry.seq <= last_seq:
        return entry.seq, OUT_OF_ORDER
    if entry_hash(entry.prev_hash, entry.content) != entry.hash:
        return entry.seq, ALTERED
    if entry.prev_hash != last_hash:
        # Linking to an entry further back means the ones in between were slipped in.
        for i, (_seq, older_hash) in enumerate(list(recent)[:-1]):
            if older_hash == entry.prev_hash:
                return recent[i + 1][0], INSERTED
        return entry.seq, MISSING
    return entry.seq, None


def _check_head(
    entry: EntryContent, last_seq: int, head: tuple[int, str], *, beyond_ok: bool
) -> tuple[int, str | None]:
    """(seq to blame, reason) for a soundly linked entry against the head row."""
    head_seq, head_hash = head
    if entry.seq == head_seq and entry.hash != head_hash:
        return entry.seq, HEAD_MISMATCH
    if entry.seq > head_seq > last_seq:
        return head_seq, TAIL_MISSING  # the entry the head names is gone, a later one links past it
    if entry.seq > head_seq and not beyond_ok:
        return entry.seq, BEYOND_HEAD  # an append always moves the head with it
    return entry.seq, None
