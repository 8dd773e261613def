"""A subject's standing (Contract 2, notes/ISSUE4.md): its active own listings and the records in force
that may ground a measure, for many subjects at once.

"In force" = the record is visible on the government channel at `now` (records/rules.py). Records
that can never ground a measure are set aside:
- the basis of an active key-attention listing: exempt from punishment (Nanjing 第三十七条第二款);
- information the measures file excludes (Henan 第二十七条第二款 unconfirmed utility arrears,
  第十三条第三款 simple-procedure penalties on natural persons) — `excluded_bases` in the base file;
- pre-reorganization information, for the matters the profile names (Shenzhen 第七十一条): kept in
  `excluded_matters` since it depends on the matter (`rights.marks.rules.excluded_from_adverse_use`).

Reads are chunked (CHUNK ids per IN list, SQLite's bound-parameter limit) with a handful of queries
per chunk and plain rows, no ORM objects, so the batch check can ask about 100,000 subjects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.checks import reads
from xinyong.checks.listings import active_listings
from xinyong.core.clock import local_date
from xinyong.core.profile import Profile
from xinyong.lists.facts import ListingFact
from xinyong.measures import loader
from xinyong.measures.schema import ExcludedBasis, Guards
from xinyong.records import rules as record_rules
from xinyong.records.rules import REVOKED
from xinyong.records.service import facts_of
from xinyong.rights.marks.rules import excluded_from_adverse_use

CHUNK = reads.CHUNK
EVALUATION = reads.EVALUATION
SANCTION_LISTS = ("severe", "key_attention", "business_anomaly")
_GOVERNMENT = record_rules.Viewer(record_rules.Channel.government)

__all__ = ["CHUNK", "ListingFact", "Standing", "Verdicts", "standing_of", "standings"]


@dataclass(frozen=True, slots=True)
class Standing:
    subject_id: int
    kind: str  # subject kind
    listings: tuple[ListingFact, ...]  # active, own
    dishonest_record_ids: tuple[int, ...]  # dishonest records in force that may ground a measure
    severe_record_ids: tuple[int, ...]  # of those, the severe ones
    good_record_ids: tuple[int, ...]
    # ---- beyond Contract 2 (defaults keep the contract's constructor valid) ----
    exempt_record_ids: tuple[int, ...] = ()  # dishonest, in force, exempt (key-attention basis)
    responsible_listings: tuple[ListingFact, ...] = ()  # an organization's listings shown on this person
    evaluations: tuple[tuple[int, str], ...] = ()  # (record id, grade) of evaluation records in force
    items: Mapping[int, str] = field(default_factory=dict)  # record id -> item (relevance)
    excluded_matters: Mapping[int, frozenset[str]] = field(default_factory=dict)  # pre-plan records
    unusable_record_ids: frozenset[int] = frozenset()  # never a basis (excluded, exempt, gone)
    within_validity: frozenset[int] = frozenset()  # records still inside their disclosure period

    @property
    def general_dishonest(self) -> bool:
        """Nanjing 第三十八条: a dishonest record that is not exempt, and not on the severe list."""
        return bool(self.dishonest_record_ids) and not any(f.list == "severe" for f in self.listings)

    @property
    def no_dishonest_record(self) -> bool:
        """Nanjing 第三十五条 无失信信息记录: no dishonest record in force (exempt ones count) and no
        sanction listing."""
        return (
            not self.dishonest_record_ids
            and not self.exempt_record_ids
            and not any(f.list in SANCTION_LISTS for f in self.listings)
        )


def _excluded(basis: Sequence[ExcludedBasis], item: str, kind: str, procedure: str | None, data: Any) -> bool:
    for rule in basis:
        if rule.item != item:
            continue
        if rule.subject_kinds is not None and kind not in rule.subject_kinds:
            continue
        if rule.procedure is not None and procedure != rule.procedure:
            continue
        values = data if isinstance(data, dict) else {}
        if rule.when_data is not None and not values.get(rule.when_data):
            continue
        if rule.unless_data is not None and values.get(rule.unless_data):
            continue
        return True
    return False


def standing_of(
    db_session: Session,
    *,
    profile: Profile,
    subject_ids: Sequence[int],
    now: datetime,
    guards: Guards | None = None,
) -> dict[int, Standing]:
    """Every known subject id -> its standing at `now` (unknown ids are left out).

    `guards`: the profile's measures guards (read from its base measures file when not given).
    """
    ids = sorted({int(s) for s in subject_ids})
    kinds: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        kinds.update(
            (r.id, r.kind) for r in reads.subjects_by_ids(db_session.connection(), ids[start : start + CHUNK])
        )
    return standings(db_session, profile=profile, kinds=kinds, now=now, guards=guards)


# a record as the standing reads it: its row (for `facts_of`), id, item, info_class, severity, procedure,
# data, events
_Read = tuple[Any, int, str, str, str | None, str | None, Any, list["_Event"]]


class _Event:
    """A record event as records.service.facts_of reads it."""

    __slots__ = ("at", "data", "effective_on", "kind")

    def __init__(self, kind: str, at: datetime, effective_on: Any, data: Any) -> None:
        self.kind = kind
        self.at = at
        self.effective_on = effective_on
        self.data = data


class Verdicts:
    """What the record rules say of records read for one (profile, now): (in force for the
    government channel, inside its disclosure period, pre-reorganization information).

    A record without events is judged by the columns the government channel's rules read
    (`reads.FACT_COLUMNS`: the rules are pure functions of the facts, never read a record's id, and on
    this channel neither its provider nor its owner), so records alike in those columns share one
    verdict: a batch of 100,000 subjects asks the rules about far fewer distinct records than it reads.
    Records with events are judged one by one.
    """

    __slots__ = ("_memo", "now", "profile", "reorg_matters", "today")

    def __init__(self, profile: Profile, now: datetime) -> None:
        self.profile = profile
        self.now = now
        self.today = local_date(now)
        self.reorg_matters = profile.reorganization.excluded_matters if profile.reorganization else []
        self._memo: dict[tuple[Any, ...], tuple[bool, bool, bool]] = {}

    def of(self, row: Any, kind: str, events: list[_Event]) -> tuple[bool, bool, bool]:
        if events:
            return self._judge(row, kind, events)
        key = (kind, *reads.FACT_COLUMNS(row))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._judge(row, kind, events)
        return found

    def _judge(self, row: Any, kind: str, events: list[_Event]) -> tuple[bool, bool, bool]:
        profile, now, today = self.profile, self.now, self.today
        facts = facts_of(row, kind, events)  # type: ignore[arg-type]  # rows read as records
        w = record_rules.window(facts, profile)
        if not record_rules.visible(facts, profile, _GOVERNMENT, now, today, owner_id=row.subject_id, w=w):
            return (False, False, False)
        active = record_rules.state(facts, profile, now, today, w=w) is record_rules.State.active
        reorganized = bool(self.reorg_matters) and excluded_from_adverse_use(
            facts, self.reorg_matters[0], profile, now
        )
        return (True, active, reorganized)


def standings(
    db_session: Session,
    *,
    profile: Profile,
    kinds: Mapping[int, str],
    now: datetime,
    guards: Guards | None = None,
    verdicts: Verdicts | None = None,
) -> dict[int, Standing]:
    """`standing_of` for subjects already looked up (id -> kind): per chunk one query for the records
    joined to their events, one for the listings, one for responsible-person links (where a guard
    needs them). `verdicts`: the record rules' answers kept across calls for the same profile and
    `now` (a batch passes one for all its chunks)."""
    if guards is None:
        guards = loader.base(profile.id).guards
    assert guards is not None
    if verdicts is None or verdicts.profile is not profile or verdicts.now != now:
        verdicts = Verdicts(profile, now)
    data_items = _data_items(guards)
    excluded_bases = guards.excluded_bases
    reorg = frozenset(verdicts.reorg_matters)
    include_responsible = guards.responsible_persons is not None
    conn = db_session.connection()
    out: dict[int, Standing] = {}
    ids = sorted(kinds)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_subject: dict[int, list[_Read]] = defaultdict(list)
        revoked: dict[int, datetime | None] = {}
        last: _Read | None = None
        for row in reads.records(conn, profile.id, chunk, data_items):
            # unpacked once (a Row's attributes cost more than its items), in the statement's order
            rid, subject_id, item, info_class, _, _, _, _, severity, procedure, _, _, data, *event = row
            if last is None or last[1] != rid:
                last = (row, rid, item, info_class, severity, procedure, data, [])
                by_subject[subject_id].append(last)
                revoked[rid] = None
            e_id, e_kind, e_at, e_effective_on, e_data = event
            if e_id is not None:
                last[7].append(_Event(e_kind, e_at, e_effective_on, e_data))
                if e_kind == REVOKED:
                    seen = revoked[rid]
                    revoked[rid] = e_at if seen is None else max(seen, e_at)
        listings = active_listings(
            db_session,
            profile=profile,
            subject_ids=chunk,
            now=now,
            include_responsible=include_responsible,
            known_revocations=revoked,
        )
        for sid in chunk:
            kind = kinds[sid]
            all_listings = listings.get(sid, ())
            own = tuple(f for f in all_listings if f.via_organization is None)
            via = tuple(f for f in all_listings if f.via_organization is not None)
            exempt_basis = {rid for f in own if f.list == "key_attention" for rid in f.basis_record_ids}
            dishonest: list[int] = []
            severe: list[int] = []
            good: list[int] = []
            exempt: list[int] = []
            evaluations: list[tuple[int, str]] = []
            items: dict[int, str] = {}
            excluded_matters: dict[int, frozenset[str]] = {}
            unusable: set[int] = set()
            valid: set[int] = set()
            for r, rid, item, info_class, severity, procedure, data, events in by_subject.get(sid, ()):
                in_force, active, reorganized = verdicts.of(r, kind, events)
                if not in_force:
                    unusable.add(rid)
                    continue
                items[rid] = item
                if active:
                    valid.add(rid)
                if reorganized:
                    excluded_matters[rid] = reorg
                if excluded_bases and _excluded(excluded_bases, item, kind, procedure, data):
                    unusable.add(rid)
                    continue
                if item == EVALUATION:
                    grade = (data or {}).get("grade")
                    if grade:
                        evaluations.append((rid, str(grade)))
                    continue
                if info_class == "good":
                    good.append(rid)
                elif rid in exempt_basis:
                    exempt.append(rid)
                    unusable.add(rid)
                else:
                    dishonest.append(rid)
                    if severity == "severe":
                        severe.append(rid)
            out[sid] = Standing(
                subject_id=sid,
                kind=kind,
                listings=own,
                dishonest_record_ids=tuple(dishonest),
                severe_record_ids=tuple(severe),
                good_record_ids=tuple(good),
                exempt_record_ids=tuple(exempt),
                responsible_listings=via,
                evaluations=tuple(evaluations),
                items=items,
                excluded_matters=excluded_matters,
                unusable_record_ids=frozenset(unusable),
                within_validity=frozenset(valid),
            )
    return out


def _data_items(guards: Guards) -> frozenset[str]:
    """Items whose `data` a guard or the evaluation grade reads."""
    return frozenset({b.item for b in guards.excluded_bases if b.when_data or b.unless_data} | {EVALUATION})
