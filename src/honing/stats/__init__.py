"""Small, exact statistics shared by label-quality analytics, evaluation comparison and
release gates.

Only the standard library and numpy are used at run time. Every function is checked
against scipy or statsmodels in the tests. An undefined result is never a made-up number:
it is `Undefined`, a NaN that carries its reason (see `reason_undefined`), and an
`Estimate` reports a value together with its interval, n, confidence level and method.

- Proportions: `wilson_interval`, `proportion`, `cohens_h`; paired proportions:
  `paired_difference` (Newcombe's interval) and its dual `paired_difference_p`; answers in
  clusters (several per item): `clustered_proportion`, `clustered_proportion_detail`.
- Design-weighted proportions (a sample drawn with known inclusion probabilities, e.g. a
  review that oversamples failures): `weighted_proportion` (the Hájek estimator with a
  design-based variance) and `weighted_proportion_detail`.
- Exact tests: `binomial_two_sided_p`, `mcnemar_exact_p`, `sign_test_p`.
- Rank correlation: `spearman_rho`, `kendall_tau_b`, `correlation_interval`, `spearman`,
  `kendall`.
- Resampling: `paired_bootstrap`.
- Multiple comparisons: `holm`.
- Summaries: `median`, `quantile`.

Sequences may hold None or NaN for a missing value; paired functions drop every pair with
a missing side. Invalid input (k > n, a confidence level of 1.5, unequal lengths, strings)
raises `honing._errors.InvalidInput` saying what is wrong."""

from honing.stats._binomial import binomial_two_sided_p
from honing.stats._bootstrap import paired_bootstrap
from honing.stats._clustered import (
    ClusteredProportion,
    clustered_proportion,
    clustered_proportion_detail,
)
from honing.stats._correlation import kendall, kendall_tau_b, spearman, spearman_rho
from honing.stats._estimate import Estimate, Undefined, reason_undefined
from honing.stats._exact_tests import mcnemar_exact_p, sign_test_p
from honing.stats._fisher_z import correlation_interval
from honing.stats._multiple import holm
from honing.stats._paired_proportions import paired_difference, paired_difference_p
from honing.stats._proportions import cohens_h, proportion, wilson_interval
from honing.stats._summary import median, quantile
from honing.stats._weighted import (
    DESIGNS,
    WeightedProportion,
    weighted_proportion,
    weighted_proportion_detail,
)

__all__ = [
    "DESIGNS",
    "ClusteredProportion",
    "Estimate",
    "Undefined",
    "binomial_two_sided_p",
    "clustered_proportion",
    "clustered_proportion_detail",
    "cohens_h",
    "correlation_interval",
    "holm",
    "kendall",
    "kendall_tau_b",
    "mcnemar_exact_p",
    "median",
    "paired_bootstrap",
    "paired_difference",
    "paired_difference_p",
    "proportion",
    "quantile",
    "reason_undefined",
    "sign_test_p",
    "spearman",
    "spearman_rho",
    "WeightedProportion",
    "weighted_proportion",
    "weighted_proportion_detail",
    "wilson_interval",
]
