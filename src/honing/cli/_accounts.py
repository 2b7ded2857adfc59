"""`honing workspace`, `honing user`, `honing member`, `honing token`."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from honing import accounts
from honing._config import Settings
from honing._errors import InvalidInput
from honing.cli._common import console, database, operator, print_json

workspace_app = typer.Typer(help="Create and list workspaces.", no_args_is_help=True)
user_app = typer.Typer(help="Create users.", no_args_is_help=True)
member_app = typer.Typer(help="Give users roles in workspaces.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts and CI.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
WorkspaceOpt = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.",
                                           envvar="HONING_WORKSPACE")]


@workspace_app.command("create")
def workspace_create(name: str, title: Annotated[str | None, typer.Option(help="Display title.")] = None) -> None:
    """Create a workspace."""
    with database().writing() as session:
        ws = accounts.create_workspace(session, operator(), name, title)
        console.print(f"created workspace [bold]{ws.name}[/]")


@workspace_app.command("list")
def workspace_list(json: JsonFlag = False) -> None:
    """List workspaces."""
    with database().reading() as session:
        rows = accounts.list_workspaces(session)
        if json:
            print_json([{"name": w.name, "title": w.title, "created_at": w.created_at} for w in rows])
            return
        table = Table("name", "title", "created")
        for w in rows:
            table.add_row(w.name, w.title, w.created_at.strftime("%Y-%m-%d"))
        console.print(table)


@user_app.command("create")
def user_create(
    username: str,
    password_env: Annotated[str | None, typer.Option(
        help="Read the password from this environment variable instead of prompting.")] = None,
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    site_admin: Annotated[bool, typer.Option(help="May create workspaces and act in all.")] = False,
) -> None:
    """Create a user (the password is prompted for, never taken from the command line)."""
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise InvalidInput(f"environment variable {password_env} is empty or not set")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database().writing() as session:
        accounts.create_user(session, operator(), username, password, display_name=display_name,
                             site_admin=site_admin)
    console.print(f"created user [bold]{username}[/]")


@member_app.command("set")
def member_set(
    username: str, role: str, workspace: WorkspaceOpt,
    cohort: Annotated[str | None, typer.Option(
        help="The team or annotation vendor the member works for (\"\" clears it); "
             "label quality is compared by cohort.")] = None,
) -> None:
    """Give USERNAME the ROLE (admin, lead, reviewer, rater, viewer) in a workspace."""
    with database().writing() as session:
        accounts.set_role(session, operator(), workspace, username, role, cohort=cohort)
    console.print(f"{username} is now {role} in {workspace}")


@member_app.command("remove")
def member_remove(username: str, workspace: WorkspaceOpt) -> None:
    """Remove USERNAME from a workspace."""
    with database().writing() as session:
        accounts.remove_member(session, operator(), workspace, username)
    console.print(f"removed {username} from {workspace}")


@member_app.command("list")
def member_list(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """List a workspace's members, their roles and cohorts."""
    with database().reading() as session:
        rows = accounts.members(session, workspace)
        cohort_of = accounts.cohorts(session, accounts.get_workspace(session, workspace))
        if json:
            print_json([{"username": u.username, "role": r.value, "cohort": cohort_of.get(u.id)}
                        for u, r in rows])
            return
        table = Table("user", "role", "cohort")
        for user, role in rows:
            table.add_row(user.username, role.value, cohort_of.get(user.id) or "")
        console.print(table)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", "-u", help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int | None, typer.Option(
        help="Expire after this many days (default HONING_TOKEN_DEFAULT_DAYS, 90; "
             "at most HONING_TOKEN_MAX_DAYS, 365).")] = None,
    json: JsonFlag = False,
) -> None:
    """Create an API token. The token is printed once; only its hash is stored."""
    settings = Settings.from_env()
    with database().writing() as session:
        token, secret = accounts.create_token(session, operator(), user, name, days=days,
                                              default_days=settings.token_default_days,
                                              max_days=settings.token_max_days)
    if json:
        print_json({"id": token.id, "user": user, "name": name, "token": secret})
    else:
        console.print(f"token {token.id} for {user} (shown once, store it now):")
        typer.echo(secret)


@token_app.command("list")
def token_list(user: Annotated[str, typer.Option("--user", "-u")], json: JsonFlag = False) -> None:
    """List a user's tokens (never their secrets)."""
    with database().reading() as session:
        rows = accounts.list_tokens(session, user)
        data = [{"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
                 "expires_at": t.expires_at, "revoked": t.revoked_at is not None} for t in rows]
    if json:
        print_json(data)
        return
    table = Table("id", "name", "prefix", "created", "expires", "revoked")
    for row in data:
        # Tokens made before lifetimes existed may have none: they keep working.
        expires = row["expires_at"].strftime("%Y-%m-%d") if row["expires_at"] else "never"
        table.add_row(str(row["id"]), row["name"], row["prefix"],
                      row["created_at"].strftime("%Y-%m-%d"), expires, "yes" if row["revoked"] else "")
    console.print(table)


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke a token by id."""
    with database().writing() as session:
        accounts.revoke_token(session, operator(), token_id)
    console.print(f"revoked token {token_id}")
