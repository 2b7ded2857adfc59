"""How often each label agrees with the consensus of the other raters of the same unit
(leave-one-out: a rater never votes on their own consensus).

Compared per question and unit (an item, or one response of it), when at least two other
raters answered:

- label: the rater's answer equals the others' single most frequent answer (no unique
  mode among the others: no consensus, not compared);
- pairwise: the same on the direction (A better / tie / B better);
- likert: the rater's answer is within one scale point of the others' median.

Other question types are not compared. A label's result is (agreeing, compared) over all
of its questions and units. A rater's figure (`consensus_detail`) pools those over items,
clustered by item like gold accuracy: one item's questions are answered together, so n is
items and the interval rests on the answers' effective n.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from honing.quality._data import LabelRow
from honing.rubrics import LabelQuestion, LikertQuestion, PairwiseQuestion, Question, Rubric
from honing.rubrics._values import PAIRWISE_DIRECTION, is_per_response
from honing.stats import ClusteredProportion, clustered_proportion_detail

MIN_OTHERS = 2


def consensus_matches(rubric: Rubric, labels: Sequence[LabelRow]) -> dict[int, tuple[int, int]]:
    """label id -> (questions and units agreeing with the others' consensus, compared)."""
    questions = [q for q in rubric.questions
                 if isinstance(q, LabelQuestion | LikertQuestion | PairwiseQuestion)]
    # (question, queue item, letter) -> [(label id, value)]
    units: dict[tuple[str, int, str], list[tuple[int, Any]]] = defaultdict(list)
    for label in labels:
        if label.kind != "live" or label.status == "returned":
            continue
        for q in questions:
            answer = label.answers.get(q.id)
            if answer is None:
                continue
            pieces = answer.items() if is_per_response(q) and isinstance(answer, dict) else [("", answer)]
            for letter, value in pieces:
                if value is not None:
                    units[(q.id, label.queue_item_id, letter)].append((label.id, _comparable(q, value)))
    by_id = {q.id: q for q in questions}
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (question_id, _, _), answers in units.items():
        if len(answers) < MIN_OTHERS + 1:
            continue
        for label_id, value in answers:
            others = [v for other, v in answers if other != label_id]
            agrees = _agrees(by_id[question_id], value, others)
            if agrees is not None:
                tally[label_id][0] += agrees
                tally[label_id][1] += 1
    return {label_id: (agree, compared) for label_id, (agree, compared) in tally.items()}


def consensus_detail(labels: Sequence[LabelRow], matches: dict[int, tuple[int, int]]) -> ClusteredProportion:
    """Agreeing / compared over `labels`, clustered by queue item (n = items compared)."""
    per_item: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for label in labels:
        agree, compared = matches.get(label.id, (0, 0))
        if compared:
            per_item[label.queue_item_id][0] += agree
            per_item[label.queue_item_id][1] += compared
    return clustered_proportion_detail([a for a, _ in per_item.values()], [c for _, c in per_item.values()])


def _comparable(question: Question, value: Any) -> Any:
    return PAIRWISE_DIRECTION.get(value, value) if isinstance(question, PairwiseQuestion) else value


def _agrees(question: Question, value: Any, others: list[Any]) -> bool | None:
    if isinstance(question, LikertQuestion):
        return abs(value - statistics.median(others)) <= 1
    counts = Counter(others).most_common(2)
    if len(counts) == 2 and counts[0][1] == counts[1][1]:
        return None  # the others are split: there is no consensus to agree with
    return value == counts[0][0]
