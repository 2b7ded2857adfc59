"""The tool_calls and trajectory scorers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from honing._errors import InvalidInput
from honing.domain import FunctionCall, Message, ToolCall, ToolDefinition, ToolFunction
from honing.evaluate import Output, Scenario, Score, ScorerSpec
from honing.evaluate.scorers import ScoringContext, check_spec, run_scorer

SEARCH_SCHEMA = {"type": "object", "required": ["query"], "additionalProperties": False,
                 "properties": {"query": {"type": "string", "minLength": 1},
                                "limit": {"type": "integer", "minimum": 1, "maximum": 50}}}
SCENARIO = Scenario(id="s", input="find flights", tools=[
    ToolDefinition(function=ToolFunction(name="search", parameters=SEARCH_SCHEMA))])


def call(name: str, arguments: Any = "{}", index: int = 0) -> ToolCall:
    return ToolCall(id=f"c{index}", function=FunctionCall(name=name, arguments=arguments))


def calls(*pairs: tuple[str, Any]) -> list[ToolCall]:
    return [call(name, arguments, i) for i, (name, arguments) in enumerate(pairs)]


def score(params: dict[str, Any], made: list[ToolCall], scenario: Scenario = SCENARIO, **output: Any) -> Score:
    spec = ScorerSpec(type=params.pop("type", "tool_calls"), **params)
    return asyncio.run(run_scorer(spec, scenario, Output(tool_calls=made, **output), ScoringContext()))


# --- duplicates and one-to-one matching ----------------------------------------------------

def test_one_call_cannot_satisfy_two_identical_expectations():
    two = {"expected": [{"name": "search", "arguments": {"query": "x"}}] * 2}
    result = score(dict(two), calls(("search", {"query": "x"})))
    assert result.passed is False and result.value == 0.5
    assert "already used" in result.explanation
    assert score(dict(two), calls(("search", {"query": "x"}), ("search", {"query": "x"}))).passed is True
    # Without count_duplicates, one call satisfies both.
    assert score({**two, "count_duplicates": False}, calls(("search", {"query": "x"}))).passed is True


def test_two_identical_calls_against_one_expectation():
    made = calls(("search", {"query": "x"}), ("search", {"query": "x"}))
    one = {"expected": [{"name": "search", "arguments": {"query": "x"}}]}
    assert score(dict(one), made).passed is True  # allow_extra defaults to true
    strict = score({**one, "allow_extra": False}, made)
    assert strict.passed is False and strict.value == 1.0  # the expectation itself matched
    assert "extra calls not allowed: #2 search" in strict.explanation and strict.details["extra_calls"] == [1]
    # Without count_duplicates, the repeat is not an extra.
    assert score({**one, "allow_extra": False, "count_duplicates": False}, made).passed is True


def test_any_order_uses_a_maximum_matching_not_a_greedy_one():
    # Greedy would give the first call (which fits both) to the loose expectation and
    # leave the strict one unmatched; augmenting paths find the assignment that fits both.
    expected = [{"name": "search", "arguments": {}, "match": "subset"},
                {"name": "search", "arguments": {"query": "x"}}]
    made = calls(("search", {"query": "x"}), ("search", {"query": "y"}))
    result = score({"expected": expected}, made)
    assert result.passed is True and result.details["matched"] == {"0": 1, "1": 0}


# --- arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize("expected_arguments", [{"query": "x", "limit": 5}, '{"limit": 5, "query": "x"}'])
@pytest.mark.parametrize("actual_arguments", ['{"query": "x", "limit": 5}', '{ "limit":5.0,"query":"x" }'])
def test_arguments_as_object_or_json_string(expected_arguments, actual_arguments):
    result = score({"expected": [{"name": "search", "arguments": expected_arguments}]},
                   [call("search", actual_arguments)])
    assert result.passed is True, result.explanation


def test_exact_arguments_mismatches_are_explained():
    expected = {"expected": [{"name": "search", "arguments": {"query": "x"}}]}
    extra = score(dict(expected), [call("search", {"query": "x", "limit": 1})])
    assert "unexpected argument(s) ['limit']" in extra.explanation
    assert "missing" in score(dict(expected), [call("search", {})]).explanation
    wrong = score(dict(expected), [call("search", {"query": "y"})])
    assert wrong.passed is False and "argument 'query': expected \"x\", got \"y\"" in wrong.explanation
    # JSON semantics: true is not 1.
    flag = {"expected": [{"name": "f", "arguments": {"on": 1}}]}
    assert score(flag, [call("f", {"on": True})]).passed is False


def test_malformed_argument_string_is_a_failed_match_not_a_crash():
    result = score({"expected": [{"name": "search", "arguments": {"query": "x"}}]},
                   [call("search", '{"query": "x"')])
    assert result.passed is False and result.error is None
    assert "not valid JSON" in result.explanation
    not_object = score({"expected": ["search"]}, [call("search", "[1, 2]")])
    assert not_object.passed is False and "not a JSON object" in not_object.explanation


def test_bad_expected_arguments_string_is_rejected_at_check_time():
    with pytest.raises(InvalidInput) as caught:
        check_spec(ScorerSpec(type="tool_calls", expected=[{"name": "a", "arguments": "{oops"}]))
    assert caught.value.problems[0].field == "expected[0].arguments"


def test_subset_match_is_recursive():
    expected = {"expected": [{"name": "book", "match": "subset", "arguments": {"flight": {"to": "CDG"}}}]}
    assert score(dict(expected), [call("book", {"flight": {"to": "CDG", "from": "JFK"}, "seat": "4A"})]).passed
    result = score(dict(expected), [call("book", {"flight": {"to": "ORY"}})])
    assert result.passed is False and "flight.to" in result.explanation


@pytest.mark.parametrize(("matcher", "value", "passed"), [
    ({"equals": "x"}, "x", True),
    ({"equals": None}, None, True),
    ({"equals": None}, 0, False),
    ({"regex": r"^\d{4}-\d{2}-\d{2}$"}, "2025-01-31", True),
    ({"regex": r"^\d{4}-\d{2}-\d{2}$"}, "31/01/2025", False),
    ({"regex": r"^\d+$"}, 42, True),
    ({"contains": "paris"}, "Flights to PARIS", True),
    ({"contains": "CDG"}, ["JFK", "CDG"], True),
    ({"contains": "ORY"}, ["JFK", "CDG"], False),
    ({"one_of": ["economy", "business"]}, "business", True),
    ({"one_of": ["economy", "business"]}, "first", False),
    ({"range": [1, 10]}, 10, True),
    ({"range": [1, 10]}, 11, False),
    ({"range": [1, None]}, 1e9, True),
    ({"range": [1, 10]}, "5", False),
    ({"range": [0, 1]}, True, False),
    ({"any": True}, {"anything": [1]}, True),
])
def test_argument_matchers(matcher, value, passed):
    expected = {"expected": [{"name": "f", "argument_matchers": {"v": matcher}}]}
    result = score(expected, [call("f", {"v": value, "other": 1})])
    assert result.passed is passed, result.explanation


def test_matcher_on_a_missing_argument_fails():
    result = score({"expected": [{"name": "f", "argument_matchers": {"v": {"any": True}}}]}, [call("f", {})])
    assert result.passed is False and "argument 'v' missing" in result.explanation


def test_exact_arguments_combined_with_matchers():
    expected = {"expected": [{"name": "f", "arguments": {"a": 1}, "argument_matchers": {"when": {"regex": "^2025"}}}]}
    assert score(dict(expected), [call("f", {"a": 1, "when": "2025-03-01"})]).passed is True
    assert score(dict(expected), [call("f", {"a": 1, "when": "2024-03-01"})]).passed is False


@pytest.mark.parametrize(("matcher", "field"), [
    ({}, "expected[0].argument_matchers.v"),
    ({"equals": 1, "regex": "1"}, "expected[0].argument_matchers.v"),
    ({"regex": "("}, "expected[0].argument_matchers.v"),
    ({"range": [5, 1]}, "expected[0].argument_matchers.v"),
])
def test_bad_matchers_are_rejected_at_check_time(matcher, field):
    spec = ScorerSpec(type="tool_calls", expected=[{"name": "f", "argument_matchers": {"v": matcher}}])
    with pytest.raises(InvalidInput) as caught:
        check_spec(spec)
    assert caught.value.problems[0].field == field


def test_schema_match_uses_the_scenario_tool_definition():
    expected = {"expected": [{"name": "search", "match": "schema"}]}
    assert score(dict(expected), [call("search", {"query": "x", "limit": 3})]).passed is True
    result = score(dict(expected), [call("search", {"query": "x", "limit": 500})])
    assert result.passed is False and "$.limit" in result.explanation
    assert score(dict(expected), [call("search", {"q": "x"})]).passed is False
    # Schema plus a subset of arguments.
    both = {"expected": [{"name": "search", "match": "schema", "arguments": {"query": "x"}}]}
    assert score(dict(both), [call("search", {"query": "y"})]).passed is False


def test_schema_match_without_a_tool_definition_is_undecided():
    result = score({"expected": [{"name": "lookup", "match": "schema"}]}, [call("lookup", {})])
    assert result.passed is None and "no such tool" in result.error


# --- order modes -------------------------------------------------------------------------

ABC = [{"name": "a"}, {"name": "b"}, {"name": "c"}]


@pytest.mark.parametrize(("order", "made", "passed", "value"), [
    ("any", ["c", "a", "b"], True, 1.0),
    ("subsequence", ["c", "a", "b"], False, 2 / 3),
    ("subsequence", ["a", "x", "b", "y", "c"], True, 1.0),
    ("subsequence", ["a", "c", "b", "c"], True, 1.0),  # a, b, then the later c
    ("exact", ["a", "b", "c"], True, 1.0),
    ("exact", ["a", "b", "c", "d"], True, 1.0),  # later calls are extras (allowed)
    ("exact", ["a", "x", "b", "c"], False, 1 / 3),
    ("exact", ["a", "b"], False, 2 / 3),
    ("exact", [], False, 0.0),
])
def test_order_modes(order, made, passed, value):
    result = score({"expected": ABC, "order": order}, calls(*((n, "{}") for n in made)))
    assert result.passed is passed, result.explanation
    assert result.value == pytest.approx(value)


def test_subsequence_duplicates_are_explained_as_used_not_out_of_order():
    result = score({"expected": ["a", "a"], "order": "subsequence"}, calls(("a", "{}")))
    assert result.value == 0.5 and "matching call(s) #1 already used by other expectations" in result.explanation


def test_order_failures_are_explained():
    out_of_order = score({"expected": ABC, "order": "subsequence"}, calls(("c", "{}"), ("a", "{}"), ("b", "{}")))
    assert "expected c not matched: matching call(s) #1 are out of order" in out_of_order.explanation
    exact = score({"expected": ABC, "order": "exact"}, calls(("a", "{}"), ("x", "{}")))
    assert "position 2: call #2 x({}): called 'x', not 'b'" in exact.explanation
    assert "position 3: no call (only 2 made)" in exact.explanation


def test_exact_order_with_no_extras_allowed():
    result = score({"expected": ABC, "order": "exact", "allow_extra": False},
                   calls(("a", "{}"), ("b", "{}"), ("c", "{}"), ("d", "{}")))
    assert result.passed is False and "#4 d" in result.explanation


# --- required, forbidden, nothing at all -------------------------------------------------

def test_required_and_forbidden_tools():
    made = calls(("search", {"query": "x"}), ("delete_user", {"id": 1}))
    result = score({"required": ["search", "notify"], "forbidden": ["delete_user"]}, made)
    assert result.passed is False and result.value == 0.0
    assert "forbidden tool called: #2 delete_user" in result.explanation
    assert "required tool 'notify' was never called" in result.explanation
    assert result.details["missing_required"] == ["notify"] and result.details["forbidden_calls"] == [1]
    ok = score({"required": ["search"], "forbidden": ["delete_user"]}, calls(("search", {"query": "x"})))
    assert ok.passed is True and ok.value == 1.0


def test_forbidden_call_zeroes_value_even_when_expectations_match():
    result = score({"expected": ["search"], "forbidden": ["drop"]}, calls(("search", "{}"), ("drop", "{}")))
    assert result.passed is False and result.value == 0.0


def test_no_calls_at_all():
    assert score({"expected": ["search"]}, []).explanation.endswith("expected search not matched: no call to 'search'")
    assert score({"allow_extra": False}, []).passed is True  # "no tools may be called"
    assert score({"allow_extra": False}, calls(("search", "{}"))).passed is False


@pytest.mark.parametrize("params", [
    {},
    {"required": ["a"], "forbidden": ["a"]},
    {"expected": [{"name": "a"}], "forbidden": ["a"]},
    {"expected": [{"name": "a"}], "order": "random"},
])
def test_contradictory_or_empty_params_are_rejected(params):
    with pytest.raises(InvalidInput):
        check_spec(ScorerSpec(type="tool_calls", **params))


@settings(max_examples=40, deadline=None)
@given(st.permutations(["a", "b", "c", "a", "d"]))
def test_any_order_does_not_depend_on_call_order(order):
    expected = [{"name": "a"}, {"name": "a"}, {"name": "b"}, {"name": "c"}]
    result = score({"expected": expected, "allow_extra": False}, calls(*((n, "{}") for n in order)))
    assert result.value == 1.0 and result.passed is False and len(result.details["extra_calls"]) == 1


# --- trajectory --------------------------------------------------------------------------

def agent_run(names: list[str], results: list[str], text: str | None = "done", steps: int = 3) -> dict[str, Any]:
    made = [call(n, {"n": i}, i) for i, n in enumerate(names)]
    trajectory = [Message(role="assistant", tool_calls=made)]
    trajectory += [Message(role="tool", tool_call_id=c.id, content=r) for c, r in zip(made, results)]
    trajectory += [Message(role="assistant", content=text)] if text is not None else []
    return {"made": made, "trajectory": trajectory, "text": text, "steps": steps}


def trajectory(params: dict[str, Any], run: dict[str, Any]) -> Score:
    return score({"type": "trajectory", **params}, run["made"], trajectory=run["trajectory"],
                 text=run["text"], steps=run["steps"])


def test_trajectory_checks():
    run = agent_run(["auth", "fetch"], ["ok", "ok"], text="Your balance is 10 EUR")
    assert trajectory({"max_steps": 3, "must_call_before": [["auth", "fetch"]], "no_repeated_calls": True,
                       "final_must_contain": "balance", "tool_errors_allowed": False}, run).passed is True
    assert trajectory({"max_steps": 2}, run).passed is False
    assert trajectory({"final_must_contain": "BALANCE"}, run).passed is True
    assert trajectory({"final_must_contain": "refund"}, run).passed is False
    assert trajectory({"final_must_contain": "x"}, agent_run(["a"], ["ok"], text=None)).passed is False


def test_must_call_before():
    assert trajectory({"must_call_before": [["auth", "fetch"]]}, agent_run(["fetch", "auth"], ["", ""])).passed is False
    assert trajectory({"must_call_before": [["auth", "fetch"]]}, agent_run(["x"], [""])).passed is True  # no fetch
    result = trajectory({"must_call_before": [["auth", "fetch"]]}, agent_run(["fetch"], [""]))
    assert "'fetch' was called (call #1) before any call to 'auth'" in result.explanation


def test_repeated_calls_compare_parsed_arguments():
    made = [call("get", '{"a": 1, "b": 2}', 0), call("get", '{"b":2,"a":1}', 1), call("get", '{"a": 2}', 2)]
    result = score({"type": "trajectory", "no_repeated_calls": True}, made)
    assert result.passed is False and "call #2 repeats call #1" in result.explanation
    assert "#3" not in result.explanation


def test_tool_errors_follow_the_runner_convention():
    run = agent_run(["a", "b"], ["ERROR: no mock for tool 'a'", "ERRORS: 0"])
    assert trajectory({"tool_errors_allowed": False}, run).passed is False
    assert trajectory({"tool_errors_allowed": False}, run).details["tool_errors"] == 1
    assert trajectory({"max_steps": 5}, run).passed is True  # errors allowed by default
    assert trajectory({"tool_errors_allowed": False}, agent_run(["a"], ["fine"])).passed is True


def test_trajectory_needs_something_to_check():
    with pytest.raises(InvalidInput):
        check_spec(ScorerSpec(type="trajectory"))
