"""Inter-rater agreement coefficients as pure functions over plain data.

A ratings matrix is a list of items, each a list with one entry per rater, None for a
missing rating (a numeric numpy array with NaN for missing works too). Values are text
labels, booleans or numbers. A coefficient the data cannot define (nothing pairable, no
variation, ...) is returned as NaN with `.reason` (honing.stats Undefined), never as a
made-up 0 or 1; malformed input raises InvalidInput naming the item and rater (0-based).

* `krippendorff_alpha` - nominal, ordinal, interval, ratio; any number of raters, missing data
* `cohen_kappa`, `scott_pi` - two raters; `fleiss_kappa` - a count table, many raters
* `gwet_ac1`, `gwet_ac2` - Gwet's paradox-resistant coefficients, weighted for AC2
* `percent_agreement` - raw share of agreeing rater pairs
* `preference_agreement` - pairwise preference answers (direction and strength)
* `ranking_agreement` - rankings of responses (Kendall tau-b, Kendall's W)
* `bootstrap_agreement`, `alpha_interval` - percentile bootstrap intervals over items
* `kappa_by_item`, `mean_kappa_by_item` - Cohen's kappa of two sides (one `KappaTable` per
  question), with a bootstrap interval that resamples items, not the units within them
"""

from honing.quality.agreement._bootstrap import alpha_interval, bootstrap_agreement
from honing.quality.agreement._gwet import gwet_ac1, gwet_ac2, percent_agreement
from honing.quality.agreement._item_kappa import KappaTable, kappa_by_item, mean_kappa_by_item
from honing.quality.agreement._kappa import cohen_kappa, fleiss_kappa, scott_pi
from honing.quality.agreement._krippendorff import krippendorff_alpha
from honing.quality.agreement._preference import PreferenceAgreement, preference_agreement
from honing.quality.agreement._ranking import RankingAgreement, ranking_agreement

__all__ = [
    "KappaTable",
    "PreferenceAgreement",
    "RankingAgreement",
    "alpha_interval",
    "bootstrap_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "kappa_by_item",
    "krippendorff_alpha",
    "mean_kappa_by_item",
    "percent_agreement",
    "preference_agreement",
    "ranking_agreement",
    "scott_pi",
]
