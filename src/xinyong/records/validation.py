"""Checking one submission against the catalog and the profile: pure, no database.

The order of checks fixes which code a row gets when several things are wrong: the item first,
then the subject identifier, then data that may never enter (prohibited, sensitive without consent,
excluded by the profile), then the remaining fields. Every problem found is reported, each with
its field, so a provider can fix a row in one pass.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from xinyong.catalog.standard import StandardCatalog, coerce_field
from xinyong.core import identifiers
from xinyong.core.errors import XinyongError
from xinyong.core.profile import Profile

# Shared vocabulary of data keys (SCENARIOS.md): Chinese names mean the same as the codes.
DATA_KEY_NAMES: dict[str, str] = {
    "宗教信仰": "religion",
    "基因": "genes",
    "指纹": "fingerprints",
    "血型": "blood_type",
    "疾病": "disease",
    "病史": "medical_history",
    "疾病和病史": "disease",
    "收入": "income",
    "存款": "deposits",
    "有价证券": "securities",
    "商业保险": "commercial_insurance",
    "不动产": "real_estate",
    "纳税数额": "tax_amount",
    "家庭住址": "home_address",
}

SOURCES = ("public", "market")
SEVERITIES = ("general", "severe")
PROCEDURES = ("general", "simple")
RESPONSIBLE_ROLES = ("legal_representative", "actual_controller", "principal", "directly_responsible")


@dataclass
class Submission:
    """A checked submission, ready to store."""

    key: str
    item: str
    subject_kind: str
    subject_id_type: str
    subject_identifier: str
    subject_name: str
    provider: str
    decided_on: date
    source: str = "public"
    provider_code: str | None = None
    effective_on: date | None = None
    severity: str | None = None
    procedure: str | None = None
    document: str | None = None
    valid_until: date | None = None
    disclosure_until: date | None = None
    consent: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    responsible: list[dict[str, str]] = field(default_factory=list)  # [{role, name, id, id_type}]


@lru_cache(maxsize=4096, typed=True)  # a catalog has a few hundred field names; 1 and True differ
def canonical_data_key(key: str) -> str:
    folded = unicodedata.normalize("NFKC", str(key)).strip()
    return DATA_KEY_NAMES.get(folded, folded)


def _text(values: Mapping[str, Any], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    # ASCII is NFKC as it is; for the rest the quick check, as most text is already NFKC
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.strip() or None


def _date(values: Mapping[str, Any], key: str, errors: list[XinyongError], row: int | None) -> date | None:
    value = values.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(XinyongError("invalid_date", field=key, row=row, detail=f"{value!r} is not YYYY-MM-DD"))
        return None


def _choice(
    values: Mapping[str, Any], key: str, allowed: tuple[str, ...], errors: list[XinyongError], row: int | None
) -> str | None:
    value = _text(values, key)
    if value is not None and value not in allowed:
        errors.append(XinyongError("invalid_field", field=key, row=row, detail=f"{value!r} not in {allowed}"))
        return None
    return value


def natural_key(
    item: str,
    identifier: str,
    document: str | None,
    decided_on: date | None,
    data: Mapping[str, Any] | None = None,
) -> str:
    """A record's key when the provider gives none: the same decision resubmitted is the same record.

    Without a document number the content decides, so two different same-day records of one item
    (two arrears notices, say) stay two records.
    """
    parts = [item, identifier, document or "", decided_on.isoformat() if decided_on else ""]
    if not document:
        parts.append(json.dumps(data or {}, sort_keys=True, ensure_ascii=False, default=str))
    return "auto:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def check_submission(
    values: Mapping[str, Any],
    *,
    profile: Profile,
    standard: StandardCatalog,
    row: int | None = None,
) -> Submission | list[XinyongError]:
    """Check one submission (platform vocabulary, see docs/ingestion.md). Returns it, or every error found."""
    errors: list[XinyongError] = []

    # 1. the catalog item must be in this profile's catalog
    raw_item = _text(values, "item")
    item_code = standard.resolve(raw_item) if raw_item else None
    profile_item = profile.item(item_code) if item_code else None
    if raw_item is None:
        errors.append(XinyongError("missing_field", field="item", row=row))
    elif profile_item is None:
        errors.append(XinyongError("unknown_item", field="item", row=row, detail=raw_item))

    # 2. the subject and its identifier
    kind = _text(values, "subject_kind")
    identifier = _text(values, "subject_id")
    id_type = _text(values, "subject_id_type")
    compact = None
    if kind is None:
        errors.append(XinyongError("missing_field", field="subject_kind", row=row))
    elif kind not in profile.subjects.kinds:
        errors.append(XinyongError("invalid_field", field="subject_kind", row=row, detail=f"{kind!r}"))
    elif identifier is None:
        errors.append(XinyongError("missing_field", field="subject_id", row=row))
    else:
        try:
            allowed_fallbacks = profile.subjects.natural_person_fallback_ids
            if id_type and id_type not in ("uscc", "ric") and id_type not in allowed_fallbacks:
                raise XinyongError(
                    "invalid_identifier",
                    detail=f"id type {id_type} not accepted",
                    cite=profile.subjects.fallback_cite or profile.subjects.cite,
                )
            compact = _validated(identifier, kind, id_type)
            id_type = id_type or identifiers.default_id_type(kind).value
        except XinyongError as exc:
            errors.append(
                XinyongError(
                    "invalid_identifier", field="subject_id", row=row, detail=exc.detail, cite=exc.cite
                )
            )
    if item_code and profile_item and kind and item_code in standard.items:
        allowed_kinds = profile_item.subject_kinds or standard.items[item_code].kinds
        if kind not in allowed_kinds:
            errors.append(
                XinyongError(
                    "unknown_item",
                    field="item",
                    row=row,
                    detail=f"{item_code} does not apply to {kind}",
                    cite=profile_item.cite,
                )
            )

    # 3. data that may never enter
    raw_data = values.get("data") or {}
    if not isinstance(raw_data, Mapping):
        errors.append(XinyongError("invalid_field", field="data", row=row, detail="a map of field → value"))
        raw_data = {}
    data = {canonical_data_key(k): v for k, v in raw_data.items()}
    prohibited = [k for k in data if k in profile.intake.prohibited]
    if prohibited:
        errors.append(
            XinyongError(
                "prohibited_data",
                field="data." + prohibited[0],
                row=row,
                detail=", ".join(prohibited),
                cite=profile.intake.prohibited_cite,
            )
        )
    source = _choice(values, "source", SOURCES, errors, row) or "public"
    consent = _bool(values.get("consent"), errors, row)
    sensitive = profile.intake.sensitive
    if (
        kind in sensitive.applies_to
        and sensitive.consent != "notice_only"
        and not consent
        and source not in sensitive.exempt_sources
    ):
        found = [k for k in data if k in sensitive.keys]
        if found:
            errors.append(
                XinyongError(
                    "consent_required",
                    field="data." + found[0],
                    row=row,
                    detail=", ".join(found),
                    cite=sensitive.cite,
                )
            )
    procedure = _choice(values, "procedure", PROCEDURES, errors, row)
    for exclusion in profile.intake.exclusions:
        if (
            exclusion.item == item_code
            and (exclusion.subject_kinds is None or kind in exclusion.subject_kinds)
            and (exclusion.procedure is None or exclusion.procedure == procedure)
            and (exclusion.condition is None or _truthy(data.get(exclusion.condition)))
        ):
            errors.append(
                XinyongError(
                    "not_reportable",
                    field="procedure" if exclusion.procedure else "item",
                    row=row,
                    cite=exclusion.cite,
                )
            )

    # 4. the remaining fields
    provider = _text(values, "provider")
    if provider is None:
        errors.append(XinyongError("missing_field", field="provider", row=row))
    decided_on = _date(values, "decided_on", errors, row)
    if decided_on is None and "decided_on" not in {e.field for e in errors}:
        errors.append(XinyongError("missing_field", field="decided_on", row=row))
    effective_on = _date(values, "effective_on", errors, row)
    valid_until = _date(values, "valid_until", errors, row)
    disclosure_until = _date(values, "disclosure_until", errors, row)
    severity = _choice(values, "severity", SEVERITIES, errors, row)
    document = _text(values, "document")
    std = standard.items.get(item_code) if item_code else None
    if std is not None:
        if "document" in std.needs and document is None:
            errors.append(XinyongError("missing_field", field="document", row=row))
        if std.severity and severity is None:
            severity = "general"
        for name, kind_of_field in std.fields.items():
            if name in data:
                try:
                    data[name] = coerce_field(kind_of_field, data[name])
                except ValueError as exc:
                    errors.append(
                        XinyongError("invalid_field", field="data." + name, row=row, detail=str(exc))
                    )
    responsible = _responsible(values.get("responsible"), errors, row)
    if responsible and kind == "natural_person":  # R-SUB-05: persons responsible for an organisation
        errors.append(
            XinyongError("invalid_field", field="responsible", row=row, detail="only organisations")
        )
    if errors:
        return errors

    assert item_code and kind and compact and id_type and provider and decided_on
    name = _text(values, "subject_name") or compact
    key = _text(values, "record_id") or natural_key(item_code, compact, document, decided_on, data)
    return Submission(
        key=key,
        item=item_code,
        subject_kind=kind,
        subject_id_type=id_type,
        subject_identifier=compact,
        subject_name=name,
        provider=provider,
        provider_code=_text(values, "provider_code"),
        source=source,
        decided_on=decided_on,
        effective_on=effective_on,
        severity=severity,
        procedure=procedure,
        document=document,
        valid_until=valid_until,
        disclosure_until=disclosure_until,
        consent=consent,
        data=data,
        responsible=responsible,
    )


# Identifier checks are pure and the slowest step of a row (python-stdnum cleans each number several
# times), and a provider sends many records of one subject: the answers are remembered, refusals
# included, up to IDENTIFIER_CACHE identifiers (about 25 MB), then forgotten all at once.
IDENTIFIER_CACHE = 131_072
_checked: dict[str, str | tuple[str | None, str | None]] = {}


def _validated(identifier: str, kind: str, id_type: str | None) -> str:
    """identifiers.validate(identifier, kind, id_type), remembered (see IDENTIFIER_CACHE)."""
    key = f"{kind}\t{id_type or ''}\t{identifier}"
    found = _checked.get(key)
    if found is None:
        try:
            found = identifiers.validate(identifier, kind, id_type)
        except XinyongError as exc:
            found = (exc.detail, exc.cite)
        if len(_checked) >= IDENTIFIER_CACHE:
            _checked.clear()
        _checked[key] = found
    if isinstance(found, tuple):
        raise XinyongError("invalid_identifier", detail=found[0], cite=found[1])
    return found


def check_birth_date(identifier: str, id_type: str) -> date:
    """identifiers.birth_date of a submission's identifier, for the service (registering a subject).

    The submission has validated it already, so only the date is read (validating again was most
    of a new subject's registration cost); other id types raise as identifiers.birth_date does.
    """
    return identifiers.compact_birth_date(identifier, id_type)


def _truthy(value: Any) -> bool:
    try:
        return bool(coerce_field("bool", value)) if value not in (None, "") else False
    except ValueError:
        return False


def _bool(value: Any, errors: list[XinyongError], row: int | None) -> bool:
    if value is None or value == "":
        return False
    try:
        return bool(coerce_field("bool", value))
    except ValueError as exc:
        errors.append(XinyongError("invalid_field", field="consent", row=row, detail=str(exc)))
        return False


def _responsible(value: Any, errors: list[XinyongError], row: int | None) -> list[dict[str, str]]:
    """Responsible persons named with a submission: [{role, name, id[, id_type]}]."""
    out: list[dict[str, str]] = []
    if value is not None and not isinstance(value, list | tuple):
        errors.append(XinyongError("invalid_field", field="responsible", row=row, detail="a list of persons"))
        return out
    for i, person in enumerate(value or []):
        where = f"responsible[{i}]"
        if not isinstance(person, Mapping):
            errors.append(XinyongError("invalid_field", field=where, row=row, detail="{role, name, id}"))
            continue
        role = person.get("role")
        if role not in RESPONSIBLE_ROLES:
            errors.append(XinyongError("invalid_field", field=where + ".role", row=row, detail=repr(role)))
            continue
        try:
            compact = identifiers.validate(str(person.get("id", "")), "natural_person", person.get("id_type"))
        except XinyongError as exc:
            errors.append(XinyongError("invalid_identifier", field=where + ".id", row=row, detail=exc.detail))
            continue
        out.append(
            {
                "role": role,
                "name": str(person.get("name") or compact),
                "id": compact,
                "id_type": person.get("id_type") or "ric",
            }
        )
    return out
