"""Jurisdiction profiles: every legal number of a regulation, as data, next to its article.

A profile is a TOML file (src/xinyong/profiles/<id>.toml, or any file in $XINYONG_PROFILE_DIR).
This module is its schema: strict (unknown keys, wrong types and bad dates stop the load, and the
message names the file and the key), with the same section names in every file so profiles compare
side by side. Engine code reads profiles only through these types and never names a jurisdiction.

Dated values follow OpenFisca: a row holds from its `since` until the next row's `since`; the first
row has no `since` and starts with the regulation. `Period.at(day)` picks the row in force.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from xinyong.core.errors import XinyongError

PACKAGED_DIR = Path(__file__).resolve().parent.parent / "profiles"

from xinyong.core.profile_base import (  # noqa: E402  re-exported: the schema's vocabulary
    SUBJECT_KINDS,
    Cited,
    DurationSpec,
    InfoClass,
    Severity,
    Strict,
    SubjectKindName,
)
from xinyong.core.profile_commitments import Commitments, check_items  # noqa: E402
from xinyong.core.profile_lists import Lists  # noqa: E402
from xinyong.core.profile_rights import (  # noqa: E402
    ArchiveRequest,
    Contest,
    Notices,
    Objection,
    Reorganization,
    Repair,
    Reports,
    Statements,
    Withholding,
)

__all__ = ["SUBJECT_KINDS", "Cited", "DurationSpec", "InfoClass", "Severity", "Strict", "SubjectKindName"]


# --------------------------------------------------------------------------- meta


class Meta(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str  # the regulation's full Chinese title
    short: str  # how articles are cited, e.g. 吉林 (cite as "吉林 第十九条")
    status: Literal["in_force", "draft"]
    in_force_from: date | None = None  # None for drafts whose date is blank
    adopted_on: date | None = None
    timezone: str = "Asia/Shanghai"
    scope: str  # territorial / subject scope in words
    precedence: str  # which higher-level law prevails
    platform: str  # the platform's name in the regulation
    portal: str | None = None  # public outlet named by the text
    cite: str

    @model_validator(mode="after")
    def _dates(self) -> Meta:
        if self.status == "in_force" and self.in_force_from is None:
            raise ValueError("an in-force regulation needs in_force_from")
        return self


# --------------------------------------------------------------------------- subjects


class Subjects(Cited):
    kinds: list[SubjectKindName]
    # identity documents accepted for natural persons without a 公民身份号码 (R-SUB-03); [] = RIC only
    natural_person_fallback_ids: list[
        Literal[
            "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_residence", "residence_permit"
        ]
    ]
    fallback_cite: str | None = None


# --------------------------------------------------------------------------- disclosure


class PeriodRow(Strict):
    """One dated row of a disclosure period."""

    since: date | None = None
    cite: str | None = None
    # public disclosure (公示/公开) ends: a duration from `starts`, the record's own valid_until, or never
    max: DurationSpec | Literal["valid_until", "unlimited"]
    # shortest period before repair may be asked (Jilin 第十九条, Shenzhen 第三十一条 provider-set)
    min: DurationSpec | Literal["provider_set"] | None = None
    # government sharing, self and authorized query end (保存期限); None = same as `max`
    retention: DurationSpec | Literal["valid_until", "unlimited"] | None = None


class Period(Cited):
    # which date of the record the period runs from
    starts: Literal["decided_on", "effective_on", "confirmed_on", "submitted_on"]
    values: Annotated[list[PeriodRow], Field(min_length=1)]
    # a subject still on this list when the period ends keeps the record until the day it leaves
    # the list (Nanjing 第五十六条, Henan 第十九条第三款); None: the period ends where it ends
    extends_while_listed: str | None = None
    extends_cite: str | None = None

    @field_validator("values")
    @classmethod
    def _ordered(cls, rows: list[PeriodRow]) -> list[PeriodRow]:
        if rows[0].since is not None:
            raise ValueError("the first row has no `since`: it starts with the regulation")
        dates = [r.since for r in rows[1:]]
        if any(d is None for d in dates):
            raise ValueError("every row after the first needs `since`")
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("`since` dates must be strictly increasing")
        return rows

    def at(self, day: date) -> PeriodRow:
        """The row in force on `day` (the newest `since` on or before it)."""
        chosen = self.values[0]
        for row in self.values[1:]:
            if row.since is not None and row.since <= day:
                chosen = row
        return chosen


class Disclosure(Strict):
    channels: list[Literal["public", "government", "self", "authorized", "provider"]]
    channels_cite: str
    # what happens when a record's retention ends: only stop disclosure, delete from the archive, or archive
    at_expiry: Literal["stop", "delete", "archive"]
    at_expiry_cite: str
    # natural persons' identity masked wherever they are shown publicly
    mask_natural_persons: bool
    mask_cite: str
    periods: dict[str, Period]


# --------------------------------------------------------------------------- catalog


class ClassDefaults(Strict):
    """Defaults for every item of one information class; an item may override any of them."""

    public: list[SubjectKindName]  # subject kinds whose records of this class are public
    government: list[SubjectKindName]  # 政务共享 / 依职权查询 scope
    authorized: list[SubjectKindName]  # 授权查询 scope
    period: str | dict[Severity, str] | None = None  # names in [disclosure.periods]
    cite: str


class Item(Strict):
    class_: InfoClass = Field(alias="class")
    cite: str
    layer: Literal["national", "local"] = "national"
    ground: str | None = None  # required for local dishonest items: one of catalog.local_dishonest_grounds
    public: list[SubjectKindName] | None = None
    government: list[SubjectKindName] | None = None
    authorized: list[SubjectKindName] | None = None
    period: str | dict[Severity, str] | None = None
    subject_kinds: list[SubjectKindName] | None = None  # None: every kind the standard item allows
    note: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalGrounds(Strict):
    rule: Literal["closed", "open"]  # closed: only the listed grounds; open: the text sets no limit
    allowed: list[str]
    cite: str
    note: str | None = None


class Catalog(Strict):
    classes: dict[InfoClass, ClassDefaults]
    items: dict[str, Item]
    local_dishonest_grounds: LocalGrounds


# --------------------------------------------------------------------------- intake


class Sensitive(Strict):
    keys: list[str]
    consent: Literal["written_consent", "written_agreement", "notice_only"]
    # sources exempt from consent (e.g. state organs collecting under law, Jiangsu 第六十二条)
    exempt_sources: list[Literal["public", "market"]] = []
    applies_to: list[SubjectKindName]
    desensitise_when_used: bool = False
    cite: str
    note: str | None = None


class Exclusion(Strict):
    """A rule that keeps a record out of the platform (`not_reportable`)."""

    item: str
    subject_kinds: list[SubjectKindName] | None = None
    procedure: Literal["general", "simple"] | None = None
    # minor_remedied: the provider flags `data.minor_remedied` (a minor violation whose harm was remedied)
    condition: Literal["minor_remedied"] | None = None
    effect: Literal["not_reportable"]
    cite: str
    note: str | None = None


class RestrictedKeys(Strict):
    """Data keys shown only through the listed channels (Jiangsu 第六十二条第三款: subject, authorised)."""

    keys: list[str]
    channels: list[Literal["self", "authorized", "provider", "government"]]
    cite: str


class SubmissionNotice(Strict):
    """Whom the provider must tell when it submits a subject's information (Shenzhen 第二十三条第三款,
    Nanjing 第五十七条第一款); the platform sends the notice through the outbox on the provider's behalf."""

    kinds: list[SubjectKindName]  # subject kinds to be told
    classes: list[InfoClass]  # information classes that need the notice
    except_public: bool  # 依法公开的信息除外: an item public for that kind needs none
    form: str  # how the text says it is given, e.g. 书面或者数据电文
    cite: str
    note: str | None = None


