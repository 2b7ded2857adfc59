"""Agreement on pairwise preferences ("is response A or B better, and by how much?").

Two questions hide in one answer, so both are reported: do raters agree on the direction
(A, tie, B; a tie is its own answer, never dropped, since "they are equally good" is a
judgement raters can disagree on), and do they agree on the 5-point strength scale
A>>B < A>B < tie < B>A < B>>A (ordinal, so A>>B vs A>B is a smaller disagreement than
A>>B vs B>>A). Each comes as Krippendorff's alpha and as raw pairwise agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._gwet import percent_agreement
from honing.quality.agreement._krippendorff import krippendorff_alpha
from honing.quality.agreement._matrix import encode

# Strength, A-favouring negative (as honing.rubrics scores pairwise verdicts).
STRENGTH = {"A>>B": -2, "A>B": -1, "tie": 0, "B>A": 1, "B>>A": 2}


@dataclass(frozen=True)
class PreferenceAgreement:
    """Agreement on pairwise preference answers; NaN fields carry their reason."""

    direction_alpha: float
    """Nominal alpha on the direction: A, tie or B."""
    strength_alpha: float
    """Ordinal alpha on the 5-point scale A>>B .. B>>A."""
    direction_agreement: float
    """Share of rater pairs (within items) that agree on the direction."""
    strength_agreement: float
    """Share of rater pairs (within items) that gave the identical answer."""
    n_items: int
    """Items with two or more answers."""
    n_pairs: int
    """Rater pairs within those items."""


def preference_agreement(matrix: Any) -> PreferenceAgreement:
    """Agreement of an items x raters matrix of "A>>B", "A>B", "tie", "B>A", "B>>A"
    (None for missing). Any other value is an InvalidInput naming item and rater."""
    enc = encode(matrix, name="preferences")
    if enc.kind not in ("text", "empty"):
        item, rater = enc.first_rated()
        raise InvalidInput(f"preferences: item {item}, rater {rater} is "
                           f"{enc.categories[enc.codes[item, rater]]!r}; answers must be one "
                           f"of {', '.join(STRENGTH)}")
    unknown = [i for i, v in enumerate(enc.categories) if v not in STRENGTH]
    if unknown:
        item, rater = enc.first_rated(np.isin(enc.codes, unknown))
        raise InvalidInput(f"preferences: item {item}, rater {rater} is "
                           f"{enc.categories[enc.codes[item, rater]]!r}; answers must be one "
                           f"of {', '.join(STRENGTH)}")
    lookup = np.asarray([STRENGTH[v] for v in enc.categories] + [0], dtype=float)
    strength = np.where(enc.codes >= 0, lookup[enc.codes], np.nan)  # code -1 reads the pad
    direction = np.sign(strength)  # -1 A, 0 tie, 1 B; NaN stays NaN
    m = (enc.codes >= 0).sum(axis=1)
    return PreferenceAgreement(
        direction_alpha=krippendorff_alpha(direction, "nominal"),
        strength_alpha=krippendorff_alpha(strength, "ordinal", values=list(STRENGTH.values())),
        direction_agreement=percent_agreement(direction),
        strength_agreement=percent_agreement(strength),
        n_items=int((m >= 2).sum()),
        n_pairs=int((m * (m - 1) // 2).sum()),
    )
