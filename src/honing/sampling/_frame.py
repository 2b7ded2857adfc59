"""The sampling frame: the items of a version a design may draw, read in batches of ids
and the few fields designs need (metadata values, latency, feedback), never the items'
content all at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import datasets, feedback
from honing.storage import DatasetVersion, ItemRow, ResponseRow

# Called as progress(phase, done, total) while the frame is read.
Progress = Callable[[str, int, int | None], None]
BATCH = 1000
_ERROR_STATUSES = frozenset({"error", "failed", "failure"})


@dataclass
class Frame:
    """Column per field, one row per distinct item of the version (in position order)."""

    item_ids: np.ndarray
    values: dict[str, list[Any]]  # metadata key -> each item's value (None when absent)
    latency_ms: np.ndarray  # NaN where unknown
    negative: np.ndarray  # a thumbs-down or a low rating from an end user
    error: np.ndarray  # the application reported an error
    version_items: int = 0  # distinct items of the version, before anything was left out
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> items left out

    def __len__(self) -> int:
        return len(self.item_ids)

    def keep(self, mask: np.ndarray, reason: str) -> None:
        """Leave out the items where `mask` is False, counting them under `reason`."""
        dropped = int((~mask).sum())
        if dropped:
            self.left_out[reason] = self.left_out.get(reason, 0) + dropped
        self.item_ids, self.latency_ms = self.item_ids[mask], self.latency_ms[mask]
        self.negative, self.error = self.negative[mask], self.error[mask]
        self.values = {k: [v for v, m in zip(col, mask, strict=True) if m] for k, col in self.values.items()}

    @property
    def failing(self) -> np.ndarray:
        return self.negative | self.error


def distinct_item_ids(session: Session, version: DatasetVersion) -> Iterator[int]:
    seen: set[int] = set()
    for item_id in datasets.version_item_ids(session, version, batch=BATCH):
        if item_id not in seen:
            seen.add(item_id)
            yield item_id


def read_frame(session: Session, version: DatasetVersion, keys: list[str], *, signals: bool = False,
               progress: Progress | None = None) -> Frame:
    """Ids, the metadata `keys`, and with `signals` the latency, feedback and error columns
    (what priority sampling and Neyman's failure indicator read); nothing else is read."""
    ids: list[int] = []
    values: dict[str, list[Any]] = {k: [] for k in keys}
    latency: list[float] = []
    negative: list[bool] = []
    error: list[bool] = []
    chunk: list[int] = []

    def flush() -> None:
        metas: dict[int, Any] = {}
        if keys or signals:
            metas = dict(session.execute(select(ItemRow.id, ItemRow.meta).where(ItemRow.id.in_(chunk))).all())
        slowest: dict[int, Any] = {}
        summaries: dict[int, feedback.SignalSummary] = {}
        if signals:
            slowest = dict(session.execute(
                select(ResponseRow.item_id, func.max(ResponseRow.latency_ms))
                .where(ResponseRow.item_id.in_(chunk)).group_by(ResponseRow.item_id)).all())
            summaries = feedback.signal_summaries(session, chunk)
        for item_id in chunk:
            meta = metas.get(item_id) or {}
            ids.append(item_id)
            for key in keys:
                values[key].append(meta.get(key))
            latency.append(_latency(slowest.get(item_id), meta))
            summary = summaries.get(item_id)
            negative.append(bool(summary and summary.negative))
            error.append(_has_error(meta))
        chunk.clear()
        if progress is not None:
            progress("reading the frame", len(ids), version.item_count)

    for item_id in distinct_item_ids(session, version):
        chunk.append(item_id)
        if len(chunk) >= BATCH:
            flush()
    if chunk:
        flush()
    return Frame(item_ids=np.array(ids, dtype=np.int64), values=values,
                 latency_ms=np.array(latency, dtype=float), negative=np.array(negative, dtype=bool),
                 error=np.array(error, dtype=bool), version_items=len(ids))


def _latency(response: float | None, meta: dict[str, Any]) -> float:
    if response is not None:
        return float(response)
    value = meta.get("latency_ms")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else float("nan")


def _has_error(meta: dict[str, Any]) -> bool:
    """An `error` or `errors` value that says something, or a `status` that means failure:
    how traces and logs commonly mark a failed call."""
    for key in ("error", "errors"):
        value = meta.get(key)
        if value not in (None, False, 0, "", [], {}, "false", "False", "none", "None"):
            return True
    status = meta.get("status")
    return isinstance(status, str) and status.lower() in _ERROR_STATUSES
