"""Scheduled sampling: a schedule runs once per period, draws only items earlier runs did
not, appends to its queue, is audited, and the running server executes it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from annotation import RUBRIC
from honing import accounts, annotate, datasets, ingest, sampling
from honing._config import Settings
from honing._errors import InvalidInput
from honing.annotate import QueuePolicy
from honing.api import create_app
from honing.cli import app
from honing.storage import AuditEvent, QueueItem, SampleSchedule, SampleScheduleRun
from records import record, write_jsonl

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def add_traffic(db, tmp_path, first: int, count: int) -> None:
    """A new version of `traffic` holding records first..first+count-1 (replace mode)."""
    path = write_jsonl(tmp_path / f"t{first}.jsonl", [record(i) for i in range(first, first + count)])
    ingest.import_file(db, path, workspace="helpdesk", dataset="traffic", actor="cli:test")


@pytest.fixture
def scheduled(db, database_url, workspace, tmp_path):
    add_traffic(db, tmp_path, 0, 10)
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        rubric = annotate.push_rubric(session, ws, RUBRIC, source="rubric.yaml", actor="cli:test")
        annotate.create_queue(session, ws, name="triage", dataset_ref="traffic", rubric_ref=rubric.ref,
                              policy=QueuePolicy(), actor="cli:test")
        # The queue starts empty of sampled items: drop what it was created over.
        session.execute(QueueItem.__table__.delete())
        sampling.create_schedule(session, ws, name="daily", source="traffic", into="review",
                                 design=sampling.Design(kind="random", size=4, seed=7), every="1d",
                                 queue="triage", actor="cli:test", now=T0)
    return db


def runs(db, schedule: str | None = None):
    with db.reading() as session:
        query = select(SampleScheduleRun).order_by(SampleScheduleRun.id)
        if schedule is not None:
            query = query.join(SampleSchedule).where(SampleSchedule.name == schedule)
        return list(session.scalars(query))


def drawn_in(db, ref):
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        name, number = datasets.parse_ref(ref)
        version = datasets.resolve_version(session, datasets.get_dataset(session, ws, name), number)
        return set(sampling.inclusion_probabilities(session, version))


def drawn_in_source(db):
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        version = datasets.resolve_version(session, datasets.get_dataset(session, ws, "traffic"), None)
        return list(datasets.version_item_ids(session, version))


def queued(db):
    with db.reading() as session:
        return list(session.scalars(select(QueueItem.item_id).order_by(QueueItem.position)))


def test_a_schedule_runs_once_per_period_and_never_draws_an_item_twice(scheduled, tmp_path):
    db = scheduled
    assert sampling.run_due_schedules(db, now=T0 - timedelta(seconds=1)) == 0  # not due yet
    assert sampling.run_due_schedules(db, now=T0) == 1
    assert sampling.run_due_schedules(db, now=T0 + timedelta(hours=23)) == 0  # same period
    first = drawn_in(db, "review@1")
    assert len(first) == 4 and queued(db) and set(queued(db)) == first
    # New traffic arrives: the next run reads the newest version, leaving out what was drawn.
    add_traffic(db, tmp_path, 5, 10)
    assert sampling.run_due_schedules(db, now=T0 + timedelta(days=1, minutes=3)) == 1
    second = drawn_in(db, "review@2")
    assert len(second) == 4 and not first & second
    assert len(queued(db)) == 8 and set(queued(db)) == first | second
    # Several missed periods make one run, and the next is a whole period later.
    assert sampling.run_due_schedules(db, now=T0 + timedelta(days=5)) == 1
    assert sampling.run_due_schedules(db, now=T0 + timedelta(days=5, hours=1)) == 0
    done = runs(db)
    third = drawn_in(db, "review@3")
    # traffic@2 holds records 5..14: what is left of them after two runs, at most 4, is drawn.
    overlap = len(first & set(drawn_in_source(db)))
    assert len(third) == min(4, 10 - overlap - 4) and not third & (first | second)
    assert [r.outcome["drawn"] for r in done] == [4, 4, len(third)]
    assert [r.outcome["seed"] for r in done] == [7, 8, 9]
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        info = datasets.version_info(session, datasets.get_dataset(session, ws, "review"),
                                     datasets.resolve_version(session, datasets.get_dataset(session, ws, "review"), 2))
        events = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "sample.schedule.run")).all()
        schedule = sampling.list_schedules(session, ws)[0]
    assert info.parents == ["traffic@2"] and info.parameters["schedule"] == "daily"
    assert info.parameters["run"] == 2 and info.parameters["frame"]["left_out"] == ({"drawn before": overlap} if overlap else {})
    assert len(events) == 3 and events[0]["version"] == "review@1"
    assert schedule.runs == 3 and schedule.next_run_at == T0 + timedelta(days=6)


def test_a_run_with_nothing_left_to_draw_writes_nothing_and_says_so(scheduled, tmp_path):
    db = scheduled
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        sampling.create_schedule(session, ws, name="all", source="traffic", into="everything",
                                 design=sampling.Design(kind="random", size=8), every="1h", queue=None,
                                 actor="cli:test", now=T0)
    sampling.run_due_schedules(db, now=T0)
    sampling.run_due_schedules(db, now=T0 + timedelta(hours=1))  # 2 left: drawn whole
    sampling.run_due_schedules(db, now=T0 + timedelta(hours=2))
    outcomes = [r.outcome for r in runs(db, "all")]
    assert [o["drawn"] for o in outcomes] == [8, 2, 0] and outcomes[-1]["version"] is None


def test_a_failing_run_is_recorded_and_the_next_period_retries(scheduled, tmp_path):
    db = scheduled
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        sampling.create_schedule(session, ws, name="strata", source="traffic", into="by_channel",
                                 design=sampling.Design(kind="stratified", size=3, stratify_by="channel"),
                                 every="1d", queue=None, actor="cli:test", now=T0)
        sampling.delete_schedule(session, ws, "daily", actor="cli:test")
    assert sampling.run_due_schedules(db, now=T0) == 1
    failed = runs(db)[-1]
    assert "metadata field 'channel' is on no item of traffic@1" in failed.outcome["error"]
    with db.reading() as session:
        assert session.scalar(select(AuditEvent.details).where(AuditEvent.action == "sample.schedule.run")
                              ) == failed.outcome


@pytest.mark.parametrize("every, message", [("daily", "is not a number and a unit"),
                                            ("30s", "shorter than a minute")])
def test_bad_periods_are_refused(every, message):
    with pytest.raises(InvalidInput, match=message):
        sampling.parse_period(every)


def test_schedules_from_the_cli_list_and_delete(db, database_url, workspace, tmp_path):
    add_traffic(db, tmp_path, 0, 6)
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200", "HONING_ACTOR": "ana"}
    made = runner.invoke(app, ["sample", "traffic", "--into", "review", "--design", "priority", "--size", "2",
                               "--every", "12h", "-w", workspace], env=env)
    assert made.exit_code == 0 and "schedule review: priority from the newest traffic" in made.output
    listed = runner.invoke(app, ["sample-schedule", "list", "-w", workspace, "--json"], env=env)
    body = json.loads(listed.output)
    assert [(s["name"], s["every_seconds"], s["design"]["kind"], s["runs"]) for s in body] == [
        ("review", 43200, "priority", 0)]
    again = runner.invoke(app, ["sample", "traffic", "--into", "review", "--size", "2", "--every", "1d",
                                "-w", workspace], env=env)
    assert "schedule 'review' already exists" in str(again.exception)
    gone = runner.invoke(app, ["sample-schedule", "delete", "review", "-w", workspace], env=env)
    assert gone.exit_code == 0
    assert json.loads(runner.invoke(app, ["sample-schedule", "list", "-w", workspace, "--json"],
                                    env=env).output) == []


def test_the_running_server_executes_due_schedules(db, database_url, workspace, tmp_path):
    add_traffic(db, tmp_path, 0, 6)
    with db.writing() as session:
        sampling.create_schedule(session, accounts.get_workspace(session, "helpdesk"), name="daily",
                                 source="traffic", into="review", design=sampling.Design(size=2),
                                 every="1d", queue=None, actor="cli:test")
    settings = Settings(home=tmp_path / "home", database_url=database_url, sampling_check_s=0.1)
    with TestClient(create_app(db, settings)):
        deadline = time.monotonic() + 20
        while not runs(db) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)  # a few more checks: the schedule is not due again
    assert len(runs(db)) == 1 and runs(db)[0].outcome["version"] == "review@1"
