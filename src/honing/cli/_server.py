"""`honing serve` and `honing demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from honing.cli._common import console, database

Host = Annotated[str, typer.Option(help="Interface to listen on.", envvar="HONING_HOST")]
Port = Annotated[int, typer.Option(help="Port to listen on.", envvar="HONING_PORT")]


def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run the web UI and REST API (OpenAPI docs at /docs)."""
    _run(host, port)


def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo and exit.")] = False,
) -> None:
    """Create the demo workspace 'helpdesk-assistant' (idempotent), then serve it."""
    from honing.demo import build_demo

    with console.status("building the demo workspace…"):
        result = build_demo(database())
    console.print(f"demo workspace [bold]{result.workspace}[/]: {result.items} items, "
                  f"versions {', '.join(dict.fromkeys(result.versions))}")
    if result.created_users:
        console.print("demo users (passwords are shown only this once):")
        for username, password in result.created_users.items():
            # Plain lines so scripts can read them: "  user: password"
            typer.echo(f"  {username}: {password}")
    else:
        console.print("demo users already exist (admin, lead, reviewer, rater1-3); "
                      "passwords were printed when they were created")
    if not no_serve:
        _run(host, port)


def _run(host: str, port: int) -> None:
    import uvicorn

    from honing.api import create_app

    app = create_app(database())
    console.print(f"Honing is serving on http://{host}:{port}  (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
