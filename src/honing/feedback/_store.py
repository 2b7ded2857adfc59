"""Storing and reading feedback signals. A signal with an external id is stored once per
source, so a trace or an export sent again adds nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from honing._errors import NotFound
from honing.feedback._signals import Signal, SignalKind
from honing.storage import FeedbackSignal, ItemRow, Workspace, utcnow


@dataclass(frozen=True)
class StoredSignal:
    id: int
    item_id: int
    signal: Signal
    recorded_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "item_id": self.item_id, **self.signal.as_dict(),
                "recorded_at": self.recorded_at.isoformat()}


def check_item(session: Session, workspace: Workspace, item_id: int) -> None:
    """NotFound unless the item is the workspace's: one index lookup, no content loaded."""
    if session.scalar(select(ItemRow.id).where(ItemRow.id == item_id,
                                                ItemRow.workspace_id == workspace.id)) is None:
        raise NotFound(f"item {item_id} does not exist in workspace {workspace.name!r}")


def record_signals(session: Session, workspace: Workspace, item_id: int,
                   signals: Iterable[Signal]) -> list[StoredSignal]:
    """Store signals on an item of the workspace; returns those newly stored (a signal
    whose source and external id are already stored is skipped). Flushes, does not commit."""
    check_item(session, workspace, item_id)
    wanted = list(signals)
    keyed = {(s.source, s.external_id) for s in wanted if s.external_id is not None}
    known: set[tuple[str, str]] = set()
    if keyed:
        rows = session.execute(select(FeedbackSignal.source, FeedbackSignal.external_id).where(
            FeedbackSignal.workspace_id == workspace.id,
            FeedbackSignal.external_id.in_([e for _, e in keyed])))
        known = {(source, external) for source, external in rows}
    stored: list[FeedbackSignal] = []
    for signal in wanted:
        key = (signal.source, signal.external_id)
        if signal.external_id is not None:
            if key in known:
                continue
            known.add(key)  # the same signal twice in one call is one signal too
        now = utcnow()
        row = FeedbackSignal(workspace_id=workspace.id, item_id=item_id, kind=signal.kind.value,
                             value=signal.value, scale=signal.scale, text=signal.text,
                             source=signal.source, external_id=signal.external_id,
                             author=signal.author, given_at=signal.given_at or now,
                             recorded_at=now)
        session.add(row)
        stored.append(row)
    session.flush()
    return [_stored(row) for row in stored]


def move_signals(session: Session, workspace: Workspace, from_item: int, to_item: int,
                 source: str) -> int:
    """Carry one source's signals over to the item that replaced `from_item` (a trace's
    conversation rebuilt as more of its spans arrived); returns how many moved."""
    result = session.execute(update(FeedbackSignal).where(
        FeedbackSignal.workspace_id == workspace.id, FeedbackSignal.item_id == from_item,
        FeedbackSignal.source == source).values(item_id=to_item))
    return result.rowcount or 0


def item_signals(session: Session, item_id: int) -> list[StoredSignal]:
    """An item's signals, oldest first."""
    rows = session.scalars(select(FeedbackSignal).where(FeedbackSignal.item_id == item_id)
                           .order_by(FeedbackSignal.given_at, FeedbackSignal.id))
    return [_stored(row) for row in rows]


@dataclass(frozen=True)
class SignalSummary:
    """An item's signals in figures: what priority sampling ranks by."""

    thumbs_up: int = 0
    thumbs_down: int = 0
    ratings: int = 0
    mean_rating: float | None = None  # as a share of each rating's scale, 0..1
    comments: int = 0
    corrections: int = 0

    @property
    def negative(self) -> bool:
        return self.thumbs_down > 0 or (self.mean_rating is not None and self.mean_rating < 0.5)


def signal_summaries(session: Session, item_ids: Iterable[int]) -> dict[int, SignalSummary]:
    """Summaries for the items that have signals (items without any are absent)."""
    ids = list(item_ids)
    counts: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        # Thumbs are counted by direction; ratings are averaged as shares of their scales.
        direction = case((FeedbackSignal.kind == SignalKind.thumbs.value, FeedbackSignal.value),
                         else_=None)
        rows = session.execute(
            select(FeedbackSignal.item_id, FeedbackSignal.kind, direction, func.count(),
                   func.avg(FeedbackSignal.value / FeedbackSignal.scale))
            .where(FeedbackSignal.item_id.in_(chunk))
            .group_by(FeedbackSignal.item_id, FeedbackSignal.kind, direction))
        for item_id, kind, value, count, mean in rows:
            entry = counts.setdefault(item_id, {})
            if kind == SignalKind.thumbs:
                entry["thumbs_up" if value > 0 else "thumbs_down"] = count
            elif kind == SignalKind.rating:
                entry["ratings"], entry["mean_rating"] = count, float(mean)
            else:
                entry[f"{kind}s"] = count
    return {item_id: SignalSummary(**entry) for item_id, entry in counts.items()}


def _stored(row: FeedbackSignal) -> StoredSignal:
    signal = Signal(kind=SignalKind(row.kind), value=row.value, scale=row.scale, text=row.text,
                    source=row.source, external_id=row.external_id, author=row.author,
                    given_at=row.given_at)
    return StoredSignal(row.id, row.item_id, signal, row.recorded_at)
