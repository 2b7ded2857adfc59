"""`honing suite` and `honing eval`: push scenario suites, run them against targets, show runs and
compare two of them."""

from __future__ import annotations

import asyncio
import gc
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from honing import accounts, evaluate
from honing._errors import InvalidInput
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, errors, operator, print_json
from honing.stats import Estimate

suite_app = typer.Typer(help="Push, list, archive and mark evaluation suites (YAML with JSONL scenarios).",
                        no_args_is_help=True)
eval_app = typer.Typer(help="Run suites against targets and show the results.", no_args_is_help=True)


@suite_app.command("push")
def suite_push(file: Annotated[Path, typer.Argument(help="A suite YAML file (schema: honing schema suite).")],
               workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """Store a suite as a new immutable version; content equal to the newest creates none."""
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        pushed = evaluate.push_suite(session, ws, file, actor=operator().audit_name)
    warning = evaluate.unscored_warning(pushed.unscored, pushed.scenarios)
    if warning:
        errors.print(f"warning: {warning}", highlight=False)
    if json:
        print_json({"ref": pushed.ref, "created": pushed.created, "content_hash": pushed.content_hash,
                    "scenarios": pushed.scenarios, "tiers": pushed.tiers, "unscored": pushed.unscored,
                    "held_out": pushed.held_out})
    elif pushed.created:
        console.print(f"created [bold]{pushed.ref}[/] ({pushed.scenarios} scenarios, hash {pushed.content_hash[:12]}…)")
    else:
        console.print(f"unchanged: {file.name} matches {pushed.ref}")


@suite_app.command("from-dataset")
def suite_from_dataset(
    dataset: Annotated[str, typer.Argument(help="DATASET or DATASET@VERSION.")],
    workspace: WorkspaceOpt,
    name: Annotated[str, typer.Option(help="Suite name (lowercase letters, digits, '.', '_', '-').")],
    out: Annotated[Path, typer.Option(help="Directory for NAME.yaml and NAME.jsonl.")] = Path("."),
    labels: Annotated[str | None, typer.Option(help="A queue over these items whose labels give each scenario its "
                                               "expectations (reference answer, tool calls, refusal).")] = None,
    no_expectations: Annotated[bool, typer.Option("--no-expectations", help="Write the suite without expectations: "
                                                  "its scenarios run as unscored (never a pass).")] = False,
    edit_question: Annotated[str | None, typer.Option(help="response_edit question of ideal responses "
                                                      "(default: the rubric's first).")] = None,
    preference_question: Annotated[str | None, typer.Option(help="pairwise question whose better response is the "
                                                            "reference (default: the rubric's first).")] = None,
    rating_question: Annotated[str | None, typer.Option(help="per-response likert question whose accepted response "
                                                        "is the reference (default: the rubric's first).")] = None,
    min_rating: Annotated[float | None, typer.Option(help="Rating that accepts a response (default: the scale's "
                                                     "top but one).")] = None,
    refusal_question: Annotated[str | None, typer.Option(help="Label question saying the request must be refused "
                                                         "(default: the first whose options speak of refusing).")] = None,
    refusal_value: Annotated[list[str] | None, typer.Option(help="An answer of the refusal question that means "
                                                            "'must refuse' (repeatable).")] = None,
    reference_threshold: Annotated[float | None, typer.Option(help="Token F1 with the reference answer needed to "
                                                              "pass (default 0.5).")] = None,
    tool_match: Annotated[str, typer.Option(help="How expected tool calls match: exact (name and arguments), "
                                            "schema (arguments fit the tool's schema) or name.")] = "exact",
    tier_field: Annotated[str | None, typer.Option(help="Metadata field holding critical|important|nice "
                                                   "(other values: important).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Metadata field whose value becomes a tag (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many items.")] = None,
    push: Annotated[bool, typer.Option(help="Also push the suite as a new version.")] = False,
) -> None:
    """Write a suite from a dataset version's items (one scenario each, with provenance) and
    the expectations a queue's labels give them (--labels QUEUE); items whose labels give
    none are left out and counted. Without --labels, refused unless --no-expectations."""
    from honing import export

    if labels and no_expectations:
        raise InvalidInput("give --labels QUEUE or --no-expectations, not both")
    with database().writing() as session:
        ws = accounts.get_workspace(session, workspace)
        found = export.label_expectations(session, ws, labels, export.ExpectationOptions(
            edit_question=edit_question, preference_question=preference_question, rating_question=rating_question,
            min_rating=min_rating, refusal_question=refusal_question, refusal_values=tuple(refusal_value or ()),
            tool_match=tool_match, **({"reference_threshold": reference_threshold}
                                      if reference_threshold is not None else {}))) if labels else None
        path = evaluate.suite_from_dataset(session, ws, dataset, out, name=name, tier_field=tier_field,
                                           tag_fields=tag or [], limit=limit,
                                           adapt=found.adapt if found else None, allow_unscored=no_expectations)
        pushed = evaluate.push_suite(session, ws, path, actor=operator().audit_name) if push else None
    console.print(f"wrote {path} and {path.with_suffix('.jsonl')}"
                  + (f"; {'created' if pushed.created else 'unchanged'} {pushed.ref}" if pushed else ""))
    if found is not None:
        asked = ", ".join(f"{source} question {q!r}" for source, q in found.questions.items())
        console.print(f"{found.scenarios} scenarios with expectations from queue {labels} ({asked}): "
                      + (", ".join(f"{n} {kind}" for kind, n in sorted(found.built.items())) or "none"))
        if found.left_out:
            console.print(f"left out {sum(found.left_out.values())} items: "
                          + ", ".join(f"{n} {why}" for why, n in found.left_out.most_common()))
    elif no_expectations:
        errors.print("warning: the suite has no expectations: its scenarios run as unscored (never a pass)",
                     highlight=False)


@suite_app.command("list")
def suite_list(workspace: WorkspaceOpt, json: JsonFlag = False,
               all_: Annotated[bool, typer.Option("--all", help="Archived suites too.")] = False) -> None:
    """List a workspace's suite versions (archived suites only with --all)."""
    with database().reading() as session:
        rows = [{"ref": f"{suite.name}@{v.number}", "scenarios": v.scenario_count, "tiers": evaluate.ordered_tiers(v),
                 "tier_names": list(evaluate.suite_tiers(v)), "held_out": suite.held_out,
                 "archived_at": suite.archived_at, "content_hash": v.content_hash, "created_at": v.created_at}
                for suite, v in evaluate.list_suites(session, accounts.get_workspace(session, workspace),
                                                     archived=all_)]
    if json:
        print_json(rows)
        return
    table = Table("suite", "scenarios", "tiers", "held out", "hash", "created")
    for row in rows:
        mark = "yes" if row["held_out"] else "no (scratch)"
        table.add_row(row["ref"], str(row["scenarios"]), ", ".join(f"{k} {v}" for k, v in row["tiers"].items()),
                      mark + (", archived" if row["archived_at"] else ""),
                      row["content_hash"][:12], row["created_at"].strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@suite_app.command("archive")
def suite_archive(name: Annotated[str, typer.Argument(help="Suite name.")], workspace: WorkspaceOpt) -> None:
    """Hide a suite from `suite list` and from the contamination check; its versions, runs
    and reports stay readable by name."""
    with database().writing() as session:
        changed = evaluate.archive_suite(session, accounts.get_workspace(session, workspace), name,
                                         actor=operator().audit_name)
    console.print(f"archived suite {name}" if changed else f"suite {name} was already archived", highlight=False)


@suite_app.command("unarchive")
def suite_unarchive(name: Annotated[str, typer.Argument(help="Suite name.")], workspace: WorkspaceOpt) -> None:
    """Bring an archived suite back into lists and the contamination check."""
    with database().writing() as session:
        changed = evaluate.unarchive_suite(session, accounts.get_workspace(session, workspace), name,
                                           actor=operator().audit_name)
    console.print(f"unarchived suite {name}" if changed else f"suite {name} was not archived", highlight=False)


@suite_app.command("mark")
def suite_mark(name: Annotated[str, typer.Argument(help="Suite name.")], workspace: WorkspaceOpt,
               held_out: Annotated[bool, typer.Option(
                   "--held-out/--not-held-out", help="Held out from training (the contamination check compares "
                   "training data with it), or a scratch suite.")]) -> None:
    """Say whether a suite is held out from training."""
    with database().writing() as session:
        changed = evaluate.mark_suite(session, accounts.get_workspace(session, workspace), name, held_out=held_out,
                                      actor=operator().audit_name)
    what = "held out" if held_out else "not held out (scratch)"
    console.print(f"suite {name} is {'now' if changed else 'already'} {what}", highlight=False)


@eval_app.command("run")
def eval_run(
    suite: Annotated[str, typer.Argument(help="A suite file (pushed first if it changed) or a stored NAME[@N].")],
    target: Annotated[str, typer.Option("--target", "-t", help="Target spec, e.g. openai:MODEL?base_url=URL, "
                                        "replay:FILE.jsonl, python:module:function, http:URL.")],
    workspace: WorkspaceOpt,
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="Scenarios in flight at once.")] = 16,
    repeats: Annotated[int, typer.Option(min=1, max=100, help="Runs per scenario (flakiness: pass@k).")] = 1,
    resume: Annotated[int | None, typer.Option(help="Go on with an interrupted run.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ask the target even when a reply is cached.")] = False,
    max_steps: Annotated[int, typer.Option(min=1, max=50, help="Agent-loop steps per scenario.")] = 8,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request.")] = 60.0,
    rpm: Annotated[float | None, typer.Option(help="Requests per minute at most.")] = None,
    tpm: Annotated[float | None, typer.Option(help="Tokens per minute at most.")] = None,
    prices: Annotated[Path | None, typer.Option(help="Price table YAML (USD per million tokens by model).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for retry jitter and other draws.")] = 0,
    json: JsonFlag = False,
) -> None:
    """Run SUITE against a target; print the run id and results by tier. Exit 0 when every
    scenario has a result and none is an error, 1 when some could not reach the target."""
    db = database()
    ref = suite
    path = Path(suite)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        with db.writing() as session:
            # A file run straight away is a scratch suite (not held out) unless it says held_out: true.
            pushed = evaluate.push_suite(session, accounts.get_workspace(session, workspace), path,
                                         actor=operator().audit_name, scratch=True)
        ref = pushed.ref
    options = evaluate.RunOptions(concurrency=concurrency, repeats=repeats, use_cache=not no_cache,
                                  max_steps=max_steps, timeout_s=timeout, requests_per_minute=rpm,
                                  tokens_per_minute=tpm, seed=seed,
                                  prices=evaluate.load_prices(prices) if prices else evaluate.Prices())
    run_id, version_id, total = evaluate.start_run(db, workspace, ref, target, options,
                                                   actor=operator().audit_name, resume=resume)
    errors.print(f"run {run_id}: {ref} against {target} ({total} scenario runs)", highlight=False)
    with db.reading() as session:
        warning = evaluate.unscored_warning(*evaluate.unscored_scenarios(session, version_id))
    if warning:
        errors.print(f"warning: {warning}", highlight=False)
    done = _event_loop_run(_execute(db, run_id, options, total, live=not json and sys.stderr.isatty()))
    with db.reading() as session:
        run = evaluate.get_run(session, accounts.get_workspace(session, workspace), run_id)
        summary = evaluate.summarize_run(session, run)
    if json:
        print_json(summary.as_dict())
    else:
        _print_summary(summary)
    raise typer.Exit(1 if done.errors or summary.overall.counts["error"] else 0)


