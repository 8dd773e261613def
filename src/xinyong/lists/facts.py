"""Listing facts for other features (Contract 1, notes/ISSUE4.md): who is on which list, now.

`active_listings` answers for many subjects with a handful of queries per ~900 ids (SQLite's bound-
parameter limit), so the automatic check can ask about 100,000 subjects chunk by chunk. Active means
decided (by `now`), not removed, not past its last day, and — for a key-attention listing — not
ended by a new dishonest act during its period (Nanjing 第三十七条第四款), and not resting only on
revoked records (every basis record revoked: the listing no longer stands, reason `revocation`).
Nothing is stored for expiry, conversion or revocation: all three are computed here, when read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.clock import local_date
from xinyong.core.profile import Profile
from xinyong.lists import rules
from xinyong.lists.models import Listing
from xinyong.records.models import Record, RecordEvent
from xinyong.records.rules import REVOKED
from xinyong.subjects.models import ResponsiblePerson

CHUNK = 900
GONE = ("revoked", "deleted")  # record events after which a record grounds nothing


@dataclass(frozen=True, slots=True)
class ListingFact:
    listing_id: int
    list: str  # "severe" | "red" | "key_attention" | "business_anomaly" (profile's list names)
    subject_id: int  # the listed subject
    ground: str  # the ground code (SCENARIOS.md vocabulary)
    basis_record_ids: tuple[int, ...]
    listed_at: datetime  # when the decision was made
    valid_until: date | None  # last day on the list, None: until removed
    via_organization: int | None = None  # set when shown on a responsible person: the organization's id


def facts_of(listing: Listing, basis_revoked_at: datetime | None = None) -> rules.ListingFacts:
    """The listing's stored facts; `basis_revoked_at` comes from `load_facts` (computed, not stored)."""
    return rules.ListingFacts(
        id=listing.id,
        list=listing.list_name,
        subject_id=listing.subject_id,
        ground=listing.ground,
        state=rules.State(listing.state),
        determining_body=listing.determining_body,
        basis_record_ids=tuple(int(i) for i in listing.basis_record_ids or ()),
        notice_kind=(listing.notice or {}).get("kind"),
        notified_at=listing.notified_at,
        decided_at=listing.decided_at,
        valid_until=listing.valid_until,
        removed_at=listing.removed_at,
        removal_reason=listing.removal_reason,
        basis_revoked_at=basis_revoked_at,
    )


def revocations(db_session: Session, listings: Sequence[Listing]) -> dict[int, datetime]:
    """listing id -> when the last of its basis records was revoked (records.service.revoke), for
    listings whose every basis record is revoked. A listing with no basis record is never here."""
    wanted = sorted({int(i) for r in listings for i in (r.basis_record_ids or ())})
    revoked: dict[int, datetime] = {}
    for chunk in _chunks(wanted):
        for record_id, at in db_session.execute(
            select(RecordEvent.record_id, RecordEvent.at).where(
                RecordEvent.record_id.in_(chunk), RecordEvent.kind == REVOKED
            )
        ):
            revoked[record_id] = max(at, revoked.get(record_id, at))
    out: dict[int, datetime] = {}
    for r in listings:
        basis = [int(i) for i in r.basis_record_ids or ()]
        if basis and all(i in revoked for i in basis):
            out[r.id] = max(revoked[i] for i in basis)
    return out


def load_facts(db_session: Session, listings: Sequence[Listing]) -> list[rules.ListingFacts]:
    """The facts of these listings with what is computed from other tables (revocation of the basis);
    one query per ~900 basis records."""
    revoked = revocations(db_session, listings) if listings else {}
    return [facts_of(r, revoked.get(r.id)) for r in listings]


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


def conversions(
    db_session: Session, profile: Profile, listings: Sequence[rules.ListingFacts], now: datetime
) -> dict[int, date]:
    """listing id -> the day a new dishonest record ended it (lists that convert only)."""
    section = rules.lists_of(profile)
    if section is None:
        return {}
    watched = [
        f
        for f in listings
        if f.decided_at is not None
        and (spec := section.get(f.list)) is not None
        and spec.converts_on_dishonesty
        and f.state is rules.State.listed
    ]
    if not watched:
        return {}
    subject_ids = sorted({f.subject_id for f in watched})
    earliest = min(local_date(f.decided_at) for f in watched if f.decided_at is not None)
    found: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for chunk in _chunks(subject_ids):
        rows = db_session.execute(
            select(Record.id, Record.subject_id, Record.decided_on).where(
                Record.jurisdiction == profile.id,
                Record.subject_id.in_(chunk),
                Record.info_class == "dishonest",
                Record.decided_on > earliest,
                Record.submitted_at <= now,
            )
        ).all()
        if not rows:
            continue
        gone = set(
            db_session.scalars(
                select(RecordEvent.record_id).where(
                    RecordEvent.record_id.in_([r.id for r in rows]),
                    RecordEvent.kind.in_(GONE),
                    RecordEvent.at <= now,
                )
            )
        )
        for r in rows:
            if r.id not in gone:
                found[r.subject_id].append((r.id, r.decided_on))
    out: dict[int, date] = {}
    for f in watched:
        spec = section.get(f.list)
        assert spec is not None
        day = rules.conversion_day(spec, f, found.get(f.subject_id, ()))
        if day is not None:
            out[f.id] = day
    return out


