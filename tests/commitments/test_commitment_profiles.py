"""The `[commitments]` sections of the five profiles: strict schema, cross-references, the values
beside their articles, silence kept as silence."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import PROFILES, profile, raw_section
from pydantic import ValidationError

from xinyong.core.profile_commitments import Commitments, check_items


@pytest.mark.parametrize("profile_id", PROFILES)
def test_section_validates_and_names_known_items(profile_id: str) -> None:
    sec = Commitments.model_validate(raw_section(profile_id))
    problems = check_items(sec, profile(profile_id).catalog.items)
    if profile_id == "henan":  # asked of the lead: the Henan catalog item for 第三十三条第八项
        assert problems in (
            [],
            ["commitments.broken[0].item: no item 'commitment_broken' in [catalog.items]"],
        )
    else:
        assert problems == []


def test_packaged_profile_carries_the_section() -> None:
    for profile_id in PROFILES:
        assert profile(profile_id).commitments is not None


def _broken(change: Any) -> dict[str, Any]:
    data = raw_section("jilin")
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(surprise=1), "Extra inputs are not permitted"),
        (
            lambda d: d["matters"]["administrative_license"].update(kinds=["public"]),
            "not in [commitments.kinds]",
        ),
        (lambda d: d["eligibility"][0].update(when="bad_credit"), "dishonest_record"),
        (lambda d: d["fines"][0].update(min_yuan=10), "an unspecified fine has no amounts"),
        (lambda d: d.update(record_made="commitment"), "record_made needs record_made_cite"),
    ],
)
def test_broken_sections_are_refused_with_words(change: Any, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        Commitments.model_validate(_broken(change))
    assert words in str(err.value)


def test_shenzhen_51_consequences_required_for_every_kind() -> None:
    """Shenzhen 第五十一条第二款."""
    sec = profile("shenzhen").commitments
    assert sec is not None
    assert [(r.requires, sorted(r.kinds), r.cite) for r in sec.content] == [
        ("breach_consequences", ["missing_materials", "notification", "public"], "深圳 第五十一条第二款")
    ]


def test_henan_68_fines_reference_data() -> None:
    """Henan 第六十八条: 一百万元以上二百万元以下; 非法收益三至五倍."""
    sec = profile("henan").commitments
    assert sec is not None
    assert [(f.min_yuan, f.max_yuan, f.min_multiple, f.max_multiple, f.confiscation) for f in sec.fines] == [
        (1_000_000, 2_000_000, None, None, False),
        (None, None, 3, 5, True),
    ]


def test_silence_stays_silence() -> None:
    """Jiangsu: no credit condition, no content rule, no fines; Shenzhen and Nanjing: no fines; Jilin: a fine
    without an amount."""
    js, sz, nj, jl = (profile(p).commitments for p in ("jiangsu", "shenzhen", "nanjing", "jilin"))
    assert js is not None and sz is not None and nj is not None and jl is not None
    assert (js.eligibility, js.content, js.fines) == ([], [], [])
    assert (sz.fines, nj.fines) == ([], [])
    assert [f.amount for f in jl.fines] == ["unspecified"]
    assert sz.kept == []  # the text gives a kept commitment no class


def test_every_value_cites_its_own_regulation() -> None:
    for profile_id in PROFILES:
        p = profile(profile_id)
        sec = p.commitments
        assert sec is not None
        short = p.meta.short
        cites = [sec.cite, sec.matters_cite]
        cites += [k.cite for k in sec.kinds.values()] + [m.cite for m in sec.matters.values()]
        for group in (
            sec.content,
            sec.eligibility,
            sec.handling,
            sec.kept,
            sec.broken,
            sec.measures,
            sec.fines,
        ):
            cites += [r.cite for r in group]
        assert all(c.startswith(short + " ") for c in cites), (
            profile_id,
            [c for c in cites if not c.startswith(short)],
        )