def _event_loop_run(coroutine):  # type: ignore[no-untyped-def]
    """uvloop where it is installed: about a tenth less CPU per scenario than asyncio's loop."""
    # What imports and start-up built lives as long as the process: freezing it keeps the
    # cyclic collector from walking it again and again during a run (about a tenth of the
    # CPU per scenario in benchmarks/eval_throughput.py).
    gc.freeze()
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


async def _execute(db, run_id: int, options, total: int, *, live: bool):  # type: ignore[no-untyped-def]
    if not live:
        last = [0.0]

        def report(p: evaluate.Progress) -> None:  # a line every few seconds for logs and CI
            import time

            if time.monotonic() - last[0] >= 5 or p.done == p.total:
                last[0] = time.monotonic()
                errors.print(_line(p), highlight=False)

        return await evaluate.execute_run(db, run_id, options, on_progress=report)
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  TextColumn("{task.fields[line]}"), console=errors, transient=False) as bar:
        task = bar.add_task(f"run {run_id}", total=total, line="")

        def update(p: evaluate.Progress) -> None:
            bar.update(task, completed=p.done, line=_line(p))

        return await evaluate.execute_run(db, run_id, options, on_progress=update)


def _line(p: evaluate.Progress) -> str:
    rate = f"{p.rate:.1f}/s"
    eta = f", ETA {p.eta_s:.0f} s" if p.eta_s is not None and p.done < p.total else ""
    passed = f"pass {p.pass_rate:.1%}" if p.pass_rate is not None else "pass -"
    cost = f", ${p.cost:.4f}" if p.cost else ""
    unscored = f", unscored {p.unscored}" if p.unscored else ""
    return f"{p.done}/{p.total} {rate}{eta}, {passed}, errors {p.errors}{unscored}{cost}"


