"""What the commitment tests share: profiles with their `[commitments]` section, identifiers, actors."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from typing import Any

from xinyong.commitments import models  # noqa: F401  registers the tables before create_all
from xinyong.core import profile as profiles
from xinyong.core.actor import Actor, Role
from xinyong.core.clock import DEFAULT_HOUR, SHANGHAI
from xinyong.core.profile import Profile

PROFILES = ("jiangsu", "shenzhen", "nanjing", "jilin", "henan")

# real-format identifiers with valid check characters (GB 32100-2015, GB 11643-1999)
NJ_COMPANY = "91320102MA1XY81239"
NJ_OTHER = "91320106MA1ABC345F"
CC_COMPANY = "91220101MA14XK7Q0T"
ZZ_COMPANY = "91410100MA4DEF5676"
ZHANG_SAN = "320102199003074560"

UNIT = "某某市行政审批局"  # the accepting unit in these tests


def raw_section(profile_id: str) -> dict[str, Any]:
    """The `[commitments]` table of the packaged profile file, as written."""
    raw = tomllib.loads((profiles.PACKAGED_DIR / f"{profile_id}.toml").read_text(encoding="utf-8"))
    return raw["commitments"]


def profile(profile_id: str) -> Profile:
    """The packaged profile (with its `[commitments]` section)."""
    return profiles.get(profile_id)


def with_item(base: Profile, code: str, spec: dict[str, Any]) -> Profile:
    """`base` with one more catalog item (Henan lacks `commitment_broken`: see docs/commitments.md)."""
    data = base.model_dump(by_alias=True, exclude_none=True)
    data["catalog"]["items"][code] = spec
    return type(base).model_validate(data)


def at(day: str | date, hour: int | None = None) -> datetime:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    t = DEFAULT_HOUR if hour is None else DEFAULT_HOUR.replace(hour=hour)
    return datetime.combine(d, t, tzinfo=SHANGHAI)


def unit(name: str = UNIT) -> Actor:
    return Actor(username=name, role=Role.provider, organization=name)


def operator() -> Actor:
    return Actor(username="operator", role=Role.operator, organization="公共信用信息工作机构")


def subject_actor(subject_id: int) -> Actor:
    return Actor(username=f"subject:{subject_id}", role=Role.subject, subject_id=subject_id)
