"""Disclosure that runs on while the subject is listed (Nanjing 第五十六条, Henan 第十九条第三款).

A period whose last day falls while the subject is on the named list runs on to the day the subject
leaves the list; still listed, it has no end yet. A listing that ended before the period did changes
nothing, and neither does one that began after it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xinyong.core import profile as profiles
from xinyong.core.errors import XinyongError
from xinyong.records import rules
from xinyong.records.rules import extended

LAST = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ((), LAST),  # never listed
        (((date(2026, 3, 20), date(2026, 9, 10)),), date(2026, 9, 10)),  # listed on the last day: to removal
        (((date(2026, 3, 20), None),), None),  # still listed: no end yet
        (((date(2026, 3, 20), date(2026, 5, 31)),), LAST),  # left the list before the period ended
        (((date(2026, 3, 20), LAST),), LAST),  # left on the last day itself: nothing to extend
        (((date(2026, 6, 2), None),), LAST),  # listed after the period ended: too late
        (((date(2026, 1, 1), date(2026, 7, 1)), (date(2026, 2, 1), date(2026, 8, 1))), date(2026, 8, 1)),
    ],
)
def test_henan_19_period_runs_to_the_day_of_removal(
    spans: tuple[tuple[date, date | None], ...], expected: date | None
) -> None:
    assert extended(LAST, spans) == expected


def test_no_end_stays_no_end() -> None:
    assert extended(None, ((date(2026, 1, 1), date(2026, 2, 1)),)) is None


def _penalty(listed: tuple[tuple[str, date, date | None], ...]) -> rules.RecordFacts:
    return rules.RecordFacts(
        id=1,
        item="admin_penalty",
        subject_kind="legal_person",
        provider="郑州市市场监督管理局",
        decided_on=date(2021, 6, 1),
        submitted_on=date(2026, 3, 2),
        severity="severe",
        listed=listed,
    )


def test_henan_19_window_follows_the_severe_list_only() -> None:
    henan = profiles.get("henan")
    assert rules.window(_penalty(()), henan).public_until == date(2026, 6, 1)  # 5 years (第十九条第二款)
    on_severe = (("severe", date(2026, 3, 20), date(2026, 9, 10)),)
    w = rules.window(_penalty(on_severe), henan)
    assert (w.public_until, w.retained_until) == (date(2026, 9, 10), date(2026, 9, 10))
    on_red = (("red", date(2026, 3, 20), date(2026, 9, 10)),)  # another list extends nothing
    assert rules.window(_penalty(on_red), henan).public_until == date(2026, 6, 1)


def test_profiles_without_the_rule_ignore_listings() -> None:
    jiangsu = profiles.get("jiangsu")
    on_severe = (("severe", date(2026, 3, 20), None),)
    assert rules.window(_penalty(on_severe), jiangsu) == rules.window(_penalty(()), jiangsu)


def test_extension_names_a_list_of_the_profile(tmp_path: Path) -> None:
    source = (profiles.PACKAGED_DIR / "henan.toml").read_text(encoding="utf-8")
    broken = source.replace('extends_while_listed = "severe"', 'extends_while_listed = "key_attention"', 1)
    path = tmp_path / "henan.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(XinyongError, match="extends_while_listed"):
        profiles.load_file(path)
