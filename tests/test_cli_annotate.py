"""Annotation through the CLI: schemas, rubric push, queues, gold items, suggestions."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import func, select

from annotation import RUBRIC
from honing import accounts, annotate, ingest
from honing.storage import ItemRow, Suggestion
from records import record, write_jsonl
from test_audit import run_cli


@pytest.fixture
def seeded(db, workspace, tmp_path):
    """A dataset `tickets@1` of six items and the demo rubric `helpdesk-compare@1`."""
    ingest.import_file(db, write_jsonl(tmp_path / "tickets.jsonl", [record(i) for i in range(6)]),
                       workspace=workspace, dataset="tickets", actor="cli:test")
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        annotate.push_rubric(session, ws, RUBRIC, source="rubric.yaml", actor="cli:test")
    return workspace


def create_queue(database_url, *options):
    return run_cli(database_url, "queue", "create", "triage", "-w", "helpdesk", "-d", "tickets@1",
                   "-r", "helpdesk-compare", *options)


def shown(database_url, queue="triage"):
    result = run_cli(database_url, "queue", "show", queue, "-w", "helpdesk", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def gold_line(i, **answers):
    return {"item": record(1000 + i, id=f"gold-{i}"),
            "answers": {"preference": "A>>B", "safety": {"A": "safe", "B": "safe"}, **answers},
            "tolerances": {"preference": {"direction_only": True}}}


def test_schema_commands_print_json_schemas(tmp_path):
    url = f"sqlite:///{tmp_path / 'unused.db'}"  # schemas need no database
    rubric = run_cli(url, "schema", "rubric")
    assert rubric.returncode == 0, rubric.stderr
    schema = json.loads(rubric.stdout)
    assert schema["title"] == "Honing rubric"
    assert schema["$schema"].endswith("2020-12/schema") and "questions" in schema["properties"]
    policy = run_cli(url, "schema", "queue-policy")
    assert policy.returncode == 0, policy.stderr
    schema = json.loads(policy.stdout)
    assert schema["title"] == "QueuePolicy"
    assert schema["properties"]["overlap"]["minimum"] == 1
    assert schema["additionalProperties"] is False


def test_rubric_push_creates_a_version_then_reports_unchanged(database_url, workspace, tmp_path):
    path = tmp_path / "helpdesk.yaml"
    path.write_text(RUBRIC)
    first = run_cli(database_url, "rubric", "push", str(path), "-w", "helpdesk")
    assert first.returncode == 0, first.stderr
    assert "created helpdesk-compare@1 (hash " in first.stdout
    again = run_cli(database_url, "rubric", "push", str(path), "-w", "helpdesk", "--json")
    assert again.returncode == 0, again.stderr
    pushed = json.loads(again.stdout)
    assert pushed["created"] is False and pushed["ref"] == "helpdesk-compare@1"

    path.write_text(RUBRIC.replace("IT helpdesk assistant - compare", "Helpdesk - compare"))
    changed = run_cli(database_url, "rubric", "push", str(path), "-w", "helpdesk")
    assert "created helpdesk-compare@2" in changed.stdout
    listed = json.loads(run_cli(database_url, "rubric", "list", "-w", "helpdesk", "--json").stdout)
    assert [r["ref"] for r in listed] == ["helpdesk-compare@1", "helpdesk-compare@2"]
    assert listed[0]["content_hash"] == pushed["content_hash"]
    assert listed[0]["actor"].startswith("cli:")
    table = run_cli(database_url, "rubric", "list", "-w", "helpdesk")
    assert "helpdesk-compare" in table.stdout and pushed["content_hash"][:12] in table.stdout


# Files are checked before the database is touched, so one backend is enough here.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("text, needles", [
    ("name: x\nquestions: 3\n", ["line 2", "questions"]),
    ("name: x\ntitle: [unclosed\ninstructions: hi\n", ["line 3", "not valid YAML"]),
])
def test_broken_rubric_exits_2_naming_the_line(database_url, workspace, tmp_path, text, needles):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    result = run_cli(database_url, "rubric", "push", str(path), "-w", "helpdesk")
    assert result.returncode == 2
    assert "broken.yaml" in result.stderr and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr
    listed = run_cli(database_url, "rubric", "list", "-w", "helpdesk", "--json")
    assert json.loads(listed.stdout) == []


def test_queue_create_with_options(database_url, seeded):
    result = create_queue(database_url, "--overlap", "2", "--gold-rate", "0.1", "--audit-rate",
                          "0.05", "--order", "stratified", "--stratify-by", "intent", "--no-blind",
                          "--show-metadata", "language, intent", "--per-rater-cap", "5",
                          "--lease-seconds", "600", "--qualification-min-score", "0.8",
                          "--turnaround-hours", "36", "--json")
    assert result.returncode == 0, result.stderr
    queue = json.loads(result.stdout)
    assert (queue["dataset_version"], queue["rubric_version"]) == ("tickets@1",
                                                                   "helpdesk-compare@1")
    assert queue["stats"]["live_items"] == 6
    assert {k: queue["policy"][k] for k in ["overlap", "gold_rate", "audit_rate", "order",
                                            "stratify_by", "blind", "show_metadata",
                                            "per_rater_cap", "lease_seconds",
                                            "qualification_min_score", "turnaround_hours"]} == {
        "overlap": 2, "gold_rate": 0.1, "audit_rate": 0.05, "order": "stratified",
        "stratify_by": "intent", "blind": False, "show_metadata": ["language", "intent"],
        "per_rater_cap": 5, "lease_seconds": 600, "qualification_min_score": 0.8,
        "turnaround_hours": 36}
    assert "due 36h" in run_cli(database_url, "queue", "show", "triage", "-w", "helpdesk").stdout

    plain = run_cli(database_url, "queue", "create", "second", "-w", "helpdesk", "-d", "tickets",
                    "-r", "helpdesk-compare@1")
    assert plain.returncode == 0, plain.stderr
    assert "created queue second: 6 items from tickets@1, rubric helpdesk-compare@1" in plain.stdout
    assert "policy: overlap 1, blind, gold 0%" in plain.stdout
    listed = json.loads(run_cli(database_url, "queue", "list", "-w", "helpdesk", "--json").stdout)
    assert [q["name"] for q in listed] == ["second", "triage"]
    log = json.loads(run_cli(database_url, "audit", "log", "--json").stdout)
    assert log[0]["action"] == "queue.create" and log[0]["actor"].startswith("cli:")


def test_queue_create_with_a_policy_file_and_overrides(database_url, seeded, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({"overlap": 3, "audit_rate": 0.2, "order": "priority",
                                      "priority_field": "urgency", "show_metadata": []}))
    result = create_queue(database_url, "--policy", str(policy), "--overlap", "2", "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)["policy"]
    assert (got["overlap"], got["audit_rate"], got["order"], got["priority_field"],
            got["show_metadata"]) == (2, 0.2, "priority", "urgency", [])


@pytest.mark.parametrize("backend", ["sqlite"])  # the policy is checked before the database
@pytest.mark.parametrize("policy, options, needles", [
    (None, ["--gold-rate", "2"], ["gold_rate", "less than or equal to 1"]),
    (None, ["--order", "sideways"], ["order"]),
    (None, ["--order", "stratified"], ["stratify_by"]),
    ({"lease_seconds": 0}, [], ["policy.yaml", "lease_seconds"]),
    ({"overlapp": 2}, [], ["policy.yaml", "overlapp"]),
    ("overlap: [2\n", [], ["policy.yaml", "line 2", "not valid YAML"]),
])
def test_invalid_policy_exits_2_naming_the_field(database_url, seeded, tmp_path, policy, options,
                                                 needles):
    if policy is not None:
        path = tmp_path / "policy.yaml"
        path.write_text(policy if isinstance(policy, str) else yaml.safe_dump(policy))
        options = ["--policy", str(path), *options]
    result = create_queue(database_url, *options)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr
    listed = run_cli(database_url, "queue", "list", "-w", "helpdesk", "--json")
    assert json.loads(listed.stdout) == []


def test_queue_show_reports_stats(database_url, seeded):
    assert create_queue(database_url, "--overlap", "2").returncode == 0
    queue = shown(database_url)
    assert queue["name"] == "triage" and queue["status"] == "active"
    assert queue["stats"] == {"live_items": 6, "complete_items": 0, "labels": 0,
                              "active_leases": 0, "gold_items": 0, "qualification_items": 0,
                              "open_escalations": 0}
    text = run_cli(database_url, "queue", "show", "triage", "-w", "helpdesk")
    assert "live items" in text.stdout and "overlap 2" in text.stdout
    missing = run_cli(database_url, "queue", "show", "nope", "-w", "helpdesk")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_queue_reference_validates_every_line_before_adding(database_url, db, seeded, tmp_path):
    assert create_queue(database_url).returncode == 0
    lines = [gold_line(i) for i in range(3)]
    lines[1]["item"]["messages"][0]["role"] = "robot"
    path = write_jsonl(tmp_path / "gold.jsonl", lines)
    bad_item = run_cli(database_url, "queue", "reference", "triage", str(path), "-w", "helpdesk",
                       "--kind", "gold")
    assert bad_item.returncode == 2
    assert "gold.jsonl, line 2, field 'item.messages[0].role'" in bad_item.stderr
    assert "nothing was added" in bad_item.stderr

    # An answer the rubric rejects is named by its line in the file (a blank line included).
    lines[1]["item"]["messages"][0]["role"] = "system"
    lines[2]["answers"]["preference"] = "sideways"
    path.write_text("\n".join(json.dumps(line) for line in lines[:2]) + "\n\n"
                    + json.dumps(lines[2]) + "\n")
    bad_answer = run_cli(database_url, "queue", "reference", "triage", str(path), "-w",
                         "helpdesk", "--kind", "gold")
    assert bad_answer.returncode == 2
    assert "gold.jsonl, line 4, field 'answers.preference'" in bad_answer.stderr
    assert shown(database_url)["stats"]["gold_items"] == 0

    bad_kind = run_cli(database_url, "queue", "reference", "triage", str(path), "-w", "helpdesk",
                       "--kind", "silver")
    assert bad_kind.returncode == 2 and "gold or qualification" in bad_kind.stderr

    lines[2]["answers"]["preference"] = "A>B"
    write_jsonl(path, lines)
    added = run_cli(database_url, "queue", "reference", "triage", str(path), "-w", "helpdesk",
                    "--kind", "gold", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"queue": "triage", "kind": "gold", "added": 3}
    qualification = run_cli(database_url, "queue", "reference", "triage", str(path), "-w",
                            "helpdesk", "--kind", "qualification")
    assert "added 3 qualification item(s) to queue triage" in qualification.stdout
    stats = shown(database_url)["stats"]
    assert (stats["gold_items"], stats["qualification_items"]) == (3, 3)
    with db.reading() as session:  # the interchange `id` is the item's external id
        ids = set(session.scalars(select(ItemRow.external_id).where(
            ItemRow.external_id.like("gold-%"))))
    assert ids == {"gold-0", "gold-1", "gold-2"}


def test_suggestions_add(database_url, db, seeded, tmp_path):
    with db.reading() as session:
        item_ids = sorted(session.scalars(select(ItemRow.id)))[:2]
    suggestions = [
        {"item_id": item_ids[0], "question": "safety", "value": {"A": "safe", "B": "unsafe"},
         "source": "guard-model", "score": 0.91},
        {"item_id": item_ids[1], "question": "preference", "value": "A>B", "source": "judge",
         "score": None},
    ]
    bad = write_jsonl(tmp_path / "bad.jsonl",
                      [suggestions[0], {**suggestions[1], "item_id": 10**9}])
    rejected = run_cli(database_url, "suggestions", "add", str(bad), "-w", "helpdesk")
    assert rejected.returncode == 2
    assert "bad.jsonl, line 2, field 'item_id'" in rejected.stderr
    malformed = write_jsonl(tmp_path / "malformed.jsonl", [{"item_id": "x", "question": "q"}])
    invalid = run_cli(database_url, "suggestions", "add", str(malformed), "-w", "helpdesk")
    assert invalid.returncode == 2
    assert "line 1, field 'item_id'" in invalid.stderr and "field 'source'" in invalid.stderr

    good = write_jsonl(tmp_path / "suggestions.jsonl", suggestions)
    added = run_cli(database_url, "suggestions", "add", str(good), "-w", "helpdesk")
    assert added.returncode == 0, added.stderr
    assert "added 2 suggestion(s)" in added.stdout
    with db.reading() as session:
        rows = session.execute(select(Suggestion.item_id, Suggestion.question, Suggestion.value,
                                      Suggestion.source, Suggestion.score)
                               .order_by(Suggestion.item_id)).all()
        count = session.scalar(select(func.count()).select_from(Suggestion))
    assert count == 2
    assert [tuple(r) for r in rows] == [
        (item_ids[0], "safety", {"A": "safe", "B": "unsafe"}, "guard-model", 0.91),
        (item_ids[1], "preference", "A>B", "judge", None)]
