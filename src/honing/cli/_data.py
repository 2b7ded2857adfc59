"""`honing import`, `honing export` and `honing dataset`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

from honing import accounts, datasets, export, ingest
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, errors, operator, print_json

if TYPE_CHECKING:  # the migration readers load only for the formats that need them
    from honing.ingest.migrate import MigrationResult


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
    file: Annotated[Path, typer.Argument(help="A JSONL, CSV, Parquet or OTLP trace file, or another "
                                         "tool's export.")],
    workspace: WorkspaceOpt,
    dataset: Annotated[str, typer.Option("--dataset", "--into", "-d", help="Dataset to add a version to.")],
    format: Annotated[str | None, typer.Option(
        "--format", "-f", help="jsonl, csv or parquet (default: from the file name); otlp: "
        "OpenTelemetry traces (the collector file exporter's JSON lines, one JSON "
        "ExportTraceServiceRequest, or protobuf), one item per conversation; or "
        "label-studio, argilla or langfuse: that tool's export with its human labels, imported "
        "as a rubric, a queue and submitted labels (and, from Langfuse, feedback signals).")] = None,
    map: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=COLUMN, e.g. --map prompt=question --map metadata.intent=topic. "
        "Fields: id, system, prompt, response, model, model_version, prompt_version, messages, "
        "context, tools, responses, metadata, metadata.KEY. Other columns go to metadata. A COLUMN "
        "the file lacks, or that is empty in every row, is an error.")] = None,
    mode: Annotated[str, typer.Option(
        help="replace: the version is exactly the file; append: the latest version plus the file.")]
    = "replace",
    redact_pii: Annotated[str | None, typer.Option(
        "--redact-pii", metavar="MODE", envvar="HONING_IMPORT_REDACT_PII",
        help="Redact PII before storing: mask, placeholder or hash (hash needs HONING_PII_KEY). "
        "Recorded in the version's lineage.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Migration formats: Label Studio's labeling config XML, or Argilla's "
        "settings JSON, to take the questions from (default: derived from the answers).")] = None,
    rater_map: Annotated[Path | None, typer.Option(
        "--rater-map", help="Migration formats: a JSON or YAML object from each annotator (as the "
        "export names them) to a Honing username.")] = None,
    queue: Annotated[str | None, typer.Option(
        help="Migration formats: the queue the labels go to (default: the dataset's name).")] = None,
    rubric: Annotated[str | None, typer.Option(
        help="Migration formats: the rubric the questions become (default: the dataset's name).")] = None,
    json: JsonFlag = False,
) -> None:
    """Import a file as a new dataset version. Every record is validated first; on any
    error nothing is written. Content equal to the latest version creates no version.
    Label Studio, Argilla and Langfuse exports come with their labels; importing the same
    export again adds nothing."""
    from honing.ingest import migrate

    if format in migrate.MIGRATION_FORMATS:
        if redact_pii is not None or mode != "replace":
            raise typer.BadParameter(f"--redact-pii and --mode append do not apply to {format} imports",
                                     param_hint="--format")
        done = migrate.import_migration(
            database(), file, tool=format, workspace=workspace, dataset=dataset,
            actor=operator().audit_name, queue=queue, rubric=rubric, config=config,
            rater_map=rater_map, mapping=ingest.parse_mapping(map or []))
        if json:
            print_json(done.as_dict())
        else:
            print_migration(done)
        return
    if config or rater_map or queue or rubric:
        raise typer.BadParameter("--config, --rater-map, --queue and --rubric are for label-studio, "
                                 "argilla and langfuse imports", param_hint="--format")
    if mode not in ("replace", "append"):
        raise typer.BadParameter("use replace or append", param_hint="--mode")
    if format == "otlp":
        _import_otlp(file, workspace, dataset, map, mode, redact_pii, json)
        return
    with import_progress() as progress:
        result = ingest.import_file(database(), file, workspace=workspace, dataset=dataset,
                                    actor=operator().audit_name, fmt=format,
                                    mapping=ingest.parse_mapping(map or []), mode=mode,  # type: ignore[arg-type]
                                    progress=progress, redact_pii=redact_pii)
    if json:
        print_json(result.as_dict())
    elif result.created:
        parents = ", ".join(result.version.parents) or "none"
        console.print(f"created [bold]{result.version.ref}[/]: {result.version.item_count} items "
                      f"({result.new_items} new), hash {result.version.content_hash[:12]}, "
                      f"parent {parents}")
    else:
        console.print(f"unchanged: {file.name} matches {result.version.ref}; no new version")


def print_migration(done: MigrationResult) -> None:
    version = f"created {done.version}" if done.version_created else f"unchanged {done.version}"
    console.print(f"{version}: {done.items} items from {done.tool}; rubric {done.rubric} "
                  f"(questions {done.questions_from}); queue {done.queue}"
                  f"{' (new)' if done.queue_created else ''}", highlight=False)
    console.print(f"labels: {done.labels_added} added, {done.labels_already_there} already there; "
                  f"feedback signals: {done.signals_added} added; model suggestions: "
                  f"{done.suggestions_added} added", highlight=False)
    for annotator, username in done.raters.items():
        new = " (new rater account; cannot sign in until an admin sets a password)" \
            if username in done.raters_created else ""
        console.print(f"  {annotator} -> {username}{new}", highlight=False)
    for warning in done.warnings:
        errors.print(f"[yellow]note:[/] {warning}", highlight=False)


def _import_otlp(file: Path, workspace: str, dataset: str, mapping: list[str] | None, mode: str,
                 redact_pii: str | None, json: bool) -> None:
    from honing.ingest import otlp

    for given, option in ((mapping, "--map"), (mode == "append", "--mode append"),
                          (redact_pii, "--redact-pii")):
        if given:
            raise typer.BadParameter(f"{option} does not apply to OTLP traces: a version holds "
                                     "the current item of each conversation in the file",
                                     param_hint=option.split()[0])
    with import_progress() as progress:
        result = otlp.import_otlp_file(database(), file, workspace=workspace, dataset=dataset,
                                       actor=operator().audit_name, progress=progress)
    if json:
        print_json(result.as_dict())
        return
    refused = f", {len(result.rejected)} refused" if result.rejected else ""
    console.print(f"received {result.spans} spans{refused} in {result.requests} requests: "
                  f"{result.conversations} conversations")
    for reason in result.rejected[:5]:
        console.print(f"  refused: {reason}")
    if result.version is None:
        console.print("no span was a model call, so no item and no version were made")
    elif result.created:
        console.print(f"created [bold]{result.version.ref}[/]: {result.version.item_count} items, "
                      f"hash {result.version.content_hash[:12]}")
    else:
        console.print(f"unchanged: {file.name} matches {result.version.ref}; no new version")


_TRAINING = ("sft", "prompt-completion", "dpo", "kto", "reward")


def export_command(
    source: Annotated[str, typer.Argument(
        metavar="SOURCE", help="A dataset (e.g. tickets or tickets@3) for jsonl/parquet; a queue (its labels) "
        "or a dataset for training formats. Prefix queue: or dataset: when a name is both.")],
    workspace: WorkspaceOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (a directory for hf).")],
    format: Annotated[str, typer.Option(
        "--format", "-f", help="jsonl or parquet (a dataset version as is); sft, prompt-completion, "
        "dpo, kto or reward (TRL training JSONL); hf (a `datasets` dataset saved to disk, rows as --rows).")]
    = "jsonl",
    rows: Annotated[str, typer.Option(help="Row format inside --format hf.")] = "sft",
    standard: Annotated[bool, typer.Option(
        "--standard", help="Plain text prompt/completion instead of conversational messages.")] = False,
    provenance: Annotated[bool, typer.Option(
        "--provenance/--no-provenance", help="Add item_id, rubric_version, raters, agreement, adjudicated.")]
    = True,
    question: Annotated[str | None, typer.Option(
        help="The pairwise (dpo, reward), response_edit (sft) or likert (kto) question; "
        "default: the rubric's first of that type.")] = None,
    from_ratings: Annotated[str | None, typer.Option(
        help="Use a per-response likert question: rating-gap pairs (dpo, reward), "
        "accepted responses (sft), labels (kto).")] = None,
    min_rating: Annotated[float | None, typer.Option(
        help="sft: accept responses rated at least this; kto: label true at or above "
        "(default: top of the scale - 1).")] = None,
    max_rating: Annotated[float | None, typer.Option(
        help="kto: label false at or below (default: bottom of the scale + 1).")] = None,
    min_gap: Annotated[float, typer.Option(help="Rating-gap pairs: smallest mean difference.")] = 1.0,
    min_strength: Annotated[int, typer.Option(help="Preference pairs: 1 (A>B) or 2 (A>>B).")] = 1,
    min_agreement: Annotated[float, typer.Option(
        help="Smallest share of raters agreeing with the exported decision (0..1).")] = 0.0,
    exclude_gold: Annotated[bool, typer.Option(
        "--exclude-gold/--include-gold", help="Leave gold and qualification items out.")] = True,
    allow_contaminated: Annotated[bool, typer.Option(
        "--allow-contaminated", help="Keep items that also appear in evaluation suites.")] = False,
    suite: Annotated[list[str] | None, typer.Option(
        help="Evaluation suite to check contamination against (repeatable; default: every held-out suite "
        "not archived).")] = None,
    redact_pii: Annotated[str | None, typer.Option(
        "--redact-pii", metavar="MODE", envvar="HONING_EXPORT_REDACT_PII",
        help="Write rows holding PII or secrets redacted: mask, placeholder or hash (hash needs "
        "HONING_PII_KEY). Default: leave them out and list them.")] = None,
    allow_pii: Annotated[bool, typer.Option(
        "--allow-pii", help="Write rows holding PII or secrets unchanged (with a warning).")] = False,
    as_version: Annotated[str | None, typer.Option(
        "--as-version", metavar="DATASET@VERSION",
        help="Export a queue's labels onto the items of a version redacted from the one it labeled "
        "(`honing pii redact`): rows carry the redacted text.")] = None,
    validation: Annotated[float, typer.Option(help="Share of items for the validation split.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the split.")] = 0,
    stratify_by: Annotated[str | None, typer.Option(
        help="Metadata field to stratify the split on, e.g. intent or locale.")] = None,
    json: JsonFlag = False,
) -> None:
    """Export a dataset version to JSONL or Parquet (re-importable, readable by pandas,
    Polars and Hugging Face datasets), or a queue's judgments as Hugging Face TRL training
    data (SFT, prompt-completion, DPO, KTO, reward)."""
    if format in datasets.EXPORT_FORMATS:
        ref = source.removeprefix("dataset:")
        with database().writing() as session:
            ws = accounts.get_workspace(session, workspace)
            version, count = datasets.export_ref(session, ws, ref, format, out,
                                                 actor=operator().audit_name)
        console.print(f"wrote {count} items of {ref.partition('@')[0]}@{version.number} to {out}")
        return
    if format not in (*_TRAINING, "hf"):
        raise typer.BadParameter("use jsonl, parquet, " + ", ".join(_TRAINING) + " or hf",
                                 param_hint="--format")
    if rows != "sft" and format != "hf":
        raise typer.BadParameter("only --format hf takes --rows; the format is the row format",
                                 param_hint="--rows")
    options = export.TrainingOptions(
        format=rows if format == "hf" else format, container="hf" if format == "hf" else "jsonl",
        standard=standard, provenance=provenance, question=question, from_ratings=from_ratings,
        min_rating=min_rating, max_rating=max_rating, min_gap=min_gap, min_strength=min_strength,
        min_agreement=min_agreement, exclude_gold=exclude_gold, allow_contaminated=allow_contaminated,
        redact_pii=redact_pii, allow_pii=allow_pii, as_version=as_version,
        suites=tuple(suite) if suite else None, validation=validation, seed=seed, stratify_by=stratify_by)
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        result = export.export_training(session, ws, source, out, options, actor=operator().audit_name)
    if json:
        print_json(result.as_dict())
        return
    print_training_export(result)


def print_training_export(result: export.TrainingExport) -> None:
    for warning in result.warnings:
        errors.print(f"[yellow]warning:[/] {warning}")
    counts = ", ".join(f"{n} {split}" for split, n in result.rows.items())
    used = f" (question {result.question})" if result.question else ""
    console.print(f"wrote {counts} {result.format} rows from {result.source}{used}")
    for split, path in result.files.items():
        console.print(f"  {split}: {path}")
    if result.excluded:
        console.print("excluded: " + ", ".join(f"{reason} {n}" for reason, n in sorted(result.excluded.items())))
    else:
        console.print("excluded: none")
    for finding in result.pii.get("items", []):
        console.print(f"pii: item {finding['item_id']} {', '.join(finding['entities'])} "
                      f"({finding['rows']} rows {finding['action']})", highlight=False)


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


@dataset_app.command("intake")
def dataset_intake(
    workspace: WorkspaceOpt,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Dataset to add a version to.")],
    json: JsonFlag = False,
) -> None:
    """Write the conversations received on /v1/traces (their current items, in the order
    first seen) as a new version of DATASET; none is made when nothing changed."""
    from honing.ingest import otlp

    version, created = otlp.snapshot_intake(database(), workspace=workspace, dataset=dataset,
                                            actor=operator().audit_name)
    if json:
        print_json({"created": created, "version": version.as_dict()})
    elif created:
        console.print(f"created [bold]{version.ref}[/]: {version.item_count} conversations, "
                      f"hash {version.content_hash[:12]}")
    else:
        console.print(f"unchanged: the intake matches {version.ref}; no new version")
