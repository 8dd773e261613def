"""The conformance runner (`xinyong scenario run`), held to SCENARIOS.md.

The shared example files must run unchanged: those using only implemented actions pass, the
others fail at the first step of a later feature with "<action>: not implemented". Every contract
violation in tests/scenario/broken/ fails with the exact words below, naming file and step, and
never stops the other files. The last line is exactly "N passed, N failed"; the exit status is 0
only when none failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.core import profile as profiles
from xinyong.scenario import steps
from xinyong.scenario.runner import run_file

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "scenarios"  # shared/ sits beside the clone
BROKEN = Path(__file__).resolve().parent / "broken"

PASSING_EXAMPLES = (
    "jiangsu_prohibited_blood_type.yaml",
    "jiangsu_self_and_government_query.yaml",
    "nanjing_authorized_query.yaml",
    "shenzhen_lifetime_authorization.yaml",
    "henan_revoked_within_one_working_day.yaml",
    "jilin_objection_own_error_corrected.yaml",
    "nanjing_withhold_commendation.yaml",
    "shenzhen_objection_marked_same_day.yaml",
    "henan_red_list_incentive.yaml",
    "jilin_severe_list_procurement.yaml",
)

# fixture -> (step, the words after "contract: "); step None reads "file"
BROKEN_MESSAGES: dict[str, tuple[int | None, str]] = {
    "unknown_top_level_key.yaml": (None, "unknown top-level key(s): period"),
    "unknown_action.yaml": (2, "unknown action or key: publish"),
    "two_actions_in_one_step.yaml": (1, "a step has exactly one action, found 2: see, submit"),
    "bad_date_in_at.yaml": (
        2,
        "bad `at` '2026-02-30': day is out of range for month "
        "(a date YYYY-MM-DD or an ISO datetime with offset)",
    ),
    "at_goes_backwards.yaml": (
        3,
        "`at` goes backwards: 2026-03-04T10:00:00+08:00 is before the previous step",
    ),
    "unknown_ref.yaml": (2, "revoke.record: unknown ref 'R2'"),
    "unknown_channel.yaml": (
        2,
        "unknown channel 'press' (one of public, government, self, provider, authorized:REF)",
    ),
    "bad_expect_shape.yaml": (
        2,
        "see: expect is a map of visible: [refs], hidden: [refs], marked: {ref: [marks]}, masked: BOOL, "
        "got {'visible': 'R1'}",
    ),
    "bad_action_expect.yaml": (1, "submit: expect is `accepted` or {rejected: CODE}, got 'rejected'"),
    "yaml_syntax_error.yaml": (
        1,
        "cannot read YAML: line 9, column 11: expected ',' or '}', but got ':' "
        "(while parsing a flow mapping on line 7)",
    ),
    "unknown_profile.yaml": (
        None,
        "unknown profile 'anhui' (known: henan, jiangsu, jilin, nanjing, shenzhen)",
    ),
    "duplicate_key.yaml": (
        2,
        "cannot read YAML: line 12, column 5: duplicate key 'see' (while constructing a mapping on line 10)",
    ),
    "ref_defined_twice.yaml": (2, "submit: ref R1 is already a record (step 1)"),
    "observation_without_expect.yaml": (2, "see: an observation needs `expect`"),
    "unknown_field.yaml": (1, "submit: unknown field(s) penalty"),
}
SEVERAL = {  # several_violations.yaml: every violation, each with its step
    (2, "see.subject: unknown ref 'C2'"),
    (3, "status: expect is {state: NAME}, got 'revoked'"),
}

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    profiles._registry.cache_clear()
    yield
    profiles._registry.cache_clear()


def run(*paths: Path | str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["scenario", "run", *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output.splitlines()


def fail_line(path: Path, step: int | None, message: str) -> str:
    return f"FAIL {path}: {'file' if step is None else f'step {step}'}: {message}"


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")


# --------------------------------------------------------------------------- the shared examples


@needs_shared
def test_shared_examples_using_only_implemented_actions_pass() -> None:
    code, lines = run(*(SHARED / name for name in PASSING_EXAMPLES))
    assert lines == [f"{len(PASSING_EXAMPLES)} passed, 0 failed"]
    assert code == 0


@needs_shared
def test_the_shared_folder_is_every_example_once() -> None:
    assert sorted(p.name for p in SHARED.glob("*.yaml")) == sorted(PASSING_EXAMPLES)
    code, lines = run(SHARED)
    assert lines == [f"{len(PASSING_EXAMPLES)} passed, 0 failed"]
    assert code == 0


# --------------------------------------------------------------------------- contract violations


def test_every_broken_fixture_has_its_message() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(
        [*BROKEN_MESSAGES, "several_violations.yaml"]
    )


@pytest.mark.parametrize("name", sorted(BROKEN_MESSAGES))
def test_a_contract_violation_fails_naming_file_and_step(name: str) -> None:
    path = BROKEN / name
    step, words = BROKEN_MESSAGES[name]
    code, lines = run(path)
    assert lines == [fail_line(path, step, f"contract: {words}"), "0 passed, 1 failed"]
    assert code == 1


def test_every_violation_of_a_file_is_reported_and_none_of_it_runs() -> None:
    result = run_file(BROKEN / "several_violations.yaml")
    assert {(f.step, f.message) for f in result.failures} == {(n, f"contract: {m}") for n, m in SEVERAL}


@needs_shared
def test_broken_files_never_stop_the_other_files() -> None:
    good = SHARED / "jiangsu_prohibited_blood_type.yaml"
    broken = sorted(BROKEN.glob("*.yaml"))
    code, lines = run(BROKEN, good)
    assert lines[-1] == f"1 passed, {len(broken)} failed"
    assert not [line for line in lines if str(good) in line]
    assert {line.split(": ")[0].removeprefix("FAIL ") for line in lines[:-1]} == {str(p) for p in broken}
    assert code == 1


def test_a_missing_file_fails_and_is_counted() -> None:
    code, lines = run("/nonexistent/scenario.yaml")
    assert lines[0].startswith("FAIL /nonexistent/scenario.yaml: file: contract: cannot read the file: ")
    assert lines[-1] == "0 passed, 1 failed"
    assert code == 1


def test_an_empty_folder_says_so_and_does_not_pass(tmp_path: Path) -> None:
    code, lines = run(tmp_path)
    assert lines == [f"no scenario files (*.yaml) under {tmp_path}", "0 passed, 0 failed"]
    assert code == 1


# --------------------------------------------------------------------------- failed expectations

SUBJECTS = """\
subjects:
  - {ref: C1, kind: legal_person, id: "91220102MAC7B5PD17", name: 长春市南关区鼎盛建材经销有限公司}
  - {ref: P1, kind: natural_person, id: "220102199701283657", name: 赵明}
  - {ref: P9, kind: natural_person, id: "220102199701283658", name: 赵明}
