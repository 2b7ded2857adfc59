"""Migration imports: Label Studio, Argilla and Langfuse exports (written by those tools' own
SDK code, see tests/fixtures/migration/generate.py) come in with their human labels, and
agreement on them equals what the krippendorff package computes from the export itself."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sqlalchemy import func, select

from conftest import OPERATOR
from honing import accounts, annotate, datasets, feedback
from honing._errors import HoningError, InvalidInput
from honing.ingest import migrate
from honing.storage import Label, Suggestion, User
from test_audit import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "migration"
LS_EXPORT = FIXTURES / "label_studio_export.json"
LS_CONFIG = FIXTURES / "label_studio_config.xml"
ARGILLA_FLAT = FIXTURES / "argilla_records_flat.json"
ARGILLA_NESTED = FIXTURES / "argilla_records.json"
ARGILLA_SETTINGS = FIXTURES / "argilla_settings.json"
LANGFUSE = FIXTURES / "langfuse_traces.json"


def oracle(units: dict[str, dict[str, object]], level: str, domain: list[object] | None = None) -> float:
    """Krippendorff's alpha by the krippendorff package: units -> {rater: value}."""
    raters = sorted({r for answers in units.values() for r in answers})
    values = sorted({v for answers in units.values() for v in answers.values()}, key=str)
    code = {v: float(v) if isinstance(v, int | float) else float(i) for i, v in enumerate(values)}
    data = np.array([[code[units[u][r]] if r in units[u] else np.nan for u in sorted(units)]
                     for r in raters])
    kwargs = {"value_domain": [float(v) for v in domain]} if domain else {}
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level, **kwargs))


def label_studio_units(control: str, read) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    """Straight from the export file: each task's submitted answers to one control."""
    units: dict[str, dict[str, object]] = defaultdict(dict)
    for task in json.loads(LS_EXPORT.read_text()):
        for annotation in task["annotations"]:
            if annotation.get("was_cancelled"):
                continue
            for result in annotation["result"]:
                if result["from_name"] == control:
                    units[str(task["id"])][str(annotation["completed_by"])] = read(result["value"])
    return units


def argilla_units(question: str) -> dict[str, dict[str, object]]:
    units: dict[str, dict[str, object]] = defaultdict(dict)
    for row in json.loads(ARGILLA_FLAT.read_text()):
        for value, user, status in zip(row.get(f"{question}.responses") or [],
                                       row.get(f"{question}.responses.users") or [],
                                       row.get(f"{question}.responses.status") or [], strict=True):
            if status == "submitted" and value is not None:
                units[row["id"]][user] = value
    return units


def agreement(database_url: str, queue: str) -> dict[tuple[str, str], dict]:
    done = run_cli(database_url, "quality", "agreement", "-q", queue, "-w", "helpdesk",
                   "--resamples", "0", "--json")
    assert done.returncode == 0, done.stderr
    return {(row["question"], row["coefficient"]): row for row in json.loads(done.stdout)}


def test_label_studio_export_imports_with_labels_and_krippendorff_agreement(db, database_url, workspace,
                                                                           tmp_path):
    with db.writing() as session:  # an annotator who already has a Honing account keeps it
        accounts.create_user(session, OPERATOR, "alice", "correct horse battery")
    done = run_cli(database_url, "import", str(LS_EXPORT), "-w", workspace, "--into", "support",
                   "--format", "label-studio", "--config", str(LS_CONFIG), "--json",
                   "--rater-map", str(write(tmp_path / "raters.json", {"1": "alice"})))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["version"] == "support@1" and result["items"] == 8
    assert result["questions_from"] == "from the labeling config"
    # 22 annotations, one cancelled; annotator 1 is alice, the others get rater accounts
    assert result["labels_added"] == 21 and result["labels_already_there"] == 0
    assert result["raters"] == {"1": "alice", "2": "label-studio-2", "3": "label-studio-3"}
    assert result["raters_created"] == ["label-studio-2", "label-studio-3"]

    rows = agreement(database_url, "support")
    sentiment = label_studio_units("sentiment", lambda v: v["choices"][0])
    quality = label_studio_units("quality", lambda v: v["rating"])
    preference = label_studio_units("preference", lambda v: {"left": 1, "right": -1}[v["selected"]])
    assert len(sentiment) == 8 and sum(len(u) for u in quality.values()) == 20  # one rating left out
    checks = [
        (("sentiment", "alpha (nominal)"), oracle(sentiment, "nominal")),
        (("quality", "alpha (ordinal)"), oracle(quality, "ordinal", [1, 2, 3, 4, 5])),
        (("quality", "alpha (interval)"), oracle(quality, "interval")),
        (("preference", "alpha (ordinal, strength)"), oracle(preference, "ordinal", [-2, -1, 0, 1, 2])),
        (("preference", "alpha (nominal, direction A/tie/B)"), oracle(preference, "nominal")),
    ]
    for key, expected in checks:
        assert rows[key]["value"] == pytest.approx(expected, abs=1e-9), key
    assert 0 < rows[("sentiment", "alpha (nominal)")]["value"] < 1  # some disagreement


