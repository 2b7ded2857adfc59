"""The `honing` command line. Each command parses options and calls the library."""

from __future__ import annotations

import sys

import typer

from honing import __version__
from honing._errors import HoningError
from honing.cli._accounts import member_app, token_app, user_app, workspace_app
from honing.cli._annotate import queue_app, rubric_app, schema_app, suggestions_app
from honing.cli._audit import audit_app
from honing.cli._cards import card_app
from honing.cli._common import errors
from honing.cli._data import dataset_app, export_command, import_command
from honing.cli._dedup import contamination_app, dedup_command
from honing.cli._evaluate import eval_app, suite_app
from honing.cli._judges import judge_app
from honing.cli._pii import pii_app
from honing.cli._quality import quality_app
from honing.cli._release import gate, report_app
from honing.cli._retention import retention_app
from honing.cli._sample import sample_command, sample_schedule_app
from honing.cli._server import demo, serve

app = typer.Typer(
    name="honing",
    help="Honing: human feedback, label quality, versioned datasets, evaluation and release gates.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(workspace_app, name="workspace")
app.add_typer(user_app, name="user")
app.add_typer(member_app, name="member")
app.add_typer(token_app, name="token")
dataset_app.add_typer(card_app, name="card")
app.add_typer(dataset_app, name="dataset")
app.add_typer(audit_app, name="audit")
app.add_typer(schema_app, name="schema")
app.add_typer(rubric_app, name="rubric")
app.add_typer(queue_app, name="queue")
app.add_typer(suggestions_app, name="suggestions")
app.add_typer(quality_app, name="quality")
app.add_typer(suite_app, name="suite")
app.add_typer(eval_app, name="eval")
app.add_typer(judge_app, name="judge")
app.add_typer(report_app, name="report")
app.add_typer(retention_app, name="retention")
app.add_typer(pii_app, name="pii")
app.command("gate")(gate)
app.command("import")(import_command)
app.command("export")(export_command)
app.command("dedup")(dedup_command)
app.command("sample")(sample_command)
app.add_typer(sample_schedule_app, name="sample-schedule")
app.add_typer(contamination_app, name="contamination")
app.command("serve")(serve)
app.command("demo")(demo)


@app.command("version")
def version() -> None:
    """Print Honing's version."""
    typer.echo(__version__)


def main() -> None:
    """Entry point: Honing errors become a short message and their exit code, not a trace.
    Usage errors are Typer's own (exit 2)."""
    try:
        app()
    except HoningError as error:
        errors.print(f"[bold red]error:[/] {error.message}", highlight=False)
        for problem in error.problems:
            errors.print(f"  - {problem}", highlight=False, markup=False)
        if error.hint:
            errors.print(error.hint, highlight=False, markup=False)
        sys.exit(error.exit_code)


__all__ = ["app", "main"]
