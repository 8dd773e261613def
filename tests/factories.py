"""Shared builders for tests: valid identifiers, submissions, actors, record facts and amended profiles.

Identifiers get real check characters from python-stdnum, so a test id is one a provider could
send: 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999, on divisions that existed in
the birth year: 320102 南京市玄武区, 220102 长春市南关区, 410105 郑州市金水区, 440303 深圳市罗湖区).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.core.actor import Actor, Role
from xinyong.core.clock import SHANGHAI
from xinyong.core.profile import Profile
from xinyong.records import rules

DIVISIONS = ("320102", "220102", "410105", "440303")


# --------------------------------------------------------------------------- identifiers


def uscc(n: int = 1, division: str = "220101") -> str:
    """A valid 统一社会信用代码: 9 (registered by 市场监管) 1 (企业), division, organization code, check."""
    body = f"91{division}{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def ric(n: int = 1, division: str = "320102", born: date = date(1990, 3, 7)) -> str:
    """A valid 公民身份号码; `n` picks the 3-digit sequence (odd for men). Birth years 1984–1998."""
    if not 1984 <= born.year <= 1998:
        raise ValueError("test ids use birth years 1984–1998 (divisions known to have existed)")
    body = f"{division}{born:%Y%m%d}{n % 1000:03d}"
    # calc_check_digit wants the full 18 characters, with a placeholder for the check digit
    return body + stdnum_ric.calc_check_digit(body + "0")


def residence_permit(n: int = 1, region: str = "810000", born: date = date(1988, 5, 20)) -> str:
    """港澳台居民居住证: laid out as a 公民身份号码 on division 810000/820000/830000."""
    body = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def wrong_check(number: str) -> str:
    """`number` with another check character: right format, wrong checksum."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


PASSPORT = "E12345678"
HK_MACAO_PERMIT = "H12345678"
TAIWAN_PERMIT = "12345678"


# --------------------------------------------------------------------------- time


def at(day: date, hour: int = 9) -> datetime:
    """An aware instant on `day` in Asia/Shanghai (a bare scenario date means 09:00)."""
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- actors

PROVIDER = "长春市市场监督管理局"
OTHER_PROVIDER = "长春市生态环境局"


def provider(name: str = PROVIDER) -> Actor:
    return Actor(username=name, role=Role.provider, organization=name)


def operator() -> Actor:
    return Actor(username="operator", role=Role.operator, organization="公共信用信息工作机构")


def government(name: str = "长春市发展和改革委员会") -> Actor:
    return Actor(username=f"gov:{name}", role=Role.government, organization=name)


def agency(name: str = "某某信用服务有限公司") -> Actor:
    return Actor(username=f"agency:{name}", role=Role.agency, organization=name)


def subject_actor(subject_id: int) -> Actor:
    return Actor(username=f"subject:{subject_id}", role=Role.subject, subject_id=subject_id)


# --------------------------------------------------------------------------- submissions


def penalty(**over: Any) -> dict[str, Any]:
    """A valid general-procedure administrative penalty on a legal person (platform vocabulary)."""
    values: dict[str, Any] = {
        "item": "admin_penalty",
        "subject_kind": "legal_person",
        "subject_id": uscc(1),
        "subject_name": "长春某某科技有限公司",
        "provider": PROVIDER,
        "decided_on": "2026-03-02",
        "severity": "general",
        "procedure": "general",
        "document": "长市监罚〔2026〕12号",
        "data": {"fine_amount": "5000"},
    }
    values.update(over)
    return values


def person_penalty(**over: Any) -> dict[str, Any]:
    """A valid penalty on a natural person."""
    values = penalty(
        subject_kind="natural_person", subject_id=ric(1), subject_name="张三", document="长市监罚〔2026〕13号"
    )
    values.update(over)
    return values


def license_(**over: Any) -> dict[str, Any]:
    """A valid administrative license on a legal person, valid through 2027-03-01."""
    values = penalty(
        item="admin_license",
        severity=None,
        procedure=None,
        document="长市监许〔2026〕7号",
        valid_until="2027-03-01",
        data={"license_name": "食品经营许可证"},
    )
    values.update(over)
    return values


# --------------------------------------------------------------------------- rules


def facts(**over: Any) -> rules.RecordFacts:
    """RecordFacts of a general penalty on a legal person decided 2026-03-02."""
    values: dict[str, Any] = {
        "id": 1,
        "item": "admin_penalty",
        "subject_kind": "legal_person",
        "provider": PROVIDER,
        "decided_on": date(2026, 3, 2),
        "submitted_on": date(2026, 3, 3),
        "severity": "general",
    }
    values.update(over)
    return rules.RecordFacts(**values)


def event(kind: str, day: date, **over: Any) -> rules.EventFacts:
    return rules.EventFacts(kind=kind, at=at(day), **over)


# --------------------------------------------------------------------------- profiles


def amended(profile: Profile, change: Callable[[dict[str, Any]], None]) -> Profile:
    """A copy of `profile` with its raw data changed by `change`, validated like a profile file."""
    data = profile.model_dump(by_alias=True, exclude_none=True)
    change(data)
    return Profile.model_validate(data)
