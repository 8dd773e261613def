"""The pure check rules: which measures apply, and every guard with the article it rests on."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from xinyong.checks import rules
from xinyong.checks.standing import ListingFact, Standing
from xinyong.core.clock import SHANGHAI
from xinyong.measures import loader
from xinyong.measures.schema import Measure

DAY = date(2026, 11, 3)
LISTED_AT = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


def measures(pid: str) -> loader.MeasureSet:
    doc = loader.base(pid)
    assert doc.guards is not None
    return loader.MeasureSet(pid, doc.guards, loader._listed(doc), ())


def listing(lst: str, ground: str, basis: tuple[int, ...] = (1,), via: int | None = None) -> ListingFact:
    return ListingFact(7, lst, 100, ground, basis, LISTED_AT, None, via_organization=via)


def standing(kind: str = "legal_person", **kw: object) -> Standing:
    base: dict[str, object] = {
        "subject_id": 100,
        "kind": kind,
        "listings": (),
        "dishonest_record_ids": (),
        "severe_record_ids": (),
        "good_record_ids": (),
    }
    base.update(kw)
    return Standing(**base)  # type: ignore[arg-type]


def codes(outcome: rules.Outcome) -> set[str]:
    return {a.code for a in outcome.measures}


def test_jilin_27_severe_list_restricts_government_procurement() -> None:
    """Jilin 第二十七条第一款第八项: a severe-listed subject is restricted in government procurement."""
    s = standing(
        listings=(listing("severe", "health_safety"),), dishonest_record_ids=(1,), items={1: "admin_penalty"}
    )
    out = rules.evaluate(s, "government_procurement", measures("jilin"), DAY)
    assert "JL27-08" in codes(out) and out.restricted and not out.incentive
    hit = next(a for a in out.measures if a.code == "JL27-08")
    assert hit.measure.measure.cite == "吉林 第二十七条第一款第八项"
    assert hit.triggers[0].list == "severe" and hit.triggers[0].record_ids == (1,)


def test_relevance_high_consumption_only_for_related_grounds() -> None:
    """Jilin 第二十六条/第二十七条 (就相关联的事项): a health-safety listing does not restrict
    high consumption;
    a court-defaulter listing does."""
    s = standing(listings=(listing("severe", "health_safety"),))
    out = rules.evaluate(s, "high_consumption", measures("jilin"), DAY)
    assert not out.restricted
    assert [(g.code, g.guard) for g in out.guarded] == [("JL27-12", "relevance")]
    assert out.guarded[0].cite == "吉林 第二十六条, 第二十七条 (就相关联的事项)"
    s2 = standing(listings=(listing("severe", "court_defaulter"),))
    assert "JL27-12" in codes(rules.evaluate(s2, "high_consumption", measures("jilin"), DAY))


def test_matter_must_be_linked() -> None:
    """Jiangsu 第四十七条: a measure only for the matters it is linked to."""
    s = standing(
        listings=(listing("severe", "market_order"),), dishonest_record_ids=(1,), items={1: "admin_penalty"}
    )
    assert codes(rules.evaluate(s, "exit", measures("jiangsu"), DAY)) == set()
    assert codes(rules.evaluate(s, "fiscal_subsidy", measures("jiangsu"), DAY)) == {"JS46-03", "JS46-07"}


def test_jiangsu_47_never_a_third_party() -> None:
    """Jiangsu 第四十七条第二款: an organization's listing never sanctions its legal representative."""
    s = standing("natural_person", responsible_listings=(listing("severe", "market_order", via=55),))
    out = rules.evaluate(s, "fiscal_subsidy", measures("jiangsu"), DAY)
    assert not out.restricted
    assert {g.guard for g in out.guarded} == {"third_party"}
    assert all(g.cite == "江苏 第四十七条第二款" for g in out.guarded)


def test_nanjing_43_responsible_person_only_for_measures_the_file_extends() -> None:
    """Nanjing 第四十三条: the responsible person of a severe-listed organization gets the measures the list
    extends to responsible persons (high consumption), citing 第四十三条; market entry
    stays the organization's."""
    s = standing("natural_person", responsible_listings=(listing("severe", "court_defaulter", via=55),))
    ms = measures("nanjing")
    hc = rules.evaluate(s, "high_consumption", ms, DAY)
    assert codes(hc) == {"NJ41-04b"} and hc.measures[0].cites == ("南京 第四十三条",)
    assert hc.measures[0].triggers[0].via_organization == 55
    entry = rules.evaluate(s, "market_entry", ms, DAY)
    assert not entry.restricted and {g.guard for g in entry.guarded} == {"third_party"}


def test_nanjing_38_39_41_general_and_severe_tiers() -> None:
    """Nanjing 第三十八条: a general dishonest subject gets 第三十九条 measures; a severe-listed one is not
    general dishonest and gets 第四十一条 measures."""
    ms = measures("nanjing")
    general = standing(dishonest_record_ids=(1,), items={1: "admin_penalty"})
    assert codes(rules.evaluate(general, "inspection", ms, DAY)) == {"NJ39-01"}
    assert codes(rules.evaluate(general, "market_entry", ms, DAY)) == set()
    severe = dataclasses.replace(general, listings=(listing("severe", "market_order"),))
    assert codes(rules.evaluate(severe, "inspection", ms, DAY)) == set()
    assert codes(rules.evaluate(severe, "market_entry", ms, DAY)) == {"NJ41-01", "NJ41-02"}


