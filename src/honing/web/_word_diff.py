"""A word-level diff of two texts, for reading two runs' answers side by side."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

# Words, runs of whitespace and single punctuation marks: a changed comma shows as one
# mark, not as a changed word, and whitespace is kept so the text reads as written.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """A run of the diff: text both have ("same"), only the baseline has ("del") or only
    the candidate has ("ins"). Plain text: the template escapes it."""

    kind: Literal["same", "del", "ins"]
    text: str


def word_diff(before: str, after: str) -> list[Segment]:
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("ins", "".join(b[j1:j2])))
    return segments
