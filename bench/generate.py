"""Synthetic submissions for the benchmarks: `python -m bench.generate --size 1m --out data.jsonl`.

Every row is a valid submission in the platform vocabulary (docs/ingestion.md, the `native`
layout), so the whole file is accepted by `xinyong ingest` and by the records service:

- identifiers carry real check characters (python-stdnum) and real county divisions, so
  公民身份号码 pass the division-in-birth-year check (xinyong.synth);
- the mix of subject kinds (legal persons, unincorporated organisations, natural persons) and of
  catalog items follows what a provincial platform receives: 双公示 licences and penalties
  dominate, the profile's other items share the rest; an item is only given to a subject kind it
  applies to in the chosen profile;
- decision dates spread over several years, so some records are still public and some are not;
- a few records per subject on average, skewed: some subjects have dozens;
- some provider habits are kept on purpose: Chinese item names instead of codes, identifiers
  typed with spaces or in full-width characters, rows without a provider record id (the platform
  derives the natural key).

Everything is seeded: the same options write the same file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xinyong import synth
from xinyong.catalog.standard import standard_catalog
from xinyong.core import profile as profiles

# Relative frequency of items in a provincial platform's intake; unlisted items weigh 1.
ITEM_WEIGHTS: dict[str, int] = {
    "admin_license": 30,
    "admin_penalty": 25,
    "registration": 10,
    "qualification": 4,
    "commendation": 4,
    "commitment": 4,
    "inspection": 3,
    "judgment_default": 3,
    "admin_enforcement": 3,
    "arrears": 3,
    "volunteer_service": 2,
    "commitment_broken": 2,
    "evaluation": 2,
}
TEXT_VALUES: dict[str, list[str]] = {
    "violation": synth.VIOLATIONS,
    "license_name": ["食品经营许可证", "药品经营许可证", "道路运输经营许可证", "建筑施工许可证"],
    "award": ["守合同重信用企业", "诚信示范企业", "劳动模范", "文明单位"],
    "court": ["南京市中级人民法院", "南京市玄武区人民法院", "南京市秦淮区人民法院"],
    "penalty_type": ["罚款", "警告", "没收违法所得", "责令停产停业"],
    "registration_type": ["设立登记", "变更登记", "备案"],
    "level": ["省级", "市级", "区级"],
}
GENERIC_TEXT = ["依法处理", "按期整改", "已核实", "经检查符合要求", "见附件", "详见决定书"]
EPOCH = date(2019, 1, 1)  # decision dates run from here ...
LAST = date(2026, 2, 28)  # ... to here


def parse_size(text: str) -> int:
    """`1000000`, `1m`, `50k` or `1_000_000`."""
    value = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(value[-1:], 1)
    return int(float(value[:-1] if scale > 1 else value) * scale)


def _items_by_kind(profile_id: str) -> dict[str, tuple[list[str], list[int]]]:
    profile = profiles.get(profile_id)
    standard = standard_catalog()
    out: dict[str, tuple[list[str], list[int]]] = {}
    for kind in profile.subjects.kinds:
        codes = [
            code
            for code, item in profile.catalog.items.items()
            if code in standard.items and kind in (item.subject_kinds or standard.items[code].kinds)
        ]
        out[kind] = (codes, [ITEM_WEIGHTS.get(code, 1) for code in codes])
    return out


def _subject_pool(
    rng: random.Random, profile_id: str, count: int, persons: float, unincorporated: float
) -> list[dict[str, str]]:
    pool = list(synth.subjects(rng, profile_id, count, person_share=persons))
    for subject in pool:
        if subject["subject_kind"] == "legal_person" and rng.random() < unincorporated:
            subject["subject_kind"] = "unincorporated_org"
            subject["subject_name"] = subject["subject_name"].replace("有限公司", "合伙企业（有限合伙）")
    return pool


def _noisy(rng: random.Random, identifier: str) -> str:
    """How identifiers arrive from spreadsheets: grouped with spaces, full-width, lower case."""
    match rng.randrange(3):
        case 0:
            return " ".join(identifier[i : i + 4] for i in range(0, len(identifier), 4))
        case 1:
            return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in identifier)
        case _:
            return identifier.lower()


def _field_value(rng: random.Random, name: str, kind: str, decided: date) -> str:
    if kind == "decimal":
        return f"{rng.randrange(1, 5000) * 100}.{rng.randrange(100):02d}"
    if kind == "integer":
        return str(rng.randrange(1, 1000))
    if kind == "date":
        return (decided + timedelta(days=rng.randrange(0, 400))).isoformat()
    if kind == "bool":
        return rng.choice(("是", "否"))
    if kind.startswith("enum:"):
        return rng.choice(kind.removeprefix("enum:").split("|"))
    return rng.choice(TEXT_VALUES.get(name, GENERIC_TEXT))


def generate(
    size: int,
    *,
    seed: int = 20260302,
    profile_id: str = "jiangsu",
    persons: float = 0.3,
    subjects: int | None = None,
    unincorporated: float = 0.1,
    skew: float = 1.3,
    alias_share: float = 0.1,
    noise_share: float = 0.02,
    keyless_share: float = 0.1,
) -> Iterator[dict[str, Any]]:
    """`size` valid submissions for `profile_id`.

    `persons` is the share of natural persons among subjects, `subjects` the pool size (default
    size/5), `skew` > 1 concentrates records on fewer subjects (1 = uniform).
    """
    rng = random.Random(seed)
    standard = standard_catalog()
    by_kind = _items_by_kind(profile_id)
    pool = _subject_pool(rng, profile_id, subjects or max(1, size // 5), persons, unincorporated)
    city = synth.CITY.get(profile_id, "")
    span = (LAST - EPOCH).days + 1
    for n in range(size):
        subject = pool[int(len(pool) * rng.random() ** skew)]
        kind = subject["subject_kind"]
        codes, weights = by_kind[kind]
        code = rng.choices(codes, weights)[0]
        std = standard.items[code]
        decided = EPOCH + timedelta(days=rng.randrange(span))
        row: dict[str, Any] = {}
        if rng.random() >= keyless_share:
            row["record_id"] = f"B{n:09d}"
        row["item"] = rng.choice([std.name, *std.aliases]) if rng.random() < alias_share else code
        row["subject_kind"] = kind
        identifier = subject["subject_id"]
        row["subject_id"] = _noisy(rng, identifier) if rng.random() < noise_share else identifier
        if rng.random() < 0.5:
            row["subject_id_type"] = "ric" if kind == "natural_person" else "uscc"
        row["subject_name"] = subject["subject_name"]
        row["provider"] = city + synth.UNITS.get(code, "发展和改革委员会")
        row["decided_on"] = decided.isoformat()
        row["document"] = f"{city[:1]}{code[:2].upper()}〔{decided.year}〕{n % 100000}号"
        if code == "admin_penalty":
            row["effective_on"] = min(decided + timedelta(days=rng.randrange(0, 20)), LAST).isoformat()
            row["procedure"] = "general"
        if "valid_until" in std.needs or code == "admin_license":
            row["valid_until"] = (decided + timedelta(days=365 * rng.randrange(1, 6))).isoformat()
        if std.severity and rng.random() < 0.6:
            row["severity"] = "severe" if rng.random() < 0.1 else "general"
        row["data"] = {
            name: _field_value(rng, name, kind_of_field, decided)
            for name, kind_of_field in std.fields.items()
            if rng.random() < 0.6
        }
        yield row


CSV_KEYS = [
    "record_id",
    "item",
    "subject_kind",
    "subject_id",
    "subject_id_type",
    "subject_name",
    "provider",
    "decided_on",
    "effective_on",
    "document",
    "procedure",
    "severity",
    "valid_until",
]


def write(path: Path, rows: Iterator[dict[str, Any]], profile_id: str) -> int:
    """Write JSON Lines (.jsonl) or CSV (.csv, `native` layout with data.<key> columns); returns rows."""
    count = 0
    if path.suffix.lower() == ".csv":
        standard = standard_catalog()
        fields = sorted(
            {
                name
                for code in profiles.get(profile_id).catalog.items
                if code in standard.items
                for name in standard.items[code].fields
            }
        )
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([*CSV_KEYS, *(f"data.{f}" for f in fields)])
            for row in rows:
                data = row.get("data", {})
                writer.writerow([row.get(k, "") for k in CSV_KEYS] + [data.get(f, "") for f in fields])
                count += 1
        return count
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("100k"), help="rows: 1000000, 1m, 50k")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--profile", default="jiangsu", help="jurisdiction profile id")
    parser.add_argument("--persons", type=float, default=0.3, help="share of natural persons among subjects")
    parser.add_argument("--subjects", type=parse_size, default=None, help="subject pool (default size/5)")
    parser.add_argument("--out", type=Path, required=True, help="output file, .jsonl or .csv")
    args = parser.parse_args(argv)
    rows = generate(
        args.size, seed=args.seed, profile_id=args.profile, persons=args.persons, subjects=args.subjects
    )
    count = write(args.out, rows, args.profile)
    print(f"{count} rows -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
