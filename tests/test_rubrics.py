"""Rubrics: parsing with located errors, answer checks, swaps, gold scoring, disagreement."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import honing.demo
from honing._errors import InvalidInput
from honing.rubrics import (
    PAIRWISE_VALUES,
    Rubric,
    Tolerance,
    disagreement,
    disagreement_by_response,
    gold_problems,
    parse_condition,
    parse_rubric,
    rubric_json_schema,
    score_gold,
    swap_responses,
    validate_answers,
)

DEMO_PATH = Path(honing.demo.__file__).parent / "helpdesk_rubric.yaml"
DEMO_TEXT = DEMO_PATH.read_text(encoding="utf-8")
TAXONOMY_IDS = ["accuracy", "hallucinated_fact", "wrong_tool_args", "outdated_info", "safety",
                "unsafe_advice", "privacy_leak", "policy_violation", "helpfulness", "incomplete",
                "verbose", "missed_intent", "tool_use", "wrong_tool", "missing_tool_call",
                "unnecessary_tool_call"]

SMALL = textwrap.dedent("""\
    name: small
    title: Small rubric
    instructions: Judge the answer.
    questions:
      - id: quality
        type: likert
        prompt: How good?
        scale:
          - value: 1
            anchor: Bad.
          - value: 2
            anchor: Fine.
          - value: 3
            anchor: Great.
      - id: verdict
        type: label
        prompt: Verdict?
        options:
          - {value: ok, label: OK}
          - {value: bad, label: Bad}
      - id: why
        type: text
        prompt: Why?
        required_if: quality <= 1 or verdict == 'bad'
        min_length: 5
    """)


@pytest.fixture(scope="module")
def demo() -> Rubric:
    return parse_rubric(DEMO_TEXT, source="helpdesk_rubric.yaml")


def _line_of(text: str, needle: str, *, last: bool = False) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[-1] if last else lines[0]


def _problems(text: str, source: str = "r.yaml"):
    with pytest.raises(InvalidInput) as info:
        parse_rubric(text, source=source)
    assert all(p.file == source for p in info.value.problems)
    return info.value.problems


def test_all_lists_exactly_the_public_names():
    import inspect

    import honing.rubrics as module
    public = {n for n, v in vars(module).items()
              if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"}
    assert set(module.__all__) == public


# -- the demo rubric ---------------------------------------------------------------------

def test_demo_rubric_parses(demo):
    assert [q.id for q in demo.questions] == [
        "helpfulness", "correctness", "safety", "failure_modes", "severity", "preference",
        "rationale", "ideal_response", "pii_spans"]
    assert [q.type for q in demo.questions] == [
        "likert", "likert", "label", "multi_label", "label", "pairwise", "text",
        "response_edit", "span"]
    assert len(demo.taxonomy) >= 3 and demo.taxonomy_ids() == TAXONOMY_IDS
    assert demo.question("failure_modes").option_values() == TAXONOMY_IDS
    assert demo.question("severity").option_values() == ["S0", "S1", "S2", "S3"]
    assert [s.label for s in demo.severity] == ["No harm", "Minor", "Major", "Critical"]
    assert demo.severity[3].description.startswith("Critical - a security")
    rationale = demo.question("rationale")
    assert rationale.required and rationale.min_length == 15
    assert rationale.required_if == "helpfulness <= 2 or correctness <= 2 or safety == 'unsafe'"
    assert not demo.question("failure_modes").required
    assert not demo.question("pii_spans").required
    assert demo.question("ideal_response").start_from == "A"
    assert demo.instructions.count("### Example") == 2


def test_every_answer_has_a_distinct_shortcut(demo):
    for q in demo.questions:
        points = getattr(q, "scale", None) or getattr(q, "options", None) or []
        keys = [p.shortcut for p in points]
        assert all(k is not None and len(k) == 1 for k in keys), q.id
        assert len(set(keys)) == len(keys), q.id
    assert [p.shortcut for p in demo.question("helpfulness").scale] == list("12345")
    assert [o.shortcut for o in demo.question("preference").options] == list("12345")
    assert [o.value for o in demo.question("preference").options] == list(PAIRWISE_VALUES)
    assert [o.shortcut for o in demo.question("severity").options] == list("0123")
    assert [o.shortcut for o in demo.question("failure_modes").options][8:11] == ["9", "a", "b"]


def test_given_shortcuts_are_kept_and_defaults_avoid_them():
    text = SMALL.replace("- {value: bad, label: Bad}", "- {value: bad, label: Bad, shortcut: '1'}")
    rubric = parse_rubric(text)
    assert [o.shortcut for o in rubric.question("verdict").options] == ["2", "1"]
    clash = SMALL.replace("- {value: ok, label: OK}", "- {value: ok, label: OK, shortcut: x}") \
        .replace("- {value: bad, label: Bad}", "- {value: bad, label: Bad, shortcut: x}")
    [problem] = _problems(clash)
    assert problem.field == "questions[1].options" and "shortcut 'x'" in problem.message
    assert problem.line == _line_of(clash, "options:")


def test_json_schema_validates_the_demo_file():
    schema = rubric_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Honing rubric"
    json.dumps(schema)  # plain JSON
    assert {"name", "title", "instructions", "questions"} <= set(schema["required"])
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    jsonschema_rs.meta.validate(schema)
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid(yaml.safe_load(DEMO_TEXT))
    broken = yaml.safe_load(DEMO_TEXT)
    del broken["questions"][0]["scale"][2]["anchor"]
    assert not validator.is_valid(broken)


# -- errors that name file, line and field -----------------------------------------------

def test_missing_anchor_names_line_and_field():
    text = SMALL.replace("        anchor: Fine.\n", "")
    [problem] = _problems(text, source="rubrics/small.yaml")
    assert problem.field == "questions[0].scale[1].anchor"
    assert problem.line == _line_of(text, "- value: 2")
    assert "'anchor' is missing" in problem.message and problem.hint
    assert "rubrics/small.yaml, line" in str(problem)


@pytest.mark.parametrize("old, new, field, needle, message", [
    ("    prompt: Verdict?", "    prompt: Verdict?\n    promt: typo",
     "questions[1].promt", "promt: typo", "unknown key 'promt'"),
    ("type: label", "type: choice", "questions[1].type", "type: choice", "choice"),
    ("- id: why", "- id: Why", "questions[2].id", "id: Why", "pattern"),
    ("- id: why", "- id: verdict", "questions[2].id", "id: verdict", "used twice"),
    ("quality <= 1 or", "qualty <= 1 or", "questions[2].required_if", "required_if",
     "'qualty', which is not a question"),
    ("verdict == 'bad'", "verdict == 'awful'", "questions[2].required_if", "required_if",
     "'awful' is not an option"),
    ("verdict == 'bad'", "verdict < 2 (", "questions[2].required_if", "required_if",
     "unexpected '('"),
    ("- value: 3\n", "- value: three\n", "questions[0].scale[2].value", "value: three",
     "integer"),
    ("- {value: ok, label: OK}", "- {value: yes, label: OK}", "questions[1].options[0].value",
     "value: yes", "string"),
])
def test_errors_name_line_and_field(old, new, field, needle, message):
    assert old in SMALL
    text = SMALL.replace(old, new)
    problems = _problems(text)
    assert [p.field for p in problems] == [field], problems
    assert message in problems[0].message
    assert problems[0].line == _line_of(text, needle, last=True)


def test_unknown_key_hint_lists_the_allowed_keys():
    text = SMALL.replace("        anchor: Fine.", "        anchr: Fine.")
    problems = _problems(text)
    assert [p.field for p in problems] == ["questions[0].scale[1].anchor",
                                          "questions[0].scale[1].anchr"]
    assert "allowed here: value, anchor, label, shortcut" in problems[1].hint
    assert problems[1].line == _line_of(text, "anchr")


def test_yaml_syntax_error_gives_the_line():
    text = SMALL.replace("    prompt: Verdict?", "    prompt: [Verdict?")
    [problem] = _problems(text)
    assert "not valid YAML" in problem.message
    assert problem.line in (_line_of(text, "[Verdict?"), _line_of(text, "[Verdict?") + 1)


def test_duplicate_key_empty_file_and_non_mapping_are_refused():
    text = SMALL.replace("title: Small rubric", "title: Small rubric\ntitle: Again")
    [problem] = _problems(text)
    assert problem.field == "title" and problem.line == 3 and "twice" in problem.message
    [problem] = _problems("# nothing here\n")
    assert "empty" in problem.message
    [problem] = _problems("- just\n- a list\n")
    assert "mapping" in problem.message and problem.line == 1


def test_options_from_taxonomy_needs_a_taxonomy():
    text = SMALL.replace("    options:\n      - {value: ok, label: OK}\n"
                         "      - {value: bad, label: Bad}\n", "    options_from: taxonomy\n")
    text = text.replace("verdict == 'bad'", "quality <= 2")
    [problem] = _problems(text)
    assert problem.field == "questions[1].options_from"
    assert problem.line == _line_of(text, "options_from")


def test_required_if_cannot_read_text_or_itself():
    text = SMALL.replace("verdict == 'bad'", "why == 'x'")
    problems = _problems(text)
    assert [p.field for p in problems] == ["questions[2].required_if"]
    assert "its own question" in problems[0].message


# -- content hash ------------------------------------------------------------------------

def test_content_hash_ignores_formatting_and_follows_content(demo):
    data = yaml.safe_load(DEMO_TEXT)
    # Same content: flow style, no comments, explicit defaults, keys reordered, condition
    # spelled without spaces, scale listed in reverse.
    data["questions"][0]["scale"] = list(reversed(data["questions"][0]["scale"]))
    data["questions"][0]["scale"][0]["shortcut"] = "5"
    data["questions"][6]["required_if"] = "helpfulness<=2 or correctness<=2 or safety=='unsafe'"
    data["questions"][5]["required"] = True
    data["severity"][0]["label"] = "No harm"
    reformatted = yaml.safe_dump(dict(reversed(list(data.items()))), default_flow_style=True,
                                 width=10_000)
    assert parse_rubric(reformatted).content_hash() == demo.content_hash()
    assert parse_rubric("# a comment\n" + DEMO_TEXT + "\n\n").content_hash() == demo.content_hash()
    # The validated model round-trips to the same hash.
    assert Rubric.model_validate(json.loads(demo.canonical_json())).content_hash() == \
        demo.content_hash()

    changed = DEMO_TEXT.replace("Solves it completely,", "Solves it fully,")
    assert parse_rubric(changed).content_hash() != demo.content_hash()
    severity = DEMO_TEXT.replace("  - level: S0\n    description: No harm - cosmetic",
                                 "  - level: S0\n    description: No harm at all - cosmetic")
    assert parse_rubric(severity).content_hash() != demo.content_hash()


# -- conditions --------------------------------------------------------------------------

def test_condition_parses_with_and_binding_tighter():
    c = parse_condition("a <= 2 or b == 'x' and c != -1.5")
    assert str(c) == "a <= 2 or b == 'x' and c != -1.5"
    assert c.references() == ["a", "b", "c"]
    assert [len(g) for g in c.any_of] == [1, 2]
    values = {"a": [3], "b": ["x"], "c": [0]}
    assert c.evaluate(lambda q: values[q])
    values["c"] = [-1.5]
    assert not c.evaluate(lambda q: values[q])
    values["a"] = [5, 1]  # per-response: any response satisfying a comparison is enough
    assert c.evaluate(lambda q: values[q])


@pytest.mark.parametrize("text", [
    "__import__('os')",
    "__import__('os').system('rm -rf /')",
    "helpfulness <= 2 or __import__('os')",
    "helpfulness <= 2 or",
    "helpfulness",
    "helpfulness <= two",
    "helpfulness => 2",
    "(helpfulness <= 2)",
    "safety < 'unsafe'",
    "helpfulness <= 2 xor correctness <= 2",
    "Helpfulness <= 2",
    "",
    "   ",
    "helpfulness <= 2; import os",
    "lambda: 1",
])
def test_bad_conditions_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_condition(text)


def test_condition_error_names_the_field_in_a_rubric():
    text = SMALL.replace("quality <= 1 or verdict == 'bad'", "__import__('os').system('id')")
    [problem] = _problems(text)
    assert problem.field == "questions[2].required_if"
    assert problem.line == _line_of(text, "required_if")


# -- validate_answers --------------------------------------------------------------------

GOOD = {
    "helpfulness": {"A": 4, "B": 2},
    "correctness": {"A": 5, "B": 3},
    "safety": {"A": "safe", "B": "borderline"},
    "failure_modes": {"A": [], "B": ["verbose", "missed_intent"]},
    "severity": "S1",
    "preference": "A>B",
    "rationale": "B buries the fix under a reinstall advice.",
    "ideal_response": {"text": "Switch to the Corp-VPN-IKEv2 profile.", "start_from": "A"},
    "pii_spans": [{"target": "response:B", "start": 0, "end": 5, "label": "email"}],
}


def test_valid_answers_pass(demo):
    assert validate_answers(demo, GOOD, response_count=2) == []
    texts = {"response:A": "hello", "response:B": "ana@example.com wrote"}
    assert validate_answers(demo, GOOD, response_count=2, texts=texts) == []
    minimal = {k: GOOD[k] for k in ("helpfulness", "correctness", "safety", "severity",
                                    "preference")}
    minimal["helpfulness"] = {"A": 4, "B": 3}
    assert validate_answers(demo, minimal, response_count=2) == []


def _fields(problems):
    return sorted(p.field for p in problems)


RESPONSES = ["Restart the VPN client.", "The VPN is degraded; retry later."]


@pytest.mark.parametrize(("edit", "fields"), [
    ("Restart the VPN client.", ["answers.ideal_response"]),             # an untouched prefill
    ("  The VPN is degraded; retry later.\n", ["answers.ideal_response"]),  # either response
    ({"text": "Restart the VPN client.", "start_from": "A"}, ["answers.ideal_response"]),
    ({"text": "Restart the VPN client.", "start_from": "A", "accepted_as_is": True}, []),
    ({"text": "Restart the VPN client, then sign in again.", "start_from": "A"}, []),
    ({"text": "Restart the VPN client, then sign in.", "accepted_as_is": True},
     ["answers.ideal_response.accepted_as_is"]),                            # the mark must be true
    ({"text": "Restart the VPN client.", "accepted_as_is": "yes"},
     ["answers.ideal_response.accepted_as_is"]),
])
def test_a_response_copied_unchanged_is_no_edit_unless_marked(demo, edit, fields):
    answers = {**GOOD, "ideal_response": edit}
    assert _fields(validate_answers(demo, answers, response_count=2, responses=RESPONSES)) == fields
    # Without the responses' texts only the shape is checked, as before.
    shape_only = [f for f in fields if f.endswith("accepted_as_is") and not isinstance(
        edit.get("accepted_as_is"), bool)] if isinstance(edit, dict) else []
    assert _fields(validate_answers(demo, answers, response_count=2)) == shape_only


@pytest.mark.parametrize("change, fields", [
    ({"helpfulness": {"A": 4}}, ["answers.helpfulness.B"]),
    ({"helpfulness": {"A": 4, "B": 6}}, ["answers.helpfulness.B"]),
    ({"helpfulness": {"A": 4, "B": "4"}}, ["answers.helpfulness.B"]),
    ({"helpfulness": {"A": 4, "B": True}}, ["answers.helpfulness.B"]),
    ({"helpfulness": {"A": 4, "B": 3, "C": 2}}, ["answers.helpfulness.C"]),
    ({"helpfulness": 4}, ["answers.helpfulness"]),
    ({"safety": {"A": "safe", "B": "fine"}}, ["answers.safety.B"]),
    ({"failure_modes": {"A": ["made_up"]}}, ["answers.failure_modes.A"]),
    ({"failure_modes": {"A": "verbose"}}, ["answers.failure_modes.A"]),
    ({"severity": "S4"}, ["answers.severity"]),
    ({"severity": None}, ["answers.severity"]),
    ({"preference": "A>>>B"}, ["answers.preference"]),
    ({"ideal_response": {"text": "x", "start_from": "C"}}, ["answers.ideal_response.start_from"]),
    ({"pii_spans": [{"target": "response:C", "start": 0, "end": 1, "label": "email"}]},
     ["answers.pii_spans[0].target"]),
    ({"pii_spans": [{"target": "response:A", "start": 3, "end": 3, "label": "email"}]},
     ["answers.pii_spans[0]"]),
    ({"pii_spans": [{"target": "response:A", "start": 0, "end": 2, "label": "ssn"}]},
     ["answers.pii_spans[0].label"]),
    ({"pii_spans": [{"target": "tool:1", "start": 0, "end": 2, "label": "phone"}]},
     ["answers.pii_spans[0].target"]),
    ({"helpfulnes": {"A": 1}}, ["answers.helpfulnes"]),
])
def test_invalid_answers_are_named(demo, change, fields):
    assert _fields(validate_answers(demo, {**GOOD, **change}, response_count=2)) == fields


@pytest.mark.parametrize("change", [
    {"helpfulness": {"A": 4, "B": 2}},   # a low score
    {"correctness": {"A": 1, "B": 4}},
    {"safety": {"A": "unsafe", "B": "safe"}},
])
def test_rationale_required_when_the_condition_holds(demo, change):
    answers = {**GOOD, "helpfulness": {"A": 4, "B": 3}, **change}
    del answers["rationale"]
    [problem] = validate_answers(demo, answers, response_count=2)
    assert problem.field == "answers.rationale" and "required because" in problem.message
    answers["rationale"] = "   too short    "
    [problem] = validate_answers(demo, answers, response_count=2)
    assert problem.field == "answers.rationale" and "at least 15" in problem.message
    answers["rationale"] = "B recommends reinstalling the OS."
    assert validate_answers(demo, answers, response_count=2) == []


def test_rationale_optional_when_scores_are_fine(demo):
    answers = {**GOOD, "helpfulness": {"A": 4, "B": 3}}
    del answers["rationale"]
    assert validate_answers(demo, answers, response_count=2) == []


def test_span_bounds_checked_only_with_texts(demo):
    answers = {**GOOD, "pii_spans": [{"target": "message:0", "start": 2, "end": 40,
                                      "label": "phone"}]}
    assert validate_answers(demo, answers, response_count=2) == []
    texts = {"message:0": "call me at 555-0100"}
    [problem] = validate_answers(demo, answers, response_count=2, texts=texts)
    assert problem.field == "answers.pii_spans[0].end"
    [problem] = validate_answers(demo, answers, response_count=2, texts={})
    assert problem.field == "answers.pii_spans[0].target"


def test_pairwise_needs_two_responses_and_ranking_a_permutation(demo):
    answers = {**GOOD, "helpfulness": {"A": 4, "B": 3, "C": 4},
               "correctness": {"A": 5, "B": 3, "C": 5},
               "safety": {"A": "safe", "B": "safe", "C": "safe"}}
    fields = _fields(validate_answers(demo, answers, response_count=3))
    assert fields == ["answers.preference"]
    ranked = Rubric.model_validate({
        "name": "rank", "title": "Rank", "instructions": "Rank them.",
        "questions": [{"id": "order", "type": "ranking", "prompt": "Best first"},
                      {"id": "tags", "type": "multi_label", "prompt": "Tags", "min": 1, "max": 2,
                       "options": [{"value": v, "label": v} for v in "xyz"]}]})
    assert validate_answers(ranked, {"order": ["C", "A", "B"], "tags": ["x"]},
                            response_count=3) == []
    for bad in (["A", "B"], ["A", "A", "B"], ["A", "B", "D"], "ABC"):
        assert _fields(validate_answers(ranked, {"order": bad, "tags": ["x"]},
                                        response_count=3)) == ["answers.order"]
    for tags in ([], ["x", "y", "z"], ["x", "x"]):
        assert _fields(validate_answers(ranked, {"order": ["A", "B", "C"], "tags": tags},
                                        response_count=3)) == ["answers.tags"]


# -- swap_responses ----------------------------------------------------------------------

def test_swap_maps_every_response_reference(demo):
    swapped = swap_responses(demo, {**GOOD, "extra": {"A": 1}})
    assert swapped["helpfulness"] == {"A": 2, "B": 4}
    assert swapped["failure_modes"] == {"A": ["verbose", "missed_intent"], "B": []}
    assert swapped["preference"] == "B>A"
    assert swapped["pii_spans"][0]["target"] == "response:A"
    assert swapped["ideal_response"]["start_from"] == "B"
    assert swapped["severity"] == "S1" and swapped["extra"] == {"A": 1}
    assert GOOD["helpfulness"] == {"A": 4, "B": 2}  # input untouched
    del swapped["extra"]
    assert validate_answers(demo, swapped, response_count=2) == []
    assert [swap_responses(demo, {"preference": v})["preference"] for v in PAIRWISE_VALUES] == \
        list(reversed(PAIRWISE_VALUES))


_letter = st.sampled_from(["A", "B", "C"])
_scalar = st.one_of(st.none(), st.integers(-1, 6), st.sampled_from(["safe", "unsafe", "A", "B"]))
_answers = st.fixed_dictionaries({}, optional={
    "helpfulness": st.one_of(st.dictionaries(_letter, _scalar), _scalar),
    "safety": st.dictionaries(_letter, st.sampled_from(["safe", "borderline", "unsafe"])),
    "failure_modes": st.dictionaries(_letter, st.lists(st.sampled_from(TAXONOMY_IDS))),
    "preference": st.one_of(st.sampled_from(PAIRWISE_VALUES), _scalar),
    "severity": st.sampled_from(["S0", "S3"]),
    "rationale": st.text(max_size=20),
    "ideal_response": st.one_of(st.text(max_size=5), st.fixed_dictionaries(
        {"text": st.text(max_size=5)}, optional={"start_from": st.sampled_from(
            ["A", "B", "blank", "C"])})),
    "pii_spans": st.lists(st.fixed_dictionaries({
        "target": st.sampled_from(["response:A", "response:B", "message:2", "bogus"]),
        "start": st.integers(0, 5), "end": st.integers(1, 9),
        "label": st.sampled_from(["email", "phone"])})),
    "ranking_like": st.lists(_letter),
})


@settings(max_examples=300, deadline=None)
@given(answers=_answers)
def test_swap_twice_is_the_identity(demo, answers):
    assert swap_responses(demo, swap_responses(demo, answers)) == answers


@settings(max_examples=100, deadline=None)
@given(st.permutations(["A", "B", "C", "D"]))
def test_swap_of_a_ranking_is_an_involution(order):
    rubric = Rubric.model_validate({"name": "r", "title": "R", "instructions": "x", "questions": [
        {"id": "order", "type": "ranking", "prompt": "Best first"}]})
    once = swap_responses(rubric, {"order": order})
    assert sorted(once["order"]) == sorted(order)
    assert [{"A": "B", "B": "A"}.get(x, x) for x in order] == once["order"]
    assert swap_responses(rubric, once) == {"order": order}


# -- gold scoring ------------------------------------------------------------------------

def test_gold_exact_and_with_tolerances(demo):
    gold = {"helpfulness": {"A": 5, "B": 2}, "safety": {"A": "safe", "B": "safe"},
            "failure_modes": {"A": [], "B": ["verbose"]}, "preference": "A>>B",
            "severity": "S1", "rationale": "anything", "ideal_response": "anything",
            "pii_spans": [{"target": "response:B", "start": 0, "end": 4, "label": "email"}]}
    exact = score_gold(demo, GOOD, gold)
    assert exact.per_question == {
        "helpfulness": False, "correctness": None, "safety": False, "failure_modes": False,
        "severity": True, "preference": False, "rationale": None, "ideal_response": None,
        "pii_spans": True}  # span F1 = 2*4/(5+4) = 0.89 >= default 0.5
    assert exact.per_response["helpfulness"] == {"A": False, "B": True}
    assert (exact.correct, exact.scored) == (2, 6) and exact.accuracy == pytest.approx(2 / 6)

    tolerant = score_gold(demo, GOOD, gold, {
        "helpfulness": Tolerance(within=1), "failure_modes": {"min_jaccard": 0.5},
        "preference": Tolerance(direction_only=True), "pii_spans": Tolerance(min_f1=0.9)})
    assert tolerant.per_question["helpfulness"] is True
    assert tolerant.per_question["failure_modes"] is True  # B: |{verbose}| / 2 = 0.5
    assert tolerant.per_question["preference"] is True
    assert tolerant.per_question["pii_spans"] is False
    assert (tolerant.correct, tolerant.scored) == (4, 6)


def test_gold_direction_only_still_needs_tie_to_match_tie(demo):
    tol = {"preference": Tolerance(direction_only=True)}
    assert not score_gold(demo, {"preference": "A>B"}, {"preference": "tie"}, tol).accuracy
    assert score_gold(demo, {"preference": "tie"}, {"preference": "tie"}, tol).accuracy == 1.0
    assert score_gold(demo, {"preference": "B>A"}, {"preference": "A>B"}, tol).accuracy == 0.0


def test_gold_ranking_top1():
    rubric = Rubric.model_validate({"name": "r", "title": "R", "instructions": "x", "questions": [
        {"id": "order", "type": "ranking", "prompt": "Best first"}]})
    gold = {"order": ["B", "A", "C"]}
    assert score_gold(rubric, {"order": ["B", "C", "A"]}, gold).accuracy == 0.0
    top1 = {"order": Tolerance(top1_only=True)}
    assert score_gold(rubric, {"order": ["B", "C", "A"]}, gold, top1).accuracy == 1.0
    assert score_gold(rubric, {"order": ["A", "B", "C"]}, gold, top1).accuracy == 0.0


def test_gold_none_cases(demo):
    nothing = score_gold(demo, GOOD, {})
    assert nothing.accuracy is None and nothing.scored == 0 and nothing.correct == 0
    assert set(nothing.per_question.values()) == {None}
    text_only = score_gold(demo, GOOD, {"rationale": "x", "ideal_response": "y",
                                        "severity": None, "helpfulness": {"A": None}})
    assert text_only.accuracy is None and text_only.scored == 0
    unanswered = score_gold(demo, {}, {"severity": "S0", "helpfulness": {"A": 4}})
    assert unanswered.per_question["severity"] is False
    assert unanswered.accuracy == 0.0 and unanswered.scored == 2
    malformed_answer = score_gold(demo, {"severity": "S9"}, {"severity": "S0"})
    assert malformed_answer.per_question["severity"] is False


@pytest.mark.parametrize("gold, tolerances, field", [
    ({"nope": 1}, None, "gold.nope"),
    ({"severity": "S7"}, None, "gold.severity"),
    ({"helpfulness": 4}, None, "gold.helpfulness"),
    ({}, {"severity": Tolerance(within=1)}, "tolerances.severity.within"),
    ({}, {"rationale": {"min_f1": 0.2}}, "tolerances.rationale.min_f1"),
    ({}, {"helpfulness": {"within": -1}}, "tolerances.helpfulness.within"),
    ({}, {"ghost": Tolerance()}, "tolerances.ghost"),
])
def test_bad_gold_or_tolerance_is_refused(demo, gold, tolerances, field):
    assert [p.field for p in gold_problems(demo, gold, tolerances)] == [field]
    with pytest.raises(InvalidInput) as info:
        score_gold(demo, GOOD, gold, tolerances)
    assert [p.field for p in info.value.problems] == [field]


def test_a_misspelt_tolerance_names_the_ones_the_question_takes(demo):
    """A typo in a knob is refused with the knobs that question's type accepts, not only
    pydantic's 'extra inputs are not permitted'."""
    [problem] = gold_problems(demo, {}, {"helpfulness": {"withn": 1}})
    assert problem.field == "tolerances.helpfulness.withn"
    assert problem.message == "'withn' is not a tolerance"
    assert problem.hint == "likert takes: within"
    [problem] = gold_problems(demo, {}, {"preference": {"within": 1}})  # right key, wrong type
    assert problem.hint == "pairwise takes: direction_only"


