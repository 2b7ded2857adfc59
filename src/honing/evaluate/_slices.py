"""Per-slice statistics of a paired comparison: the change in pass rate with its interval,
and a verdict that follows from the interval it prints.

A scenario gives one pair of outcomes (passed in the baseline, passed in the candidate),
so a slice is a paired 2×2 table and its change is Newcombe's square-and-add interval for
paired proportions (`honing.stats.paired_difference`). Unlike a percentile bootstrap it
does not collapse to a point when no pair is discordant: 3 of 3 passing in both runs is
+0.0 pp [−56.1, +56.1], not [+0.0, +0.0].

Verdicts are decided on the interval itself, adjusted for multiplicity:

- `all` is the primary comparison, decided on its interval at 1 − alpha.
- Tiers, tags and scorers are the secondary family. A slice holding exactly the same
  paired outcomes as another (a tag on every scenario, a scorer every scenario uses) is
  one hypothesis, not two: it is merged with the first one found, and one identical to
  `all` takes the primary's result. The remaining m distinct slices are adjusted by Holm's
  step-down procedure, applied to intervals: sorted by the p-value dual to their interval,
  the slice at step j is decided on its interval at level 1 − alpha/(m − j + 1), and from
  the first step that cannot reject on, every later slice uses that step's level. A slice
  is "better" or "worse" exactly when its Holm-adjusted p-value is below alpha, and
  exactly when the adjusted interval it prints excludes 0.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from honing.evaluate._model import TIERS, tier_rank
from honing.stats import (
    Estimate,
    holm,
    paired_bootstrap,
    paired_difference,
    paired_difference_p,
    proportion,
)

Verdict = Literal["better", "worse", "no significant difference", "not compared"]
KIND_ORDER = {"overall": 0, "tier": 1, "tag": 2, "scorer": 3}


def pp(value: float | None) -> str:
    """A change in percentage points: `+5.6 pp`."""
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:+.1f} pp"


def difference(estimate: Estimate) -> str:
    """`+5.6 pp [-0.6 pp, +12.2 pp]`, or n/a when undefined."""
    if math.isnan(estimate.value):
        return "n/a"
    interval = "" if math.isnan(estimate.low) else f" [{pp(estimate.low)}, {pp(estimate.high)}]"
    return f"{pp(estimate.value)}{interval}"


@dataclass(frozen=True)
class SliceComparison:
    """One slice (everything, a tier, a tag or a scorer) of a paired comparison."""

    kind: str  # "overall" | "tier" | "tag" | "scorer"
    name: str  # "all" for overall; the tier, tag or scorer label otherwise
    a: Estimate  # pass rate of run A over the slice's pairs (Wilson)
    b: Estimate
    pairs: int  # scenarios of the slice scored (not error, not unscored) in both runs
    regressed: int  # pass in A, not pass in B
    fixed: int  # not pass in A, pass in B
    difference: Estimate  # B − A of the pass rate, Newcombe's paired interval at `conf`
    adjusted: Estimate  # the same at the level the verdict is decided at (see the module)
    p_value: float  # two-sided, dual to the interval
    p_holm: float  # Holm-adjusted within the family (the primary `all`: unadjusted)
    verdict: Verdict
    family: int  # m: hypotheses in the slice's family (1 for the primary)
    same_as: str | None = None  # "tag x": the slice holding the same paired outcomes
    unscored: int = 0  # scenarios of the slice with no scorer, in either run
    score_difference: Estimate | None = None  # scorer slices: mean score value B − A

    @property
    def label(self) -> str:
        return _label((self.kind, self.name))

    @property
    def verdict_text(self) -> str:
        """The verdict in words: never "tied", which no interval can show."""
        if self.verdict == "no significant difference":
            return f"no significant difference (n = {self.pairs})"
        if self.verdict == "not compared":
            return "not compared (no scenario scored in both runs)"
        return f"{self.verdict} (n = {self.pairs})"

    @property
    def verdict_basis(self) -> str:
        """The interval the verdict was read from, and its level."""
        if self.verdict == "not compared":
            return ""
        how = [f"{self.adjusted.conf * 100:.3g}% interval"]
        how += [f"Holm-adjusted over {self.family} slices"] if self.family > 1 else []
        return f"{difference(self.adjusted)} ({', '.join([*how, f'p = {_p(self.p_holm)}'])})"

    @property
    def p_holm_text(self) -> str:
        return _p(self.p_holm)

    @property
    def evidence(self) -> str:
        """What every surface prints for the slice: the change, the verdict and its basis."""
        change = f"{difference(self.difference)} over {self.pairs} paired scenarios " \
                 f"({self.regressed} regressed, {self.fixed} fixed)"
        basis = f", on {self.verdict_basis}" if self.verdict_basis else ""
        return f"{change}: {self.verdict_text}{basis}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "a": self.a.as_dict(), "b": self.b.as_dict(),
                "pairs": self.pairs, "regressed": self.regressed, "fixed": self.fixed,
                "difference": self.difference.as_dict(), "adjusted": self.adjusted.as_dict(),
                "p_value": _finite(self.p_value), "p_holm": _finite(self.p_holm), "verdict": self.verdict,
                "verdict_text": self.verdict_text, "evidence": self.evidence, "family": self.family,
                "same_as": self.same_as, "unscored": self.unscored,
                "score_difference": self.score_difference.as_dict() if self.score_difference else None}


class Pairs:
    """The paired scenarios of one slice: the 2×2 table of pass/not pass, mean score values
    (NaN where a scenario's scores had none) in flat arrays of doubles, and a digest of
    which scenario did what, so slices holding the same paired outcomes are recognised as
    one hypothesis."""

    def __init__(self) -> None:
        self.values_x, self.values_y = array("d"), array("d")
        self.both = self.regressed = self.fixed = self.neither = 0
        self.unscored = 0
        self._digest = hashlib.blake2b(digest_size=16)

    @property
    def n(self) -> int:
        return self.both + self.regressed + self.fixed + self.neither

    def add(self, scenario_id: str, passed_a: bool, passed_b: bool) -> None:
        if passed_a and passed_b:
            self.both += 1
        elif passed_a:
            self.regressed += 1
        elif passed_b:
            self.fixed += 1
        else:
            self.neither += 1
        self._digest.update(f"{scenario_id}\x00{passed_a:d}{passed_b:d}\x01".encode())

    @property
    def outcomes(self) -> bytes:
        return self._digest.digest()


def compare_slices(groups: dict[tuple[str, str], Pairs], *, conf: float, alpha: float, n_resamples: int,
                   seed: int, tiers: tuple[str, ...] = TIERS) -> list[SliceComparison]:
    """Every slice's comparison, `all` first, then tiers (in the suite's order, `tiers`),
    tags and scorers (see the module)."""
    rank = tier_rank(tiers)
    keys = sorted(groups, key=lambda k: (KIND_ORDER[k[0]], rank.get(k[1], len(rank)) if k[0] == "tier" else 0, k[1]))
    primary = ("overall", "all")
    # One hypothesis per distinct set of paired outcomes; the first slice holding it is its
    # representative (`all` first of all, so a slice identical to it joins the primary).
    representative: dict[bytes, tuple[str, str]] = {}
    for key in keys:
        representative.setdefault(groups[key].outcomes, key)
    family = [key for key in keys if key != primary and representative[groups[key].outcomes] == key
              and groups[key].n > 0]
    raw = {key: _p_value(groups[key]) for key in keys}
    decided_at: dict[tuple[str, str], tuple[float, float]] = {primary: (alpha, raw[primary])}
    decided_at.update(_holm_levels(family, raw, alpha))
    slices = []
    for key in keys:
        group, source = groups[key], representative[groups[key].outcomes]
        level, p_holm = decided_at.get(source, (alpha, raw[key]))
        n = group.n
        change = _difference(group, conf)
        adjusted = _difference(group, 1 - level)
        slices.append(SliceComparison(
            kind=key[0], name=key[1], a=proportion(group.both + group.regressed, n, conf),
            b=proportion(group.both + group.fixed, n, conf), pairs=n, regressed=group.regressed, fixed=group.fixed,
            difference=change, adjusted=adjusted, p_value=raw[key], p_holm=p_holm, verdict=_verdict(adjusted, n),
            family=1 if source == primary else len(family),
            same_as=_label(source) if source != key else None, unscored=group.unscored,
            score_difference=paired_bootstrap(_floats(group.values_x), _floats(group.values_y),
                                              n_resamples=n_resamples, conf=conf, seed=seed)
            if key[0] == "scorer" else None))
    return slices


def _label(key: tuple[str, str]) -> str:
    return "all" if key[0] == "overall" else f"{key[0]} {key[1]}"


def _floats(values: array[float]) -> np.ndarray:
    return np.frombuffer(values, dtype=float) if len(values) else np.zeros(0)


def _difference(group: Pairs, conf: float) -> Estimate:
    # Candidate first: fixed (B passes, A does not) is the first-only cell, so B − A.
    return paired_difference(group.both, group.fixed, group.regressed, group.neither, conf)


def _p_value(group: Pairs) -> float:
    return paired_difference_p(group.both, group.fixed, group.regressed, group.neither)


def _holm_levels(family: list[tuple[str, str]], raw: dict[tuple[str, str], float],
                 alpha: float) -> dict[tuple[str, str], tuple[float, float]]:
    """Each family member's (alpha level its interval is read at, Holm-adjusted p)."""
    adjusted = dict(zip(family, holm([raw[key] for key in family])))
    m = len(family)
    levels: dict[tuple[str, str], tuple[float, float]] = {}
    stopped: float | None = None
    for step, key in enumerate(sorted(family, key=lambda k: raw[k])):
        level = alpha / (m - step)
        if stopped is None and not raw[key] < level:
            stopped = level  # the first step that cannot reject: later ones are read at its level
        levels[key] = (stopped if stopped is not None else level, adjusted[key])
    return levels


def _verdict(adjusted: Estimate, n: int) -> Verdict:
    if n == 0 or math.isnan(adjusted.low):
        return "not compared"
    if adjusted.low > 0:
        return "better"
    if adjusted.high < 0:
        return "worse"
    return "no significant difference"


def _p(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2g}"


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
