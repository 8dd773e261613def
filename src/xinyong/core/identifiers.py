"""Subject identifiers (主体标识码): 统一社会信用代码, 公民身份号码 and other natural persons' documents.

* 统一社会信用代码 (``uscc``), GB 32100-2015《法人和其他组织统一社会信用代码编码规则》: 18 characters =
  registering authority (1), entity type (1), division (6), organization code (9), check (1),
  drawn from 0-9 and A-Z without I, O, Z, S, V. The only scheme for legal persons and
  unincorporated organizations.
* 公民身份号码 (``ric``), GB 11643-1999《公民身份号码》: division (6), birth date (8), sequence (3, odd
  for men), check (0-9/X, ISO 7064 MOD 11-2). The division must have existed in the birth year.
  The default scheme for natural persons.
* 港澳台居民居住证 (``residence_permit``): laid out as a 公民身份号码 with division 810000 (香港),
  820000 (澳门) or 830000 (台湾), with the same check character.
* 外国人永久居留身份证 (``foreign_permanent_residence``): the 2023 card has 18 digits = 9, province of
  issue (2), nationality (3), birth date (8), sequence (3), check (GB 11643); the 2004 card has
  15 characters = nationality (3 letters) + 12 digits (format only).
* 港澳居民来往内地通行证 (``hk_macao_permit``): H (香港) or M (澳门) + 8 or 10 digits (format only).
* 台湾居民来往大陆通行证 (``taiwan_permit``): 8 digits; older cards 8 digits + 2 (format only).
* 护照 (``passport``): 5–17 letters and digits; numbers differ by issuing state (format only).

Check characters come from python-stdnum (``stdnum.cn.uscc``, ``stdnum.cn.ric``). This module
chooses the scheme by subject kind and declared id type (never by the look of the string),
normalises provider input (NFKC, spaces and dashes dropped, upper case) and masks natural
persons in public.

More information:

* GB 32100-2015 法人和其他组织统一社会信用代码编码规则
* GB 11643-1999 公民身份号码
* 国务院办公厅《港澳台居民居住证申领发放办法》(国办发〔2018〕81号)
* 国家移民管理局公告 2023 年第 7 号 (外国人永久居留身份证 2023 版)

>>> validate("９１２２ ０１０１ ＭＡ１４ ＸＫ７Ｑ０Ｔ", kind="legal_person")   # pasted from Excel
'91220101MA14XK7Q0T'
>>> try:
...     validate("91220101MA14XK7Q0A", kind="legal_person")
... except XinyongError as e:
...     print(e.code, e.detail)
invalid_identifier InvalidChecksum
>>> validate("3201 0219 9003 0745 60", kind="natural_person")
'320102199003074560'
>>> mask("320102199003074560", kind="natural_person")
'3201**********4560'
>>> mask_name("欧阳娜娜", kind="natural_person")
'欧***'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import isdigits

from xinyong.core.errors import XinyongError


class SubjectKind(StrEnum):
    legal_person = "legal_person"  # 法人
    unincorporated_org = "unincorporated_org"  # 非法人组织
    natural_person = "natural_person"  # 自然人


class IdType(StrEnum):
    uscc = "uscc"  # 统一社会信用代码
    ric = "ric"  # 公民身份号码
    passport = "passport"  # 护照
    hk_macao_permit = "hk_macao_permit"  # 港澳居民来往内地通行证
    taiwan_permit = "taiwan_permit"  # 台湾居民来往大陆通行证
    foreign_permanent_residence = "foreign_permanent_residence"  # 外国人永久居留身份证
    residence_permit = "residence_permit"  # 港澳台居民居住证


_ALLOWED: dict[SubjectKind, frozenset[IdType]] = {
    SubjectKind.legal_person: frozenset({IdType.uscc}),
    SubjectKind.unincorporated_org: frozenset({IdType.uscc}),
    SubjectKind.natural_person: frozenset(set(IdType) - {IdType.uscc}),
}

# dash look-alikes that survive NFKC; U+FF0D (full-width) folds to "-" on its own
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_RESIDENCE_DIVISIONS = frozenset({"810000", "820000", "830000"})  # 香港, 澳门, 台湾
_HK_MACAO = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_TAIWAN = re.compile(r"[0-9]{8}(?:[0-9A-Z]{2})?")
_FPR_2004 = re.compile(r"[A-Z]{3}[0-9]{12}")
_PASSPORT = re.compile(r"[A-Z0-9]*[0-9][A-Z0-9]*")


def default_id_type(kind: SubjectKind | str) -> IdType:
    """USCC for organizations, 公民身份号码 for natural persons."""
    return IdType.ric if _kind(kind) is SubjectKind.natural_person else IdType.uscc


def normalize(value: str | int) -> str:
    """NFKC (full-width letters and digits to ASCII), spaces and dashes dropped, upper case."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidFormat()
    text = str(value)
    if text.isascii() and text.isalnum():  # the usual case: ASCII letters and digits fold to themselves
        return text.upper()
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in _DASHES).upper()


