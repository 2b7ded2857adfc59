"""Scratch and archived suites: `eval run FILE` stores a scratch suite (not held out) unless
the file says `held_out: true`; the contamination check and the exports that refuse
contaminated rows look at held-out suites that are not archived, unless a suite is named;
archived suites leave `suite list` (but `--all`) and stay readable for their runs and
reports; every change is audited."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from honing import accounts, audit, evaluate, release
from honing._errors import NotFound
from honing.cli import app
from honing.datasets.contamination import find_contamination
from test_contamination import PARAPHRASES, SCENARIOS, _conversation, _train

LEAKED = "badge-access"  # the scenario whose paraphrase is in the training data
OTHER = "vpn-token"


def write_suite(directory, name: str, scenario_id: str, *, held_out: bool | None = None):
    directory.mkdir(parents=True, exist_ok=True)
    header = {"name": name, **({"held_out": held_out} if held_out is not None else {}),
              "scenarios": [{"id": scenario_id, "input": SCENARIOS[scenario_id],
                             "expect": [{"type": "contains", "value": "ok"}]}]}
    (directory / "suite.yaml").write_text(yaml.safe_dump(header, sort_keys=False))
    return directory / "suite.yaml"


def cli(database_url, *args):
    return CliRunner().invoke(app, list(args), env={"HONING_DATABASE_URL": database_url, "COLUMNS": "200"})


def eval_run_file(database_url, workspace, path, tmp_path, scenario_id):
    replay = tmp_path / f"replay-{path.parent.name}.jsonl"
    replay.write_text(json.dumps({"scenario_id": scenario_id, "content": "ok"}) + "\n")
    result = cli(database_url, "eval", "run", str(path), "-t", f"replay:{replay}", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])["run_id"]


def listed(database_url, workspace, *extra):
    result = cli(database_url, "suite", "list", "-w", workspace, "--json", *extra)
    assert result.exit_code == 0, result.output
    return {row["ref"].split("@")[0]: row for row in json.loads(result.output)}


def contaminated_by(db, workspace, suites=None) -> tuple[list[str], set[str]]:
    with db.reading() as session:
        report = find_contamination(session, accounts.get_workspace(session, workspace), "train", suites)
    return report.suites, {m.scenario_id for m in report.matches}


@pytest.fixture
def training(db, workspace, tmp_path):
    """Training data holding a paraphrase of one scenario; nothing else overlaps."""
    _train(db, tmp_path, [_conversation(0, PARAPHRASES[LEAKED]), _conversation(1, "Where is the canteen?")])


def test_eval_run_file_stores_a_scratch_suite_the_check_does_not_use(db, database_url, workspace, tmp_path,
                                                                     training):
    scratch = write_suite(tmp_path / "scratch", "tryout", LEAKED)
    run_id = eval_run_file(database_url, workspace, scratch, tmp_path, LEAKED)
    held = write_suite(tmp_path / "held", "regression", OTHER)
    pushed = cli(database_url, "suite", "push", str(held), "-w", workspace, "--json")
    assert pushed.exit_code == 0 and json.loads(pushed.output)["held_out"] is True
    rows = listed(database_url, workspace)
    assert rows["tryout"]["held_out"] is False and rows["regression"]["held_out"] is True
    assert "no (scratch)" in cli(database_url, "suite", "list", "-w", workspace).output

    # By default only held-out suites count: the scratch suite's leaked scenario does not.
    assert contaminated_by(db, workspace) == (["regression@1"], set())
    check = cli(database_url, "contamination", "check", "--train", "train", "-w", workspace)
    assert check.exit_code == 0 and "clean" in check.output
    # Named, any suite is used.
    assert contaminated_by(db, workspace, ["tryout"]) == (["tryout@1"], {LEAKED})
    named = cli(database_url, "contamination", "check", "--train", "train", "--suite", "tryout", "-w", workspace)
    assert named.exit_code == 1 and LEAKED in named.output

    # Marked held out, it counts; pushing its file again through eval run keeps the mark.
    marked = cli(database_url, "suite", "mark", "tryout", "--held-out", "-w", workspace)
    assert marked.exit_code == 0 and "now held out" in marked.output
    assert contaminated_by(db, workspace) == (["regression@1", "tryout@1"], {LEAKED})
    eval_run_file(database_url, workspace, scratch, tmp_path, LEAKED)
    assert listed(database_url, workspace)["tryout"]["held_out"] is True
    again = cli(database_url, "suite", "mark", "tryout", "--not-held-out", "-w", workspace)
    assert again.exit_code == 0 and "now not held out" in again.output
    assert contaminated_by(db, workspace)[1] == set()
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        assert evaluate.get_run(session, ws, run_id).status == "completed"
        events = [(e.action, e.target) for e in audit.recent(session, workspace=workspace)]
    assert ("suite.mark", "suite:tryout") in events and events.count(("suite.mark", "suite:tryout")) == 2


def test_the_file_decides_held_out_either_way(db, database_url, workspace, tmp_path):
    held = write_suite(tmp_path / "a", "declared-held", LEAKED, held_out=True)
    eval_run_file(database_url, workspace, held, tmp_path, LEAKED)
    scratch = write_suite(tmp_path / "b", "declared-scratch", OTHER, held_out=False)
    assert cli(database_url, "suite", "push", str(scratch), "-w", workspace).exit_code == 0
    rows = listed(database_url, workspace)
    assert rows["declared-held"]["held_out"] is True and rows["declared-scratch"]["held_out"] is False
    # A later push whose file says otherwise changes the mark (and audits it), without a new version.
    with db.writing() as session:
        pushed = evaluate.push_suite(session, accounts.get_workspace(session, workspace),
                                     write_suite(tmp_path / "b", "declared-scratch", OTHER, held_out=True),
                                     actor="cli:test")
    assert not pushed.created and pushed.held_out is True
    with db.reading() as session:
        actions = [e.action for e in audit.recent(session, workspace=workspace)]
    assert "suite.mark" in actions


def test_archived_suites_leave_lists_and_the_check_but_their_runs_and_reports_stay(
        db, database_url, workspace, tmp_path, training):
    path = write_suite(tmp_path / "held", "regression", LEAKED)
    assert cli(database_url, "suite", "push", str(path), "-w", workspace).exit_code == 0
    run_id = eval_run_file(database_url, workspace, path, tmp_path, LEAKED)  # the stored suite, unchanged
    assert contaminated_by(db, workspace) == (["regression@1"], {LEAKED})

    archived = cli(database_url, "suite", "archive", "regression", "-w", workspace)
    assert archived.exit_code == 0 and "archived suite regression" in archived.output
    assert "already archived" in cli(database_url, "suite", "archive", "regression", "-w", workspace).output
    assert "regression" not in listed(database_url, workspace)
    everything = listed(database_url, workspace, "--all")
    assert everything["regression"]["archived_at"] and everything["regression"]["held_out"] is True
    assert contaminated_by(db, workspace) == ([], set())
    assert contaminated_by(db, workspace, ["regression"]) == (["regression@1"], {LEAKED})

    # The run of the archived suite still shows, compares, gates and reports; its name still resolves.
    shown = cli(database_url, "eval", "show", str(run_id), "-w", workspace)
    assert shown.exit_code == 0 and "regression@1" in shown.output
    policy = release.parse_gate_policy("name: p\nmin_n: 1\nrules:\n  - {metric: pass_rate, tier: important, "
                                       "min: 0.5}\n")
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        report = release.build_release_report(session, ws, policy, run_id)
        _, version = evaluate.resolve_suite_version(session, ws, "regression")
    assert report.gate.decision == "pass" and version.number == 1
    written = release.write_release_report(report, tmp_path / "report")
    assert "regression@1" in written["summary.md"].read_text()

    unarchived = cli(database_url, "suite", "unarchive", "regression", "-w", workspace)
    assert unarchived.exit_code == 0 and "unarchived suite regression" in unarchived.output
    assert "regression" in listed(database_url, workspace)
    assert contaminated_by(db, workspace) == (["regression@1"], {LEAKED})
    with db.reading() as session:
        actions = [e.action for e in audit.recent(session, workspace=workspace)]
    assert actions.count("suite.archive") == 1 and actions.count("suite.unarchive") == 1


def test_unknown_suites_are_refused(db, database_url, workspace):
    for command in (["archive", "nope"], ["unarchive", "nope"], ["mark", "nope", "--held-out"]):
        result = cli(database_url, "suite", *command, "-w", workspace)
        assert isinstance(result.exception, NotFound) and "suite 'nope' does not exist" in str(result.exception)
    assert cli(database_url, "suite", "mark", "nope", "-w", workspace).exit_code == 2  # --held-out or not: required


def test_exports_refuse_rows_of_held_out_suites_only(db, workspace, tmp_path):
    from judge_fixtures import labeled_queue
    from test_training_export import read, run

    queue = labeled_queue(db, workspace, tmp_path, name="cont", items=6)
    everything = read(run(db, workspace, f"queue:{queue}", tmp_path / "all.jsonl", format="kto",
                          allow_contaminated=True).files["train"])
    leaked = everything[0]["item_id"]
    from honing import datasets

    with db.reading() as session:
        prompt = next(m.text for m in datasets.load_items(session, [leaked])[0].item.messages if m.role == "user")
    words = prompt.split()
    paraphrase = " ".join(["Hello,", *words[:-2], "- please", "help,", *words[-2:]])  # as test_training_export
    (tmp_path / "suite.yaml").write_text(json.dumps({"name": "tryout", "scenarios": [
        {"id": "leak", "input": paraphrase}, {"id": "other", "input": "Printer on floor 3 jams on every job."}]}))
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        evaluate.push_suite(session, ws, tmp_path / "suite.yaml", actor="cli:test", scratch=True)

    def exported(**options) -> set[int]:
        done = run(db, workspace, f"queue:{queue}", tmp_path / "out.jsonl", format="kto", **options)
        return {r["item_id"] for r in read(done.files["train"])}

    everyone = {r["item_id"] for r in everything}
    assert exported() == everyone  # a scratch suite refuses nothing
    assert exported(suites=("tryout",)) == everyone - {leaked}  # unless it is named
    with db.writing() as session:
        evaluate.mark_suite(session, accounts.get_workspace(session, workspace), "tryout", held_out=True,
                            actor="cli:test")
    assert exported() == everyone - {leaked}
    with db.writing() as session:
        evaluate.archive_suite(session, accounts.get_workspace(session, workspace), "tryout", actor="cli:test")
    assert exported() == everyone