def _print_summary(summary: evaluate.RunSummary) -> None:
    console.print(f"run [bold]{summary.run_id}[/]: {summary.suite} against {summary.target}: "
                  f"{summary.results}/{summary.expected} results, {summary.status}")
    table = Table("tier", *evaluate.STATUSES, "pass rate (95% Wilson)", "n")
    for part in [*summary.tiers, summary.overall]:
        rate = part.pass_rate
        shown = "n/a" if math.isnan(rate.value) else f"{rate.value:.1%} [{rate.low:.1%}, {rate.high:.1%}]"
        table.add_row(part.name, *(str(part.counts[s]) for s in evaluate.STATUSES), shown, str(rate.n))
    console.print(table)
    unscored = summary.overall.counts["unscored"]
    if unscored:
        console.print(f"[bold yellow]{unscored} unscored[/] (scenarios with no expectation): nothing was checked, so "
                      "they are not passes and not in the pass rate")
    extra = []
    if summary.latency_p50_ms is not None:
        extra.append(f"latency p50 {summary.latency_p50_ms:.0f} ms, p95 {summary.latency_p95_ms:.0f} ms")
    extra.append(f"tokens {summary.prompt_tokens} in, {summary.completion_tokens} out")
    extra.append(f"cost ${summary.cost:.4f}" if summary.cost is not None else "cost unknown (no price)")
    if summary.cached:
        extra.append(f"{summary.cached} from cache")
    if summary.flaky:
        extra.append(f"{len(summary.flaky)} flaky scenarios")
    console.print("; ".join(extra))


