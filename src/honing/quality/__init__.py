"""Label quality: agreement per question, rater and cohort scorecards, queue KPIs, the
lead's dashboard figures and the weekly quality report, and for a sampled queue the
estimated production rates (`production_rates`, weighted by inverse inclusion
probabilities).

`honing.quality.agreement` holds the coefficients as pure functions over plain data.
This package applies them to a queue: `quality_report` reads a queue's labels, reviews
and escalations over a `Period` once and computes every figure, each with its n and, where
it is an estimate, its 95% interval; `write_report` writes it as Markdown, self-contained
HTML and JSON. A figure the data cannot define is NaN with its reason, never 0 or 1.
"""

from honing.quality._by_question import QuestionAgreement, answer_matrix, question_agreement
from honing.quality._cached import (
    CACHED_PERIODS,
    DASHBOARD_RESAMPLES,
    cached_agreement,
    cached_quality_report,
    queue_state,
    report_figures,
)
from honing.quality._charts import Chart, report_charts
from honing.quality._consensus import consensus_matches
from honing.quality._data import (
    LabelRow,
    Period,
    QueueData,
    ReviewRow,
    load_queue_data,
    parse_period,
)
from honing.quality._drift import Window, drift_change, two_proportion_p
from honing.quality._gold import gold_accuracy
from honing.quality._kpis import (
    PRODUCTION_CELLS,
    PRODUCTION_NOTE,
    SCORECARD_CELLS,
    Kpi,
    interval,
    kpi_table,
    num,
    partner_figures,
    pct,
    production_cells,
    scorecard_cells,
    value_or_reason,
    with_n,
    with_units,
)
from honing.quality._pairwise import PairAgreement, pair_agreements, pooled_kappa
from honing.quality._production import ProductionRate, production_rates
from honing.quality._queue_figures import Day, QueueFigures, completion_times, queue_figures
from honing.quality._raters import Scorecard, scorecards
from honing.quality._render import render_html, render_markdown, write_report
from honing.quality._report import (
    DisagreementExample,
    QualityReport,
    agreement_only,
    quality_report,
    rater_scorecards,
)

__all__ = [
    "CACHED_PERIODS",
    "DASHBOARD_RESAMPLES",
    "PRODUCTION_CELLS",
    "PRODUCTION_NOTE",
    "SCORECARD_CELLS",
    "Chart",
    "Day",
    "DisagreementExample",
    "Kpi",
    "PairAgreement",
    "ProductionRate",
    "LabelRow",
    "Period",
    "QualityReport",
    "QueueData",
    "QueueFigures",
    "QuestionAgreement",
    "ReviewRow",
    "Scorecard",
    "Window",
    "agreement_only",
    "answer_matrix",
    "cached_agreement",
    "cached_quality_report",
    "completion_times",
    "consensus_matches",
    "drift_change",
    "gold_accuracy",
    "interval",
    "kpi_table",
    "load_queue_data",
    "num",
    "pair_agreements",
    "parse_period",
    "partner_figures",
    "pct",
    "pooled_kappa",
    "production_cells",
    "production_rates",
    "quality_report",
    "question_agreement",
    "queue_state",
    "queue_figures",
    "rater_scorecards",
    "render_html",
    "render_markdown",
    "report_figures",
    "report_charts",
    "scorecard_cells",
    "scorecards",
    "two_proportion_p",
    "value_or_reason",
    "with_n",
    "with_units",
    "write_report",
]
