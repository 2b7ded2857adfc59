"""`honing pii`: find and redact personal data and secrets in a dataset version, and choose
the NER backends a workspace's scans run beside the rules."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from honing import accounts
from honing._errors import InvalidInput
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json
from honing.datasets import pii

pii_app = typer.Typer(help="Find and redact PII and secrets in dataset versions.",
                      no_args_is_help=True)
backend_app = typer.Typer(help="Add or remove the NER backends a workspace's PII scans run.",
                          no_args_is_help=True)
pii_app.add_typer(backend_app, name="backend")

RefArg = Annotated[str, typer.Argument(metavar="DATASET[@VERSION]",
                                       help="e.g. tickets or tickets@3")]
EntitiesOpt = Annotated[list[str] | None, typer.Option(
    "--entity", "-e", help="Limit to entity types, e.g. -e EMAIL -e PHONE (default: all); "
    "common aliases such as US_SSN or EMAIL_ADDRESS are accepted.")]
SpecArg = Annotated[str, typer.Argument(
    metavar="SPEC", help="spacy:PIPELINE (an installed pipeline package or a directory) or "
    "gliner:PATH (a local model directory); nothing is downloaded.")]


def detectors_line(detectors: list[str] | tuple[str, ...]) -> str:
    return "detectors: " + ", ".join(detectors)


@pii_app.command("scan")
def scan(ref: RefArg, workspace: WorkspaceOpt, entity: EntitiesOpt = None,
         json: JsonFlag = False) -> None:
    """Count PII per entity type (items, spans) with masked examples.

    Uses the rules and the workspace's NER backends."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        report = pii.scan_version(session, ws, ref, entities=entity)
    if json:
        print_json(report.as_dict())
        return
    console.print(detectors_line(report.detectors), highlight=False)
    line = f"{report.ref}: {report.items_with_pii} of {report.items} items hold PII"
    if report.selected is not None:
        line += f"; {report.items_matching} hold {', '.join(report.selected)}"
    console.print(line, highlight=False)
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
        return
    console.print(detectors_line(result.detectors), highlight=False)
    if result.created:
        console.print(f"created [bold]{result.version.ref}[/]: {result.changed_items} of "
                      f"{result.items} items redacted, parent {', '.join(result.version.parents)}")
    else:
        console.print(f"unchanged: no PII to redact; {result.version.ref} stays the latest")


@pii_app.command("backends")
def backends(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """List the detectors the workspace's scans run.

    The rules, then each NER backend with the entity types it adds and its version."""
    with database().reading() as session:
        ws = accounts.get_workspace(session, workspace)
        specs = pii.workspace_backends(session, ws)
    rows = [{"detector": "rules", "entities": pii.entity_types(), "version": None,
             "problem": None}]
    for spec in specs:
        try:
            backend = pii.load_backend(spec)
        except InvalidInput as exc:  # listed anyway: the operator needs to see what broke
            rows.append({"detector": spec, "entities": [], "version": None,
                         "problem": exc.message})
            continue
        rows.append({"detector": spec, "entities": list(backend.entities),
                     "version": backend.version, "name": backend.name, "problem": None})
    if json:
        print_json({"workspace": ws.name, "detectors": rows})
        return
    table = Table("detector", "entity types", "version", title=f"PII detectors of {ws.name}")
    for row in rows:
        table.add_row(row["detector"], ", ".join(row["entities"]) or f"[red]{row['problem']}[/]",
                      row["version"] or "")
    console.print(table)
    if not specs:
        console.print("rules only; add an NER backend for names and places with "
                      f"`honing pii backend add spacy:PIPELINE -w {ws.name}`", highlight=False)


@backend_app.command("add")
def backend_add(spec: SpecArg, workspace: WorkspaceOpt) -> None:
    """Add an NER backend to the workspace's scans; it must load on this machine first."""
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        specs = pii.add_workspace_backend(session, ws, spec, actor=operator().audit_name)
    console.print(f"{ws.name}: " + detectors_line(pii.detector_names(specs)), highlight=False)


@backend_app.command("remove")
def backend_remove(spec: SpecArg, workspace: WorkspaceOpt) -> None:
    """Stop running an NER backend in the workspace's scans."""
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        specs = pii.remove_workspace_backend(session, ws, spec, actor=operator().audit_name)
    # named, not loaded: removing a model that no longer loads must work
    console.print(f"{ws.name}: " + detectors_line(["rules", *specs]), highlight=False)
