"""`honing import`, `honing export` and `honing dataset`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from honing import accounts, datasets, ingest
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, errors, operator, print_json


@contextmanager
def import_progress() -> Iterator[ingest.Progress]:
    """A Rich progress display: records checked, then records written with rate and ETA."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


dataset_app = typer.Typer(help="List datasets and their versions.", no_args_is_help=True)


def import_command(
    file: Annotated[Path, typer.Argument(help="A JSONL, CSV or Parquet file.")],
    workspace: WorkspaceOpt,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Dataset to add a version to.")],
    format: Annotated[str | None, typer.Option(
        "--format", "-f", help="jsonl, csv or parquet (default: from the file name).")] = None,
    map: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=COLUMN, e.g. --map prompt=question --map metadata.intent=topic. "
        "Fields: id, system, prompt, response, model, model_version, prompt_version, messages, "
        "context, tools, responses, metadata, metadata.KEY. Other columns go to metadata.")] = None,
    mode: Annotated[str, typer.Option(
        help="replace: the version is exactly the file; append: the latest version plus the file.")]
    = "replace",
    json: JsonFlag = False,
) -> None:
    """Import a file as a new dataset version. Every record is validated first; on any
    error nothing is written. Content equal to the latest version creates no version."""
    if mode not in ("replace", "append"):
        raise typer.BadParameter("use replace or append", param_hint="--mode")
    with import_progress() as progress:
        result = ingest.import_file(database(), file, workspace=workspace, dataset=dataset,
                                    actor=operator().audit_name, fmt=format,
                                    mapping=ingest.parse_mapping(map or []), mode=mode,  # type: ignore[arg-type]
                                    progress=progress)
    if json:
        print_json(result.as_dict())
    elif result.created:
        parents = ", ".join(result.version.parents) or "none"
        console.print(f"created [bold]{result.version.ref}[/]: {result.version.item_count} items "
                      f"({result.new_items} new), hash {result.version.content_hash[:12]}, "
                      f"parent {parents}")
    else:
        console.print(f"unchanged: {file.name} matches {result.version.ref}; no new version")


def export_command(
    ref: Annotated[str, typer.Argument(metavar="DATASET[@VERSION]", help="e.g. tickets or tickets@3")],
    workspace: WorkspaceOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl or parquet.")] = "jsonl",
) -> None:
    """Export a dataset version to JSONL or Parquet (re-importable, readable by pandas,
    Polars and Hugging Face datasets)."""
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        version, count = datasets.export_ref(session, ws, ref, format, out,
                                             actor=operator().audit_name)
    console.print(f"wrote {count} items of {ref.partition('@')[0]}@{version.number} to {out}")


@dataset_app.command("list")
def dataset_list(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """List a workspace's datasets with their latest version."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        rows = [(d, datasets.version_info(session, d, v) if v else None)
                for d, v in datasets.list_datasets(session, ws)]
    if json:
        print_json([{"name": d.name, "head": info.as_dict() if info else None} for d, info in rows])
        return
    table = Table("dataset", "latest", "items", "hash")
    for d, info in rows:
        table.add_row(d.name, f"v{info.number}" if info else "-", str(info.item_count if info else 0),
                      info.content_hash[:12] if info else "")
    console.print(table)


@dataset_app.command("versions")
def dataset_versions(dataset: str, workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """List a dataset's versions with their lineage."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        versions = datasets.list_versions(session, datasets.get_dataset(session, ws, dataset))
    if json:
        print_json([v.as_dict() for v in versions])
        return
    table = Table("version", "items", "hash", "operation", "parents", "by", "at")
    for v in versions:
        table.add_row(v.ref, str(v.item_count), v.content_hash[:12], v.operation,
                      ", ".join(v.parents) or "-", v.actor, v.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)
