"""Retention: production items keep their raw text for N days, then only a PII-redacted
copy remains, in place, so versions and labels still point at it; dry run by default."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from honing import accounts, audit, datasets, ingest
from honing._errors import InvalidInput, NotFound
from honing.cli import app
from honing.storage import utcnow
from records import record, write_jsonl

EMAIL = "jane.doe@example.org"
PHONE = "+44 20 7946 0958"


def _items(db, workspace, tmp_path):
    rows = []
    for i in range(6):
        row = record(i, metadata={"source": "production" if i < 4 else "synthetic", "language": "en"})
        row["messages"][1]["content"] = f"My laptop #{i} is locked; mail me at {EMAIL} or call {PHONE}."
        row["responses"][0]["content"] = f"I will write to {EMAIL} shortly."
        rows.append(row)
    ingest.import_file(db, write_jsonl(tmp_path / "logs.jsonl", rows), workspace=workspace, dataset="logs",
                       actor="cli:test")


def _texts(db, workspace) -> list[str]:
    with db.reading() as session:
        version = datasets.resolve_version(session, datasets.get_dataset(
            session, accounts.get_workspace(session, workspace), "logs"), None)
        loaded = list(datasets.iter_loaded(session, datasets.version_item_ids(session, version)))
    return [s.item.messages[1].text + " | " + (s.item.responses[0].content or "") for s in loaded]


def test_dry_run_then_apply(db, workspace, tmp_path):
    _items(db, workspace, tmp_path)
    later = utcnow() + timedelta(days=31)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        datasets.set_retention_policy(session, ws, "logs", after_days=30, actor="cli:test")
        early = datasets.apply_retention(session, ws, actor="cli:test", dry_run=False)
        assert early.outcomes[0].due == 0  # imported today: still within 30 days
        dry = datasets.apply_retention(session, ws, actor="cli:test", now=later)
        assert dry.dry_run and (dry.outcomes[0].due, dry.outcomes[0].redacted) == (4, 0)
    assert all(EMAIL in t for t in _texts(db, workspace))  # a dry run changes nothing

    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        done = datasets.apply_retention(session, ws, actor="cli:test", dry_run=False, now=later)
        assert (done.outcomes[0].due, done.outcomes[0].redacted) == (4, 4)
        events = [e for e in audit.recent(session) if e.action == "dataset.retention"]
        assert events[0].details["redacted"] == 4 and EMAIL not in str(events[0].details)
    texts = _texts(db, workspace)
    assert all(EMAIL not in t and PHONE not in t and "<EMAIL_1>" in t for t in texts[:4])
    assert all(EMAIL in t for t in texts[4:])  # synthetic items are not covered
    with db.reading() as session:
        version = datasets.resolve_version(session, datasets.get_dataset(
            session, accounts.get_workspace(session, workspace), "logs"), None)
        marked = [s.item.metadata.get("retention") for s in
                  datasets.iter_loaded(session, datasets.version_item_ids(session, version))]
    assert [m is not None for m in marked] == [True] * 4 + [False] * 2
    assert marked[0]["after_days"] == 30 and marked[0]["mode"] == "placeholder"
    with db.writing() as session:
        again = datasets.apply_retention(session, accounts.get_workspace(session, workspace), actor="cli:test",
                                         dry_run=False, now=later)
        assert (again.outcomes[0].due, again.outcomes[0].already) == (0, 4)


def test_policies_are_checked(db, workspace, tmp_path, monkeypatch):
    _items(db, workspace, tmp_path)
    monkeypatch.delenv("HONING_PII_KEY", raising=False)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        with pytest.raises(InvalidInput):
            datasets.set_retention_policy(session, ws, "logs", after_days=-1, actor="cli:test")
        with pytest.raises(InvalidInput):
            datasets.set_retention_policy(session, ws, "logs", after_days=1, mode="shred", actor="cli:test")
        with pytest.raises(NotFound):
            datasets.apply_retention(session, ws, actor="cli:test", dataset="logs")
        datasets.set_retention_policy(session, ws, "logs", after_days=0, mode="hash", actor="cli:test")
        with pytest.raises(InvalidInput):  # no key for the hash: fails before anything changes
            datasets.apply_retention(session, ws, actor="cli:test", dry_run=False, now=utcnow() + timedelta(days=1))
    assert all(EMAIL in t for t in _texts(db, workspace))


def test_cli_is_a_dry_run_by_default(db, database_url, workspace, tmp_path, monkeypatch):
    _items(db, workspace, tmp_path)
    monkeypatch.setenv("HONING_DATABASE_URL", database_url)
    runner = CliRunner()
    done = runner.invoke(app, ["retention", "set", "logs", "-w", workspace, "--after-days", "0"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["retention", "list", "-w", workspace, "--json"])
    assert '"after_days": 0' in listed.output
    dry = runner.invoke(app, ["retention", "apply", "-w", workspace, "--json"])
    assert dry.exit_code == 0 and '"dry_run": true' in dry.output
    assert all(EMAIL in t for t in _texts(db, workspace))
