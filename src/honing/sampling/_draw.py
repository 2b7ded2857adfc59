"""From a frame's strata and weights to each unit's inclusion probability and a draw that
honours it. Pure: the designs differ only in the strata and the weights they pass."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from honing._errors import InvalidInput
from honing.sampling._design import Design
from honing.sampling._probabilities import pps_probabilities, srs_draw, systematic_draw
from honing.sampling._strata import allocate


@dataclass(frozen=True)
class Draw:
    drawn: np.ndarray  # frame indices, ascending
    probabilities: np.ndarray  # of every frame unit
    strata: dict[str, tuple[int, int]]  # stratum -> (units in the frame, units drawn)


def draw(design: Design, size: int, rng: np.random.Generator, *, labels: list[str] | None = None,
         weights: np.ndarray | None = None, sds: np.ndarray | None = None) -> Draw:
    """Draw from a frame of `size` units. `labels`: each unit's stratum (None: one stratum, the whole frame); `weights`: each
    unit's size measure for probability-proportional-to-size selection within its stratum
    (None: equal probabilities, simple random sampling)."""
    if (labels is not None and len(labels) != size) or (weights is not None and len(weights) != size):
        raise ValueError("labels and weights must have one entry per unit of the frame")
    if labels is None:
        if design.size is None or design.size > size:  # a design without strata has a size
            raise InvalidInput(f"size {design.size} is larger than the frame ({size} items)",
                               hint=f"draw at most {size}")
        groups = {"": np.arange(size)}
        counts = {"": design.size}
    else:
        strata = sorted(set(labels))
        if design.size is not None and design.size > size:
            raise InvalidInput(f"size {design.size} is larger than the frame ({size} items)",
                               hint=f"draw at most {size}")
        label_array = np.array(labels, dtype=object)
        groups = {s: np.flatnonzero(label_array == s) for s in strata}
        sizes = np.array([len(groups[s]) for s in strata], dtype=np.int64)
        counts = dict(zip(strata, (int(c) for c in allocate(design, strata, sizes, sds)), strict=True))
    pi = np.zeros(size)
    drawn: list[np.ndarray] = []
    # Strata are drawn in a fixed (sorted) order from one generator: the seed decides all.
    for stratum in sorted(groups):
        members, n = groups[stratum], counts[stratum]
        if weights is None:
            pi[members] = n / len(members) if len(members) else 0.0
            drawn.append(members[srs_draw(len(members), n, rng)])
        else:
            pi[members] = pps_probabilities(weights[members], n)
            drawn.append(members[systematic_draw(pi[members], rng)])
    chosen = np.sort(np.concatenate(drawn)) if drawn else np.zeros(0, dtype=np.int64)
    return Draw(chosen, pi, {s: (len(groups[s]), counts[s]) for s in sorted(groups)} if labels is not None else {})
