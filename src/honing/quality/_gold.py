"""Gold accuracy: questions right / questions scored on hidden gold items, clustered by
gold item. One item's questions are answered together (an item misread is missed on
every question), so the item is the unit: n is gold items and the interval is Wilson's
on the effective n of the clustered answers (`honing.stats._clustered`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from honing.stats import ClusteredProportion, Estimate, clustered_proportion_detail


class GoldLabel(Protocol):
    queue_item_id: int
    gold_correct: int | None
    gold_scored: int | None


def gold_detail(gold: Iterable[GoldLabel]) -> ClusteredProportion:
    """Questions right / questions scored over scored gold labels, clustered by gold item
    (all raters' answers to one item form one cluster)."""
    per_item: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for label in gold:
        if label.gold_scored:
            per_item[label.queue_item_id][0] += label.gold_correct or 0
            per_item[label.queue_item_id][1] += label.gold_scored
    return clustered_proportion_detail([r for r, _ in per_item.values()], [m for _, m in per_item.values()])


def gold_accuracy(gold: Iterable[GoldLabel]) -> Estimate:
    """Gold accuracy with n = gold items (see `gold_detail`)."""
    return gold_detail(gold).estimate
