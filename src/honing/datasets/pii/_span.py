"""What a detector reports, and how overlapping reports become one clean list."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True, init=False)
class Span:
    """A detected entity: text[start:end] is an `entity` (e.g. "EMAIL") with confidence `score`.
    The span carries offsets only, never the value, so it is safe to log."""

    start: int
    end: int
    entity: str
    score: float

    def __init__(self, start: int, end: int, entity: str, score: float) -> None:
        # Written out: dense text makes tens of thousands of spans per megabyte, and setting
        # the slots through their descriptors costs a third of the generated frozen __init__
        # with a __post_init__.
        if not 0 <= start < end:
            raise ValueError(f"a span needs 0 <= start < end, got {start}..{end}")
        _set_start(self, start)
        _set_end(self, end)
        _set_entity(self, entity)
        _set_score(self, score)


_set_start, _set_end = Span.start.__set__, Span.end.__set__  # type: ignore[attr-defined]
_set_entity, _set_score = Span.entity.__set__, Span.score.__set__  # type: ignore[attr-defined]


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans in text order. Where candidates overlap, the highest score wins,
    then the longer span (a URL holding a password beats the e-mail-like part inside it),
    then the earlier one, then the entity name, so the outcome never depends on the order
    detectors ran in."""
    if len(spans) < 2:
        return list(spans)
    ranked = sorted(spans, key=lambda s: (-s.score, s.start - s.end, s.start, s.entity))
    starts: list[int] = []
    kept: list[Span] = []
    for span in ranked:
        index = bisect_left(starts, span.start)
        if index > 0 and kept[index - 1].end > span.start:
            continue
        if index < len(kept) and kept[index].start < span.end:
            continue
        starts.insert(index, span.start)
        kept.insert(index, span)
    return kept
