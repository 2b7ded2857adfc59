"""Who is at the other end of a sign-in or a refused request, as the audit log records it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Control characters: PostgreSQL's JSONB refuses NUL, and a log must not carry terminal codes.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
USER_AGENT_CHARS = 200


def clean_text(value: str, limit: int) -> str:
    return _CONTROL.sub("", value)[:limit]


@dataclass(frozen=True)
class Client:
    """The client address (after trusted proxies) and its User-Agent header."""

    address: str = "unknown"
    user_agent: str = ""

    def audit_details(self) -> dict[str, str]:
        return {"address": clean_text(self.address, 64),
                "user_agent": clean_text(self.user_agent, USER_AGENT_CHARS)}


LOCAL = Client(address="local", user_agent="")
