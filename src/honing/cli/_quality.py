"""`honing quality`: agreement per question, rater and cohort scorecards, the weekly report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from honing import accounts, annotate, quality
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, print_json
from honing.quality import interval, value_or_reason

quality_app = typer.Typer(help="Label quality: agreement, rater scorecards, the weekly report.",
                          no_args_is_help=True)

QueueOpt = Annotated[str, typer.Option("--queue", "-q", help="Queue name.")]
PeriodOpt = Annotated[str, typer.Option(
    "--period", help="Labels submitted in the last 7d, 2w, 36h... or 'all'.")]
ResamplesOpt = Annotated[int, typer.Option(
    "--resamples", min=0, max=100_000, help="Bootstrap resamples for agreement intervals (0: none).")]


@quality_app.command("agreement")
def agreement(queue: QueueOpt, workspace: WorkspaceOpt, period: PeriodOpt = "all",
              resamples: ResamplesOpt = 1000, json: JsonFlag = False) -> None:
    """Agreement per rubric question, with the coefficient its type calls for and a 95%
    bootstrap interval."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        q = annotate.get_queue(session, ws, queue)
        rows = quality.agreement_only(session, ws, q, quality.parse_period(period), n_resamples=resamples)
    if json:
        print_json([row.as_dict() for row in rows])
        return
    table = Table("question", "type", "coefficient", "value", "95% interval", "units", "raters",
                  title=f"Agreement in {queue} ({period})")
    for row in rows:
        table.add_row(row.question, row.type, row.coefficient,
                      value_or_reason(row.estimate, percent=False),
                      interval(row.estimate, percent=False), str(row.estimate.n), str(row.raters))
    console.print(table)


@quality_app.command("raters")
def raters(queue: QueueOpt, workspace: WorkspaceOpt, period: PeriodOpt = "all",
           by: Annotated[str, typer.Option(help="rater, or cohort (team or vendor scorecards)")] = "rater",
           resamples: ResamplesOpt = 1000, json: JsonFlag = False) -> None:
    """Per rater (or cohort): gold accuracy (n in items), pairwise kappa against the other
    raters and per partner, agreement with adjudicated answers and with the others'
    consensus, rework and audit pass rates, throughput, active time and drift, each with
    its n."""
    if by not in ("rater", "cohort"):
        raise typer.BadParameter("--by must be rater or cohort")
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        q = annotate.get_queue(session, ws, queue)
        cards = quality.rater_scorecards(session, ws, q, quality.parse_period(period), by=by,
                                         n_resamples=resamples)
    if json:
        print_json([card.as_dict() for card in cards])
        return
    names = [name for name in quality.SCORECARD_CELLS if by == "rater" or name != "per partner"]
    table = Table(by, "labels", *names, "rework", "audit pass",
                  "per active day", "median active s", "drift", title=f"{by.title()}s in {queue} ({period})")
    for card in cards:
        cells = {**quality.scorecard_cells(card), "per partner": "\n".join(quality.partner_figures(card))}
        table.add_row(card.name, str(card.labels), *(cells[name] for name in names),
                      *(quality.with_n(e) for e in (card.rework_rate, card.audit_pass_rate)),
                      quality.num(card.per_active_day, 1), quality.num(card.median_active_s, 0),
                      card.drift_flag or "-")
    console.print(table)


@quality_app.command("report")
def report(queue: QueueOpt, workspace: WorkspaceOpt,
           out: Annotated[Path, typer.Option("--out", help="Directory for report.md, report.html, report.json.")],
           period: PeriodOpt = "7d", resamples: ResamplesOpt = 1000, json: JsonFlag = False) -> None:
    """The weekly quality report: Markdown, self-contained HTML (opens offline) and JSON."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        q = annotate.get_queue(session, ws, queue)
        built = quality.quality_report(session, ws, q, quality.parse_period(period), n_resamples=resamples)
    written = quality.write_report(built, out)
    if json:
        print_json({kind: str(path) for kind, path in written.items()})
        return
    for path in written.values():
        console.print(f"wrote {path}")