def write(path: Path, body: dict) -> Path:
    path.write_text(json.dumps(body))
    return path


def test_argilla_export_imports_with_labels_and_krippendorff_agreement(db, database_url, workspace, tmp_path):
    rater_map = write(tmp_path / "raters.yaml", {"5a1f3c7e-0b6e-4d3e-9a59-1c2f0e8d9a01": "ana",
                                                 "8c2d4e6f-1a2b-4c3d-8e9f-0a1b2c3d4e02": "ben",
                                                 "d3e4f5a6-b7c8-4d9e-8f0a-1b2c3d4e5f03": "cleo"})
    done = run_cli(database_url, "import", str(ARGILLA_FLAT), "-w", workspace, "--into", "answers",
                   "--format", "argilla", "--config", str(ARGILLA_SETTINGS), "--rater-map",
                   str(rater_map), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["questions_from"] == "from the dataset settings"
    # 3 users x 8 records, one never annotated, a draft and a discarded one left out
    assert result["labels_added"] == 21
    assert sorted(result["raters_created"]) == ["ana", "ben", "cleo"]
    assert any("3 draft responses left out" == w for w in result["warnings"])

    rows = agreement(database_url, "answers")
    relevance, quality = argilla_units("relevance"), argilla_units("quality")
    assert any(len(u) == 2 for u in quality.values())  # a missing answer
    for key, expected in [
        (("relevance", "alpha (nominal)"), oracle(relevance, "nominal")),
        (("quality", "alpha (ordinal)"), oracle(quality, "ordinal", [1, 2, 3, 4, 5])),
        (("quality", "alpha (interval)"), oracle(quality, "interval")),
    ]:
        assert rows[key]["value"] == pytest.approx(expected, abs=1e-9), key
    with db.reading() as session:
        topics = session.scalars(select(Label.answers)).all()
    assert all(isinstance(a["topics"], list) for a in topics if "topics" in a)


def test_reimporting_the_same_export_adds_nothing_and_keeps_provenance(db, workspace):
    first = migrate.import_migration(db, LS_EXPORT, tool="label-studio", workspace=workspace,
                                     dataset="support", actor="cli:test", config=LS_CONFIG)
    again = migrate.import_migration(db, LS_EXPORT, tool="label-studio", workspace=workspace,
                                     dataset="support", actor="cli:test", config=LS_CONFIG)
    assert first.labels_added == 21 and first.version_created and first.queue_created
    assert first.suggestions_added == 8  # the model's sentiment prediction on each task
    assert (again.version_created, again.queue_created, again.labels_added,
            again.labels_already_there, again.raters_created, again.suggestions_added) == (
        False, False, 0, 21, [], 0)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Label)) == 21
        row = session.execute(select(Label.provenance, Label.submitted_at, User.username)
                              .join(User, User.id == Label.rater_id)
                              .where(Label.provenance["annotation_id"].as_integer() == 101)).one()
        queue = annotate.get_queue(session, accounts.get_workspace(session, workspace), "support")
        stats = annotate.queue_stats(session, queue)
        suggestions = session.execute(select(Suggestion.question, Suggestion.value, Suggestion.source,
                                             Suggestion.score)).all()
        item = datasets.load_items(session, [session.scalar(select(Label.item_id).where(
            Label.provenance["annotation_id"].as_integer() == 101))])[0].item
    assert row.username == "label-studio-1"
    assert row.provenance["tool"] == "label-studio" and row.provenance["task_id"] == 1000
    assert row.submitted_at.isoformat().startswith("2026-11-02T09:09")  # the tool's own time
    assert stats["live_items"] == 8 and stats["labels"] == 21
    assert ("sentiment", "Neutral", "label-studio:sentiment-v2", 0.8) in [tuple(r) for r in suggestions]
    assert item.metadata["migrated_from"] == {"tool": "label-studio", "task_id": 1000, "project": 7,
                                              "created_at": "2026-11-02T09:00:00+00:00"}
    assert [r.content for r in item.responses] == ["Use the 'Forgot password' link on the sign-in page.",
                                                   "Contact support and wait."]


