"""Provider files for aggregation (归集): read CSV, XLSX and JSON Lines, map each row to a submission.

This module only parses and maps. Whether a record may enter the platform (catalog item,
identifier check characters, prohibited or sensitive data, the profile's rules) is decided by the
records service afterwards. Here a row fails only when a cell cannot be understood: a bad date, a
bad amount, a value outside an enumeration, two columns saying different things, or an empty
required cell. Each bad cell gives one :class:`RowError` naming the provider's own column header,
and that row gives no :class:`SourceRow`; the other rows go on.

Column mappings translate a provider's layout into the platform vocabulary (the keys of the
``submit`` action in SCENARIOS.md plus subject data). Built-ins live in ``mappings/*.toml``:
``native`` (the headers are the platform keys), ``shuanggongshi_penalty`` and
``shuanggongshi_license`` (the national 双公示 layouts). Operators write their own mapping files in
the same format; loading is strict and every failure names the file and the key.

Row numbers are those the provider sees: the spreadsheet row for CSV/XLSX (header = 1, first data
row = 2; a CSV record with a line break inside a quoted cell is still one row), the line number for
JSON Lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from xinyong.core.errors import XinyongError

__all__ = [
    "Mapping",
    "RowError",
    "SourceRow",
    "builtin_mappings",
    "count_rows",
    "detect_mapping",
    "load_mapping",
    "normalise_header",
    "read_rows",
]

MAPPINGS_DIR = Path(__file__).parent / "mappings"

# --- the platform vocabulary ---------------------------------------------------------------------

DATE_KEYS = ("decided_on", "effective_on", "valid_until", "disclosure_until")
ENUMS: dict[str, tuple[str, ...]] = {
    "subject_kind": ("legal_person", "unincorporated_org", "natural_person"),
    "subject_id_type": (
        "uscc",
        "ric",
        "passport",
        "hk_macao_permit",
        "taiwan_permit",
        "foreign_permanent_residence",
    ),
    "source": ("public", "market"),
    "severity": ("general", "severe"),
    "procedure": ("general", "simple"),
}
# The standard Chinese names of the enumerated codes (SCENARIOS.md: "the Chinese names mean the
# same"); every mapping accepts them, and a mapping's [values] tables add a provider's own words.
ENUM_NAMES: dict[str, dict[str, str]] = {
    "subject_kind": {
        "法人": "legal_person",
        "非法人组织": "unincorporated_org",
        "自然人": "natural_person",
    },
    "subject_id_type": {
        "统一社会信用代码": "uscc",
        "身份证": "ric",
        "居民身份证": "ric",
        "公民身份号码": "ric",
        "护照": "passport",
        "港澳居民来往内地通行证": "hk_macao_permit",
        "台湾居民来往大陆通行证": "taiwan_permit",
        "外国人永久居留身份证": "foreign_permanent_residence",
    },
    "source": {"公共信用信息": "public", "市场信用信息": "market"},
    "severity": {"一般": "general", "严重": "severe", "一般失信": "general", "严重失信": "severe"},
    "procedure": {"普通程序": "general", "简易程序": "simple", "普通": "general", "简易": "simple"},
}
TEXT_KEYS = (
    "record_id",
    "item",
    "subject_id",
    "subject_name",
    "legal_representative",
    "legal_representative_id",
    "provider",
    "provider_code",
    "document",
)
PLATFORM_TYPES: dict[str, str] = {
    **dict.fromkeys(TEXT_KEYS, "text"),
    **dict.fromkeys(ENUMS, "enum"),
    **dict.fromkeys(DATE_KEYS, "date"),
    "consent": "bool",
}
TYPES = ("text", "date", "decimal", "decimal_wan", "bool", "enum")  # decimal_wan: 万元 in, 元 out

ROW_CODES = ("invalid_date", "invalid_field", "missing_field", "invalid_file")


@dataclass
class SourceRow:
    """One row mapped to the platform vocabulary; `values["data"]` is always a dict."""

    row: int
    values: dict[str, Any]


@dataclass
class RowError:
    """One cell (or one line) that could not be read; `field` is the provider's column header."""

    row: int
    field: str
    code: str  # one of ROW_CODES
    detail: str = ""

    def as_error(self) -> XinyongError:
        return XinyongError(self.code, detail=self.detail or None, field=self.field or None, row=self.row)

    def as_dict(self) -> dict[str, Any]:
        """The shape of an error report entry: row, field, code, message_zh, message_en, detail."""
        return self.as_error().as_dict()