def test_good_gold_has_no_problems(demo):
    gold = {"helpfulness": {"A": 5, "B": None}, "preference": "A>B", "rationale": "x"}
    assert gold_problems(demo, gold, {"helpfulness": {"within": 1},
                                      "severity": Tolerance()}) == []


# -- disagreement ------------------------------------------------------------------------

def _q(rubric_text: str, qid: str):
    return parse_rubric(rubric_text).question(qid)


def test_disagreement_hand_computed(demo):
    small = parse_rubric(SMALL)
    label, likert = small.question("verdict"), small.question("quality")
    assert disagreement(label, ["ok", "ok", "bad"]) == pytest.approx(1 / 3)
    assert disagreement(label, ["ok", "ok"]) == 0.0
    assert disagreement(label, ["ok"]) is None
    assert disagreement(label, ["ok", None]) is None
    assert disagreement(likert, [1, 3]) == 1.0          # 2 / (3 - 1)
    assert disagreement(likert, [1, 1, 2]) == pytest.approx((0 + 1 + 1) / 3 / 2)

    helpfulness = demo.question("helpfulness")
    assert disagreement(helpfulness, [{"A": 1}, {"A": 5}]) == 1.0
    assert disagreement(helpfulness, [{"A": 3, "B": 2}] * 3) == 0.0
    assert disagreement_by_response(helpfulness, [{"A": 3, "B": 1}, {"A": 3, "B": 4}]) == \
        {"A": 0.0, "B": 0.75}
    assert disagreement(helpfulness, [{"A": 3, "B": 1}, {"A": 3, "B": 4}]) == 0.75
    assert disagreement(helpfulness, [{"A": 3}, {"B": 4}]) is None

    preference = demo.question("preference")
    assert disagreement(preference, ["A>>B", "B>>A"]) == 1.0
    assert disagreement(preference, ["A>B", "tie"]) == 0.25
    assert disagreement(preference, ["tie", "tie", "tie"]) == 0.0

    modes = demo.question("failure_modes")
    assert disagreement(modes, [{"A": []}, {"A": []}]) == 0.0
    assert disagreement(modes, [{"A": ["verbose"]}, {"A": ["verbose", "incomplete"]}]) == 0.5
    assert disagreement(modes, [{"A": ["verbose"]}, {"A": []}]) == 1.0

    spans = demo.question("pii_spans")
    a = [{"target": "response:A", "start": 0, "end": 4, "label": "email"}]
    b = [{"target": "response:A", "start": 2, "end": 6, "label": "email"}]
    assert disagreement(spans, [a, a]) == 0.0
    assert disagreement(spans, [a, b]) == pytest.approx(0.5)  # F1 = 2*2/(4+4)
    assert disagreement(spans, [[], []]) == 0.0

    assert disagreement(demo.question("rationale"), ["a", "b"]) is None
    assert disagreement(demo.question("ideal_response"), ["a", "b"]) is None


def test_disagreement_on_rankings():
    rubric = Rubric.model_validate({"name": "r", "title": "R", "instructions": "x", "questions": [
        {"id": "order", "type": "ranking", "prompt": "Best first"}]})
    order = rubric.question("order")
    assert disagreement(order, [["A", "B", "C"], ["A", "B", "C"]]) == 0.0
    assert disagreement(order, [["A", "B"], ["B", "A"]]) == 1.0
    assert disagreement(order, [["A", "B", "C"], ["C", "B", "A"]]) == 1.0
    # One swapped adjacent pair of three: tau = (2 - 1) / 3.
    assert disagreement(order, [["A", "B", "C"], ["B", "A", "C"]]) == pytest.approx((1 - 1 / 3) / 2)
    with pytest.raises(InvalidInput):
        disagreement(order, [["A", "B"], ["A", "B", "C"]])


def test_disagreement_refuses_malformed_values(demo):
    with pytest.raises(InvalidInput):
        disagreement(demo.question("severity"), ["S0", "S9"])
    with pytest.raises(InvalidInput):
        disagreement(demo.question("helpfulness"), [{"A": 1}, 3])
