"""`honing dedup` and `honing contamination check`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from honing import accounts
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json
from honing.cli._data import import_progress
from honing.datasets.contamination import ContaminationReport, find_contamination
from honing.datasets.dedup import (
    DEFAULT_FIELD,
    FIELDS,
    DedupReport,
    dedup_version,
    write_deduplicated,
)

_FIELD_HELP = ("Text of each item compared: user (the user's turns), messages (every turn but "
               "system prompts), responses (the candidate responses) or all (everything, system "
               "prompts too).")


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise typer.BadParameter(f"use one of: {', '.join(FIELDS)}", param_hint="--field")


contamination_app = typer.Typer(help="Check training data against evaluation suites.",
                                no_args_is_help=True)


def dedup_command(
    ref: Annotated[str, typer.Argument(metavar="DATASET[@VERSION]", help="e.g. tickets or tickets@3")],
    workspace: WorkspaceOpt,
    threshold: Annotated[float, typer.Option(
        help="Near duplicates: Jaccard similarity of word 5-shingles at least this.",
        envvar="HONING_DEDUP_THRESHOLD", min=0.01, max=1.0)] = 0.8,
    field: Annotated[str, typer.Option(help=_FIELD_HELP, envvar="HONING_DEDUP_FIELD")] = DEFAULT_FIELD,
    write: Annotated[bool, typer.Option(
        "--write", help="Create a version keeping the first item of each cluster.")] = False,
    examples: Annotated[int, typer.Option(help="Clusters shown in the table.", min=0)] = 5,
    json: JsonFlag = False,
) -> None:
    """Find exact and near-duplicate items in a dataset version; with --write, add a
    deduplicated version (lineage: operation "dedup", parent the version checked)."""
    _check_field(field)
    db = database()
    with db.reading() as session, import_progress() as progress:  # no write lock while comparing
        ws = accounts.get_workspace(session, workspace)
        report = dedup_version(session, ws, ref, threshold=threshold, field=field,  # type: ignore[arg-type]
                               progress=progress)
    written = None
    if write and report.removable:
        # The version the report is for is immutable; write_deduplicated checks it is the same.
        with db.writing() as session:
            written = write_deduplicated(session, accounts.get_workspace(session, workspace),
                                         f"{report.dataset}@{report.version}", report,
                                         actor=operator().audit_name)
    if json:
        print_json({**report.as_dict(), "written": written.as_dict() if written else None})
        return
    _print_dedup(report, examples)
    if written is not None:
        console.print(f"created [bold]{written.ref}[/]: {written.item_count} items "
                      f"({report.removable} removed), parent {report.ref}")
    elif write:
        console.print("no duplicates: no new version")


def _print_dedup(report: DedupReport, examples: int) -> None:
    console.print(f"{report.ref}: {report.items} items ({report.field}), {len(report.clusters)} clusters "
                  f"({report.count('exact')} exact, {report.count('near')} near), "
                  f"{report.removable} items removable at threshold {report.threshold}", highlight=False)
    if report.empty:
        console.print(f"{report.empty} items have no {report.field} text and were not compared")
    if not report.clusters:
        return
    console.print("cluster sizes: " + ", ".join(f"{size}: {n}" for size, n in report.sizes().items()))
    table = Table("kind", "size", "record ids", "previews (first kept)")
    for cluster in report.clusters[:examples]:
        # the ids the records were imported with; the store's own id where a record had none
        ids = ", ".join(record if record is not None else f"item {item}" for record, item
                        in zip(cluster.record_ids[:5], cluster.item_ids[:5], strict=True))
        ids += " …" if cluster.size > 5 else ""
        table.add_row(cluster.kind, str(cluster.size), ids, "\n".join(cluster.previews))
    console.print(table)
    if len(report.clusters) > examples:
        console.print(f"first {examples} of {len(report.clusters)} clusters shown; --json lists all")


@contamination_app.command("check")
def contamination_check(
    workspace: WorkspaceOpt,
    train: Annotated[str, typer.Option(metavar="DATASET[@VERSION]", help="The training dataset version.")],
    suite: Annotated[list[str] | None, typer.Option(
        metavar="SUITE[@VERSION]", help="A suite to check against, held out or not (repeatable; default: "
        "the newest version of every held-out suite not archived).")] = None,
    ngram: Annotated[int, typer.Option(help="Word n-gram length the overlap is counted in.", min=1)] = 13,
    min_overlap: Annotated[float, typer.Option(
        help="N-gram overlap: share of a scenario's n-grams an item must hold.", min=0.01, max=1.0)] = 0.5,
    threshold: Annotated[float, typer.Option(
        help="Near duplicates: Jaccard similarity of their words and word pairs at least this.",
        min=0.01, max=1.0)] = 0.5,
    field: Annotated[str, typer.Option(
        help=_FIELD_HELP + " Near duplicates only: the n-gram check reads every turn but system "
        "prompts, and the responses.", envvar="HONING_CONTAMINATION_FIELD")] = DEFAULT_FIELD,
    examples: Annotated[int, typer.Option(help="Matches shown in the table.", min=0)] = 20,
    json: JsonFlag = False,
) -> None:
    """Find training items that overlap evaluation scenarios (a share of a scenario's n-grams,
    half by default, or a near duplicate of its prompt). Exit code 1 when any is found, 0 when the data is clean."""
    _check_field(field)
    with database().reading() as session, import_progress() as progress:
        ws = accounts.get_workspace(session, workspace)
        report = find_contamination(session, ws, train, suite or None, ngram=ngram, min_overlap=min_overlap,
                                    threshold=threshold, field=field, progress=progress)  # type: ignore[arg-type]
    if json:
        print_json(report.as_dict())
    else:
        _print_contamination(report, examples)
    if report.contaminated:
        raise typer.Exit(1)


def _print_contamination(report: ContaminationReport, examples: int) -> None:
    suites = ", ".join(report.suites) or "none (the workspace has no held-out suite; honing suite mark NAME --held-out)"
    console.print(f"{report.train}: {report.items} items checked against {report.scenarios} "
                  f"scenarios of {suites}", highlight=False)
    if not report.contaminated:
        console.print("clean: no item overlaps a scenario")
        return
    console.print(f"[bold red]contaminated[/]: {len(report.item_ids)} items match "
                  f"({len(report.matches)} matches)")
    table = Table("item", "suite", "scenario", "kind", "score", "shared text")
    for m in report.matches[:examples]:
        table.add_row(str(m.item_id), m.suite, m.scenario_id, m.kind, f"{m.score:.2f}", m.snippet)
    console.print(table)
    if len(report.matches) > examples:
        console.print(f"first {examples} of {len(report.matches)} matches shown; --json lists all")
