"""`honing dataset card`: show a version's dataset card, edit its written fields, run the
checks it reports (PII scan, duplicates, contamination)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from honing import accounts, datasets
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json

card_app = typer.Typer(help="Dataset cards: what a version holds, where it came from, what is known about it.",
                       no_args_is_help=True)
RefArg = Annotated[str, typer.Argument(metavar="DATASET[@VERSION]", help="e.g. tickets or tickets@3")]


@card_app.command("show")
def card_show(ref: RefArg, workspace: WorkspaceOpt,
              out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the Markdown to this file.")] = None,
              json: JsonFlag = False) -> None:
    """Print (or write) the version's card as Markdown with the Hugging Face YAML header."""
    with database().reading() as session:
        card = datasets.build_card(session, accounts.get_workspace(session, workspace), ref)
    if json:
        print_json(card.as_dict())
        return
    text = datasets.render_card_markdown(card)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote the card of {card.ref} to {out}", highlight=False)


@card_app.command("set")
def card_set(
    dataset: Annotated[str, typer.Argument(help="Dataset name.")],
    workspace: WorkspaceOpt,
    intended_use: Annotated[str | None, typer.Option(help="What the data is for, and what not.")] = None,
    limitations: Annotated[str | None, typer.Option(help="Known gaps, biases and caveats.")] = None,
    license: Annotated[str | None, typer.Option(help="License identifier, e.g. cc-by-4.0 or other.")] = None,
    consent: Annotated[str | None, typer.Option(help="How the people in the data consented.")] = None,
    retention_notes: Annotated[str | None, typer.Option(help="How long raw data is kept, and why.")] = None,
) -> None:
    """Edit the card's written fields (the others are computed); audited."""
    with database().writing() as session:
        fields = datasets.set_card_fields(session, accounts.get_workspace(session, workspace), dataset,
                                          actor=operator().audit_name, intended_use=intended_use,
                                          limitations=limitations, license=license, consent=consent,
                                          retention_notes=retention_notes)
    filled = [name for name, value in fields.items() if value]
    console.print(f"card of {dataset}: {', '.join(filled) or 'no fields'} written", highlight=False)


@card_app.command("check")
def card_check(ref: RefArg, workspace: WorkspaceOpt,
               only: Annotated[list[str] | None, typer.Option("--only", help="pii, dedup or contamination "
                                                              "(repeatable; default all).")] = None,
               threshold: Annotated[float, typer.Option(min=0.01, max=1.0, help="Near-duplicate Jaccard "
                                                        "threshold.")] = 0.8,
               field: Annotated[str, typer.Option(help="Item text duplicates and near-duplicate contamination "
                                                  "compare: user, messages (no system prompts), responses "
                                                  "or all.")] = "user",
               json: JsonFlag = False) -> None:
    """Run the checks the card reports (PII scan, duplicates, contamination against the
    workspace's held-out suites) on the version and keep their results with it."""
    with database().writing() as session:
        done = datasets.run_checks(session, accounts.get_workspace(session, workspace), ref,
                                   actor=operator().audit_name, kinds=only or datasets.CHECKS, threshold=threshold,
                                   field=field)
    if json:
        print_json(done)
        return
    for kind, found in done.items():
        result = found["result"]
        if kind == "pii":
            line = f"{result['items_with_pii']} of {result['items_scanned']} items contain PII"
        elif kind == "dedup":
            line = f"{result['exact_clusters']} exact and {result['near_clusters']} near-duplicate clusters"
        else:
            line = f"{result['contaminated_items']} items match evaluation scenarios"
        console.print(f"{kind}: {line}", highlight=False)