class Intake(Strict):
    prohibited: list[str]
    prohibited_cite: str
    sensitive: Sensitive
    restricted: list[RestrictedKeys] = []
    exclusions: list[Exclusion] = []
    submission_notice: SubmissionNotice | None = None  # None: the text sets no such duty


# --------------------------------------------------------------------------- query


class Authorization(Strict):
    lifetime: Literal["refused"]  # an authorization with no end is always refused
    max_term: DurationSpec | None = None  # the texts set none; an operator may add one with its basis
    cite: str
    note: str | None = None


class QueryReview(Strict):
    """The text requires the platform to check the query log periodically or to control abnormal
    query traffic (`xinyong audit review`); the thresholds are the operator's, not the text's."""

    what: str  # the text's words
    cite: str
    note: str | None = None


class QueryLog(Strict):
    retention: DurationSpec | Literal["long_term", "unspecified"]
    starts: Literal["query_date"] = "query_date"
    cite: str
    note: str | None = None
    review: QueryReview | None = None  # None: the text sets no such check


class Revocation(Strict):
    """What the platform does when a record's underlying decision is revoked, changed or voided."""

    effect: Literal["delete", "revoke", "change", "revoke_or_change"]
    provider_notice: DurationSpec | Literal["promptly", "unspecified"]
    platform_action: DurationSpec | Literal["promptly", "unspecified"]
    # who may report it: the record's provider, and where the text says so the unit that revoked it
    reporters: list[Literal["provider", "revoking_unit"]] = ["provider"]
    reporters_cite: str | None = None
    cite: str
    note: str | None = None


# --------------------------------------------------------------------------- profile


