"""Active listings for the check, read from the listings table's columns (no ORM rows).

Same answer as `xinyong.lists.facts.active_listings` (tests/checks/test_check_listings.py compares
them): the listing's facts as `lists.facts.facts_of` builds them, the whole basis revoked computed
from the record events (as `lists.facts.revocations`), conversion by `lists.facts.conversions`
(it only queries when a converting list has a listing), and the decision itself by the pure
`lists.rules.is_active`. Responsible persons' views follow `active_listings(include_responsible=True)`.

`known_revocations`: record id -> when it was last revoked (None: never), for records whose events the
caller has already read (the check reads the subject's records with their events); basis records not
in it cost one query per chunk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.checks import reads
from xinyong.core.clock import local_date
from xinyong.core.profile import Profile
from xinyong.lists import facts as list_facts
from xinyong.lists import rules
from xinyong.lists.facts import ListingFact


def _facts(row: Any, basis: tuple[int, ...], revoked: datetime | None) -> rules.ListingFacts:
    return rules.ListingFacts(
        id=row.id,
        list=row.list,
        subject_id=row.subject_id,
        ground=row.ground,
        state=rules.State(row.state),
        determining_body=row.determining_body,
        basis_record_ids=basis,
        notice_kind=(row.notice or {}).get("kind"),
        notified_at=row.notified_at,
        decided_at=row.decided_at,
        valid_until=row.valid_until,
        removed_at=row.removed_at,
        removal_reason=row.removal_reason,
        basis_revoked_at=revoked,
    )


def _active(
    db_session: Session,
    profile: Profile,
    subject_ids: Sequence[int],
    now: datetime,
    known_revocations: Mapping[int, datetime | None],
) -> list[tuple[rules.ListingFacts, ListingFact]]:
    rows = reads.listings(db_session.connection(), profile.id, subject_ids, now)
    if not rows:
        return []
    bases = [tuple(int(i) for i in r.basis_record_ids or ()) for r in rows]
    revoked: dict[int, datetime] = {}
    missing: set[int] = set()
    for basis in bases:
        for i in basis:
            if i in known_revocations:
                if (at := known_revocations[i]) is not None:
                    revoked[i] = at
            else:
                missing.add(i)
    if missing:
        wanted = sorted(missing)
        for start in range(0, len(wanted), reads.CHUNK):
            for record_id, at in reads.revoked_at(
                db_session.connection(), wanted[start : start + reads.CHUNK]
            ):
                revoked[record_id] = max(at, revoked.get(record_id, at))
    facts = []
    for r, basis in zip(rows, bases, strict=True):
        last = max(revoked[i] for i in basis) if basis and all(i in revoked for i in basis) else None
        facts.append(_facts(r, basis, last))
    converted = list_facts.conversions(db_session, profile, facts, now)
    out = []
    for f in facts:
        if rules.is_active(f, now, converted_on=converted.get(f.id)):
            assert f.decided_at is not None
            fact = ListingFact(
                listing_id=f.id,
                list=f.list,
                subject_id=f.subject_id,
                ground=f.ground,
                basis_record_ids=f.basis_record_ids,
                listed_at=f.decided_at,
                valid_until=f.valid_until,
            )
            out.append((f, fact))
    return out


def active_listings(
    db_session: Session,
    *,
    profile: Profile,
    subject_ids: Sequence[int],
    now: datetime,
    include_responsible: bool = False,
    known_revocations: Mapping[int, datetime | None] | None = None,
) -> dict[int, list[ListingFact]]:
    """Every requested subject id -> its active listings, own first (by id), then its organizations'
    listings shown on it as a responsible person (by id). At most reads.CHUNK ids per call."""
    out: dict[int, list[ListingFact]] = {int(s): [] for s in subject_ids}
    section = rules.lists_of(profile)
    if section is None or not out:
        return out
    known = known_revocations or {}
    ids = sorted(out)
    for _, fact in _active(db_session, profile, ids, now, known):
        out[fact.subject_id].append(fact)
    if include_responsible:
        _responsible(db_session, profile, ids, now, known, section, out)
    for facts in out.values():
        if len(facts) > 1:
            facts.sort(key=lambda f: (f.via_organization is not None, f.listing_id))
    return out


def _responsible(
    db_session: Session,
    profile: Profile,
    ids: list[int],
    now: datetime,
    known: Mapping[int, datetime | None],
    section: Any,
    out: dict[int, list[ListingFact]],
) -> None:
    today: date = local_date(now)
    links = [
        link
        for link in reads.links(db_session.connection(), ids)
        if (link.since is None or link.since <= today) and (link.until is None or today <= link.until)
    ]
    if not links:
        return
    orgs = sorted({link.organization_id for link in links})
    by_org: dict[int, list[ListingFact]] = defaultdict(list)
    for start in range(0, len(orgs), reads.CHUNK):
        for _, fact in _active(db_session, profile, orgs[start : start + reads.CHUNK], now, known):
            by_org[fact.subject_id].append(fact)
    shown: set[tuple[int, int]] = set()
    for link in links:
        for fact in by_org.get(link.organization_id, ()):
            spec = section.get(fact.list)
            if spec is None or spec.responsible is None or link.role not in spec.responsible.roles:
                continue
            if (link.person_id, fact.listing_id) in shown or link.person_id == fact.subject_id:
                continue
            shown.add((link.person_id, fact.listing_id))
            out[link.person_id].append(
                ListingFact(
                    listing_id=fact.listing_id,
                    list=fact.list,
                    subject_id=fact.subject_id,
                    ground=fact.ground,
                    basis_record_ids=fact.basis_record_ids,
                    listed_at=fact.listed_at,
                    valid_until=fact.valid_until,
                    via_organization=link.organization_id,
                )
            )
