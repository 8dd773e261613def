"""Pure listing rules: grounds, the stage machine, validity, state when read, visibility, documents."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.core.errors import XinyongError
from xinyong.lists import rules
from xinyong.lists.rules import Action, ListingFacts, State

from .helpers import at, lists_section


def spec(pid: str, name: str):  # type: ignore[no-untyped-def]
    found = lists_section(pid).get(name)
    assert found is not None
    return found


def facts(**over: object) -> ListingFacts:
    values: dict[str, object] = {
        "id": 1,
        "list": "key_attention",
        "subject_id": 7,
        "ground": "minor_first",
        "state": State.listed,
        "determining_body": "南京市市场监督管理局",
        "basis_record_ids": (11,),
        "notice_kind": "warning",
        "notified_at": at("2026-03-26"),
        "decided_at": at("2026-03-31"),
        "valid_until": date(2026, 6, 30),
    }
    values.update(over)
    return ListingFacts(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- grounds


def test_closed_grounds_cite_their_item() -> None:
    """Nanjing 第四十条第一款第五项: desecrating heroes is a Nanjing ground."""
    assert (
        rules.check_ground(spec("nanjing", "severe"), "severe", "heroes_dignity")
        == "南京 第四十条第一款第五项"
    )


def test_ground_outside_the_closed_list_is_refused() -> None:
    """Jiangsu 第二十九条: three grounds (plus national lists) only."""
    with pytest.raises(XinyongError) as exc:
        rules.check_ground(spec("jiangsu", "severe"), "severe", "court_defaulter")
    assert exc.value.code == "ground_not_permitted" and exc.value.cite == "江苏 第二十九条"


def test_open_grounds_take_any_code_of_the_list() -> None:
    """Jilin 第二十三条: criteria left to departments."""
    s = spec("jilin", "severe")
    assert rules.check_ground(s, "severe", "health_safety") == s.grounds.cite
    with pytest.raises(XinyongError) as exc:
        rules.check_ground(s, "severe", "honest_model")  # a red ground, never a severe one
    assert exc.value.code == "ground_not_permitted"


def test_unknown_list_is_refused() -> None:
    from .helpers import profile

    with pytest.raises(XinyongError) as exc:
        rules.spec_of(profile("jiangsu"), "key_attention")
    assert exc.value.code == "unknown_list"


# --------------------------------------------------------------------------- stage machine


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (State.proposed, Action.notify, State.notified),
        (State.notified, Action.decide, State.listed),
        (State.listed, Action.remove, State.removed),
        (State.notified, Action.object, State.notified),
        (State.proposed, Action.remove, State.removed),
    ],
)
def test_allowed_moves(state: State, action: Action, expected: State) -> None:
    assert rules.next_state(state, action) is expected


@pytest.mark.parametrize(
    ("state", "action", "code"),
    [
        (State.proposed, Action.decide, "not_eligible"),  # SCENARIOS.md: deciding before the notice
        (State.listed, Action.decide, "wrong_stage"),  # never applied twice
        (State.removed, Action.decide, "wrong_stage"),
        (State.notified, Action.notify, "wrong_stage"),
        (State.listed, Action.notify, "wrong_stage"),
        (State.removed, Action.remove, "wrong_stage"),
        (State.notified, Action.resolve_objection, "wrong_stage"),  # no objection open
    ],
)
def test_refused_moves(state: State, action: Action, code: str) -> None:
    with pytest.raises(XinyongError) as exc:
        rules.next_state(state, action)
    assert exc.value.code == code


def test_decision_waits_for_open_objections() -> None:
    with pytest.raises(XinyongError) as exc:
        rules.next_state(State.notified, Action.decide, objections_open=1)
    assert exc.value.code == "not_eligible"


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize(
    ("listed", "last"),
    [
        (date(2026, 3, 31), date(2026, 6, 30)),  # no 31 June: the month's last day (民法典 第二百零二条)
        (date(2025, 11, 30), date(2026, 2, 28)),
        (date(2027, 11, 29), date(2028, 2, 29)),  # leap year
        (date(2026, 1, 15), date(2026, 4, 15)),
    ],
)
def test_key_attention_lasts_three_months(listed: date, last: date) -> None:
    """Nanjing 第三十七条第四款: 重点关注名单的有效期为三个月."""
    assert rules.valid_until(spec("nanjing", "key_attention"), listed, None) == last


def test_profile_period_cannot_be_overridden() -> None:
    with pytest.raises(XinyongError) as exc:
        rules.valid_until(spec("nanjing", "key_attention"), date(2026, 3, 31), date(2026, 12, 31))
    assert exc.value.code == "not_eligible" and exc.value.cite == "南京 第三十七条第四款"


def test_decision_set_validity() -> None:
    """Henan 第三十七条第二款: the determining body sets it; none = until removed."""
    s = spec("henan", "severe")
    assert rules.valid_until(s, date(2026, 4, 20), date(2027, 4, 19)) == date(2027, 4, 19)
    assert rules.valid_until(s, date(2026, 4, 20), None) is None
    with pytest.raises(XinyongError) as exc:
        rules.valid_until(s, date(2026, 4, 20), date(2026, 4, 19))
    assert exc.value.code == "invalid_date"


def test_until_removed_refuses_a_date() -> None:
    with pytest.raises(XinyongError) as exc:
        rules.valid_until(spec("jilin", "severe"), date(2026, 4, 20), date(2027, 4, 19))
    assert exc.value.code == "not_eligible"


def test_basis_disclosure_validity() -> None:
    """Shenzhen 第五十二条: 在信息披露有效期内 — the latest basis record's last public day."""
    s = spec("shenzhen", "severe")
    assert rules.valid_until(s, date(2026, 3, 20), None, [date(2031, 3, 2), date(2030, 1, 1)]) == date(
        2031, 3, 2
    )
    assert rules.valid_until(s, date(2026, 3, 20), None, [date(2031, 3, 2), None]) is None


