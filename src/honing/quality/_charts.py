"""The charts of a quality report, as inline SVG: shared by the lead dashboard and the
self-contained HTML report, so both show the same pictures of the same figures.

Units follow the tables beside the charts: rates and accuracies in percent (as the KPI
and scorecard tables give them), agreement coefficients (kappa, alpha) as plain numbers.
Answers keep one colour per question and the rubric's order (`AnswerScale`)."""

from __future__ import annotations

import math
from dataclasses import replace

from honing.charts import (
    AnswerScale,
    Bar,
    Chart,
    Series,
    Stack,
    bar_chart,
    line_chart,
    stacked_bar_chart,
)
from honing.quality._report import QualityReport
from honing.stats import Estimate


def _percent(label: str, estimate: Estimate) -> Bar:
    """A proportion's bar in percent, interval and n kept."""
    bar = Bar.of(label, estimate)
    return replace(bar, value=bar.value * 100, low=None if bar.low is None else bar.low * 100,
                   high=None if bar.high is None else bar.high * 100)


def report_charts(report: QualityReport) -> list[Chart]:
    charts = []
    agreement = [a for a in report.agreement if a.primary]
    charts.append(Chart("agreement", "Agreement per question", bar_chart(
        [Bar.of(f"{a.question} · {a.coefficient}", a.estimate) for a in agreement],
        title="Agreement per question (95% bootstrap interval)", domain=(-0.2, 1.0),
        reference=0.667, reference_label="0.667 tentative")))
    charts.append(Chart("gold", "Gold accuracy per rater", bar_chart(
        [_percent(card.name, card.gold_accuracy) for card in report.raters],
        title="Gold accuracy per rater (95% Wilson interval)", unit="%", domain=(0.0, 100.0),
        reference=90.0, reference_label="90% target")))
    charts.append(Chart("consensus", "Agreement with the other raters, per rater", bar_chart(
        [_percent(card.name, card.consensus_agreement) for card in report.raters],
        title="Agreement with the others' consensus, per rater (95% Wilson interval)", unit="%",
        domain=(0.0, 100.0))))
    if report.cohorts:
        charts.append(Chart("cohorts", "Gold accuracy per cohort", bar_chart(
            [_percent(card.name, card.gold_accuracy) for card in report.cohorts],
            title="Gold accuracy per cohort (95% Wilson interval)", unit="%", domain=(0.0, 100.0),
            reference=90.0, reference_label="90% target")))
    days = report.figures.days
    charts.append(Chart("throughput", "Throughput per day", line_chart(
        [Series("labels", [(d.day, float(d.labels)) for d in days]),
         Series("items completed", [(d.day, float(d.completed)) for d in days])],
        title="Throughput per day", y_label="per day")))
    charts.append(Chart("backlog", "Backlog", line_chart(
        [Series("open items", [(d.day, float(d.backlog)) for d in days])],
        title="Open items at the end of each day", y_label="items")))
    charts.append(Chart("backlog-age", "Backlog age", line_chart(
        [Series("median age (days)", [(d.day, d.backlog_median_age_days if d.backlog else math.nan)
                                      for d in days])],
        title="Median age of open items at the end of each day", y_label="days")))
    drift = [Series(card.name, [(w.start.date(), w.consensus_agreement.value * 100) for w in card.drift])
             for card in report.raters if card.drift]
    charts.append(Chart("drift", "Agreement with consensus over time", line_chart(
        drift, title="Agreement with the others' consensus per window, per rater",
        y_label="% agreeing")))
    charts += _production_charts(report)
    windows = report.figures.distribution_windows
    for question, counts in report.figures.distributions.items():
        scale = _answer_scale(report, question, counts)
        charts.append(Chart(f"drift-{question}", f"Answers to {question} over time", stacked_bar_chart(
            [Stack(f"{start:%m-%d}", window[question]) for start, window in windows],
            title=f"Answers to {question} per window (label distribution drift)", scale=scale)))

        stacks = [Stack(card.name, card_distribution) for card, card_distribution
                  in _per_rater_distribution(report, question)]
        charts.append(Chart(f"distribution-{question}", f"Answers to {question}", stacked_bar_chart(
            [Stack("all raters", counts), *stacks], title=f"Answers to {question}, by rater",
            scale=scale)))
    return charts


def _production_charts(report: QualityReport) -> list[Chart]:
    """Per question of a sampled queue: each answer's estimated production rate beside the
    reviewed sample's raw rate, both with their 95% intervals."""
    by_question: dict[str, list[Bar]] = {}
    for rate in report.production:
        by_question.setdefault(rate.question, []).extend(
            [_percent(f"{rate.answer} · production (estimated)", rate.estimate),
             _percent(f"{rate.answer} · reviewed sample (raw)", rate.sample)])
    return [Chart(f"production-{question}", f"Estimated production rate of each answer to {question}", bar_chart(
        bars, title=f"{question}: production estimate vs the sample (95% intervals)",
        unit="%", domain=(0.0, 100.0))) for question, bars in by_question.items()]


def _per_rater_distribution(report: QualityReport, question: str) -> list[tuple[object, dict[str, int]]]:
    return [(card, card_counts) for card in report.raters
            if (card_counts := report.figures.rater_distributions.get(card.name, {}).get(question))]


def _answer_scale(report: QualityReport, question: str, counts: dict[str, int]) -> AnswerScale:
    """The question's scale; figures stored before scales were recorded have the
    distribution's keys, which are in the rubric's order, but no ordinal flag."""
    return report.figures.answer_scales.get(question) or AnswerScale(tuple(counts))
