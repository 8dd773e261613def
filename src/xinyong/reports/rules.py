"""Pure rules of the credit report: the free quota, the report number, the content hash.

Free quota (R-RPT-03), read from `profile.reports`:
- `free_per_year = N` for the kinds in `free_for` (Jilin 第三十四条: natural persons, Henan 第四十条:
  every subject, twice a year): the first N reports of a calendar year are free, the next are not.
  Counting per calendar year (local date of issue) is inferred: the texts say 每年.
- `free_per_year = "unlimited"` (Nanjing 第五十七条: natural persons): always free.
- Silence (no section, `free_per_year` unset, or a kind the text does not name): the text sets no
  fee rule, and a public body charges no fee without a legal basis; the self channel is free of
  charge in the contract's baseline (SCENARIOS.md). So the report is free, with basis
  `no_fee_rule` — a different answer from "free by law", and shown as such in the report.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from stdnum.iso7064 import mod_97_10

from xinyong.core.profile_rights import Reports

Basis = Literal["free_quota", "quota_used", "free_unlimited", "no_fee_rule"]


@dataclass(frozen=True)
class Fee:
    free: bool
    basis: Basis
    cite: str | None  # the article, where the text sets the rule
    quota: int | None  # free reports a year for this subject (None: no number set)
    remaining: int | None  # free reports left this year after this one


def fee(reports: Reports | None, subject_kind: str, free_before: int) -> Fee:
    """Whether the next report is free; `free_before`: free reports already issued this year."""
    if reports is None or reports.free_per_year is None or subject_kind not in reports.free_for:
        return Fee(True, "no_fee_rule", None, None, None)
    if reports.free_per_year == "unlimited":
        return Fee(True, "free_unlimited", reports.cite, None, None)
    quota = reports.free_per_year
    if free_before < quota:
        return Fee(True, "free_quota", reports.cite, quota, quota - free_before - 1)
    return Fee(False, "quota_used", reports.cite, quota, 0)


# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^([A-Z][A-Z0-9_]*)-(\d{4})-(\d{6,})-(\d{2})$")


def number(profile_id: str, year: int, sequence: int) -> str:
    """`JILIN-2026-000003-17`: profile, year of issue, sequence in that year, ISO 7064 MOD 97-10 check."""
    prefix = profile_id.upper()
    body = f"{prefix}{year:04d}{sequence:06d}"
    return f"{prefix}-{year:04d}-{sequence:06d}-{mod_97_10.calc_check_digits(body)}"


def parse_number(text: str) -> tuple[str, int, int] | None:
    """(profile id, year, sequence) of a well-formed number with correct check digits, else None."""
    m = _NUMBER.match(text.strip().upper())
    if m is None:
        return None
    prefix, year, seq, check = m.groups()
    if not mod_97_10.is_valid(f"{prefix}{year}{seq}{check}"):
        return None
    return prefix.lower(), int(year), int(seq)


# --------------------------------------------------------------------------- content hash


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes the hash covers: sorted keys, no spaces, UTF-8 (stable across both databases)."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()
