"""The fast identifier checks give python-stdnum's answers (GB 32100-2015, GB 11643-1999).

`identifiers.validate` checks a normalised number on its compact form once instead of letting
python-stdnum clean it again in every step; python-stdnum stays the reference. Random valid
numbers (real check characters, real divisions) and random invalid ones (a character changed,
letters stdnum's alphabet leaves out, wrong lengths, look-alike characters, impossible dates and
invented divisions) must get the same compact form or the same failure from both.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent, ValidationError

from xinyong.core import identifiers
from xinyong.core.errors import XinyongError
from xinyong.synth import DIVISIONS

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
NOISE = "IOSVZaxio -–`'.*／０９Ａ　"  # letters outside the alphabet, lower case, dashes, full-width, spaces
REAL_DIVISIONS = sorted({d for divisions in DIVISIONS.values() for d in divisions})


def reference(value: str, kind: str) -> str:
    """What python-stdnum says about the normalised number: its compact form or the failure's name."""
    number = identifiers.normalize(value)
    try:
        if kind == "natural_person":
            try:
                return ric.validate(number)
            except KeyError:  # stdnum 2.2 on a division naming no county: an invented division
                raise InvalidComponent() from None
        return uscc.validate(number)
    except ValidationError as exc:
        return type(exc).__name__


def fast(value: str, kind: str) -> str:
    try:
        return identifiers.validate(value, kind)
    except XinyongError as exc:
        assert exc.code == "invalid_identifier"
        return str(exc.detail)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    body += draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    return body + uscc.calc_check_digit(body)


@st.composite
def rics(draw: st.DrawFn) -> str:
    invented = draw(st.integers(min_value=0, max_value=4)) == 0
    division = draw(
        st.text(alphabet="0123456789", min_size=6, max_size=6)
        if invented
        else st.sampled_from(REAL_DIVISIONS)
    )
    early = draw(st.integers(min_value=0, max_value=4)) == 0  # mostly years these divisions existed in
    born = draw(st.dates(min_value=date(1900 if early else 1996, 1, 1), max_value=date(2020, 12, 31)))
    digits = born.strftime("%Y%m%d")
    if draw(st.integers(min_value=0, max_value=4)) == 0:  # an impossible date: month 00-99, day 00-99
        digits = digits[:4] + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    body = division + digits + draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return body + ric.calc_check_digit(body + "0")


@st.composite
def damaged(draw: st.DrawFn, numbers: st.SearchStrategy[str]) -> str:
    """A number with a character replaced, inserted or removed (or left alone)."""
    number = draw(numbers)
    at = draw(st.integers(min_value=0, max_value=len(number)))
    change = draw(st.sampled_from(["replace", "insert", "delete", "none"]))
    char = draw(st.sampled_from(USCC_ALPHABET + "X" + NOISE))
    if change == "replace" and at < len(number):
        return number[:at] + char + number[at + 1 :]
    if change == "insert":
        return number[:at] + char + number[at:]
    if change == "delete" and at < len(number):
        return number[:at] + number[at + 1 :]
    return number


@settings(max_examples=300, deadline=None)
@given(st.one_of(usccs(), damaged(usccs()), st.text(alphabet=USCC_ALPHABET + NOISE, max_size=20)))
def test_uscc_check_matches_stdnum(value: str) -> None:
    for kind in ("legal_person", "unincorporated_org"):
        assert fast(value, kind) == reference(value, kind)


@settings(max_examples=300, deadline=None)
@given(st.one_of(rics(), damaged(rics()), st.text(alphabet="0123456789X" + NOISE, max_size=20)))
def test_ric_check_matches_stdnum(value: str) -> None:
    expected = reference(value, "natural_person")
    assert fast(value, "natural_person") == expected
    if expected not in ("InvalidLength", "InvalidFormat", "InvalidChecksum", "InvalidComponent"):
        assert identifiers.birth_date(value) == ric.get_birth_date(expected)


def test_valid_numbers_are_generated() -> None:
    """The strategies reach the accepting branch, not only refusals."""
    assert fast("91220101MA14XK7Q0T", "legal_person") == reference("91220101MA14XK7Q0T", "legal_person")
    assert fast("32011319850426173X", "natural_person") == "32011319850426173X"
    assert identifiers.birth_date("32011319850426173X") == ric.get_birth_date("32011319850426173X")
