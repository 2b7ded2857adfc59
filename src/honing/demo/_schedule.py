"""When the demo's simulated work happens: the days of the simulation, when each rater and
the reviewer work, the simulated time of every row the simulation creates (`Clock`), and
the pass that moves rows to those times at the end (`backdate`).

The draws come from the simulation's seeded `random.Random`, in a fixed order, so the
schedule is the same on every build.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update

from honing.demo._raters import Rater
from honing.storage import (
    Adjudication,
    Assignment,
    Database,
    Escalation,
    Label,
    Queue,
    Review,
    RubricVersion,
)


@dataclass
class Clock:
    """Simulated times of the rows the simulation creates (see `backdate`)."""

    assignments: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)
    labels: dict[int, list[datetime]] = field(default_factory=dict)  # [submitted, updated]
    reviews: dict[int, datetime] = field(default_factory=dict)
    escalations: dict[int, datetime] = field(default_factory=dict)
    resolutions: dict[int, datetime] = field(default_factory=dict)  # escalation id -> resolved_at
    adjudications: dict[int, datetime] = field(default_factory=dict)


def work_days(end: datetime, count: int) -> list[datetime]:
    """Midnight of each simulated day, oldest first; the last one is the day of `end`."""
    today = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def rater_sessions(rng: random.Random, rater: Rater, days: list[datetime], end: datetime,
                   items: int) -> list[tuple[datetime, int]]:
    """When the rater works and how many items each time: weekdays, a little on
    Saturdays, this morning only if the morning is over."""
    weights = []
    for index, day in enumerate(days):
        weight = {5: 0.2, 6: 0.0}.get(day.weekday(), 1.0)
        if index < rater.first_day:
            weight = 0.0
        if day == days[-1]:
            weight *= 0.5 if end.hour >= 12 else 0.0
        weight *= rng.uniform(0.6, 1.4)
        if rater.erratic:
            weight *= rng.choice((0.0, 0.5, 1.0, 1.0, 1.8))
        weights.append(weight)
    if not any(weights):
        weights = [1.0] * len(days)
    per_day = Counter(rng.choices(range(len(days)), weights=weights, k=items))
    sessions = []
    for index, count in sorted(per_day.items()):
        day = days[index]
        morning = day + timedelta(hours=8, minutes=rng.randrange(150))
        afternoon = day + timedelta(hours=13, minutes=rng.randrange(120))
        if day == days[-1]:
            sessions.append((day + timedelta(hours=8, minutes=rng.randrange(60)), count))
        elif count > 8 and rng.random() < 0.6:
            first = count // 2 + rng.randrange(-2, 3)
            sessions += [(morning, first), (afternoon, count - first)]
        else:
            sessions.append((rng.choice((morning, afternoon)), count))
    return sessions


def review_sessions(rng: random.Random, days: list[datetime]) -> list[datetime]:
    """When the reviewer sits down to audit."""
    # The reviewer audits on most weekdays and has not done today's batch yet, so the
    # review queue has a backlog on first start.
    sessions = []
    for day in days[1:-1]:
        if day.weekday() < 5 and rng.random() < 0.8:
            sessions.append(day + timedelta(hours=15, minutes=rng.randrange(90)))
    return sessions


def backdate(db: Database, clock: Clock, start: datetime, lease_seconds: int,
             rubric_version_id: int | None, queue_id: int) -> None:
    """Move the simulation's rows to their simulated times, in one UPDATE pass.

    The service functions stamp rows with the real clock, so a simulation run in a few
    seconds would put two weeks of work into one instant and leave throughput, time per
    item, backlog age and drift charts flat. This is simulation bookkeeping, not a user
    action, so it records no audit event; the audit log keeps the real build times (its
    hash chain covers them and must not be rewritten)."""
    lease = timedelta(seconds=lease_seconds)
    c = clock
    with db.writing() as session:
        if c.assignments:
            session.execute(update(Assignment), [
                {"id": i, "leased_at": a, "lease_expires_at": a + lease, "finished_at": b}
                for i, (a, b) in c.assignments.items()])
        if c.labels:
            session.execute(update(Label), [{"id": i, "submitted_at": a, "updated_at": b}
                                            for i, (a, b) in c.labels.items()])
        for table, times in ((Review, c.reviews), (Escalation, c.escalations),
                             (Adjudication, c.adjudications)):
            if times:
                session.execute(update(table), [{"id": i, "created_at": at}
                                                for i, at in times.items()])
        if c.resolutions:
            session.execute(update(Escalation), [{"id": i, "resolved_at": at}
                                                 for i, at in c.resolutions.items()])
        session.execute(update(Queue).where(Queue.id == queue_id)
                        .values(created_at=start + timedelta(minutes=10)))
        if rubric_version_id is not None:
            session.execute(update(RubricVersion).where(RubricVersion.id == rubric_version_id)
                            .values(created_at=start))
