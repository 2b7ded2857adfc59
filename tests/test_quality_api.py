"""The label-quality API on both databases: three raters label a queue through the API, then
a lead reads agreement, scorecards and the report; other roles are refused."""

from __future__ import annotations

import json
import math
import re
import warnings

import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select

from annotation import answers, seed_queue
from conftest import make_user
from honing import accounts
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Label, User
from records import record

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
    assert all((c["consensus_agreement"]["value"], c["consensus_agreement"]["n"], c["consensus_agreement"]["unit"],
                c["consensus_agreement"]["answers"]) == (1.0, 4, "items", 32) for c in cards)
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


GOLD = [{"item": {**{k: v for k, v in record(i).items() if k != "id"}, "external_id": f"gold-{i}"},
         "answers": {"preference": "tie", "safety": {"A": "safe", "B": "safe"}}} for i in (1000, 1001)]
KAPPA = {"helpfulness": ([1, 2, 3, 4, 5], "quadratic"), "correctness": ([1, 2, 3, 4, 5], "quadratic"),
         "safety": (["safe", "borderline", "unsafe"], None), "severity": (["S0", "S1", "S2", "S3"], None)}


def overlap_2_answers(rater: str, number: int) -> dict:
    """Answers that depend on the item (both raters of an item mostly agree) and on the
    rater: cy rates helpfulness a point higher on even items and never says borderline,
    bob marks every fifth item S3 and is a point harsher on correctness every fourth. The
    values are the same for A and B, and the preference a tie, so a left/right swap
    changes nothing."""
    if number >= 1000:  # gold: cy misses the preference of the first gold item
        return answers(preference="A>B" if rater == "cy" and number == 1000 else "tie",
                       safety={"A": "safe", "B": "safe"}, rationale="gold")
    helpful = min(5, 3 + number % 3 + (rater == "cy" and number % 2 == 0))
    correct = 3 + (number + 1) % 3 - (rater == "bob" and number % 4 == 0)
    safety = "safe" if number % 4 or rater == "cy" else "borderline"
    severity = "S3" if rater == "bob" and number % 5 == 0 else ["S0", "S1", "S2"][number % 3]
    return answers(helpfulness={"A": helpful, "B": helpful}, correctness={"A": correct, "B": correct},
                   safety={"A": safety, "B": safety}, severity=severity, preference="tie", rationale="why")


@pytest.fixture
def overlap_2(db, settings, workspace, tmp_path):
    """18 live items at overlap 2 claimed round-robin by three raters (so each pair shares
    6 items), after two gold items each (gold rate 1 serves gold first)."""
    tokens = {"lead": make_user(db, "lee", Role.lead),
              **{name: make_user(db, name, Role.rater) for name in ("ann", "bob", "cy")}}
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, tokens["lead"], tmp_path, items=18, overlap=2, gold_rate=1.0)
        added = client.post("/api/workspaces/helpdesk/queues/review/reference-items", headers=h(tokens["lead"]),
                            json={"kind": "gold", "records": GOLD})
        assert added.status_code == 201, added.text
        active = ["ann", "bob", "cy"]
        while active:
            for name in list(active):
                task = client.post("/api/workspaces/helpdesk/queues/review/claim",
                                   headers=h(tokens[name])).json()["assignment"]
                if task is None:
                    active.remove(name)
                    continue
                number = int(re.search(r"laptop #(\d+)", json.dumps(task["item"]["messages"]))[1])
                done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                                   json={"answers": overlap_2_answers(name, number)}, headers=h(tokens[name]))
                assert done.status_code == 200, done.text
        yield client, tokens


def stored_labels(db) -> list:
    with db.reading() as session:
        return session.execute(select(Label.queue_item_id, Label.kind, Label.answers, User.username)
                               .join(User, User.id == Label.rater_id).order_by(Label.id)).all()


def test_at_overlap_2_every_rater_has_a_pairwise_kappa_with_an_interval(overlap_2, db):
    client, t = overlap_2
    response = client.get(f"{BASE}/raters?resamples=300", headers=h(t["lead"]))
    assert response.status_code == 200, response.text
    cards = {c["name"]: c for c in response.json()}
    assert set(cards) == {"ann", "bob", "cy"}
    for name, card in cards.items():
        # No unit has two other raters: consensus says so, and is not the only figure.
        assert card["consensus_agreement"]["value"] is None
        summary = card["pairwise_kappa"]
        assert summary["value"] is not None and summary["unit"] == "items" and summary["n"] == 12
        assert summary["low"] <= summary["value"] <= summary["high"]
        assert all(math.isfinite(summary[end]) for end in ("low", "high"))
        partners = {p["partner"]: p for p in card["pairwise"]}
        assert set(partners) == {"ann", "bob", "cy"} - {name}
        for pair in partners.values():
            assert pair["n"] == 6 and pair["value"] is not None
            assert pair["low"] <= pair["value"] <= pair["high"] and math.isfinite(pair["low"])

    # The kappas are scikit-learn's on the same pairs of stored (canonical) answers.
    labels = [row for row in stored_labels(db) if row.kind == "live"]
    by_item: dict[int, dict[str, dict]] = {}
    for row in labels:
        by_item.setdefault(row.queue_item_id, {})[row.username] = row.answers
    for rater, partner in (("ann", "bob"), ("ann", "cy"), ("bob", "cy")):
        pair = {p["partner"]: p for p in cards[rater]["pairwise"]}[partner]
        shared = [given for given in by_item.values() if rater in given and partner in given]
        expected = {}
        for question, (scale, weights) in KAPPA.items():
            a, b = [], []
            for given in shared:
                mine, theirs = given[rater][question], given[partner][question]
                units = sorted(mine) if isinstance(mine, dict) else [None]
                a += [mine[u] if u else mine for u in units]
                b += [theirs[u] if u else theirs for u in units]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # NaN, with a warning, when every answer is the same
                expected[question] = cohen_kappa_score(a, b, labels=scale, weights=weights)
            got = pair["questions"][question]["value"]
            if math.isnan(expected[question]):
                assert got is None and pair["questions"][question]["reason"]
            else:
                assert got == pytest.approx(expected[question], abs=1e-12), (rater, partner, question)
        defined = [k for k in expected.values() if not math.isnan(k)]
        assert pair["value"] == pytest.approx(sum(defined) / len(defined), abs=1e-12)
        # Every preference was a tie: its kappa is undefined and says why, never 1.
        assert pair["questions"]["preference"]["value"] is None
        # The same figure from the partner's side.
        mirror = {p["partner"]: p for p in cards[partner]["pairwise"]}[rater]
        assert mirror["value"] == pytest.approx(pair["value"])


