"""Schedules: a design drawn again every period from the newest version of a dataset, only
from items earlier runs did not draw, appended to a review queue. The running server
calls `run_due_schedules`; each run is recorded (a `sample_schedule_run` row and an audit
event), an error included."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from honing import audit, datasets
from honing._errors import Conflict, HoningError, InvalidInput, NotFound
from honing._names import check_name
from honing.sampling._design import Design
from honing.sampling._queue import check_queue
from honing.sampling._sample import sample
from honing.storage import (
    Database,
    SampleInclusion,
    SampleSchedule,
    SampleScheduleRun,
    Workspace,
    utcnow,
)

log = logging.getLogger("honing.sampling")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MIN_PERIOD_S = 60


def parse_period(text: str) -> int:
    """'1d', '12h', '30m', '2w' or '3600s' as seconds."""
    found = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text or "")
    if not found:
        raise InvalidInput(f"period {text!r} is not a number and a unit",
                           hint="e.g. --every 1d, 12h, 30m or 2w")
    seconds = int(found.group(1)) * _UNITS[found.group(2)]
    if seconds < MIN_PERIOD_S:
        raise InvalidInput(f"period {text!r} is shorter than a minute", hint="e.g. --every 1h")
    return seconds


@dataclass(frozen=True)
class ScheduleInfo:
    name: str
    source: str
    into: str
    queue: str | None
    design: dict[str, Any]
    every_seconds: int
    next_run_at: datetime
    runs: int
    last_run: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "into": self.into, "queue": self.queue,
                "design": self.design, "every_seconds": self.every_seconds,
                "next_run_at": self.next_run_at.isoformat(), "runs": self.runs, "last_run": self.last_run}


def create_schedule(session: Session, workspace: Workspace, *, name: str, source: str, into: str,
                    design: Design, every: str, queue: str | None, actor: str,
                    now: datetime | None = None) -> ScheduleInfo:
    """The first run is due at once; each later one a period after the previous was due."""
    check_name("schedule", name)
    check_name("dataset", into)
    dataset_name, wanted = datasets.parse_ref(source)
    if wanted is not None:
        raise InvalidInput(f"a schedule draws from the newest version of a dataset, not {source!r}",
                           hint=f"name the dataset alone: {dataset_name}")
    datasets.get_dataset(session, workspace, dataset_name)
    if queue:
        check_queue(session, workspace, queue)
    seconds = parse_period(every)
    if session.scalar(select(SampleSchedule.id).where(SampleSchedule.workspace_id == workspace.id,
                                                      SampleSchedule.name == name)) is not None:
        raise Conflict(f"schedule {name!r} already exists in workspace {workspace.name!r}",
                       hint="pick another --schedule-name, or delete it first")
    row = SampleSchedule(workspace_id=workspace.id, name=name, source=dataset_name, into=into, queue=queue,
                         design=design.as_dict(), every_seconds=seconds,
                         next_run_at=now or utcnow(), actor=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="sample.schedule.create", target=f"schedule:{name}",
                 workspace=workspace.name, details={"source": dataset_name, "into": into, "queue": queue,
                                                    "design": row.design, "every_seconds": seconds})
    return _info(session, row)


def list_schedules(session: Session, workspace: Workspace) -> list[ScheduleInfo]:
    rows = session.scalars(select(SampleSchedule).where(SampleSchedule.workspace_id == workspace.id)
                           .order_by(SampleSchedule.name))
    return [_info(session, row) for row in rows]


def delete_schedule(session: Session, workspace: Workspace, name: str, *, actor: str) -> None:
    row = _get(session, workspace, name)
    session.delete(row)
    audit.record(session, actor=actor, action="sample.schedule.delete", target=f"schedule:{name}",
                 workspace=workspace.name)


def _get(session: Session, workspace: Workspace, name: str) -> SampleSchedule:
    row = session.scalar(select(SampleSchedule).where(SampleSchedule.workspace_id == workspace.id,
                                                      SampleSchedule.name == name))
    if row is None:
        raise NotFound(f"schedule {name!r} does not exist in workspace {workspace.name!r}",
                       hint="list them with `honing sample-schedule list --workspace W`")
    return row


def _runs(session: Session, schedule_id: int) -> list[SampleScheduleRun]:
    return list(session.scalars(select(SampleScheduleRun).where(SampleScheduleRun.schedule_id == schedule_id)
                                .order_by(SampleScheduleRun.id)))


def _info(session: Session, row: SampleSchedule) -> ScheduleInfo:
    runs = _runs(session, row.id)
    last = ({"ran_at": runs[-1].ran_at.isoformat(), **runs[-1].outcome} if runs else None)
    return ScheduleInfo(row.name, row.source, row.into, row.queue, row.design, row.every_seconds,
                        row.next_run_at, len(runs), last)


def run_due_schedules(db: Database, now: datetime | None = None) -> int:
    """Run every schedule that is due, each at most once however many periods were missed.
    Returns how many ran. Safe with several server processes: a run is claimed by moving
    its schedule's next time forward only if no one else moved it first."""
    now = now or utcnow()
    with db.reading() as session:
        due = session.execute(select(SampleSchedule.id, SampleSchedule.next_run_at)
                              .where(SampleSchedule.next_run_at <= now)).all()
    ran = 0
    for schedule_id, due_at in due:
        if _claim(db, schedule_id, due_at, now):
            _run(db, schedule_id, now)
            ran += 1
    return ran


