"""Jurisdiction profiles: the five seed regulations load, say what their texts say, and bad files are refused.

Each value test names the article it checks ("Nanjing 第五十六条"). The broken fixtures in `broken/`
each carry one defect; loading them must fail with `invalid_profile` and a message naming the file and
the key (or, for TOML syntax errors, the line).
"""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from xinyong.core import profile as profiles
from xinyong.core.errors import XinyongError
from xinyong.core.periods import Unit
from xinyong.core.profile import DurationSpec, Profile

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "xinyong"
PROFILE_DIR = SRC / "profiles"
BROKEN = Path(__file__).resolve().parent / "broken"
IDS = ("jiangsu", "shenzhen", "nanjing", "jilin", "henan")
# scenario files: the project's own (scenarios/<profile>/*.yaml) and the shared conformance set
SCENARIO_DIRS = (REPO / "scenarios", REPO.parent / "shared" / "scenarios")  # shared/ sits beside the clone
PROHIBITED = ["religion", "genes", "fingerprints", "blood_type", "disease", "medical_history"]
SENSITIVE_VOCABULARY = {
    "income",
    "deposits",
    "securities",
    "commercial_insurance",
    "real_estate",
    "tax_amount",
    "home_address",
}


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    profiles._registry.cache_clear()
    yield
    profiles._registry.cache_clear()


def load(pid: str) -> Profile:
    return profiles.load_file(PROFILE_DIR / f"{pid}.toml")


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("pid", IDS)
def test_each_packaged_profile_loads_under_its_file_name(pid: str) -> None:
    prof = load(pid)
    assert prof.id == pid
    assert profiles.get(pid) == prof


def test_the_registry_holds_exactly_the_five_seed_profiles() -> None:
    assert sorted(profiles.all_profiles()) == sorted(IDS)


def test_the_standard_catalog_knows_every_item_and_subject_kind_a_profile_uses() -> None:
    standard = tomllib.loads((SRC / "catalog" / "standard.toml").read_text(encoding="utf-8"))["items"]
    for pid in IDS:
        prof = load(pid)
        for code, item in prof.catalog.items.items():
            assert code in standard, f"{pid}: {code} is not a standard item"
            if item.subject_kinds is not None:
                assert set(item.subject_kinds) <= set(standard[code]["kinds"]), f"{pid}: {code}"


def _scenario_files() -> list[Path]:
    found: list[Path] = []
    for directory in SCENARIO_DIRS:
        if directory.is_dir():
            found.extend(sorted(directory.rglob("*.yaml")))
    return found


