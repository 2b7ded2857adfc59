"""Strata and how many items each gives: proportional, Neyman or fixed allocation, with
per-stratum budgets. Pure: strata labels and figures in, counts out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.sampling._design import MISSING_STRATUM, Design
from honing.sampling._probabilities import largest_remainder


def stratum_labels(values: Sequence[Any]) -> list[str]:
    """A metadata value as a stratum name; items without the field share one stratum."""
    return [MISSING_STRATUM if v is None else str(v) for v in values]


def standard_deviations(labels: list[str], strata: list[str], figures: np.ndarray) -> np.ndarray:
    """Each stratum's population SD of `figures` (NaN values ignored; 0 with none)."""
    out = np.zeros(len(strata))
    index = {s: k for k, s in enumerate(strata)}
    groups: list[list[float]] = [[] for _ in strata]
    for label, value in zip(labels, figures, strict=True):
        if not np.isnan(value):
            groups[index[label]].append(float(value))
    for k, group in enumerate(groups):
        out[k] = float(np.std(group)) if group else 0.0
    return out


def allocate(design: Design, strata: list[str], sizes: np.ndarray, sds: np.ndarray | None) -> np.ndarray:
    """n_h for each stratum. Budgets fix their strata's counts; the rest of the size goes
    to the other strata in proportion to N_h (proportional) or N_h * S_h (Neyman), at
    least one each when the size allows it, so that no stratum is left with pi = 0."""
    unknown = sorted(set(design.budgets) - set(strata))
    if unknown:
        raise InvalidInput(f"budget for stratum(s) {', '.join(map(repr, unknown))}, which the frame "
                           f"does not have", hint=f"strata of {design.stratify_by!r}: "
                           f"{', '.join(strata[:20])}")
    counts = np.zeros(len(strata), dtype=np.int64)
    budgeted = np.zeros(len(strata), dtype=bool)
    for k, stratum in enumerate(strata):
        if stratum in design.budgets:
            budget = design.budgets[stratum]
            if budget > sizes[k]:
                raise InvalidInput(f"the budget of stratum {stratum!r} ({budget}) is larger than "
                                   f"the stratum ({int(sizes[k])} items in the frame)",
                                   hint=f"use at most --budget {stratum}={int(sizes[k])}")
            counts[k], budgeted[k] = budget, True
    if design.allocation == "fixed":
        return counts
    assert design.size is not None
    left = design.size - int(counts.sum())
    if left < 0:
        raise InvalidInput(f"the budgets ({int(counts.sum())}) exceed the size {design.size}")
    free = ~budgeted
    if left > int(sizes[free].sum()):
        raise InvalidInput(f"size {design.size} needs {left} items from strata without a budget, "
                           f"which hold only {int(sizes[free].sum())}")
    shares = sizes[free].astype(float)
    if design.allocation == "neyman":
        assert sds is not None
        shares = shares * sds[free]
    others = int(free.sum())
    floor = np.full(others, 1 if left >= others else 0, dtype=np.int64)
    counts[free] = largest_remainder(shares, left, sizes[free], floor)
    return counts