"""
PENALTY = """\
    submit: {ref: R1, item: admin_penalty, subject: C1, provider: 长春市市场监督管理局,
             decided_on: 2026-03-02, severity: general, procedure: general, document: 长市监罚〔2026〕12号}
"""


def write(tmp_path: Path, name: str, body: str, profile: str = "jilin") -> Path:
    path = tmp_path / name
    path.write_text(f"name: {name}\nprofile: {profile}\n{SUBJECTS}steps:\n{body}", encoding="utf-8")
    return path


def test_a_failed_expectation_names_file_step_what_was_expected_and_what_was_seen(tmp_path: Path) -> None:
    """Jilin 第十九条: a general penalty is public through 2027-03-02; this file expects otherwise."""
    path = write(
        tmp_path,
        "wrong.yaml",
        f"  - at: 2026-03-02\n{PENALTY}    expect: {{rejected: unknown_item}}\n"
        "  - {at: 2027-03-02, see: {subject: C1, as: public}, expect: {hidden: [R1]}}\n"
        "  - {at: 2027-03-03, see: {subject: C1, as: public}, expect: {visible: [R1]}}\n"
        "  - {at: 2027-03-03, see: {subject: C1, as: public}, expect: {masked: true}}\n"
        "  - {at: 2027-03-03, status: {of: R1}, expect: {state: expired}}\n",
    )
    code, lines = run(path)
    assert lines == [
        fail_line(path, 1, "submit: expected rejected unknown_item, saw accepted"),
        fail_line(path, 2, "see public: expected R1 hidden, it is visible"),
        fail_line(path, 3, "see public: expected R1 visible, it is hidden"),
        fail_line(path, 4, "see public: expected masked=True, saw masked=False"),
        fail_line(path, 5, "status of R1: expected expired, saw deleted"),
        "0 passed, 1 failed",
    ]
    assert code == 1


def test_a_refusal_says_why_and_a_refused_record_is_never_visible(tmp_path: Path) -> None:
    """Jilin 第十六条第二款: blood type may never be collected."""
    path = write(
        tmp_path,
        "refused.yaml",
        "  - at: 2026-03-02\n"
        "    submit: {ref: R1, item: admin_penalty, subject: P1, provider: 长春市卫生健康委员会,\n"
        "             decided_on: 2026-03-02, procedure: general, document: 长卫罚〔2026〕3号,\n"
        "             data: {blood_type: A}}\n"
        "    expect: accepted\n"
        "  - {at: 2026-03-03, see: {subject: P1, as: self}, expect: {visible: [R1]}}\n"
        "  - {at: 2026-03-03, see: {subject: P1, as: self}, expect: {hidden: [R1]}}\n"
        "  - {at: 2026-03-03, status: {of: R1}, expect: {state: refused}}\n",
    )
    code, lines = run(path)
    assert lines == [
        fail_line(
            path, 1, "submit: expected accepted, saw rejected prohibited_data (prohibited_data: blood_type)"
        ),
        fail_line(path, 2, "see self: expected R1 visible, but R1 was refused when submitted"),
        "0 passed, 1 failed",
    ]
    assert code == 1


def test_a_step_without_expect_checks_nothing_about_its_outcome(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "no_expect.yaml",
        "  - at: 2026-03-02\n"
        "    submit: {ref: R1, item: drunk_driving, subject: P1, provider: 长春市公安局,\n"
        "             decided_on: 2026-03-02}\n"
        "  - {at: 2026-03-03, see: {subject: P1, as: self}, expect: {hidden: [R1]}}\n",
    )
    assert run(path) == (0, ["1 passed, 0 failed"])


def test_an_observation_the_platform_refuses_fails_its_step_and_the_run_goes_on(tmp_path: Path) -> None:
    """P9's 公民身份号码 has a wrong check digit: the platform cannot look the person up."""
    bad = write(
        tmp_path,
        "bad_subject.yaml",
        "  - {at: 2026-03-03, see: {subject: P9, as: self}, expect: {hidden: []}}\n",
    )
    good = write(tmp_path, "good.yaml", f"  - at: 2026-03-02\n{PENALTY}    expect: accepted\n")
    code, lines = run(bad, good)
    assert lines[0].startswith(
        fail_line(bad, 1, "see: the platform refused the observation: invalid_identifier")
    )
    assert lines[1:] == ["1 passed, 1 failed"]
    assert code == 1