def _named_items(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "item" and isinstance(value, str):
                yield value
            elif key == "items" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _named_items(value)
    elif isinstance(node, list):
        for value in node:
            yield from _named_items(value)


@pytest.mark.parametrize("path", _scenario_files() or [None], ids=lambda p: p.name if p else "none")
def test_every_item_a_scenario_names_is_in_its_profile(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"no scenario files under {', '.join(map(str, SCENARIO_DIRS))}")
    story = yaml.safe_load(path.read_text(encoding="utf-8"))
    prof = profiles.get(story["profile"])
    # a step that expects unknown_item names an item outside the catalog on purpose
    steps = [s for s in story["steps"] if s.get("expect") != {"rejected": "unknown_item"}]
    named = set(_named_items(steps))
    assert named, f"{path.name} names no item"
    assert named <= set(prof.catalog.items), f"{path.name}: missing {sorted(named - set(prof.catalog.items))}"


# --------------------------------------------------------------------------- citations


def _cited_numbers(node: Any, cite: str | None, where: str) -> Iterator[tuple[str, str | None]]:
    """Every DurationSpec with the nearest citation above it (its own model's, else an ancestor's)."""
    if isinstance(node, DurationSpec):
        yield where, cite
    elif isinstance(node, BaseModel):
        own = getattr(node, "cite", None)
        for name in type(node).model_fields:
            yield from _cited_numbers(getattr(node, name), own or cite, f"{where}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _cited_numbers(value, cite, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _cited_numbers(value, cite, f"{where}[{i}]")


def _cite_strings(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name == "cite" or name.endswith("_cite"):
                if value is not None:
                    yield f"{where}.{name}", value
            else:
                yield from _cite_strings(value, f"{where}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _cite_strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _cite_strings(value, f"{where}[{i}]")


@pytest.mark.parametrize("pid", IDS)
def test_no_legal_number_without_a_citation_of_its_own_regulation(pid: str) -> None:
    prof = load(pid)
    numbers = list(_cited_numbers(prof, None, pid))
    assert numbers, "every seed profile carries at least one number"
    for where, cite in numbers:
        assert cite and cite.startswith(f"{prof.meta.short} 第"), f"{where}: no citation ({cite!r})"


@pytest.mark.parametrize("pid", IDS)
def test_every_citation_names_its_own_regulation_and_never_borrows_another(pid: str) -> None:
    prof = load(pid)
    others = {load(o).meta.short for o in IDS if o != pid}
    cites = list(_cite_strings(prof, pid))
    assert len(cites) > 20
    for where, cite in cites:
        assert cite.startswith(f"{prof.meta.short} "), f"{where}: {cite!r}"
        assert re.search(r"第[一二三四五六七八九十百]+条|题注", cite), f"{where}: {cite!r} names no article"
        assert not any(short in cite for short in others), f"{where}: {cite!r} cites another regulation"


# --------------------------------------------------------------------------- what the texts say


def _dur(value: int, unit: str) -> DurationSpec:
    return DurationSpec(value=value, unit=Unit(unit))


@pytest.mark.parametrize(
    ("pid", "status", "in_force_from", "adopted_on"),
    [
        ("jiangsu", "in_force", date(2022, 1, 1), None),  # Jiangsu 第七十三条; seed: no adoption date
        ("shenzhen", "draft", None, None),  # Shenzhen 第八十二条 leaves the date blank
        ("nanjing", "in_force", date(2020, 7, 1), date(2019, 12, 27)),  # Nanjing 第七十六条, 题注
        ("jilin", "draft", None, None),  # Jilin 第五十九条 leaves the date blank
        ("henan", "in_force", date(2020, 5, 1), date(2019, 11, 29)),  # Henan 第七十条, 题注
    ],
)
def test_status_and_dates_of_each_regulation(
    pid: str, status: str, in_force_from: date | None, adopted_on: date | None
) -> None:
    meta = load(pid).meta
    assert (meta.status, meta.in_force_from, meta.adopted_on) == (status, in_force_from, adopted_on)


def test_nanjing_56_dishonest_information_1_year_general_3_years_severe_from_confirmation() -> None:
    """Nanjing 第五十六条 — every dishonest item, not only penalties."""
    prof = load("nanjing")
    for code, item in prof.catalog.items.items():
        if item.class_.value != "dishonest":
            continue
        general, severe = prof.item_period(code, "general"), prof.item_period(code, "severe")
        assert general is not None and severe is not None
        assert (general.starts, general.values[0].max) == ("confirmed_on", _dur(1, "year")), code
        assert (severe.starts, severe.values[0].max) == ("confirmed_on", _dur(3, "year")), code
    assert prof.disclosure.at_expiry == "stop"


def test_shenzhen_31_five_years_at_most_with_a_provider_set_minimum() -> None:
    """Shenzhen 第三十一条 — ≤5 years from 信息生成之日 (read as decided_on); provider-set minimum."""
    prof = load("shenzhen")
    period = prof.item_period("admin_penalty", "severe")
    assert period is not None and period.starts == "decided_on"
    assert (period.values[0].max, period.values[0].min) == (_dur(5, "year"), "provider_set")
    litigation = prof.item_period("litigation", None)
    assert litigation is not None and (litigation.values[0].max, litigation.values[0].min) == (
        _dur(5, "year"),
        None,
    )
    assert prof.item_period("registration", None).values[0].max == "valid_until"  # 第三十一条第一款第一项
    assert prof.disclosure.at_expiry == "stop"


def test_henan_19_five_years_then_archive_good_information_long_term() -> None:
    """Henan 第十九条 — ≤5 years, start silent (decided_on, inferred); 守信信息 长期公示; then archive."""
    prof = load("henan")
    assert prof.item_period("admin_penalty", "general").values[0].max == _dur(5, "year")
    assert prof.item_period("commendation", None).values[0].max == "unlimited"
    assert "(inferred)" in (prof.disclosure.periods["dishonest"].note or "")
    assert prof.disclosure.at_expiry == "archive"


def test_jiangsu_41_defers_to_national_rules_two_tiers_left_to_the_operator() -> None:
    """Jiangsu 第四十一条 — 公示 and 保存 periods follow national rules; nothing is borrowed."""
    prof = load("jiangsu")
    row = prof.item_period("admin_penalty", "general").values[0]
    assert (row.max, row.retention, row.min) == ("unlimited", "unlimited", None)
    assert "operator" in (prof.disclosure.periods["dishonest_national"].note or "")
    assert prof.disclosure.at_expiry == "stop"


def test_jilin_19_penalty_periods_from_effect_and_deletion_at_expiry() -> None:
    """Jilin 第十九条 — general 3 months–1 year, severe 6 months–3 years, deleted at the end."""
    prof = load("jilin")
    general, severe = (
        prof.item_period("admin_penalty", "general"),
        prof.item_period("admin_penalty", "severe"),
    )
    assert (general.starts, general.values[0].min, general.values[0].max) == (
        "effective_on",
        _dur(3, "month"),
        _dur(1, "year"),
    )
    assert (severe.starts, severe.values[0].min, severe.values[0].max) == (
        "effective_on",
        _dur(6, "month"),
        _dur(3, "year"),
    )
    assert prof.disclosure.at_expiry == "delete"


@pytest.mark.parametrize(
    ("pid", "public_for_natural_persons"),
    [
        ("jiangsu", {"admin_license", "admin_penalty"}),  # Jiangsu 第四十条第二款: by law, desensitised
        ("shenzhen", set()),
        ("nanjing", set()),
        ("jilin", set()),  # Jilin 第十八条第三款: natural persons not public in principle
        ("henan", set()),
    ],
)
def test_who_is_public(pid: str, public_for_natural_persons: set[str]) -> None:
    prof = load(pid)
    assert prof.disclosure.mask_natural_persons is True
    natural = {c for c in prof.catalog.items if "natural_person" in prof.item_scope(c, "public")}
    assert natural == public_for_natural_persons
    assert "legal_person" in prof.item_scope("admin_penalty", "public")


def test_shenzhen_50_evaluation_results_are_for_government_only() -> None:
    prof = load("shenzhen")
    assert prof.item("evaluation").class_.value == "other"
    assert prof.item_scope("evaluation", "public") == []
    assert prof.item_scope("evaluation", "authorized") == []
    assert "legal_person" in prof.item_scope("evaluation", "government")


@pytest.mark.parametrize(
    ("pid", "code", "klass"),
    [
        ("nanjing", "interview_record", "other"),  # Nanjing 第二十四条第二项
        ("jilin", "interview_record", "dishonest"),  # Jilin 第十三条第十二项
        ("nanjing", "commitment", "other"),  # Nanjing 第二十四条第一项
        ("nanjing", "drunk_driving", "dishonest"),  # Nanjing 第二十三条第二款第一项
        ("shenzhen", "litigation", "other"),  # Shenzhen 第三十一条
        ("henan", "commendation", "good"),  # Henan 第十二条第四项
        ("jiangsu", "commendation", "other"),  # Jiangsu 第四条 has no good class (inferred)
    ],
)
def test_the_same_facts_are_classed_per_profile(pid: str, code: str, klass: str) -> None:
    assert load(pid).item(code).class_.value == klass


def test_nanjing_23_natural_person_items() -> None:
    prof = load("nanjing")
    for code in (
        "drunk_driving",
        "dangerous_dog",
        "medical_disorder",
        "fare_evasion",
        "pyramid_selling",
        "benefit_fraud",
        "academic_misconduct",
        "exam_cheating",
        "honor_fraud",
    ):
        item = prof.item(code)
        assert item is not None and item.class_.value == "dishonest", code
        assert item.cite.startswith("南京 第二十三条第二款"), code


def test_shenzhen_18_closed_list_of_eleven_and_jiangsu_36_closed_list_of_six() -> None:
    shenzhen, jiangsu = load("shenzhen"), load("jiangsu")
    assert (
        shenzhen.catalog.local_dishonest_grounds.rule,
        len(shenzhen.catalog.local_dishonest_grounds.allowed),
    ) == ("closed", 11)
    assert jiangsu.catalog.local_dishonest_grounds.allowed == [
        "penalty_coercion_adjudication",
        "commitment",
        "false_materials",
        "professional_integrity",
        "legal_documents",
        "local_regulation",
    ]
    for pid in ("nanjing", "jilin", "henan"):
        assert load(pid).catalog.local_dishonest_grounds.rule == "open"


@pytest.mark.parametrize(
    ("pid", "keys", "consent", "exempt", "desensitise"),
    [
        ("jiangsu", 6, "written_consent", ["public"], False),  # Jiangsu 第六十二条第二款
        ("shenzhen", 7, "notice_only", [], True),  # Shenzhen 第二十三条第二款, home address included
        ("nanjing", 6, "written_agreement", [], False),  # Nanjing 第二十九条第二款
        ("jilin", 4, "written_consent", [], False),  # Jilin 第十六条第三款: no real estate, no tax amount
        ("henan", 6, "written_consent", ["public"], False),  # Henan 第四十五条第二款: market providers only
    ],
)
def test_prohibited_and_sensitive_data(
    pid: str, keys: int, consent: str, exempt: list[str], desensitise: bool
) -> None:
    intake = load(pid).intake
    assert intake.prohibited == PROHIBITED
    sensitive = intake.sensitive
    assert len(sensitive.keys) == keys and set(sensitive.keys) <= SENSITIVE_VOCABULARY
    assert (sensitive.consent, sensitive.exempt_sources, sensitive.desensitise_when_used) == (
        consent,
        exempt,
        desensitise,
    )
    assert ("home_address" in sensitive.keys) is (pid == "shenzhen")


@pytest.mark.parametrize(
    ("pid", "kinds", "cite"),
    [
        ("henan", ["natural_person"], "河南 第十三条第三款"),  # simple-procedure penalties on natural persons
        ("shenzhen", None, "深圳 第十八条第一款第一项"),  # general procedure only (inferred)
        ("jilin", None, "吉林 第十三条第一项"),
    ],
)
def test_simple_procedure_penalties_are_not_reportable(pid: str, kinds: list[str] | None, cite: str) -> None:
    exclusion = load(pid).intake.exclusions[0]
    assert (
        exclusion.item,
        exclusion.procedure,
        exclusion.subject_kinds,
        exclusion.effect,
        exclusion.cite,
    ) == ("admin_penalty", "simple", kinds, "not_reportable", cite)


def test_henan_minor_remedied_penalties_on_natural_persons_are_not_reportable() -> None:
    """Henan 第十三条第三款: minor violations whose harm the person actively eliminated are not reported."""
    second = load("henan").intake.exclusions[1]
    assert (second.item, second.subject_kinds, second.procedure, second.condition, second.cite) == (
        "admin_penalty",
        ["natural_person"],
        None,
        "minor_remedied",
        "河南 第十三条第三款",
    )


def test_jiangsu_real_estate_and_tax_go_only_to_the_subject_and_authorised() -> None:
    """Jiangsu 第六十二条第三款."""
    (rule,) = load("jiangsu").intake.restricted
    assert (rule.keys, rule.channels) == (["real_estate", "tax_amount"], ["self", "authorized"])


@pytest.mark.parametrize("pid", ["jiangsu", "nanjing"])
def test_no_exclusion_where_the_text_has_none(pid: str) -> None:
    assert load(pid).intake.exclusions == []


@pytest.mark.parametrize(
    ("pid", "retention", "cite"),
    [
        ("jiangsu", "unspecified", "江苏 第三十九条第三款"),
        ("shenzhen", _dur(5, "year"), "深圳 第三十条"),
        ("nanjing", "long_term", "南京 第五十二条第二项"),
        ("jilin", _dur(3, "year"), "吉林 第二十条"),
        ("henan", "unspecified", "河南 第三十九条第一款"),
    ],
)
def test_query_log_retention(pid: str, retention: Any, cite: str) -> None:
    log = load(pid).query_log
    assert (log.retention, log.starts, log.cite) == (retention, "query_date", cite)


@pytest.mark.parametrize(
    ("pid", "effect", "provider", "platform", "cite"),
    [
        ("jiangsu", "revoke_or_change", _dur(5, "working_day"), _dur(2, "working_day"), "江苏 第六十五条"),
        ("shenzhen", "delete", "promptly", _dur(3, "working_day"), "深圳 第三十六条"),
        ("nanjing", "revoke", "promptly", _dur(3, "working_day"), "南京 第五十九条"),
        ("henan", "revoke", "promptly", _dur(1, "working_day"), "河南 第四十二条"),
        ("jilin", "revoke", "unspecified", "unspecified", None),  # Jilin is silent
    ],
)
def test_revoked_decisions(pid: str, effect: str, provider: Any, platform: Any, cite: str | None) -> None:
    rev = load(pid).revocation
    assert (rev.effect, rev.provider_notice, rev.platform_action) == (effect, provider, platform)
    if cite is not None:
        assert rev.cite == cite


@pytest.mark.parametrize(
    ("pid", "cite"),
    [("jiangsu", "江苏 第六十一条第二项"), ("shenzhen", "深圳 第二十四条第二款")],
)
def test_lifetime_authorization_is_refused_by_text(pid: str, cite: str) -> None:
    auth = load(pid).authorization
    assert (auth.lifetime, auth.max_term, auth.cite) == ("refused", None, cite)


@pytest.mark.parametrize("pid", ["nanjing", "jilin", "henan"])
def test_lifetime_authorization_is_refused_by_the_engine_where_the_text_is_silent(pid: str) -> None:
    auth = load(pid).authorization
    assert (auth.lifetime, auth.max_term) == ("refused", None)
    assert "engine" in (auth.note or "")


def test_subject_fallback_identifiers() -> None:
    """R-SUB-03: Shenzhen 第十七条 names no document besides 个人身份证件号码; the others allow one."""
    assert load("shenzhen").subjects.natural_person_fallback_ids == []
    for pid in ("jiangsu", "nanjing", "jilin", "henan"):
        assert load(pid).subjects.natural_person_fallback_ids, pid


# --------------------------------------------------------------------------- broken files


BROKEN_CASES = {
    "unknown_key": "meta.colour: unknown key",
    "wrong_type": "meta.title: Input should be a valid string",
    "bad_date": "meta.in_force_from: Input should be a valid date or datetime, "
    "day value is outside expected range",
    "missing_period": "(top): Value error, catalog.items.admin_penalty.period: "
    "no period 'penalty_severe' in [disclosure.periods]",
    "ground_not_permitted": "(top): Value error, catalog.items.drunk_driving: "
    "ground 'gossip' is not permitted (测试 第五条)",
    "since_out_of_order": "disclosure.periods.penalty.values: Value error, "
    "`since` dates must be strictly increasing",
    "since_on_first_row": "disclosure.periods.penalty.values: Value error, "
    "the first row has no `since`: it starts with the regulation",
    "id_mismatch": "meta.id 'testland' must equal the file name",
}
# TOML syntax errors name the line (tomllib does not give the key; see docs/profiles.md)
BROKEN_SYNTAX = {
    "duplicate_key": 'Cannot overwrite a value (at line 14, column 15): title = "另一条例"',
    "bad_date_literal": "Invalid date or datetime (at line 9, column 17): in_force_from = 2022-02-30",
}


def test_every_broken_fixture_has_an_expected_message() -> None:
    assert {p.stem for p in BROKEN.glob("*.toml")} == set(BROKEN_CASES) | set(BROKEN_SYNTAX)


@pytest.mark.parametrize("stem", sorted(BROKEN_CASES | BROKEN_SYNTAX))
def test_a_broken_file_is_refused_naming_the_file_and_the_key(stem: str) -> None:
    path = BROKEN / f"{stem}.toml"
    with pytest.raises(XinyongError) as caught:
        profiles.load_file(path)
    err = caught.value
    assert err.code == "invalid_profile"
    assert err.detail == f"{path}: {(BROKEN_CASES | BROKEN_SYNTAX)[stem]}"
    assert str(path) in str(err)


def test_the_broken_fixtures_share_a_valid_base(tmp_path: Path) -> None:
    """id_mismatch.toml under its own id is a valid profile: each other fixture breaks exactly one thing."""
    copy = tmp_path / "testland.toml"
    shutil.copy(BROKEN / "id_mismatch.toml", copy)
    assert profiles.load_file(copy).id == "testland"


def test_a_broken_file_in_the_profile_dir_stops_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(BROKEN / "unknown_key.toml", tmp_path / "unknown_key.toml")
    monkeypatch.setenv("XINYONG_PROFILE_DIR", str(tmp_path))
    with pytest.raises(XinyongError) as caught:
        profiles.get("jilin")
    assert caught.value.detail == f"{tmp_path / 'unknown_key.toml'}: meta.colour: unknown key"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XinyongError) as caught:
        profiles.load_file(tmp_path / "nowhere.toml")
    assert (caught.value.code, caught.value.detail) == (
        "invalid_profile",
        f"{tmp_path / 'nowhere.toml'}: file not found",
    )


# --------------------------------------------------------------------------- a sixth jurisdiction


def test_an_operator_adds_a_sixth_jurisdiction_without_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (PROFILE_DIR / "henan.toml").read_text(encoding="utf-8")
    assert text.count('id = "henan"') == 1
    (tmp_path / "sixth.toml").write_text(text.replace('id = "henan"', 'id = "sixth"'), encoding="utf-8")
    monkeypatch.setenv("XINYONG_PROFILE_DIR", str(tmp_path))
    profiles._registry.cache_clear()
    sixth = profiles.get("sixth")
    assert sixth.id == "sixth"
    assert sixth.revocation.platform_action == _dur(1, "working_day")
    assert sorted(profiles.all_profiles()) == sorted((*IDS, "sixth"))


def test_an_unknown_profile_is_refused_with_the_known_ones() -> None:
    with pytest.raises(XinyongError) as caught:
        profiles.get("atlantis")
    assert caught.value.code == "unknown_profile"
    assert caught.value.detail == "'atlantis'; known: henan, jiangsu, jilin, nanjing, shenzhen"


# ------------------------------------------------------------------ engine code names no jurisdiction


NAMES = re.compile("|".join([*IDS, "江苏", "深圳", "南京", "吉林", "河南"]), re.IGNORECASE)
# An example in help text ("profile id, e.g. jiangsu") names no rule.
HELP_EXAMPLE = re.compile(r"e\.g\. (" + "|".join(IDS) + r")\b")
# Modules that are not engine code: they generate demo and benchmark data for the seed jurisdictions.
DOC_ARGUMENTS = {"description", "examples", "help", "summary"}
NOT_ENGINE = {
    "synth.py": "synthetic subjects per seed jurisdiction (real GB/T 2260 divisions), demo and bench only",
    "demo.py": "the demo server opens on a seed profile",
}


def _code_words(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Identifiers and string constants of a module; docstrings and documentation arguments
    (`description=`, `examples=`, `help=`) excluded — they name examples, not rules."""
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg in DOC_ARGUMENTS:
            docstrings.update(id(n) for n in ast.walk(node.value) if isinstance(n, ast.Constant))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.lineno, node.name
        elif isinstance(node, ast.arg):
            yield node.lineno, node.arg
        elif isinstance(node, ast.alias):
            yield getattr(node, "lineno", 0), node.name


def test_engine_code_names_no_jurisdiction() -> None:
    """DESIGN principle 1: jurisdictions live in src/xinyong/profiles/, never in engine code.

    Comments and docstrings may cite an article ("Henan 第四十一条"); code may not branch on a name.
    """
    offending = []
    for path in sorted(SRC.rglob("*.py")):
        if PROFILE_DIR in path.parents or path.relative_to(SRC).as_posix() in NOT_ENGINE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offending += [
            f"{path.relative_to(REPO)}:{line}: {word!r}"
            for line, word in _code_words(tree)
            if NAMES.search(HELP_EXAMPLE.sub("", word))
        ]
    assert offending == []


def test_the_engine_name_check_catches_a_branch() -> None:
    tree = ast.parse(
        '"""Henan 第四十一条 in a docstring is fine."""\nif profile.id == "nanjing":\n    pass\n'
    )
    assert [word for _, word in _code_words(tree) if NAMES.search(HELP_EXAMPLE.sub("", word))] == ["nanjing"]
    tree = ast.parse('CITY = {"x": "南京市"}\nhelp = "profile id, e.g. jilin"\n')
    assert [word for _, word in _code_words(tree) if NAMES.search(HELP_EXAMPLE.sub("", word))] == ["南京市"]
