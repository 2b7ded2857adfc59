"""Figures that are expensive to compute and cheap to reuse (a queue's quality report, the
agreement on a dataset card), stored with the state of the data they were computed from.

A row is reused while `state` still matches the data; `refreshing_since` is the advisory
flag that lets one process (of any number of workers) recompute a row at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, UtcDateTime, utcnow


class FigureCache(Base):
    __tablename__ = "figure_cache"
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. quality_report
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # what it is of: queue:12:14d
    state: Mapped[str] = mapped_column(String(400))  # the data's state when it was computed
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # JSON as text: the figures' dict order (answer scales, rubric order) must survive, and
    # PostgreSQL's JSONB does not keep key order.
    payload: Mapped[str] = mapped_column(Text)
    refreshing_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
