"""`honing schema`, `honing rubric`, `honing queue` and `honing suggestions`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from honing import accounts, annotate
from honing._errors import InvalidInput, Problem
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json
from honing.rubrics import rubric_json_schema

schema_app = typer.Typer(help="Print JSON Schemas of config files, for editors and CI.",
                         no_args_is_help=True)
rubric_app = typer.Typer(help="Push and list rubric versions.", no_args_is_help=True)
queue_app = typer.Typer(help="Create annotation queues and add gold or qualification items.",
                        no_args_is_help=True)
suggestions_app = typer.Typer(help="Attach model pre-labels to items.", no_args_is_help=True)



# --- schema --------------------------------------------------------------------------

@schema_app.command("rubric")
def schema_rubric() -> None:
    """Print the JSON Schema of rubric YAML files."""
    print_json(rubric_json_schema())


@schema_app.command("suite")
def schema_suite() -> None:
    """Print the JSON Schema of evaluation suite files."""
    from honing.evaluate import suite_json_schema

    print_json(suite_json_schema())


@schema_app.command("judge")
def schema_judge() -> None:
    """Print the JSON Schema of LLM judge files (`honing judge calibrate --judge`)."""
    from honing.judges import judge_config_json_schema

    print_json(judge_config_json_schema())


@schema_app.command("queue-policy")
def schema_queue_policy() -> None:
    """Print the JSON Schema of queue policy files (`honing queue create --policy`)."""
    print_json(annotate.QueuePolicy.model_json_schema())


# --- rubric --------------------------------------------------------------------------

@rubric_app.command("push")
def rubric_push(
    file: Annotated[Path, typer.Argument(
        help="A rubric YAML file (schema: `honing schema rubric`).")],
    workspace: WorkspaceOpt,
    json: JsonFlag = False,
) -> None:
    """Store a rubric as a new immutable version; content equal to the newest creates none."""
    text = _read_text(file)
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        result = annotate.push_rubric(session, ws, text, source=file.name,
                                      actor=operator().audit_name)
    if json:
        print_json({"created": result.created, "ref": result.ref, "name": result.name,
                    "number": result.number, "content_hash": result.content_hash})
    elif result.created:
        console.print(f"created [bold]{result.ref}[/] (hash {result.content_hash[:12]}…)")
    else:
        console.print(f"unchanged: {file.name} matches {result.ref}")


@rubric_app.command("list")
def rubric_list(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """List a workspace's rubric versions."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        rows = [{"name": name, "number": v.number, "ref": f"{name}@{v.number}",
                 "content_hash": v.content_hash, "actor": v.actor, "created_at": v.created_at}
                for name, v in annotate.list_rubric_versions(session, ws)]
    if json:
        print_json(rows)
        return
    table = Table("rubric", "version", "hash", "by", "created")
    for row in rows:
        table.add_row(row["name"], f"v{row['number']}", row["content_hash"][:12], row["actor"],
                      row["created_at"].strftime("%Y-%m-%d %H:%M"))
    console.print(table)


# --- queue ---------------------------------------------------------------------------