def _gb11643_layout(number: str) -> None:
    """18 characters checked as GB 11643: 17 digits, the MOD 11-2 check, a real birth date."""
    if len(number) != 18:
        raise InvalidLength()
    if not isdigits(number[:-1]):
        raise InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    _birth(number)  # InvalidComponent for an impossible date


def _birth(number: str) -> date:
    """stdnum.cn.ric.get_birth_date on a number whose first 17 characters are ASCII digits: the same
    date without cleaning the number again (stdnum's `compact` maps every character, a third of a
    公民身份号码 check)."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidComponent() from None


def _ric(number: str) -> str:
    """stdnum.cn.ric.validate's checks, in its order, with the division look-up cached."""
    _gb11643_layout(number)  # digits and a real birth date: the year is digits 7-10
    if not _division_existed(number[:6], int(number[6:10])):
        raise InvalidComponent()
    return number


@lru_cache(maxsize=32768)  # a province's counties x birth years; well under 5 MB
def _division_existed(division: str, year: int) -> bool:
    """Whether stdnum's division table (GB/T 2260 history) has `division` as a county in `year`.

    The answer depends on these two only, and the table search is the slowest step of a 公民身份号码
    check, so it is looked up once per pair.
    """
    try:
        ric.get_birth_place(f"{division}{year:04d}0101")
    except InvalidComponent:
        return False
    except KeyError:
        # stdnum 2.2 raises KeyError when the division names a province or prefecture but no
        # county (e.g. 123456...); that is an invented division all the same
        return False
    return True


def _residence_permit(number: str) -> str:
    _gb11643_layout(number)
    if number[:6] not in _RESIDENCE_DIVISIONS:
        raise InvalidComponent()
    return number


def _foreign_permanent_residence(number: str) -> str:
    if len(number) == 15:
        if not _FPR_2004.fullmatch(number):
            raise InvalidFormat()
        return number
    if len(number) != 18:
        raise InvalidLength()
    if number[0] != "9":
        raise InvalidFormat()
    _gb11643_layout(number)
    return number


def _pattern(pattern: re.Pattern[str], lengths: range | tuple[int, ...]) -> Callable[[str], str]:
    def check(number: str) -> str:
        if len(number) not in lengths:
            raise InvalidLength()
        if not pattern.fullmatch(number):
            raise InvalidFormat()
        return number

    return check


# stdnum.cn.uscc's alphabet and weights (GB 32100-2015 §4.3; I, O, Z, S, V are not used)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc(number: str) -> str:
    """stdnum.cn.uscc.validate on a normalised number: its checks in its order, on the string as it
    is (stdnum cleans the number again in `validate` and in `calc_check_digit`, half the cost).

    A normalised ASCII string is already stdnum's compact form (no spaces or dashes, upper case;
    the one ASCII character stdnum folds, a backquote, fails the format check either way); anything
    else goes to stdnum itself. tests/core/test_identifiers_fast.py compares the two on random numbers.
    """
    if not number.isascii():
        return uscc.validate(number)
    if len(number) != 18:
        raise InvalidLength()
    if not isdigits(number[:8]):
        raise InvalidFormat()
    value = _USCC_VALUE
    if any(c not in value for c in number[8:]):
        raise InvalidFormat()
    total = sum(value[c] * w for c, w in zip(number[:17], _USCC_WEIGHTS, strict=True))
    if number[-1] != _USCC_ALPHABET[(31 - total) % 31]:
        raise InvalidChecksum()
    return number


