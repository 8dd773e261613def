"""What each channel may see of a record: pure functions of (facts, profile, viewer, time).

Nothing here reads a database or a clock. Visibility is computed when a record is read, so a
record can never stay public a day too long because a job did not run. Every period is read from
the profile as it stood on the day the period started (`Period.at(start)`), so an amendment never
rewrites the answer for older records.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from xinyong.core.periods import Duration, end_of
from xinyong.core.profile import Period, PeriodRow, Profile

NATURAL_PERSON = "natural_person"


class Channel(StrEnum):
    public = "public"  # 依法公开 / 公开公示
    government = "government"  # 政务共享 / 依职权查询
    self = "self"  # 实名认证查询
    authorized = "authorized"  # 授权查询
    provider = "provider"  # the unit that submitted the record


class State(StrEnum):
    active = "active"
    revoked = "revoked"  # the underlying decision was revoked, changed or voided
    expired = "expired"  # disclosure period over; kept, not disclosed
    archived = "archived"  # converted to archive storage (转为档案保存)
    deleted = "deleted"  # removed from the archive (e.g. at expiry, or deleted on revocation)


# events that change what channels see, and the marks they put on a record
REVOKED, WITHHELD, ARCHIVED, DELETED, CORRECTED = "revoked", "withheld", "archived", "deleted", "corrected"
MARK_KINDS = ("objection", "statement", "repaired", "reorganization", "suspended")
END_SUFFIX = ".end"  # "objection.end" closes the "objection" mark of the same case


@dataclass(frozen=True)
class EventFacts:
    kind: str
    at: datetime
    effective_on: date | None = None  # None: effective the moment it was recorded
    ends_at: datetime | None = None  # for marks that end (an objection closed)


@dataclass(frozen=True)
class RecordFacts:
    id: int
    item: str
    subject_kind: str
    provider: str
    decided_on: date
    submitted_on: date
    effective_on: date | None = None
    severity: str | None = None
    valid_until: date | None = None
    disclosure_until: date | None = None
    events: tuple[EventFacts, ...] = field(default_factory=tuple)
    # the subject's spans on lists that extend disclosure: (list, first day listed, last day or None:
    # still listed); only read for periods with `extends_while_listed`
    listed: tuple[tuple[str, date, date | None], ...] = ()


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the channel plus what identifies them on it."""

    channel: Channel
    name: str | None = None  # provider unit / grantee name
    subject_id: int | None = None  # for `self`


@dataclass(frozen=True)
class AuthorizationFacts:
    subject_id: int
    grantee: str
    items: tuple[str, ...] | None
    valid_from: date
    valid_until: date
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Window:
    """The last day (inclusive) a record is public, and the last day it is retained for sharing and query."""

    start: date
    public_until: date | None  # None: no end set by law
    retained_until: date | None
    min_until: date | None  # end of the minimum period (repair eligibility), when the profile sets one


def period_start(facts: RecordFacts, period: Period) -> date:
    """The date a period runs from. A missing effective date falls back to the decision date."""
    match period.starts:
        case "decided_on" | "confirmed_on":  # a provider's determination is its confirmation of the facts
            return facts.decided_on
        case "effective_on":
            return facts.effective_on or facts.decided_on
        case "submitted_on":
            return facts.submitted_on


def _bound(start: date, spec: object, valid_until: date | None) -> date | None:
    if spec == "unlimited":
        return None
    if spec == "valid_until":
        return valid_until
    return end_of(start, spec.to_duration())  # type: ignore[attr-defined]  # 民法典 第二百零一条、第二百零二条


