"""The shared objection examples pass (SCENARIOS.md is the contract; they must run unchanged)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.scenario import runner

SHARED = Path(__file__).resolve().parents[4] / "shared" / "scenarios"
SHARED_OBJECTIONS = sorted(SHARED.glob("*objection*.yaml")) if SHARED.is_dir() else []


@pytest.mark.skipif(not SHARED_OBJECTIONS, reason="../shared/scenarios not present")
@pytest.mark.parametrize("path", SHARED_OBJECTIONS, ids=lambda p: p.name)
def test_shared_objection_example_passes(path: Path) -> None:
    result = runner.run_file(path)
    assert result.passed, "\n".join(map(str, result.failures))
