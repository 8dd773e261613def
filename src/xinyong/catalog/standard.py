"""The standard item set (standard.toml): what each catalog item is, independent of jurisdiction."""

from __future__ import annotations

import tomllib
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xinyong.core.errors import XinyongError

STANDARD_FILE = Path(__file__).with_name("standard.toml")
SubjectKindName = Literal["legal_person", "unincorporated_org", "natural_person"]


class StandardItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    aliases: list[str] = []
    kinds: list[SubjectKindName]
    needs: list[Literal["document", "valid_until"]] = []
    severity: bool = False
    procedure: bool = False
    fields: dict[str, Annotated[str, Field(pattern=r"^(text|date|decimal|integer|bool|enum:[a-z_|]+)$")]] = {}


class StandardCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    items: dict[str, StandardItem]

    def resolve(self, text: str) -> str | None:
        """Item code for a code, a Chinese name or an alias (full-width and spaces folded)."""
        return _alias_index().get(_fold(text))


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, item in standard_catalog().items.items():
        for name in (code, item.name, *item.aliases):
            index.setdefault(_fold(name), code)
    return index


@cache
def standard_catalog() -> StandardCatalog:
    raw = tomllib.loads(STANDARD_FILE.read_text(encoding="utf-8"))
    for code, item in raw.get("items", {}).items():
        item["code"] = code
    try:
        return StandardCatalog.model_validate(raw)
    except ValidationError as exc:  # a packaging error, caught by the test suite
        raise XinyongError("invalid_catalog", detail=f"{STANDARD_FILE}: {exc}") from exc


def coerce_field(kind: str, value: Any) -> Any:
    """Check one typed field value; returns the stored form or raises ValueError with the reason."""
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value)
    if kind == "decimal":
        try:
            number = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not number.is_finite():  # Decimal reads "NaN" and "Infinity"; an amount is neither
            raise ValueError(f"not a decimal number: {value!r}")
        return format(number, "f")  # plain digits, never 1E+3
    if kind == "integer":
        if (
            isinstance(value, bool)
            or not str(value).lstrip("-").isascii()
            or not str(value).lstrip("-").isdigit()
        ):
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        folded = str(value).strip().lower()
        if folded in {"true", "1", "yes", "是"}:
            return True
        if folded in {"false", "0", "no", "否"}:
            return False
        raise ValueError(f"not a yes/no value: {value!r}")
    if kind == "date":
        from datetime import date

        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None
    if kind.startswith("enum:"):
        allowed = kind.removeprefix("enum:").split("|")
        if str(value) not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return str(value)
    raise ValueError(f"unknown field type {kind}")
