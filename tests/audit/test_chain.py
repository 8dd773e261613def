"""The pure hash chain (R-SEC-04: tampering with query logs must leave evidence; Nanjing 第五十三条(二),
Jilin 第四十条(二) name query logs explicitly): canonical content, entry hashes, and a verifier that
names the first broken link."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.audit import chain as hc
from xinyong.audit.chain import GENESIS, EntryContent, VerifyResult, canonical_json, entry_hash, verify

CST = timezone(timedelta(hours=8))


def content(i: int, **over: Any) -> dict[str, Any]:
    base = {
        "chain": "jilin",
        "at": datetime(2026, 3, 2, 9, 0, tzinfo=CST) + timedelta(minutes=i),
        "kind": "query",
        "actor": f"查询员{i}",
        "actor_org": "长春市市场监督管理局",
        "channel": "government",
        "purpose": "行政审批",
        "authorization_id": None,
        "subject_id": "91220101MA14XK7Q0T",
        "record_ids": [f"R{i}", "R0"],
        "action": None,
        "details": {},
    }
    base.update(over)
    return base


def build(contents: list[dict[str, Any]], seqs: list[int], anchor: str = GENESIS) -> list[EntryContent]:
    out, prev = [], anchor
    for seq, c in zip(seqs, contents, strict=True):
        h = entry_hash(prev, c)
        out.append(EntryContent(seq, prev, h, c))
        prev = h
    return out


def head_of(entries: list[EntryContent]) -> tuple[int, str]:
    return (entries[-1].seq, entries[-1].hash) if entries else (0, GENESIS)


# --------------------------------------------------------------------------- canonical form


def test_canonical_json_sorted_compact_utf8_utc() -> None:
    text = canonical_json({"b": [3, 1, 2], "a": "吉林", "at": datetime(2026, 3, 2, 9, 0, tzinfo=CST)})
    assert text == '{"a":"吉林","at":"2026-03-02T01:00:00.000000Z","b":[3,1,2]}'


def test_same_instant_in_any_zone_hashes_the_same() -> None:
    local = content(0, at=datetime(2026, 3, 2, 9, 0, tzinfo=CST))
    utc = content(0, at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    assert entry_hash(GENESIS, local) == entry_hash(GENESIS, utc)


def test_entry_hash_is_sha256_of_prev_hash_and_canonical_json() -> None:
    c = content(1)
    expected = hashlib.sha256((GENESIS + canonical_json(c)).encode("utf-8")).hexdigest()
    assert entry_hash(GENESIS, c) == expected
    assert len(expected) == 64


def test_normalize_dates_tuples_and_keys() -> None:
    assert hc.normalize({1: (date(2026, 3, 2), None, True, 1.5)}) == {"1": ["2026-03-02", None, True, 1.5]}


@pytest.mark.parametrize(
    "bad",
    [datetime(2026, 3, 2, 9, 0), float("nan"), float("inf"), object(), {1, 2}],
    ids=["naive", "nan", "inf", "object", "set"],
)
def test_unstorable_values_are_refused(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        canonical_json({"x": bad})


def test_list_order_counts() -> None:
    assert entry_hash(GENESIS, content(0, record_ids=["R1", "R2"])) != entry_hash(
        GENESIS, content(0, record_ids=["R2", "R1"])
    )


# --------------------------------------------------------------------------- verify: sound chains


def test_sound_chain_verifies() -> None:
    entries = build([content(i) for i in range(5)], [1, 2, 5, 9, 10])  # gaps: other chains' rows
    assert verify(entries, anchor_hash=GENESIS, head=head_of(entries)) == VerifyResult(True, 5)


def test_empty_chain_verifies_against_an_empty_head() -> None:
    assert verify([], anchor_hash=GENESIS, head=(0, GENESIS)) == VerifyResult(True, 0)
    assert verify([], anchor_hash=GENESIS, head=None) == VerifyResult(True, 0)


def test_chain_after_purge_verifies_from_its_anchor() -> None:
    entries = build([content(i) for i in range(6)], [1, 2, 3, 4, 5, 6])
    kept = entries[3:]
    assert verify(kept, anchor_hash=entries[2].hash, anchor_seq=3, head=head_of(entries)).ok
    # the same entries against the genesis anchor: the purge shows as missing entries
    assert verify(kept, anchor_hash=GENESIS, head=head_of(entries)) == VerifyResult(False, 1, 4, hc.MISSING)


def test_everything_purged_verifies_when_anchor_is_the_head() -> None:
    entries = build([content(i) for i in range(3)], [1, 2, 3])
    assert verify([], anchor_hash=entries[-1].hash, anchor_seq=3, head=head_of(entries)).ok


# --------------------------------------------------------------------------- verify: tampering


def test_altered_entry_is_named() -> None:
    entries = build([content(i) for i in range(5)], [1, 2, 3, 4, 5])
    entries[2] = replace(entries[2], content=content(2, purpose="贷款审批"))
    assert verify(entries, anchor_hash=GENESIS, head=head_of(entries)) == VerifyResult(
        False, 3, 3, hc.ALTERED
    )


def test_altered_link_is_named_as_the_altered_entry() -> None:
    entries = build([content(i) for i in range(5)], [1, 2, 3, 4, 5])
    entries[3] = replace(entries[3], prev_hash=entries[1].hash)
    assert verify(entries, anchor_hash=GENESIS, head=head_of(entries)).first_bad_seq == 4
    assert verify(entries, anchor_hash=GENESIS, head=head_of(entries)).reason == hc.ALTERED


def test_deleted_middle_entry_names_the_one_after() -> None:
    entries = build([content(i) for i in range(5)], [1, 2, 3, 4, 5])
    head = head_of(entries)
    del entries[2]
    assert verify(entries, anchor_hash=GENESIS, head=head) == VerifyResult(False, 3, 4, hc.MISSING)


def test_inserted_entry_is_named_itself() -> None:
    entries = build([content(i) for i in range(5)], [10, 20, 30, 40, 50])
    head = head_of(entries)
    forged_content = content(99, purpose="伪造")
    forged = EntryContent(25, entries[1].hash, entry_hash(entries[1].hash, forged_content), forged_content)
    tampered = [*entries[:2], forged, *entries[2:]]
    assert verify(tampered, anchor_hash=GENESIS, head=head) == VerifyResult(False, 4, 25, hc.INSERTED)


def test_inserted_run_is_named_from_its_first_entry() -> None:
    entries = build([content(i) for i in range(4)], [10, 20, 30, 40])
    forged = build([content(90), content(91)], [21, 22], anchor=entries[1].hash)
    tampered = [*entries[:2], *forged, *entries[2:]]
    result = verify(tampered, anchor_hash=GENESIS, head=head_of(entries))
    assert (result.first_bad_seq, result.reason) == (21, hc.INSERTED)


def test_entry_inserted_before_the_first_is_named() -> None:
    entries = build([content(i) for i in range(3)], [10, 20, 30])
    forged = build([content(90)], [5])
    result = verify([*forged, *entries], anchor_hash=GENESIS, head=head_of(entries))
    assert (result.first_bad_seq, result.reason) == (5, hc.INSERTED)


def test_forged_entry_taking_the_heads_seq_is_named_inserted() -> None:
    """Renumbering pushes the genuine last entry past the head: the cause is the insertion, not the head."""
    entries = build([content(i) for i in range(3)], [1, 2, 3])
    head = head_of(entries)
    forged = build([content(90)], [3], anchor=entries[1].hash)
    tampered = [*entries[:2], *forged, replace(entries[2], seq=4)]
    for appends_after_head in (False, True):
        result = verify(tampered, anchor_hash=GENESIS, head=head, appends_after_head=appends_after_head)
        assert result == VerifyResult(False, 4, 3, hc.INSERTED)


def test_appends_after_the_head_was_read_are_link_checked() -> None:
    entries = build([content(i) for i in range(5)], [1, 2, 3, 4, 5])
    stale_head = (3, entries[2].hash)
    assert verify(entries, anchor_hash=GENESIS, head=stale_head, appends_after_head=True) == VerifyResult(
        True, 5
    )
    broken = [*entries[:4], replace(entries[4], content=content(0))]
    assert verify(broken, anchor_hash=GENESIS, head=stale_head, appends_after_head=True) == VerifyResult(
        False, 5, 5, hc.ALTERED
    )
    # the entry the head names was removed and a later one re-linked past it
    relinked = build([content(3)], [4], anchor=entries[1].hash)
    assert verify(
        [*entries[:2], *relinked], anchor_hash=GENESIS, head=stale_head, appends_after_head=True
    ) == (VerifyResult(False, 3, 3, hc.TAIL_MISSING))


def test_deleted_tail_is_caught_by_the_head() -> None:
    entries = build([content(i) for i in range(5)], [1, 2, 3, 4, 7])
    head = head_of(entries)
    assert verify(entries[:-1], anchor_hash=GENESIS, head=head) == VerifyResult(False, 4, 7, hc.TAIL_MISSING)
    assert verify([], anchor_hash=GENESIS, head=head) == VerifyResult(False, 0, 7, hc.TAIL_MISSING)


def test_replaced_last_entry_is_caught_by_the_head() -> None:
    entries = build([content(i) for i in range(3)], [1, 2, 3])
    head = head_of(entries)
    forged = build([content(2, purpose="伪造")], [3], anchor=entries[1].hash)
    result = verify([*entries[:2], *forged], anchor_hash=GENESIS, head=head)
    assert result == VerifyResult(False, 3, 3, hc.HEAD_MISMATCH)


def test_entry_appended_past_the_head_is_named() -> None:
    entries = build([content(i) for i in range(4)], [1, 2, 3, 4])
    assert verify(entries, anchor_hash=GENESIS, head=(3, entries[2].hash)) == VerifyResult(
        False, 4, 4, hc.BEYOND_HEAD
    )


def test_entry_before_the_anchor_and_out_of_order() -> None:
    entries = build([content(i) for i in range(3)], [5, 6, 7])
    assert (
        verify(entries, anchor_hash=GENESIS, anchor_seq=5, head=head_of(entries)).reason == hc.BEFORE_ANCHOR
    )
    swapped = [entries[0], entries[2], entries[1]]
    assert verify(swapped, anchor_hash=GENESIS, head=head_of(entries)).first_bad_seq == 7
    assert (
        verify([entries[0], entries[1], entries[1]], anchor_hash=GENESIS, head=None).reason == hc.OUT_OF_ORDER
    )


def test_reasons_are_bilingual() -> None:
    reasons = [hc.ALTERED, hc.MISSING, hc.INSERTED, hc.OUT_OF_ORDER, hc.BEFORE_ANCHOR, hc.BEYOND_HEAD]
    reasons += [hc.TAIL_MISSING, hc.HEAD_MISMATCH, hc.HEAD_MISSING]
    for reason in reasons:
        english, chinese = reason.split(" / ")
        assert english.isascii() and not chinese.isascii()


# --------------------------------------------------------------------------- property


def expected_break(seqs: list[int], tamper: str, k: int, forged_seq: int | None = None) -> tuple[int, str]:
    """(first bad seq, reason) the verifier must report for one tamper at chain position k."""
    n = len(seqs)
    match tamper:
        case "alter" | "relink":
            return seqs[k], hc.ALTERED
        case "delete":
            return (seqs[k + 1], hc.MISSING) if k < n - 1 else (seqs[-1], hc.TAIL_MISSING)
        case "replace":
            return (seqs[k + 1], hc.MISSING) if k < n - 1 else (seqs[k], hc.HEAD_MISMATCH)
        case "insert":  # forged entry right after position k (-1: before the first)
            assert forged_seq is not None
            return forged_seq, hc.INSERTED if k < n - 1 else hc.BEYOND_HEAD
    raise AssertionError(tamper)


def tampered_chain(entries: list[EntryContent], tamper: str, k: int) -> tuple[list[EntryContent], int | None]:
    out = list(entries)
    forged = content(999, purpose="伪造 forged")
    match tamper:
        case "alter":
            out[k] = replace(out[k], content={**out[k].content, "purpose": "改 altered"})
        case "relink":
            out[k] = replace(out[k], prev_hash="f" * 64)
        case "delete":
            del out[k]
        case "replace":  # altered and re-hashed: the entry itself looks sound
            out[k] = replace(out[k], content=forged, hash=entry_hash(out[k].prev_hash, forged))
        case "insert":
            prev = out[k].hash if k >= 0 else GENESIS
            seq = out[k].seq + 1 if k >= 0 else out[0].seq - 1  # seqs are spaced by >= 2
            out.insert(k + 1, EntryContent(seq, prev, entry_hash(prev, forged), forged))
            return out, seq
    return out, None


@st.composite
def chains_and_tamper(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int], str, int]:
    n = draw(st.integers(1, 12))
    steps = draw(st.lists(st.integers(2, 5), min_size=n, max_size=n))
    seqs = [sum(steps[: i + 1]) for i in range(n)]
    contents = [
        content(
            i,
            purpose=draw(st.sampled_from(["行政审批", "贷款审批", None])),
            channel=draw(st.sampled_from(["government", "self", "authorized"])),
            record_ids=draw(st.lists(st.sampled_from(["R1", "R2", "R3"]), max_size=3)),
        )
        for i in range(n)
    ]
    tamper = draw(st.sampled_from(["alter", "relink", "delete", "replace", "insert"]))
    k = draw(st.integers(-1 if tamper == "insert" else 0, n - 1))
    return contents, seqs, tamper, k


@settings(max_examples=200, deadline=None)
@given(chains_and_tamper())
def test_any_single_tamper_is_found_at_the_right_seq(
    case: tuple[list[dict[str, Any]], list[int], str, int],
) -> None:
    contents, seqs, tamper, k = case
    entries = build(contents, seqs)
    head = head_of(entries)
    assert verify(entries, anchor_hash=GENESIS, head=head).ok
    out, forged_seq = tampered_chain(entries, tamper, k)
    expected = expected_break(seqs, tamper, k, forged_seq)
    result = verify(out, anchor_hash=GENESIS, head=head)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, *expected)
    # The service's mode: entries past the head are left to a fresh head read, all else is the same.
    lenient = verify(out, anchor_hash=GENESIS, head=head, appends_after_head=True)
    if expected[1] == hc.BEYOND_HEAD:
        assert lenient.ok
    else:
        assert lenient == result
