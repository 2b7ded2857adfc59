"""One colour per answer of a question, the same in every chart that shows it.

A chart used to colour its categories by where they first appeared in it, so an answer
that was absent from one window or rater shifted every colour after it, and "incomplete"
could be blue in one chart and orange in the next. Here the colour depends only on the
question's option list and the answer: ordinal answers (likert points, severities,
pairwise verdicts) take their place on a sequential light-to-dark scale, so their order
reads from the colour; nominal answers take the categorical palette by option index."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from honing.charts._svg import PALETTE, _mix, colour

# ColorBrewer YlGnBu (Brewer & Harrower): a sequential scale that stays ordered in
# lightness for the common colour-vision deficiencies and in greyscale. The palest stops are
# left out, so the lowest answer still shows against the white page.
SEQUENTIAL = ("#C7E9B4", "#7FCDBB", "#41B6C4", "#1D91C0", "#225EA8", "#0C2C84")


def sequential(position: float) -> str:
    """The colour at `position` in [0, 1] along the sequential scale (low = light)."""
    t = min(max(position, 0.0), 1.0) * (len(SEQUENTIAL) - 1)
    i = min(int(t), len(SEQUENTIAL) - 2)
    return _mix(SEQUENTIAL[i], SEQUENTIAL[i + 1], t - i)


def _stray(answer: str) -> str:
    """An answer the options do not list (e.g. from an older rubric version): a tint of
    the palette picked from the answer's own text, so it is stable from chart to chart."""
    return _mix(PALETTE[zlib.crc32(answer.encode()) % len(PALETTE)], "#808080", 0.55)


@dataclass(frozen=True)
class AnswerScale:
    """A question's answers in the rubric's order, and whether that order is a ranking."""

    options: tuple[str, ...]
    ordinal: bool = False

    def colour(self, answer: str) -> str:
        if answer not in self.options:
            return _stray(answer)
        index = self.options.index(answer)
        if self.ordinal:
            return sequential(index / (len(self.options) - 1) if len(self.options) > 1 else 1.0)
        return colour(index)

    def order(self, seen: Sequence[str] = ()) -> list[str]:
        """The options in rubric order, then any other answers `seen`, as first seen."""
        return [*self.options, *(a for a in dict.fromkeys(seen) if a not in self.options)]