@queue_app.command("create")
def queue_create(
    name: Annotated[str, typer.Argument(help="Queue name.")],
    workspace: WorkspaceOpt,
    dataset: Annotated[str, typer.Option(
        "--dataset", "-d", metavar="DATASET[@VERSION]",
        help="Items to label (default: the latest version).")],
    rubric: Annotated[str, typer.Option(
        "--rubric", "-r", metavar="RUBRIC[@VERSION]",
        help="What raters answer (default: the latest version).")],
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", help="YAML mapping of policy fields (schema: `honing schema queue-policy`); "
        "the options below override it.")] = None,
    overlap: Annotated[int | None, typer.Option(help="Submitted labels wanted per item.")] = None,
    gold_rate: Annotated[float | None, typer.Option(
        help="Share of claims answered with a hidden gold item (0-1).")] = None,
    audit_rate: Annotated[float | None, typer.Option(
        help="Share of submitted labels sent to review (0-1).")] = None,
    order: Annotated[str | None, typer.Option(
        help="random, stratified, priority or dataset.")] = None,
    stratify_by: Annotated[str | None, typer.Option(
        help="Metadata field for --order stratified.")] = None,
    priority_field: Annotated[str | None, typer.Option(
        help="Numeric metadata field for --order priority (higher first).")] = None,
    lease_seconds: Annotated[int | None, typer.Option(help="How long a claim is held.")] = None,
    per_rater_cap: Annotated[int | None, typer.Option(
        help="Live labels per rater at most.")] = None,
    turnaround_hours: Annotated[float | None, typer.Option(
        help="Hours until an item's labels are due (the quality report's on-time rate).")] = None,
    qualification_min_score: Annotated[float | None, typer.Option(
        help="Accuracy (0-1) a rater needs on the qualification items before live items.")] = None,
    blind: Annotated[bool | None, typer.Option(
        "--blind/--no-blind", help="Hide model names and versions from raters.")] = None,
    show_metadata: Annotated[str | None, typer.Option(
        metavar="A,B",
        help="Metadata fields raters may see, comma-separated ('' for none).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the shuffled order.")] = None,
    json: JsonFlag = False,
) -> None:
    """Create a queue over a dataset version and a rubric version."""
    policy = _policy(policy_file, {
        "overlap": overlap, "gold_rate": gold_rate, "audit_rate": audit_rate, "order": order,
        "stratify_by": stratify_by, "priority_field": priority_field,
        "lease_seconds": lease_seconds, "per_rater_cap": per_rater_cap,
        "turnaround_hours": turnaround_hours,
        "qualification_min_score": qualification_min_score,
        "blind": blind, "seed": seed,
        "show_metadata": None if show_metadata is None
        else [f.strip() for f in show_metadata.split(",") if f.strip()],
    })
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        queue = annotate.create_queue(session, ws, name=name, dataset_ref=dataset,
                                      rubric_ref=rubric, policy=policy,
                                      actor=operator().audit_name)
        info = annotate.describe_queue(session, queue)
    if json:
        print_json(info)
        return
    console.print(f"created queue [bold]{info['name']}[/]: {info['stats']['live_items']} items "
                  f"from {info['dataset_version']}, rubric {info['rubric_version']}")
    console.print(f"policy: {_policy_summary(policy)}", highlight=False)


