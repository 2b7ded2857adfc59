"""Expectations from labels: what people said about a queue's items, as the checks that a
scenario built from each item must pass (decision 0013).

A suite made from a dataset without expectations checks nothing, and its scenarios run as
unscored. The labels a queue gave the items say what a good answer is:

- reference answer: the rater's ideal response (a response_edit question; the lead's
  adjudicated edit, else an accepted edit, else the newest), else the better response of
  a pairwise preference (the adjudicated verdict, else the raters' majority), else a
  response rated at or above `min_rating` on a per-response likert question. Scored by
  `token_f1` against it, passing at `reference_threshold`.
- expected tool calls: when that accepted response is a tool-calling turn, its calls, by
  name and arguments (`tool_match`), in order with other calls allowed between
  (`tool_calls`, order "subsequence").
- refusal: an item-level label question whose answer says the request must be refused
  (the adjudicated answer, else a strict majority of the raters who answered). The
  refusal is then the whole expectation: a request that must be refused has no reference
  answer or tool call to imitate.

Questions are found by type (the rubric's first response_edit, pairwise and per-response
likert question; the first item-level label question with an option whose value or label
speaks of refusing or declining) unless named. The selection rules are the training
export's own (`_select`), so a suite and a training set read the same labels the same way.
Items whose labels give no expectation (no labels, ties, blank edits) are left out of the
suite and counted by reason: as unscored scenarios they could only make a gate
inconclusive.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.orm import Session

from honing._errors import InvalidInput
from honing.datasets import StoredItem, iter_loaded
from honing.domain import Response
from honing.export._options import _question, edit_question, preference_question, rating_question
from honing.export._select import (
    Adjudications,
    Example,
    counted_labels,
    ideal_responses,
    preference_pairs,
    rated_responses,
)
from honing.export._source import resolve_source
from honing.quality import LabelRow
from honing.rubrics import (
    LabelQuestion,
    LikertQuestion,
    PairwiseQuestion,
    ResponseEditQuestion,
    Rubric,
)
from honing.storage import Workspace

# The token_f1 scorer's own (SQuAD) default. On the demo's labeled helpdesk items the
# rejected response shares most words with the preferred one (median F1 0.73 over 34
# items whose two responses differ): 0.5 fails 11 of them, 0.4 only 5. A lexical check
# catches a different answer, not a small error in a near copy (decision 0013).
REFERENCE_THRESHOLD = 0.5
TOOL_MATCHES = ("exact", "schema", "name")
_REFUSING = re.compile(r"refus|declin", re.IGNORECASE)


@dataclass(frozen=True)
class ExpectationOptions:
    """Which rubric questions give which expectation; None finds one by its type."""

    edit_question: str | None = None
    preference_question: str | None = None
    rating_question: str | None = None
    min_rating: float | None = None  # default: the scale's top but one
    refusal_question: str | None = None
    refusal_values: tuple[str, ...] = ()  # default: the options that speak of refusing
    reference_threshold: float = REFERENCE_THRESHOLD
    tool_match: str = "exact"  # exact arguments, arguments that fit the tool's schema, or the name alone

    def check(self) -> None:
        if not 0 < self.reference_threshold <= 1:
            raise InvalidInput(f"--reference-threshold {self.reference_threshold} is not in (0, 1]",
                               hint=f"the default is {REFERENCE_THRESHOLD}")
        if self.tool_match not in TOOL_MATCHES:
            raise InvalidInput(f"--tool-match {self.tool_match!r} is not one of {', '.join(TOOL_MATCHES)}")


@dataclass
class LabelExpectations:
    """Per item id, the expectations its labels give; `adapt` is `suite_from_dataset`'s hook."""

    queue: str
    questions: dict[str, str]  # source (edit, preference, rating, refusal) -> question id
    by_item: dict[int, list[dict[str, Any]]]
    labeled: set[int]  # items with any label that counts
    scenarios: int = 0  # written with expectations
    built: Counter[str] = field(default_factory=Counter)  # expectation kind -> scenarios
    left_out: Counter[str] = field(default_factory=Counter)  # reason -> items

    def adapt(self, stored: StoredItem, scenario: dict[str, Any]) -> dict[str, Any] | None:
        expect = self.by_item.get(stored.id)
        if not expect:
            self.left_out["no labels in the queue" if stored.id not in self.labeled
                          else "labels give no expectation (ties, blank or missing answers)"] += 1
            return None
        self.scenarios += 1
        self.built.update(e["type"] for e in expect)
        return {**scenario, "expect": [*scenario.get("expect", []), *expect]}