def window(facts: RecordFacts, profile: Profile) -> Window:
    # an item since removed from the profile has no period left to read (its records are not served)
    period = profile.item_period(facts.item, facts.severity) if profile.item(facts.item) else None
    if period is None:
        return Window(facts.decided_on, None, None, None)
    start = period_start(facts, period)
    row: PeriodRow = period.at(start)  # the law as it stood when the period began
    legal_max = _bound(start, row.max, facts.valid_until)
    public_until = legal_max
    if facts.disclosure_until is not None and (public_until is None or facts.disclosure_until < public_until):
        public_until = facts.disclosure_until  # a provider may publish for less than the maximum, never more
    # a provider's own 公示截止期 ends public display only; retention (`None` = the legal max) is the law's
    retained = legal_max if row.retention is None else _bound(start, row.retention, facts.valid_until)
    min_until = None if row.min in (None, "provider_set") else end_of(start, row.min.to_duration())  # type: ignore[union-attr]
    if period.extends_while_listed is not None:
        spans = tuple(
            (first, last) for name, first, last in facts.listed if name == period.extends_while_listed
        )
        public_until = extended(public_until, spans)
        retained = extended(retained, spans)
    return Window(start, public_until, retained, min_until)


def extended(last_day: date | None, spans: tuple[tuple[date, date | None], ...]) -> date | None:
    """A period still running while the subject is listed on its last day runs on to the day the
    subject leaves the list (Nanjing 第五十六条, Henan 第十九条第三款); None: still listed, no end yet."""
    if last_day is None:
        return None
    out = last_day
    for first, last in spans:
        if first <= last_day and (last is None or last > last_day):
            if last is None:
                return None
            out = max(out, last)
    return out


def _happened(event: EventFacts, now: datetime, today: date) -> bool:
    if event.effective_on is not None:
        return event.effective_on <= today
    return event.at <= now


def _has(facts: RecordFacts, kind: str, now: datetime, today: date) -> bool:
    return any(e.kind == kind and _happened(e, now, today) for e in facts.events)


def state(
    facts: RecordFacts, profile: Profile, now: datetime, today: date, *, w: Window | None = None
) -> State:
    """The record's state on `today` (local date of `now`). `w`: its window(), if already computed."""
    if facts.events:  # most records have none: skip the scans
        if _has(facts, DELETED, now, today):
            return State.deleted  # deleted on an objection or by court order: gone from every channel
        if _has(facts, REVOKED, now, today):
            return State.deleted if profile.revocation.effect == "delete" else State.revoked
        if _has(facts, ARCHIVED, now, today):
            return State.archived
    if w is None:
        w = window(facts, profile)
    if w.public_until is None or today <= w.public_until:
        return State.active
    retained = w.retained_until is None or today <= w.retained_until
    match profile.disclosure.at_expiry:
        case "archive":
            return State.archived
        case "delete":
            return State.expired if retained else State.deleted
        case _:
            return State.expired


def status_name(
    facts: RecordFacts, profile: Profile, now: datetime, today: date, *, w: Window | None = None
) -> str:
    """The state as the contract names it (a deleted revoked record still reads `revoked`)."""
    if _has(facts, REVOKED, now, today):
        return State.revoked.value
    return state(facts, profile, now, today, w=w).value


def marks(facts: RecordFacts, now: datetime, today: date) -> list[str]:
    out = []
    for event in facts.events:
        ongoing = event.ends_at is None or event.ends_at > now
        if event.kind in MARK_KINDS and _happened(event, now, today) and ongoing and event.kind not in out:
            out.append(event.kind)
    return out


def authorization_in_force(auth: AuthorizationFacts, now: datetime, today: date) -> bool:
    if auth.revoked_at is not None and auth.revoked_at <= now:
        return False
    return auth.valid_from <= today <= auth.valid_until


def visible(
    facts: RecordFacts,
    profile: Profile,
    viewer: Viewer,
    now: datetime,
    today: date,
    *,
    owner_id: int | None = None,
    authorization: AuthorizationFacts | None = None,
    w: Window | None = None,
) -> bool:
    """Whether `viewer` sees the record on `today`. `owner_id` is the record's subject.

    `w` is the record's window() when the caller has it already (an archive read computes it once
    per record for visibility, state and display).
    """
    if profile.item(facts.item) is None:
        return False  # an item withdrawn from the catalog is not served
    if w is None:
        w = window(facts, profile)
    st = state(facts, profile, now, today, w=w)
    return _visible_in(st, w, facts, profile, viewer, now, today, owner_id, authorization)


