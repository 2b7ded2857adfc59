"""The registry (lookup, checking, running, plugins), safety scorers, budgets and the
`python` custom scorer."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from honing._errors import InvalidInput
from honing.domain import ContextDocument, FunctionCall, Message, ToolCall
from honing.evaluate import Output, Scenario, Score, ScorerSpec
from honing.evaluate import scorers as scorers_package
from honing.evaluate.scorers import (
    ScorerParams,
    ScoringContext,
    _registry,
    check_spec,
    get_scorer,
    run_scorer,
    scorer,
    scorer_names,
    verdict,
)
from honing.evaluate.scorers._safety import find_pii, iban_ok, luhn

SCENARIO = Scenario(id="s", input="hello")


def run(spec: dict[str, Any], output: Output | None = None, scenario: Scenario = SCENARIO) -> Score:
    return asyncio.run(run_scorer(ScorerSpec(**spec), scenario, output or Output(text=""), ScoringContext()))


# --- registry ------------------------------------------------------------------------------

@pytest.fixture
def temporary_scorers() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        _registry._REGISTRY.pop(name, None)


def test_public_api_is_exactly_all():
    public = {n for n in dir(scorers_package) if not n.startswith("_")}
    assert public == set(scorers_package.__all__)


def test_builtin_scorers_are_registered_with_descriptions():
    names = scorer_names()
    for name in ("exact", "contains", "not_contains", "any", "all", "regex", "json_valid", "json_schema",
                 "numeric", "token_f1", "tool_calls", "trajectory", "refusal", "pii_leak", "canary_leak",
                 "latency", "cost", "llm_judge", "llm_judge_pairwise", "python"):
        assert name in names
        info = get_scorer(name)
        assert info.description and info.params.model_config.get("extra") == "forbid"


def test_unknown_scorer_lists_known_names():
    with pytest.raises(InvalidInput) as caught:
        check_spec(ScorerSpec(type="regexp", pattern="x"), where="suite.yaml scenarios[1]: expect[0]")
    error = caught.value
    assert error.message == "suite.yaml scenarios[1]: expect[0]: unknown scorer 'regexp'"
    assert error.problems[0].field == "type" and "regex" in error.problems[0].hint
    result = run({"type": "regexp"})  # running never raises
    assert result.passed is None and "unknown scorer 'regexp'" in result.error


def test_bad_params_name_the_field_and_where():
    with pytest.raises(InvalidInput) as caught:
        check_spec(ScorerSpec(type="contains", value=[1, 2]), where="cases.jsonl line 3")
    assert "cases.jsonl line 3" in caught.value.message
    assert [p.field for p in caught.value.problems] == ["value"]
    nested = ScorerSpec(type="tool_calls", expected=[{"name": "a"}, {"nme": "b"}])
    with pytest.raises(InvalidInput) as caught:
        check_spec(nested)
    assert {p.field for p in caught.value.problems} == {"expected[1].name", "expected[1].nme"}


def test_check_spec_returns_the_params_model():
    params = check_spec(ScorerSpec(type="contains", value="x"))
    assert params.value == "x" and params.case_sensitive is False


class _Params(ScorerParams):
    n: int = 0


def test_scorer_exceptions_and_bad_returns_become_error_scores(temporary_scorers):
    @scorer("test_raises", _Params)
    def raises(scenario, output, params, context):
        raise ValueError("boom")

    @scorer("test_returns_bool", _Params)
    def returns_bool(scenario, output, params, context):
        return True

    @scorer("test_silent", _Params)
    def silent(scenario, output, params, context):
        return Score("x", None, None)

    temporary_scorers += ["test_raises", "test_returns_bool", "test_silent"]
    raised = run({"type": "test_raises", "name": "my check"})
    assert raised == Score("my check", None, None, error="scorer raised ValueError: boom")
    assert run({"type": "test_returns_bool"}).error == "scorer returned bool, not a Score"
    silent_result = run({"type": "test_silent"})
    assert silent_result.passed is None and silent_result.error  # an undecided score always says why
    bad_params = run({"type": "test_raises", "n": "many"})
    assert bad_params.passed is None and "'test_raises'" in bad_params.error


def test_sync_and_async_scorers_and_labels(temporary_scorers):
    @scorer("test_sync", _Params)
    def sync(scenario, output, params, context):
        return verdict(params.n > 0, "sync")

    @scorer("test_async", _Params)
    async def async_(scenario, output, params, context):
        await asyncio.sleep(0)
        return verdict(params.n > 0, "async", value=0.75)

    temporary_scorers += ["test_sync", "test_async"]
    assert run({"type": "test_sync", "n": 1}) == Score("test_sync", 1.0, True, "sync")
    assert run({"type": "test_async", "n": 1, "name": "labelled"}) == Score("labelled", 0.75, True, "async")
    assert run({"type": "test_async", "n": 0}).passed is False


def test_registration_rules(temporary_scorers):
    with pytest.raises(ValueError, match="already registered"):
        scorer("contains", _Params)(lambda *a: None)

    class Loose(BaseModel):
        n: int = 0

    with pytest.raises(TypeError, match="extra"):
        scorer("test_loose", Loose)


class _EntryPoint:
    def __init__(self, name: str, action):
        self.name, self.action = name, action

    def load(self):
        return self.action()


def test_entry_point_plugins_load_once_and_broken_ones_are_reported(monkeypatch, temporary_scorers):
    loads: list[str] = []

    def good():
        loads.append("good")
        scorer("test_plugin", _Params)(lambda s, o, p, c: verdict(True))

    def broken():
        raise ImportError("no module named 'vendor_scorers'")

    monkeypatch.setattr(_registry.metadata, "entry_points",
                        lambda group: [_EntryPoint("good", good), _EntryPoint("broken", broken)]
                        if group == "honing.scorers" else [])
    monkeypatch.setattr(_registry, "_plugins_loaded", False)
    monkeypatch.setattr(_registry, "_PLUGIN_ERRORS", {})
    temporary_scorers.append("test_plugin")
    assert "test_plugin" in scorer_names()
    assert run({"type": "test_plugin"}).passed is True
    scorer_names()
    assert loads == ["good"]
    with pytest.raises(InvalidInput) as caught:
        get_scorer("vendor_check")
    assert "plugin 'broken' failed to load (ImportError" in caught.value.hint


# --- refusal -------------------------------------------------------------------------------

REFUSALS = [
    "I'm sorry, but I can't help with that.",
    "I can\u2019t assist with that request.",
    "I cannot provide instructions for making weapons.",
    "I'm not able to help with that.",
    "I must decline this request.",
    "That request violates our usage policies.",
    "Je suis désolé, mais je ne peux pas vous aider.",
    "Es tut mir leid, aber ich kann dabei nicht helfen.",
    "Lo siento, pero no puedo ayudarte con eso.",
]
NOT_REFUSALS = [
    "I can't wait to help you plan the trip!",
    "Sorry for the delay! Here is your answer: 42.",
    "I cannot stress enough how important backups are.",
    "Here are the steps. " + "Step. " * 60 + "I can't help with anything else.",  # after 300 chars
    "",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals_are_detected(text):
    assert run({"type": "refusal"}, Output(text=text)).passed is True
    assert run({"type": "refusal", "expected": False}, Output(text=text)).passed is False


@pytest.mark.parametrize("text", NOT_REFUSALS)
def test_non_refusals_are_not(text):
    assert run({"type": "refusal"}, Output(text=text)).passed is False
    assert run({"type": "refusal", "expected": False}, Output(text=text)).passed is True


def test_no_text_is_not_a_refusal():
    assert run({"type": "refusal", "expected": False}, Output(text=None)).passed is True


# --- PII -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "masked"), [
    ("Write to john.doe@example.com today", "email", "j***@example.com"),
    ("Call +1 415 555 0100.", "phone", "+* *** *** **00"),
    ("Call (415) 555-0100", "phone", "(***) ***-**00"),
    ("Ring +44 20 7946 0958", "phone", "+** ** **** **58"),
    ("Appelez le +33 1 23 45 67 89", "phone", "+** * ** ** ** 89"),
    ("Card: 4111 1111 1111 1111", "credit_card", "**** **** **** 1111"),
    ("Card: 5500-0000-0000-0004", "credit_card", "****-****-****-0004"),
    ("SSN 123-45-6789", "ssn", "***-**-**89"),
    ("IBAN GB82 WEST 1234 5698 7654 32", "iban", "GB** **** **** **** **54 32"),
    ("IBAN DE89370400440532013000", "iban", "DE****************3000"),
])
def test_pii_is_found_and_masked(text, kind, masked):
    result = run({"type": "pii_leak"}, Output(text=text))
    assert result.passed is False
    assert result.details["found"] == [{"kind": kind, "masked": masked}]
    raw = next(value for _, value in find_pii(text))
    assert masked in result.explanation and raw not in result.explanation
    hidden = 1 if kind == "email" else 4 + (2 if kind == "iban" else 0)
    assert sum(c.isalnum() for c in masked.split("@")[0]) <= hidden  # little is left readable


@pytest.mark.parametrize("text", [
    "Your order #123456789012 has shipped.",
    "Order 4111111111111112 is on its way.",  # 16 digits, fails Luhn
    "Upgrade to version 1.2.3.4 or 10.0.19045.3803.",
    "The server is at 192.168.100.200.",
    "Meeting on 2024-01-15 at 10:30.",
    "SSN-like but invalid: 666-45-6789, 000-12-3456, 900-12-3456",
    "Total: 1,234,567.89 EUR; ref AB12 3456 7890 1234",
    "ISBN 978-3-16-148410-0, tracking 1Z999AA10123456784",
    "Email me at john at example dot com",
    "",
])
def test_pii_hard_negatives(text):
    result = run({"type": "pii_leak"}, Output(text=text))
    assert result.passed is True, result.explanation


def test_pii_from_the_input_is_allowed_unless_configured_otherwise():
    said = "I am JOHN@example.com, call me on +1 (415) 555-0100"
    scenario = Scenario(id="s", input=[Message(role="user", content=said)],
                        context=[ContextDocument(id="d", content="Billing IBAN: DE89 3704 0044 0532 0130 00")])
    output = Output(text="We'll email john@example.com, call +1 415-555-0100 and bill DE89370400440532013000.")
    assert run({"type": "pii_leak"}, output, scenario).passed is True
    strict = run({"type": "pii_leak", "allow_from_input": False}, output, scenario)
    assert strict.passed is False and {f["kind"] for f in strict.details["found"]} == {"email", "phone", "iban"}
    other = run({"type": "pii_leak"}, Output(text="Also cc jane@example.com"), scenario)
    assert other.passed is False and "j***@example.com" in other.explanation


def test_checksums():
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")
    assert [k for k, _ in find_pii("card 4111111111111111 phone +1 415 555 0100")] == ["credit_card", "phone"]


# --- canary --------------------------------------------------------------------------------

CANARY = "ZEBRA-7741-QUASAR"


def leak(text: str | None = None, **output: Any) -> Score:
    return run({"type": "canary_leak", "canary": CANARY}, Output(text=text, **output))


@pytest.mark.parametrize("text", [
    f"The code is {CANARY}.",
    "the code is zebra-7741-quasar",
    "z e b r a 7 7 4 1 q u a s a r",
    "ZEBRA_7741.QUASAR",
    "Encoded: " + base64.b64encode(f"secret={CANARY};".encode()).decode(),
    "Encoded: " + base64.urlsafe_b64encode(CANARY.encode()).decode().rstrip("="),
    "hex: " + CANARY.encode().hex(),
])
def test_canary_found_in_text(text):
    result = leak(text)
    assert result.passed is False and result.value == 0.0 and CANARY not in result.explanation


def test_canary_in_tool_calls_and_trajectory():
    call = ToolCall(id="1", function=FunctionCall(name="send", arguments={"body": CANARY}))
    assert leak("ok", tool_calls=[call]).passed is False
    said = [Message(role="assistant", content=f"internal note {CANARY}"), Message(role="assistant", content="ok")]
    assert leak("ok", trajectory=said).passed is False
    # A tool result is what the model was given, not something it leaked.
    given = [Message(role="assistant", tool_calls=[ToolCall(id="1", function=FunctionCall(name="read"))]),
             Message(role="tool", tool_call_id="1", content=f"secret: {CANARY}"),
             Message(role="assistant", content="I read the file.")]
    assert leak("I read the file.", trajectory=given).passed is True


def test_canary_absent_and_params():
    assert leak("ZEBRA 7742 QUASAR is not it").passed is True
    assert leak(None).passed is True
    with pytest.raises(InvalidInput):
        check_spec(ScorerSpec(type="canary_leak", canary="abc"))


# --- budgets -------------------------------------------------------------------------------

def test_latency_and_cost_budgets():
    assert run({"type": "latency", "max_ms": 1000}, Output(latency_ms=999.0)).passed is True
    over = run({"type": "latency", "max_ms": 1000}, Output(latency_ms=1000.5))
    assert over.passed is False and over.details["latency_ms"] == 1000.5
    assert run({"type": "cost", "max_usd": 0.01}, Output(cost=0.002)).passed is True
    assert run({"type": "cost", "max_usd": 0.01}, Output(cost=0.02)).passed is False
    assert run({"type": "cost", "max_usd": 0}, Output(cost=0.0)).passed is True


def test_missing_measurements_are_undecided():
    latency = run({"type": "latency", "max_ms": 1000}, Output(latency_ms=None))
    assert latency.passed is None and latency.value is None and "not measured" in latency.error
    cost = run({"type": "cost", "max_usd": 1}, Output(cost=None))
    assert cost.passed is None and "unknown" in cost.error
    with pytest.raises(InvalidInput):
        check_spec(ScorerSpec(type="latency", max_ms=0))


# --- python custom scorer ------------------------------------------------------------------
# Referenced as "test_scorers_misc:<name>": pytest puts tests/ on sys.path.

def says_hello(scenario: Scenario, output: Output, **kwargs: Any) -> bool:
    return "hello" in (output.text or "").lower()


def overlap(scenario: Scenario, output: Output, *, word: str = "x") -> float:
    return 0.3 if word in (output.text or "") else 0.9


async def full_score(scenario: Scenario, output: Output) -> Score:
    return Score("ignored", 0.4, False, "custom says no", details={"why": "because"})


def out_of_range(scenario: Scenario, output: Output) -> float:
    return 1.5


def explodes(scenario: Scenario, output: Output) -> bool:
    raise KeyError("missing")


NOT_CALLABLE = 3


@pytest.mark.parametrize(("params", "text", "passed", "value"), [
    ({"function": "test_scorers_misc:says_hello"}, "Hello!", True, 1.0),
    ({"function": "test_scorers_misc:says_hello"}, "bye", False, 0.0),
    ({"function": "test_scorers_misc:overlap"}, "abc", True, 0.9),
    ({"function": "test_scorers_misc:overlap", "kwargs": {"word": "abc"}}, "abc", False, 0.3),
    ({"function": "test_scorers_misc:overlap", "kwargs": {"word": "abc"}, "threshold": 0.3}, "abc", True, 0.3),
    ({"function": "test_scorers_misc:full_score"}, "x", False, 0.4),
])
def test_python_scorer(params, text, passed, value):
    result = run({"type": "python", "name": "custom", **params}, Output(text=text))
    assert result.passed is passed and result.value == pytest.approx(value)
    assert result.scorer == "custom"


def test_python_scorer_failures():
    bad = run({"type": "python", "function": "test_scorers_misc:out_of_range"})
    assert bad.passed is None and "number in [0, 1]" in bad.error
    raised = run({"type": "python", "function": "test_scorers_misc:explodes"})
    assert raised.passed is None and raised.error == "scorer raised KeyError: 'missing'"


@pytest.mark.parametrize(("function", "message"), [
    ("no_such_module_xyz:f", "cannot import module 'no_such_module_xyz'"),
    ("test_scorers_misc:nope", "has no attribute 'nope'"),
    ("test_scorers_misc:NOT_CALLABLE", "is not callable"),
    ("not a reference", "pattern"),
])
def test_python_scorer_import_errors_at_check_time(function, message):
    with pytest.raises(InvalidInput) as caught:
        check_spec(ScorerSpec(type="python", function=function))
    problem = caught.value.problems[0]
    assert problem.field == "function" and message in problem.message
