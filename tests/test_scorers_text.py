"""Text and structure scorers: exact, contains, not_contains, any, all, regex, json_valid,
json_schema, numeric, token_f1."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from honing._errors import InvalidInput
from honing.evaluate import Output, Scenario, Score, ScorerSpec
from honing.evaluate.scorers import ScoringContext, check_spec, run_scorer
from honing.evaluate.scorers._text import token_f1_value

SCENARIO = Scenario(id="s", input="question")


def score(spec: dict[str, Any], text: str | None) -> Score:
    return asyncio.run(run_scorer(ScorerSpec(**spec), SCENARIO, Output(text=text), ScoringContext()))


@pytest.mark.parametrize(("spec", "text", "passed"), [
    ({"type": "exact", "value": "Paris"}, "  Paris\n", True),
    ({"type": "exact", "value": "Paris"}, "paris", False),
    ({"type": "exact", "value": "Paris", "case_sensitive": False}, "PARIS", True),
    ({"type": "exact", "value": "Paris", "strip": False}, " Paris", False),
    ({"type": "exact", "value": "café"}, "cafe\u0301", True),  # NFC: composed == decomposed
    ({"type": "exact", "value": "straße", "case_sensitive": False}, "STRASSE", True),  # casefold
    ({"type": "exact", "value": ""}, "", True),
    ({"type": "exact", "value": "x"}, None, False),
    ({"type": "contains", "value": "Reset Link"}, "Here is your reset link.", True),
    ({"type": "contains", "value": "Reset Link", "case_sensitive": True}, "Here is your reset link.", False),
    ({"type": "contains", "value": "ünïcödé"}, "ÜNÏCÖDÉ text", True),
    ({"type": "contains", "value": "x"}, None, False),
    ({"type": "contains", "value": 42}, "the answer is 42", True),  # YAML numbers are text here
    ({"type": "not_contains", "value": "password"}, "Your PASSWORD is hunter2", False),
    ({"type": "not_contains", "value": "password"}, "no secrets here", True),
    ({"type": "not_contains", "value": "password"}, None, True),
    ({"type": "any", "values": ["yes", "sure"]}, "Sure thing", True),
    ({"type": "any", "values": ["yes", "sure"]}, "no", False),
    ({"type": "any", "values": ["yes"]}, "", False),
    ({"type": "regex", "pattern": r"IKEv\d"}, "use IKEv2 please", True),
    ({"type": "regex", "pattern": r"ikev\d"}, "use IKEv2 please", False),
    ({"type": "regex", "pattern": r"ikev\d", "flags": ["i"]}, "use IKEv2 please", True),
    ({"type": "regex", "pattern": r"^a.b$", "flags": ["s"]}, "a\nb", True),
    ({"type": "regex", "pattern": r"^b$", "flags": ["m"]}, "a\nb", True),
    ({"type": "regex", "pattern": r"^b$"}, "a\nb", False),
    ({"type": "regex", "pattern": r"secret", "must_match": False}, "nothing", True),
    ({"type": "regex", "pattern": r"secret", "must_match": False}, "a secret", False),
    ({"type": "regex", "pattern": r"^$"}, None, True),
])
def test_text_scorers(spec, text, passed):
    result = score(spec, text)
    assert result.passed is passed, result
    assert result.error is None and result.value == (1.0 if passed else 0.0)
    assert result.scorer == spec["type"]


def test_all_reports_share_and_missing():
    result = score({"type": "all", "values": ["alpha", "beta", "gamma", "delta"]}, "Alpha and GAMMA")
    assert result.passed is False and result.value == 0.5
    assert result.details["missing"] == ["beta", "delta"] and "beta" in result.explanation
    assert score({"type": "all", "values": ["a", "b"]}, "b a").passed is True


def test_none_text_is_explained():
    assert "(no text)" in score({"type": "contains", "value": "x"}, None).explanation


@pytest.mark.parametrize(("spec", "field"), [
    ({"type": "regex", "pattern": "(unclosed"}, "pattern"),
    ({"type": "regex", "pattern": "a", "flags": ["x"]}, "flags[0]"),
    ({"type": "contains", "value": ""}, "value"),
    ({"type": "contains", "value": "a", "case_sensitve": True}, "case_sensitve"),
    ({"type": "any", "values": []}, "values"),
    ({"type": "json_schema", "schema": {"type": "no-such-type"}}, "schema"),
    ({"type": "json_schema"}, "schema"),
    ({"type": "numeric", "value": "abc"}, "value"),
    ({"type": "numeric", "value": 1, "tolerance": -1}, "tolerance"),
    ({"type": "token_f1", "reference": "x", "threshold": 2}, "threshold"),
])
def test_bad_params_name_the_field(spec, field):
    with pytest.raises(InvalidInput) as caught:
        check_spec(ScorerSpec(**spec), where="suite.yaml scenarios[0]")
    assert caught.value.message.startswith("suite.yaml scenarios[0]: ")
    assert [p.field for p in caught.value.problems] == [field], caught.value.problems


def test_invalid_regex_message_is_readable():
    with pytest.raises(InvalidInput) as caught:
        check_spec(ScorerSpec(type="regex", pattern="(unclosed"))
    assert "invalid regular expression" in caught.value.problems[0].message


@pytest.mark.parametrize(("text", "fenced", "passed"), [
    ('{"a": 1}', False, True),
    ("[1, 2, 3]", False, True),
    ("  42  ", False, True),
    ('{"a": NaN}', False, False),  # not JSON, although Python's json would accept it
    ("{'a': 1}", False, False),
    ('Here you go:\n```json\n{"a": 1}\n```', False, False),
    ('Here you go:\n```json\n{"a": 1}\n```', True, True),
    ('```\n{"a": 1}\n```', True, True),
    ('```json\n{"a": 1,}\n```', True, False),
    ("", False, False),
    (None, True, False),
    ('{"ключ": "значение"}', False, True),
])
def test_json_valid(text, fenced, passed):
    assert score({"type": "json_valid", "allow_fenced": fenced}, text).passed is passed


SCHEMA = {"type": "object", "required": ["name", "age"], "additionalProperties": False,
          "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0},
                         "tags": {"type": "array", "items": {"type": "string"}},
                         "email": {"type": "string", "format": "email"}}}


def test_json_schema_passes_and_lists_errors_with_paths():
    spec = {"type": "json_schema", "schema": SCHEMA}
    assert score(spec, '{"name": "Ada", "age": 36}').passed is True
    result = score(spec, '{"name": 7, "age": -1, "tags": ["ok", 3], "extra": true}')
    assert result.passed is False and result.value == 0.0
    paths = [e["path"] for e in result.details["errors"]]
    assert {"$.name", "$.age", "$.tags[1]", "$"} <= set(paths)
    assert "$.age" in result.explanation and "more" in result.explanation  # 4 errors, 3 listed


def test_json_schema_checks_formats_and_rejects_non_json():
    spec = {"type": "json_schema", "schema": SCHEMA}
    assert score(spec, '{"name": "a", "age": 1, "email": "not-an-email"}').passed is False
    result = score(spec, "name: Ada")
    assert result.passed is False and "not valid JSON" in result.explanation
    fenced = {"type": "json_schema", "schema": SCHEMA, "allow_fenced": True}
    assert score(fenced, 'Sure!\n```json\n{"name": "Ada", "age": 3}\n```').passed is True


@pytest.mark.parametrize(("spec", "text", "passed"), [
    ({"value": 42}, "The answer is 42.", True),
    ({"value": 42}, "The answer is 41.", False),
    ({"value": 42, "tolerance": 1}, "about 41", True),
    ({"value": 100, "tolerance": 0.05, "relative": True}, "104.9", True),
    ({"value": 100, "tolerance": 0.05, "relative": True}, "105.1", False),
    ({"value": -3.5}, "it fell to \u22123.5 degrees", True),  # Unicode minus
    ({"value": 1234567.5}, "total: $1,234,567.50", True),
    ({"value": 1500}, "1.5e3 units", True),
    ({"value": 0.1 + 0.2}, "0.3", True),  # float noise is not a failure
    ({"value": 2}, "abc2 then 3", False),  # digits glued to a word are not a number
    ({"value": 1}, "no numbers", False),
    ({"value": 1}, None, False),
    ({"value": 9.99, "field": "order.items.0.price"}, '{"order": {"items": [{"price": 9.99}]}}', True),
    ({"value": 9.99, "field": "order.items.1.price"}, '{"order": {"items": [{"price": 9.99}]}}', False),
    ({"value": 3, "field": "n"}, '```json\n{"n": "3"}\n```', True),
    ({"value": 1, "field": "flag"}, '{"flag": true}', False),  # true is not 1
    ({"value": 1, "field": "n"}, "not json", False),
])
def test_numeric(spec, text, passed):
    result = score({"type": "numeric", **spec}, text)
    assert result.passed is passed, result.explanation


def test_numeric_explains_what_it_found():
    result = score({"type": "numeric", "value": 1, "field": "a.b"}, '{"a": {}}')
    assert "no field 'a.b'" in result.explanation


@pytest.mark.parametrize(("prediction", "reference", "f1"), [
    ("The Eiffel Tower", "eiffel tower", 1.0),
    ("Paris, France!", "paris france", 1.0),
    ("the cat sat", "a dog sat", 0.5),
    ("", "", 1.0),
    ("", "something", 0.0),
    ("the", "a", 1.0),  # both normalise to nothing: SQuAD counts that as agreement
    ("«Bonjour» ¿qué?", "bonjour qué", 1.0),
    ("don't", "dont", 1.0),
])
def test_token_f1_values(prediction, reference, f1):
    assert token_f1_value(prediction, reference) == pytest.approx(f1)


def test_token_f1_threshold():
    assert score({"type": "token_f1", "reference": "a dog sat"}, "the cat sat").passed is True
    result = score({"type": "token_f1", "reference": "a dog sat", "threshold": 0.6}, "the cat sat")
    assert result.passed is False and result.value == pytest.approx(0.5)
    assert score({"type": "token_f1", "reference": "x"}, None).value == 0.0


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_token_f1_is_a_symmetric_fraction(a, b):
    value = token_f1_value(a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(token_f1_value(b, a))