def assess(
    facts: RecordFacts,
    profile: Profile,
    viewer: Viewer,
    now: datetime,
    today: date,
    *,
    owner_id: int | None = None,
    authorization: AuthorizationFacts | None = None,
) -> tuple[Window, str] | None:
    """(window, status_name) when `viewer` sees the record, None when not: `visible`, `window` and
    `status_name` in one pass (an archive read asks all three of every record)."""
    return Assessor(profile, viewer, now, today, owner_id=owner_id, authorization=authorization)(facts)


class Assessor:
    """`assess` for the records of one read: the viewer, the moment and the profile's switches are
    read once, and each (item, severity)'s period rows and channel scopes once per profile
    (`_item_rules`), so a record without events costs a few comparisons. Records with events take
    the general path (`state`, `_visible_in`). Same answers as `visible`/`window`/`status_name`
    (tests/records/test_fast_paths.py)."""

    def __init__(
        self,
        profile: Profile,
        viewer: Viewer,
        now: datetime,
        today: date,
        *,
        owner_id: int | None = None,
        authorization: AuthorizationFacts | None = None,
    ) -> None:
        self.profile, self.viewer, self.now, self.today = profile, viewer, now, today
        self.owner_id, self.authorization = owner_id, authorization
        self._rules = _item_rules(profile)
        self._at_expiry = profile.disclosure.at_expiry
        # the member itself (a viewer may name its channel by its plain value); None: no channel
        self._channel = Channel(viewer.channel) if viewer.channel in _CHANNELS else None
        # what a record without events needs to be seen on this channel, beyond its state and scope
        match viewer.channel:
            case Channel.self:
                self._open = viewer.subject_id == owner_id
            case Channel.authorized:
                self._open = (
                    authorization is not None
                    and authorization.subject_id == owner_id
                    and authorization_in_force(authorization, now, today)
                )
            case _:
                self._open = True

    def __call__(self, facts: RecordFacts) -> tuple[Window, str] | None:
        key = (facts.item, facts.severity)
        rule = self._rules.get(key, _UNSEEN)
        if rule is _UNSEEN:
            rule = _item_rule(self._rules, self.profile, key)
        if rule is None:
            return None  # an item withdrawn from the catalog is not served
        w = rule.window(facts)
        today = self.today
        if facts.events:
            st = state(facts, self.profile, self.now, today, w=w)
            if not _visible_in(
                st, w, facts, self.profile, self.viewer, self.now, today, self.owner_id, self.authorization
            ):
                return None
            revoked = _has(facts, REVOKED, self.now, today)
            return w, State.revoked.value if revoked else st.value
        # no events: no marks, nothing withheld, no revocation (the branches of `state`/`_visible_in`);
        # enum members compared by identity with module constants (an attribute lookup on the enum
        # class per comparison costs more than the rule)
        kept = w.retained_until is None or today <= w.retained_until
        if w.public_until is None or today <= w.public_until:
            st = _ACTIVE
        else:
            match self._at_expiry:
                case "archive":
                    st = _ARCHIVED
                case "delete":
                    st = _EXPIRED if kept else _DELETED
                case _:
                    st = _EXPIRED
        if not self._open:
            return None
        channel = self._channel
        if channel is _PUBLIC:
            seen = st is _ACTIVE and facts.subject_kind in rule.public
        elif channel is _GOVERNMENT:
            seen = kept and (st is _ACTIVE or st is _EXPIRED) and facts.subject_kind in rule.government
        elif channel is _SELF:
            seen = st is not _DELETED
        elif channel is _PROVIDER:
            name = self.viewer.name
            seen = (name is None or name == facts.provider) and st is not _DELETED
        elif channel is _AUTHORIZED:
            items = self.authorization.items if self.authorization is not None else None
            retained = kept and (st is _ACTIVE or st is _EXPIRED)
            seen = (
                (items is None or facts.item in items) and retained and facts.subject_kind in rule.authorized
            )
        else:
            seen = False
        return (w, _NAME[st]) if seen else None  # the name without the enum's `value` property


