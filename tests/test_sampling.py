"""`honing sample` end to end on both databases: the new version, its lineage, the
inclusion probabilities recorded per item, reproducibility, feeding a queue, the designs
that read the store (priority signals, novelty, dedup) and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from annotation import RUBRIC, answers
from conftest import make_user
from honing import accounts, annotate, datasets, feedback, ingest, sampling
from honing._errors import HoningError
from honing.accounts import Role
from honing.annotate import QueuePolicy
from honing.api import create_app
from honing.cli import app
from honing.feedback import Signal, SignalKind
from honing.quality._data import load_inclusion
from honing.storage import AuditEvent, Dataset, Queue, QueueItem, SampleInclusion
from records import record, write_jsonl
from test_audit import run_cli


def records(n: int, **meta) -> list[dict]:
    out = []
    for i in range(n):
        r = record(i)
        r["metadata"] = {**r["metadata"], **{k: v(i) if callable(v) else v for k, v in meta.items()}}
        out.append(r)
    return out


@pytest.fixture
def cli(db, database_url, workspace):
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200", "HONING_ACTOR": "ana"}

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, [*args, "-w", workspace], env=env)
        if isinstance(result.exception, HoningError):  # `main` prints it and exits with its code
            assert result.exception.exit_code == code, result.exception
            return str(result.exception)
        assert result.exit_code == code, result.output
        return result.output
    return run


def load(db, tmp_path, rows, dataset="traffic"):
    ingest.import_file(db, write_jsonl(tmp_path / f"{dataset}.jsonl", rows), workspace="helpdesk",
                       dataset=dataset, actor="cli:test")
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        version = datasets.resolve_version(session, datasets.get_dataset(session, ws, dataset), None)
        return list(datasets.version_item_ids(session, version))


def version_of(db, ref):
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        name, number = datasets.parse_ref(ref)
        dataset = datasets.get_dataset(session, ws, name)
        version = datasets.resolve_version(session, dataset, number)
        return (datasets.version_info(session, dataset, version), list(datasets.version_item_ids(session, version)),
                sampling.inclusion_probabilities(session, version))


def test_random_sample_writes_a_version_with_lineage_and_probabilities(db, cli, tmp_path):
    ids = load(db, tmp_path, records(40))
    body = json.loads(cli("sample", "traffic", "--into", "review", "--size", "10", "--seed", "3", "--json"))
    assert (body["drawn"], body["frame"], body["version"]["ref"]) == (10, 40, "review@1")
    info, drawn, pi = version_of(db, "review@1")
    assert info.operation == "sample" and info.parents == ["traffic@1"] and info.actor == "cli:ana"
    assert info.parameters["design"] == {"kind": "random", "size": 10, "seed": 3, "stratify_by": None,
                                         "dedup": False}
    assert info.parameters["seed"] == 3 and info.parameters["frame"]["items"] == 40
    assert set(drawn) <= set(ids) and len(set(drawn)) == 10
    assert pi == {i: (None, 0.25) for i in drawn}
    # The same seed draws the same items; another seed other items.
    cli("sample", "traffic@1", "--into", "again", "--size", "10", "--seed", "3")
    cli("sample", "traffic@1", "--into", "other", "--size", "10", "--seed", "4")
    assert version_of(db, "again")[1] == drawn and version_of(db, "other")[1] != drawn
    with db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "dataset.sample")
                               .order_by(AuditEvent.id).limit(1))
        assert event.target == "dataset:review@1" and event.details["drawn"] == 10


def test_stratified_sample_with_budgets_records_each_stratum(db, cli, tmp_path):
    load(db, tmp_path, records(60, channel=lambda i: ["web", "mobile", "email"][i % 3] if i % 10 else None))
    out = cli("sample", "traffic", "--into", "review", "--design", "stratified", "--stratify-by", "channel",
              "--size", "20", "--budget", "email=2")
    assert "created review@1: 20 of 60 items" in out and "(missing)" in out
    info, drawn, pi = version_of(db, "review")
    strata = info.parameters["strata"]
    assert strata["email"] == {"frame": 18, "drawn": 2} and strata["(missing)"]["frame"] == 6
    assert sum(s["frame"] for s in strata.values()) == 60
    assert sum(s["drawn"] for s in strata.values()) == 20 and len(drawn) == 20
    for stratum, probability in pi.values():
        assert probability == pytest.approx(strata[stratum]["drawn"] / strata[stratum]["frame"])


def test_neyman_uses_the_failure_indicator_spread(db, cli, tmp_path):
    ids = load(db, tmp_path, records(60, channel=lambda i: "web" if i < 30 else "mobile",
                                     error=lambda i: "timeout" if i < 30 and i % 2 else None))
    out = json.loads(cli("sample", "traffic", "--into", "review", "--stratify-by", "channel",
                         "--allocation", "neyman", "--size", "10", "--json"))
    # web: p = 1/2, SD 0.5; mobile: no failures, SD 0 -- but every stratum keeps one item.
    assert out["strata"] == {"mobile": {"frame": 30, "drawn": 1}, "web": {"frame": 30, "drawn": 9}}
    assert len(ids) == 60


def test_priority_sampling_reads_signals_and_its_probabilities_hold_by_simulation(db, workspace, tmp_path):
    ids = load(db, tmp_path, records(30, error=lambda i: "upstream 502" if i in (1, 2) else None,
                                     judge_score=lambda i: 0.1 if i == 3 else 0.9))
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        feedback.record_signals(session, ws, ids[0], [Signal(SignalKind.thumbs, value=-1)])
    design = sampling.Design(kind="priority", size=6, slow_ms=1e9)
    weights = np.ones(30)
    weights[[0, 1, 2]] += 4  # thumbs-down, errors
    weights[3] += 2  # low judge score
    expected = sampling.pps_probabilities(weights, 6)
    hits = np.zeros(30)
    runs = 150
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        for seed in range(runs):
            result = sampling.sample(session, ws, "traffic", f"p{seed}", sampling.Design(
                kind="priority", size=6, seed=seed, slow_ms=1e9), actor="cli:test")
            version = datasets.resolve_version(session, datasets.get_dataset(session, ws, f"p{seed}"), None)
            drawn = sampling.inclusion_probabilities(session, version)
            assert len(drawn) == result.drawn == 6
            for item_id, (stratum, probability) in drawn.items():
                k = ids.index(item_id)
                assert stratum is None and probability == pytest.approx(expected[k])
                hits[k] += 1
        session.rollback()  # the draws were only for counting
    tolerance = 5 * np.sqrt(expected * (1 - expected) / runs) + 1e-9
    assert np.all(np.abs(hits / runs - expected) <= tolerance)
    assert design.as_dict()["weights"]["negative"] == 4.0


def test_the_command_exits_2_saying_what_is_wrong(db, database_url, workspace, tmp_path):
    load(db, tmp_path, records(5))
    done = run_cli(database_url, "sample", "traffic", "--into", "review", "--size", "6", "-w", workspace)
    assert done.returncode == 2 and "size 6 is larger than the frame (5 items)" in done.stderr


def test_sample_feeds_a_queue_without_queuing_an_item_twice(db, cli, workspace, tmp_path):
    ids = load(db, tmp_path, records(12))
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        rubric = annotate.push_rubric(session, ws, RUBRIC, source="rubric.yaml", actor="cli:test")
        annotate.create_queue(session, ws, name="triage", dataset_ref="traffic", rubric_ref=rubric.ref,
                              policy=QueuePolicy(), actor="cli:test")
    out = json.loads(cli("sample", "traffic", "--into", "review", "--size", "5", "--queue", "triage", "--json"))
    assert out["queued"] == 0  # the queue already holds every item of traffic
    load(db, tmp_path, records(20), dataset="more")
    out = json.loads(cli("sample", "more", "--into", "review", "--size", "20", "--queue", "triage", "--json"))
    assert out["queued"] == 8  # the 8 items traffic did not have
    with db.reading() as session:
        queued = session.scalars(select(QueueItem.item_id).where(QueueItem.kind == "live")).all()
        positions = session.scalars(select(QueueItem.position).where(QueueItem.kind == "live")).all()
    assert len(queued) == len(set(queued)) == 20 and set(ids) <= set(queued)
    assert len(set(positions)) == 20
    # The appended items carry the inclusion probabilities of the draw that queued them,
    # which the queue's estimated production rates divide by; the queue's own items none.
    _, drawn, probabilities = version_of(db, "review@2")
    with db.reading() as session:
        queue = session.scalars(select(Queue).where(Queue.name == "triage")).one()
        weighted = load_inclusion(session, queue)
        item_of = dict(session.execute(select(QueueItem.id, QueueItem.item_id)).all())
    assert sorted(item_of[q] for q in weighted) == sorted(set(drawn) - set(ids))
    assert all(weighted[q] == probabilities[item_of[q]] for q in weighted)


def test_novelty_favours_items_unlike_the_labeled_ones(db, workspace, tmp_path):
    vpn = [f"my laptop number {i} cannot reach the company vpn since this morning please help" for i in range(10)]
    other = [f"the printer on floor {i} jams on every page and shows error code {i}{i} in red" for i in range(10)]
    rows = [{"id": f"r{k}", "messages": [{"role": "user", "content": text}],
             "responses": [{"content": "Let me look."}, {"content": "Try again later."}]}
            for k, text in enumerate(vpn + other)]
    ids = load(db, tmp_path, rows)
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        before = sampling.sample(session, ws, "traffic", "first", sampling.Design(kind="novelty", size=10),
                                 actor="cli:test")
        assert before.drawn == 10
        first = sampling.inclusion_probabilities(
            session, datasets.resolve_version(session, datasets.get_dataset(session, ws, "first"), None))
        assert {p for _, p in first.values()} == {0.5}  # nothing labeled: all equally novel
    assert load(db, tmp_path, rows[:5], dataset="labeled") == ids[:5]  # the same items
    _label(db, 5)
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        scores = sampling.novelty_scores(session, ws, np.array(ids), "user")
    assert scores[:5].max() == 0.0  # the labeled items themselves
    assert scores[5:10].mean() < 0.6 < scores[10:].min()  # the same topic is less novel
    expected = sampling.pps_probabilities(0.05 + 0.95 * scores, 10)
    with db.writing() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        sampling.sample(session, ws, "traffic", "second", sampling.Design(kind="novelty", size=10),
                        actor="cli:test")
        recorded = sampling.inclusion_probabilities(
            session, datasets.resolve_version(session, datasets.get_dataset(session, ws, "second"), None))
    assert len(recorded) == 10
    for item_id, (_, probability) in recorded.items():
        assert probability == pytest.approx(expected[ids.index(item_id)])
    assert expected[10:].min() > expected[5:10].max() > expected[:5].max()


def _label(db, count):
    """A human label on each item of dataset `labeled`, through a queue's claim and submit."""

    lead, rater = make_user(db, "lee", Role.lead), make_user(db, "ann", Role.rater)
    client = TestClient(create_app(db))
    h = {"Authorization": f"Bearer {lead}"}
    rubric = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": RUBRIC}, headers=h).json()["ref"]
    assert client.post("/api/workspaces/helpdesk/queues", headers=h, json={
        "name": "labeled", "dataset": "labeled", "rubric": rubric, "policy": {}}).status_code == 201
    for _ in range(count):
        task = client.post("/api/workspaces/helpdesk/queues/labeled/claim",
                           headers={"Authorization": f"Bearer {rater}"}).json()["assignment"]
        done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                           json={"answers": answers(), "active_ms": 1000},
                           headers={"Authorization": f"Bearer {rater}"})
        assert done.status_code == 200, done.text


