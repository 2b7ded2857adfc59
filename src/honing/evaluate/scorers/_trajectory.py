"""The `trajectory` scorer: checks over the whole agent loop, not just the final answer.

Convention for failed tools (shared with the runner's agent loop, `honing.evaluate._agent`):
a tool result message for a call that failed (a mocked error, no matching mock, malformed
arguments, a raising tool function) has content starting with "ERROR:". Leading
whitespace is ignored; "ERRORS: 0" is not an error.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from pydantic import Field, model_validator

from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate.scorers._arguments import parse_arguments, show
from honing.evaluate.scorers._registry import ScorerParams, ScoringContext, preview, scorer, verdict

TOOL_ERROR_PREFIX = "ERROR:"
ToolName = Annotated[str, Field(min_length=1)]


class TrajectoryParams(ScorerParams):
    max_steps: Annotated[int, Field(ge=1)] | None = None
    must_call_before: list[tuple[ToolName, ToolName]] = Field(default_factory=list)
    no_repeated_calls: bool = False
    final_must_contain: Annotated[str, Field(min_length=1)] | None = None
    tool_errors_allowed: bool = True

    @model_validator(mode="after")
    def _something_to_check(self) -> TrajectoryParams:
        if (self.max_steps is None and not self.must_call_before and not self.no_repeated_calls
                and self.final_must_contain is None and self.tool_errors_allowed):
            raise ValueError("nothing to check: give max_steps, must_call_before, no_repeated_calls, "
                             "final_must_contain or tool_errors_allowed: false")
        return self


def _call_key(name: str, raw: str) -> str:
    # The same call is the same tool with equal arguments, whatever their key order or
    # spacing; unparseable arguments compare as their raw text.
    arguments, _ = parse_arguments(raw)
    canonical = raw if arguments is None else orjson.dumps(arguments, option=orjson.OPT_SORT_KEYS).decode()
    return f"{name}:{canonical}"


def tool_errors(output: Output) -> list[str]:
    """The content of each failed tool result in the trajectory."""
    return [m.text for m in output.trajectory
            if m.role == "tool" and m.text.lstrip().startswith(TOOL_ERROR_PREFIX)]


@scorer("trajectory", TrajectoryParams)
def trajectory(scenario: Scenario, output: Output, params: TrajectoryParams, context: ScoringContext) -> Score:
    """Multi-step checks: a step budget, tool ordering, no repeated identical calls, the final
    answer's content, and (optionally) no failed tool calls."""
    names = [c.function.name for c in output.tool_calls]
    problems: list[str] = []
    checked: dict[str, Any] = {"steps": output.steps}
    if params.max_steps is not None and output.steps > params.max_steps:
        problems.append(f"took {output.steps} steps, more than {params.max_steps}")
    for before, after in params.must_call_before:
        if after in names:
            first_after = names.index(after)
            if before not in names[:first_after]:
                problems.append(f"{after!r} was called (call #{first_after + 1}) before any call to {before!r}")
    if params.no_repeated_calls:
        seen: dict[str, int] = {}
        for index, call in enumerate(output.tool_calls):
            key = _call_key(call.function.name, call.function.arguments)
            if key in seen:
                problems.append(f"call #{index + 1} repeats call #{seen[key] + 1}: "
                                f"{call.function.name}({show(call.function.arguments)})")
            seen.setdefault(key, index)
    # Case-insensitive, like `contains`: the check is about content, not typography.
    final = params.final_must_contain
    if final is not None and final.casefold() not in (output.text or "").casefold():
        problems.append(f"final answer {preview(output.text)} lacks {preview(final)}")
    errors = tool_errors(output)
    checked["tool_errors"] = len(errors)
    if errors and not params.tool_errors_allowed:
        problems.append(f"{len(errors)} tool call(s) failed, first: {preview(errors[0])}")
    passed = not problems
    return verdict(passed, "; ".join(problems) or "trajectory as required", **checked)