_ACTIVE, _ARCHIVED, _EXPIRED, _DELETED = State.active, State.archived, State.expired, State.deleted
_PUBLIC, _GOVERNMENT, _SELF = Channel.public, Channel.government, Channel.self
_PROVIDER, _AUTHORIZED = Channel.provider, Channel.authorized
_CHANNELS = frozenset(c.value for c in Channel)


class _ItemRule:
    """One (item, severity) of a profile as the rules read it: its period's rows with durations
    made once, and who may see it on each channel."""

    __slots__ = ("authorized", "extends", "government", "public", "rows", "starts")

    def __init__(self, profile: Profile, item: str, severity: str | None) -> None:
        period = profile.item_period(item, severity)  # raises for an unknown severity, as `window` does
        self.public = frozenset(profile.item_scope(item, "public"))
        self.government = frozenset(profile.item_scope(item, "government"))
        self.authorized = frozenset(profile.item_scope(item, "authorized"))
        self.starts = period.starts if period is not None else None
        self.extends = period.extends_while_listed if period is not None else None
        self.rows = (
            tuple(
                (
                    row.since,
                    _spec(row.max),
                    None if row.retention is None else _spec(row.retention),
                    None if row.min in (None, "provider_set") else row.min.to_duration(),  # type: ignore[union-attr]
                )
                for row in period.values
            )
            if period is not None
            else ()
        )

    def window(self, facts: RecordFacts) -> Window:
        """`window(facts, profile)` for a record of this item and severity."""
        if not self.rows:
            return _window(facts.decided_on, None, None, None)
        match self.starts:
            case "decided_on" | "confirmed_on":
                start = facts.decided_on
            case "effective_on":
                start = facts.effective_on or facts.decided_on
            case _:
                start = facts.submitted_on
        row = self.rows[0]
        for candidate in self.rows[1:]:  # the row in force on `start` (Period.at)
            since = candidate[0]
            if since is not None and since <= start:
                row = candidate
        _, max_, retention, min_ = row
        legal_max = None if max_ == "unlimited" else _made_bound(start, max_, facts.valid_until)
        public_until = legal_max
        own = facts.disclosure_until  # a provider may publish for less than the maximum, never more
        if own is not None and (public_until is None or own < public_until):
            public_until = own
        if retention is None:
            retained = legal_max
        else:
            retained = None if retention == "unlimited" else _made_bound(start, retention, facts.valid_until)
        min_until = None if min_ is None else end_of(start, min_)
        if self.extends is not None:
            spans = tuple((first, last) for name, first, last in facts.listed if name == self.extends)
            public_until = extended(public_until, spans)
            retained = extended(retained, spans)
        return _window(start, public_until, retained, min_until)


def _window(start: date, public_until: date | None, retained: date | None, min_until: date | None) -> Window:
    """Window(...) without the frozen dataclass's object.__setattr__ per field (one per record read)."""
    w = _new(Window)
    w.__dict__.update(start=start, public_until=public_until, retained_until=retained, min_until=min_until)
    return w  # type: ignore[no-any-return]


_new = object.__new__


def _spec(spec: object) -> str | Duration:
    """A row's bound with its duration made once: "unlimited", "valid_until" or a Duration."""
    return spec if isinstance(spec, str) else spec.to_duration()  # type: ignore[attr-defined]


def _made_bound(start: date, spec: str | Duration, valid_until: date | None) -> date | None:
    """`_bound` of a bound made by `_spec`."""
    if spec == "unlimited":
        return None
    if spec == "valid_until":
        return valid_until
    return end_of(start, spec)  # type: ignore[arg-type]  # 民法典 第二百零一条、第二百零二条


