"""The weekly quality report as files: Markdown (for a wiki page or a pull request) and
self-contained HTML (charts inline as SVG, no script, no network: it opens from file://),
plus the same figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from honing._reports import REPORT_CSS, md_table, write_files
from honing.quality._charts import report_charts
from honing.quality._kpis import (
    PRODUCTION_CELLS,
    PRODUCTION_NOTE,
    SCORECARD_CELLS,
    interval,
    kpi_table,
    num,
    pct,
    production_cells,
    scorecard_cells,
    value_or_reason,
    with_n,
)
from honing.quality._report import QualityReport

_ENV = Environment(loader=PackageLoader("honing.quality", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(pct=pct, num=num, interval=interval, value_or_reason=value_or_reason)


def _period(report: QualityReport) -> str:
    start = report.period.start.strftime("%Y-%m-%d %H:%M") if report.period.start else "the start"
    return f"{start} to {report.period.end:%Y-%m-%d %H:%M} UTC ({report.period.text})"


def render_markdown(report: QualityReport) -> str:
    out = [f"# Label quality report: {report.queue}", "",
           f"Workspace `{report.workspace}`, rubric `{report.rubric}`, period {_period(report)}. "
           f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC. Every figure gives its n; "
           "intervals are 95% (Wilson for proportions; gold accuracy and agreement with adjudicated "
           "answers and with consensus clustered by item; bootstrap over units for agreement per question, over items "
           "for pairwise kappa).", "",
           "## KPIs", ""]
    out += md_table(["KPI", "value", "95% interval", "n", "usual target", "definition"],
                  [[k.name, k.value, k.interval, k.n, k.target, k.definition] for k in kpi_table(report)])
    if report.production:
        out += ["", "## Estimated production rates", "", PRODUCTION_NOTE, ""]
        out += md_table([name[0].upper() + name[1:] for name in PRODUCTION_CELLS],
                        [list(production_cells(rate).values()) for rate in report.production])
    out += ["", "## Agreement per question", ""]
    out += md_table(["question", "type", "coefficient", "value", "95% interval", "units", "raters"],
                  [[a.question, a.type, a.coefficient, value_or_reason(a.estimate, percent=False),
                    interval(a.estimate, percent=False), a.estimate.n, a.raters] for a in report.agreement])
    for title, cards in (("Raters", report.raters), ("Cohorts (teams and vendors)", report.cohorts)):
        out += ["", f"## {title}", ""]
        out += md_table(["name", "labels", *SCORECARD_CELLS, "rework rate",
                       "audit pass rate", "labels/active day", "median active s", "drift"],
                      [[c.name if c.kind == "rater" else f"{c.name} ({', '.join(c.raters)})", c.labels,
                        *scorecard_cells(c).values(), with_n(c.rework_rate),
                        with_n(c.audit_pass_rate), f"{num(c.per_active_day, 1)} ({c.active_days} days)",
                        num(c.median_active_s, 0), c.drift_flag or "no change flagged"] for c in cards])
    out += ["", "## Label distributions", ""]
    for question, counts in report.figures.distributions.items():
        total = sum(counts.values())
        out.append(f"- **{question}** (n={total}): " + ", ".join(
            f"{value} {count} ({pct(count / total) if total else 'n/a'})" for value, count in counts.items()))
    out += ["", "## Top disagreements", ""]
    if not report.disagreements:
        out.append("No items with disagreeing labels in the period.")
    for d in report.disagreements:
        answers = "; ".join(f"{rater}: {json.dumps(answer, ensure_ascii=False)}" for rater, answer in d.answers)
        out.append(f"- item {d.queue_item_id}, **{d.question}**, disagreement {d.score:.2f}"
                   f"{' (adjudicated)' if d.adjudicated else ''}: “{d.excerpt}” — {answers}")
    return "\n".join(out) + "\n"


def render_html(report: QualityReport) -> str:
    return _ENV.get_template("report.html").render(
        report_css=REPORT_CSS, report=report, period=_period(report), kpis=kpi_table(report),
        charts=report_charts(report), production=[production_cells(r) for r in report.production],
        production_names=PRODUCTION_CELLS, production_note=PRODUCTION_NOTE,
        with_n=with_n, cells=scorecard_cells, cell_names=SCORECARD_CELLS, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def write_report(report: QualityReport, out: Path) -> dict[str, Path]:
    """report.md, report.html and report.json in `out` (created if needed); written to
    temporary names first, so a failure leaves no half-written report."""
    written = write_files(out, {"report.md": render_markdown(report), "report.html": render_html(report),
                                "report.json": json.dumps(report.as_dict(), indent=2, ensure_ascii=False,
                                                          default=str)})
    return {name.removeprefix("report."): path for name, path in written.items()}
