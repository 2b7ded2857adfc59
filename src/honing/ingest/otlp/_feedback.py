"""End users' feedback carried on spans, as feedback signals (source "otlp").

Two documented ways to send it (docs/production-intake.md):
- a span event named `gen_ai.user.feedback` whose attributes are a signal's fields:
  `kind` (thumbs, rating, comment, correction), `value`, `scale`, `text`, `author`;
- span attributes `user.feedback.thumbs` (1/-1 or up/down), `user.feedback.rating` with
  `user.feedback.rating_scale` (default 5), `user.feedback.comment`,
  `user.feedback.correction`, and `user.feedback.author` for all of them.

Each signal's external id is the span id and its index on the span, so a span sent again
adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from honing.feedback import Signal, parse_signal
from honing.ingest.otlp._decode import SpanRecord

EVENT = "gen_ai.user.feedback"
SOURCE = "otlp"
_FIELDS = ("kind", "value", "scale", "text", "author")


def span_signals(span: SpanRecord) -> list[Signal]:
    """The span's signals; InvalidInput naming the span for a malformed one."""
    raw: list[tuple[dict, int | None]] = []
    for event in span.events:
        if event.get("name") == EVENT:
            attrs = event.get("attributes") or {}
            raw.append(({k: attrs[k] for k in _FIELDS if k in attrs}, event.get("time_ns")))
    a = span.attributes
    author = a.get("user.feedback.author")
    if "user.feedback.thumbs" in a:
        raw.append(({"kind": "thumbs", "value": a["user.feedback.thumbs"]}, None))
    if "user.feedback.rating" in a:
        raw.append(({"kind": "rating", "value": a["user.feedback.rating"],
                     "scale": a.get("user.feedback.rating_scale", 5)}, None))
    for kind in ("comment", "correction"):
        if f"user.feedback.{kind}" in a:
            raw.append(({"kind": kind, "text": a[f"user.feedback.{kind}"]}, None))
    signals = []
    for index, (data, time_ns) in enumerate(raw):
        if author is not None and "author" not in data:
            data["author"] = str(author)
        data["external_id"] = f"{span.span_id}:{index}"
        data["given_at"] = datetime.fromtimestamp((time_ns or span.end_ns) / 1e9, UTC).isoformat()
        signals.append(parse_signal(data, where=f"span {span.span_id} feedback {index}",
                                    source=SOURCE))
    return signals
