"""`display_answer`: every question type shown in the rubric's own words, never as a literal."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from honing.rubrics import (
    PAIRWISE_VALUES,
    Rubric,
    disagreeing_answers,
    display_answer,
    majority_answer,
    validate_answers,
)

# Labels a rubric author might write; the property is about what the formatting adds.
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ-.,()", min_size=1, max_size=20).map(
    str.strip).filter(bool)


def _rubric(choice_labels: list[str], likert_anchors: list[str], span_labels: list[str]) -> Rubric:
    options = [{"value": f"v{i}", "label": label} for i, label in enumerate(choice_labels)]
    scale = [{"value": i + 1, "anchor": anchor} for i, anchor in enumerate(likert_anchors)]
    return Rubric.model_validate({
        "name": "display", "title": "Display", "instructions": "Judge.",
        "questions": [
            {"id": "score", "type": "likert", "prompt": "Score?", "scale": scale},
            {"id": "score_each", "type": "likert", "prompt": "Each?", "scale": scale, "per_response": True},
            {"id": "verdict", "type": "label", "prompt": "Verdict?", "options": options},
            {"id": "problems", "type": "multi_label", "prompt": "Problems?", "options": options,
             "required": False},
            {"id": "problems_each", "type": "multi_label", "prompt": "Problems each?", "options": options,
             "per_response": True, "required": False},
            {"id": "preference", "type": "pairwise", "prompt": "Which?"},
            {"id": "order", "type": "ranking", "prompt": "Order?"},
            {"id": "why", "type": "text", "prompt": "Why?"},
            {"id": "ideal", "type": "response_edit", "prompt": "Ideal?", "required": False},
            {"id": "pii", "type": "span", "prompt": "PII?", "labels": span_labels},
        ]})


@st.composite
def rubric_and_answers(draw: Any) -> tuple[Rubric, dict[str, Any]]:
    choice_labels = draw(st.lists(WORDS, min_size=1, max_size=5))
    anchors = draw(st.lists(WORDS, min_size=2, max_size=5))
    span_labels = draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))
    rubric = _rubric(choice_labels, anchors, span_labels)
    values = [f"v{i}" for i in range(len(choice_labels))]
    likert = st.integers(1, len(anchors))
    picks = st.lists(st.sampled_from(values), unique=True)
    answers = {
        "score": draw(likert),
        "score_each": {"A": draw(likert), "B": draw(likert)},
        "verdict": draw(st.sampled_from(values)),
        "problems": draw(picks),
        "problems_each": {"A": draw(picks), "B": draw(picks)},
        "preference": draw(st.sampled_from(PAIRWISE_VALUES)),
        "order": draw(st.permutations(["A", "B"])),
        "why": draw(WORDS),
        "ideal": draw(st.one_of(WORDS, st.builds(lambda t: {"text": t, "start_from": "A"}, WORDS))),
        "pii": [{"target": "response:A", "start": 0, "end": 3, "label": draw(st.sampled_from(span_labels))}],
    }
    return rubric, answers


@settings(max_examples=150, deadline=None)
@given(rubric_and_answers())
def test_valid_answers_never_show_brackets_braces_or_quotes(case):
    rubric, answers = case
    assert validate_answers(rubric, answers, response_count=2) == []
    for q in rubric.questions:
        shown = display_answer(q, answers[q.id])
        assert shown.strip()
        assert not set(shown) & set("[]{}'\""), (q.id, answers[q.id], shown)


@settings(max_examples=100, deadline=None)
@given(rubric_and_answers())
def test_choices_are_shown_by_their_option_labels(case):
    rubric, answers = case
    labels = {o.value: o.label for o in rubric.question("verdict").options}
    assert display_answer(rubric.question("verdict"), answers["verdict"]) == labels[answers["verdict"]]
    assert display_answer(rubric.question("problems"), answers["problems"]) == (
        ", ".join(labels[v] for v in answers["problems"]) or "none")
    each = display_answer(rubric.question("problems_each"), answers["problems_each"])
    assert each == "; ".join(f"{letter}: {', '.join(labels[v] for v in picked) or 'none'}"
                             for letter, picked in answers["problems_each"].items())


SAMPLE = _rubric(["Complete", "Incomplete"], ["Bad", "Fine", "Great"], ["email", "name"])


def test_every_question_type_reads_as_words():
    q = SAMPLE.question
    assert display_answer(q("score"), 3) == "3 – Great"
    assert display_answer(q("score_each"), {"A": 1, "B": 2}) == "A: 1 – Bad; B: 2 – Fine"
    assert display_answer(q("verdict"), "v1") == "Incomplete"
    assert display_answer(q("problems"), ["v1"]) == "Incomplete"
    assert display_answer(q("problems"), ["v0", "v1"]) == "Complete, Incomplete"
    assert display_answer(q("problems"), []) == "none"
    assert display_answer(q("preference"), "A>B") == "A is better"
    assert display_answer(q("preference"), "tie") == "About the same"
    assert display_answer(q("order"), ["B", "A"]) == "B > A"
    assert display_answer(q("why"), "Too short.") == "Too short."
    assert display_answer(q("ideal"), {"text": "Better.", "start_from": "B"}) == "Better."
    assert display_answer(q("ideal"), {"text": "x", "start_from": "B", "accepted_as_is": True}) == \
        "response B kept unchanged"
    assert display_answer(q("pii"), [{"target": "response:A", "start": 4, "end": 9, "label": "email"}]) == \
        "email in response A, characters 4–9"
    assert display_answer(q("pii"), []) == "none"


def test_no_answer_and_unknown_values_still_read_as_words():
    assert display_answer(SAMPLE.question("verdict"), None) == "—"
    # A value the rubric does not list (an old or hand-made answer) is shown as itself.
    assert display_answer(SAMPLE.question("verdict"), "retired") == "retired"
    assert display_answer(None, ["incomplete", "verbose"]) == "incomplete, verbose"
    assert display_answer(None, {"A": ["x"], "B": True}) == "A: x; B: yes"


def test_majority_is_more_than_half_of_the_answers_given():
    verdict, problems, each = SAMPLE.question("verdict"), SAMPLE.question("problems"), SAMPLE.question("score_each")
    assert majority_answer(verdict, ["v0", "v0", "v1", None]) == "v0"
    assert majority_answer(verdict, ["v0", "v1"]) is None
    assert majority_answer(problems, [["v0", "v1"], ["v1", "v0"], ["v1"]]) == ["v0", "v1"]
    assert majority_answer(each, [{"A": 1, "B": 2}, {"A": 1, "B": 3}, {"A": 2, "B": 1}]) == {"A": 1}
    assert majority_answer(each, [{"A": 1}, {"A": 2}]) is None


def test_answers_apart_from_the_majority_are_marked():
    verdict, each = SAMPLE.question("verdict"), SAMPLE.question("score_each")
    assert disagreeing_answers(verdict, ["v0", "v0", None]) == [False, False, False]
    assert disagreeing_answers(verdict, ["v0", "v0", "v1", None]) == [False, False, True, False]
    assert disagreeing_answers(verdict, ["v0", "v1"]) == [True, True]
    assert disagreeing_answers(each, [{"A": 1, "B": 2}, {"A": 1, "B": 2}, {"A": 1, "B": 3}]) == [False, False, True]
