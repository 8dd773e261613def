"""Loading measures: the packaged base file of each profile, plus local lists stored in the database.

The base file (`data/<profile>.toml`) holds the measures the regulation enumerates and the profile's
guards. An operator loads a local supplementary list with `xinyong measures load FILE --profile ID`
(or `POST .../measures/lists`); it is validated against the base (no code clash, no guard changes,
Jiangsu 第四十六条: a local sanction stays in the range of a base entry) and stored with its version
and effective date. The measures in force on a day are the base file's plus, for each local list,
its newest version whose `effective_from` is on or before that day.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from pydantic import ValidationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.core.actor import Actor, Role
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile, format_validation_error
from xinyong.measures.models import MeasureList
from xinyong.measures.schema import Guards, Measure, MeasuresFile

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class ListedMeasure:
    """A measure as it stands in a published list: the entry plus the list's id, layer and version."""

    code: str
    measure: Measure
    list_id: str
    list_layer: str  # base / local
    version: str
    effective_from: date
    until: date | None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class MeasureSet:
    """Every measure of a profile's lists, with its guards; `key` identifies the loaded versions."""

    profile: str
    guards: Guards
    measures: dict[str, ListedMeasure]
    lists: tuple[tuple[str, str, str, date], ...]  # (list id, layer, version, effective_from)
    key: tuple[int, ...] = ()

    def get(self, code: str) -> ListedMeasure | None:
        return self.measures.get(code)


# --------------------------------------------------------------------------- parsing


def parse(text: str, source: str) -> MeasuresFile:
    """Validate one measures file; any error names the file and the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise XinyongError("invalid_file", detail=f"{source}: {exc}") from exc
    try:
        return MeasuresFile.model_validate(raw)
    except ValidationError as exc:
        raise XinyongError("invalid_file", detail=f"{source}: {format_validation_error(exc)}") from exc


def read_file(path: Path | str) -> tuple[str, MeasuresFile]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise XinyongError("invalid_file", detail=f"{path}: {exc}") from exc
    return text, parse(text, str(path))


def data_dir() -> Path:
    """Where base files are read: $XINYONG_MEASURES_BASE_DIR (tests, forks) or the packaged folder."""
    return Path(os.environ.get("XINYONG_MEASURES_BASE_DIR") or DATA_DIR)


@cache
def _base(directory: Path, profile_id: str) -> MeasuresFile:
    path = directory / f"{profile_id}.toml"
    if not path.exists():
        raise XinyongError("invalid_file", detail=f"{path}: no measures file for profile {profile_id!r}")
    _, doc = read_file(path)
    if doc.list.profile != profile_id or doc.list.layer != "base":
        raise XinyongError(
            "invalid_file", detail=f"{path}: list.profile must be {profile_id!r} and list.layer `base`"
        )
    _check_measures(doc, str(path))
    return doc


def base(profile_id: str) -> MeasuresFile:
    return _base(data_dir(), profile_id)


def _check_measures(doc: MeasuresFile, source: str, base_doc: MeasuresFile | None = None) -> None:
    """Cross-checks the schema cannot make alone (items and `within` references)."""
    guards = doc.guards or (base_doc.guards if base_doc else None)
    for code, m in doc.measures.items():
        if m.within is None:
            if (
                base_doc is not None
                and guards is not None
                and guards.local_sanctions_within_base is not None
                and m.kind == "sanction"
            ):
                raise XinyongError(
                    "invalid_file",
                    field=f"measures.{code}.within",
                    detail=f"{source}: a local sanction names the base entry whose range it stays in",
                    cite=guards.local_sanctions_within_base.cite,
                )
            continue
        scope = (base_doc or doc).measures.get(m.within)
        if scope is None or scope.kind != m.kind:
            raise XinyongError(
                "invalid_file",
                field=f"measures.{code}.within",
                detail=f"{source}: {m.within!r} is no base {m.kind} entry",
            )
        if extra := sorted(set(m.matters) - set(scope.matters)) if scope.matters else []:
            raise XinyongError(
                "invalid_file",
                field=f"measures.{code}.matters",
                detail=f"{source}: {extra} outside the range of {m.within} ({scope.cite})",
                cite=guards.local_sanctions_within_base.cite
                if guards and guards.local_sanctions_within_base
                else None,
            )


def check_local(doc: MeasuresFile, profile: Profile, source: str) -> None:
    """A local list fits its profile's base: same profile, local layer, no clash, ranges kept."""
    if doc.list.profile != profile.id:
        raise XinyongError(
            "invalid_file", field="list.profile", detail=f"{source}: the list is for {doc.list.profile!r}"
        )
    if doc.list.layer != "local":
        raise XinyongError("invalid_file", field="list.layer", detail=f"{source}: load a `local` list")
    base_doc = base(profile.id)
    if doc.list.id == base_doc.list.id:
        raise XinyongError("invalid_file", field="list.id", detail=f"{source}: the base list's id")
    if clash := sorted(set(doc.measures) & set(base_doc.measures)):
        raise XinyongError(
            "invalid_file", field="measures", detail=f"{source}: codes of the base list: {clash}"
        )
    _check_measures(doc, source, base_doc)


