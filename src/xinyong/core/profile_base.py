"""Building blocks shared by every profile section: strict models, cited values, durations."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.core.periods import Duration, Unit

SUBJECT_KINDS = ("legal_person", "unincorporated_org", "natural_person")
SubjectKindName = Literal["legal_person", "unincorporated_org", "natural_person"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InfoClass(StrEnum):
    basic = "basic"  # 基础信息
    good = "good"  # 良好信息 / 守信信息 / 正面信用信息
    dishonest = "dishonest"  # 失信信息 / 负面信用信息
    other = "other"  # 其他信息


class Severity(StrEnum):
    general = "general"
    severe = "severe"


class DurationSpec(Strict):
    """`{ value = 1, unit = "year" }`: the article's own unit (一年 is 1 year, never 365 day)."""

    value: Annotated[int, Field(ge=0)]
    unit: Unit

    def to_duration(self) -> Duration:
        return Duration(self.value, self.unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit.value}"


class Cited(Strict):
    description: str | None = None
    cite: str
    note: str | None = None
