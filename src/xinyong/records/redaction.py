"""Which data keys of a record each channel may read (pure).

Sensitive personal data never appears publicly; some keys go only to the channels a profile
names (Jiangsu 第六十二条第三款: real estate and tax amount to the subject and those it authorised);
where a profile says sensitive data is desensitised when used (Shenzhen 第二十三条第二款), every
channel but the subject's own sees that the value exists, not what it is.
"""

from __future__ import annotations

from typing import Any

from xinyong.core.profile import Profile

MASKED = "***（已脱敏 / desensitised）"


def shown_data(data: dict[str, Any], profile: Profile, channel: str) -> dict[str, Any]:
    hidden: set[str] = set()
    if channel == "public":
        hidden |= set(profile.intake.sensitive.keys)
    for rule in profile.intake.restricted:
        if channel not in rule.channels:
            hidden |= set(rule.keys)
    sensitive = profile.intake.sensitive
    masked = set(sensitive.keys) if sensitive.desensitise_when_used and channel != "self" else set()
    return {k: (MASKED if k in masked else v) for k, v in data.items() if k not in hidden}