@eval_app.command("show")
def eval_show(run: Annotated[int, typer.Argument(help="Run id.")], workspace: WorkspaceOpt,
              failures: Annotated[bool, typer.Option("--failures", help="List what did not pass.")] = False,
              limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50, json: JsonFlag = False) -> None:
    """A run's results by tier, tag and scorer; with --failures, each failure's input, output
    and scorer explanations."""
    with database().reading() as session:
        found = evaluate.get_run(session, accounts.get_workspace(session, workspace), run)
        summary = evaluate.summarize_run(session, found)
        failed = evaluate.failed_results(session, found, limit=limit) if failures else []
    if json:
        print_json({**summary.as_dict(), **({"failures": failed} if failures else {})})
        return
    _print_summary(summary)
    for item in failed:
        console.print(f"\n[bold]{item['scenario_id']}[/] (repeat {item['repeat']}, {item['tier']}): {item['status']}")
        if item["error"]:
            console.print(f"  error: {item['error']}", markup=False)
        text = (item["output"] or {}).get("text")
        if text:
            console.print(f"  output: {text[:300]}", markup=False)
        for score in item["scores"]:
            if score["passed"] is not True:
                console.print(f"  {score['scorer']}: {score['error'] or score['explanation']}", markup=False)


@eval_app.command("compare")
def eval_compare(
    run_a: Annotated[int, typer.Argument(help="The baseline run id.")],
    run_b: Annotated[int, typer.Argument(help="The candidate run id.")],
    workspace: WorkspaceOpt,
    match: Annotated[str | None, typer.Option(help="Pair runs of different suite versions: same-id (scenarios "
                                              "sharing an id) or same-content (identical stored spec).")] = None,
    examples: Annotated[int, typer.Option(min=0, max=10_000, help="Regressions, fixes and new errors to show "
                                          "with their outputs (all are counted).")] = 50,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, help="Family-wise error rate: a slice is better or "
                                         "worse when its interval at the Holm-adjusted level excludes 0.")] = 0.05,
    json: JsonFlag = False,
) -> None:
    """Compare run B with run A scenario by scenario: regressions and fixes, and per tier, tag
    and scorer the pass rates, the paired difference (Newcombe's interval) and whether it is
    more than chance (read off the interval, Holm-adjusted). Exit 0 whatever changed: a
    comparison is not a gate."""
    with database().reading() as session:
        comparison = evaluate.compare_runs(session, accounts.get_workspace(session, workspace), run_a, run_b,
                                           match=match, alpha=alpha, examples=examples)
    if json:
        print_json(comparison.as_dict())
    else:
        _print_comparison(comparison)


_VERDICT_STYLE = {"worse": "bold red", "better": "bold green", "no significant difference": "dim",
                  "not compared": "dim"}


def _rate(estimate: Estimate) -> str:
    if math.isnan(estimate.value):
        return "n/a"
    return f"{estimate.value:.1%} [{estimate.low:.1%}, {estimate.high:.1%}]"


def _points(estimate: Estimate | None, scale: float = 100, unit: str = " pp") -> str:
    if estimate is None or math.isnan(estimate.value):
        return "n/a"
    interval = "" if math.isnan(estimate.low) else f" [{estimate.low * scale:+.1f}, {estimate.high * scale:+.1f}]"
    return f"{estimate.value * scale:+.1f}{unit}{interval}"