# --------------------------------------------------------------------------- state when read


def test_expiry_is_computed_on_read() -> None:
    f = facts()
    assert rules.state_at(f, at("2026-06-30", 23)).state is State.listed
    after = rules.state_at(f, at("2026-07-01", 0))
    assert after.state is State.expired and after.reason == "expiry" and after.ended_on == date(2026, 7, 1)
    assert not rules.is_active(f, at("2026-07-01"))


def test_conversion_day_is_the_first_new_dishonest_act_in_the_period() -> None:
    """Nanjing 第三十七条第四款: 发生失信行为的，应当转为失信主体."""
    s = spec("nanjing", "key_attention")
    f = facts()
    acts = [(11, date(2026, 4, 1)), (12, date(2026, 3, 31)), (13, date(2026, 7, 1)), (14, date(2026, 5, 11))]
    # 11 is the basis, 12 the listing day itself, 13 after the last day: only 14 counts
    assert rules.conversion_day(s, f, acts) == date(2026, 5, 11)
    assert rules.conversion_day(s, f, [(15, date(2026, 6, 30))]) == date(2026, 6, 30)
    assert (
        rules.conversion_day(spec("nanjing", "severe"), f, acts) is None
    )  # the severe list does not convert
    converted = rules.state_at(f, at("2026-05-11"), converted_on=date(2026, 5, 11))
    assert converted.state is State.removed and converted.reason == "conversion"
    assert rules.state_at(f, at("2026-05-10"), converted_on=date(2026, 5, 11)).state is State.listed


def test_not_active_before_the_decision_instant() -> None:
    f = facts(decided_at=at("2026-03-31", 15))
    assert not rules.is_active(f, at("2026-03-31", 14))
    assert rules.is_active(f, at("2026-03-31", 16))


# --------------------------------------------------------------------------- visibility


def test_public_sees_published_lists_only() -> None:
    now = at("2026-04-01")
    nanjing_severe = facts(list="severe", valid_until=None, notice_kind="prior_notice")
    assert rules.visible(spec("nanjing", "severe"), nanjing_severe, now, "public")  # 第四十条: 向社会公布
    assert not rules.visible(spec("jiangsu", "severe"), nanjing_severe, now, "public")  # shared, not public
    assert rules.visible(spec("jiangsu", "severe"), nanjing_severe, now, "government")
    assert not rules.visible(spec("nanjing", "key_attention"), facts(), now, "public")


