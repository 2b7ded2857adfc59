"""`honing judge`: calibrate LLM judges against human labels, list their calibrations."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from honing import accounts, judges
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, errors, operator, print_json
from honing.quality import interval, value_or_reason
from honing.stats import Estimate

judge_app = typer.Typer(help="LLM judges: calibrate them against human labels, list their calibrations.",
                        no_args_is_help=True)

# The exit code of each verdict: CI can tell "not good enough" from "not enough labels".
EXIT_CODES = {"adopted": 0, "rejected": 1, "inconclusive": 3}
# Figures that are shares, shown as percentages; the rest are coefficients.
_SHARES = {"direction_agreement", "order_flip_rate", "first_shown_share", "longer_preferred_judge",
           "longer_preferred_humans"}
_NAMES = {
    "weighted_kappa": "weighted kappa (quadratic) vs consensus",
    "spearman": "Spearman's rho vs humans",
    "alpha_humans": "Krippendorff's alpha (ordinal), humans",
    "alpha_humans_and_judge": "alpha (ordinal), humans + judge",
    "direction_agreement": "agreement with human majority",
    "cohen_kappa": "Cohen's kappa (A / tie / B)",
    "length_spearman_judge": "Spearman: judge score x length",
    "length_spearman_humans": "Spearman: human mean x length",
    "length_spearman_difference": "difference (judge - humans)",
    "order_flip_rate": "verdict flips when order is swapped",
    "first_shown_share": "prefers the response shown first",
    "longer_preferred_judge": "judge prefers the longer response",
    "longer_preferred_humans": "humans prefer the longer response",
    "longer_preferred_difference": "difference (judge - humans)",
}


@judge_app.command("calibrate")
def judge_calibrate(
    judge: Annotated[Path, typer.Option("--judge", "-j", help="A judge YAML file (schema: honing schema judge).")],
    queue: Annotated[str, typer.Option("--queue", "-q", help="Annotation queue with the human labels.")],
    question: Annotated[str, typer.Option(
        help="Rubric question to calibrate on: likert for a pointwise judge, pairwise for a pairwise one.")],
    workspace: WorkspaceOpt,
    threshold: Annotated[float, typer.Option(min=-1.0, max=1.0, envvar="HONING_JUDGE_THRESHOLD",
                                             help="Spearman's rho a judge needs to be adopted.")] = 0.6,
    min_items: Annotated[int, typer.Option(min=1, envvar="HONING_JUDGE_MIN_ITEMS",
                                           help="Units the judge must answer for a verdict.")] = 30,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many labeled units (a seeded sample).")]
    = None,
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="Judge calls in flight at once.")] = 8,
    seed: Annotated[int, typer.Option(help="Seed for the sample and the bootstrap intervals.")] = 0,
    json: JsonFlag = False,
) -> None:
    """Calibrate a judge against the human labels of one question of a queue.

    The judge is asked about every unit people labeled; the report shows how far it agrees
    with them (kappa, Spearman, alpha, each with a 95% interval and n), what sways it
    (position, length) and the verdict, stored as the judge's next version. Exit 0
    adopted, 1 rejected, 3 inconclusive (too few units judged), 2 bad input."""
    config = judges.load_judge_config(judge)
    live = not json and sys.stderr.isatty()
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  TextColumn("{task.fields[line]}"), console=errors, transient=True, disable=not live) as bar:
        task = bar.add_task(f"judge {config.name}", total=None, line="")

        def update(p: judges.JudgingProgress) -> None:
            bar.update(task, total=p.total, completed=p.done, line=f"judge errors {p.errors}")

        result = judges.calibrate(database(), workspace, config, queue, question, threshold=threshold,
                                  min_items=min_items, limit=limit, concurrency=concurrency, seed=seed,
                                  actor=operator().audit_name, on_progress=update)
    if json:
        print_json(result.as_dict())
    else:
        _print_calibration(result)
    raise typer.Exit(EXIT_CODES[result.verdict])


@judge_app.command("list")
def judge_list(workspace: WorkspaceOpt,
               name: Annotated[str | None, typer.Option("--name", help="Only this judge's versions.")] = None,
               json: JsonFlag = False) -> None:
    """List a workspace's judge calibrations, newest version of each judge first."""
    with database().reading() as session:
        records = judges.list_calibrations(session, accounts.get_workspace(session, workspace), name)
    if json:
        print_json([record.as_dict() for record in records])
        return
    table = Table("judge", "kind", "fingerprint", "queue / question", "Spearman (95%)", "n", "verdict", "created")
    for record in records:
        rho = record.spearman
        table.add_row(record.ref, record.kind, record.fingerprint, f"{record.queue} / {record.question}",
                      f"{value_or_reason(rho, percent=False)} {interval(rho, percent=False)}".strip(),
                      str(record.n), record.verdict, record.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


def _print_calibration(result: judges.Calibration) -> None:
    console.print(f"judge [bold]{result.record.ref}[/] ({result.kind}, fingerprint {result.fingerprint}) "
                  f"on {result.queue} / {result.question}: {result.n} units judged of "
                  f"{result.labeled_units} labeled; {result.judge_errors} judge errors"
                  + "".join(f"; {count} skipped: {why}" for why, count in result.skipped.items()))
    for title, figures in (("Agreement with the humans", result.figures.metrics),
                           ("Bias", result.figures.bias)):
        table = Table("figure", "value", "95% interval", "n", title=title, title_justify="left")
        for key, estimate in figures.items():
            table.add_row(_NAMES.get(key, key), *_cells(key, estimate))
        console.print(table)
    for key, p in result.figures.p_values.items():
        shown = "n/a" if math.isnan(p) else f"{p:.3g}"
        console.print(f"exact binomial p ({key.replace('_', ' ')} vs 0.5): {shown}")
    confusion = result.figures.confusion
    table = Table(f"{confusion.rows} \\ {confusion.columns}", *map(str, confusion.column_values),
                  title="Confusion matrix", title_justify="left")
    for value, row in zip(confusion.row_values, confusion.counts):
        table.add_row(str(value), *map(str, row))
    console.print(table)
    for example in result.error_examples:
        console.print(f"  judge error: {example}", markup=False)
    colour = {"adopted": "green", "rejected": "red"}.get(result.verdict, "yellow")
    console.print(f"[bold {colour}]{result.verdict.upper()}[/]: {result.verdict_reason}", highlight=False)


def _cells(key: str, estimate: Estimate) -> tuple[str, str, str]:
    percent = key in _SHARES
    return (value_or_reason(estimate, percent=percent), interval(estimate, percent=percent), str(estimate.n))
