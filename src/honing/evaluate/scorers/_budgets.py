"""Budget scorers: latency and cost. A measurement that is missing (a target that reports
no timing, a model with no price in the price table) is undecided, not a pass: "free" and
"instant" would be the wrong conclusions to draw from not knowing."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate.scorers._registry import (
    ScorerParams,
    ScoringContext,
    scorer,
    undecided,
    verdict,
)


class LatencyParams(ScorerParams):
    max_ms: Annotated[float, Field(gt=0)]


@scorer("latency", LatencyParams)
def latency(scenario: Scenario, output: Output, params: LatencyParams, context: ScoringContext) -> Score:
    """The whole scenario (every step of the agent loop) took at most `max_ms`."""
    measured = output.latency_ms
    if measured is None or not math.isfinite(measured):
        return undecided("latency was not measured")
    return verdict(measured <= params.max_ms, f"{measured:.0f} ms (budget {params.max_ms:g} ms)",
                   latency_ms=measured, max_ms=params.max_ms)


class CostParams(ScorerParams):
    max_usd: Annotated[float, Field(ge=0)]


@scorer("cost", CostParams)
def cost(scenario: Scenario, output: Output, params: CostParams, context: ScoringContext) -> Score:
    """The scenario cost at most `max_usd` (tokens priced by the run's price table)."""
    measured = output.cost
    if measured is None or not math.isfinite(measured):
        return undecided("cost is unknown (no token counts, or no price for this model)")
    return verdict(measured <= params.max_usd, f"${measured:.6f} (budget ${params.max_usd:g})",
                   cost_usd=measured, max_usd=params.max_usd)