_NAME = {st: st.value for st in State}
_UNSEEN = object()
_RULES_MAX = 4096  # (item, severity) pairs remembered per profile; beyond that the table starts again
# per profile object (frozen); keyed by id with a weak reference, as a profile is not hashable
_RULES: dict[int, tuple[weakref.ref[Profile], dict[tuple[str, str | None], _ItemRule | None]]] = {}


def _item_rules(profile: Profile) -> dict[tuple[str, str | None], _ItemRule | None]:
    found = _RULES.get(id(profile))
    if found is not None and found[0]() is profile:
        return found[1]
    key = id(profile)
    table: dict[tuple[str, str | None], _ItemRule | None] = {}
    _RULES[key] = (weakref.ref(profile, lambda _ref: _RULES.pop(key, None)), table)
    return table


def _item_rule(
    table: dict[tuple[str, str | None], _ItemRule | None], profile: Profile, key: tuple[str, str | None]
) -> _ItemRule | None:
    rule = _ItemRule(profile, *key) if profile.item(key[0]) is not None else None
    if len(table) >= _RULES_MAX:
        table.clear()
    table[key] = rule
    return rule


def _visible_in(
    st: State,
    w: Window,
    facts: RecordFacts,
    profile: Profile,
    viewer: Viewer,
    now: datetime,
    today: date,
    owner_id: int | None,
    authorization: AuthorizationFacts | None,
) -> bool:
    """`visible` once the record's state and window are known."""
    retained = st in (State.active, State.expired) and (w.retained_until is None or today <= w.retained_until)
    withheld = bool(facts.events) and _has(facts, WITHHELD, now, today)
    current = marks(facts, now, today) if facts.events else []
    # marks that take a record out of outside channels, as the profile says
    suspended = "suspended" in current or (
        "objection" in current
        and profile.objection is not None
        and profile.objection.mark_suspends_disclosure
    )
    if "repaired" in current and repair_stops_disclosure(profile):
        suspended = True
    match viewer.channel:
        case Channel.self:
            return viewer.subject_id == owner_id and st is not State.deleted
        case Channel.provider:
            # name None: an operator reading as each record's own provider
            return (viewer.name is None or viewer.name == facts.provider) and st is not State.deleted
        case Channel.public:
            return (
                st is State.active
                and not withheld
                and not suspended
                and facts.subject_kind in profile.item_scope(facts.item, "public")
            )
        case Channel.government:
            return (
                retained
                and not suspended
                and facts.subject_kind in profile.item_scope(facts.item, "government")
            )
        case Channel.authorized:
            if authorization is None or authorization.subject_id != owner_id:
                return False
            if not authorization_in_force(authorization, now, today):
                return False
            if authorization.items is not None and facts.item not in authorization.items:
                return False
            return (
                retained
                and not withheld
                and not suspended
                and facts.subject_kind in profile.item_scope(facts.item, "authorized")
            )
    return False


def repair_stops_disclosure(profile: Profile) -> bool:
    """Whether a repaired record leaves public disclosure and sharing (Shenzhen 第六十六条, Nanjing 第六十条),
    or only carries the mark (Jilin 第三十八条; a silent text keeps the record and marks it)."""
    return profile.repair is not None and profile.repair.effect in ("stop_disclosure", "stop_or_mark")


def current_data(data: dict[str, object], corrections: list[dict[str, object]]) -> dict[str, object]:
    """The record's data after its corrections, applied in order (each version is kept in its event)."""
    out = dict(data)
    for changes in corrections:
        out.update(changes)
    return out


def masked(subject_kind: str, profile: Profile, channel: Channel) -> bool:
    """Natural persons' identity is masked wherever they appear publicly."""
    return (
        channel is Channel.public
        and subject_kind == NATURAL_PERSON
        and profile.disclosure.mask_natural_persons
    )
