"""The audit chain: every mutation appends an event; any edit in SQL is detected."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import text

from conftest import OPERATOR
from honing import accounts, audit, ingest
from honing.audit import GENESIS, event_hash
from records import record, write_jsonl


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HONING_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "honing", *args], env=env, text=True,
                          capture_output=True, timeout=120)


def test_mutations_append_chained_events(db, workspace, tmp_path):
    ingest.import_file(db, write_jsonl(tmp_path / "a.jsonl", [record(1)]), workspace=workspace,
                       dataset="d", actor="cli:test")
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "ana", "long enough password")
        accounts.set_role(session, OPERATOR, workspace, "ana", "rater")
    with db.reading() as session:
        events = list(reversed(audit.recent(session)))
        result = audit.verify(session)
    assert [e.action for e in events] == [
        "workspace.create", "dataset.create", "dataset.import", "user.create", "membership.set"]
    assert events[0].prev_hash == GENESIS
    for previous, event in zip(events, events[1:]):
        assert event.prev_hash == previous.hash
    # The hash is recomputable from the stored fields alone.
    e = events[-1]
    assert e.hash == event_hash(prev_hash=e.prev_hash, at=e.at, actor=e.actor, action=e.action,
                                target=e.target, workspace=e.workspace, details=e.details)
    assert result.ok and result.checked == 5


def test_verify_cli_exits_1_naming_the_tampered_event(db, workspace, database_url):
    with db.writing() as session:
        for name in ["ana", "ben", "cy"]:
            accounts.create_user(session, OPERATOR, name, "long enough password")
    ok = run_cli(database_url, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "4 events verified" in ok.stdout
    # -w as on every other command: the whole chain is walked, the workspace's share counted
    scoped = run_cli(database_url, "audit", "verify", "-w", workspace)
    assert scoped.returncode == 0, scoped.stderr
    assert f"4 events verified (1 in workspace {workspace})" in scoped.stdout
    unknown = run_cli(database_url, "audit", "verify", "-w", "nope")
    assert unknown.returncode != 0 and "nope" in unknown.stderr

    with db.engine.begin() as connection:
        target = connection.execute(text(
            "SELECT id FROM audit_event WHERE target = 'user:ben'")).scalar_one()
        connection.execute(text("UPDATE audit_event SET actor = 'cli:mallory' WHERE id = :id"),
                           {"id": target})
    broken = run_cli(database_url, "audit", "verify")
    assert broken.returncode == 1
    assert f"broken at event {target}" in broken.stderr
    assert "changed" in broken.stderr


def test_deleting_an_event_breaks_the_next_link(db, workspace):
    with db.writing() as session:
        for name in ["ana", "ben", "cy"]:
            accounts.create_user(session, OPERATOR, name, "long enough password")
    with db.engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM audit_event ORDER BY id"))]
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[2]})
    with db.reading() as session:
        result = audit.verify(session)
    assert not result.ok and result.broken_event_id == ids[3]
    assert "removed" in result.reason


def test_a_failed_mutation_leaves_no_event(db, workspace):
    with db.reading() as session:
        before = len(audit.recent(session, limit=1000))
    try:
        with db.writing() as session:
            accounts.create_user(session, OPERATOR, "dup", "long enough password")
            accounts.create_user(session, OPERATOR, "dup", "long enough password")
    except Exception:
        pass
    with db.reading() as session:
        assert len(audit.recent(session, limit=1000)) == before
        assert audit.verify(session).ok


def _unsealed(db, action: str) -> None:
    with db.writing() as session:
        audit.record(session, actor="api:rater", action=action, target="label:1", seal=False)


def test_events_written_unsealed_join_the_chain_in_order(db, workspace):
    _unsealed(db, "label.submit")
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "ana", "long enough password")  # sealed at once
    _unsealed(db, "label.submit")
    with db.reading() as session:
        before = audit.verify(session)
        events = sorted(audit.recent(session), key=lambda e: e.id)
    # A sealed event seals everything committed before it; only SQLite seals every event.
    expected_pending = 1 if db.dialect == "postgresql" else 0
    assert before.ok and before.pending == expected_pending
    assert before.checked == len(events) - expected_pending
    with db.writing() as session:
        assert audit.seal_pending(session) == expected_pending
        assert audit.seal_pending(session) == 0
    with db.reading() as session:
        after = audit.verify(session)
        events = sorted(audit.recent(session), key=lambda e: e.id)
    assert after.ok and after.pending == 0 and after.checked == len(events)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for previous, event in zip(events, events[1:]):
        assert event.prev_hash == previous.hash


def test_a_sealed_event_can_no_longer_be_changed_unnoticed(db, workspace):
    _unsealed(db, "label.submit")
    _unsealed(db, "label.submit")
    with db.writing() as session:
        audit.seal_pending(session)
    with db.engine.begin() as connection:
        last = connection.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
        connection.execute(text("UPDATE audit_event SET target = 'label:2' WHERE id = :id"), {"id": last})
    with db.reading() as session:
        result = audit.verify(session)
    assert not result.ok and result.broken_event_id == last


def test_the_server_seals_what_submits_leave_unsealed(db, workspace):
    from fastapi.testclient import TestClient

    from honing.api import create_app

    with TestClient(create_app(db)):  # the lifespan runs the sealer (PostgreSQL)
        _unsealed(db, "label.submit")
        deadline, pending = time.monotonic() + 10, None
        while pending != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            with db.reading() as session:
                pending = audit.verify(session).pending
    assert pending == 0  # while the server ran, not only at its shutdown
    with db.reading() as session:
        assert audit.verify(session).ok

