"""The release report's pictures, as inline SVG: pass rates by tier with their intervals,
the paired difference per slice around zero, outcomes per tier, and latency."""

from __future__ import annotations

import math

from honing.charts import Bar, Chart, Stack, bar_chart, stacked_bar_chart
from honing.evaluate import STATUSES, Comparison
from honing.release._report import ReleaseReport

MAX_DIFFERENCE_BARS = 30


def comparison_charts(comparison: Comparison) -> list[Chart]:
    """Baseline and candidate pass rates by tier, the change per slice around zero, and
    latency: shared by the release report and the run comparison page."""
    bars = []
    for part in [comparison.overall, *comparison.tiers]:
        bars += [Bar.of(f"{part.name} · baseline", part.a), Bar.of(f"{part.name} · candidate", part.b)]
    charts = [Chart("tiers", "Pass rate by tier", bar_chart(
        bars, title="Pass rate by tier, paired scenarios (95% Wilson interval)", domain=(0.0, 1.0)))]
    slices = [p for p in comparison.slices() if p.kind != "overall"]
    # The slices that moved most first, so a long list of tags still shows what matters.
    slices.sort(key=lambda p: (p.kind != "tier", -abs(p.difference.value) if not math.isnan(p.difference.value)
                               else 0.0))
    charts.append(Chart("difference", "Change by slice", bar_chart(
        [Bar.of(f"{p.kind} {p.name}", p.difference) for p in slices[:MAX_DIFFERENCE_BARS]],
        title="Candidate − baseline pass rate by slice (95% paired bootstrap interval)",
        reference=0.0, reference_label="no change")))
    latency = comparison.latency
    bars = [Bar(f"{q} · {who}", value) for q in ("p50", "p95") for who, value in
            (("baseline", latency.get(f"a_{q}_ms")), ("candidate", latency.get(f"b_{q}_ms")))
            if value is not None]
    if bars:
        charts.append(Chart("latency", "Latency", bar_chart(
            bars, title="Latency per scenario, baseline and candidate", unit=" ms")))
    return charts


def release_charts(report: ReleaseReport) -> list[Chart]:
    comparison, summary = report.comparison, report.summary
    if comparison is not None:
        charts = comparison_charts(comparison)
    else:
        charts = [Chart("tiers", "Pass rate by tier", bar_chart(
            [Bar.of(part.name, part.pass_rate) for part in [summary.overall, *summary.tiers]],
            title="Pass rate by tier (95% Wilson interval)", domain=(0.0, 1.0)))]
    stacks = [Stack(f"{t.name} · candidate", {s: t.counts[s] for s in STATUSES}) for t in summary.tiers]
    # Outcomes third, beside the latency chart when there is one.
    charts.insert(min(2, len(charts)), Chart("outcomes", "Outcomes by tier", stacked_bar_chart(
        stacks, title="Outcomes of the candidate's results by tier", normalize=True)))
    return charts
