"""Feedback signals as values: what a product's end users said about one answer.

Four kinds, each with one shape, so sampling and incidents can read them without guessing:
a thumb is +1 or -1; a rating is a value between 0 and its scale (a 4 out of 5); a comment
and a corrected answer carry text. Everything that takes signals from outside (the API,
span events of traces, imports from other tools) builds them with `parse_signal`, so a bad
one is refused with the same message wherever it came from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from honing._errors import InvalidInput

MAX_TEXT = 100_000  # characters in a comment or a corrected answer
MAX_NAME = 200  # characters in a source, external id or author


class SignalKind(StrEnum):
    thumbs = "thumbs"
    rating = "rating"
    comment = "comment"
    correction = "correction"


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    value: float | None = None  # thumbs: +1 or -1; rating: 0..scale
    scale: float | None = None  # rating: the best possible value
    text: str | None = None  # comment, correction
    source: str = "api"
    external_id: str | None = None  # the sender's id: a signal sent twice is stored once
    author: str | None = None
    given_at: datetime | None = None

    def __post_init__(self) -> None:
        check_signal(self)

    @property
    def negative(self) -> bool:
        """A thumbs-down, or a rating in the lower half of its scale: what priority sampling
        and incidents look for first."""
        if self.kind is SignalKind.thumbs:
            return self.value is not None and self.value < 0
        if self.kind is SignalKind.rating and self.value is not None and self.scale:
            return self.value / self.scale < 0.5
        return False

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind.value, "source": self.source}
        for name in ("value", "scale", "text", "external_id", "author"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        if self.given_at is not None:
            body["given_at"] = self.given_at.isoformat()
        return body


def check_signal(signal: Signal, where: str = "signal") -> None:
    kind = signal.kind
    if kind is SignalKind.thumbs:
        if signal.value not in (1, -1):
            raise InvalidInput(f"{where}: a thumbs signal has value 1 (up) or -1 (down), "
                               f"got {signal.value!r}")
        if signal.text is not None or signal.scale is not None:
            raise InvalidInput(f"{where}: a thumbs signal has only a value (send a comment "
                               "as its own signal)")
    elif kind is SignalKind.rating:
        if signal.value is None or signal.scale is None:
            raise InvalidInput(f"{where}: a rating needs a value and a scale (e.g. 4 of 5)")
        if not (math.isfinite(signal.scale) and signal.scale > 0):
            raise InvalidInput(f"{where}: a rating's scale must be a positive number, "
                               f"got {signal.scale!r}")
        if not (math.isfinite(signal.value) and 0 <= signal.value <= signal.scale):
            raise InvalidInput(f"{where}: a rating's value must lie between 0 and its scale "
                               f"{signal.scale:g}, got {signal.value!r}")
    else:
        if not isinstance(signal.text, str) or not signal.text.strip():
            raise InvalidInput(f"{where}: a {kind.value} signal needs text")
        if len(signal.text) > MAX_TEXT:
            raise InvalidInput(f"{where}: the {kind.value} is longer than {MAX_TEXT} characters")
        if signal.value is not None or signal.scale is not None:
            raise InvalidInput(f"{where}: a {kind.value} signal has text, not a value")
    for name in ("source", "external_id", "author"):
        value = getattr(signal, name)
        if value is not None and (not isinstance(value, str) or not value or len(value) > MAX_NAME):
            raise InvalidInput(f"{where}: {name} must be text of 1 to {MAX_NAME} characters")


def _number(value: Any, name: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):  # a JSON true is not a thumbs-up by accident
        raise InvalidInput(f"{where}: {name} must be a number, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise InvalidInput(f"{where}: {name} must be a number, got {value!r}")


def _moment(value: Any, where: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"{where}: given_at {value!r} is not an ISO 8601 time") from None
    else:
        raise InvalidInput(f"{where}: given_at must be an ISO 8601 time")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_signal(data: Any, *, where: str = "signal", source: str | None = None) -> Signal:
    """A signal from a JSON-like dict: {"kind": "thumbs", "value": -1}, {"kind": "rating",
    "value": 2, "scale": 5}, {"kind": "comment", "text": ...}. "up"/"down" are accepted as
    thumbs values. `source` is used when the dict names none."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: expected an object, got {type(data).__name__}")
    unknown = set(data) - {"kind", "value", "scale", "text", "source", "external_id", "author",
                           "given_at"}
    if unknown:
        raise InvalidInput(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        kind = SignalKind(str(data.get("kind", "")).strip().lower())
    except ValueError:
        raise InvalidInput(f"{where}: kind must be one of "
                           f"{', '.join(k.value for k in SignalKind)}, got {data.get('kind')!r}",
                           ) from None
    value = data.get("value")
    if kind is SignalKind.thumbs and isinstance(value, str) and value.lower() in ("up", "down"):
        value = 1 if value.lower() == "up" else -1
    try:
        return Signal(kind=kind, value=_number(value, "value", where),
                      scale=_number(data.get("scale"), "scale", where), text=data.get("text"),
                      source=data.get("source") or source or "api",
                      external_id=_text_or_none(data.get("external_id")),
                      author=_text_or_none(data.get("author")),
                      given_at=_moment(data.get("given_at"), where))
    except InvalidInput as error:  # the checks name a bare "signal"; say which one
        if error.message.startswith("signal:"):
            raise InvalidInput(where + error.message[len("signal"):]) from None
        raise


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
