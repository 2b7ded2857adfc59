"""Scorers: the checks a scenario's `expect` list names, and the registry that runs them.

Built in: exact, contains, not_contains, any, all, regex, json_valid, json_schema, numeric,
token_f1 (text and structure); tool_calls, trajectory (agents); refusal, pii_leak,
canary_leak (safety); latency, cost (budgets); llm_judge, llm_judge_pairwise (model as
judge); python (your own function). Third-party packages add scorers with `@scorer` in a
module named by an entry point in the group "honing.scorers".

A scorer that cannot decide (a judge whose reply cannot be parsed, a missing measurement,
a scorer that raised) gives `Score(passed=None, error=...)`: never a silent pass.
"""

# Importing the scorer modules registers them.
from honing.evaluate.scorers import (  # noqa: F401
    _budgets,
    _custom,
    _json,
    _judge,
    _safety,
    _text,
    _tools,
    _trajectory,
)
from honing.evaluate.scorers._judge import (
    DEFAULT_SCALE,
    Anchor,
    JudgeParams,
    PairwiseParams,
    render_output,
)
from honing.evaluate.scorers._registry import (
    ENTRY_POINT_GROUP,
    ScorerInfo,
    ScorerParams,
    ScoringContext,
    check_spec,
    get_scorer,
    run_scorer,
    scorer,
    scorer_names,
    undecided,
    verdict,
)

__all__ = [
    "DEFAULT_SCALE",
    "ENTRY_POINT_GROUP",
    "Anchor",
    "JudgeParams",
    "PairwiseParams",
    "ScorerInfo",
    "ScorerParams",
    "ScoringContext",
    "check_spec",
    "get_scorer",
    "render_output",
    "run_scorer",
    "scorer",
    "scorer_names",
    "undecided",
    "verdict",
]
