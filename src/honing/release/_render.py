"""The release readiness package as files: `report.html` (self-contained: charts inline as
SVG, no script, no network, so it opens from file:// or a CI artifact), `summary.md`
(short enough for a pull-request comment) and `report.json` (everything, for tools)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from honing._reports import REPORT_CSS, md_cell, md_table, write_files
from honing.evaluate import STATUSES
from honing.quality import with_n
from honing.release._charts import release_charts
from honing.release._format import difference
from honing.release._report import ReleaseReport

SUMMARY_REGRESSIONS = 5
SUMMARY_RISKS = 5
DECISION_WORDS = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE"}


def preview(output: dict[str, Any] | None, limit: int = 160) -> str:
    if not output:
        return "(no output)"
    text = output.get("text") or ""
    calls = output.get("tool_calls") or []
    if calls and not text:
        text = "; ".join(f"{c['function']['name']}({c['function'].get('arguments', '')})" for c in calls)
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def input_preview(value: Any, limit: int = 160) -> str:
    if isinstance(value, list):
        users = [m.get("content") for m in value if isinstance(m, dict) and m.get("role") == "user"]
        value = users[-1] if users else ""
    flat = " ".join(str(value or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def failing(scores: list[dict[str, Any]]) -> str:
    """The expectations that did not pass, with their explanations."""
    bad = [s for s in scores or () if s.get("passed") is not True]
    return "; ".join(f"{s['scorer']}: {s.get('error') or s.get('explanation') or 'failed'}" for s in bad) or "-"


def _runs_line(report: ReleaseReport) -> str:
    c, b = report.candidate, report.baseline
    line = f"Candidate run {c['id']} (`{c['target']}`) on `{c['suite']}`"
    if b is not None:
        line += f" against baseline run {b['id']} (`{b['target']}`)"
    return line + f"; policy `{report.gate.policy.name}` (hash {report.gate.policy.content_hash})."


def render_summary(report: ReleaseReport) -> str:
    """A pull-request comment: the decision, each rule, the tiers, the first regressions and
    the main residual risks."""
    gate = report.gate
    out = [f"## Release gate: {DECISION_WORDS[gate.decision]} ({gate.policy.name})", "", _runs_line(report), ""]
    out += md_table(["rule", "threshold", "evidence", "decision"],
                  [[o.rule.label, o.rule.threshold_text(), o.reason, f"**{o.decision}**" if o.decision != "pass"
                    else o.decision] for o in gate.outcomes])
    comparison = report.comparison
    if comparison is not None:
        level = f"{comparison.conf:.0%}"
        out += ["", f"| tier | baseline | candidate | change ({level} CI) | regressed / fixed | verdict |",
                "|---|---|---|---|---|---|"]
        for part in [comparison.overall, *comparison.tiers]:
            basis = f" on {part.verdict_basis}" if part.verdict_basis else ""
            out.append(f"| {part.name} | {with_n(part.a)} | {with_n(part.b)} | {difference(part.difference)} | "
                       f"{part.regressed} / {part.fixed} | {part.verdict_text}{basis} |")
        total = comparison.counts.get("regressions", len(comparison.regressions))
        if comparison.regressions:
            out += ["", f"**Regressions** ({min(total, SUMMARY_REGRESSIONS)} of {total}, most important tier first):"]
            for change in comparison.regressions[:SUMMARY_REGRESSIONS]:
                out.append(f"- `{md_cell(change.scenario_id)}` ({change.tier}): {md_cell(failing(change.scores_b))}")
    else:
        out += ["", "| tier | pass rate (95% CI) |", "|---|---|"]
        out += [f"| {t.name} | {with_n(t.pass_rate)} |" for t in [report.summary.overall, *report.summary.tiers]]
    if report.risks:
        out += ["", "**Residual risks:**"]
        out += [f"- {md_cell(r)}" for r in report.risks[:SUMMARY_RISKS]]
        if len(report.risks) > SUMMARY_RISKS:
            out.append(f"- … {len(report.risks) - SUMMARY_RISKS} more in the full report")
    out += ["", "_Full report with charts, every slice and the lineage: report.html (and report.json)._"]
    return "\n".join(out) + "\n"


_ENV = Environment(loader=PackageLoader("honing.release", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(with_n=with_n, difference=difference, preview=preview, input_preview=input_preview,
                    failing=failing)


def render_html(report: ReleaseReport) -> str:
    return _ENV.get_template("release.html").render(
        report_css=REPORT_CSS, report=report, gate=report.gate, comparison=report.comparison,
        summary=report.summary,
        charts=release_charts(report), statuses=STATUSES, decision_word=DECISION_WORDS[report.gate.decision],
        runs_line=_runs_line(report), dumps=lambda v: json.dumps(v, ensure_ascii=False, indent=1))


def write_release_report(report: ReleaseReport, out: Path) -> dict[str, Path]:
    """report.html, summary.md and report.json in `out`; none is left half-written."""
    return write_files(out, {"report.html": render_html(report), "summary.md": render_summary(report),
                             "report.json": json.dumps(report.as_dict(), indent=2, ensure_ascii=False,
                                                       default=str)})
