"""What production says about an item: end users' feedback signals, and the inclusion
probability of each item a sampling design drew into a dataset version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, Id, UtcDateTime, utcnow


class FeedbackSignal(Base):
    """One signal on one item: a thumb (+1 or -1), a rating (value out of `scale`), a
    comment or a corrected answer (`text`). `source` says where it came from (api, otlp,
    langfuse, ...); with `external_id` it makes a signal sent twice one row."""

    __tablename__ = "feedback_signal"
    __table_args__ = (UniqueConstraint("workspace_id", "source", "external_id"),
                      Index("ix_feedback_signal_item", "item_id", "kind"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    scale: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))  # the end user, as the app names them
    given_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SampleInclusion(Base):
    """The probability that a sampling design drew an item into a version, and the stratum
    it was drawn from: what design-weighted (Hájek) estimates divide by."""

    __tablename__ = "sample_inclusion"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    stratum: Mapped[str | None] = mapped_column(String(200))
    probability: Mapped[float] = mapped_column(Float)