def test_nanjing_35_37_key_attention_exempt_and_no_incentive() -> None:
    """Nanjing 第三十七条: exempt from punishment (no 第三十九条 measure); but 第三十五条 incentives need no
    dishonest record at all."""
    ms = measures("nanjing")
    exempt = standing(exempt_record_ids=(1,), listings=(listing("key_attention", "minor_first"),))
    out = rules.evaluate(exempt, "inspection", ms, DAY)
    assert not out.restricted and not out.incentive
    clean = standing()
    assert codes(rules.evaluate(clean, "inspection", ms, DAY)) == {"NJ35-04"}


def test_nanjing_16_no_sanction_of_natural_persons_by_score() -> None:
    """Nanjing 第十六条第三款: a grade never sanctions a natural person; an organization may be."""
    ms = measures("nanjing")
    extra = Measure.model_validate(
        {
            "name": "低信用等级重点监管",
            "kind": "sanction",
            "layer": "local",
            "matters": ["inspection", "public_service"],
            "targets": {"evaluations": ["D"], "subject_kinds": ["legal_person", "natural_person"]},
            "means": "重点监管",
            "implementing_units": ["某部门"],
            "cite": "南京 第四十七条",
            "relates_to": {"grounds": "any", "items": "any"},
        }
    )
    listed = loader.ListedMeasure("NJL-EV", extra, "nj-local", "local", "1", date(2026, 1, 1), None)
    ms = dataclasses.replace(ms, measures={**ms.measures, "NJL-EV": listed})
    person = standing("natural_person", evaluations=((9, "D"),))
    out = rules.evaluate(person, "public_service", ms, DAY)
    assert not out.restricted
    assert [(g.code, g.guard, g.cite) for g in out.guarded] == [("NJL-EV", "score", "南京 第十六条第三款")]
    company = standing("legal_person", evaluations=((9, "D"),))
    assert "NJL-EV" in codes(rules.evaluate(company, "public_service", ms, DAY))


def test_excluded_basis_never_triggers() -> None:
    """Henan 第二十七条第二款: a listing resting only on excluded information triggers nothing."""
    s = standing(
        listings=(listing("severe", "market_order", basis=(5,)),), unusable_record_ids=frozenset({5})
    )
    out = rules.evaluate(s, "government_procurement", measures("henan"), DAY)
    assert not out.restricted
    assert {g.guard for g in out.guarded} == {"excluded_basis"}
    assert any("河南 第二十七条第二款" in g.cite for g in out.guarded)


def test_shenzhen_71_pre_plan_information_not_against_the_enterprise_in_licensing() -> None:
    """Shenzhen 第七十一条: pre-plan records are no factor in licensing; still in inspection."""
    s = standing(
        dishonest_record_ids=(1,),
        items={1: "admin_penalty"},
        within_validity=frozenset({1}),
        excluded_matters={1: frozenset({"administrative_license", "public_resource_trading"})},
    )
    ms = measures("shenzhen")
    assert not rules.evaluate(s, "administrative_license", ms, DAY).restricted
    assert codes(rules.evaluate(s, "inspection", ms, DAY)) == {"SZ49-2-4"}


def test_shenzhen_52_only_within_disclosure_validity() -> None:
    """Shenzhen 第五十二条第一款: a listing whose basis left its disclosure period sanctions nothing."""
    s = standing(listings=(listing("severe", "market_order", basis=(3,)),))
    out = rules.evaluate(s, "honors", measures("shenzhen"), DAY)
    assert not out.restricted and {g.guard for g in out.guarded} == {"disclosure_validity"}
    assert "深圳 第五十二条第一款" in out.guarded[0].cite
    valid = dataclasses.replace(s, within_validity=frozenset({3}))
    assert codes(rules.evaluate(valid, "honors", measures("shenzhen"), DAY)) == {"SZ49-2-5"}


def test_henan_30_red_list_incentive_for_fiscal_funds() -> None:
    """Henan 第三十条第二项."""
    s = standing(listings=(listing("red", "honest_model"),), good_record_ids=(1,))
    out = rules.evaluate(s, "fiscal_subsidy", measures("henan"), DAY)
    assert codes(out) == {"HN30-02"} and out.incentive and not out.restricted


def test_never_a_measure_outside_the_lists_nor_a_catch_all() -> None:
    """Nanjing 第四十二条第三款: only entries of the published lists; catch-alls (其他措施) name no matter."""
    ms = measures("jilin")
    s = standing(
        listings=(listing("severe", "court_defaulter"), listing("red", "honest_model")),
        dishonest_record_ids=(1,),
    )
    for matter in ("administrative_license", "exit", "financing", "honors", "market_entry"):
        found = codes(rules.evaluate(s, matter, ms, DAY))
        assert found <= set(ms.measures) and not found & {"JL25-10", "JL26-08", "JL27-14"}


def test_measure_outside_its_term_does_not_apply() -> None:
    """Nanjing 第三十三条第二款 (期限): an entry past its `until` is not applied."""
    ms = measures("henan")
    hn = ms.measures["HN30-02"]
    ended = dataclasses.replace(hn, until=date(2026, 11, 2))
    ms = dataclasses.replace(ms, measures={**ms.measures, "HN30-02": ended})
    s = standing(listings=(listing("red", "honest_model"),))
    assert not rules.evaluate(s, "fiscal_subsidy", ms, DAY).incentive
