"""`honing serve` and `honing demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from honing.cli._common import console, database

Host = Annotated[str, typer.Option(help="Interface to listen on.", envvar="HONING_HOST")]
Port = Annotated[int, typer.Option(help="Port to listen on.", envvar="HONING_PORT")]
Workers = Annotated[int, typer.Option(
    min=1, envvar="HONING_WORKERS",
    help="Worker processes. 1 serves in this process; more start that many processes, each "
         "with its own connection pools (up to 90 PostgreSQL connections per worker: mind the "
         "server's max_connections; SQLite still allows one writer at a time). On a small "
         "machine one worker is best: see benchmarks/README.md.")]


def serve(host: Host = "127.0.0.1", port: Port = 8000, workers: Workers = 1) -> None:
    """Run the web UI and REST API (OpenAPI docs at /docs)."""
    _run(host, port, workers)


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
    evaluation = result.evaluation
    if evaluation:
        runs = ", ".join(f"{name} run {run_id}" for name, run_id in evaluation.get("runs", {}).items())
        console.print(f"evaluation suite [bold]{evaluation['suite']}[/] ({evaluation['scenarios']} scenarios), "
                      f"replay runs: {runs} (honing eval show RUN -w {result.workspace})")
        ids = evaluation.get("runs", {})
        release = evaluation.get("policies", {}).get("gate-release")
        if release and {"v1", "v2"} <= set(ids):
            console.print(f"release gate: honing gate -w {result.workspace} --policy {release} "
                          f"--run {ids['v2']} --baseline {ids['v1']}", highlight=False, soft_wrap=True)
    production = result.production
    if production:
        down = production.get("thumbs_down", 0)
        console.print(f"production feedback: {down + production.get('thumbs_up', 0)} thumbs ({down} down), "
                      f"{production.get('ratings', 0)} ratings, {production.get('comments', 0)} comments, "
                      f"{production.get('corrections', 0)} corrections; review sample of "
                      f"{production.get('sampled', 0)} by thumbs-down in queue production-review "
                      f"({production.get('labels', 0)} labels)")
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


def _run(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from honing.api import create_app
    from honing.api._app import tune_for_serving

    if workers > 1:
        # Workers are separate processes, so uvicorn needs an import string; each one calls
        # serving_app(), whose create_app() opens the database the environment names
        # (Settings.from_env), as database() does here. Opening it once here first runs any
        # migration before the workers start and fails early on a bad HONING_DATABASE_URL.
        database().dispose()
        console.print(f"Honing is serving on http://{host}:{port} with {workers} worker "
                      "processes  (API docs: /docs)")
        uvicorn.run("honing.api._app:serving_app", factory=True, host=host, port=port,
                    workers=workers, log_level="info", access_log=False, proxy_headers=False)
        return
    tune_for_serving()
    app = create_app(database())
    console.print(f"Honing is serving on http://{host}:{port}  (API docs: /docs)")
    # Forwarded headers are the app's to judge (HONING_TRUSTED_PROXIES), not uvicorn's default.
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, proxy_headers=False)
