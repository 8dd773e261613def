"""Synthetic subjects and records with valid identifiers, for the demo and the benchmarks.

Identifiers get real check characters from python-stdnum; divisions are real county-level codes
so 公民身份号码 pass the division check. Everything is seeded, so a run is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from stdnum.cn import ric, uscc

# real divisions (GB/T 2260) in each seed jurisdiction
DIVISIONS = {
    "jiangsu": ["320102", "320104", "320105", "320106", "320111", "320113"],
    "shenzhen": ["440303", "440304", "440303", "440304", "440305"],
    "nanjing": ["320102", "320104", "320105", "320106", "320111", "320113", "320114"],
    "jilin": ["220102", "220103", "220104", "220105", "220202"],
    "henan": ["410102", "410103", "410104", "410105", "410122", "410302"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧"
TRADES = ["科技", "贸易", "建设工程", "食品", "物流", "医药", "文化传媒", "汽车配件", "农业开发", "餐饮管理"]
UNITS = {
    "admin_penalty": "市场监督管理局",
    "admin_license": "行政审批局",
    "commendation": "人民政府",
    "arrears": "税务局",
    "judgment_default": "中级人民法院",
    "admin_enforcement": "城市管理综合行政执法局",
    "registration": "市场监督管理局",
}
VIOLATIONS = ["虚假宣传", "销售过期食品", "未按规定公示信息", "无照经营", "销售不合格产品", "违法排污"]
CITY = {"jiangsu": "南京市", "shenzhen": "深圳市", "nanjing": "南京市", "jilin": "长春市", "henan": "郑州市"}


def make_uscc(rng: random.Random, division: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + division + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_ric(rng: random.Random, division: str, born: date) -> str:
    body = division + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum's helper expects a placeholder check digit


def subjects(
    rng: random.Random, jurisdiction: str, count: int, person_share: float = 0.3
) -> Iterator[dict[str, str]]:
    divisions = DIVISIONS.get(jurisdiction, DIVISIONS["jiangsu"])
    city = CITY.get(jurisdiction, "")
    for _ in range(count):
        division = rng.choice(divisions)
        if rng.random() < person_share:
            number = ""
            for _ in range(100):  # the division must have existed in the birth year
                born = date(1984, 1, 1) + timedelta(days=rng.randrange(365 * 15))
                number = make_ric(rng, division, born)
                if ric.is_valid(number):
                    break
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            yield {"subject_kind": "natural_person", "subject_id": number, "subject_name": name}
        else:
            name = f"{city}{''.join(rng.choice(GIVEN) for _ in range(2))}{rng.choice(TRADES)}有限公司"
            yield {
                "subject_kind": "legal_person",
                "subject_id": make_uscc(rng, division),
                "subject_name": name,
            }


def records(
    rng: random.Random,
    jurisdiction: str,
    subject_pool: list[dict[str, str]],
    count: int,
    items: list[str],
    start: date,
    days: int,
    prefix: str = "R",
) -> Iterator[dict[str, Any]]:
    """`count` submissions in the platform vocabulary, spread over `days` days from `start`."""
    city = CITY.get(jurisdiction, "")
    weights = [
        6 if i == "admin_penalty" else 3 if i in ("admin_license", "commendation") else 1 for i in items
    ]
    for n in range(count):
        subject = rng.choice(subject_pool)
        item = rng.choices(items, weights)[0]
        decided = start + timedelta(days=rng.randrange(days))
        values: dict[str, Any] = dict(subject)
        values.update(
            {
                "record_id": f"{prefix}{n:08d}",
                "item": item,
                "provider": city + UNITS.get(item, "发展和改革委员会"),
                "decided_on": decided.isoformat(),
                "document": f"{city[:1]}文〔{decided.year}〕{n % 10000}号",
                "data": {},
            }
        )
        if item == "admin_penalty":
            values["severity"] = "severe" if rng.random() < 0.1 else "general"
            values["procedure"] = "general"
            values["data"] = {
                "violation": rng.choice(VIOLATIONS),
                "fine_amount": str(rng.randrange(1, 200) * 100),
            }
        elif item == "admin_license":
            values["valid_until"] = (decided + timedelta(days=365 * 3)).isoformat()
            values["data"] = {
                "license_name": "食品经营许可证",
                "license_no": f"JY{rng.randrange(10**13):013d}",
            }
        elif item == "commendation":
            values["data"] = {"award": "守合同重信用企业"}
        yield values
