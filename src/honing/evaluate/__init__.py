"""Evaluation: scenario suites (YAML and JSONL, versioned), targets, scorers, and the runner.

`push_suite` stores a suite file as an immutable, content-hashed version (with the tiers it
declares, most important first); `archive_suite` hides a suite and `mark_suite` says whether
it is held out from training (what the contamination check compares with); `start_run` and
`execute_run` run a version against a target spec with bounded concurrency, retries and a
response cache, writing each result as it completes (so a run resumes where it stopped);
`summarize_run` and `failed_results` read what it found, `explore` every result under a
filter; `compare_runs` compares two runs
scenario by scenario (regressions, fixes, and per tier, tag and scorer whether the change is
more than chance).
"""

from honing.evaluate._agent import conversation, execute_tool, run_agent
from honing.evaluate._compare import Comparison, ScenarioChange, compare_runs
from honing.evaluate._explore import Explorer, Facets, ResultFilter, explore
from honing.evaluate._from_dataset import suite_from_dataset
from honing.evaluate._judging import judge_caller
from honing.evaluate._model import (
    TIERS,
    Output,
    Provenance,
    Scenario,
    Score,
    ScorerSpec,
    Suite,
    SuiteDefaults,
    Tier,
    ToolMock,
    unknown_tier,
)
from honing.evaluate._pricing import Price, Prices, load_prices
from honing.evaluate._results import (
    STATUSES,
    RunSummary,
    Slice,
    failed_results,
    get_run,
    summarize_run,
)
from honing.evaluate._runner import Progress, RunOptions, execute_run, start_run
from honing.evaluate._slices import SliceComparison, difference, pp
from honing.evaluate._suite_marks import archive_suite, held_out_suites, mark_suite, unarchive_suite
from honing.evaluate._suites import (
    SuitePush,
    iter_scenarios,
    list_suite_versions,
    list_suites,
    ordered_tiers,
    push_suite,
    read_suite_header,
    resolve_suite_version,
    stored_scenarios,
    suite_json_schema,
    suite_tiers,
    unscored_scenarios,
    unscored_warning,
)
from honing.evaluate._transport import Transport, TransportStats

__all__ = [
    "STATUSES",
    "TIERS",
    "Comparison",
    "Explorer",
    "Facets",
    "Output",
    "Price",
    "Prices",
    "Progress",
    "Provenance",
    "ResultFilter",
    "RunOptions",
    "RunSummary",
    "Scenario",
    "ScenarioChange",
    "Score",
    "ScorerSpec",
    "Slice",
    "SliceComparison",
    "Suite",
    "SuiteDefaults",
    "SuitePush",
    "Tier",
    "Transport",
    "TransportStats",
    "ToolMock",
    "archive_suite",
    "compare_runs",
    "conversation",
    "explore",
    "difference",
    "execute_run",
    "execute_tool",
    "failed_results",
    "get_run",
    "held_out_suites",
    "iter_scenarios",
    "judge_caller",
    "list_suite_versions",
    "list_suites",
    "load_prices",
    "mark_suite",
    "ordered_tiers",
    "pp",
    "push_suite",
    "read_suite_header",
    "resolve_suite_version",
    "run_agent",
    "start_run",
    "stored_scenarios",
    "suite_from_dataset",
    "suite_json_schema",
    "suite_tiers",
    "summarize_run",
    "unarchive_suite",
    "unknown_tier",
    "unscored_scenarios",
    "unscored_warning",
]
