"""`honing pii`: find and redact personal data and secrets in a dataset version."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from honing import accounts
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json
from honing.datasets import pii

pii_app = typer.Typer(help="Find and redact PII and secrets in dataset versions.",
                      no_args_is_help=True)

RefArg = Annotated[str, typer.Argument(metavar="DATASET[@VERSION]",
                                       help="e.g. tickets or tickets@3")]
EntitiesOpt = Annotated[list[str] | None, typer.Option(
    "--entity", "-e", help="Limit to entity types, e.g. -e EMAIL -e PHONE (default: all).")]


@pii_app.command("scan")
def scan(ref: RefArg, workspace: WorkspaceOpt, entity: EntitiesOpt = None,
         json: JsonFlag = False) -> None:
    """Count PII per entity type (items affected, spans) with a few masked examples."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        report = pii.scan_version(session, ws, ref, entities=entity)
    if json:
        print_json(report.as_dict())
        return
    console.print(f"{report.ref}: {report.items_with_pii} of {report.items} items hold PII")
    table = Table("entity", "items", "spans", "examples (masked)")
    for name in sorted(report.entities):
        row = report.entities[name]
        table.add_row(name, str(row.items), str(row.spans), "\n".join(row.examples))
    console.print(table)


@pii_app.command("redact")
def redact(
    ref: RefArg,
    workspace: WorkspaceOpt,
    mode: Annotated[str, typer.Option(
        "--mode", "-m", envvar="HONING_PII_MODE",
        help="mask ([EMAIL]), placeholder (<EMAIL_1>, consistent within an item) or hash "
        "(<EMAIL:3f2a9c1b>, keyed by HONING_PII_KEY).")] = "placeholder",
    entity: EntitiesOpt = None,
    json: JsonFlag = False,
) -> None:
    """Write a new version with PII redacted; items without PII are shared, not copied."""
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        result = pii.redact_version(session, ws, ref, mode, actor=operator().audit_name,
                                    entities=entity)
    if json:
        print_json(result.as_dict())
    elif result.created:
        console.print(f"created [bold]{result.version.ref}[/]: {result.changed_items} of "
                      f"{result.items} items redacted, parent {', '.join(result.version.parents)}")
    else:
        console.print(f"unchanged: no PII to redact; {result.version.ref} stays the latest")
