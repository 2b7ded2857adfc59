"""Asking the judge about every unit, concurrently, through the suite scorers themselves.

Pointwise units go through the `llm_judge` scorer; pairwise units through
`llm_judge_pairwise` once per order (A shown first, then B shown first, each without the
scorer's own swap) so that each order's verdict is kept: position bias is measured on the
difference between them. Calibrating the scorer a suite runs, rather than a look-alike
prompt, is what makes the calibration say something about the runs.

Every judge call goes through one `Transport` (pooled connections, retries, rate limits)
with at most `concurrency` units in flight. A reply that does not parse, or a call that
fails, is the unit's judge error: counted and left out of the statistics, never a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from honing.evaluate import ScorerSpec, Transport, judge_caller
from honing.evaluate.scorers import ScoringContext, render_output, run_scorer
from honing.evaluate.targets import Target, make_target
from honing.judges._config import JudgeConfig
from honing.judges._units import Unit

# What the pairwise scorer names the winner, per order: "output" is the response shown
# first (as A), "reference" the one shown second.
_WINNER = {("A", "output"): "A", ("A", "reference"): "B",
           ("B", "output"): "B", ("B", "reference"): "A"}


@dataclass(frozen=True)
class Verdict:
    """The judge on one unit. Pointwise: `score`. Pairwise: the response each order
    preferred, in canonical letters ("A", "B" or "tie"), A shown first and B shown first.
    `error` when the judge could not be read (the unit is left out of the statistics)."""

    score: int | None = None
    a_first: str | None = None
    b_first: str | None = None
    error: str | None = None


@dataclass
class JudgingProgress:
    total: int
    done: int = 0
    errors: int = 0


@dataclass
class _Run:
    config: JudgeConfig
    context: ScoringContext
    slots: asyncio.Semaphore
    progress: JudgingProgress
    on_progress: Callable[[JudgingProgress], None] | None


async def ask_judge(config: JudgeConfig, units: list[Unit], *, concurrency: int, seed: int = 0,
                    on_progress: Callable[[JudgingProgress], None] | None = None) -> list[Verdict]:
    """The judge's verdict on each unit, in the order of `units`."""
    transport = Transport(concurrency=concurrency, seed=seed)
    targets: dict[str, Target] = {}
    try:
        # Made before the first unit, so a spec that names nothing fails at once (bad input)
        # instead of as one judge error per unit.
        targets[config.target] = make_target(config.target, transport=transport)
        run = _Run(config, ScoringContext(judge=judge_caller(transport, targets)),
                   asyncio.Semaphore(concurrency), JudgingProgress(total=len(units)), on_progress)
        ask = _pointwise if config.kind == "pointwise" else _pairwise
        return list(await asyncio.gather(*(_counted(run, ask, unit) for unit in units)))
    finally:
        for target in targets.values():
            await target.aclose()
        await transport.aclose()


async def _counted(run: _Run, ask: Callable[[_Run, Unit], Awaitable[Verdict]], unit: Unit) -> Verdict:
    async with run.slots:
        verdict = await ask(run, unit)
    run.progress.done += 1
    run.progress.errors += verdict.error is not None
    if run.on_progress is not None:
        run.on_progress(run.progress)
    return verdict


async def _pointwise(run: _Run, unit: Unit) -> Verdict:
    spec = ScorerSpec.model_validate({"type": "llm_judge", **run.config.scorer_params()})
    score = await run_scorer(spec, unit.scenario, unit.responses[0], run.context)
    if score.passed is None:
        return Verdict(error=score.error or "the judge could not decide")
    return Verdict(score=score.details["score"])


async def _pairwise(run: _Run, unit: Unit) -> Verdict:
    a, b = unit.responses
    orders = (("A", a, b), ("B", b, a))  # (letter shown first, first, second)
    scores = await asyncio.gather(*(run_scorer(ScorerSpec.model_validate({
        "type": "llm_judge_pairwise", **run.config.scorer_params(
            reference_output=render_output(second), position_swap=False)}),
        unit.scenario, first, run.context) for _, first, second in orders))
    preferred: list[str] = []
    for (shown_first, _, _), score in zip(orders, scores, strict=True):
        if score.passed is None:
            return Verdict(error=score.error or "the judge could not decide")
        winner = score.details["verdicts"][0]
        preferred.append("tie" if winner == "tie" else _WINNER[(shown_first, winner)])
    return Verdict(a_first=preferred[0], b_first=preferred[1])
