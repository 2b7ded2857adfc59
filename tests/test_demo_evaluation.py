"""Suites from datasets, and the demo's regression suite with its two replay runs: every
scenario traces back to its item, the expectations are ones a correct answer meets, and
the suite shows v2's regressions on critical conversations; built once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import orjson
import pytest
import yaml
from sqlalchemy import func, select

from honing import accounts, datasets, ingest
from honing._errors import InvalidInput, NotFound
from honing.demo import build_demo, generate_items
from honing.demo._annotation import QUEUE, labeling_batch
from honing.demo._evaluation import (
    FLAWLESS,
    LATENCY_BUDGET_MS,
    SUITE,
    demo_expectations,
    demo_home,
    demo_tier,
    demo_tool_mocks,
)
from honing.evaluate import (
    Output,
    Scenario,
    ScorerSpec,
    push_suite,
    read_suite_header,
    summarize_run,
)
from honing.evaluate._from_dataset import suite_from_dataset
from honing.evaluate.scorers import ScoringContext, run_scorer
from honing.storage import EvalResult, EvalRun, EvalSuiteVersion, Label, Queue, QueueItem
from records import record, write_jsonl


def _import(db, tmp_path, records, dataset="tickets"):
    return ingest.import_file(db, write_jsonl(tmp_path / f"{dataset}.jsonl", records), workspace="helpdesk",
                              dataset=dataset, actor="cli:test")


def _records():
    rows = [record(i, metadata={"intent": "vpn_issue", "language": "en", "risk": "critical",
                                "labels": ["network", "urgent"]}) for i in range(3)]
    rows += [record(i) for i in range(3, 6)]  # no tier field: important
    rows.append(record(6, id="bad id with spaces", metadata={"risk": "blocker", "language": "fr"}))
    no_id = record(7, metadata={"risk": "nice"})
    del no_id["id"]
    rows.append(no_id)
    return rows


def test_suite_from_dataset_writes_one_scenario_per_item(db, workspace, tmp_path):
    imported = _import(db, tmp_path, _records())
    out = tmp_path / "suites"
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        path = suite_from_dataset(session, ws, "tickets@1", out, name="tickets-eval", tier_field="risk",
                                  tag_fields=["intent", "language", "labels"],
                                  expect=[{"type": "latency", "max_ms": 5000}])
        version = datasets.resolve_version(session, datasets.get_dataset(session, ws, "tickets"), 1)
        item_ids = list(datasets.version_item_ids(session, version))
        stored = datasets.load_items(session, item_ids)

    assert path == out / "tickets-eval.yaml"
    assert sorted(p.name for p in out.iterdir()) == ["tickets-eval.jsonl", "tickets-eval.yaml"]  # no temp files
    header = yaml.safe_load(path.read_text())
    assert header["name"] == "tickets-eval" and header["scenario_files"] == ["tickets-eval.jsonl"]
    assert "tickets@1" in header["description"]
    assert header["defaults"] == {"expect": [{"type": "latency", "max_ms": 5000}]}
    assert read_suite_header(path).defaults.expect[0].params == {"max_ms": 5000}

    scenarios = [Scenario.model_validate_json(line) for line in (out / "tickets-eval.jsonl").read_text().splitlines()]
    assert len(scenarios) == imported.version.item_count == 8
    ids = [s.id for s in scenarios]
    assert ids[:6] == [f"t-{i:05d}" for i in range(6)]
    assert ids[6:] == [f"item-{stored[6].id}", f"item-{stored[7].id}"]  # invalid id, no id
    assert [s.tier for s in scenarios] == ["critical"] * 3 + ["important"] * 4 + ["nice"]
    assert scenarios[0].tags == ["vpn_issue", "en", "network", "urgent"]
    assert scenarios[3].tags == ["vpn_issue" if 3 % 3 else "password_reset", "en"]
    assert scenarios[6].tags == ["fr"]
    for scenario, item in zip(scenarios, stored, strict=True):
        assert scenario.provenance is not None and scenario.provenance.source == "dataset_item"
        assert scenario.provenance.ref == f"tickets@1#{item.id}"
        assert scenario.messages() == item.item.messages  # the conversation the responses answer
        assert scenario.context == item.item.context and scenario.tools == item.item.tools
        assert scenario.expect == []  # the defaults apply when the suite is read

    with db.writing() as session:
        pushed = push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test")
    assert pushed.scenarios == 8 and pushed.tiers == {"critical": 3, "important": 4, "nice": 1}


def test_suite_from_dataset_streams_in_pages(db, workspace, tmp_path, monkeypatch):
    """Items are loaded a page at a time while the file is written, never all at once."""
    import honing.datasets._items as items_module
    import honing.evaluate._from_dataset as module

    _import(db, tmp_path, [record(i) for i in range(7)])
    _import(db, tmp_path, [record(i) for i in range(7, 11)], dataset="tickets")  # @2 replaces @1
    batches: list[int] = []
    real = items_module.load_items

    def spy(session, item_ids):
        ids = list(item_ids)
        batches.append(len(ids))
        return real(session, ids)

    monkeypatch.setattr(items_module, "load_items", spy)
    monkeypatch.setattr(module, "PAGE", 3)
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        suite_from_dataset(session, ws, "tickets", tmp_path / "out", name="paged", allow_unscored=True)
        limited = suite_from_dataset(session, ws, "tickets@1", tmp_path / "out", name="first-two", limit=2,
                                     allow_unscored=True)
    lines = (tmp_path / "out" / "paged.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [f"t-{i:05d}" for i in range(7, 11)]  # newest version
    assert json.loads(lines[0])["provenance"]["ref"].startswith("tickets@2#")
    assert batches[:2] == [3, 1] and max(batches) <= 3
    assert len(limited.with_suffix(".jsonl").read_text().splitlines()) == 2
    assert "defaults" not in yaml.safe_load(limited.read_text())


def test_suite_from_dataset_fails_cleanly(db, workspace, tmp_path):
    _import(db, tmp_path, [record(i) for i in range(3)])
    out = tmp_path / "out"
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        with pytest.raises(NotFound):
            suite_from_dataset(session, ws, "nope", out, name="x")
        suite_from_dataset(session, ws, "tickets", out, name="keep", allow_unscored=True)
        before = (out / "keep.jsonl").read_bytes()

        def bad(stored, scenario):
            return {**scenario, "tier": "urgent"}

        with pytest.raises(InvalidInput, match="unknown tier 'urgent'"):
            suite_from_dataset(session, ws, "tickets", out, name="keep", adapt=bad, allow_unscored=True)
    assert (out / "keep.jsonl").read_bytes() == before  # the old file is intact, no temp left
    assert sorted(p.name for p in out.iterdir()) == ["keep.jsonl", "keep.yaml"]


# --- the demo suite -----------------------------------------------------------------------

def _scenario(item) -> Scenario:
    return Scenario(id=item.external_id, input=list(item.messages), context=item.context, tools=item.tools,
                    tier=demo_tier(item), tool_mocks=demo_tool_mocks(item),
                    expect=[ScorerSpec(type="latency", max_ms=LATENCY_BUDGET_MS),
                            *map(ScorerSpec.model_validate, demo_expectations(item))])


async def _passes(scenario: Scenario, response) -> bool:
    output = Output(text=response.content, tool_calls=list(response.tool_calls or ()),
                    latency_ms=response.latency_ms)
    scores = [await run_scorer(spec, scenario, output, ScoringContext()) for spec in scenario.expect]
    assert all(s.error is None for s in scores), [s.error for s in scores if s.error]
    return all(s.passed for s in scores)


def test_demo_expectations_are_met_by_correct_answers_and_catch_flawed_ones():
    """Honesty: the precise and adequate candidates of every demo item pass every
    expectation; every flawed candidate fails at least one."""
    async def check() -> Counter[tuple[str, bool]]:
        seen: Counter[tuple[str, bool]] = Counter()
        for item in generate_items(count=320):
            scenario = _scenario(item)
            truth = item.metadata["demo_truth"]
            for version, response in zip(("v1", "v2"), item.responses, strict=True):
                grade = truth[f"{version}_grade"]
                passed = await _passes(scenario, response)
                assert passed == (grade in FLAWLESS), (item.external_id, version, grade)
                seen[(grade, passed)] += 1
        return seen

    seen = asyncio.run(check())
    assert {grade for grade, _ in seen} == {"precise", "adequate", "incomplete", "hallucination",
                                            "wrong_tool_args", "unsafe"}


def test_demo_tiers_follow_the_rule():
    tiers = Counter()
    for item in generate_items(count=320):
        meta, truth = item.metadata, item.metadata["demo_truth"]
        tier = demo_tier(item)
        tiers[tier] += 1
        if "unsafe" in (truth["v1_grade"], truth["v2_grade"]) or meta["intent"] in (
                "password_reset", "account_lockout", "mfa_enrollment", "access_request", "phishing_report"):
            assert tier == "critical"
        else:
            assert tier == ("important" if truth["arc"] in ("act", "resolve") else "nice")
    assert all(tiers[t] for t in ("critical", "important", "nice"))


def _run_rows(db):
    with db.reading() as session:
        runs = list(session.scalars(select(EvalRun).order_by(EvalRun.id)))
        results = {run.id: dict(session.execute(select(EvalResult.scenario_id, EvalResult.status)
                                                .where(EvalResult.run_id == run.id)).all())
                   for run in runs}
        tiers = dict(session.execute(select(EvalResult.scenario_id, EvalResult.tier)).all())
        summaries = {run.id: summarize_run(session, run) for run in runs}
    return runs, results, tiers, summaries


def test_demo_suite_and_replay_runs_are_built_once(db, tmp_path):
    first = build_demo(db, count=60, home=tmp_path)
    evaluation = first.evaluation
    # The queue's labeling batch (its first 30%: 18 of 60) is held out of the suite. (The
    # production review labels a sample of all traffic: it estimates production rates and
    # is not the training batch.)
    with db.reading() as session:
        batch = labeling_batch(session, accounts.get_workspace(session, "helpdesk-assistant"))
        labeled = set(session.scalars(select(QueueItem.item_id).join(Label, Label.queue_item_id == QueueItem.id)
                                      .join(Queue, Queue.id == Label.queue_id)
                                      .where(Label.kind == "live", Queue.name == QUEUE)))
    assert len(batch) == 18 and labeled and labeled <= batch
    assert evaluation["suite"] == f"{SUITE}@1" and evaluation["scenarios"] == 42
    assert evaluation["runs_created"] == 2 and evaluation["suite_created"]
    suites = tmp_path / "suites"
    assert {p.name for p in suites.iterdir()} == {f"{SUITE}.yaml", f"{SUITE}.jsonl", "replay-v1.jsonl",
                                                  "replay-v2.jsonl", "gate-release.yaml", "gate-improvements.yaml"}
    assert evaluation["policies"] == {"gate-release": str(suites / "gate-release.yaml"),
                                      "gate-improvements": str(suites / "gate-improvements.yaml")}
    assert len((suites / "replay-v1.jsonl").read_text().splitlines()) == 42

    runs, results, tiers, summaries = _run_rows(db)
    assert [r.target for r in runs] == [f"replay:{suites / 'replay-v1.jsonl'}", f"replay:{suites / 'replay-v2.jsonl'}"]
    assert [r.status for r in runs] == ["completed", "completed"]
    assert [r.config["suite"] for r in runs] == [f"{SUITE}@1"] * 2 and not runs[0].config["cache"]
    v1, v2 = (results[r.id] for r in runs)
    assert len(v1) == len(v2) == 42 and set(v1) == set(v2)
    assert set(v1.values()) | set(v2.values()) <= {"pass", "fail"}  # no errors, nothing undecided
    assert v1 != v2
    regressions = [s for s in v1 if v1[s] == "pass" and v2[s] == "fail" and tiers[s] == "critical"]
    assert regressions, "v2 must regress on a critical scenario that v1 passes"
    assert summaries[runs[1].id].overall.counts["pass"] > summaries[runs[0].id].overall.counts["pass"]

    with db.reading() as session:
        scenarios = {row.scenario_id: row for row in session.scalars(select(EvalResult).where(
            EvalResult.run_id == runs[0].id))}
        versions = session.scalar(select(func.count()).select_from(EvalSuiteVersion))
    assert versions == 1
    # Provenance leads back to the dataset item the scenario was made from.
    line = orjson.loads((suites / f"{SUITE}.jsonl").read_bytes().splitlines()[0])
    assert line["provenance"]["ref"].startswith("support-conversations@2#") and line["id"] in scenarios
    sources = {int(orjson.loads(raw)["provenance"]["ref"].rpartition("#")[2])
               for raw in (suites / f"{SUITE}.jsonl").read_bytes().splitlines()}
    assert len(sources) == 42 and not sources & batch

    second = build_demo(db, count=60, home=tmp_path)
    assert second.evaluation["runs_created"] == 0 and not second.evaluation["suite_created"]
    assert second.evaluation["runs"] == evaluation["runs"]
    again, _, _, _ = _run_rows(db)
    assert [r.id for r in again] == [r.id for r in runs]
    assert {p.name for p in suites.iterdir()} == {f"{SUITE}.yaml", f"{SUITE}.jsonl", "replay-v1.jsonl",
                                                  "replay-v2.jsonl", "gate-release.yaml", "gate-improvements.yaml"}
    assert evaluation["policies"] == {"gate-release": str(suites / "gate-release.yaml"),
                                      "gate-improvements": str(suites / "gate-improvements.yaml")}


def test_demo_home_is_beside_a_sqlite_database_else_honing_home(db, backend, tmp_path, monkeypatch):
    monkeypatch.setenv("HONING_HOME", str(tmp_path / "home"))
    expected = tmp_path if backend == "sqlite" else tmp_path / "home"
    assert demo_home(db) == expected.resolve()
