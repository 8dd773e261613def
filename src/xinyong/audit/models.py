"""Tables of the query log and audit trail: one append-only, hash-chained log per jurisdiction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.audit import chain as hashchain
from xinyong.core.db import Base, JSONType, UTCDateTime


class AuditEntry(Base):
    """One query (查询记录) or audited event. Never updated; deleted only as a purged chain prefix."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain: Mapped[str] = mapped_column(String(64))  # the jurisdiction profile id
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))  # "query" | "event"
    actor: Mapped[str] = mapped_column(String(200))  # user or unit name
    actor_org: Mapped[str | None] = mapped_column(String(200))
    # public / government / self / authorized / provider / operator
    channel: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(500))
    authorization_id: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    record_ids: Mapped[list[str]] = mapped_column(JSONType)
    action: Mapped[str | None] = mapped_column(String(64))  # events: "record.revoked", ...
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (
        Index("ix_audit_log_chain_subject_at", "chain", "subject_id", "at"),
        Index("ix_audit_log_chain_seq", "chain", "seq"),  # verify and purge stream a chain in order
        # SQLite would otherwise reuse the numbers of purged rows; seqs must only grow.
        {"sqlite_autoincrement": True},
    )

    def content(self) -> dict[str, Any]:
        """The fields the hash covers (:data:`xinyong.audit.chain.CONTENT_FIELDS`)."""
        return {name: getattr(self, name) for name in hashchain.CONTENT_FIELDS}

    def __repr__(self) -> str:
        return f"AuditEntry(seq={self.seq}, chain={self.chain!r}, kind={self.kind!r}, at={self.at!s})"


class AuditHead(Base):
    """Where a chain ends and where it starts after purges; moved in the same transaction as each append."""

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)  # 0 until the first append
    last_hash: Mapped[str] = mapped_column(String(64))
    anchor_seq: Mapped[int] = mapped_column(Integer)  # seq of the last purged entry, 0 if none
    anchor_hash: Mapped[str] = mapped_column(String(64))  # what the first kept entry links to
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