def test_public_notice_is_public_while_it_runs() -> None:
    """Jilin 第二十四条第二款: red-list candidates 应当予以公示."""
    s = spec("jilin", "red")
    candidate = facts(
        list="red", state=State.notified, notice_kind="public_notice", decided_at=None, valid_until=None
    )
    assert rules.visible(s, candidate, at("2026-06-03"), "public")
    assert not rules.visible(s, candidate, at("2026-06-03"), "government")  # nothing decided yet
    proposed = facts(list="red", state=State.proposed, notice_kind=None, decided_at=None, valid_until=None)
    assert not rules.visible(s, proposed, at("2026-06-03"), "public")


def test_self_and_provider() -> None:
    f = facts(state=State.proposed, decided_at=None)
    s = spec("nanjing", "key_attention")
    assert rules.visible(s, f, at("2026-04-01"), "self", viewer_subject_id=7)
    assert not rules.visible(s, f, at("2026-04-01"), "self", viewer_subject_id=8)
    assert rules.visible(s, f, at("2026-04-01"), "provider", viewer_unit="南京市市场监督管理局")
    assert not rules.visible(s, f, at("2026-04-01"), "provider", viewer_unit="南京市税务局")


# --------------------------------------------------------------------------- documents


def test_prior_notice_states_reasons_basis_measures_and_rights() -> None:
    """Jiangsu 第三十一条第一款: 事由和依据、失信惩戒措施提示、当事人依法享有的权利."""
    s = spec("jiangsu", "severe")
    notice = rules.notice_contents(
        s,
        "severe",
        subject_name="南京某某食品有限公司",
        ground="health_safety",
        ground_cite="江苏 第二十九条第二款第一项",
        basis=[{"id": 3, "document": "苏市监罚〔2026〕8号"}],
        determining_body="江苏省市场监督管理局",
        served_on=date(2026, 4, 3),
        objection_until=None,
    )
    assert set(notice["contents"]) == {"reasons", "basis", "measures", "rights"}
    assert "严重危害人民群众身体健康和生命安全" in notice["contents"]["reasons"]["zh"]
    assert notice["contents"]["basis"]["records"] == [{"id": 3, "document": "苏市监罚〔2026〕8号"}]
    assert notice["kind"] == "prior_notice" and notice["cite"] == "江苏 第三十一条第一款"


def test_decision_document_contents() -> None:
    """Jiangsu 第三十一条第二款: 事由和依据、失信惩戒措施提示、移出条件和程序、救济措施."""
    s = spec("jiangsu", "severe")
    doc = rules.decision_contents(
        s,
        "severe",
        subject_name="南京某某食品有限公司",
        ground="health_safety",
        ground_cite="江苏 第二十九条第二款第一项",
        basis=[{"id": 3, "document": "苏市监罚〔2026〕8号"}],
        determining_body="江苏省市场监督管理局",
        decided_on=date(2026, 4, 20),
        last_day=None,
    )
    assert set(doc["contents"]) == {
        "reasons",
        "basis",
        "validity",
        "measures",
        "removal_conditions",
        "removal_procedure",
        "remedies",
    }
    assert doc["document"] is True and doc["served"] is True
    assert doc["contents"]["validity"]["valid_until"] is None


def test_written_prior_notice_henan() -> None:
    """Henan 第二十八条第三款: 书面…依据、理由、惩戒措施，异议申请的权利."""
    s = spec("henan", "severe")
    assert s.notice.form == "written"
    assert set(s.notice.contents) == {"basis", "reasons", "measures", "objection_right"}


def test_removal_announcement_only_where_the_text_has_one() -> None:
    kw = {
        "subject_name": "郑州某某",
        "determining_body": "郑州市市场监督管理局",
        "removed_on": date(2027, 6, 1),
    }
    a = rules.removal_announcement(spec("henan", "severe"), "severe", reason="repair", **kw)  # type: ignore[arg-type]
    assert a is not None and a["cite"] == "河南 第三十七条第三款" and a["channel"] == "public"
    assert rules.removal_announcement(spec("henan", "red"), "red", reason="repair", **kw) is None  # type: ignore[arg-type]
