"""`honing sample` and `honing sample-schedule list|delete`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from honing import accounts, sampling
from honing._errors import InvalidInput
from honing.cli._accounts import JsonFlag, WorkspaceOpt
from honing.cli._common import console, database, operator, print_json
from honing.cli._data import import_progress

sample_schedule_app = typer.Typer(help="Scheduled sampling: list and delete schedules.",
                                  no_args_is_help=True)


def _pairs(values: list[str] | None, option: str, kind: type) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for value in values or []:
        key, sep, number = value.rpartition("=")
        try:
            if not sep or not key:
                raise ValueError
            out[key] = kind(number)
        except ValueError:
            raise InvalidInput(f"{option} {value!r} is not NAME=NUMBER",
                               hint=f"e.g. {option} billing=50") from None
    return out


def sample_command(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="Dataset to draw from: name or name@3.")],
    workspace: WorkspaceOpt,
    into: Annotated[str, typer.Option("--into", help="Dataset the sample becomes a new version of.")],
    design: Annotated[str, typer.Option(help="random, stratified, priority or novelty.")] = "random",
    size: Annotated[int | None, typer.Option(help="Items drawn (with fixed allocation: the budgets' sum).")] = None,
    seed: Annotated[int, typer.Option(help="Seed: the same seed draws the same sample.")] = 0,
    queue: Annotated[str | None, typer.Option(help="Add the drawn items to this review queue.")] = None,
    stratify_by: Annotated[str | None, typer.Option(help="Item metadata field to stratify by.")] = None,
    allocation: Annotated[str, typer.Option(help="proportional, neyman or fixed.")] = "proportional",
    budget: Annotated[list[str] | None, typer.Option(
        help="STRATUM=N: draw exactly N from that stratum (repeatable).")] = None,
    neyman_sd: Annotated[str | None, typer.Option(
        help="Numeric metadata field whose per-stratum SD Neyman allocation uses (default: the "
        "SD of the failure indicator: a thumbs-down, low rating or error).")] = None,
    dedup: Annotated[bool, typer.Option("--dedup", help="Leave near duplicates out of the frame first.")] = False,
    dedup_threshold: Annotated[float, typer.Option(help="Jaccard similarity that makes a duplicate.")] = 0.8,
    weight: Annotated[list[str] | None, typer.Option(
        help="Priority: SIGNAL=W for base, negative, error, slow, low_score, disagreement (repeatable).")] = None,
    slow_ms: Annotated[float | None, typer.Option(
        help="Priority: latency that counts as slow (default: the frame's 90th percentile).")] = None,
    score_field: Annotated[str, typer.Option(help="Priority: metadata field of the judge score.")] = "judge_score",
    low_score: Annotated[float, typer.Option(help="Priority: judge scores below this are low.")] = 0.5,
    novelty_field: Annotated[str, typer.Option(
        help="Novelty: text compared (user, messages, responses or all).")] = "user",
    every: Annotated[str | None, typer.Option(
        help="Store a schedule the server runs every period (1d, 12h, 30m) instead of drawing now.")] = None,
    schedule_name: Annotated[str | None, typer.Option(help="Name of the schedule (default: INTO).")] = None,
    json: JsonFlag = False,
) -> None:
    """Draw a design-based sample from SOURCE into a new version of INTO, recording the design,
    the seed and each drawn item's inclusion probability; with --queue, feed a review queue.
    With --every, store a schedule that draws new items from SOURCE's newest version each period."""
    weights = dict(sampling.DEFAULT_WEIGHTS)
    weights.update(_pairs(weight, "--weight", float))
    chosen = sampling.Design(
        kind=design, size=size, seed=seed, stratify_by=stratify_by, allocation=allocation,  # type: ignore[arg-type]
        budgets={k: int(v) for k, v in _pairs(budget, "--budget", int).items()}, neyman_sd=neyman_sd,
        dedup=dedup, dedup_threshold=dedup_threshold, weights=weights, slow_ms=slow_ms,
        score_field=score_field, low_score=low_score, novelty_field=novelty_field)
    db = database()
    if every is not None:
        with db.writing() as session:
            info = sampling.create_schedule(
                session, accounts.get_workspace(session, workspace), name=schedule_name or into,
                source=source, into=into, design=chosen, every=every, queue=queue,
                actor=operator().audit_name)
        if json:
            print_json(info.as_dict())
        else:
            console.print(f"schedule [bold]{info.name}[/]: {chosen.kind} from the newest {info.source} "
                          f"into {info.into} every {every}; first run when the server next checks")
        return
    with db.writing() as session, import_progress() as progress:
        result = sampling.sample(session, accounts.get_workspace(session, workspace), source, into, chosen,
                                 actor=operator().audit_name, queue=queue, progress=progress)
    if json:
        print_json(result.as_dict())
        return
    assert result.version is not None
    left = ", ".join(f"{n} {why}" for why, n in result.left_out.items())
    console.print(f"created [bold]{result.version.ref}[/]: {result.drawn} of {result.frame} items of "
                  f"{result.source} ({chosen.kind}, seed {chosen.seed})" + (f"; left out {left}" if left else ""),
                  highlight=False)
    if result.strata:
        table = Table("stratum", "frame", "drawn", "mean probability")  # n_h / N_h, exact for equal probabilities
        for stratum, (members, drawn) in result.strata.items():
            table.add_row(stratum, str(members), str(drawn), f"{drawn / members:.4f}" if members else "-")
        console.print(table)
    if queue:
        console.print(f"queue {queue}: {result.queued} items added")


@sample_schedule_app.command("list")
def schedule_list(workspace: WorkspaceOpt, json: JsonFlag = False) -> None:
    """Sampling schedules with their last run."""
    with database().reading() as session:
        schedules = sampling.list_schedules(session, accounts.get_workspace(session, workspace))
    if json:
        print_json([s.as_dict() for s in schedules])
        return
    table = Table("name", "source", "into", "queue", "design", "every", "next run", "runs", "last run")
    for s in schedules:
        last = s.last_run or {}
        outcome = last.get("error") or (f"{last.get('drawn')} drawn" if last else "-")
        table.add_row(s.name, s.source, s.into, s.queue or "-", s.design.get("kind", "?"),
                      f"{s.every_seconds}s", s.next_run_at.isoformat(timespec="minutes"), str(s.runs), outcome)
    console.print(table)


@sample_schedule_app.command("delete")
def schedule_delete(name: Annotated[str, typer.Argument(help="Schedule name.")], workspace: WorkspaceOpt) -> None:
    """Stop a schedule (the versions it wrote stay)."""
    with database().writing() as session:
        sampling.delete_schedule(session, accounts.get_workspace(session, workspace), name,
                                 actor=operator().audit_name)
    console.print(f"deleted schedule {name}")