def test_not_implemented_stops_the_file_at_that_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Later steps build on the missing one, so they are not run (and not reported).

    Every contract action has a handler now; one is taken away to stand for a feature not built.
    """
    monkeypatch.delitem(steps.ACTIONS, "propose_listing")
    path = write(
        tmp_path,
        "later.yaml",
        f"  - at: 2026-03-02\n{PENALTY}    expect: accepted\n"
        "  - at: 2026-03-03\n"
        "    propose_listing: {ref: L1, list: severe, subject: C1, basis: [R1], ground: market_order}\n"
        "    expect: accepted\n"
        "  - {at: 2026-03-04, status: {of: L1}, expect: {state: proposed}}\n"
        "  - {at: 2026-03-04, see: {subject: C1, as: public}, expect: {hidden: [R1]}}\n",
    )
    code, lines = run(path)
    assert lines == [fail_line(path, 2, "propose_listing: not implemented"), "0 passed, 1 failed"]
    assert code == 1


def test_a_later_feature_is_still_checked_against_the_contract(tmp_path: Path) -> None:
    """Unknown fields and refs are found before anything runs, even in not-yet-implemented actions."""
    path = write(
        tmp_path,
        "later_broken.yaml",
        f"  - at: 2026-03-02\n{PENALTY}    expect: accepted\n"
        "  - at: 2026-03-03\n    object: {ref: O1, record: R2, by: C1, reason: 有误}\n    expect: accepted\n"
        "  - at: 2026-03-04\n    resolve: {objection: O1, outcome: corrected, by: platform, when: now}\n",
    )
    code, lines = run(path)
    assert lines == [
        fail_line(path, 2, "contract: object.record: unknown ref 'R2'"),
        fail_line(path, 3, "contract: resolve: unknown field(s) when"),
        "0 passed, 1 failed",
    ]
    assert code == 1


def test_a_ref_of_the_wrong_kind_is_a_contract_violation(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kinds.yaml",
        f"  - at: 2026-03-02\n{PENALTY}    expect: accepted\n"
        "  - {at: 2026-03-03, see: {subject: R1, as: public}, expect: {visible: [C1]}}\n",
    )
    code, lines = run(path)
    assert code == 1
    assert lines == [
        fail_line(path, 2, "contract: see.subject: R1 is a record, not a subject"),
        "0 passed, 1 failed",
    ]


def test_at_may_carry_a_time_and_equal_times_do_not_go_backwards(tmp_path: Path) -> None:
    """A bare date is 09:00 Beijing time; 01:00 UTC is the same instant, so it is not earlier."""
    path = write(
        tmp_path,
        "times.yaml",
        f"  - at: 2026-03-02\n{PENALTY}    expect: accepted\n"
        '  - {at: "2026-03-02T01:00:00+00:00", see: {subject: C1, as: public}, expect: {visible: [R1]}}\n'
        '  - {at: "2026-03-02T01:00:00+00:00", status: {of: R1}, expect: {state: active}}\n',
    )
    assert run(path) == (0, ["1 passed, 0 failed"])


def test_an_at_without_offset_is_a_contract_violation(tmp_path: Path) -> None:
    path = write(tmp_path, "naive.yaml", f'  - at: "2026-03-02T10:00:00"\n{PENALTY}    expect: accepted\n')
    code, lines = run(path)
    assert code == 1
    assert lines == [
        fail_line(
            path,
            1,
            "contract: bad `at` '2026-03-02T10:00:00': datetime 2026-03-02T10:00:00 has no UTC offset "
            "(a date YYYY-MM-DD or an ISO datetime with offset)",
        ),
        "0 passed, 1 failed",
    ]


def test_the_calendar_block_and_load_calendar_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "name: calendar\nprofile: henan\ncalendar: {holidays: [2031-01-01], workdays: [2031-01-04]}\n"
        f"{SUBJECTS}steps:\n"
        "  - at: 2026-03-02\n"
        "    load_calendar: {holidays: [2032-01-01], workdays: []}\n"
        "    expect: accepted\n",
        encoding="utf-8",
    )
    assert run(path) == (0, ["1 passed, 0 failed"])


def test_exit_status_is_zero_only_when_none_failed(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", f"  - at: 2026-03-02\n{PENALTY}    expect: accepted\n")
    bad = write(
        tmp_path, "bad.yaml", f"  - at: 2026-03-02\n{PENALTY}    expect: {{rejected: unknown_item}}\n"
    )
    assert run(good) == (0, ["1 passed, 0 failed"])
    code, lines = run(good, bad)
    assert (code, lines[-1]) == (1, "1 passed, 1 failed")


def test_a_field_of_the_wrong_shape_is_a_contract_violation(tmp_path: Path) -> None:
    """`data` is a free map and `consent` a bool (SCENARIOS.md, submit)."""
    path = write(
        tmp_path,
        "shapes.yaml",
        "  - at: 2026-03-02\n"
        "    submit: {ref: R1, item: admin_penalty, subject: P1, provider: 长春市卫生健康委员会,\n"
        "             decided_on: 2026-03-02, data: [blood_type]}\n"
        "  - at: 2026-03-03\n"
        "    submit: {ref: R2, item: admin_penalty, subject: P1, provider: 长春市卫生健康委员会,\n"
        "             decided_on: 2026-03-02, consent: 同意}\n",
    )
    code, lines = run(path)
    assert code == 1
    assert lines == [
        fail_line(path, 1, "contract: submit.data: a map, got ['blood_type']"),
        fail_line(path, 2, "contract: submit.consent: true or false, got '同意'"),
        "0 passed, 1 failed",
    ]


def test_a_step_with_a_violation_still_defines_its_ref(tmp_path: Path) -> None:
    """Later steps that use R1 are not blamed for step 1's unknown field."""
    path = write(
        tmp_path,
        "no_cascade.yaml",
        "  - at: 2026-03-02\n"
        "    submit: {ref: R1, item: admin_penalty, subject: C1, provider: 长春市市场监督管理局,\n"
        "             decided_on: 2026-03-02, fine: 5000}\n"
        "  - {at: 2026-03-03, see: {subject: C1, as: public}, expect: {visible: [R1]}}\n"
        "  - {at: 2026-03-03, status: {of: R1}, expect: {state: active}}\n",
    )
    code, lines = run(path)
    assert (code, lines) == (
        1,
        [fail_line(path, 1, "contract: submit: unknown field(s) fine"), "0 passed, 1 failed"],
    )
