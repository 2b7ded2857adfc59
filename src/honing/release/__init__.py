"""Release decisions: gate policies, the gate, and the release readiness report.

`load_gate_policy` reads a policy file (YAML, schema from `gate_policy_json_schema`);
`evaluate_gate` decides each of its rules for a run and its baseline (pass, fail, or
inconclusive when the data cannot decide) with the numbers behind each decision;
`build_release_report` and `write_release_report` turn that, the paired comparison of the
two runs and their lineage into report.html, summary.md and report.json.
"""

from honing.release._gate import EXIT_CODES, GateResult, RuleOutcome, evaluate_gate, judge_status
from honing.release._policy import (
    GatePolicy,
    Rule,
    gate_policy_json_schema,
    load_gate_policy,
    parse_gate_policy,
)
from honing.release._render import render_html, render_summary, write_release_report
from honing.release._report import Change, ReleaseReport, build_release_report

__all__ = [
    "EXIT_CODES",
    "Change",
    "GatePolicy",
    "GateResult",
    "ReleaseReport",
    "Rule",
    "RuleOutcome",
    "build_release_report",
    "evaluate_gate",
    "gate_policy_json_schema",
    "judge_status",
    "load_gate_policy",
    "parse_gate_policy",
    "render_html",
    "render_summary",
    "write_release_report",
]
