"""The check's own listing reads (checks/listings.py) agree with lists.facts.active_listings.

A varied data set made through the real services — listed, removed, proposed only, expired
(Henan 第三十七条: the determining body's date), converted (Nanjing 第三十七条第四款), resting only on
revoked records, organizations' listings shown on responsible persons (Henan 第三十五条, Nanjing
第四十三条) — compared at several instants, with and without responsible persons, and through
`standing_of` (which hands the listings path the revocations it has already read).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

import xinyong.measures.models  # noqa: F401  registers the table before `engine` creates the schema
from lists.helpers import World, at, profile, provider
from xinyong.checks import listings as check_listings
from xinyong.checks.standing import standing_of
from xinyong.core.db import transaction
from xinyong.lists import facts
from xinyong.records import service as records_service


def _revoke(w: World, day: str, record_id: int) -> None:
    w.do(records_service.revoke, at(day), actor=provider(w.provider_name), record_id=record_id)


def _henan(w: World) -> list[int]:
    ids = []
    c1 = w.subject(at("2026-04-01"))
    p1 = w.subject(at("2026-04-01"), kind="natural_person", name="孙某")
    p2 = w.subject(at("2026-04-01"), kind="natural_person", name="李某")
    w.link(at("2026-04-01"), c1, p1, "legal_representative")
    w.link(at("2026-04-01"), c1, p2, "legal_representative")
    r1 = w.record(at("2026-04-01"), c1)
    w.listed(at("2026-04-20"), c1, [r1], ground="health_safety", valid_until=date(2026, 10, 19))
    c2 = w.subject(at("2026-04-01"))
    w.link(at("2026-04-01"), c2, p2, "principal")
    r2 = w.record(at("2026-04-01"), c2)
    gone = w.listed(at("2026-04-20"), c2, [r2], ground="defamation", valid_until=date(2027, 4, 19))
    w.remove(at("2026-06-01"), gone)
    c3 = w.subject(at("2026-04-01"))
    r3a = w.record(at("2026-04-01"), c3)
    r3b = w.record(at("2026-04-01"), c3)
    w.listed(at("2026-04-20"), c3, [r3a, r3b], ground="health_safety", valid_until=date(2027, 4, 19))
    _revoke(w, "2026-05-06", r3a)
    _revoke(w, "2026-07-07", r3b)  # every basis revoked: off the list from then on
    c4 = w.subject(at("2026-04-01"))
    r4 = w.record(at("2026-04-01"), c4)
    w.propose(at("2026-04-20"), c4, [r4], ground="health_safety")  # never decided
    c5 = w.subject(at("2026-04-01"))
    r5a = w.record(at("2026-04-01"), c5)
    r5b = w.record(at("2026-04-01"), c5)
    w.listed(at("2026-04-21"), c5, [r5a, r5b], ground="market_order", valid_until=date(2027, 4, 20))
    _revoke(w, "2026-05-06", r5a)  # one basis record still stands
    ids += [c1, p1, p2, c2, c3, c4, c5, w.subject(at("2026-04-01"))]
    return ids


def _nanjing(w: World) -> list[int]:
    c1 = w.subject(at("2026-03-20"))
    p1 = w.subject(at("2026-03-20"), kind="natural_person", name="王某")
    w.link(at("2026-03-20"), c1, p1, "principal")
    r1 = w.record(at("2026-03-20"), c1, decided_on="2026-03-18", severity="general")
    w.listed(at("2026-03-31"), c1, [r1], list_name="key_attention", ground="no_harm")  # expires 06-30
    c2 = w.subject(at("2026-03-20"))
    r2 = w.record(at("2026-03-20"), c2, decided_on="2026-03-18", severity="general")
    w.listed(at("2026-03-31"), c2, [r2], list_name="key_attention", ground="no_harm")
    w.record(at("2026-05-12"), c2, decided_on="2026-05-11", severity="general")  # converts it
    c3 = w.subject(at("2026-03-20"))
    w.link(at("2026-03-20"), c3, p1, "legal_representative")
    r3 = w.record(at("2026-03-20"), c3)
    w.listed(at("2026-03-31"), c3, [r3], ground="health_safety")
    r3b = w.record(at("2026-03-20"), c3, decided_on="2026-03-19", severity="general")
    w.listed(at("2026-04-02"), c3, [r3b], list_name="key_attention", ground="minor_first")
    return [c1, p1, c2, c3, w.subject(at("2026-03-20"), kind="natural_person", name="赵某")]


def _shenzhen(w: World) -> list[int]:
    """Shenzhen 第五十二条第二款 names only the legal representative and the principal."""
    c1 = w.subject(at("2026-04-01"))
    p1 = w.subject(at("2026-04-01"), kind="natural_person", name="陈某")
    p2 = w.subject(at("2026-04-01"), kind="natural_person", name="周某")
    w.link(at("2026-04-01"), c1, p1, "legal_representative")
    w.link(at("2026-04-01"), c1, p2, "actual_controller")  # not a role the list names
    r1 = w.record(at("2026-04-01"), c1)
    w.listed(at("2026-04-20"), c1, [r1], ground="market_order")
    return [c1, p1, p2]


BUILD = {"henan": _henan, "nanjing": _nanjing, "shenzhen": _shenzhen}
INSTANTS = {
    "shenzhen": ["2026-04-19", "2026-04-21"],
    "henan": [
        "2026-04-19",
        "2026-04-21",
        "2026-05-07",
        "2026-06-02",
        "2026-07-08",
        "2026-10-19",
        "2026-10-20",
    ],
    "nanjing": ["2026-03-30", "2026-04-01", "2026-05-11", "2026-05-12", "2026-06-30", "2026-07-01"],
}


def _key(found: dict[int, list[facts.ListingFact]]) -> dict[int, list[tuple[object, ...]]]:
    return {
        sid: [
            (
                f.listing_id,
                f.list,
                f.subject_id,
                f.ground,
                f.basis_record_ids,
                f.listed_at,
                f.valid_until,
                f.via_organization,
            )
            for f in fs
        ]
        for sid, fs in found.items()
    }


@pytest.mark.parametrize("pid", sorted(BUILD))
def test_check_listings_agree_with_lists_facts(session_factory: sessionmaker[Session], pid: str) -> None:
    w = World(session_factory, profile(pid))
    ids = BUILD[pid](w)
    seen_any = seen_via = 0
    for day in INSTANTS[pid]:
        for hour in (8, 12):
            now: datetime = at(day, hour)
            with transaction(w.factory) as db:
                for responsible in (False, True):
                    theirs = facts.active_listings(
                        db, profile=w.profile, subject_ids=ids, now=now, include_responsible=responsible
                    )
                    ours = check_listings.active_listings(
                        db, profile=w.profile, subject_ids=ids, now=now, include_responsible=responsible
                    )
                    assert _key(ours) == _key(theirs), (pid, now, responsible)
                    seen_any += sum(len(v) for v in theirs.values())
                    seen_via += sum(f.via_organization is not None for v in theirs.values() for f in v)
                standing = standing_of(db, profile=w.profile, subject_ids=ids, now=now)
                theirs = facts.active_listings(
                    db, profile=w.profile, subject_ids=ids, now=now, include_responsible=True
                )
                for sid in ids:
                    got = [*standing[sid].listings, *standing[sid].responsible_listings]
                    assert _key({sid: got}) == _key({sid: theirs[sid]}), (pid, now, sid)
    assert seen_any and seen_via  # the data set does exercise listings and responsible persons