@queue_app.command("list")
def queue_list(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """List a workspace's queues."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        rows = [annotate.describe_queue(session, q) for q in annotate.list_queues(session, ws)]
    if json:
        print_json(rows)
        return
    table = Table("queue", "dataset", "rubric", "items", "complete", "status", "created")
    for row in rows:
        stats = row["stats"]
        table.add_row(row["name"], row["dataset_version"], row["rubric_version"],
                      str(stats["live_items"]), str(stats["complete_items"]), row["status"],
                      row["created_at"].strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@queue_app.command("show")
def queue_show(name: Annotated[str, typer.Argument(help="Queue name.")], workspace: WorkspaceOpt,
               json: JsonFlag = False) -> None:
    """Show a queue's policy and progress."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        info = annotate.describe_queue(session, annotate.get_queue(session, ws, name))
    if json:
        print_json(info)
        return
    console.print(f"queue [bold]{info['name']}[/] ({info['status']}): {info['dataset_version']}, "
                  f"rubric {info['rubric_version']}")
    console.print(f"policy: {_policy_summary(annotate.QueuePolicy.model_validate(info['policy']))}",
                  highlight=False)
    table = Table("", "count")
    for key, value in info["stats"].items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


@queue_app.command("reference")
def queue_reference(
    name: Annotated[str, typer.Argument(help="Queue name.")],
    file: Annotated[Path, typer.Argument(
        help='JSONL, one {"item": {...}, "answers": {...}, "tolerances": {...}} per line; '
        "item in the interchange shape (messages, context, tools, responses, metadata, id).")],
    workspace: WorkspaceOpt,
    kind: Annotated[str, typer.Option(
        help="gold (hidden quality checks) or qualification (the entry test).")],
    json: JsonFlag = False,
) -> None:
    """Add gold or qualification items with their known answers. Every line is validated
    first; on any error nothing is added."""
    if kind not in ("gold", "qualification"):
        raise typer.BadParameter("use gold or qualification", param_hint="--kind")
    records, lines = annotate.read_reference_lines(file)
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        queue = annotate.get_queue(session, ws, name)
        with annotate.rows_as_lines(file, lines, {"gold": "answers"}):
            added = annotate.add_reference_items(session, ws, queue, kind, records,
                                                 actor=operator().audit_name)
    if json:
        print_json({"queue": name, "kind": kind, "added": added})
    else:
        console.print(f"added {added} {kind} item(s) to queue [bold]{name}[/]")


# --- suggestions ---------------------------------------------------------------------

@suggestions_app.command("add")
def suggestions_add(
    file: Annotated[Path, typer.Argument(
        help='JSONL, one {"item_id": 1, "question": "safety", "value": ..., "source": "model-x", '
        '"score": 0.9} per line.')],
    workspace: WorkspaceOpt,
    json: JsonFlag = False,
) -> None:
    """Add model pre-labels that raters see as suggestions. Every line is validated first;
    on any error nothing is added."""
    records, lines = annotate.read_suggestion_lines(file)
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        with annotate.rows_as_lines(file, lines):
            added = annotate.add_suggestions(session, ws, records, actor=operator().audit_name)
    if json:
        print_json({"added": added})
    else:
        console.print(f"added {added} suggestion(s) in workspace [bold]{workspace}[/]")


# --- helpers -------------------------------------------------------------------------

def _read_text(path: Path) -> str:
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path.name} is not UTF-8 text ({error.reason} at byte "
                           f"{error.start})") from None


def _policy(file: Path | None, options: dict[str, Any]) -> annotate.QueuePolicy:
    """The policy file's values with the explicit options on top; a problem in a value that
    came from the file names the file."""
    from_file = _policy_file(file) if file is not None else {}
    chosen = {k: v for k, v in options.items() if v is not None}
    try:
        return annotate.parse_policy({**from_file, **chosen})
    except InvalidInput as error:
        if file is None:
            raise
        only_in_file = from_file.keys() - chosen.keys()
        problems = [replace(p, file=file.name) if (p.field or "").split(".")[0] in only_in_file
                    else p for p in error.problems]
        raise InvalidInput(error.message, problems=problems, hint=error.hint) from None


def _policy_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InvalidInput(f"{path.name}: the policy file is not valid YAML", problems=[Problem(
            str(getattr(error, "problem", None) or error), file=path.name,
            line=mark.line + 1 if mark is not None else None)]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(f"{path.name}: a policy file is a mapping of policy fields to values",
                           hint="see `honing schema queue-policy`")
    return {str(k): v for k, v in data.items()}


def _policy_summary(policy: annotate.QueuePolicy) -> str:
    order = policy.order
    if order == "stratified":
        order += f" by {policy.stratify_by}"
    elif order == "priority":
        order += f" by {policy.priority_field}"
    parts = [f"overlap {policy.overlap}", "blind" if policy.blind else "not blind",
             f"gold {policy.gold_rate:.0%}", f"audit {policy.audit_rate:.0%}", f"order {order}",
             f"lease {policy.lease_seconds}s"]
    if policy.per_rater_cap is not None:
        parts.append(f"cap {policy.per_rater_cap} per rater")
    if policy.qualification_min_score is not None:
        parts.append(f"qualification {policy.qualification_min_score:.0%}")
    if policy.turnaround_hours is not None:
        parts.append(f"due {policy.turnaround_hours:g}h")
    parts.append("shows " + (", ".join(policy.show_metadata) or "no metadata"))
    return ", ".join(parts)