def test_imported_rater_accounts_cannot_sign_in_until_given_a_password(db, workspace):
    migrate.import_migration(db, LS_EXPORT, tool="label-studio", workspace=workspace, dataset="support",
                             actor="cli:test", config=LS_CONFIG)
    with pytest.raises(HoningError):
        accounts.login(db, "label-studio-2", "")
    with db.writing() as session:
        accounts.reset_password(session, OPERATOR, "label-studio-2",
                                accounts.hash_new_password("label-studio-2", "correct horse battery"))
    user, _ = accounts.login(db, "label-studio-2", "correct horse battery")
    assert user.username == "label-studio-2"
    with db.reading() as session:
        roles = {u.username: role for u, role in accounts.members(session, workspace)}
    assert roles["label-studio-2"] == "rater"


def test_questions_derived_without_a_config(db, workspace):
    done = migrate.import_migration(db, LS_EXPORT, tool="label-studio", workspace=workspace,
                                    dataset="support", actor="cli:test")
    assert done.questions_from == "derived from the annotations' results"
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        rubric = annotate.load_rubric(session, annotate.resolve_rubric_version(session, ws, done.rubric).id)
    kinds = {q.id: q.type for q in rubric.questions}
    assert kinds == {"sentiment": "label", "quality": "likert", "preference": "pairwise", "comment": "text"}
    flat = migrate.read_migration(ARGILLA_FLAT, "argilla")
    assert {q.id: q.type for q in flat.questions.values()} == {
        "relevance": "label", "quality": "likert", "topics": "multi_label", "notes": "text"}


def test_the_nested_argilla_export_says_statuses_are_unknown(db, workspace):
    done = migrate.import_migration(db, ARGILLA_NESTED, tool="argilla", workspace=workspace,
                                    dataset="answers", actor="cli:test", config=ARGILLA_SETTINGS)
    # The nested form has no status, so drafts and discarded responses come in too.
    assert done.labels_added == 23
    assert any("imported as submitted" in w for w in done.warnings)
    assert all(u.startswith("argilla-") for u in done.raters.values())


