"""Redaction modes, and redacting every text field of an item with one shared map.

- mask: each span becomes its entity type in brackets, `[EMAIL]`. Nothing links two values.
- placeholder: `<EMAIL_1>`, `<EMAIL_2>`, ...: the same value gets the same placeholder
  everywhere in one record (one `Redactor`), so a conversation stays readable.
- hash: `<EMAIL:3f2a9c1b>`, the first 8 hex digits of HMAC-SHA256 keyed by HONING_PII_KEY, so
  the same value gets the same token in every record and every run with that key, and
  nobody without the key can test a guess.

Placeholders and hashes use a normalised value (e-mail lower-cased, numbers without
separators), so "+44 20 7946 0958" and "+442079460958" are one person."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from typing import Any, Literal, get_args

import orjson

from honing._errors import InvalidInput
from honing.datasets.pii._detect import active_backends, check_entities, detect
from honing.datasets.pii._ner import NerBackend
from honing.datasets.pii._span import Span
from honing.domain import Item

RedactionMode = Literal["mask", "placeholder", "hash"]
REDACTION_MODES: tuple[str, ...] = get_args(RedactionMode)
KEY_VARIABLE = "HONING_PII_KEY"
_DIGIT_ENTITIES = frozenset({"PHONE", "CREDIT_CARD", "SSN"})


def check_mode(mode: str) -> RedactionMode:
    if mode not in REDACTION_MODES:
        raise InvalidInput(f"PII redaction mode {mode!r} is not known",
                           hint="use one of: " + ", ".join(REDACTION_MODES))
    return mode  # type: ignore[return-value]


def hash_key() -> bytes:
    """The HMAC key for hash mode, from the environment; refuses to run without one, since
    an unkeyed hash of a phone number is reversible by trying every number."""
    key = os.environ.get(KEY_VARIABLE, "")
    if len(key) < 16:
        raise InvalidInput(
            f"hash redaction needs a secret key of at least 16 characters in {KEY_VARIABLE}",
            hint=f"set {KEY_VARIABLE} (e.g. `export {KEY_VARIABLE}=$(openssl rand -hex 32)`) "
                 "and keep it: the same key gives the same tokens")
    return key.encode()


class Redactor:
    """Redacts the texts of one record. Placeholder numbering is shared by every text it
    redacts, so use one Redactor per record (or per group of records to link)."""

    def __init__(self, mode: str, *, entities: Iterable[str] | None = None,
                 key: bytes | None = None, backends: Sequence[str | NerBackend] = ()) -> None:
        self.mode = check_mode(mode)
        self.backends = active_backends(backends)
        self.entities = check_entities(entities, self.backends)
        self._key = (key or hash_key()) if self.mode == "hash" else b""
        self._placeholders: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self.found: dict[str, int] = {}  # spans replaced, per entity type

    def redact(self, text: str) -> str:
        spans = detect(text, entities=self.entities, backends=self.backends)
        return self.apply(text, spans) if spans else text

    def apply(self, text: str, spans: Sequence[Span]) -> str:
        """Replace already-detected, non-overlapping `spans` (in order) of `text`."""
        pieces: list[str] = []
        position = 0
        for span in spans:
            pieces.append(text[position:span.start])
            pieces.append(self._replacement(span.entity, text[span.start:span.end]))
            position = span.end
            self.found[span.entity] = self.found.get(span.entity, 0) + 1
        pieces.append(text[position:])
        return "".join(pieces)

    def _replacement(self, entity: str, value: str) -> str:
        if self.mode == "mask":
            return f"[{entity}]"
        normal = normalise(entity, value)
        if self.mode == "hash":
            digest = hmac.new(self._key, f"{entity}\x00{normal}".encode(), hashlib.sha256)
            return f"<{entity}:{digest.hexdigest()[:8]}>"
        known = self._placeholders.get((entity, normal))
        if known is None:
            self._counts[entity] = self._counts.get(entity, 0) + 1
            known = self._placeholders[(entity, normal)] = f"<{entity}_{self._counts[entity]}>"
        return known


def normalise(entity: str, value: str) -> str:
    if entity in _DIGIT_ENTITIES:
        digits = "".join(c for c in value if c.isdigit())
        return ("+" + digits[2:] if digits.startswith("00") else digits) if entity == "PHONE" \
            else digits
    if entity == "IBAN":
        return value.replace(" ", "").upper()
    if entity == "EMAIL":
        return value.lower()
    return value


def redact(text: str, mode: str = "mask", *, entities: Iterable[str] | None = None,
           backends: Sequence[str | NerBackend] = ()) -> str:
    """`text` with every detected entity replaced (see the module doc for the modes)."""
    return Redactor(mode, entities=entities, backends=backends).redact(text)


def redact_texts(texts: Sequence[str], mode: str = "placeholder", *,
                 entities: Iterable[str] | None = None,
                 backends: Sequence[str | NerBackend] = ()) -> list[str]:
    """Several texts of one record, sharing one placeholder map."""
    redactor = Redactor(mode, entities=entities, backends=backends)
    return [redactor.redact(text) for text in texts]


def redact_item(item: Item, redactor: Redactor) -> Item:
    """The item with every text field redacted: message content and text parts, tool call
    arguments, tool results, context documents (title and content), response content and
    tool calls, and string values in metadata. Ids, roles, names and structure stay.
    Returns the same object when nothing changed."""
    body = item.model_dump(mode="json", exclude_none=True)
    changed = False

    def text(value: str) -> str:
        nonlocal changed
        redacted = redactor.redact(value)
        changed = changed or redacted != value
        return redacted

    for message in body["messages"]:
        content = message.get("content")
        if isinstance(content, str):
            message["content"] = text(content)
        elif isinstance(content, list):
            for part in content:
                if part.get("type") == "text":
                    part["text"] = text(part["text"])
        redact_tool_calls(message.get("tool_calls"), text)
    for document in body["context"]:
        document["content"] = text(document["content"])
        if "title" in document:
            document["title"] = text(document["title"])
    for response in body["responses"]:
        if "content" in response:
            response["content"] = text(response["content"])
        redact_tool_calls(response.get("tool_calls"), text)
    body["metadata"] = _redact_values(body["metadata"], text)
    return Item.model_validate(body) if changed else item


def redact_tool_calls(calls: list[dict[str, Any]] | None, text: Any) -> None:
    """Rewrite the arguments of OpenAI-shaped tool calls in place with `text` (a function
    from a text to its redaction), keeping them valid JSON."""
    for call in calls or ():
        # Arguments are JSON text; replacements hold no quotes or backslashes, so valid JSON
        # stays valid. Still check, and fall back to redacting each string value.
        arguments = call["function"]["arguments"]
        redacted = text(arguments)
        if redacted != arguments:
            try:
                orjson.loads(redacted)
            except orjson.JSONDecodeError:
                try:
                    redacted = orjson.dumps(_redact_values(orjson.loads(arguments), text)).decode()
                except orjson.JSONDecodeError:
                    pass  # not JSON to begin with: the text redaction stands
        call["function"]["arguments"] = redacted


def _redact_values(value: Any, text: Any) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        return [_redact_values(v, text) for v in value]
    if isinstance(value, dict):
        return {k: _redact_values(v, text) for k, v in value.items()}
    return value
