"""Priority weights from what production and reviews say about an item: end users'
thumbs-down or low ratings, errors, long latency, a low judge score, and a judge's
pre-label that human labels contradict. Each adds its weight to the base weight, so
flagged items are drawn more often and every item keeps a chance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from honing.sampling._design import Design
from honing.sampling._frame import BATCH, Frame
from honing.storage import Label, Suggestion

SLOW_QUANTILE = 0.9


def signal_flags(session: Session, frame: Frame, design: Design) -> dict[str, np.ndarray]:
    """Each signal as a boolean column over the frame."""
    known = frame.latency_ms[~np.isnan(frame.latency_ms)]
    slow_ms = design.slow_ms
    if slow_ms is None:
        slow_ms = float(np.quantile(known, SLOW_QUANTILE)) if len(known) else float("inf")
    with np.errstate(invalid="ignore"):
        slow = np.nan_to_num(frame.latency_ms, nan=-np.inf) > slow_ms
    return {"negative": frame.negative, "error": frame.error, "slow": slow,
            "low_score": _low(frame.values.get(design.score_field, []), design.low_score, len(frame)),
            "disagreement": disagreements(session, frame.item_ids)}


def priority_weights(flags: dict[str, np.ndarray], weights: dict[str, float], size: int) -> np.ndarray:
    out = np.full(size, float(weights.get("base", 1.0)))
    for name, flag in flags.items():
        out += weights.get(name, 0.0) * flag
    return out


def _low(values: Sequence[Any], threshold: float, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    for k, value in enumerate(values):
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[k] = value < threshold
    return out


def disagreements(session: Session, item_ids: np.ndarray) -> np.ndarray:
    """Items where a pre-label (a judge's or a model's suggestion) names an answer to a
    question that a human label of the item answered differently."""
    out = np.zeros(len(item_ids), dtype=bool)
    position = {int(i): k for k, i in enumerate(item_ids)}
    for start in range(0, len(item_ids), BATCH):
        chunk = [int(i) for i in item_ids[start:start + BATCH]]
        suggested: dict[tuple[int, str], set[str]] = {}
        for item_id, question, value in session.execute(
                select(Suggestion.item_id, Suggestion.question, Suggestion.value)
                .where(Suggestion.item_id.in_(chunk))):
            suggested.setdefault((item_id, question), set()).add(repr(value))
        if not suggested:
            continue
        for item_id, answers in session.execute(select(Label.item_id, Label.answers)
                                                .where(Label.item_id.in_(chunk))):
            for question, answer in (answers or {}).items():
                judged = suggested.get((item_id, question))
                if judged is not None and repr(answer) not in judged:
                    out[position[item_id]] = True
    return out