def test_langfuse_traces_become_items_labels_and_feedback_signals(db, workspace):
    done = migrate.import_migration(db, LANGFUSE, tool="langfuse", workspace=workspace, dataset="traffic",
                                    actor="cli:test", rater_map={"clx-alice": "alice"})
    assert (done.items, done.labels_added, done.signals_added) == (4, 7, 4)
    assert done.raters == {"clx-alice": "alice", "clx-bob": "langfuse-clx-bob"}
    with db.reading() as session:
        version = datasets.resolve_version(session, datasets.get_dataset(
            session, accounts.get_workspace(session, workspace), "traffic"), None)
        ids = list(datasets.version_item_ids(session, version))
        items = [s.item for s in datasets.load_items(session, ids)]
        signals = {i: [s.signal for s in feedback.item_signals(session, item_id)]
                   for i, item_id in enumerate(ids)}
        answers = [(label.provenance["trace_id"], label.answers)
                   for label in session.scalars(select(Label))]
    first = items[0]
    assert [m.role for m in first.messages] == ["system", "user"]
    assert first.responses[0].model == "gpt-4o-mini-2024-07-18"
    assert (first.responses[0].tokens.prompt, first.responses[0].tokens.completion) == (42, 17)
    assert first.responses[0].latency_ms == pytest.approx(1200)
    assert first.metadata["migrated_from"]["trace_id"] == "trace-0000"
    assert first.metadata["langfuse_scores"] == {"hallucination": 0.0}  # an evaluator's, not a label
    assert ("trace-0001", {"correctness": "incorrect", "helpfulness": 1}) in answers
    assert ("trace-0003", {"correctness": "incorrect", "helpfulness": 2}) in answers  # bob skipped it
    assert [(s.kind.value, s.value) for s in signals[0]] == [("thumbs", 1.0)]
    assert [(s.kind.value, s.value, s.text) for s in signals[1]] == [
        ("thumbs", -1.0, None), ("comment", None, "that is wrong, refunds end at 30 days")]
    assert signals[2] == [] and signals[1][0].source == "langfuse" and signals[1][0].author == "end-user-1"

    again = migrate.import_migration(db, LANGFUSE, tool="langfuse", workspace=workspace, dataset="traffic",
                                     actor="cli:test", rater_map={"clx-alice": "alice"})
    assert (again.labels_added, again.signals_added, again.version_created) == (0, 0, False)


def test_a_bad_export_imports_nothing(db, workspace, tmp_path, database_url):
    broken = tmp_path / "tasks.json"
    tasks = json.loads(LS_EXPORT.read_text())
    tasks[3]["annotations"][0]["result"].append(
        {"from_name": "tone", "to_name": "prompt", "type": "choices", "value": {"choices": ["Rude"]}})
    broken.write_text(json.dumps(tasks))
    with pytest.raises(InvalidInput, match="control 'tone' is not in the labeling config"):
        migrate.import_migration(db, broken, tool="label-studio", workspace=workspace, dataset="support",
                                 actor="cli:test", config=LS_CONFIG)
    tasks[3]["annotations"][0]["result"][-1]["value"]["choices"] = ["Positive"]
    tasks[3]["annotations"][0]["result"][-1]["from_name"] = "sentiment"
    tasks[3]["annotations"][0]["result"][-1]["value"]["choices"] = ["Ecstatic"]
    broken.write_text(json.dumps(tasks))
    with pytest.raises(InvalidInput, match="do not fit the rubric"):
        migrate.import_migration(db, broken, tool="label-studio", workspace=workspace, dataset="support",
                                 actor="cli:test", config=LS_CONFIG)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        assert datasets.list_datasets(session, ws) == []
        assert session.scalar(select(func.count()).select_from(User)) == 0
    not_export = tmp_path / "object.json"
    not_export.write_text('{"hello": 1}')
    done = run_cli(database_url, "import", str(not_export), "-w", workspace, "--into", "x",
                   "--format", "label-studio")
    assert done.returncode == 2 and "is not a Label Studio JSON export" in done.stderr


def test_upload_route_imports_an_argilla_export_for_workspace_admins(db, settings, workspace):
    from fastapi.testclient import TestClient

    from conftest import make_user
    from honing.accounts import Role
    from honing.api import create_app

    lead, admin = make_user(db, "lee", Role.lead), make_user(db, "ada", Role.admin)
    send = lambda token, **extra: client.post(  # noqa: E731
        "/api/workspaces/helpdesk/datasets/answers/migrations", headers={"authorization": f"Bearer {token}"},
        files={"file": ("records.json", ARGILLA_FLAT.read_bytes()),
               "config": ("settings.json", ARGILLA_SETTINGS.read_bytes())},
        data={"format": "argilla", **extra})
    with TestClient(create_app(db, settings)) as client:
        assert send(lead).status_code == 403  # it makes rater members: an admin's call
        created = send(admin, rater_map=json.dumps({"5a1f3c7e-0b6e-4d3e-9a59-1c2f0e8d9a01": "ana"}))
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["version"], body["labels_added"], body["queue"]) == ("answers@1", 21, "answers")
        assert body["suggestions_added"] == 8
        assert body["raters"]["5a1f3c7e-0b6e-4d3e-9a59-1c2f0e8d9a01"] == "ana"
        again = send(admin, rater_map=json.dumps({"5a1f3c7e-0b6e-4d3e-9a59-1c2f0e8d9a01": "ana"}))
        assert again.status_code == 201 and again.json()["labels_added"] == 0
        assert again.json()["suggestions_added"] == 0
        bad = send(admin, rater_map="[1, 2]")
        assert bad.status_code == 422 and "rater_map" in bad.json()["message"]


