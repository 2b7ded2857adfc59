"""Estimated production rates of a sampled queue: when the queue's dataset version was
drawn by a sampling design (its items carry inclusion probabilities), the share of
production items with each answer, weighted by 1/π (Hájek), next to the reviewed sample's
raw share.

A review that oversamples failures (priority by thumbs-down, low judge scores, risky
strata) reports a raw failure rate far above production's; the weighted estimate corrects
for how the items were drawn (docs/decisions/0030-weighted-estimates.md).

The unit is the item. An item's outcome for an answer is 1 when the question's
adjudicated answer is that answer, otherwise the share of its kept live labels in the
period that give it (1 or 0 when its raters agree). Items reviewed in the period that
have an inclusion probability count; per-response questions are left out (an item has
one outcome per response there, not one)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from honing.quality._data import QueueData
from honing.quality._queue_figures import answer_scales
from honing.rubrics._values import is_per_response
from honing.stats import Estimate, weighted_proportion, weighted_proportion_detail

# A queue may hold items of several draws (`honing sample --queue` appends), each with its
# own design: the with-replacement variance is right or conservative for all of them
# (without replacement, systematic PPS, Poisson; tests/test_weighted_coverage.py).
DESIGN = "with-replacement"
RAW_METHOD = "unweighted share of reviewed items, wilson on effective n"


@dataclass(frozen=True)
class ProductionRate:
    question: str
    answer: str
    estimate: Estimate  # the estimated production rate (n = reviewed items)
    sample: Estimate  # the reviewed sample's raw rate (same items, unweighted)
    effective_n: float  # the n behind the estimate's interval
    strata: int


def production_rates(data: QueueData) -> list[ProductionRate]:
    """One rate per answer of each label, Likert and pairwise question, in the rubric's
    order; empty when the queue's items carry no inclusion probabilities."""
    if not data.inclusion:
        return []
    answers = _answers_by_item(data)
    items = sorted(item for item in answers if item in data.inclusion)
    rates = []
    questions = {q.id: q for q in data.rubric.questions}
    for question, scale in answer_scales(data.rubric).items():
        if is_per_response(questions[question]):
            continue
        answered = [item for item in items if _said(data, item, question, answers[item])]
        probabilities = [data.inclusion[item][1] for item in answered]
        strata = [data.inclusion[item][0] for item in answered]
        for answer in scale.options:
            outcomes = [_outcome(answer, _said(data, item, question, answers[item])) for item in answered]
            detail = weighted_proportion_detail(outcomes, probabilities, strata, design=DESIGN)
            raw = replace(weighted_proportion(outcomes, [1.0] * len(outcomes)), method=RAW_METHOD)
            rates.append(ProductionRate(question, answer, detail.estimate, raw, detail.effective_n, detail.strata))
    return rates


def _answers_by_item(data: QueueData) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for label in data.in_period():
        if label.kind == "live" and label.status != "returned":
            found[label.queue_item_id].append(label.answers)
    return found


def _said(data: QueueData, item: int, question: str, given: list[dict[str, Any]]) -> list[str]:
    """The item's answers to the question: the adjudicated one alone when there is one."""
    if (item, question) in data.adjudications:
        return [str(data.adjudications[(item, question)])]
    return [str(a[question]) for a in given if a.get(question) is not None]


def _outcome(answer: str, said: list[str]) -> float:
    return sum(s == answer for s in said) / len(said)
