"""Tables of LLM judges: each calibration against human labels, versioned per judge name.

A record is never changed: calibrating again (a new model, a reworded rubric, more
labels) adds the next version, so a release decision can always point at the calibration
it relied on. `fingerprint` identifies what shapes the judge's verdicts (kind, target,
rubric, scale), which is how a run's judges are matched to their calibrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from honing.storage._tables import Base, Id, JsonType, UtcDateTime, utcnow


class JudgeCalibration(Base):
    __tablename__ = "judge_calibration"
    __table_args__ = (UniqueConstraint("workspace_id", "judge_name", "version"),
                      Index("ix_judge_calibration_fingerprint", "workspace_id", "fingerprint"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    judge_name: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per workspace and judge name
    kind: Mapped[str] = mapped_column(String(16))  # pointwise | pairwise
    config: Mapped[dict[str, Any]] = mapped_column(JsonType)  # the judge config as calibrated
    queue: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(String(64))
    n: Mapped[int] = mapped_column(Integer)  # units the judge scored
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType)  # estimates, bias, confusion, errors
    verdict: Mapped[str] = mapped_column(String(16))  # adopted | rejected | inconclusive
    threshold: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
