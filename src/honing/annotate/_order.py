"""Which response a letter in an answer names: as the rater was shown them, or as stored.

The convention (docs/decisions/0014-answer-order.md): everything a rater sends or receives
about their own assignment (claim payload, suggestions, draft, submit, feedback, rework)
names the responses as that assignment showed them, the `shown` order; a rater's client
never needs to know that an item was shown swapped, and is never told. Labels are stored,
reviewed, adjudicated, listed for leads and exported in the dataset's order, `canonical`.
These functions are the only place that converts between the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import datasets
from honing.annotate._rubrics import load_rubric
from honing.rubrics import Rubric, swap_responses
from honing.storage import Assignment, Label

SHOWN, CANONICAL = "shown", "canonical"


def shows_swapped(swapped: bool, response_count: int) -> bool:
    """Whether an assignment showed its item's responses right to left. Only a pair is
    ever swapped (`shown_item`); an item with one or three responses is shown as stored,
    whatever the assignment's flag says."""
    return bool(swapped) and response_count == 2


def to_canonical(rubric: Rubric, answers: dict[str, Any], *, swapped: bool,
                 response_count: int) -> dict[str, Any]:
    """Answers in the shown order, as stored."""
    return swap_responses(rubric, answers) if shows_swapped(swapped, response_count) else answers


def to_shown(rubric: Rubric, answers: dict[str, Any], *, swapped: bool,
             response_count: int) -> dict[str, Any]:
    """Stored answers, as the rater of the assignment gave them (a swap undoes itself)."""
    return to_canonical(rubric, answers, swapped=swapped, response_count=response_count)


def shown_answers(session: Session, labels: Iterable[Label]) -> dict[int, dict[str, Any]]:
    """Each label's answers (by label id) in the order its own rater was shown the item."""
    labels = list(labels)
    swapped = {row.id: row.swapped for row in session.execute(select(Assignment.id, Assignment.swapped)
               .where(Assignment.id.in_({label.assignment_id for label in labels})))}
    counts = {item_id: len(datasets.load_item(session, item_id).item.responses)
              for item_id in {label.item_id for label in labels}}
    return {label.id: to_shown(load_rubric(session, label.rubric_version_id), label.answers,
                               swapped=swapped.get(label.assignment_id, False),
                               response_count=counts[label.item_id])
            for label in labels}
