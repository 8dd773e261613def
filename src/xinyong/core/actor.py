"""Who is acting: a user with one role, and what each role may read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xinyong.core.errors import XinyongError


class Role(StrEnum):
    operator = "operator"  # 公共信用信息工作机构
    provider = "provider"  # 公共信用信息提供单位
    government = "government"  # 政务共享 / 依职权查询 units
    agency = "agency"  # credit service agency (授权查询)
    subject = "subject"  # a credit subject after real-name authentication


# channels a role may read through (records/rules.Channel values)
ROLE_CHANNELS: dict[Role, frozenset[str]] = {
    Role.operator: frozenset({"public", "government", "self", "authorized", "provider"}),
    Role.provider: frozenset({"public", "provider"}),
    Role.government: frozenset({"public", "government"}),
    Role.agency: frozenset({"public", "authorized"}),
    Role.subject: frozenset({"public", "self"}),
}


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    organization: str | None = None  # unit name for providers, government units and agencies
    subject_id: int | None = None  # the subject a `subject` user is
    jurisdiction: str | None = None  # None: every jurisdiction

    @property
    def name(self) -> str:
        return self.organization or self.username

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise XinyongError("not_allowed", detail=f"role {self.role.value} may not do this")

    def require_channel(self, channel: str) -> None:
        if channel not in ROLE_CHANNELS[self.role]:
            raise XinyongError("forbidden_channel", detail=f"{self.role.value} → {channel}")

    def require_jurisdiction(self, jurisdiction: str) -> None:
        if self.jurisdiction is not None and self.jurisdiction != jurisdiction:
            raise XinyongError("not_allowed", detail=f"account limited to {self.jurisdiction}")


SYSTEM = Actor(username="system", role=Role.operator, organization="公共信用信息工作机构")