# --------------------------------------------------------------------------- the set in force


def _listed(doc: MeasuresFile) -> dict[str, ListedMeasure]:
    return {
        code: ListedMeasure(
            code=code,
            measure=m,
            list_id=doc.list.id,
            list_layer=doc.list.layer,
            version=m.version or doc.list.version,
            effective_from=m.effective_from or doc.list.effective_from,
            until=m.until,
        )
        for code, m in doc.measures.items()
    }


@cache
def _merged(directory: Path, profile_id: str, rows: tuple[tuple[int, str], ...]) -> MeasureSet:
    base_doc = _base(directory, profile_id)
    measures = _listed(base_doc)
    lists = [(base_doc.list.id, "base", base_doc.list.version, base_doc.list.effective_from)]
    for _row_id, text in rows:
        doc = parse(text, f"measure list {_row_id}")
        for code, listed in _listed(doc).items():
            if code in measures and measures[code].list_id != doc.list.id:
                continue  # loading refused clashes; a base file changed since keeps its own entry
            measures[code] = listed
        lists.append((doc.list.id, "local", doc.list.version, doc.list.effective_from))
    assert base_doc.guards is not None
    return MeasureSet(
        profile=profile_id,
        guards=base_doc.guards,
        measures=measures,
        lists=tuple(lists),
        key=tuple(r for r, _ in rows),
    )


def _texts(db_session: Session, profile_id: str, day: date) -> tuple[tuple[int, str], ...]:
    """For each local list, its newest version in force on `day` (by effective date, then load order)."""
    t = MeasureList.__table__.c
    newest: dict[str, tuple[date, int, str]] = {}
    for list_id, eff, row_id, text in db_session.execute(
        select(t.list_id, t.effective_from, t.id, t.text).where(
            t.jurisdiction == profile_id, t.effective_from <= day
        )
    ):
        if list_id not in newest or (eff, row_id) > newest[list_id][:2]:
            newest[list_id] = (eff, row_id, text)
    return tuple(sorted((row_id, text) for _, row_id, text in newest.values()))


# per database (engine) and profile: the probe's answer, the day and the merged set
_LATEST: WeakKeyDictionary[Any, dict[str, tuple[int, int | None, date, MeasureSet]]] = WeakKeyDictionary()
_PROBE = select(func.count(MeasureList.__table__.c.id), func.max(MeasureList.__table__.c.id)).where(
    MeasureList.__table__.c.jurisdiction == bindparam("j")
)


def measure_set(*, db_session: Session, profile: Profile, day: date) -> MeasureSet:
    """The lists in force on `day`. One cheap prebuilt query per call (how many local list versions
    are stored, and the newest row id — rows are only ever added); the parsed set is cached per
    database, profile, day and that version."""
    conn = db_session.connection()
    count, last = conn.execute(_PROBE, {"j": profile.id}).one()
    if not count:
        return _merged(data_dir(), profile.id, ())
    engine = conn.engine
    cached = _LATEST.get(engine, {}).get(profile.id)
    if cached is not None and cached[:3] == (count, last, day):
        return cached[3]
    merged = _merged(data_dir(), profile.id, _texts(db_session, profile.id, day))
    _LATEST.setdefault(engine, {})[profile.id] = (count, last, day, merged)
    return merged


# --------------------------------------------------------------------------- loading a local list


def load(
    *, db_session: Session, profile: Profile, now: datetime, actor: Actor, text: str, source: str
) -> MeasureList:
    """Validate and store a local list version (an operator's act, audited)."""
    actor.require(Role.operator)
    actor.require_jurisdiction(profile.id)
    doc = parse(text, source)
    check_local(doc, profile, source)
    t = MeasureList.__table__.c
    if db_session.execute(
        select(t.id).where(
            t.jurisdiction == profile.id, t.list_id == doc.list.id, t.version == doc.list.version
        )
    ).first():
        raise XinyongError(
            "not_eligible",
            field="list.version",
            detail=f"{source}: {doc.list.id} {doc.list.version} is already loaded; give a new version",
        )
    row = MeasureList(
        jurisdiction=profile.id,
        list_id=doc.list.id,
        version=doc.list.version,
        effective_from=doc.list.effective_from,
        source=source[:300],
        digest=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        loaded_at=now,
        loaded_by=actor.username,
        summary={"title": doc.list.title, "codes": sorted(doc.measures), "cite": doc.list.cite},
    )
    db_session.add(row)
    db_session.flush()
    audit.log_event(
        db_session=db_session,
        now=now,
        chain=profile.id,
        actor=actor.username,
        action="measures.loaded",
        details={
            "list": doc.list.id,
            "version": doc.list.version,
            "effective_from": doc.list.effective_from.isoformat(),
            "digest": row.digest,
            "codes": sorted(doc.measures),
        },
    )
    return row


def loaded_lists(*, db_session: Session, profile: Profile) -> list[MeasureList]:
    return list(
        db_session.scalars(
            select(MeasureList).where(MeasureList.jurisdiction == profile.id).order_by(MeasureList.id)
        )
    )
