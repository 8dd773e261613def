"""Builders for the marks tests: records submitted the way providers submit them, on both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from factories import at, penalty, provider
from xinyong.core.db import transaction
from xinyong.core.profile import Profile
from xinyong.records import service as records_service

SZ_SAMR = "深圳市市场监督管理局"
CC_SAMR = "长春市市场监督管理局"
SZ_COMPANY = "91440300MA5G1R2K3E"
SZ_OTHER = "91440300MA5H7T9P1C"
CC_COMPANY = "91220101MA17B3C4DK"


def submit(sf: sessionmaker[Session], profile: Profile, day: date, **over: Any) -> tuple[int, int]:
    """Submit one record as its provider on `day`; returns (record id, subject id)."""
    values = penalty(**over)
    with transaction(sf) as db:
        record, _ = records_service.submit(
            db_session=db, profile=profile, now=at(day), actor=provider(values["provider"]), values=values
        )
        return record.id, record.subject_id


NJ_COMPANY = "91320105MA1NQ3R4TH"
NJ_CIVIL = "南京市民政局"
ZZ_COMPANY = "91410105MA45C6D7ED"
ZZ_SAMR = "郑州市市场监督管理局"
