"""`honing retention`: per-dataset policies that drop raw text after a time, keeping
redacted copies; `apply` is a dry run unless told `--apply`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from honing import accounts, datasets
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json

retention_app = typer.Typer(help="Retention policies: drop raw text after N days, keep redacted copies.",
                            no_args_is_help=True)


@retention_app.command("set")
def retention_set(
    dataset: Annotated[str, typer.Argument(help="Dataset name.")],
    workspace: WorkspaceOpt,
    after_days: Annotated[int, typer.Option(min=0, max=36_500, help="Days after import the raw text is kept.")],
    field: Annotated[str, typer.Option(help="Metadata field that selects the items.")] = "source",
    equals: Annotated[str, typer.Option(help="Value of that field for the items the policy covers.")] = "production",
    mode: Annotated[str, typer.Option(help="How the kept copy is redacted: placeholder, mask or hash.")]
    = "placeholder",
) -> None:
    """Set (or replace) the dataset's retention policy; audited."""
    with database().writing() as session:
        policy = datasets.set_retention_policy(session, accounts.get_workspace(session, workspace), dataset,
                                               after_days=after_days, field=field, equals=equals, mode=mode,
                                               actor=operator().audit_name)
    console.print(f"{dataset}: items with {policy['field']} = {policy['equals']} keep raw text for "
                  f"{policy['after_days']} days, then a {policy['mode']} copy", highlight=False)


@retention_app.command("list")
def retention_list(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """The workspace's retention policies."""
    with database().reading() as session:
        policies = datasets.list_retention_policies(session, accounts.get_workspace(session, workspace))
    if json:
        print_json([{"dataset": name, **policy} for name, policy in policies])
        return
    table = Table("dataset", "field", "equals", "after days", "mode")
    for name, p in policies:
        table.add_row(name, p["field"], p["equals"], str(p["after_days"]), p["mode"])
    console.print(table)


@retention_app.command("apply")
def retention_apply(
    workspace: WorkspaceOpt,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Only this dataset's policy.")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Redact for real (the default is a dry run).")] = False,
    json: JsonFlag = False,
) -> None:
    """Count (or, with --apply, redact) the items whose raw text is past its retention."""
    with database().writing() as session:
        run = datasets.apply_retention(session, accounts.get_workspace(session, workspace), dataset=dataset,
                                       dry_run=not apply, actor=operator().audit_name)
    if json:
        print_json(run.as_dict())
        return
    title = "retention (dry run: nothing changed; --apply to redact)" if run.dry_run else "retention applied"
    table = Table("dataset", "policy", "due", "redacted", "already redacted", title=title)
    for o in run.outcomes:
        p = o.policy
        table.add_row(o.dataset, f"{p['field']} = {p['equals']}, {p['after_days']} days, {p['mode']}", str(o.due),
                      str(o.redacted), str(o.already))
    console.print(table)
