"""Agreement of a rater's labels with the leads' adjudicated (final) answers.

A lead adjudicates an item's question when its labels disagree, and the newest decision
is the final answer. Each label of an adjudicated item is scored against those answers
as gold is (`honing.rubrics.score_gold`, exact match: the lead set no tolerance), and the
share right is clustered by item like gold accuracy.

Adjudicated items are the disputed ones, so this share is lower than a rater's agreement
on typical items; it compares raters with each other, not with gold accuracy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from honing.quality._data import LabelRow
from honing.rubrics import Rubric, score_gold
from honing.stats import ClusteredProportion, clustered_proportion_detail


def adjudicated_agreement(rubric: Rubric, labels: Sequence[LabelRow],
                          adjudications: Mapping[tuple[int, str], Any]) -> ClusteredProportion:
    """Questions answered as the lead decided / questions adjudicated, over the live labels
    (not returned) of adjudicated items; n is items."""
    finals: dict[int, dict[str, Any]] = defaultdict(dict)
    for (queue_item_id, question), answer in adjudications.items():
        if answer is not None:
            finals[queue_item_id][question] = answer
    per_item: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for label in labels:
        final = finals.get(label.queue_item_id)
        if label.kind != "live" or label.status == "returned" or not final:
            continue
        score = score_gold(rubric, label.answers, final)
        per_item[label.queue_item_id][0] += score.correct
        per_item[label.queue_item_id][1] += score.scored
    return clustered_proportion_detail([r for r, _ in per_item.values()], [m for _, m in per_item.values()])