def test_dedup_leaves_duplicates_out_and_records_the_frame_size(db, cli, tmp_path):
    rows = records(10) + [{**record(k), "id": f"dup-{k}", "metadata": {"copy": True}} for k in range(4)]
    load(db, tmp_path, rows)
    out = json.loads(cli("sample", "traffic", "--into", "review", "--size", "5", "--dedup", "--json"))
    assert out["version_items"] == 14 and out["frame"] == 10 and out["left_out"] == {"duplicates": 4}
    info, _, pi = version_of(db, "review")
    assert info.parameters["frame"] == {"items": 10, "version_items": 14, "left_out": {"duplicates": 4}}
    assert {p for _, p in pi.values()} == {0.5}


@pytest.mark.parametrize("args, message", [
    (["--stratify-by", "colour", "--size", "3"], "metadata field 'colour' is on no item of traffic@1"),
    (["--stratify-by", "intent", "--size", "5", "--budget", "password_reset=9"],
     "the budget of stratum 'password_reset' (9) is larger than the stratum (4 items in the frame)"),
    (["--size", "13"], "size 13 is larger than the frame (12 items)"),
    (["--size", "3", "--queue", "nowhere"], "queue 'nowhere' does not exist"),
    (["--size", "3", "--budget", "x"], "--budget 'x' is not NAME=NUMBER"),
    (["--size", "3", "--design", "cluster"], "design 'cluster' is not one of"),
])
def test_bad_input_is_refused_clearly_and_nothing_is_written(db, cli, tmp_path, args, message):
    load(db, tmp_path, records(12))
    out = cli("sample", "traffic", "--into", "review", *args, code=2)
    assert message in " ".join(out.split())
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(SampleInclusion)) == 0
        assert session.scalar(select(Dataset.id).where(Dataset.name == "review")) is None


def test_the_api_draws_a_sample_for_leads(db, settings, workspace, tmp_path):

    load(db, tmp_path, records(30, intent=lambda i: "billing" if i % 2 else "login"))
    lead, viewer = make_user(db, "lee", Role.lead), make_user(db, "vic", Role.viewer)
    url = "/api/workspaces/helpdesk/samples"
    body = {"source": "traffic@1", "into": "review",
            "design": {"kind": "stratified", "size": 6, "stratify_by": "intent", "seed": 2}}
    with TestClient(create_app(db, settings)) as client:
        assert client.post(url, json=body, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
        made = client.post(url, json=body, headers={"Authorization": f"Bearer {lead}"})
        assert made.status_code == 201, made.text
        assert made.json()["strata"] == {"billing": {"frame": 15, "drawn": 3}, "login": {"frame": 15, "drawn": 3}}
        bad = client.post(url, json={**body, "design": {"size": 3, "colour": "red"}},
                          headers={"Authorization": f"Bearer {lead}"})
        assert bad.status_code == 422 and "unexpected keyword argument 'colour'" in bad.json()["message"]
    info, _, pi = version_of(db, "review")
    assert info.actor == "user:lee" and {p for _, p in pi.values()} == {0.2}