def label_expectations(session: Session, workspace: Workspace, queue_name: str,
                       options: ExpectationOptions | None = None) -> LabelExpectations:
    """Read queue `queue_name`'s labels and adjudications once, and derive each item's
    expectations. Raises InvalidInput when the rubric has no question that gives any."""
    options = options or ExpectationOptions()
    options.check()
    source = resolve_source(session, workspace, f"queue:{queue_name}")
    assert source.data is not None
    rubric = source.data.rubric
    # Gold items are labeled like any other; in an evaluation suite they leak nothing.
    labels = counted_labels(source.data.labels, include_gold=True)
    questions = _questions(rubric, options)
    if not questions:
        raise InvalidInput(f"the rubric {rubric.name!r} of queue {queue_name!r} has no question that gives an "
                           "expectation", hint="it needs a response_edit, pairwise, per-response likert or "
                                               "refusal label question")
    items = _items_of(labels)
    accepted = _accepted(labels, source.adjudications, rubric, questions, options)
    refusals = _refusals(labels, source.adjudications, questions.get("refusal"), rubric, options)
    by_item: dict[int, list[dict[str, Any]]] = {}
    responses = _responses(session, set(accepted) - refusals)
    for item_id in set(accepted) | refusals:
        if item_id in refusals:
            by_item[item_id] = [{"type": "refusal", "name": "refuses the request", "expected": True}]
            continue
        expectation = _from_accepted(accepted[item_id], responses.get(item_id, []), options)
        if expectation is not None:
            by_item[item_id] = [expectation]
    return LabelExpectations(queue=queue_name, questions=questions, by_item=by_item, labeled=set(items.values()))


def _questions(rubric: Rubric, options: ExpectationOptions) -> dict[str, str]:
    found: dict[str, str] = {}

    def first(kind: type, per_response: bool | None = None) -> Any:
        return next((q for q in rubric.questions if isinstance(q, kind) and
                     (per_response is None or getattr(q, "per_response", False) == per_response)), None)

    if options.edit_question or first(ResponseEditQuestion):
        found["edit"] = edit_question(rubric, options.edit_question).id
    if options.preference_question or first(PairwiseQuestion):
        found["preference"] = preference_question(rubric, options.preference_question).id
    if options.rating_question or first(LikertQuestion, True):
        found["rating"] = rating_question(rubric, options.rating_question, "--rating-question").id
    refusal = _refusal_question(rubric, options)
    if refusal is not None:
        found["refusal"] = refusal.id
    return found


def _refusal_question(rubric: Rubric, options: ExpectationOptions) -> LabelQuestion | None:
    if options.refusal_question:
        q = _question(rubric, options.refusal_question, "--refusal-question")
        if not isinstance(q, LabelQuestion) or q.per_response:
            raise InvalidInput(f"--refusal-question {q.id!r} is not a label question about the item",
                               hint="a refusal comes from a label question (not per response) whose answer "
                                    "says the request must be refused")
        return q
    return next((q for q in rubric.questions if isinstance(q, LabelQuestion) and not q.per_response
                 and _refusing_values(q)), None)


def _refusing_values(question: LabelQuestion) -> list[str]:
    return [o.value for o in question.options or () if _REFUSING.search(o.value) or _REFUSING.search(o.label)]


def _items_of(labels: dict[int, list[LabelRow]]) -> dict[int, int]:
    return {qi: rows[0].item_id for qi, rows in labels.items()}


