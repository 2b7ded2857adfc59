"""The label-quality API on both databases: three raters label a queue through the API, then
a lead reads agreement, scorecards and the report; other roles are refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from annotation import answers, seed_queue
from conftest import make_user
from honing.accounts import Role
from honing.api import create_app

BASE = "/api/workspaces/helpdesk/queues/review/quality"


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def labeled(db, settings, workspace, tmp_path):
    tokens = {"lead": make_user(db, "lee", Role.lead), "reviewer": make_user(db, "rev", Role.reviewer),
              **{name: make_user(db, name, Role.rater) for name in ("ann", "bob", "cy")}}
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, tokens["lead"], tmp_path, items=4, overlap=3)
        # ann and bob agree on every item; cy rates helpfulness one point lower. The answers
        # are the same whichever response is shown on the left (raters see random orders).
        for name, low in (("ann", 0), ("bob", 0), ("cy", 1)):
            for _ in range(4):
                task = client.post("/api/workspaces/helpdesk/queues/review/claim",
                                   headers=h(tokens[name])).json()["assignment"]
                given = answers(helpfulness={"A": 4 - low, "B": 4 - low}, preference="tie")
                done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                                   json={"answers": given}, headers=h(tokens[name]))
                assert done.status_code == 200, done.text
        yield client, tokens


def test_lead_reads_agreement_scorecards_and_report(labeled):
    client, t = labeled
    rows = client.get(f"{BASE}/agreement?resamples=200", headers=h(t["lead"]))
    assert rows.status_code == 200, rows.text
    by_key = {(r["question"], r["coefficient"]): r for r in rows.json()}
    # helpfulness: 4 items x 2 responses = 8 units, all with 3 raters.
    helpfulness = by_key[("helpfulness", "alpha (ordinal)")]
    assert helpfulness["n"] == 8 and helpfulness["raters"] == 3
    assert helpfulness["value"] is not None and helpfulness["value"] < 1
    # Everyone gave the same severity: alpha is undefined, and says why instead of 1.
    severity = by_key[("severity", "alpha (nominal)")]
    assert severity["value"] is None and "same value" in severity["reason"]

    cards = client.get(f"{BASE}/raters", headers=h(t["lead"])).json()
    assert [c["name"] for c in cards] == ["ann", "bob", "cy"]
    assert all(c["labels"] == 4 for c in cards)
    # Per label 8 units are compared (helpfulness, correctness, safety per response; severity;
    # preference); cy's one point lower is within one point of the others' median.
    assert all((c["consensus_agreement"]["value"], c["consensus_agreement"]["n"]) == (1.0, 32) for c in cards)
    assert all(c["gold_accuracy"]["value"] is None and c["gold_accuracy"]["n"] == 0 for c in cards)

    report = client.get(f"{BASE}/report?period=all&resamples=0", headers=h(t["lead"])).json()
    assert report["queue_figures"]["complete_items"] == 4 and report["queue_figures"]["backlog"] == 0
    assert report["queue_figures"]["labels"] == 12
    assert [c["name"] for c in report["cohorts"]] == ["(no cohort)"]


def test_other_roles_and_bad_input_are_refused(labeled):
    client, t = labeled
    for role in ("ann", "reviewer"):
        for path in ("agreement", "raters", "report"):
            assert client.get(f"{BASE}/{path}", headers=h(t[role])).status_code == 403
    assert client.get(f"{BASE}/raters").status_code == 401
    bad = client.get(f"{BASE}/raters?period=forever", headers=h(t["lead"]))
    assert bad.status_code == 422 and "is not a period" in bad.text
    assert client.get(f"{BASE}/agreement?resamples=100000", headers=h(t["lead"])).status_code == 422
    assert client.get(f"{BASE}/raters?by=team", headers=h(t["lead"])).status_code == 422
    missing = client.get("/api/workspaces/helpdesk/queues/nope/quality/raters", headers=h(t["lead"]))
    assert missing.status_code == 404