def _slice_table(title: str, parts: list[evaluate.SliceComparison], conf: float) -> Table:
    scores = any(p.score_difference is not None for p in parts)
    level = f"{conf:.0%}"
    table = Table("slice", f"A pass rate ({level} Wilson)", f"B pass rate ({level} Wilson)", "n",
                  f"B − A ({level} Newcombe)", *(["score B − A"] if scores else []), "regressed",
                  "fixed", "Holm p", "verdict (on the interval at its adjusted level)", title=title,
                  title_justify="left")
    for part in parts:
        notes = [f"on {part.verdict_basis}"] if part.verdict_basis else []
        notes += [f"same scenarios as {part.same_as}"] if part.same_as else []
        notes += [f"{part.unscored} unscored"] if part.unscored else []
        table.add_row(escape(part.name), _rate(part.a), _rate(part.b), str(part.pairs),
                      evaluate.difference(part.difference),
                      *([_points(part.score_difference, 1, "")] if scores else []), str(part.regressed),
                      str(part.fixed), part.p_holm_text,
                      f"[{_VERDICT_STYLE[part.verdict]}]{escape(part.verdict_text)}[/]"
                      + "".join(f"\n[dim]{escape(note)}[/]" for note in notes))
    return table


def _preview(output: dict[str, Any], error: str | None = None, width: int = 60) -> str:
    """One line of what a run answered: its text, else the tools it called, else its error."""
    text = (output or {}).get("text") or ""
    if not text and (output or {}).get("tool_calls"):
        text = "calls " + ", ".join(str((call.get("function") or {}).get("name")) for call in output["tool_calls"])
    text = " ".join((text or error or "(no output)").split())
    return repr(text if len(text) <= width else text[:width - 1] + "…")


def _not_passed(scores: list[dict[str, Any]]) -> str:
    """The scorers that did not pass: often the only visible difference between two answers."""
    return ", ".join(str(score["scorer"]) for score in scores if score.get("passed") is not True)


def _print_comparison(c: evaluate.Comparison) -> None:
    a, b = c.run_a, c.run_b
    console.print(f"run [bold]{a['id']}[/] ({escape(a['suite'])}, {escape(a['target'])}) → run [bold]{b['id']}[/] "
                  f"({escape(b['suite'])}, {escape(b['target'])}): {c.matched} scenarios paired ({c.match})")
    console.print(_slice_table("overall and tiers", [c.overall, *c.tiers], c.conf))
    for title, parts in (("tags", c.tags), ("scorers", c.scorers)):
        if parts:
            console.print(_slice_table(title, parts, c.conf))
    total = c.counts["regressions"]
    shown = f", first {len(c.regressions)} shown" if len(c.regressions) < total else ""
    console.print(f"\n[bold]{total} regressions[/] (pass in A, not in B; most important tier first{shown})")
    for change in c.regressions:
        console.print(f"  [bold]{escape(change.scenario_id)}[/] ({change.tier}) B did not pass "
                      f"[red]{escape(_not_passed(change.scores_b))}[/]: A {escape(_preview(change.output_a))} "
                      f"→ B {escape(_preview(change.output_b))}")
    console.print(f"{c.counts['fixes']} fixes, {c.counts['new_errors']} new errors, "
                  f"{c.counts['resolved_errors']} resolved errors")
    for change in c.new_errors:
        console.print(f"  error in B: [bold]{escape(change.scenario_id)}[/] ({change.tier}): "
                      f"{escape(_preview({}, change.error_b))}")
    lat = c.latency
    if lat["a_p50_ms"] is not None and lat["b_p50_ms"] is not None:
        console.print(f"latency p50 {lat['a_p50_ms']:.0f} → {lat['b_p50_ms']:.0f} ms ({lat['delta_p50_ms']:+.0f}), "
                      f"p95 {lat['a_p95_ms']:.0f} → {lat['b_p95_ms']:.0f} ms ({lat['delta_p95_ms']:+.0f})")
    cost = c.cost
    console.print(f"cost ${cost['a']:.4f} → ${cost['b']:.4f} ({cost['delta']:+.4f})" if cost["delta"] is not None
                  else "cost unknown for " + (" and ".join(s for s in ("A", "B") if cost[s.lower()] is None)))
    console.print(f"only in A: {c.only_a} scenarios, only in B: {c.only_b}"
                  + (f"; flaky: {len(c.flaky_a)} in A, {len(c.flaky_b)} in B" if c.flaky_a or c.flaky_b else ""))