_CHECKS: dict[IdType, Callable[[str], str]] = {
    IdType.uscc: _uscc,
    IdType.ric: _ric,
    IdType.residence_permit: _residence_permit,
    IdType.foreign_permanent_residence: _foreign_permanent_residence,
    IdType.hk_macao_permit: _pattern(_HK_MACAO, (9, 11)),
    IdType.taiwan_permit: _pattern(_TAIWAN, (8, 10)),
    IdType.passport: _pattern(_PASSPORT, range(5, 18)),
}


_KIND_BY_VALUE = {k.value: k for k in SubjectKind}  # a dict look-up; calling the enum costs ~1 µs


def _kind(kind: SubjectKind | str) -> SubjectKind:
    found = _KIND_BY_VALUE.get(kind) if isinstance(kind, str) else None
    if found is not None:
        return found
    try:
        return SubjectKind(kind)
    except ValueError:
        raise XinyongError("invalid_field", detail=f"unknown subject kind {kind!r}", field="kind") from None


_ID_TYPE_BY_VALUE = {t.value: t for t in IdType}


def _id_type(kind: SubjectKind, id_type: IdType | str | None) -> IdType:
    if id_type is None:
        return default_id_type(kind)
    chosen = _ID_TYPE_BY_VALUE.get(id_type) if isinstance(id_type, str) else None
    if chosen is None:
        try:
            chosen = IdType(id_type)
        except ValueError:
            raise XinyongError("invalid_identifier", detail="UnknownIdType", field="id_type") from None
    if chosen not in _ALLOWED[kind]:
        raise XinyongError(
            "invalid_identifier", detail=f"IdTypeNotAllowed: {chosen} for {kind}", field="id_type"
        )
    return chosen


def validate(
    value: str | int, kind: SubjectKind | str, id_type: IdType | str | None = None, *, field: str = "id"
) -> str:
    """The compact form of a valid identifier, or XinyongError("invalid_identifier").

    The scheme follows `kind` and `id_type`: USCC for organizations, 公民身份号码 for natural
    persons unless another document is named. `detail` is the stdnum failure (InvalidLength,
    InvalidFormat, InvalidChecksum, InvalidComponent).
    """
    scheme = _id_type(_kind(kind), id_type)
    try:
        return _CHECKS[scheme](normalize(value))
    except ValidationError as exc:
        raise XinyongError("invalid_identifier", detail=type(exc).__name__, field=field) from exc


def is_valid(value: str | int, kind: SubjectKind | str, id_type: IdType | str | None = None) -> bool:
    try:
        validate(value, kind, id_type)
    except XinyongError as exc:
        if exc.code != "invalid_identifier":
            raise
        return False
    return True


def birth_date(value: str, id_type: IdType | str = IdType.ric) -> date:
    """Birth date carried by a 公民身份号码 (or a GB 11643-shaped permit), for the 十六周岁 rule
    (Jiangsu 第二十六条). Validates first; raises ValueError for documents without one.

    >>> birth_date("32011319850426173X")
    datetime.date(1985, 4, 26)
    """
    return compact_birth_date(validate(value, SubjectKind.natural_person, id_type), id_type)


def compact_birth_date(number: str, id_type: IdType | str = IdType.ric) -> date:
    """`birth_date` of a number `validate` has returned for a natural person: not validated again."""
    if len(number) != 18 or IdType(id_type) not in (
        IdType.ric,
        IdType.residence_permit,
        IdType.foreign_permanent_residence,
    ):
        raise ValueError(f"a {IdType(id_type)} number carries no birth date")
    return _birth(number)


def _mask_chars(text: str) -> str:
    keep = min(4, len(text) // 4)  # never show more than half of a short number
    if keep == 0:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def mask(value: str | int, kind: SubjectKind | str, id_type: IdType | str | None = None) -> str:
    """Public form of an identifier: natural persons keep the first and last 4 characters
    (fewer for short documents, so at least half is hidden); organizations are shown in full.

    The same rule applies to every natural-person document, so `id_type` does not change it.
    """
    text = normalize(value)
    if _kind(kind) is not SubjectKind.natural_person:
        return text
    return _mask_chars(text)


def mask_name(name: str, kind: SubjectKind | str) -> str:
    """Public form of a name: a natural person keeps the first character ('张三' -> '张*')."""
    if _kind(kind) is not SubjectKind.natural_person:
        return name
    text = name.strip()
    if len(text) <= 1:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 1)