def _claim(db: Database, schedule_id: int, due_at: datetime, now: datetime) -> bool:
    with db.writing() as session:
        every = session.scalar(select(SampleSchedule.every_seconds).where(SampleSchedule.id == schedule_id))
        if every is None:
            return False
        periods = int((now - due_at).total_seconds() // every) + 1  # the next time after now
        claimed = session.execute(
            update(SampleSchedule).where(SampleSchedule.id == schedule_id, SampleSchedule.next_run_at == due_at)
            .values(next_run_at=due_at + timedelta(seconds=every * periods)))
        return claimed.rowcount == 1


def _run(db: Database, schedule_id: int, now: datetime) -> None:
    try:
        with db.writing() as session:
            row = session.get(SampleSchedule, schedule_id)
            if row is None:
                return
            workspace = session.get(Workspace, row.workspace_id)
            assert workspace is not None
            previous = _runs(session, row.id)
            drawn_before = set(session.scalars(
                select(SampleInclusion.item_id).join(SampleScheduleRun,
                                                     SampleScheduleRun.version_id == SampleInclusion.version_id)
                .where(SampleScheduleRun.schedule_id == row.id)))
            # Each run its own seed, derived from the schedule's: reproducible, not repeated.
            design = Design.from_dict(row.design)
            design = replace(design, seed=design.seed + len(previous))
            result = sample(session, workspace, row.source, row.into, design, actor=f"schedule:{row.name}",
                            queue=row.queue, exclude=drawn_before, scheduled=True,
                            extra={"schedule": row.name, "run": len(previous) + 1})
            version_id = None
            if result.version is not None:
                version_id = datasets.resolve_version(
                    session, datasets.get_dataset(session, workspace, row.into), result.version.number).id
            outcome = {"version": result.version.ref if result.version else None, "source": result.source,
                       "frame": result.frame, "drawn": result.drawn, "queued": result.queued,
                       "seed": design.seed}
            session.add(SampleScheduleRun(schedule_id=row.id, version_id=version_id, ran_at=now, outcome=outcome))
            audit.record(session, actor=f"schedule:{row.name}", action="sample.schedule.run",
                         target=f"schedule:{row.name}", workspace=workspace.name, details=outcome)
    except HoningError as error:  # recorded for the schedule's owner; the server carries on
        _record_failure(db, schedule_id, now, error.message)


def _record_failure(db: Database, schedule_id: int, now: datetime, message: str) -> None:
    with db.writing() as session:
        row = session.get(SampleSchedule, schedule_id)
        if row is None:
            return
        workspace = session.get(Workspace, row.workspace_id)
        outcome = {"error": message}
        session.add(SampleScheduleRun(schedule_id=row.id, version_id=None, ran_at=now, outcome=outcome))
        audit.record(session, actor=f"schedule:{row.name}", action="sample.schedule.run",
                     target=f"schedule:{row.name}", workspace=workspace.name if workspace else None,
                     details=outcome)
    log.warning("sampling schedule %s failed: %s", schedule_id, message)
