"""How far a pointwise judge agrees with the humans, unit by unit (pure functions).

- Weighted kappa (quadratic) of the judge against the human consensus: the median of the
  humans' ratings, rounded half up to a point of the scale. Kappa needs one set of
  categories, so it is undefined when the judge's scale is not the question's.
- Spearman's rho of the judge against the humans' mean rating (the adoption metric: it
  asks whether the judge orders responses as people do, whatever its offset).
- Krippendorff's alpha (ordinal) of the humans alone and of the humans with the judge as
  one more rater: a judge that raises alpha rates like a careful colleague; one that
  lowers it adds disagreement.
- Length bias: Spearman of the judge's score with the response length, and of the human
  mean with it; their difference (judge − humans) has a paired bootstrap interval over
  units. Longer answers may deserve higher scores, so only the excess over the humans'
  own preference for length is the judge's bias.
"""

from __future__ import annotations

import numpy as np

from honing.judges._figures import Confusion, Figures, relabel, undefined
from honing.quality.agreement import alpha_interval, bootstrap_agreement, cohen_kappa
from honing.stats import Estimate, median, paired_bootstrap, spearman, spearman_rho


def consensus(ratings: list[int], scale: list[int]) -> int:
    """The median rating, rounded half up to the nearest point of the scale."""
    middle = median(ratings)
    return min(scale, key=lambda point: (abs(point - middle), -point))


def pointwise_figures(ratings: list[dict[int, int]], judge: list[int], lengths: list[int], *,
                      raters: list[int], human_scale: list[int], judge_scale: list[int],
                      conf: float = 0.95, seed: int = 0, n_resamples: int = 1000) -> Figures:
    """Figures over the units the judge scored: `ratings[i]` (rater id -> rating),
    `judge[i]` and `lengths[i]` (characters of the response) describe unit i."""
    n = len(judge)
    agreed = [consensus(list(r.values()), human_scale) for r in ratings]
    mean = [float(np.mean(list(r.values()))) for r in ratings]

    if human_scale != judge_scale:
        kappa = undefined(f"the judge's scale ({_span(judge_scale)}) is not the question's "
                          f"({_span(human_scale)}): kappa needs the same categories", n, conf,
                          "weighted kappa (quadratic)")
    elif n < 2:
        kappa = undefined(f"fewer than 2 units judged ({n})", n, conf, "weighted kappa (quadratic)")
    else:
        kappa = relabel(bootstrap_agreement(
            lambda rows: cohen_kappa([r[0] for r in rows], [r[1] for r in rows], weights="quadratic",
                                     labels=human_scale),
            [[h, j] for h, j in zip(agreed, judge)], n_resamples=n_resamples, conf=conf, seed=seed),
            "weighted kappa (quadratic) vs human consensus; bootstrap over units (percentile)")

    humans = [[r.get(rater) for rater in raters] for r in ratings]
    with_judge = [row + [score] for row, score in zip(humans, judge)]
    both_scales = sorted(set(human_scale) | set(judge_scale))
    metrics = {
        "weighted_kappa": kappa,
        "spearman": relabel(spearman(judge, mean, conf),
                            "spearman vs human mean (Fisher z, Bonett-Wright SE)"),
        "alpha_humans": _alpha(humans, human_scale, "humans", conf, seed, n_resamples),
        "alpha_humans_and_judge": _alpha(with_judge, both_scales, "humans + judge", conf, seed,
                                         n_resamples),
    }
    return Figures(metrics=metrics, bias=length_bias(judge, mean, lengths, conf=conf, seed=seed,
                                                     n_resamples=n_resamples),
                   confusion=Confusion.of("human consensus", "judge score", human_scale, judge_scale,
                                          list(zip(agreed, judge))))


def length_bias(judge: list[int], human_mean: list[float], lengths: list[int], *, conf: float,
                seed: int, n_resamples: int = 1000) -> dict[str, Estimate]:
    judge_rho = spearman(judge, lengths, conf)
    human_rho = spearman(human_mean, lengths, conf)
    j, h, length = (np.asarray(v, dtype=float) for v in (judge, human_mean, lengths))

    def excess(units: np.ndarray, _: np.ndarray) -> float:
        pick = units.astype(int)
        return spearman_rho(j[pick], length[pick]) - spearman_rho(h[pick], length[pick])

    # Resampling unit indices keeps each unit's judge score, human mean and length together.
    units = np.arange(len(judge), dtype=float)
    difference = paired_bootstrap(units, units, excess, n_resamples=n_resamples, conf=conf, seed=seed)
    return {
        "length_spearman_judge": relabel(judge_rho, "spearman of judge score with response length"),
        "length_spearman_humans": relabel(human_rho, "spearman of human mean with response length"),
        "length_spearman_difference": relabel(
            difference, "judge minus humans (spearman with length); paired bootstrap over units"),
    }


def _alpha(rows: list[list[int | None]], scale: list[int], who: str, conf: float, seed: int,
           n_resamples: int) -> Estimate:
    if not rows:
        return undefined("no units judged", 0, conf, f"alpha (ordinal), {who}")
    return relabel(alpha_interval(rows, "ordinal", values=scale, n_resamples=n_resamples, conf=conf,
                                  seed=seed), f"krippendorff alpha (ordinal), {who}; bootstrap over units")


def _span(scale: list[int]) -> str:
    return f"{scale[0]}..{scale[-1]}" if scale == list(range(scale[0], scale[-1] + 1)) else \
        ", ".join(map(str, scale))
