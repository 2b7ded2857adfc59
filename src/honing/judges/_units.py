"""What a judge is calibrated on: the units humans rated for one question of one queue.

A unit is what a rater answered once: one response of an item for a per-response
question (item 7, response B), the item itself otherwise. Only live items count (gold and
qualification items are there to test raters, not to sample the work), and only labels
that stand: a label returned for rework is left out until it is reworked, as in the
label-quality figures.

Human answers become numbers here: a likert point as it is; a pairwise verdict as its
strength, A-favouring negative (A>>B = -2 ... B>>A = +2), so that direction and strength
are one number.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from honing import annotate, datasets
from honing._errors import InvalidInput, NotFound
from honing.domain import Response
from honing.evaluate import Output, Scenario
from honing.quality import Period, load_queue_data
from honing.rubrics import LikertQuestion, PairwiseQuestion, Question, Rubric
from honing.rubrics._values import PAIRWISE_STRENGTH, is_per_response
from honing.storage import Workspace, utcnow


@dataclass(frozen=True)
class Unit:
    queue_item_id: int
    item_id: int
    letter: str  # the response rated ("A", "B", ...); "" for an item question
    scenario: Scenario  # the conversation, as the judge scorers take it
    responses: tuple[Output, ...]  # pointwise: the response rated; pairwise: (A, B)
    ratings: dict[int, int]  # rater id -> likert point, or pairwise strength


@dataclass
class LabeledUnits:
    queue: str
    question: Question
    units: list[Unit]
    raters: list[int]  # rater ids, in a fixed order (the columns of agreement matrices)
    skipped: dict[str, int] = field(default_factory=dict)  # units left out, by reason

    @property
    def scale(self) -> list[int]:
        """The human answers' possible values, lowest first."""
        if isinstance(self.question, LikertQuestion):
            return self.question.values()
        return sorted(PAIRWISE_STRENGTH.values())


def find_question(rubric: Rubric, question_id: str, *, kind: str, queue: str) -> Question:
    """The rubric's question, if a judge of `kind` can be calibrated against it."""
    try:
        question = rubric.question(question_id)
    except KeyError:
        known = ", ".join(q.id for q in rubric.questions)
        raise NotFound(f"question {question_id!r} is not in the rubric of queue {queue!r}",
                       hint=f"its questions: {known}") from None
    wanted = LikertQuestion if kind == "pointwise" else PairwiseQuestion
    if not isinstance(question, wanted):
        fitting = ", ".join(q.id for q in rubric.questions if isinstance(q, wanted)) or "none"
        need = "a likert question (a score per response or per item)" if kind == "pointwise" \
            else "a pairwise question (which of responses A and B is better)"
        raise InvalidInput(f"question {question_id!r} is a {question.type} question; a {kind} judge "
                           f"is calibrated against {need}",
                           hint=f"{kind} questions of this rubric: {fitting}")
    return question


def labeled_units(session: Session, workspace: Workspace, queue_name: str, question_id: str, *,
                  kind: str, limit: int | None = None, seed: int = 0) -> LabeledUnits:
    """The live units of QUEUE that humans answered QUESTION for, with their answers and
    the items' conversations. With `limit`, a seeded random sample of that many units
    (a prefix of the queue would over-represent whatever was labeled first)."""
    queue = annotate.get_queue(session, workspace, queue_name)
    data = load_queue_data(session, workspace, queue, Period(None, utcnow()))
    question = find_question(data.rubric, question_id, kind=kind, queue=queue_name)
    per_response = is_per_response(question)
    ratings: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    item_of: dict[int, int] = {}
    raters: dict[int, None] = {}
    for label in data.labels:
        if label.kind != "live" or label.status == "returned" or label.answers.get(question.id) is None:
            continue
        answer = label.answers[question.id]
        pieces = answer.items() if per_response and isinstance(answer, dict) else [("", answer)]
        for letter, value in pieces:
            number = _number(question, value)
            if number is not None:
                ratings[(label.queue_item_id, letter)][label.rater_id] = number
                item_of[label.queue_item_id] = label.item_id
                raters.setdefault(label.rater_id)
    keys = sorted(ratings)
    if limit is not None and limit < len(keys):
        keys = sorted(random.Random(seed).sample(keys, limit))
    items = {stored.id: stored.item for stored in
             datasets.load_items(session, sorted({item_of[q] for q, _ in keys}))}
    found = LabeledUnits(queue=queue_name, question=question, units=[], raters=list(raters))
    scenarios: dict[int, Scenario] = {}
    for queue_item_id, letter in keys:
        item_id = item_of[queue_item_id]
        item = items[item_id]
        responses, problem = _responses(item.responses, letter, kind)
        if problem is not None:
            found.skipped[problem] = found.skipped.get(problem, 0) + 1
            continue
        if item_id not in scenarios:
            scenarios[item_id] = Scenario(id=f"item-{item_id}", input=list(item.messages),
                                          context=list(item.context), tools=list(item.tools))
        found.units.append(Unit(queue_item_id, item_id, letter, scenarios[item_id], responses,
                                ratings[(queue_item_id, letter)]))
    return found


def _number(question: Question, value: Any) -> int | None:
    if isinstance(question, PairwiseQuestion):
        return PAIRWISE_STRENGTH.get(value) if isinstance(value, str) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _responses(responses: list[Response], letter: str, kind: str) -> tuple[tuple[Output, ...], str | None]:
    """The responses the judge sees for a unit, or why the unit cannot be judged."""
    if kind == "pairwise":
        if len(responses) != 2:
            return (), "a pairwise unit needs exactly two responses"
        return (_output(responses[0]), _output(responses[1])), None
    if not letter:
        if len(responses) != 1:
            # The humans rated the item as a whole; which response would the judge grade?
            return (), "an item question on an item without exactly one response"
        return (_output(responses[0]),), None
    index = ord(letter) - ord("A")
    if not 0 <= index < len(responses):
        return (), f"the item has no response {letter}"
    return (_output(responses[index]),), None


def _output(response: Response) -> Output:
    return Output(text=response.content, tool_calls=list(response.tool_calls or []))
