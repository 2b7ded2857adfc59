"""The `tool_calls` scorer: did the agent call the right tools, with the right arguments,
in the right order, and nothing it must not call?

Each expectation is matched against the calls in `output.tool_calls` (every call made,
in order). Matching is one-to-one by default (`count_duplicates`): two identical
expectations need two calls, and one call never satisfies two expectations.

- order "any": the largest one-to-one matching (augmenting paths), so an early greedy
  choice cannot starve a later expectation;
- order "subsequence": the expectations appear among the calls in this order, other calls
  may come between (the longest in-order matching, by dynamic programming);
- order "exact": the first N calls are the N expectations, in order; later calls are extras.

Without `count_duplicates`, one call may satisfy several expectations, and a repeat of a
matching call is not counted as an extra. `expected: [search, lookup]` (bare names) is
shorthand for name-only expectations. value is the share of expectations matched (0 when
a forbidden tool was called); passing needs every expectation, every required tool, no
forbidden call, and no extra call unless `allow_extra`.

How one call is compared with one expectation (argument modes and matchers) is in
`_arguments`. A call whose argument string is not a JSON object never matches, and the
explanation says so.
"""

from __future__ import annotations

from typing import Any, Literal

from jsonschema import Draft202012Validator
from pydantic import Field, field_validator, model_validator

from honing.domain import ToolCall
from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate.scorers._arguments import ExpectedCall, describe, mismatch, parse_arguments
from honing.evaluate.scorers._registry import (
    ScorerParams,
    ScoringContext,
    scorer,
    undecided,
    verdict,
)


