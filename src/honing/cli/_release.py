"""`honing gate` and `honing report release`: decide whether a run may ship, and write the
release readiness package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from honing import accounts, release
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._annotate import schema_app
from honing.cli._common import console, database, errors, print_json

report_app = typer.Typer(help="Reports for a release decision.", no_args_is_help=True)

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="Gate policy YAML (schema: honing schema gate).")]
RunOpt = Annotated[int, typer.Option("--run", help="The candidate run.")]
BaselineOpt = Annotated[int | None, typer.Option("--baseline", help="The run to compare with (relative rules).")]
MatchOpt = Annotated[str | None, typer.Option(
    "--match", help="Runs of different suite versions: pair scenarios by same-id or same-content.")]
STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow"}


def gate(policy: PolicyOpt, run: RunOpt, workspace: WorkspaceOpt, baseline: BaselineOpt = None,
         match: MatchOpt = None, json: JsonFlag = False) -> None:
    """Decide each rule of a gate policy for RUN (against BASELINE for relative rules).
    Exit 0 when every rule passes, 1 when one fails, 3 when none fails but some cannot be
    decided from the data, 2 on bad input."""
    rules = release.load_gate_policy(policy)
    with database().reading() as session:
        result = release.evaluate_gate(session, accounts.get_workspace(session, workspace), rules, run,
                                       baseline_id=baseline, match=match)
    if json:
        print_json(result.as_dict())
    else:
        table = Table("rule", "threshold", "evidence", "decision",
                      title=f"gate {rules.name}: run {run}" + (f" vs baseline {baseline}" if baseline else ""))
        for outcome in result.outcomes:
            table.add_row(outcome.rule.label, outcome.rule.threshold_text(), outcome.reason,
                          f"[{STYLE[outcome.decision]}]{outcome.decision}[/]")
        console.print(table)
        console.print(f"decision: [{STYLE[result.decision]}]{result.decision.upper()}[/] (exit {result.exit_code})")
    raise typer.Exit(result.exit_code)


@report_app.command("release")
def report_release(policy: PolicyOpt, run: RunOpt, workspace: WorkspaceOpt,
                   out: Annotated[Path, typer.Option("--out", "-o", help="Directory for report.html, summary.md "
                                                     "and report.json.")],
                   baseline: BaselineOpt = None, match: MatchOpt = None, json: JsonFlag = False) -> None:
    """Write the release readiness package for RUN: a self-contained HTML report, a
    Markdown summary for a pull request, and JSON. Exits 0 once written, whatever the
    gate decided (`honing gate` is the command that fails a build)."""
    rules = release.load_gate_policy(policy)
    with database().reading() as session:
        report = release.build_release_report(session, accounts.get_workspace(session, workspace), rules, run,
                                              baseline_id=baseline, match=match)
    written = release.write_release_report(report, out)
    if json:
        print_json({"decision": report.gate.decision, "files": {k: str(v) for k, v in written.items()}})
        return
    errors.print(f"gate {rules.name}: {report.gate.decision.upper()}", highlight=False)
    for path in written.values():
        console.print(str(path), highlight=False)


@schema_app.command("gate")
def schema_gate() -> None:
    """JSON Schema of gate policy files."""
    print_json(release.gate_policy_json_schema())
