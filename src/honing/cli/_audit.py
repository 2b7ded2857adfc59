"""`honing audit`: read and verify the tamper-evident log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from honing import accounts, audit
from honing._errors import CheckFailed
from honing.cli._accounts import JsonFlag
from honing.cli._common import console, database, print_json

audit_app = typer.Typer(help="Read and verify the audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    workspace: Annotated[str | None, typer.Option(
        "--workspace", "-w",
        help="Also count this workspace's events (the chain is one for the whole site).")] = None,
    json: JsonFlag = False,
) -> None:
    """Check the hash chain. Exit 0 when intact, 1 naming the first broken event.
    Events still waiting for the server's sealer are sealed first."""
    db = database()
    if workspace is not None:
        with db.reading() as session:
            accounts.get_workspace(session, workspace)  # an unknown name is an error, not 0
    with db.writing() as session:
        audit.seal_pending(session)
    with db.reading() as session:
        result = audit.verify(session, workspace=workspace)
    if json:
        print_json(result.__dict__)
    if not result.ok:
        raise CheckFailed(f"audit chain broken at event {result.broken_event_id}: {result.reason}",
                          hint=f"{result.checked} event(s) before it verified")
    if not json:
        own = f" ({result.in_workspace} in workspace {workspace})" if workspace is not None else ""
        console.print(f"audit chain intact: {result.checked} events verified{own}", highlight=False)


@audit_app.command("log")
def log(
    workspace: Annotated[str | None, typer.Option("--workspace", "-w")] = None,
    limit: Annotated[int, typer.Option(help="How many recent events.")] = 50,
    json: JsonFlag = False,
) -> None:
    """Show recent audit events, newest first."""
    with database().reading() as session:
        events = audit.recent(session, workspace=workspace, limit=limit)
    if json:
        print_json([{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
                     "target": e.target, "workspace": e.workspace, "details": e.details,
                     "hash": e.hash} for e in events])
        return
    table = Table("id", "at", "actor", "action", "target", "workspace")
    for e in events:
        table.add_row(str(e.id), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, e.target,
                      e.workspace or "")
    console.print(table)
