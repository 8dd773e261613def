"""The project's own legal scenarios (scenarios/<profile>/*.yaml): each file passes, one test per file.

A file that states what the law requires but the engine does not yet do is listed in
ENGINE_BUGS with the fix it waits for; it is expected to fail (strict: once the engine is fixed
the test fails until the entry is removed). The expectation in the file is never loosened.

The files also keep the house rules: the folder is the profile, the name states the rule and
its article, `cite` names that jurisdiction's articles only, and every identifier carries valid
check characters unless the file expects it to be refused as invalid_identifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from stdnum.cn import ric, uscc

from xinyong.core import profile as profiles
from xinyong.scenario.runner import run_file

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(SCENARIOS.rglob("*.yaml"))
NAMES = {
    "jiangsu": "Jiangsu",
    "shenzhen": "Shenzhen",
    "nanjing": "Nanjing",
    "jilin": "Jilin",
    "henan": "Henan",
}
SHORT = {"jiangsu": "江苏", "shenzhen": "深圳", "nanjing": "南京", "jilin": "吉林", "henan": "河南"}

# file (relative to scenarios/) -> the engine change it waits for
ENGINE_BUGS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    profiles._registry.cache_clear()
    yield
    profiles._registry.cache_clear()


def _id(path: Path) -> str:
    return str(path.relative_to(SCENARIOS))


def _params() -> list[Any]:
    out = []
    for path in FILES:
        bug = ENGINE_BUGS.get(_id(path))
        marks = [pytest.mark.xfail(reason=f"engine bug: {bug}", strict=True)] if bug else []
        out.append(pytest.param(path, id=_id(path), marks=marks))
    return out


def _story(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_profile_has_scenarios() -> None:
    assert sorted({p.parent.name for p in FILES}) == sorted(NAMES)


def test_every_known_engine_bug_names_a_file() -> None:
    assert set(ENGINE_BUGS) <= {_id(p) for p in FILES}


@pytest.mark.parametrize("path", _params())
def test_scenario_passes(path: Path) -> None:
    result = run_file(path)
    assert result.passed, "\n".join(map(str, result.failures))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_scenario_names_its_rule_and_its_own_articles(path: Path) -> None:
    story = _story(path)
    pid = path.parent.name
    assert story["profile"] == pid
    assert re.match(rf"^{NAMES[pid]} 第[一二三四五六七八九十百]+条.* — \S", story["name"]), story["name"]
    assert story["cite"], "cite the articles"
    for cite in story["cite"]:
        assert re.match(rf"^{SHORT[pid]} 第[一二三四五六七八九十百]+条", cite), cite


def _refused_as_invalid(story: dict[str, Any]) -> set[str]:
    """Subject refs used only in steps that expect invalid_identifier."""
    used: dict[str, set[bool]] = {}
    for step in story["steps"]:
        for args in step.values():
            if isinstance(args, dict) and "subject" in args:
                invalid = step.get("expect") == {"rejected": "invalid_identifier"}
                used.setdefault(str(args["subject"]), set()).add(invalid)
    return {ref for ref, kinds in used.items() if kinds == {True}}


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_identifiers_are_real_unless_meant_to_be_refused(path: Path) -> None:
    """GB 32100-2015 / GB 11643-1999 check characters, via python-stdnum."""
    story = _story(path)
    refused = _refused_as_invalid(story)
    for subject in story.get("subjects") or []:
        valid = (uscc if subject["kind"] != "natural_person" else ric).is_valid(str(subject["id"]))
        assert valid != (subject["ref"] in refused), f"{subject['ref']} {subject['id']}"
