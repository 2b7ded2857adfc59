"""The audit chain: every mutation appends an event; any edit in SQL is detected."""

from __future__ import annotations

import os
import subprocess
import sys

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