def _active(db_session: Session, profile: Profile, subject_ids: list[int], now: datetime) -> list[Listing]:
    rows = list(
        db_session.scalars(
            select(Listing).where(
                Listing.jurisdiction == profile.id,
                Listing.subject_id.in_(subject_ids),
                Listing.state == rules.State.listed.value,
                Listing.decided_at <= now,
            )
        )
    )
    facts = load_facts(db_session, rows)
    converted = conversions(db_session, profile, facts, now)
    return [
        r
        for r, f in zip(rows, facts, strict=True)
        if rules.is_active(f, now, converted_on=converted.get(r.id))
    ]


def _fact(listing: Listing, via: int | None = None) -> ListingFact:
    assert listing.decided_at is not None
    return ListingFact(
        listing_id=listing.id,
        list=listing.list_name,
        subject_id=listing.subject_id,
        ground=listing.ground,
        basis_record_ids=tuple(int(i) for i in listing.basis_record_ids or ()),
        listed_at=listing.decided_at,
        valid_until=listing.valid_until,
        via_organization=via,
    )


def active_listings(
    db_session: Session,
    *,
    profile: Profile,
    subject_ids: Sequence[int],
    now: datetime,
    include_responsible: bool = False,
) -> dict[int, list[ListingFact]]:
    """Every requested subject id -> its active listings (own first, then, with
    `include_responsible`, its organizations' listings where the profile marks responsible persons:
    Jiangsu 第三十二条, Nanjing 第四十三条, Jilin 第二十八条, Henan 第三十五条)."""
    out: dict[int, list[ListingFact]] = {int(s): [] for s in subject_ids}
    section = rules.lists_of(profile)
    if section is None or not out:
        return out
    today = local_date(now)
    ids = sorted(out)
    for chunk in _chunks(ids):
        for listing in _active(db_session, profile, chunk, now):
            out[listing.subject_id].append(_fact(listing))
        if not include_responsible:
            continue
        links = db_session.scalars(
            select(ResponsiblePerson).where(ResponsiblePerson.person_id.in_(chunk))
        ).all()
        links = [
            link
            for link in links
            if (link.since is None or link.since <= today) and (link.until is None or today <= link.until)
        ]
        if not links:
            continue
        orgs = sorted({link.organization_id for link in links})
        by_org: dict[int, list[Listing]] = defaultdict(list)
        for org_chunk in _chunks(orgs):
            for listing in _active(db_session, profile, org_chunk, now):
                by_org[listing.subject_id].append(listing)
        shown: set[tuple[int, int]] = set()
        for link in links:
            for listing in by_org.get(link.organization_id, ()):
                spec = section.get(listing.list_name)
                if spec is None or spec.responsible is None or link.role not in spec.responsible.roles:
                    continue
                if (link.person_id, listing.id) in shown or link.person_id == listing.subject_id:
                    continue
                shown.add((link.person_id, listing.id))
                out[link.person_id].append(_fact(listing, via=link.organization_id))
    for facts in out.values():
        facts.sort(key=lambda f: (f.via_organization is not None, f.listing_id))
    return out


def listed_spans(
    db_session: Session, *, profile: Profile, subject_id: int, lists: Iterable[str], now: datetime
) -> tuple[tuple[str, date, date | None], ...]:
    """The subject's time on these lists as (list, first day, last day or None: still listed), for
    disclosure periods that run on while it is listed (Nanjing 第五十六条, Henan 第十九条第三款). The
    last day is the day it left the list (移出名单之日) or, for an expired listing, its last valid day."""
    names = sorted(set(lists))
    if not names:
        return ()
    rows = list(
        db_session.scalars(
            select(Listing).where(
                Listing.jurisdiction == profile.id,
                Listing.subject_id == subject_id,
                Listing.list_name.in_(names),
                Listing.decided_at.is_not(None),
                Listing.decided_at <= now,
            )
        )
    )
    spans: list[tuple[str, date, date | None]] = []
    for row, f in zip(rows, load_facts(db_session, rows), strict=True):
        assert f.decided_at is not None
        at = rules.state_at(f, now)
        if at.state is rules.State.listed:
            last = None
        elif at.reason == "expiry":
            last = f.valid_until
        else:
            last = at.ended_on
        spans.append((row.list_name, local_date(f.decided_at), last))
    return tuple(spans)
