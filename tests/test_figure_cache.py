"""The figure cache on both databases: stored figures are exactly the fresh ones, a new
label makes them old (the page says so while one refresh runs), and a refresh runs once."""

from __future__ import annotations

import math
import random
import re
import threading
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import answers, seed_queue
from conftest import make_user
from honing import accounts, annotate, figure_cache, quality
from honing.accounts import Role
from honing.api import create_app
from honing.stats import Estimate, Undefined
from honing.storage import FigureCache

PASSWORD = "a long password!"


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(client: TestClient, token: str, given: dict) -> bool:
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(token)).json()["assignment"]
    if task is None:
        return False
    done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                       json={"answers": given}, headers=h(token))
    assert done.status_code == 200, done.text
    return True


def random_answers(rng: random.Random) -> dict:
    def likert() -> dict:
        return {"A": rng.randint(1, 5), "B": rng.randint(1, 5)}

    return answers(helpfulness=likert(), correctness=likert(),
                   safety={"A": rng.choice(["safe", "borderline"]), "B": "safe"},
                   severity=rng.choice(["S0", "S1", "S2", "S3"]), preference=rng.choice(["A>B", "tie", "B>A"]),
                   rationale="the answer was not right")


@pytest.fixture
def queue(db, settings, workspace, tmp_path):
    tokens = {"lead": make_user(db, "lee", Role.lead),
              **{name: make_user(db, name, Role.rater) for name in ("ann", "bob", "cy")}}
    with db.writing() as session:
        accounts.get_user(session, "lee").password_hash = accounts.hash_password(PASSWORD)
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, tokens["lead"], tmp_path, items=8, overlap=3)
        yield client, tokens
    figure_cache.wait_for_refreshes()


def _report_of(db, period: str):
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        return quality.cached_quality_report(db, session, ws, annotate.get_queue(session, ws, "review"), period,
                                             max_age_s=3600)


def _without_time(report: quality.QualityReport) -> dict:
    found = report.as_dict()
    del found["generated_at"]
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cached_figures_are_the_fresh_figures(queue, db, seed):
    client, tokens = queue
    rng = random.Random(seed)
    for _ in range(rng.randint(6, 20)):
        submit(client, tokens[rng.choice(["ann", "bob", "cy"])], random_answers(rng))
    for period in ("all", "14d"):
        computed = _report_of(db, period)  # first view: computed and stored
        stored = _report_of(db, period)  # read back from the table
        assert not computed.updating and not stored.updating
        assert stored.computed_at == computed.computed_at
        with db.reading() as session:
            ws = accounts.get_workspace(session, "helpdesk")
            # Same period (so the same end), same resamples and seeds: the same figures.
            fresh = quality.quality_report(session, ws, annotate.get_queue(session, ws, "review"),
                                           stored.value.period, n_resamples=quality.DASHBOARD_RESAMPLES)
        assert _without_time(stored.value) == _without_time(fresh)
        # And the same page: every chart and KPI cell renders identically.
        assert [c.svg for c in quality.report_charts(stored.value)] == [c.svg for c in quality.report_charts(fresh)]
        assert quality.kpi_table(stored.value) == quality.kpi_table(fresh)


def test_a_new_label_makes_the_figures_old_and_the_page_says_so(queue, db):
    client, tokens = queue
    for name in ("ann", "bob", "cy"):
        submit(client, tokens[name], answers())
    signed = client.post("/login", data={"username": "lee", "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303

    def dashboard() -> str:
        page = client.get("/w/helpdesk/queues/review/quality?period=all")
        assert page.status_code == 200
        return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())

    first = dashboard()
    assert "Figures as of" in first and "updating" not in first
    assert dashboard() == first  # nothing changed: the stored figures, as they were
    with db.reading() as session:
        before = quality.queue_state(session, annotate.get_queue(session, accounts.get_workspace(
            session, "helpdesk"), "review").id)

    submit(client, tokens["ann"], answers(severity="S2"))
    with db.reading() as session:
        after = quality.queue_state(session, annotate.get_queue(session, accounts.get_workspace(
            session, "helpdesk"), "review").id)
    assert after != before
    stale = dashboard()
    assert "updating" in stale and "labels or reviews arrived since" in stale
    figure_cache.wait_for_refreshes()
    refreshed = dashboard()
    assert "updating" not in refreshed
    labels = _report_of(db, "all").value.figures.labels
    assert labels == 4


def test_the_card_says_when_its_label_figures_are_being_updated(queue, db):
    client, tokens = queue
    signed = client.post("/login", data={"username": "lee", "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    first = client.get("/w/helpdesk/datasets/review/card").text
    assert "Label figures as of" in first and "updating" not in first
    submit(client, tokens["bob"], answers())
    stale = client.get("/w/helpdesk/datasets/review/card").text
    assert "updating" in stale and "labels arrived since" in stale
    figure_cache.wait_for_refreshes()
    refreshed = client.get("/w/helpdesk/datasets/review/card").text
    assert "updating" not in refreshed and "1 live labels kept (not returned for rework)" in refreshed


def test_one_refresh_at_a_time(db):
    state, release = ["one"], threading.Event()
    release.set()

    def compute(_session) -> str:
        assert release.wait(10)
        return f"figures of {state[0]}"

    figures = figure_cache.Figures("test", "one-at-a-time", lambda _s: state[0], compute)
    with db.reading() as session:
        assert figure_cache.cached(db, session, figures, max_age_s=None).value == "figures of one"
    release.clear()
    state[0] = "two"
    with db.reading() as session:
        old = figure_cache.cached(db, session, figures, max_age_s=None)  # starts the refresh
    assert (old.value, old.updating) == ("figures of one", True)
    # A second view, or another worker, does not start a second computation.
    assert figure_cache.refresh_in_background(db, figures) is False
    with db.reading() as session:
        assert figure_cache.cached(db, session, figures, max_age_s=None).updating
    release.set()
    figure_cache.wait_for_refreshes()
    with db.reading() as session:
        new = figure_cache.cached(db, session, figures, max_age_s=None)
        assert (new.value, new.updating) == ("figures of two", False)
        assert session.scalar(select(FigureCache.refreshing_since).where(FigureCache.kind == "test")) is None


def test_figures_round_trip_through_json_exactly():
    value = {"estimate": Estimate(Undefined("no labels"), math.nan, math.inf, 0, method="wilson"),
             (3, "q"): [(date(2026, 12, 7), datetime(2026, 12, 7, 9, 30, tzinfo=UTC))], "set": {1, 2},
             "~": "a key that looks like a tag"}
    back = figure_cache.loads(figure_cache.dumps(value))
    assert back.keys() == value.keys()
    assert back[(3, "q")] == value[(3, "q")] and back["set"] == {1, 2} and back["~"] == value["~"]
    estimate = back["estimate"]
    assert isinstance(estimate, Estimate) and isinstance(estimate.value, Undefined)
    assert estimate.value.reason == "no labels" and math.isnan(estimate.low) and estimate.high == math.inf


def test_stored_figures_never_name_a_foreign_class():
    with pytest.raises(Exception, match="not a Honing figure"):
        figure_cache.loads('{"~": "dataclass", "type": "subprocess:Popen", "fields": {}}')
