"""How far a pairwise judge agrees with the humans, and what sways it (pure functions).

Each unit is an item with responses A and B. The judge was asked twice, A shown first and
B shown first; its direction for the unit is what both orders said, or a tie when they
disagree (as `llm_judge_pairwise` scores it). The humans' direction is the plurality of
their verdicts' directions (A better / tie / B better; no single most frequent direction
is a tie), their strength the mean of A>>B = -2 ... B>>A = +2.

- Agreement with the humans' direction (Wilson interval) and Cohen's kappa (nominal,
  A / tie / B) with a bootstrap interval over units.
- Spearman's rho of the judge's direction (A -1, tie 0, B +1) with the humans' mean
  strength: the adoption metric, as for pointwise judges.
- Position bias: the share of units whose verdict changes when the order is swapped, and
  the share of decided verdicts (each order counted) that prefer the response shown first,
  with an exact two-sided binomial p against 0.5. An unbiased judge prefers the first
  shown exactly as often as the second, because each unit is shown both ways.
- Length bias: the share of decided units where the judge prefers the longer response,
  beside the humans' share; their difference (judge − humans) over units where both
  decided, with a paired bootstrap interval.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from honing.judges._figures import Confusion, Figures, relabel, undefined
from honing.quality.agreement import bootstrap_agreement, cohen_kappa
from honing.stats import Estimate, binomial_two_sided_p, paired_bootstrap, proportion, spearman

DIRECTIONS = ["A", "tie", "B"]
_SIGN = {"A": -1, "tie": 0, "B": 1}


def human_direction(strengths: list[int]) -> str:
    """The most frequent direction of the humans' verdicts; a tie when none is most frequent."""
    votes = Counter("A" if s < 0 else "B" if s > 0 else "tie" for s in strengths).most_common()
    if len(votes) > 1 and votes[0][1] == votes[1][1]:
        return "tie"
    return votes[0][0]


def pairwise_figures(strengths: list[dict[int, int]], a_first: list[str], b_first: list[str],
                     lengths: list[tuple[int, int]], *, conf: float = 0.95, seed: int = 0,
                     n_resamples: int = 1000) -> Figures:
    """Figures over the units the judge answered in both orders: `strengths[i]` (rater id ->
    strength), `a_first[i]` / `b_first[i]` (the response each order preferred, in canonical
    letters) and `lengths[i]` (characters of A and of B) describe unit i."""
    n = len(a_first)
    humans = [human_direction(list(s.values())) for s in strengths]
    mean = [float(np.mean(list(s.values()))) for s in strengths]
    judge = [a if a == b else "tie" for a, b in zip(a_first, b_first)]

    if n < 2:
        kappa = undefined(f"fewer than 2 units judged ({n})", n, conf, "cohen kappa (nominal)")
    else:
        kappa = relabel(bootstrap_agreement(
            lambda rows: cohen_kappa([r[0] for r in rows], [r[1] for r in rows], labels=DIRECTIONS),
            [[h, j] for h, j in zip(humans, judge)], n_resamples=n_resamples, conf=conf, seed=seed),
            "cohen kappa (nominal: A / tie / B) vs human majority; bootstrap over units (percentile)")
    metrics = {
        "direction_agreement": relabel(proportion(sum(h == j for h, j in zip(humans, judge)), n, conf),
                                       "share of units where the judge's direction is the humans' (Wilson)"),
        "cohen_kappa": kappa,
        "spearman": relabel(spearman([_SIGN[j] for j in judge], mean, conf),
                            "spearman of judge direction vs human mean strength (Fisher z, Bonett-Wright SE)"),
    }
    bias, p_values = _position_bias(a_first, b_first, conf)
    bias.update(_length_bias(humans, judge, lengths, conf, seed, n_resamples))
    return Figures(metrics=metrics, bias=bias, p_values=p_values,
                   confusion=Confusion.of("human majority", "judge", DIRECTIONS, DIRECTIONS,
                                          list(zip(humans, judge))))


def _position_bias(a_first: list[str], b_first: list[str], conf: float) -> tuple[dict[str, Estimate],
                                                                                  dict[str, float]]:
    flips = sum(a != b for a, b in zip(a_first, b_first))
    # A verdict for the response shown first: "A" when A was first, "B" when B was.
    decided = [v for v in a_first if v != "tie"] + [v for v in b_first if v != "tie"]
    first = sum(v == "A" for v in a_first) + sum(v == "B" for v in b_first)
    bias = {
        "order_flip_rate": relabel(proportion(flips, len(a_first), conf),
                                   "share of units whose verdict changes when the order is swapped (Wilson)"),
        "first_shown_share": relabel(proportion(first, len(decided), conf),
                                     "share of decided verdicts preferring the response shown first (Wilson)"),
    }
    return bias, {"first_shown": binomial_two_sided_p(first, len(decided), 0.5)}


def _length_bias(humans: list[str], judge: list[str], lengths: list[tuple[int, int]], conf: float,
                 seed: int, n_resamples: int) -> dict[str, Estimate]:
    longer = ["A" if a > b else "B" if b > a else None for a, b in lengths]

    def prefers_longer(directions: list[str]) -> list[float | None]:
        return [None if side is None or d == "tie" else float(d == side) for d, side in zip(directions, longer)]

    of_humans, of_judge = prefers_longer(humans), prefers_longer(judge)

    def share(values: list[float | None], who: str) -> Estimate:
        decided = [v for v in values if v is not None]
        return relabel(proportion(int(sum(decided)), len(decided), conf),
                       f"share of {who} decided verdicts preferring the longer response (Wilson)")

    # Default statistic: mean(judge) - mean(humans), over units where both decided.
    difference = paired_bootstrap(of_humans, of_judge, n_resamples=n_resamples, conf=conf, seed=seed)
    return {
        "longer_preferred_judge": share(of_judge, "the judge's"),
        "longer_preferred_humans": share(of_humans, "the humans'"),
        "longer_preferred_difference": relabel(
            difference, "judge minus humans (share preferring the longer), units where both decided; "
                        "paired bootstrap"),
    }
