"""One error family. Each error carries a message a user can act on, where it happened,
how to fix it, and how it maps onto an HTTP status and a CLI exit code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line or row, field) and what."""

    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None
    hint: str | None = None

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class HoningError(Exception):
    """Base of every error Honing raises on purpose."""

    status_code = 400
    exit_code = 2
    code = "bad_request"

    def __init__(self, message: str, *, hint: str | None = None, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


class InvalidInput(HoningError):
    status_code = 422
    code = "invalid_input"


class NotFound(HoningError):
    status_code = 404
    code = "not_found"


class Conflict(HoningError):
    status_code = 409
    code = "conflict"


class Unauthenticated(HoningError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(HoningError):
    status_code = 403
    code = "forbidden"


class PayloadTooLarge(HoningError):
    status_code = 413
    code = "payload_too_large"


class CheckFailed(HoningError):
    """A check ran and found a problem (a broken audit chain, a failed gate)."""

    status_code = 409
    exit_code = 1
    code = "check_failed"


__all__ = [
    "CheckFailed",
    "Conflict",
    "Forbidden",
    "HoningError",
    "InvalidInput",
    "NotFound",
    "PayloadTooLarge",
    "Problem",
    "Unauthenticated",
]
