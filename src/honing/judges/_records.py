"""Calibration records: stored once, never changed, numbered per judge name.

Other capabilities (the release gate, reports) read them through `latest_calibration` and
`list_calibrations`, as plain `CalibrationRecord`s, not through the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import audit
from honing.judges._figures import estimate_from_dict
from honing.stats import Estimate
from honing.storage import JudgeCalibration, Workspace


@dataclass(frozen=True)
class CalibrationRecord:
    id: int
    judge_name: str
    version: int
    fingerprint: str
    kind: str
    config: dict[str, Any]
    queue: str
    question: str
    n: int
    metrics: dict[str, Any]  # Calibration.as_dict()'s figures, bias findings and counts
    verdict: str
    threshold: float
    actor: str
    created_at: datetime

    @property
    def ref(self) -> str:
        return f"{self.judge_name}@{self.version}"

    @property
    def spearman(self) -> Estimate:
        """The adoption metric, with its interval and n."""
        return self.estimate("spearman")

    def estimate(self, key: str) -> Estimate:
        """A stored metric or bias finding by key, e.g. "weighted_kappa", "order_flip_rate"."""
        found = self.metrics.get("metrics", {}).get(key) or self.metrics.get("bias", {}).get(key)
        if found is None:
            raise KeyError(key)
        return estimate_from_dict(found)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "judge": self.judge_name, "version": self.version, "ref": self.ref,
                "fingerprint": self.fingerprint, "kind": self.kind, "config": self.config,
                "queue": self.queue, "question": self.question, "n": self.n, "verdict": self.verdict,
                "threshold": self.threshold, "actor": self.actor, "created_at": self.created_at.isoformat(),
                **self.metrics}


def store_calibration(session: Session, workspace: Workspace, *, judge_name: str, fingerprint: str,
                      kind: str, config: dict[str, Any], queue: str, question: str, n: int,
                      metrics: dict[str, Any], verdict: str, threshold: float, actor: str) -> CalibrationRecord:
    """Add the next version of JUDGE_NAME's calibration, with an audit event."""
    newest = session.scalar(select(func.max(JudgeCalibration.version)).where(
        JudgeCalibration.workspace_id == workspace.id, JudgeCalibration.judge_name == judge_name))
    row = JudgeCalibration(workspace_id=workspace.id, judge_name=judge_name, fingerprint=fingerprint,
                           version=(newest or 0) + 1, kind=kind, config=config, queue=queue,
                           question=question, n=n, metrics=metrics, verdict=verdict, threshold=threshold,
                           actor=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="judge.calibrate", target=f"judge:{judge_name}@{row.version}",
                 workspace=workspace.name,
                 details={"fingerprint": fingerprint, "queue": queue, "question": question, "n": n,
                          "verdict": verdict, "threshold": threshold,
                          "spearman": metrics.get("metrics", {}).get("spearman")})
    return _record(row)


def list_calibrations(session: Session, workspace: Workspace,
                      judge_name: str | None = None) -> list[CalibrationRecord]:
    """A workspace's calibration records (of one judge name when given), by judge name,
    newest version first."""
    query = select(JudgeCalibration).where(JudgeCalibration.workspace_id == workspace.id)
    if judge_name is not None:
        query = query.where(JudgeCalibration.judge_name == judge_name)
    return [_record(row) for row in session.scalars(
        query.order_by(JudgeCalibration.judge_name, JudgeCalibration.version.desc()))]


def latest_calibration(session: Session, workspace: Workspace, fingerprint: str) -> CalibrationRecord | None:
    """The newest calibration of the judge with this fingerprint (whatever it was named), or
    None when that judge was never calibrated in the workspace."""
    row = session.scalars(select(JudgeCalibration).where(
        JudgeCalibration.workspace_id == workspace.id, JudgeCalibration.fingerprint == fingerprint)
        .order_by(JudgeCalibration.created_at.desc(), JudgeCalibration.id.desc()).limit(1)).first()
    return _record(row) if row is not None else None


def _record(row: JudgeCalibration) -> CalibrationRecord:
    return CalibrationRecord(id=row.id, judge_name=row.judge_name, version=row.version,
                             fingerprint=row.fingerprint, kind=row.kind, config=row.config, queue=row.queue,
                             question=row.question, n=row.n, metrics=row.metrics, verdict=row.verdict,
                             threshold=row.threshold, actor=row.actor, created_at=row.created_at)
