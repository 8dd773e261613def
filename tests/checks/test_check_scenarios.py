"""The project's check scenarios and the two shared ones that exercise the check (SCENARIOS.md `check`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from lists.helpers import patched_get
except ImportError:  # `Profile` has its `lists` field
    patched_get = None
from xinyong.core import profile as profiles
from xinyong.scenario import runner

ROOT = Path(__file__).resolve().parents[2]
OWN = sorted((ROOT / "scenarios").glob("*/check_*.yaml"))
SHARED = ROOT.parent / "shared" / "scenarios"
SHARED_CHECKS = [SHARED / "henan_red_list_incentive.yaml", SHARED / "jilin_severe_list_procurement.yaml"]


@pytest.fixture(autouse=True)
def profiles_with_lists(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if patched_get is not None:  # until `Profile` carries `lists`, the lists tests' helper attaches it
        monkeypatch.setattr(profiles, "get", patched_get(profiles.get))
    yield


@pytest.mark.parametrize("path", OWN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_project_check_scenario_passes(path: Path) -> None:
    result = runner.run_file(path)
    assert result.passed, "\n".join(map(str, result.failures))


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/scenarios not present")
@pytest.mark.parametrize("path", SHARED_CHECKS, ids=lambda p: p.name)
def test_shared_check_scenario_passes(path: Path) -> None:
    """Henan 第三十条 (red list: fiscal incentive), Jilin 第二十七条 (severe list: procurement)."""
    result = runner.run_file(path)
    assert result.passed, "\n".join(map(str, result.failures))