def test_gold_accuracy_counts_items_and_adjudicated_agreement(overlap_2, db):
    client, t = overlap_2
    # Bob's S3 on item 0 is the odd one out; the lead decides S0 (the other rater's answer).
    disputed = next(row for row in stored_labels(db)
                    if row.kind == "live" and row.username == "bob" and row.answers["severity"] == "S3")
    decided = client.post(f"/api/workspaces/helpdesk/queues/review/items/{disputed.queue_item_id}/adjudication",
                          json={"question": "severity", "answer": "S0", "note": "no issue at all"},
                          headers=h(t["lead"]))
    assert decided.status_code == 201, decided.text

    cards = {c["name"]: c for c in client.get(f"{BASE}/raters?resamples=0", headers=h(t["lead"])).json()}
    # Two gold items, two scored questions each (preference and safety): n is 2 items, with
    # the 4 answers beside it.
    for name, right in (("ann", 4), ("bob", 4), ("cy", 3)):
        gold = cards[name]["gold_accuracy"]
        assert (gold["n"], gold["unit"], gold["answers"]) == (2, "items", 4)
        assert gold["value"] == pytest.approx(right / 4)
        assert gold["method"].startswith("wilson, effective n")
    assert cards["cy"]["gold_accuracy"]["low"] < 0.5  # two items cannot rule out a coin
    # The adjudicated item: bob's severity differs from the lead's, the other rater's matches.
    other = next(row.username for row in stored_labels(db)
                 if row.queue_item_id == disputed.queue_item_id and row.username != "bob")
    bob, agreed = cards["bob"]["adjudicated_agreement"], cards[other]["adjudicated_agreement"]
    assert (bob["value"], bob["n"], bob["answers"]) == (0.0, 1, 1)
    assert (agreed["value"], agreed["n"]) == (1.0, 1)
    third = ({"ann", "bob", "cy"} - {"bob", other}).pop()
    assert cards[third]["adjudicated_agreement"]["value"] is None

    report = client.get(f"{BASE}/report?period=all&resamples=0", headers=h(t["lead"])).json()
    queue_gold = report["queue_figures"]["gold_accuracy"]
    assert queue_gold["n"] == 2 and report["queue_figures"]["gold_answers"] == 12
    assert queue_gold["value"] == pytest.approx(11 / 12)


def test_pages_show_gold_in_items_and_pairwise_kappa(overlap_2, db):
    client, _ = overlap_2
    with db.writing() as session:  # a password, so the pages can sign in
        for name in ("lee", "cy"):
            accounts.get_user(session, name).password_hash = accounts.hash_password("a long password!")

    def login(name: str) -> None:
        client.cookies.clear()
        signed = client.post("/login", data={"username": name, "password": "a long password!"},
                             follow_redirects=False)
        assert signed.status_code == 303

    # The rater's own feedback: 3 of 4 answers right on 2 gold items, the interval of 2 items.
    login("cy")
    page = client.get("/w/helpdesk/queues/review/feedback")
    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "3 of 4 checked answers matched the reference: 75%" in text
    assert "n = 2 items" in text and "95% interval" in text

    # The lead's dashboard: every rater row has its pairwise kappa with an interval over items.
    login("lee")
    dashboard = client.get("/w/helpdesk/queues/review/quality?period=all")
    assert dashboard.status_code == 200
    cells = re.findall(r'<td class="pairwise-kappa">([^<]*)</td>', dashboard.text)
    assert len(cells) == 4  # three raters and their one cohort
    assert all(re.fullmatch(r"-?\d\.\d+ \[-?\d\.\d+, -?\d\.\d+\] n=12 items", c) for c in cells[:3]), cells
    gold = re.findall(r'<td class="gold-accuracy">([^<]*)</td>', dashboard.text)
    assert gold[:3] and all(c.endswith("n=2 items (4 answers)") for c in gold[:3]), gold
