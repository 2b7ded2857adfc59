"""PII and secrets in the rows an export writes.

Every text a row holds (message contents, tool call arguments, plain-text prompts and
completions, edited ideal responses) goes through the PII detectors as the row is written,
so the scan streams with the export. A row that holds PII is left out by default and its
item is listed; `--redact-pii MODE` writes it redacted instead and `--allow-pii` keeps it
as it is. Tool schemas and provenance are not user content and are not scanned. Findings
name entity types only, never the text found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from honing.datasets.pii import (
    NerBackend,
    Redactor,
    active_backends,
    check_mode,
    detect,
    redact_tool_calls,
)

LEFT_OUT, REDACTED, KEPT = "left out", "redacted", "kept"
_SCANNED_KINDS = ("messages", "text")


@dataclass
class PiiFinding:
    """One item whose rows held PII: the entity types found and what was done with them."""

    item_id: int
    action: str  # left out | redacted | kept
    entities: set[str] = field(default_factory=set)
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "entities": sorted(self.entities), "rows": self.rows,
                "action": self.action}


class RowScreen:
    """Scans the rows of one export. Placeholders are numbered per item, so the chosen and
    rejected answers of one conversation name the same card `<CREDIT_CARD_1>` alike."""

    def __init__(self, columns: dict[str, str], *, redact: str | None = None, allow: bool = False,
                 backends: Sequence[str | NerBackend] = ()):
        self.mode = check_mode(redact) if redact else None
        # The workspace's NER backends (`honing.datasets.pii.workspace_backends`), loaded
        # before anything is written.
        self.backends = active_backends(backends)
        if self.mode:
            Redactor(self.mode)  # a missing hash key fails here, before anything is written
        self.action = REDACTED if self.mode else KEPT if allow else LEFT_OUT
        self.columns = [name for name, kind in columns.items() if kind in _SCANNED_KINDS]
        self.findings: dict[int, PiiFinding] = {}
        self._item: int | None = None
        self._redactor: Redactor | None = None
        # An item's rows repeat its prompt (kto: one row per response): detect each text once.
        self._spans: dict[str, list[Any]] = {}

    def screen(self, item_id: int, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row to write (redacted when asked), or None when it is left out."""
        found: set[str] = set()
        redactor = self._start(item_id)

        def text(value: str) -> str:
            spans = self._spans.get(value)
            if spans is None:
                spans = self._spans[value] = detect(value, backends=self.backends)
            if not spans:
                return value
            found.update(span.entity for span in spans)
            return redactor.apply(value, spans) if redactor else value

        screened = {**row, **{column: _walk(row[column], text) for column in self.columns}}
        if not found:
            return row
        finding = self.findings.setdefault(item_id, PiiFinding(item_id, self.action))
        finding.entities |= found
        finding.rows += 1
        if self.action == REDACTED:
            return screened
        return row if self.action == KEPT else None

    def _start(self, item_id: int) -> Redactor | None:
        """The item's redactor (None unless redacting); a new item starts afresh."""
        if self._item != item_id:
            self._item, self._spans = item_id, {}
            self._redactor = Redactor(self.mode) if self.mode else None
        return self._redactor

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.findings.values())

    def entity_types(self) -> list[str]:
        return sorted({e for f in self.findings.values() for e in f.entities})

    def summary(self) -> dict[str, Any]:
        """What the manifest and the card say: the policy, and each item with its types."""
        return {"action": self.action, "mode": self.mode, "rows": self.rows,
                "items": [f.as_dict() for f in sorted(self.findings.values(), key=lambda f: f.item_id)]}

    def warning(self) -> str | None:
        if not self.findings:
            return None
        what = f"{self.rows} rows of {len(self.findings)} items hold PII or secrets ({', '.join(self.entity_types())})"
        if self.action == LEFT_OUT:
            return (f"{what} and were left out; --redact-pii MODE (mask, placeholder or hash) writes "
                    "them redacted, --allow-pii keeps them")
        if self.action == KEPT:
            return f"{what} and were written unchanged (--allow-pii)"
        return None


def _walk(value: Any, text: Callable[[str], str]) -> Any:
    """A copy of a row column with `text` applied to every user-content string."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        return [_message(m, text) if isinstance(m, dict) else m for m in value]
    return value


def _message(message: dict[str, Any], text: Callable[[str], str]) -> dict[str, Any]:
    out = dict(message)
    if isinstance(out.get("content"), str):
        out["content"] = text(out["content"])
    if out.get("tool_calls"):
        calls = [{**call, "function": dict(call["function"])} for call in out["tool_calls"]]
        redact_tool_calls(calls, text)
        out["tool_calls"] = calls
    return out