def test_annotators_by_email_map_to_existing_users_and_the_newest_annotation_counts(db, workspace, tmp_path):
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "bob", "correct horse battery")
    tasks = json.loads(LS_EXPORT.read_text())
    for task in tasks:
        for annotation in task["annotations"]:
            if annotation["completed_by"] == 2:  # older exports write the user object
                annotation["completed_by"] = {"id": 2, "email": "bob@example.com"}
    older = json.loads(json.dumps(tasks[0]["annotations"][1]))
    older.update(id=999, updated_at="2026-10-01T00:00:00Z")
    older["result"][0]["value"]["choices"] = ["Positive"]
    tasks[0]["annotations"].append(older)  # bob's earlier try on the same task
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks))
    done = migrate.import_migration(db, path, tool="label-studio", workspace=workspace, dataset="support",
                                    actor="cli:test", config=LS_CONFIG)
    assert done.raters["bob@example.com"] == "bob" and "bob" not in done.raters_created
    assert "1 older annotations by the same annotator on a task left out" in done.warnings
    with db.reading() as session:
        bob = session.execute(select(Label.answers, Label.provenance).join(User, User.id == Label.rater_id)
                              .where(User.username == "bob",
                                     Label.provenance["task_id"].as_integer() == 1000)).all()
    assert [(a["sentiment"], p["annotation_id"]) for a, p in bob] == [("Neutral", 102)]


def test_imported_pairwise_labels_export_as_preference_pairs(db, database_url, workspace, tmp_path):
    migrate.import_migration(db, LS_EXPORT, tool="label-studio", workspace=workspace, dataset="support",
                             actor="cli:test", config=LS_CONFIG, queue="support-review")
    out = tmp_path / "dpo.jsonl"
    done = run_cli(database_url, "export", "support-review", "-w", workspace, "--format", "dpo",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    first = next(r for r in rows if r["prompt"][0]["content"] == "How do I reset my password?")
    # both annotators of task 1000 chose the left answer (answer1)
    assert first["chosen"][0]["content"] == "Use the 'Forgot password' link on the sign-in page."
    assert first["raters"] == ["label-studio-1", "label-studio-2"] and first["agreement"] == 1.0


def test_langfuse_observations_and_scores_fetched_apart_are_joined_by_trace(tmp_path):
    # GET /api/public/traces lists observation and score ids; their objects come from
    # /api/public/observations and /api/public/scores, saved beside the traces.
    traces = json.loads(LANGFUSE.read_text())["data"]
    observations = [o for t in traces for o in t["observations"]]
    scores = [s for t in traces for s in t["scores"]]
    for trace in traces:
        trace["observations"] = [o["id"] for o in trace["observations"]]
        trace["scores"] = [s["id"] for s in trace["scores"]]
    path = tmp_path / "langfuse.json"
    path.write_text(json.dumps({"data": traces, "observations": {"data": observations},
                                "scores": {"data": scores}}))
    apart = migrate.read_migration(path, "langfuse")
    whole = migrate.read_migration(LANGFUSE, "langfuse")
    assert [r.item for r in apart.records] == [r.item for r in whole.records]
    assert [r.labels for r in apart.records] == [r.labels for r in whole.records]
    assert [r.signals for r in apart.records] == [r.signals for r in whole.records]
