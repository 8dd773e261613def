"""The packaged measures files: every measure the seeds enumerate, beside its article; strict loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.core import profile as profiles
from xinyong.core.errors import XinyongError
from xinyong.measures import loader
from xinyong.measures.schema import MATTERS

BROKEN = Path(__file__).parent / "broken"

# Article -> the measure codes the packaged file must ship for it (one per 项 the article enumerates).
ENUMERATED = {
    "jiangsu": {"第四十四条": 6, "第四十六条": 9},
    "shenzhen": {"第四十九条第一款": 6, "第四十九条第二款": 6, "第五十二条": 1},
    "nanjing": {"第三十五条": 8, "第三十六条": 2, "第三十九条": 7, "第四十一条": 6},
    "jilin": {"第二十五条": 10, "第二十六条": 8, "第二十七条": 14},
    "henan": {"第三十条": 8, "第三十二条": 7, "第三十四条": 9},
}


@pytest.mark.parametrize("pid", sorted(ENUMERATED))
def test_every_enumerated_measure_ships_beside_its_article(pid: str) -> None:
    """Jiangsu 第四十四条/第四十六条, Shenzhen 第四十九条/第五十二条, Nanjing 第三十五条/第三十九条/
    第四十一条, Jilin 第二十五条–第二十七条, Henan 第三十条/第三十二条/第三十四条:
    each 项 is an entry citing it."""
    doc = loader.base(pid)
    short = profiles.get(pid).meta.short
    for article, count in ENUMERATED[pid].items():
        cited = [c for c, m in doc.measures.items() if m.cite.startswith(f"{short} {article}")]
        assert len(cited) == count, (article, cited)
    for code, m in doc.measures.items():
        assert m.cite.startswith(short), code
        assert set(m.matters) <= set(MATTERS)
        assert m.implementing_units and m.means


@pytest.mark.parametrize("pid", sorted(ENUMERATED))
def test_base_file_sets_the_guards_with_articles(pid: str) -> None:
    guards = loader.base(pid).guards
    assert guards is not None
    assert guards.relevance.cite and guards.third_party.cite and guards.only_listed_measures.cite


def test_henan_27_unconfirmed_utility_arrears_never_a_basis_is_in_the_file() -> None:
    """Henan 第二十七条第二款."""
    guards = loader.base("henan").guards
    assert guards is not None
    rule = next(b for b in guards.excluded_bases if b.item == "utility_arrears")
    assert rule.unless_data == "confirmed" and rule.cite == "河南 第二十七条第二款"


def test_guard_settings_per_profile() -> None:
    """Nanjing 第十六条第三款 (score), 第三十四条 (written reason), 第四十三条 (responsible persons);
    Shenzhen 第五十二条 (disclosure validity); Jiangsu 第四十六条 (local range)."""
    nj = loader.base("nanjing").guards
    sz = loader.base("shenzhen").guards
    js = loader.base("jiangsu").guards
    assert nj and sz and js
    assert (
        nj.no_score_sanction_natural_persons
        and nj.no_score_sanction_natural_persons.cite == "南京 第十六条第三款"
    )
    assert nj.reason_required_when_not_applied and "第三十四条" in nj.reason_required_when_not_applied.cite
    assert nj.responsible_persons and nj.responsible_persons.cite == "南京 第四十三条"
    assert sz.disclosure_validity_only and "第五十二条" in sz.disclosure_validity_only.cite
    assert js.local_sanctions_within_base and js.responsible_persons is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("unknown_key.toml", "measures.NJL-01.colour: unknown key"),
        ("unknown_matter.toml", "measures.NJL-01.matters.0"),
        ("sanction_on_red_list.toml", "a sanction is never for the red list"),
    ],
)
def test_broken_file_names_file_and_key(name: str, words: str) -> None:
    with pytest.raises(XinyongError) as err:
        loader.read_file(BROKEN / name)
    assert err.value.code == "invalid_file"
    assert name in (err.value.detail or "") and words in (err.value.detail or "")


def test_local_list_may_not_change_guards() -> None:
    text = (BROKEN / "unknown_key.toml").read_text(encoding="utf-8").replace('colour = "red"\n', "")
    text = text.replace("[measures.NJL-01]", '[guards]\nrelevance = { cite = "x" }\n\n[measures.NJL-01]')
    with pytest.raises(XinyongError) as err:
        loader.parse(text, "local.toml")
    assert "guards" in (err.value.detail or "")
