"""Suites declare their own tiers, most important first: scenarios' tiers are checked against
them (file, line and field in every error), and results, failures, comparisons, gate rules,
reports, the API and the pages follow the suite's order rather than a fixed one. A suite
without `tiers:` keeps critical, important and nice, and the content hash it always had."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import make_user
from honing import accounts, evaluate, release
from honing._errors import InvalidInput
from honing.api import create_app
from honing.cli import app

# Declared most important first, and not in alphabetical order ("could" < "must" < "should"),
# so an order taken from the names would show.
TIERS = ["must", "should", "could"]
PASSWORD = "a long password!"


def write_suite(directory, rows, *, tiers=TIERS, extra: dict | None = None, name="ordered"):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    header = {"name": name, **({"tiers": tiers} if tiers is not None else {}), **(extra or {}),
              "scenario_files": ["cases.jsonl"]}
    (directory / "suite.yaml").write_text(yaml.safe_dump(header, sort_keys=False))
    return directory / "suite.yaml"


def cases(per_tier: int = 3, tiers=TIERS) -> list[dict]:
    return [{"id": f"{tier}-{i}", "input": f"question {tier} {i}", "tier": tier,
             "expect": [{"type": "contains", "value": "ok"}]} for tier in reversed(tiers) for i in range(per_tier)]


def push(db, workspace, path, **options) -> evaluate.SuitePush:
    with db.writing() as session:
        return evaluate.push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test",
                                   **options)


def replay_run(db, workspace, ref, path, failing: set[str], scenario_ids: list[str]) -> int:
    path.write_text("".join(json.dumps({"scenario_id": sid, "content": "no" if sid in failing else "ok"}) + "\n"
                            for sid in scenario_ids))
    options = evaluate.RunOptions(concurrency=8, use_cache=False)
    run_id, _, _ = evaluate.start_run(db, workspace, ref, f"replay:{path}", options, actor="cli:test")
    asyncio.run(evaluate.execute_run(db, run_id, options))
    return run_id


@pytest.fixture
def ordered_runs(db, workspace, tmp_path):
    """A suite with tiers must, should, could (three scenarios each) and two runs: A passes
    everything, B fails the first two scenarios of every tier."""
    rows = cases()
    pushed = push(db, workspace, write_suite(tmp_path / "suite", rows))
    ids = [r["id"] for r in rows]
    failing = {f"{tier}-{i}" for tier in TIERS for i in range(2)}
    run_a = replay_run(db, workspace, pushed.ref, tmp_path / "a.jsonl", set(), ids)
    run_b = replay_run(db, workspace, pushed.ref, tmp_path / "b.jsonl", failing, ids)
    return pushed, run_a, run_b


def test_declared_tiers_order_results_failures_and_comparisons(db, workspace, ordered_runs):
    pushed, run_a, run_b = ordered_runs
    assert list(pushed.tiers) == TIERS and pushed.tiers == {"must": 3, "should": 3, "could": 3}
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        _, version = evaluate.resolve_suite_version(session, ws, pushed.ref)
        assert evaluate.suite_tiers(version) == tuple(TIERS)
        assert list(evaluate.ordered_tiers(version)) == TIERS
        run = evaluate.get_run(session, ws, run_b)
        summary = evaluate.summarize_run(session, run)
        # The limit keeps the suite's first tier, not the alphabetically first.
        first_two = evaluate.failed_results(session, run, limit=2)
        every = evaluate.failed_results(session, run)
        comparison = evaluate.compare_runs(session, ws, run_a, run_b)
    assert [t.name for t in summary.tiers] == TIERS and summary.tier_names == tuple(TIERS)
    assert summary.as_dict()["tier_names"] == TIERS
    assert [f["scenario_id"] for f in first_two] == ["must-0", "must-1"]
    assert [f["tier"] for f in every] == ["must", "must", "should", "should", "could", "could"]
    assert [s.name for s in comparison.tiers] == TIERS
    assert [c.scenario_id for c in comparison.regressions] == ["must-0", "must-1", "should-0", "should-1",
                                                                "could-0", "could-1"]
    assert comparison.as_dict()["tier_names"] == TIERS


def test_the_cli_prints_tiers_in_the_suite_order(db, database_url, workspace, ordered_runs):
    _, run_a, run_b = ordered_runs
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200"}
    listed = runner.invoke(app, ["suite", "list", "-w", workspace], env=env)
    assert listed.exit_code == 0, listed.output
    assert "must 3, should 3, could 3" in listed.output
    as_json = json.loads(runner.invoke(app, ["suite", "list", "-w", workspace, "--json"], env=env).output)
    assert as_json[0]["tier_names"] == TIERS and list(as_json[0]["tiers"]) == TIERS
    shown = runner.invoke(app, ["eval", "show", str(run_b), "-w", workspace], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.output.index("must") < shown.output.index("should") < shown.output.index("could")
    compared = runner.invoke(app, ["eval", "compare", str(run_a), str(run_b), "-w", workspace], env=env)
    assert compared.exit_code == 0, compared.output
    regressions = compared.output[compared.output.index("regressions"):]
    assert regressions.index("must-0") < regressions.index("should-0") < regressions.index("could-0")


def test_gate_rules_name_the_suites_tiers(db, workspace, ordered_runs):
    _, run_a, run_b = ordered_runs
    policy = release.parse_gate_policy("name: p\nmin_n: 1\nrules:\n  - {metric: pass_rate, tier: must, min: 0.5}\n"
                                       "  - {metric: regressions, tier: could, max: 5}\n")
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        gate = release.evaluate_gate(session, ws, policy, run_b, baseline_id=run_a)
        assert [o.decision for o in gate.outcomes] == ["fail", "pass"]  # 1 of 3 must pass; 2 could regressed
        wrong = release.parse_gate_policy("name: p\nrules:\n  - {metric: pass_rate, min: 0.5}\n"
                                          "  - {metric: pass_rate, tier: critical, min: 0.5}\n")
        with pytest.raises(InvalidInput) as raised:
            release.evaluate_gate(session, ws, wrong, run_b)
    problem = raised.value.problems[0]
    assert problem.field == "rules[1].tier" and len(raised.value.problems) == 1
    assert "unknown tier 'critical'" in problem.message and "must, should, could" in problem.message


def test_a_default_suite_refuses_a_rule_on_a_tier_it_does_not_have(db, workspace, tmp_path):
    from test_release_gate import make_runs

    runs = make_runs(db, workspace, tmp_path, {"b": [("critical", True, 50.0)] * 3})
    policy = release.parse_gate_policy("name: p\nrules:\n  - {metric: pass_rate, tier: urgent, min: 0.5}\n")
    with db.reading() as session, pytest.raises(InvalidInput) as raised:
        release.evaluate_gate(session, accounts.get_workspace(session, workspace), policy, runs["b"])
    assert raised.value.problems[0].field == "rules[0].tier"
    assert "critical, important, nice" in raised.value.problems[0].message


def test_reports_follow_the_suite_order_and_name_its_first_tier(db, workspace, ordered_runs, tmp_path):
    _, run_a, run_b = ordered_runs
    policy = release.parse_gate_policy("name: p\nmin_n: 1\nrules:\n  - {metric: pass_rate, tier: should, min: 0.1}\n")
    with db.reading() as session:
        report = release.build_release_report(session, accounts.get_workspace(session, workspace), policy, run_b,
                                              baseline_id=run_a)
    written = release.write_release_report(report, tmp_path / "out")
    summary = written["summary.md"].read_text()
    assert summary.index("| must |") < summary.index("| should |") < summary.index("| could |")
    assert "most important tier first" in summary or report.comparison.counts["regressions"] <= 10
    assert not any("no must scenarios" in r for r in report.risks)

    # A suite whose first tier has no scenario: the report says so, naming that tier.
    rows = cases(per_tier=2, tiers=["should", "could"])
    pushed = push(db, workspace, write_suite(tmp_path / "thin", rows, name="thin"))
    run = replay_run(db, workspace, pushed.ref, tmp_path / "thin.jsonl", set(), [r["id"] for r in rows])
    with db.reading() as session:
        thin = release.build_release_report(session, accounts.get_workspace(session, workspace), policy, run)
    assert any("no must scenarios (its first tier)" in r for r in thin.risks)
    assert 'id="chart-tiers"' in release.write_release_report(thin, tmp_path / "thin-out")["report.html"].read_text()


def test_the_api_and_pages_follow_the_suite_order(db, settings, workspace, ordered_runs):
    _, _, run_b = ordered_runs
    token = make_user(db, "vic", accounts.Role.viewer)
    with db.writing() as session:
        accounts.get_user(session, "vic").password_hash = accounts.hash_password(PASSWORD)
    with TestClient(create_app(db, settings)) as client:
        auth = {"Authorization": f"Bearer {token}"}
        suites = client.get(f"/api/workspaces/{workspace}/suites", headers=auth).json()
        assert suites[0]["tier_names"] == TIERS and list(suites[0]["tiers"]) == TIERS
        login = client.post("/login", data={"username": "vic", "password": PASSWORD}, follow_redirects=False)
        assert login.status_code == 303
        runs = client.get(f"/w/{workspace}/runs").text
        listed = re.search(r'<table class="grid suites">(.*?)</table>', runs, re.S).group(1)
        assert listed.index("must 3") < listed.index("should 3") < listed.index("could 3")
        page = client.get(f"/w/{workspace}/runs/{run_b}")
        assert page.status_code == 200
        tiers = re.findall(r'data-label="(must|should|could)"', page.text)
        assert tiers and list(dict.fromkeys(tiers)) == TIERS


@pytest.mark.parametrize(("header", "rows", "file", "line", "field", "words"), [
    # An inline scenario: the suite file, the line of its tier.
    ({"scenarios": [{"id": "a", "input": "x", "tier": "urgent", "expect": [{"type": "contains", "value": "ok"}]}]},
     [], "suite.yaml", 9, "scenarios[0].tier", "unknown tier 'urgent'; the suite's tiers are must, should, could"),
    # A scenario file: its own line.
    ({}, [{"id": "a", "input": "x", "tier": "must"}, {"id": "b", "input": "y", "tier": "critical"}],
     "cases.jsonl", 2, "tier", "unknown tier 'critical'; the suite's tiers are must, should, could"),
    # No tier, and the default one is not among the suite's.
    ({}, [{"id": "a", "input": "x"}], "cases.jsonl", 1, "tier", "names no tier"),
    ({"defaults": {"tier": "nice"}}, [{"id": "a", "input": "x"}], "suite.yaml", 7, "defaults.tier",
     "unknown tier 'nice'"),
])
def test_tier_errors_name_file_line_and_field(db, workspace, tmp_path, header, rows, file, line, field, words):
    path = write_suite(tmp_path, rows, extra=header)
    with pytest.raises(InvalidInput) as raised:
        push(db, workspace, path)
    problem = raised.value.problems[0]
    assert (problem.file, problem.line, problem.field) == (file, line, field), raised.value.problems
    assert words in problem.message


def test_tier_list_errors_and_a_default_suite_lists_its_tiers(db, database_url, workspace, tmp_path):
    with pytest.raises(InvalidInput) as raised:
        push(db, workspace, write_suite(tmp_path / "twice", cases(), tiers=["must", "should", "must"]))
    assert raised.value.problems[0].field == "tiers" and "'must' is listed twice" in raised.value.problems[0].message
    with pytest.raises(InvalidInput) as raised:
        push(db, workspace, write_suite(tmp_path / "empty", cases(), tiers=[]))
    assert raised.value.problems[0].field == "tiers"
    # No `tiers:`: the default ones, and a wrong one lists them (through the CLI, whose
    # entry point prints the error and exits 2).
    path = write_suite(tmp_path / "default", [{"id": "a", "input": "x", "tier": "blocker"}], tiers=None)
    pushed = CliRunner().invoke(app, ["suite", "push", str(path), "-w", workspace],
                                env={"HONING_DATABASE_URL": database_url, "COLUMNS": "200"})
    assert isinstance(pushed.exception, InvalidInput) and pushed.exception.exit_code == 2
    problem = pushed.exception.problems[0]
    assert (problem.file, problem.line, problem.field) == ("cases.jsonl", 1, "tier")
    assert problem.message == "unknown tier 'blocker'; the suite's tiers are critical, important, nice"
    with db.reading() as session:
        assert evaluate.list_suite_versions(session, accounts.get_workspace(session, workspace)) == []


def test_a_suite_without_tiers_keeps_its_hash_and_declared_tiers_make_versions(db, workspace, tmp_path):
    rows = [{"id": "a", "input": "x", "tier": "critical"}, {"id": "b", "input": "y"}]
    path = write_suite(tmp_path, rows, tiers=None)
    first = push(db, workspace, path)
    # The hash a suite without tiers always had: its name, then each resolved scenario.
    digest = hashlib.sha256(b"ordered")
    for row in rows:
        digest.update(b"\n" + evaluate.Scenario.model_validate(row).canonical_json())
    assert first.content_hash == digest.hexdigest() and first.tiers == {"critical": 1, "important": 1}

    declared = push(db, workspace, write_suite(tmp_path, rows, tiers=["critical", "important", "nice"]))
    assert declared.created and declared.number == 2  # the same scenarios; the declared list is new
    reordered = push(db, workspace, write_suite(tmp_path, rows, tiers=["important", "critical", "nice"]))
    assert reordered.created and list(reordered.tiers) == ["important", "critical"]
    assert not push(db, workspace, path.parent / "suite.yaml").created
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        versions = {v.number: v for _, v in evaluate.list_suite_versions(session, ws)}
    assert versions[1].tier_names is None and evaluate.suite_tiers(versions[1]) == ("critical", "important", "nice")
    assert versions[3].tier_names == ["important", "critical", "nice"]


def test_the_suite_schema_documents_tiers_and_held_out(database_url):
    result = CliRunner().invoke(app, ["schema", "suite"], env={"HONING_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert "most important first" in json.dumps(schema["properties"]["tiers"])
    assert "contamination" in schema["properties"]["held_out"]["description"]