class Profile(Strict):
    meta: Meta
    subjects: Subjects
    disclosure: Disclosure
    catalog: Catalog
    intake: Intake
    authorization: Authorization
    query_log: QueryLog
    revocation: Revocation
    # subjects' rights (issue 3); None while a profile has not filled the section in yet
    objection: Objection | None = None
    repair: Repair | None = None
    statements: Statements | None = None
    withholding: Withholding | None = None
    archive_request: ArchiveRequest | None = None
    contest: Contest | None = None
    reorganization: Reorganization | None = None
    reports: Reports | None = None
    notices: Notices | None = None
    # issue 4: lists (名单) and credit commitments (信用承诺)
    lists: Lists | None = None
    commitments: Commitments | None = None

    @property
    def id(self) -> str:
        return self.meta.id

    @model_validator(mode="after")
    def _cross_references(self) -> Profile:
        names = set(self.disclosure.periods)
        for cls, defaults in self.catalog.classes.items():
            _check_period_ref(defaults.period, names, f"catalog.classes.{cls.value}.period")
        for code, item in self.catalog.items.items():
            _check_period_ref(item.period, names, f"catalog.items.{code}.period")
            if item.class_ not in self.catalog.classes:
                raise ValueError(
                    f"catalog.items.{code}: class {item.class_.value!r} has no [catalog.classes] entry"
                )
            if item.layer == "local" and item.class_ is InfoClass.dishonest:
                grounds = self.catalog.local_dishonest_grounds
                if item.ground is None:
                    raise ValueError(f"catalog.items.{code}: a local dishonest item needs `ground`")
                if grounds.rule == "closed" and item.ground not in grounds.allowed:
                    raise ValueError(
                        f"catalog.items.{code}: ground {item.ground!r} is not permitted ({grounds.cite})"
                    )
        for i, ex in enumerate(self.intake.exclusions):
            if ex.item not in self.catalog.items:
                raise ValueError(f"intake.exclusions[{i}]: unknown item {ex.item!r}")
        for name, period in self.disclosure.periods.items():
            if period.extends_while_listed is None:
                continue
            if self.lists is None or period.extends_while_listed not in self.lists.root:
                raise ValueError(
                    f"disclosure.periods.{name}.extends_while_listed: no list "
                    f"{period.extends_while_listed!r} in [lists]"
                )
            if not period.extends_cite:
                raise ValueError(f"disclosure.periods.{name}: extends_while_listed needs extends_cite")
        if self.commitments is not None:
            problems = check_items(self.commitments, self.catalog.items)
            if problems:
                raise ValueError("; ".join(problems))
        return self

    # ---- lookups used by the rules -------------------------------------------------------

    def item(self, code: str) -> Item | None:
        return self.catalog.items.get(code)

    def item_scope(self, code: str, channel: Literal["public", "government", "authorized"]) -> list[str]:
        item = self.catalog.items[code]
        own = getattr(item, channel)
        return list(own if own is not None else getattr(self.catalog.classes[item.class_], channel))

    def item_period(self, code: str, severity: str | None) -> Period | None:
        item = self.catalog.items[code]
        ref = item.period if item.period is not None else self.catalog.classes[item.class_].period
        if ref is None:
            return None
        if isinstance(ref, str):
            return self.disclosure.periods[ref]
        return self.disclosure.periods[ref[Severity(severity or "general")]]


def _check_period_ref(ref: str | dict[Severity, str] | None, names: set[str], where: str) -> None:
    refs = [] if ref is None else [ref] if isinstance(ref, str) else list(ref.values())
    for name in refs:
        if name not in names:
            raise ValueError(f"{where}: no period {name!r} in [disclosure.periods]")


# --------------------------------------------------------------------------- loading


def _reject_duplicates(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def load_file(path: Path | str) -> Profile:
    """Load and validate one profile file; any error names the file and the key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))  # tomllib itself rejects duplicate keys
    except FileNotFoundError as exc:
        raise XinyongError("invalid_profile", detail=f"{path}: file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise XinyongError("invalid_profile", detail=f"{path}: {exc}{_offending_line(path, exc)}") from exc
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as exc:
        raise XinyongError("invalid_profile", detail=f"{path}: {format_validation_error(exc)}") from exc
    if profile.meta.id != path.stem:
        raise XinyongError(
            "invalid_profile", detail=f"{path}: meta.id {profile.meta.id!r} must equal the file name"
        )
    return profile


def _offending_line(path: Path, exc: Exception) -> str:
    """tomllib names only line and column; quote the line so the key is named too."""
    match = re.search(r"at line (\d+)", str(exc))
    if not match:
        return ""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    number = int(match.group(1))
    return f": {lines[number - 1].strip()}" if 0 < number <= len(lines) else ""


def format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{key}: {msg}")
    return "; ".join(lines)


def profile_dirs() -> list[Path]:
    dirs = [PACKAGED_DIR]
    extra = os.environ.get("XINYONG_PROFILE_DIR")
    if extra:
        dirs.extend(Path(p) for p in extra.split(os.pathsep) if p)
    return dirs


@cache
def _registry(dirs: tuple[Path, ...]) -> dict[str, Profile]:
    found: dict[str, Profile] = {}
    for directory in dirs:
        for path in sorted(directory.glob("*.toml")):
            profile = load_file(path)
            found[profile.id] = profile  # a file in a later directory overrides a packaged one
    return found


def all_profiles() -> dict[str, Profile]:
    return _registry(tuple(profile_dirs()))


def get(profile_id: str) -> Profile:
    try:
        return all_profiles()[profile_id]
    except KeyError:
        known = ", ".join(sorted(all_profiles()))
        raise XinyongError(
            "unknown_profile", detail=f"{profile_id!r}; known: {known}", field="profile"
        ) from None
