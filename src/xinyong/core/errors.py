"""Stable error codes with Chinese and English messages.

Every refusal the platform gives carries one of these codes. Scenario files, API clients and
provider units rely on them, so a code is never renamed; new ones are appended. The API renders a
:class:`XinyongError` as problem+json (RFC 9457), the CLI prints it, batch reports store it per row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int  # HTTP status used by the API
    zh: str
    en: str


def _codes(*codes: ErrorCode) -> dict[str, ErrorCode]:
    return {c.code: c for c in codes}


CODES: dict[str, ErrorCode] = _codes(
    # --- the conformance contract (SCENARIOS.md) ---
    ErrorCode("invalid_identifier", 422, "主体标识码无效", "the subject identifier is invalid"),
    ErrorCode("unknown_item", 422, "目录中无此信息项", "the item is not in this profile's catalog"),
    ErrorCode(
        "prohibited_data",
        422,
        "含有禁止采集的个人信息",
        "the record carries data that may never be collected",
    ),
    ErrorCode(
        "consent_required",
        422,
        "敏感个人信息缺少本人书面同意",
        "sensitive personal data without the written consent the profile requires",
    ),
    ErrorCode(
        "not_reportable", 422, "依本地条例该信息不得归集", "the profile says this record must not be reported"
    ),
    ErrorCode("window_closed", 422, "已超过异议申请期限", "filed after the profile's filing window"),
    ErrorCode(
        "too_early", 422, "尚未届满最短公示期", "requested before the minimum disclosure period elapsed"
    ),
    ErrorCode("not_repairable", 422, "该信息依规定不得修复", "the record or listing can never be repaired"),
    ErrorCode("not_eligible", 422, "不符合办理条件", "a precondition of the action is not met"),
    ErrorCode("not_allowed", 403, "无权办理该事项", "the actor may not do this"),
    ErrorCode(
        "lifetime_authorization",
        422,
        "不得一次性授权终身采集、使用，或授权期限超过规定",
        "an authorization with no end, or longer than the profile allows",
    ),
    ErrorCode(
        "extension_exceeds_cap", 422, "延长后超过总时限", "the extension would pass the profile's total cap"
    ),
    # --- platform codes ---
    ErrorCode("missing_field", 422, "缺少必填字段", "a required field is missing"),
    ErrorCode("invalid_field", 422, "字段值无效", "a field value is invalid"),
    ErrorCode("invalid_date", 422, "日期无效", "a date is invalid"),
    ErrorCode("unknown_subject", 404, "信用主体不存在", "no such credit subject"),
    ErrorCode("unknown_record", 404, "信用信息记录不存在", "no such record"),
    ErrorCode("unknown_authorization", 404, "授权不存在", "no such authorization"),
    ErrorCode("unknown_profile", 404, "无此辖区配置", "no such jurisdiction profile"),
    ErrorCode("unknown_batch", 404, "批次不存在", "no such batch"),
    ErrorCode("unknown_mapping", 422, "无此列映射", "no such column mapping"),
    ErrorCode("invalid_profile", 422, "辖区配置文件无效", "the jurisdiction profile file is invalid"),
    ErrorCode("invalid_catalog", 422, "目录信息项无效", "the catalog item is invalid"),
    ErrorCode("invalid_file", 422, "文件无法读取", "the file cannot be read"),
    ErrorCode("invalid_calendar", 422, "工作日历数据无效", "the calendar data is invalid"),
    ErrorCode(
        "subject_mismatch",
        409,
        "主体信息与已登记信息不一致",
        "the subject data conflicts with the registered subject",
    ),
    ErrorCode("already_revoked", 409, "该信息已撤销", "the record is already revoked"),
    ErrorCode("authorization_inactive", 403, "授权不在有效期内", "the authorization is not in force"),
    ErrorCode("unauthenticated", 401, "未登录或令牌无效", "missing or invalid API token"),
    ErrorCode("forbidden_channel", 403, "当前角色无权使用该查询渠道", "this role may not use that channel"),
    ErrorCode("not_found", 404, "资源不存在", "no such resource"),
    ErrorCode("invalid_request", 422, "请求无效", "the request is invalid"),
    # --- the subjects' rights ---
    ErrorCode("unknown_case", 404, "案件不存在", "no such case"),
    ErrorCode("case_closed", 409, "案件已办结", "the case is already closed"),
    ErrorCode(
        "conflict",
        409,
        "该案件已被他人同时处理，请刷新后重试",
        "someone else changed this case at the same time; reload and retry",
    ),
    ErrorCode(
        "wrong_stage", 409, "案件当前环节不能办理该事项", "the case is not at a stage where this can be done"
    ),
    ErrorCode("unknown_report", 404, "信用报告编号不存在", "no credit report with this number"),
    ErrorCode(
        "ground_not_listed",
        422,
        "异议事由不在本辖区条例列明的情形之内",
        "the objection ground is not one the profile's text lists",
    ),
    # --- lists, measures, the automatic check, commitments ---
    ErrorCode("unknown_list", 422, "本辖区无此名单", "this profile has no such list"),
    ErrorCode("unknown_listing", 404, "名单认定记录不存在", "no such listing"),
    ErrorCode(
        "ground_not_permitted",
        422,
        "列入事由不在本辖区规定的范围内",
        "the ground is not one this list permits",
    ),
    ErrorCode("unknown_matter", 422, "无此联合奖惩事项", "no such matter"),
    ErrorCode("unknown_measure", 404, "措施清单中无此措施", "no such measure in the measures lists"),
    ErrorCode("unknown_unit", 422, "实施单位不明", "the implementing unit is missing or unknown"),
    ErrorCode("unknown_check", 404, "比对记录不存在", "no such check"),
    ErrorCode("batch_too_large", 413, "批量比对超过上限", "the batch is larger than the limit"),
    ErrorCode("reason_required", 422, "未采取措施须书面说明理由", "a written reason is required"),
    ErrorCode("unknown_commitment", 404, "信用承诺不存在", "no such commitment"),
    ErrorCode("invalid_measures", 422, "措施清单文件无效", "the measures list file is invalid"),
)


@dataclass
class XinyongError(Exception):
    """A refusal with a stable code; `field`, `row` and `cite` say where and why."""

    code: str
    detail: str | None = None  # extra words, bilingual where possible
    field: str | None = None
    row: int | None = None
    cite: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered error code {self.code!r}")
        super().__init__(self.code)

    @property
    def spec(self) -> ErrorCode:
        return CODES[self.code]

    @property
    def status(self) -> int:
        return self.spec.status

    def message_zh(self) -> str:
        return self._message(self.spec.zh, "第{row}行", "字段", "依据")

    def message_en(self) -> str:
        return self._message(self.spec.en, "row {row}", "field", "see")

    def _message(self, base: str, row_fmt: str, field_word: str, cite_word: str) -> str:
        parts = []
        if self.row is not None:
            parts.append(row_fmt.format(row=self.row))
        if self.field:
            parts.append(f"{field_word} `{self.field}`")
        text = (", ".join(parts) + ": " if parts else "") + base
        if self.detail:
            text += f" ({self.detail})"
        if self.cite:
            text += f" [{cite_word} {self.cite}]"
        return text

    def __str__(self) -> str:
        return f"{self.code}: {self.message_zh()} / {self.message_en()}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message_zh": self.message_zh(),
            "message_en": self.message_en(),
        }
        for key in ("field", "row", "cite", "detail"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out.update(self.extra)
        return out
