"""Scheduled sampling: a design drawn again every period from a dataset's newest version,
and each run it made (what the next runs must not draw again)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, Id, JsonType, UtcDateTime, utcnow


class SampleSchedule(Base):
    """`design` is the design's settings as `honing.sampling.Design.as_dict` writes them.
    `next_run_at` moves forward by compare-and-set, which is how only one server process
    runs a due schedule."""

    __tablename__ = "sample_schedule"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(128))  # a dataset name: each run reads its newest version
    into: Mapped[str] = mapped_column(String(128))
    queue: Mapped[str | None] = mapped_column(String(64))
    design: Mapped[dict[str, Any]] = mapped_column(JsonType)
    every_seconds: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SampleScheduleRun(Base):
    """One run of a schedule: the version it wrote (None when nothing was left to draw)
    and the outcome in figures or the error that stopped it."""

    __tablename__ = "sample_schedule_run"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("sample_schedule.id", ondelete="CASCADE"),
                                             index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_version.id", ondelete="SET NULL"))
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    outcome: Mapped[dict[str, Any]] = mapped_column(JsonType)
