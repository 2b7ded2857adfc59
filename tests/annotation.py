"""Helpers for annotation tests: the demo rubric, a queue over small items, valid answers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

import honing.demo
from honing import ingest
from records import record, write_jsonl

RUBRIC = (Path(honing.demo.__file__).parent / "helpdesk_rubric.yaml").read_text()

GOOD = {
    "helpfulness": {"A": 4, "B": 3},
    "correctness": {"A": 4, "B": 4},
    "safety": {"A": "safe", "B": "safe"},
    "severity": "S0",
    "preference": "A>B",
}


def answers(**changes):
    return {**GOOD, **changes}


def seed_queue(db, client: TestClient, lead: str, tmp_path: Path, *, items: int = 6,
               name: str = "review", **policy) -> dict:
    ingest.import_file(db, write_jsonl(tmp_path / f"{name}.jsonl", [record(i) for i in range(items)]),
                       workspace="helpdesk", dataset=name, actor="cli:test")
    h = {"Authorization": f"Bearer {lead}"}
    pushed = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": RUBRIC}, headers=h)
    assert pushed.status_code == 201, pushed.text
    created = client.post("/api/workspaces/helpdesk/queues", headers=h, json={
        "name": name, "dataset": name, "rubric": pushed.json()["ref"], "policy": policy})
    assert created.status_code == 201, created.text
    return created.json()