def _accepted(labels: dict[int, list[LabelRow]], adjudications: Adjudications, rubric: Rubric,
              questions: dict[str, str], options: ExpectationOptions) -> dict[int, Example]:
    """Per item, the example that says what a good answer is: an ideal edit beats a
    preference (a rater wrote what should be said), which beats a rating."""
    found: dict[int, Example] = {}
    if "rating" in questions:
        q = rating_question(rubric, questions["rating"])
        floor = options.min_rating if options.min_rating is not None else q.high - 1  # as training exports
        for example in rated_responses(labels, adjudications, q.id, desirable=floor, undesirable=None).examples:
            # Several responses accepted: the first letter, so the choice is repeatable.
            if example.item_id not in found or (example.chosen or "") < (found[example.item_id].chosen or ""):
                found[example.item_id] = example
    if "preference" in questions:
        found.update((e.item_id, e) for e in preference_pairs(labels, adjudications, questions["preference"]).examples)
    if "edit" in questions:
        found.update((e.item_id, e) for e in ideal_responses(labels, adjudications, questions["edit"]).examples)
    return found


def _refusals(labels: dict[int, list[LabelRow]], adjudications: Adjudications, question: str | None,
              rubric: Rubric, options: ExpectationOptions) -> set[int]:
    """Items whose request must be refused: the adjudicated answer, else a strict majority."""
    if question is None:
        return set()
    q = rubric.question(question)
    assert isinstance(q, LabelQuestion)
    refusing = set(options.refusal_values or _refusing_values(q))
    if not refusing:
        raise InvalidInput(f"no answer of --refusal-question {question!r} says the request must be refused",
                           hint="name the answers with --refusal-value (options: "
                                + ", ".join(q.option_values()) + ")")
    unknown = sorted(refusing - set(q.option_values())) if q.options else []
    if unknown:
        raise InvalidInput(f"--refusal-value {', '.join(unknown)} is not an option of question {question!r}",
                           hint="options: " + ", ".join(q.option_values()))
    found: set[int] = set()
    for qi, rows in labels.items():
        final = adjudications.get((qi, question))
        if final is not None:
            if final in refusing:
                found.add(rows[0].item_id)
            continue
        answers = [row.answers[question] for row in rows if row.answers.get(question) is not None]
        if answers and sum(a in refusing for a in answers) * 2 > len(answers):
            found.add(rows[0].item_id)
    return found


def _responses(session: Session, item_ids: set[int]) -> dict[int, list[Response]]:
    return {stored.id: list(stored.item.responses) for stored in iter_loaded(session, iter(sorted(item_ids)))}


def _from_accepted(example: Example, responses: list[Response], options: ExpectationOptions) -> dict[str, Any] | None:
    if example.text is not None:
        return _reference(example.text, "the raters' ideal response", options)
    if example.chosen is None:
        return None
    index = string.ascii_uppercase.index(example.chosen)
    if index >= len(responses):
        return None
    response = responses[index]
    if response.tool_calls:
        return _tool_calls(response, options)
    if response.content and response.content.strip():
        return _reference(response.content, f"the accepted response {example.chosen}", options)
    return None


def _reference(text: str, what: str, options: ExpectationOptions) -> dict[str, Any]:
    return {"type": "token_f1", "name": f"close to {what}", "reference": text,
            "threshold": options.reference_threshold}


def _tool_calls(response: Response, options: ExpectationOptions) -> dict[str, Any]:
    expected: list[dict[str, Any]] = []
    for call in response.tool_calls or ():
        wanted: dict[str, Any] = {"name": call.function.name}
        arguments = _json_object(call.function.arguments)
        if options.tool_match == "exact" and arguments is not None:
            wanted["arguments"] = arguments
        elif options.tool_match == "schema":
            wanted["match"] = "schema"
        expected.append(wanted)
    return {"type": "tool_calls", "name": "makes the accepted tool calls", "expected": expected,
            "order": "subsequence"}


def _json_object(raw: str) -> dict[str, Any] | None:
    """The call's arguments, or None when the accepted call's own string is not a JSON
    object (then only its name can be expected)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
