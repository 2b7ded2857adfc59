"""The `python` scorer: a user's own function, named "module:function".

The function is called as `function(scenario, output, **kwargs)` (sync or async) and may
return a `Score`, a bool, or a number in [0, 1] (which passes at `threshold`). It is
imported when the suite is checked, so a typo in its name fails the suite push rather
than every scenario of a run. Importing runs the module's code: only name modules you
trust.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field, field_validator

from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate._references import UnresolvedReference, find_callable
from honing.evaluate.scorers._registry import (
    ScorerParams,
    ScoringContext,
    scorer,
    undecided,
    verdict,
)


def resolve(reference: str) -> Callable[..., Any]:
    """The callable named "package.module:attribute.path"; ValueError says what is wrong."""
    module_name, _, attribute = reference.partition(":")
    try:
        return find_callable(module_name, attribute)
    except UnresolvedReference as problem:
        if problem.kind == "import":
            error = problem.cause
            raise ValueError(f"cannot import module {module_name!r}: {type(error).__name__}: {error}") from None
        if problem.kind == "attribute":
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}") from None
        raise ValueError(f"{reference!r} is not callable") from None


class PythonParams(ScorerParams):
    function: Annotated[str, Field(pattern=r"^[\w.]+:[\w.]+$", description="module:function")]
    threshold: Annotated[float, Field(ge=0, le=1)] = 0.5
    kwargs: dict[str, Any] = Field(default_factory=dict, description="keyword arguments for the function")

    @field_validator("function")
    @classmethod
    def _importable(cls, reference: str) -> str:
        resolve(reference)
        return reference


@scorer("python", PythonParams)
async def python(scenario: Scenario, output: Output, params: PythonParams, context: ScoringContext) -> Score:
    """A custom function decides: it returns a Score, a bool, or a value in [0, 1]."""
    result = resolve(params.function)(scenario, output, **params.kwargs)
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, Score):
        return result
    if isinstance(result, bool):
        return verdict(result, f"{params.function} returned {result}")
    if isinstance(result, int | float) and math.isfinite(result) and 0 <= result <= 1:
        return verdict(result >= params.threshold, f"{params.function} returned {result:g} "
                       f"(threshold {params.threshold:g})", value=float(result))
    return undecided(f"{params.function} returned {result!r}: expected a Score, a bool or a number in [0, 1]")