class ToolCallsParams(ScorerParams):
    expected: list[ExpectedCall] = Field(default_factory=list)
    order: Literal["any", "exact", "subsequence"] = "any"
    required: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    allow_extra: bool = True
    count_duplicates: bool = True

    @field_validator("expected", mode="before")
    @classmethod
    def _names_are_calls(cls, value: Any) -> Any:
        # `expected: [search, lookup]` is a natural shorthand for name-only expectations.
        return [{"name": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _consistent(self) -> ToolCallsParams:
        both = sorted(set(self.required) & set(self.forbidden))
        if both:
            raise ValueError(f"tools both required and forbidden: {both}")
        clash = sorted({e.name for e in self.expected} & set(self.forbidden))
        if clash:
            raise ValueError(f"tools both expected and forbidden: {clash}")
        if not (self.expected or self.required or self.forbidden or not self.allow_extra):
            raise ValueError("nothing to check: give expected, required or forbidden tools "
                             "(or allow_extra: false to require no calls at all)")
        return self


def _any_order(ok: list[list[bool]], one_to_one: bool) -> dict[int, int]:
    """expectation -> call. One-to-one: maximum bipartite matching by augmenting paths
    (Kuhn), trying calls in order so the natural pairing wins among equals."""
    if not one_to_one:
        return {i: row.index(True) for i, row in enumerate(ok) if True in row}
    owner: dict[int, int] = {}  # call -> expectation

    def augment(i: int, seen: set[int]) -> bool:
        for j, good in enumerate(ok[i]):
            if good and j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(ok)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _in_order(ok: list[list[bool]], n_calls: int, one_to_one: bool) -> dict[int, int]:
    """The most expectations matched in order (a longest common subsequence on `ok`);
    without one_to_one, consecutive expectations may share a call."""
    n = len(ok)
    best = [[0] * (n_calls + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(n_calls - 1, -1, -1):
            take = 1 + best[i + 1][j + 1 if one_to_one else j] if ok[i][j] else 0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < n_calls:
        if ok[i][j] and best[i][j] == 1 + best[i + 1][j + 1 if one_to_one else j]:
            pairs[i] = j
            i, j = i + 1, (j + 1 if one_to_one else j)
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _call_label(index: int, call: ToolCall) -> str:
    arguments = call.function.arguments
    return f"#{index + 1} {call.function.name}({arguments if len(arguments) <= 60 else arguments[:59] + '…'})"


def _why_unmatched(i: int, expected: ExpectedCall, calls: list[ToolCall], reasons: list[list[str | None]],
                   pairs: dict[int, int], order: str) -> str:
    if order == "exact":
        if i >= len(calls):
            return f"position {i + 1}: no call (only {len(calls)} made)"
        return f"position {i + 1}: call {_call_label(i, calls[i])}: {reasons[i][i]}"
    same_name = [j for j, c in enumerate(calls) if c.function.name == expected.name]
    if not same_name:
        return f"no call to {expected.name!r}"
    fitting = [j for j in same_name if reasons[i][j] is None]
    if fitting:
        listed = ", ".join(f"#{j + 1}" for j in fitting)
        if order == "subsequence" and not set(fitting) <= set(pairs.values()):
            return f"matching call(s) {listed} are out of order"
        return f"matching call(s) {listed} already used by other expectations"
    return "; ".join(f"call {_call_label(j, calls[j])}: {reasons[i][j]}" for j in same_name[:3])


@scorer("tool_calls", ToolCallsParams)
def tool_calls(scenario: Scenario, output: Output, params: ToolCallsParams, context: ScoringContext) -> Score:
    """The expected tool calls were made (arguments and order as asked), required tools were
    called, forbidden tools were not; value is the share of expectations matched."""
    calls = list(output.tool_calls)
    schemas: dict[str, Draft202012Validator] = {}
    for expected in params.expected:
        if expected.match == "schema" and expected.name not in schemas:
            tool = next((t for t in scenario.tools if t.function.name == expected.name), None)
            if tool is None:
                return undecided(f"schema match for {expected.name!r}, but the scenario defines no such tool")
            schemas[expected.name] = Draft202012Validator(tool.function.parameters or {})
    parsed = [parse_arguments(call.function.arguments) for call in calls]
    reasons = [[mismatch(e, c.function.name, p, schemas.get(e.name)) for c, p in zip(calls, parsed)]
               for e in params.expected]
    ok = [[r is None for r in row] for row in reasons]
    one_to_one = params.count_duplicates
    if params.order == "any":
        pairs = _any_order(ok, one_to_one)
    elif params.order == "subsequence":
        pairs = _in_order(ok, len(calls), one_to_one)
    else:
        pairs = {i: i for i in range(min(len(ok), len(calls))) if ok[i][i]}

    problems: list[str] = []
    for i, expected in enumerate(params.expected):
        if i not in pairs:
            problems.append(f"expected {describe(expected)} not matched: "
                            f"{_why_unmatched(i, expected, calls, reasons, pairs, params.order)}")
    forbidden = [j for j, c in enumerate(calls) if c.function.name in params.forbidden]
    problems += [f"forbidden tool called: {_call_label(j, calls[j])}" for j in forbidden]
    names = {c.function.name for c in calls}
    missing = [name for name in params.required if name not in names]
    problems += [f"required tool {name!r} was never called" for name in missing]
    # Without count_duplicates, a repeat of a matching call is not an extra.
    used = set(pairs.values()) if one_to_one else {j for row in ok for j, good in enumerate(row) if good}
    extra = [j for j in range(len(calls)) if j not in used and j not in forbidden]
    if extra and not params.allow_extra:
        problems.append("extra calls not allowed: " + ", ".join(_call_label(j, calls[j]) for j in extra))

    passed = not problems
    value = len(pairs) / len(params.expected) if params.expected else float(passed)
    if forbidden:
        value = 0.0
    summary = f"matched {len(pairs)}/{len(params.expected)} expected calls" if params.expected else ""
    explanation = "; ".join(p for p in [summary, *problems] if p) or "tool calls as required"
    return verdict(passed, explanation, value=value,
                   matched={str(i): j for i, j in sorted(pairs.items())},
                   unmatched=[i for i in range(len(params.expected)) if i not in pairs],
                   forbidden_calls=forbidden, extra_calls=extra, missing_required=missing)
