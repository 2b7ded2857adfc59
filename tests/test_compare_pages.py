"""The run comparison on the web and in the API: the same paired figures as `honing eval
compare`, drawn; the runs page's form leads there; outsiders get nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from conftest import make_user
from honing import accounts
from honing.accounts import Role
from honing.api import create_app
from test_eval_pages import PASSWORD, login
from test_release_gate import make_runs


def test_compare_page_and_api(db, settings, workspace, tmp_path):
    # 60 scenarios; the candidate breaks 12 critical ones that passed and fixes none.
    base = [("critical" if i < 40 else "nice", True, 100.0) for i in range(60)]
    worse = [(tier, not (i < 12), latency + 20) for i, (tier, _, latency) in enumerate(base)]
    runs = make_runs(db, workspace, tmp_path, {"a": base, "b": worse})
    token = make_user(db, "vic", Role.viewer)
    outsider = make_user(db, "out", None)
    with db.writing() as session:
        for name in ("vic", "out"):
            accounts.get_user(session, name).password_hash = accounts.hash_password(PASSWORD)
    a, b = runs["a"], runs["b"]
    with TestClient(create_app(db, settings)) as client:
        found = client.get(f"/api/workspaces/{workspace}/runs/{a}/compare/{b}",
                           headers={"Authorization": f"Bearer {token}"})
        assert found.status_code == 200, found.text
        body = found.json()
        critical = next(t for t in body["tiers"] if t["name"] == "critical")
        assert (critical["regressed"], critical["fixed"], critical["pairs"]) == (12, 0, 40)
        assert critical["verdict"] == "worse"
        assert sorted(r["scenario_id"] for r in body["regressions"]) == [f"s{i:03d}" for i in range(12)]
        refused = client.get(f"/api/workspaces/{workspace}/runs/{a}/compare/{b}",
                             headers={"Authorization": f"Bearer {outsider}"})
        assert refused.status_code == 404  # not a member: no hint the workspace exists

        login(client, "vic")
        listing = client.get(f"/w/{workspace}/runs")
        assert 'class="card compare-form"' in listing.text
        moved = client.get(f"/w/{workspace}/runs", params={"a": a, "b": b}, follow_redirects=False)
        assert moved.status_code == 303 and moved.headers["location"] == f"/w/{workspace}/runs/{a}/compare/{b}"
        page = client.get(moved.headers["location"])
        assert page.status_code == 200, page.text
        row = re.search(r'<tr data-kind="tier" data-name="critical">(.*?)</tr>', page.text, re.S).group(1)
        assert ">worse (n = 40)<" in row and "−30.0 pp" not in row and "-30.0 pp" in row
        for key in ("tiers", "difference", "latency"):
            assert f'id="chart-{key}"' in page.text
        assert page.text.count('class="grid changes regressions"') == 1
        assert f"/w/{workspace}/runs/{b}/results/s000?repeat=0" in page.text
        assert client.get(f"/w/{workspace}/runs/{a}/compare/999999", headers={"accept": "text/html"}).status_code == 404
        login(client, "out")
        assert client.get(f"/w/{workspace}/runs/{a}/compare/{b}", headers={"accept": "text/html"}).status_code == 404
