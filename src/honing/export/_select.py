"""Which labeled items become training examples: pure functions over a queue's label rows.

A unit is one queue item. Only labels that count go in (not returned for rework: their
answers are about to change). A lead's adjudicated answer is the final word on its
question: it replaces the raters' consensus, and the agreement filter does not apply to
it (adjudication exists to settle disagreement). Every example carries its provenance:
the raters, their agreement with the exported decision (a share in [0, 1], None where it
is undefined, e.g. a free-text edit) and whether a lead decided it.

Rules, per item:
- preference pairs (pairwise question): the direction most raters chose wins; a tie
  verdict winning, or A and B drawing, excludes the item ("tie"). Strength is the median
  of |A>>B=2, A>B=1| among the winners; below `min_strength` the item is "weak".
  Agreement = winners / raters who answered.
- rating pairs (per-response likert): each response's rating is the raters' mean; two
  responses whose means differ by at least `min_gap` make a pair ("small gap" otherwise).
  Agreement = raters whose own ratings order the two the same way / raters of both.
- unpaired (KTO): a response rated at or above `desirable` is a good example, at or
  below `undesirable` a bad one; the middle is "neutral". Agreement = raters on the
  label's side / raters of the response.
- accepted responses (SFT): every response rated at or above `min_rating`.
- ideal responses (SFT): the adjudicated edit, else the edit from an accepted label, else
  the newest edit; blank edits are "missing answers".
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from honing.quality import LabelRow
from honing.rubrics._values import PAIRWISE_DIRECTION, PAIRWISE_STRENGTH, edit_text, is_blank

Adjudications = Mapping[tuple[int, str], Any]  # (queue item id, question) -> final answer


@dataclass(frozen=True)
class Example:
    """One training example before it is rendered: which response(s) of which item."""

    item_id: int
    queue_item_id: int | None
    chosen: str | None = None  # response letter
    rejected: str | None = None  # response letter (pairs)
    text: str | None = None  # an edited ideal response instead of a stored one
    label: bool | None = None  # unpaired (KTO)
    raters: tuple[str, ...] = ()
    agreement: float | None = None
    adjudicated: bool = False


@dataclass
class Selection:
    examples: list[Example] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)


def counted_labels(labels: Iterable[LabelRow], *, include_gold: bool = False) -> dict[int, list[LabelRow]]:
    """queue item id -> its labels that count, oldest first."""
    kinds = {"live", "gold"} if include_gold else {"live"}
    grouped: dict[int, list[LabelRow]] = defaultdict(list)
    for label in labels:
        if label.kind in kinds and label.status != "returned":
            grouped[label.queue_item_id].append(label)
    return grouped


def _answers(labels: list[LabelRow], question: str) -> list[tuple[str, Any]]:
    return [(label.rater, label.answers[question]) for label in labels
            if label.answers.get(question) is not None]


def _letter_pairs(letters: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(letters) for b in letters[i + 1:]]


def preference_pairs(by_item: Mapping[int, list[LabelRow]], adjudications: Adjudications,
                     question: str, *, min_strength: int = 1, min_agreement: float = 0.0) -> Selection:
    out = Selection()
    for qi, labels in by_item.items():
        votes = _answers(labels, question)
        final = adjudications.get((qi, question))
        if final is None and not votes:
            out.excluded["missing answers"] += 1
            continue
        directions = Counter(PAIRWISE_DIRECTION[v] for _, v in votes)
        if final is not None:
            winner, strength = PAIRWISE_DIRECTION[final], abs(PAIRWISE_STRENGTH[final])
        else:
            ranked = directions.most_common()
            drawn = len(ranked) > 1 and ranked[0][1] == ranked[1][1]
            winner = "tie" if drawn else ranked[0][0]
            strength = statistics.median(abs(PAIRWISE_STRENGTH[v]) for _, v in votes
                                         if PAIRWISE_DIRECTION[v] == winner) if winner != "tie" else 0
        if winner == "tie":
            out.excluded["tie"] += 1
            continue
        agreement = directions[winner] / len(votes) if votes else None
        if final is None and agreement is not None and agreement < min_agreement:
            out.excluded["low agreement"] += 1
            continue
        if strength < min_strength:
            out.excluded["weak preference"] += 1
            continue
        loser = "B" if winner == "A" else "A"
        out.examples.append(Example(labels[0].item_id, qi, chosen=winner, rejected=loser,
                                    raters=tuple(r for r, _ in votes), agreement=agreement,
                                    adjudicated=final is not None))
    return out


def _ratings(labels: list[LabelRow], question: str) -> dict[str, dict[str, float]]:
    """rater -> letter -> rating, for one per-response question."""
    found: dict[str, dict[str, float]] = {}
    for rater, answer in _answers(labels, question):
        if isinstance(answer, dict):
            found[rater] = {k: v for k, v in answer.items() if isinstance(v, int | float)
                            and not isinstance(v, bool)}
    return found


def _final_ratings(per_rater: dict[str, dict[str, float]], final: Any) -> dict[str, float]:
    if isinstance(final, dict):
        return {k: float(v) for k, v in final.items() if isinstance(v, int | float)}
    letters = sorted({letter for ratings in per_rater.values() for letter in ratings})
    return {letter: statistics.fmean(r[letter] for r in per_rater.values() if letter in r)
            for letter in letters}


def rating_pairs(by_item: Mapping[int, list[LabelRow]], adjudications: Adjudications,
                 question: str, *, min_gap: float = 1.0, min_agreement: float = 0.0) -> Selection:
    out = Selection()
    for qi, labels in by_item.items():
        per_rater = _ratings(labels, question)
        final = adjudications.get((qi, question))
        means = _final_ratings(per_rater, final)
        if len(means) < 2:
            out.excluded["missing answers"] += 1
            continue
        for a, b in _letter_pairs(sorted(means)):
            gap = means[a] - means[b]
            if abs(gap) < min_gap:
                out.excluded["small gap"] += 1
                continue
            chosen, rejected = (a, b) if gap > 0 else (b, a)
            both = {r: x for r, x in per_rater.items() if a in x and b in x}
            agree = sum(1 for x in both.values() if x[chosen] > x[rejected])
            agreement = agree / len(both) if both else None
            if final is None and agreement is not None and agreement < min_agreement:
                out.excluded["low agreement"] += 1
                continue
            out.examples.append(Example(labels[0].item_id, qi, chosen=chosen, rejected=rejected,
                                        raters=tuple(both), agreement=agreement,
                                        adjudicated=final is not None))
    return out


def rated_responses(by_item: Mapping[int, list[LabelRow]], adjudications: Adjudications,
                    question: str, *, desirable: float, undesirable: float | None,
                    min_agreement: float = 0.0) -> Selection:
    """Responses rated >= desirable (label True) and, when `undesirable` is given, those
    rated <= undesirable (label False). With `undesirable` None this is SFT's accepted
    responses, and the rest are "below min rating"."""
    out = Selection()
    for qi, labels in by_item.items():
        per_rater = _ratings(labels, question)
        final = adjudications.get((qi, question))
        means = _final_ratings(per_rater, final)
        if not means:
            out.excluded["missing answers"] += 1
            continue
        for letter, rating in sorted(means.items()):
            if rating >= desirable:
                label, side = True, (lambda x: x >= desirable)
            elif undesirable is not None and rating <= undesirable:
                label, side = False, (lambda x: x <= undesirable)
            else:
                out.excluded["neutral rating" if undesirable is not None else "below min rating"] += 1
                continue
            raters = {r: x[letter] for r, x in per_rater.items() if letter in x}
            agreement = sum(1 for x in raters.values() if side(x)) / len(raters) if raters else None
            if final is None and agreement is not None and agreement < min_agreement:
                out.excluded["low agreement"] += 1
                continue
            out.examples.append(Example(labels[0].item_id, qi, chosen=letter,
                                        label=label if undesirable is not None else None,
                                        raters=tuple(raters), agreement=agreement,
                                        adjudicated=final is not None))
    return out


def ideal_responses(by_item: Mapping[int, list[LabelRow]], adjudications: Adjudications,
                    question: str) -> Selection:
    out = Selection()
    for qi, labels in by_item.items():
        final = adjudications.get((qi, question))
        if final is not None and not is_blank(final):
            out.examples.append(Example(labels[0].item_id, qi, text=edit_text(final),
                                        raters=tuple(sorted({lb.rater for lb in labels})),
                                        adjudicated=True))
            continue
        edits = [lb for lb in labels if not is_blank(lb.answers.get(question))]
        if not edits:
            out.excluded["missing answers"] += 1
            continue
        # Reviewed-and-accepted beats merely submitted; among equals the newest wins.
        best = max(edits, key=lambda lb: (lb.status == "accepted", lb.submitted_at, lb.id))
        out.examples.append(Example(best.item_id, qi, text=edit_text(best.answers[question]),
                                    raters=(best.rater,)))
    return out
