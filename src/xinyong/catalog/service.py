"""Catalog versions: the profile's items merged with the standard item set, versioned in the database.

The legal attributes of an item (class, public/sharing scope, periods) come from the profile file.
The catalog adds what a provider needs to submit (fields, names, providers, update frequency) and
a version history: a record keeps the version it was accepted under. Syncing after a profile file
or operator change appends a version; it never edits one.

An operator's changes are kept in the definition under `operator_changes`, so a sync re-applies
exactly those over the profile file: a later change in the file (a new cite, a new note) still
reaches the catalog wherever the operator did not override it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.catalog.models import CatalogItemVersion
from xinyong.catalog.standard import StandardCatalog, standard_catalog
from xinyong.core.clock import local_date
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile

OPERATIONAL_KEYS = ("providers", "update_frequency", "legal_basis", "data_format", "note")


def definition(
    profile: Profile, code: str, standard: StandardCatalog, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The full description of one item in one jurisdiction (R-CAT-02: the union of the texts' fields)."""
    item = profile.catalog.items[code]
    std = standard.items[code]
    period = profile.item_period(code, "general")
    severe = profile.item_period(code, "severe")
    out: dict[str, Any] = {
        "code": code,
        "name": std.name,
        "class": item.class_.value,
        "layer": item.layer,
        "ground": item.ground,
        "subject_kinds": list(item.subject_kinds or std.kinds),
        "fields": dict(std.fields),
        "needs": list(std.needs),
        "uses_severity": std.severity,
        "uses_procedure": std.procedure,
        "public": profile.item_scope(code, "public"),
        "government": profile.item_scope(code, "government"),
        "authorized": profile.item_scope(code, "authorized"),
        "disclosure_period": _period_text(period),
        "disclosure_period_severe": _period_text(severe) if severe is not period else None,
        "retention": _retention_text(period),
        "cite": item.cite,
        "providers": [],
        "update_frequency": None,
        "legal_basis": item.cite,
        "data_format": None,
        "note": item.note,
    }
    changes = {k: v for k, v in (extra or {}).items() if k in OPERATIONAL_KEYS}
    out.update(changes)
    out["operator_changes"] = changes
    return out


def _period_text(period: Any) -> str | None:
    if period is None:
        return None
    row = period.values[-1]
    return f"{row.max} from {period.starts} ({period.cite})"


def _retention_text(period: Any) -> str | None:
    if period is None:
        return None
    row = period.values[-1]
    return str(row.retention if row.retention is not None else row.max)


def latest_versions(*, db_session: Session, jurisdiction: str) -> dict[str, CatalogItemVersion]:
    newest = (
        select(CatalogItemVersion.code, func.max(CatalogItemVersion.version).label("v"))
        .where(CatalogItemVersion.jurisdiction == jurisdiction)
        .group_by(CatalogItemVersion.code)
        .subquery()
    )
    rows = db_session.scalars(
        select(CatalogItemVersion)
        .join(newest, (CatalogItemVersion.code == newest.c.code) & (CatalogItemVersion.version == newest.c.v))
        .where(CatalogItemVersion.jurisdiction == jurisdiction)
    ).all()
    return {row.code: row for row in rows}


def sync(*, db_session: Session, profile: Profile, now: datetime, actor: str = "system") -> dict[str, int]:
    """Bring the stored catalog in line with the profile file; returns the current version per item."""
    standard = standard_catalog()
    current = latest_versions(db_session=db_session, jurisdiction=profile.id)
    today = local_date(now)
    versions: dict[str, int] = {}
    for code in profile.catalog.items:
        if code not in standard.items:
            raise XinyongError(
                "invalid_catalog", detail=f"{profile.id}: item {code!r} is not in the standard set"
            )
        row = current.get(code)
        extra = row.definition.get("operator_changes") if row else None
        wanted = definition(profile, code, standard, extra)
        if row is not None and row.definition == wanted and row.status == "published":
            versions[code] = row.version
            continue
        versions[code] = _append(
            db_session,
            profile.id,
            code,
            wanted,
            today,
            now,
            actor,
            "initial catalog from profile" if row is None else "profile file changed",
            (row.version + 1) if row else 1,
        )
    for code, row in current.items():
        if code not in profile.catalog.items and row.status == "published":
            _append(
                db_session,
                profile.id,
                code,
                row.definition,
                today,
                now,
                actor,
                "item removed from profile",
                row.version + 1,
                status="withdrawn",
            )
    return versions


def _append(
    db_session: Session,
    jurisdiction: str,
    code: str,
    definition_: dict[str, Any],
    effective_from: date,
    now: datetime,
    actor: str,
    reason: str,
    version: int,
    status: str = "published",
) -> int:
    db_session.add(
        CatalogItemVersion(
            jurisdiction=jurisdiction,
            code=code,
            version=version,
            effective_from=effective_from,
            layer=definition_.get("layer", "national"),
            status=status,
            definition=definition_,
            created_at=now,
            created_by=actor,
            reason=reason,
        )
    )
    db_session.flush()
    return version


def update_item(
    *,
    db_session: Session,
    profile: Profile,
    now: datetime,
    actor: str,
    code: str,
    changes: dict[str, Any],
    reason: str,
    effective_from: date | None = None,
) -> CatalogItemVersion:
    """An operator changes an item's operational attributes (providers, update frequency, ...): a new version.

    Legal attributes (class, scopes, periods, grounds) live in the profile file and change there.
    """
    if code not in profile.catalog.items:
        raise XinyongError("unknown_item", field="code", detail=code)
    illegal = sorted(set(changes) - set(OPERATIONAL_KEYS))
    if illegal:
        raise XinyongError(
            "invalid_catalog",
            field=illegal[0],
            detail="legal attributes change in the profile file, not through the catalog",
        )
    if not reason:
        raise XinyongError("missing_field", field="reason")
    current = latest_versions(db_session=db_session, jurisdiction=profile.id).get(code)
    if current is None:
        sync(db_session=db_session, profile=profile, now=now, actor=actor)
        current = latest_versions(db_session=db_session, jurisdiction=profile.id)[code]
    new_def = dict(current.definition) | changes
    new_def["operator_changes"] = dict(current.definition.get("operator_changes") or {}) | changes
    version = _append(
        db_session,
        profile.id,
        code,
        new_def,
        effective_from or local_date(now),
        now,
        actor,
        reason,
        current.version + 1,
    )
    return db_session.scalars(
        select(CatalogItemVersion).where(
            CatalogItemVersion.jurisdiction == profile.id,
            CatalogItemVersion.code == code,
            CatalogItemVersion.version == version,
        )
    ).one()


def history(*, db_session: Session, jurisdiction: str, code: str) -> list[CatalogItemVersion]:
    return list(
        db_session.scalars(
            select(CatalogItemVersion)
            .where(CatalogItemVersion.jurisdiction == jurisdiction, CatalogItemVersion.code == code)
            .order_by(CatalogItemVersion.version)
        )
    )