class _CellError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class _Blank:
    """A cell with nothing in it (or a placeholder such as 无)."""


BLANK = _Blank()

# --- normalisation -------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_HEADER_SUFFIXES = ("(必填)", "(选填)", "(可选)", "(非必填)")


def normalise_header(text: str) -> str:
    """The form headers are compared in.

    NFKC folds full-width forms ( （） -> (), ＿ -> _, full-width letters and digits ); all whitespace
    goes, including U+3000 and no-break spaces; zero-width characters and a BOM go; a `*` marking a
    required column, a trailing (必填)/(选填) and a trailing colon go. So 罚款金额（万元）,
    '罚款金额 (万元)' and '*罚款金额(万元)' are the same header.
    """
    text = unicodedata.normalize("NFKC", str(text)).translate(_ZERO_WIDTH)
    text = _WS.sub("", text).strip("*").rstrip(":")
    for suffix in _HEADER_SUFFIXES:
        text = text.removesuffix(suffix)
    return text


def _norm_value(text: str) -> str:
    """How an enumeration cell is looked up: NFKC, no whitespace."""
    return _WS.sub("", unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH))


def _clean_text(text: str) -> str:
    return text.translate(_ZERO_WIDTH).strip()


# --- mappings ------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """How one layout's columns become platform keys.

    `columns` maps a normalised header to a target key (a platform key, or ``data.<key>`` for a
    free field; "" ignores the column). Several headers may feed one target: in a row the first
    non-empty one is used and a different non-empty value in another is an error. `values` maps,
    per target, normalised source text to the platform value ("" = leave empty). `types` types free
    fields (platform keys have fixed types). `required` targets must have a value in every row
    (a column, the mapping's constant `item`, or a default). `source_text` keeps the provider's own
    wording of an enumerated cell in a free field.
    """

    id: str
    title: str
    item: str | None
    columns: dict[str, str]
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    detect: tuple[str, ...] = ()  # targets a file's headers must cover for detect_mapping
    source_text: dict[str, str] = field(default_factory=dict)
    blank_values: frozenset[str] = frozenset()
    unmapped: str = "keep"  # keep (as data.<header>) / ignore / error
    data_columns: bool = False  # headers `data.<key>` map to free fields
    description: str = ""
    origin: str = ""  # "builtin:<id>" or the file it was loaded from

    def target_for(self, header: str) -> str | None:
        """Target key of a header; None when ignored. Raises KeyError when unmapped and strict."""
        key = normalise_header(header)
        if key in self.columns:
            return self.columns[key] or None
        if self.data_columns and key.startswith("data.") and len(key) > len("data."):
            return key
        if self.unmapped == "keep":
            return f"data.{key}"
        if self.unmapped == "ignore":
            return None
        raise KeyError(header)

    def type_of(self, target: str) -> str:
        return PLATFORM_TYPES.get(target) or self.types.get(target, "text")

    def headers_for(self, target: str) -> list[str]:
        return [h for h, t in self.columns.items() if t == target]


_TOP_KEYS = {
    "id": str,
    "title": str,
    "description": str,
    "extends": str,
    "item": str,
    "required": list,
    "detect": list,
    "unmapped": str,
    "blank_values": list,
    "data_columns": bool,
    "columns": dict,
    "types": dict,
    "values": dict,
    "source_text": dict,
    "defaults": dict,
}


def _is_target(key: str) -> bool:
    if key in PLATFORM_TYPES:
        return True
    name = key.removeprefix("data.")
    return key.startswith("data.") and bool(name) and not _WS.search(name)


class _Loader:
    """Builds a Mapping from parsed TOML, naming `origin` and the dotted key in every failure."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> XinyongError:
        return XinyongError("invalid_file", field=key, detail=f"{self.origin}: `{key}`: {problem}")

    def build(self, raw: dict[str, Any], default_id: str, parent: Mapping | None) -> Mapping:
        for key, value in raw.items():
            if key not in _TOP_KEYS:
                raise self.fail(key, "未知的键 / unknown key (allowed: " + ", ".join(sorted(_TOP_KEYS)) + ")")
            if not isinstance(value, _TOP_KEYS[key]):
                raise self.fail(key, f"应为 {_TOP_KEYS[key].__name__} / must be a {_TOP_KEYS[key].__name__}")
        base = parent or Mapping(id=default_id, title=default_id, item=None, columns={})
        columns = dict(base.columns)
        columns.update(self._columns(raw.get("columns", {})))
        types = {**base.types, **self._types(raw.get("types", {}))}
        values = {t: dict(table) for t, table in base.values.items()}
        for target, table in self._values(raw.get("values", {})).items():
            values.setdefault(target, {}).update(table)
        source_text = {**base.source_text, **self._source_text(raw.get("source_text", {}))}
        unmapped = raw.get("unmapped", base.unmapped)
        if unmapped not in ("keep", "ignore", "error"):
            raise self.fail("unmapped", "应为 keep / ignore / error / must be keep, ignore or error")
        item = raw.get("item", base.item)
        if item is not None and not item.strip():
            raise self.fail("item", "不能为空 / must not be empty (leave the key out instead)")
        mapping = Mapping(
            id=raw.get("id", default_id),
            title=raw.get("title", base.title if parent else raw.get("id", default_id)),
            item=item,
            columns=columns,
            values=values,
            types=types,
            required=self._targets("required", raw, base.required),
            detect=self._targets("detect", raw, base.detect),
            source_text=source_text,
            blank_values=self._blank_values(raw, base.blank_values),
            unmapped=unmapped,
            data_columns=raw.get("data_columns", base.data_columns),
            description=raw.get("description", base.description),
            origin=self.origin,
        )
        for target in mapping.types:
            if mapping.types[target] == "enum" and not mapping.values.get(target):
                raise self.fail(
                    f"types.{target}", "enum 类型需要 [values] 表 / an enum needs a [values] table"
                )
        mapping.defaults = {**base.defaults, **self._defaults(mapping, raw.get("defaults", {}))}
        return mapping

    def _target(self, key: str, target: Any, *, allow_empty: bool = False) -> str:
        if not isinstance(target, str):
            raise self.fail(key, "目标应为字符串 / the target must be a string")
        if (target == "" and allow_empty) or _is_target(target):
            return target
        raise self.fail(key, f"未知的目标字段 `{target}` / unknown target (a platform key or data.<name>)")

    def _columns(self, table: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        written: dict[str, str] = {}
        for header, target in table.items():
            key = normalise_header(header)
            if not key:
                raise self.fail(f"columns.{header}", "表头为空 / empty header")
            if key in out:
                raise self.fail(
                    f"columns.{header}",
                    f"与 `{written[key]}` 规范化后重复 / duplicates `{written[key]}` once normalised",
                )
            out[key] = self._target(f"columns.{header}", target, allow_empty=True)
            written[key] = header
        return out

    def _types(self, table: dict[str, Any]) -> dict[str, str]:
        for target, kind in table.items():
            if not target.startswith("data.") or not _is_target(target):
                raise self.fail(
                    f"types.{target}", "只能为 data.<字段> 指定类型 / only data.<key> fields take a type"
                )
            if kind not in TYPES:
                raise self.fail(
                    f"types.{target}", f"未知类型 `{kind}` / unknown type (one of {', '.join(TYPES)})"
                )
        return dict(table)

    def _values(self, tables: dict[str, Any]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for target, table in tables.items():
            where = f"values.{target}"
            self._target(where, target)
            if not isinstance(table, dict):
                raise self.fail(where, "应为表 / must be a table")
            converted: dict[str, Any] = {}
            for source, value in table.items():
                key = _norm_value(source)
                if key in converted:
                    raise self.fail(f"{where}.{source}", "规范化后重复 / duplicate once normalised")
                if target in ENUMS and value not in (*ENUMS[target], ""):
                    raise self.fail(
                        f"{where}.{source}", f"`{value}` 不是平台取值 / not one of {', '.join(ENUMS[target])}"
                    )
                converted[key] = value
            out[target] = converted
        return out

    def _source_text(self, table: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for target, keep_as in table.items():
            self._target(f"source_text.{target}", target)
            if not isinstance(keep_as, str) or not keep_as.startswith("data."):
                raise self.fail(f"source_text.{target}", "应为 data.<字段> / must name a data.<key> field")
            out[target] = self._target(f"source_text.{target}", keep_as)
        return out

    def _targets(self, key: str, raw: dict[str, Any], inherited: tuple[str, ...]) -> tuple[str, ...]:
        if key not in raw:
            return inherited
        return tuple(self._target(f"{key}[{i}]", t) for i, t in enumerate(raw[key]))

    def _blank_values(self, raw: dict[str, Any], inherited: frozenset[str]) -> frozenset[str]:
        if "blank_values" not in raw:
            return inherited
        if not all(isinstance(v, str) for v in raw["blank_values"]):
            raise self.fail("blank_values", "应为字符串列表 / must be a list of strings")
        return frozenset(_norm_value(v) for v in raw["blank_values"])

    def _defaults(self, mapping: Mapping, table: dict[str, Any]) -> dict[str, Any]:
        return _parse_defaults(mapping, table, lambda key, err: self.fail(f"defaults.{key}", err.detail))


def _parse_defaults(
    mapping: Mapping, table: dict[str, Any], fail: Callable[[str, _CellError], XinyongError]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if not _is_target(key):
            raise fail(key, _CellError("invalid_field", f"未知字段 `{key}` / unknown key"))
        try:
            parsed = _parse_cell(mapping, key, value)
        except _CellError as err:
            raise fail(key, err) from None
        if parsed is not BLANK:
            out[key] = parsed
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise XinyongError("invalid_file", detail=f"{path}: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib names the line, not the key: quote the line so the key is in the message
        where = ""
        found = re.search(r"line (\d+)", str(exc))
        if found and 0 < int(found.group(1)) <= len(text.splitlines()):
            where = f" — `{text.splitlines()[int(found.group(1)) - 1].strip()}`"
        raise XinyongError("invalid_file", detail=f"{path}: {exc}{where}") from None


def _load_file(path: Path, depth: int = 0) -> Mapping:
    raw = _read_toml(path)
    loader = _Loader(str(path))
    parent = None
    if "extends" in raw:
        if depth > 4:
            raise loader.fail("extends", "继承层级过深 / extends nests too deep")
        base = raw["extends"]
        if not isinstance(base, str):
            raise loader.fail("extends", "应为映射名或文件 / must be a mapping id or file")
        builtins = _builtins()
        if base in builtins:
            parent = builtins[base]
        elif (path.parent / base).is_file():
            parent = _load_file(path.parent / base, depth + 1)
        else:
            raise loader.fail("extends", f"找不到映射 `{base}` / no such mapping")
    return loader.build(raw, path.stem, parent)


@cache
def _builtins() -> dict[str, Mapping]:
    out: dict[str, Mapping] = {}
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        mapping = _load_file(path)
        mapping.origin = f"builtin:{mapping.id}"
        out[mapping.id] = mapping
    return out


def builtin_mappings() -> dict[str, Mapping]:
    """The mappings shipped in ``records/mappings``, by id."""
    return dict(_builtins())


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A built-in mapping by id, or a mapping file (TOML).

    Raises ``unknown_mapping`` for a name that is neither, ``invalid_file`` (detail names the file
    and the key) for a file that cannot be read or breaks the format.
    """
    if isinstance(name_or_path, str) and name_or_path in _builtins():
        return _builtins()[name_or_path]
    path = Path(name_or_path)
    if path.is_file():
        return _load_file(path)
    if isinstance(name_or_path, Path) or path.suffix == ".toml" or len(path.parts) > 1:
        raise XinyongError("invalid_file", detail=f"{path}: 文件不存在 / no such file")
    raise XinyongError(
        "unknown_mapping",
        detail=f"`{name_or_path}` (built-in: {', '.join(sorted(_builtins()))}; or a .toml file)",
    )


def detect_mapping(headers: list[str]) -> Mapping:
    """The built-in mapping a header row belongs to.

    ``native`` when every header is a platform key (or ``data.<key>``); otherwise the built-in whose
    `detect` targets are all covered by the headers, preferring the one that recognises the most
    headers. Raises ``unknown_mapping`` when none fits or two fit equally well.
    """
    keys = [normalise_header(h) for h in headers if normalise_header(h)]
    if not keys:
        raise XinyongError("unknown_mapping", detail="表头为空 / the header row is empty")
    builtins = _builtins()
    native = builtins["native"]
    if all(k in native.columns or (k.startswith("data.") and len(k) > 5) for k in keys):
        return native
    scored: list[tuple[int, Mapping]] = []
    for mapping in builtins.values():
        if mapping is native:
            continue
        covered = {mapping.columns[k] for k in keys if mapping.columns.get(k)}
        if mapping.detect and set(mapping.detect) <= covered:
            scored.append((sum(1 for k in keys if k in mapping.columns), mapping))
    scored.sort(key=lambda pair: -pair[0])
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    if scored:
        names = ", ".join(m.id for _, m in scored)
        raise XinyongError(
            "unknown_mapping", detail=f"表头可对应多个映射 / headers fit several mappings: {names}"
        )
    raise XinyongError(
        "unknown_mapping",
        detail="没有与表头相符的内置映射，请用 --mapping 指定 / no built-in mapping fits these headers "
        f"({', '.join(keys[:8])}{', ...' if len(keys) > 8 else ''}); pass a mapping file",
    )


def _resolve_mapping(mapping: str | Path | Mapping | None) -> Mapping | None:
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    return load_mapping(mapping)


# --- cells ---------------------------------------------------------------------------------------

_DATE_SEP = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DATE_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DECIMAL = re.compile(r"\+?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"\+?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TRUE = {"true", "1", "yes", "y", "是", "同意", "已同意"}
_FALSE = {"false", "0", "no", "n", "否", "不同意", "未同意"}


def parse_date(value: Any) -> date:
    """2026-03-02, 2026/3/2, 2026.3.2, 2026年3月2日, 20260302, a date or datetime (time ignored)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise _CellError("invalid_date", f"不是日期 / not a date: {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 20260302 typed into a number cell
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).translate(_ZERO_WIDTH).strip()
    for candidate in dict.fromkeys((text, _WS.sub("", text))):
        for pattern in (_DATE_SEP, _DATE_ZH, _DATE_COMPACT):
            found = pattern.fullmatch(candidate)
            if found:
                groups = [g for g in found.groups() if g and g.isdigit()]
                try:
                    return date(int(groups[0]), int(groups[1]), int(groups[2]))
                except ValueError:
                    raise _CellError("invalid_date", f"日期不存在 / no such day: {text!r}") from None
    raise _CellError(
        "invalid_date", f"无法识别的日期 / not a date: {text!r} (例 e.g. 2026-03-02, 2026年3月2日, 20260302)"
    )


def parse_decimal(value: Any) -> Decimal:
    """A non-negative amount, exactly: text digits or a number cell; 1,234.50 allowed."""
    if isinstance(value, bool):
        raise _CellError("invalid_field", f"不是金额 / not an amount: {value!r}")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that gives this float: 0.5, not 0.5000000001
    elif isinstance(value, str):
        text = _norm_value(value)
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        if not _DECIMAL.fullmatch(text):
            raise _CellError("invalid_field", f"无法识别的金额 / not an amount: {value!r}")
        number = Decimal(text)
    else:
        raise _CellError("invalid_field", f"不是金额 / not an amount: {value!r}")
    if not number.is_finite() or number < 0:
        raise _CellError(
            "invalid_field", f"金额须为非负数 / an amount must be a non-negative number: {value!r}"
        )
    return number


def _decimal_text(number: Decimal) -> str:
    return format(number, "f")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _norm_value(str(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError("invalid_field", f"应为 是/否 / must be yes or no: {value!r}")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, bool):
        raise _CellError("invalid_field", f"应为文本 / must be text: {value!r}")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, int):
        return str(value)
    raise _CellError("invalid_field", f"应为文本 / must be text: {value!r}")


def _plain_json(value: Any) -> Any:
    """Free-field JSON with exact decimals kept as strings (the database stores JSON)."""
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, dict):
        return {k: _plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not _clean_text(value))


def _parse_cell(mapping: Mapping, target: str, raw: Any) -> Any:
    """The platform value of one cell, or BLANK; raises _CellError."""
    if _is_blank(raw):
        return BLANK
    if isinstance(raw, str) and _norm_value(raw) in mapping.blank_values:
        return BLANK
    table = {**ENUM_NAMES.get(target, {}), **mapping.values.get(target, {})}
    if table and isinstance(raw, str | int) and not isinstance(raw, bool):
        found = table.get(_norm_value(str(raw)))
        if found is not None:
            return BLANK if found == "" else found
    kind = mapping.type_of(target)
    if kind == "date":
        return parse_date(raw).isoformat()
    if kind in ("decimal", "decimal_wan"):
        number = parse_decimal(raw)
        if kind == "decimal_wan":  # 万元 -> 元, exact; trailing zeros of the product mean nothing
            return _decimal_text((number * 10000).normalize())
        return _decimal_text(number)
    if kind == "bool":
        return _parse_bool(raw)
    if kind == "enum":
        allowed = ENUMS.get(target) or tuple(dict.fromkeys(v for v in table.values() if v != ""))
        text = _norm_value(_as_text(raw))
        if text in allowed:
            return text
        accepted = [*table, *allowed]
        raise _CellError(
            "invalid_field",
            f"无法识别的取值 / not an accepted value: {raw!r} (可用 accepted: {', '.join(accepted)})",
        )
    if isinstance(raw, dict | list):
        if target.startswith("data."):
            return _plain_json(raw)
        raise _CellError("invalid_field", f"应为文本 / must be text: {raw!r}")
    return _as_text(raw)


# --- rows ----------------------------------------------------------------------------------------


class _RowMapper:
    """Turns (header, raw value) pairs of one row into a SourceRow or its RowErrors."""

    def __init__(self, mapping: Mapping, defaults: dict[str, Any] | None) -> None:
        self.mapping = mapping
        self.defaults = dict(mapping.defaults)
        if mapping.item:
            self.defaults.setdefault("item", mapping.item)
        self.defaults.update(
            _parse_defaults(
                mapping,
                defaults or {},
                lambda key, err: XinyongError(err.code, field=key, detail=f"默认值 / default: {err.detail}"),
            )
        )

    def map(
        self, row: int, cells: Iterable[tuple[str | None, str | None, Any]]
    ) -> SourceRow | list[RowError]:
        """`cells`: (header as written, target or None, raw value); header None = no header."""
        errors: list[RowError] = []
        found: dict[str, tuple[Any, str]] = {}  # target -> (value, header it came from)
        kept: dict[str, str] = {}
        first_header: dict[str, str] = {}
        failed: set[str] = set()  # targets with a bad cell: not reported again as missing
        for header, target, raw in cells:
            if header is None:
                if not _is_blank(raw):
                    errors.append(
                        RowError(
                            row, "", "invalid_field", "该列没有表头 / a value in a column with no header"
                        )
                    )
                continue
            if target is None:
                continue
            first_header.setdefault(target, header)
            try:
                value = _parse_cell(self.mapping, target, raw)
            except _CellError as err:
                errors.append(RowError(row, header, err.code, err.detail))
                failed.add(target)
                continue
            if value is BLANK:
                continue
            if target in found and found[target][0] != value:
                other = found[target][1]
                errors.append(
                    RowError(
                        row,
                        header,
                        "invalid_field",
                        f"与列 `{other}` 不一致 / disagrees with column `{other}`",
                    )
                )
                continue
            found.setdefault(target, (value, header))
            keep_as = self.mapping.source_text.get(target)
            if keep_as:
                kept[keep_as] = _as_text(raw)
        for target in self.mapping.required:
            if target not in found and target not in self.defaults and target not in failed:
                where = first_header.get(target, target)
                errors.append(RowError(row, where, "missing_field", "必填项为空 / a required value is empty"))
        if errors:
            return errors
        values: dict[str, Any] = {"data": {}}
        for key, value in [*self.defaults.items(), *kept.items(), *((t, v) for t, (v, _) in found.items())]:
            if key.startswith("data."):
                values["data"][key.removeprefix("data.")] = value
            else:
                values[key] = value
        _responsible_from_columns(values)
        return SourceRow(row, values)


def _emit(result: SourceRow | list[RowError]) -> Iterator[SourceRow | RowError]:
    if isinstance(result, SourceRow):
        yield result
    else:
        yield from result


# --- tables (CSV, XLSX) --------------------------------------------------------------------------

_HEADER_SCAN = 10  # non-blank rows looked at for the header (a title row may sit above it)


class _Table:
    """Rows of a spreadsheet-like file as (row number, cells)."""

    def __init__(self, rows: Iterator[tuple[int, list[Any]]], close: Callable[[], None], name: str) -> None:
        self._rows = rows
        self._pending: list[tuple[int, list[Any]]] = []
        self.close = close
        self.name = name
        self.header_row, self.headers = self._find_header()

    def _find_header(self) -> tuple[int, list[str]]:
        # The header is the first row with two or more filled cells; a one-cell title above it
        # (a merged 行政处罚信息 banner) is skipped. Rows keep their spreadsheet numbers either way.
        seen: list[tuple[int, list[Any]]] = []
        for number, cells in self._rows:
            filled = sum(not _is_blank(c) for c in cells)
            if not filled:
                continue
            seen.append((number, cells))
            if filled >= 2 or len(seen) >= _HEADER_SCAN:
                break
        if not seen:
            raise XinyongError(
                "invalid_file", detail=f"{self.name}: 文件没有表头 / the file has no header row"
            )
        at = next((i for i, (_, c) in enumerate(seen) if sum(not _is_blank(x) for x in c) >= 2), 0)
        self._pending = seen[at + 1 :]  # rows read past a one-column header are data
        number, cells = seen[at]
        headers = ["" if _is_blank(c) else _as_text(c) for c in cells]
        while headers and not headers[-1]:
            headers.pop()
        return number, headers

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        yield from self._pending
        yield from self._rows


def _table(rows: Iterator[tuple[int, list[Any]]], close: Callable[[], None], name: str) -> _Table:
    try:
        return _Table(rows, close, name)
    except BaseException:  # no header, or undecodable before it: release the file
        close()
        raise


def _sniff_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"  # GBK and GB2312 are subsets
    return "utf-8-sig"


def _open_csv(path: Path, encoding: str | None) -> _Table:
    chosen = encoding or _sniff_encoding(path)
    try:
        handle = path.open("r", encoding=chosen, newline="")
    except LookupError:
        raise XinyongError(
            "invalid_file", detail=f"{path.name}: 未知编码 / unknown encoding {encoding!r}"
        ) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, cells in enumerate(csv.reader(handle), start=1):
                yield number, cells
        except (csv.Error, UnicodeDecodeError) as exc:
            raise XinyongError(
                "invalid_file", row=number + 1, detail=f"{path.name}: {exc} (编码 encoding {chosen})"
            ) from None

    return _table(rows(), handle.close, path.name)


def _open_xlsx(path: Path) -> _Table:
    import openpyxl  # imported here: CSV and JSONL imports need no spreadsheet library

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for damaged files
        raise XinyongError("invalid_file", detail=f"{path.name}: {type(exc).__name__}: {exc}") from None
    if not book.worksheets:
        book.close()
        raise XinyongError("invalid_file", detail=f"{path.name}: 没有工作表 / no worksheet")
    sheet = book.worksheets[0]  # the first sheet is read; other sheets are ignored

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)

    return _table(rows(), book.close, path.name)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    hint = " (请另存为 .xlsx / save it as .xlsx)" if suffix == ".xls" else ""
    raise XinyongError(
        "invalid_file",
        detail=f"{path.name}: 不支持的文件格式 / unsupported format `{suffix}`{hint} (.csv, .xlsx, .jsonl)",
    )


def _plan_table(
    mapping: Mapping, table: _Table, defaults: dict[str, Any]
) -> list[tuple[str | None, str | None]]:
    """(header, target) per column; checks the header row once for the whole file."""
    plan: list[tuple[str | None, str | None]] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for header in table.headers:
        key = normalise_header(header)
        if not key:
            plan.append((None, None))
            continue
        if key in seen:
            raise XinyongError(
                "invalid_file",
                field=header,
                detail=f"{table.name}: 列重复 / column repeats: `{seen[key]}`, `{header}`",
            )
        seen[key] = header
        try:
            plan.append((header, mapping.target_for(header)))
        except KeyError:
            unknown.append(header)
    if unknown:
        raise XinyongError(
            "invalid_file",
            field=unknown[0],
            detail=f"{table.name}: 映射中没有的列 / not in mapping {mapping.id}: {', '.join(unknown)}",
        )
    covered = {t for _, t in plan if t} | set(defaults)  # the mapper's defaults hold `item` and the mapping's
    for target in mapping.required:
        if target not in covered:
            expected = " / ".join(mapping.headers_for(target)) or target
            raise XinyongError(
                "invalid_file",
                field=target,
                detail=f"{table.name}: 缺少必需的列 / missing required column for `{target}`: {expected}",
            )
    return plan


def _table_rows(
    table: _Table, plan: list[tuple[str | None, str | None]], mapper: _RowMapper
) -> Iterator[SourceRow | RowError]:
    try:
        for number, cells in table.rows():
            if number <= table.header_row or all(_is_blank(c) for c in cells):
                continue
            padded = list(cells) + [None] * (len(plan) - len(cells))
            triples = [
                (plan[i][0], plan[i][1], value) if i < len(plan) else (None, None, value)
                for i, value in enumerate(padded)
            ]
            yield from _emit(mapper.map(number, triples))
    finally:
        table.close()


# --- JSON Lines ----------------------------------------------------------------------------------


def _jsonl_rows(
    handle: io.BufferedReader, encoding: str, mapper: _RowMapper
) -> Iterator[SourceRow | RowError]:
    mapping = mapper.mapping
    try:
        for number, raw_line in enumerate(handle, start=1):
            try:
                line = raw_line.decode(encoding)
            except UnicodeDecodeError as exc:
                yield RowError(
                    number, "", "invalid_file", f"不是 {encoding} 文本 / not {encoding} text: {exc}"
                )
                continue
            line = line.lstrip("\ufeff") if number == 1 else line
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                yield RowError(number, "", "invalid_file", f"不是 JSON / not JSON: {exc}")
                continue
            if not isinstance(obj, dict):
                yield RowError(
                    number, "", "invalid_file", "每行应为一个 JSON 对象 / each line must be a JSON object"
                )
                continue
            triples: list[tuple[str | None, str | None, Any]] = []
            errors: list[RowError] = []
            for key, value in obj.items():
                if key == "data" and mapping.data_columns:
                    if value is None:
                        continue
                    if not isinstance(value, dict):
                        errors.append(
                            RowError(
                                number, "data", "invalid_field", "data 应为对象 / data must be an object"
                            )
                        )
                        continue
                    triples.extend((f"data.{k}", f"data.{k}", v) for k, v in value.items())
                    continue
                try:
                    triples.append((key, mapping.target_for(key), value))
                except KeyError:
                    errors.append(
                        RowError(
                            number, key, "invalid_field", f"未知字段 / unknown key for mapping {mapping.id}"
                        )
                    )
            result = mapper.map(number, triples)
            if errors:
                yield from errors
                if not isinstance(result, SourceRow):
                    yield from result
                continue
            yield from _emit(result)
    finally:
        handle.close()


# --- public entry points -------------------------------------------------------------------------


def read_rows(
    path: Path,
    *,
    mapping: str | Path | Mapping | None = None,
    encoding: str | None = None,
    defaults: dict[str, Any] | None = None,
) -> Iterator[SourceRow | RowError]:
    """The rows of a provider file, mapped: a SourceRow per good row, RowErrors for bad cells.

    The format follows the extension (.csv, .xlsx, .jsonl/.ndjson). CSV is read as UTF-8 (with or
    without BOM) and otherwise as GB18030, unless `encoding` is given. Without `mapping` the
    header row picks a built-in (:func:`detect_mapping`); JSON Lines use ``native``. `defaults`
    (platform keys, ``data.<key>`` for free fields) fill what a row leaves empty; a row's own value
    wins. The file and its header are checked before this returns, so an unreadable file, an
    unknown layout or a missing required column raises XinyongError here, not while iterating.
    """
    path = Path(path)
    fmt = _format_of(path)
    chosen = _resolve_mapping(mapping)
    if not path.is_file():
        raise XinyongError("invalid_file", detail=f"{path}: 文件不存在 / no such file")
    if fmt == "jsonl":
        chosen = chosen or _builtins()["native"]
        mapper = _RowMapper(chosen, defaults)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise XinyongError("invalid_file", detail=f"{path}: {exc}") from None
        return _jsonl_rows(handle, encoding or "utf-8", mapper)
    try:
        table = _open_csv(path, encoding) if fmt == "csv" else _open_xlsx(path)
    except OSError as exc:
        raise XinyongError("invalid_file", detail=f"{path}: {exc}") from None
    try:
        chosen = chosen or detect_mapping(table.headers)
        mapper = _RowMapper(chosen, defaults)
        plan = _plan_table(chosen, table, mapper.defaults)
    except BaseException:
        table.close()
        raise
    return _table_rows(table, plan, mapper)


def count_rows(path: Path) -> int | None:
    """About how many data rows a file has (for a progress bar); None when it cannot tell cheaply."""
    path = Path(path)
    try:
        fmt = _format_of(path)
        if fmt == "xlsx":
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:
                last = book.worksheets[0].max_row if book.worksheets else None
            finally:
                book.close()
            return max(last - 1, 0) if last else None
        with path.open("rb") as handle:
            if fmt == "jsonl":
                return sum(1 for line in handle if line.strip())
            lines, last = 0, b"\n"
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"  # a last line without a line break
        return max(lines - 1, 0)  # minus the header; blank lines and quoted line breaks count too
    except (OSError, XinyongError, ValueError, KeyError):
        return None
    except Exception:  # a damaged spreadsheet: the real read reports it
        return None


_ID_TYPE_NAMES = {
    "身份证": "ric",
    "居民身份证": "ric",
    "护照": "passport",
    "港澳居民来往内地通行证": "hk_macao_permit",
    "台湾居民来往大陆通行证": "taiwan_permit",
    "外国人永久居留身份证": "foreign_permanent_residence",
}


def _responsible_from_columns(values: dict[str, Any]) -> None:
    """A 法定代表人 named with an id number also becomes a responsible-person link (R-SUB-05).

    A person is only ever linked by identifier; a name alone stays in the row as it came.
    """
    person_id = values.get("legal_representative_id")
    if person_id and "responsible" not in values:
        id_type = values["data"].get("legal_representative_id_type")
        values["responsible"] = [
            {
                "role": "legal_representative",
                "name": values.get("legal_representative") or "",
                "id": str(person_id),
                "id_type": _ID_TYPE_NAMES.get(str(id_type), id_type) if id_type else None,
            }
        ]
