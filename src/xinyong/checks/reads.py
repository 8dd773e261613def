"""The check's reads: prebuilt Core statements over only the columns the check needs.

Built once at import (SQLAlchemy caches their compiled form), executed on the session's connection
with `expanding` IN lists, returning plain rows — no ORM objects, no statement construction per call.
Every function takes at most CHUNK ids (SQLite's bound-parameter limit); callers chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, bindparam, case, func, null, select
from sqlalchemy.engine import Row

from xinyong.core import identifiers
from xinyong.lists.models import Listing
from xinyong.measures.models import MeasureList
from xinyong.records.models import Record, RecordEvent
from xinyong.records.rules import REVOKED
from xinyong.subjects.models import ResponsiblePerson, Subject

CHUNK = 900
EVALUATION = "evaluation"  # the catalog item of 信用评价与分类结果 (its data carries `grade`)
# every id type: `id_type IN (...) AND identifier = ?` uses the (id_type, identifier) unique index,
# where `identifier = ?` alone scans the subjects table
ID_TYPES = tuple(t.value for t in identifiers.IdType)

_s = Subject.__table__.c
_r = Record.__table__.c
_e = RecordEvent.__table__.c
_l = Listing.__table__.c
_p = ResponsiblePerson.__table__.c
_m = MeasureList.__table__.c

_SUBJECT_COLUMNS = (_s.id, _s.identifier, _s.name, _s.kind)
SUBJECT_BY_IDENTIFIER = select(*_SUBJECT_COLUMNS).where(
    _s.id_type.in_(ID_TYPES), _s.identifier == bindparam("identifier")
)
SUBJECT_BY_ID = select(*_SUBJECT_COLUMNS).where(_s.id == bindparam("id"))
SUBJECTS_BY_IDENTIFIERS = select(*_SUBJECT_COLUMNS).where(
    _s.id_type.in_(ID_TYPES), _s.identifier.in_(bindparam("identifiers", expanding=True))
)
SUBJECTS_BY_IDS = select(*_SUBJECT_COLUMNS).where(_s.id.in_(bindparam("ids", expanding=True)))

MEASURE_LISTS_PROBE = select(func.count(_m.id), func.max(_m.id)).where(_m.jurisdiction == bindparam("j"))

# a listing as lists.facts.facts_of reads it, with what the state functions need
LISTINGS = select(
    _l.id,
    _l.list,
    _l.subject_id,
    _l.ground,
    _l.state,
    _l.determining_body,
    _l.basis_record_ids,
    _l.notice,
    _l.notified_at,
    _l.decided_at,
    _l.valid_until,
    _l.removed_at,
    _l.removal_reason,
).where(
    _l.jurisdiction == bindparam("j"),
    _l.subject_id.in_(bindparam("ids", expanding=True)),
    _l.state == "listed",
    _l.decided_at <= bindparam("now"),
)
REVOCATIONS = select(_e.record_id, _e.at).where(
    _e.record_id.in_(bindparam("ids", expanding=True)), _e.kind == REVOKED
)
LINKS = select(_p.person_id, _p.organization_id, _p.role, _p.since, _p.until).where(
    _p.person_id.in_(bindparam("ids", expanding=True))
)


# what the government channel's record rules read of a `records_statement` row (`records.service.
# facts_of` reads these and the id, the provider and the events; the rules never read the id, and only
# the provider channel reads the provider): item, decided_on, submitted_at, effective_on, severity,
# valid_until, disclosure_until
FACT_COLUMNS = itemgetter(2, 5, 6, 7, 8, 10, 11)


@cache
def records_statement(data_items: frozenset[str]) -> Select[Any]:
    """A subject's records that may ground a measure, joined to their events (one row per event, or
    one with NULL event columns), in record then event order; `data` only for `data_items`."""
    data = (
        case((_r.item.in_(sorted(data_items)), _r.data), else_=None).label("data")
        if data_items
        else null().label("data")
    )
    return (
        select(
            _r.id,
            _r.subject_id,
            _r.item,
            _r.info_class,
            _r.provider,
            _r.decided_on,
            _r.submitted_at,
            _r.effective_on,
            _r.severity,
            _r.procedure,
            _r.valid_until,
            _r.disclosure_until,
            data,
            _e.id.label("e_id"),
            _e.kind.label("e_kind"),
            _e.at.label("e_at"),
            _e.effective_on.label("e_effective_on"),
            _e.data.label("e_data"),
        )
        .select_from(Record.__table__.outerjoin(RecordEvent.__table__, _e.record_id == _r.id))
        .where(
            _r.subject_id.in_(bindparam("ids", expanding=True)),
            _r.jurisdiction == bindparam("j"),
            (_r.info_class.in_(("dishonest", "good"))) | (_r.item == EVALUATION),
        )
        .order_by(_r.id, _e.id)
    )


def subject_by_identifier(conn: Connection, compact: str) -> Row[Any] | None:
    return conn.execute(SUBJECT_BY_IDENTIFIER, {"identifier": compact}).first()


def subject_by_id(conn: Connection, subject_id: int) -> Row[Any] | None:
    return conn.execute(SUBJECT_BY_ID, {"id": subject_id}).first()


def subjects_by_identifiers(conn: Connection, compact: Sequence[str]) -> list[Row[Any]]:
    return list(conn.execute(SUBJECTS_BY_IDENTIFIERS, {"identifiers": list(compact)}))


def subjects_by_ids(conn: Connection, ids: Sequence[int]) -> list[Row[Any]]:
    return list(conn.execute(SUBJECTS_BY_IDS, {"ids": list(ids)}))


def records(conn: Connection, jurisdiction: str, ids: Sequence[int], data_items: frozenset[str]) -> list[Any]:
    return list(conn.execute(records_statement(data_items), {"ids": list(ids), "j": jurisdiction}))


def listings(conn: Connection, jurisdiction: str, ids: Sequence[int], now: datetime) -> list[Row[Any]]:
    return list(conn.execute(LISTINGS, {"ids": list(ids), "j": jurisdiction, "now": now}))


def revoked_at(conn: Connection, record_ids: Sequence[int]) -> list[Row[Any]]:
    return list(conn.execute(REVOCATIONS, {"ids": list(record_ids)}))


def links(conn: Connection, person_ids: Sequence[int]) -> list[Row[Any]]:
    return list(conn.execute(LINKS, {"ids": list(person_ids)}))


def measure_lists_version(conn: Connection, jurisdiction: str) -> tuple[int, int | None]:
    count, last = conn.execute(MEASURE_LISTS_PROBE, {"j": jurisdiction}).one()
    return int(count or 0), last


__all__ = ["CHUNK", "EVALUATION", "ID_TYPES"]
