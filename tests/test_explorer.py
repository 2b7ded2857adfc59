"""The results explorer and the side-by-side view, on both databases: each filter alone and
combined, through the page and the API; the text search taking `%`, `_`, quotes and
backslashes literally and the page escaping what the model wrote; keyset paging; the
regressed and fixed filters agreeing with `compare_runs`; and a filtered page of a run of
5,000 results rendering in under a second on SQLite."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import make_user
from honing import accounts
from honing.accounts import Role
from honing.api import create_app
from honing.evaluate import compare_runs
from honing.storage import EvalResult, EvalRun, EvalScenario, EvalSuiteVersion
from test_eval_pages import PASSWORD, _output, _score, login, seed_run

API = "/api/workspaces/helpdesk"
HTML = "<img src=x onerror=alert(1)>"
# What the candidate run answered, scenario by scenario, for repeats 0 and 1: against the
# baseline (seed_run's) reset-password and greeting regress, billing/refund is fixed, vpn
# stops erroring (neither), tone stays undecided.
CANDIDATE = {
    "reset-password": [("fail", "100% sure: no link"), ("fail", "100 x sure: no link")],
    "billing/refund": [("pass", 'The refund policy says "5 days".'), ("pass", "snake_case refund policy")],
    "vpn": [("pass", f"Restart the VPN {HTML}"), ("pass", "back\\slash VPN")],
    "tone": [("inconclusive", "it's fine"), ("inconclusive", "fine")],
    "greeting": [("pass", "Hi!"), ("fail", "Go away.")],
}
TIERS = {"reset-password": ("critical", []), "billing/refund": ("critical", []), "vpn": ("important", ["network"]),
         "tone": ("important", ["network", "style"]), "greeting": ("nice", [])}


def _candidate_rows() -> list[dict]:
    rows = []
    for sid, answers in CANDIDATE.items():
        tier, tags = TIERS[sid]
        for repeat, (status, text) in enumerate(answers):
            scores = [] if status == "error" else [
                _score("judge", None) if status == "inconclusive" else _score("contains", status == "pass", "why")]
            rows.append(dict(scenario_id=sid, repeat=repeat, tier=tier, tags=tags, status=status,
                             output=_output(text), scores=scores, error=None, latency_ms=10.0))
    return rows


def seed_candidate(db, baseline: int) -> int:
    """A second run of the baseline's suite version; the refund scenario's input gets a
    quoted word, so the search must find it inside the JSON of its messages."""
    with db.writing() as session:
        base = session.get_one(EvalRun, baseline)
        run = EvalRun(workspace_id=base.workspace_id, suite_version_id=base.suite_version_id, target="openai:gpt-new",
                      status="completed", actor="cli:test", config={**base.config, "suite": "smoke@1"})
        session.add(run)
        session.flush()
        session.add_all(EvalResult(run_id=run.id, **row) for row in _candidate_rows())
        refund = session.scalar(select(EvalScenario).where(EvalScenario.version_id == base.suite_version_id,
                                                           EvalScenario.scenario_id == "billing/refund"))
        spec = dict(refund.spec)
        spec["input"] = [*spec["input"][:1], {"role": "user", "content": 'Where is my "quoted" refund?'}]
        refund.spec = spec
        return run.id


@pytest.fixture
def runs(db, settings, workspace):
    token = make_user(db, "vic", Role.viewer)
    with db.writing() as session:
        accounts.get_user(session, "vic").password_hash = accounts.hash_password(PASSWORD)
    baseline = seed_run(db)
    candidate = seed_candidate(db, baseline)
    with TestClient(create_app(db, settings)) as client:
        yield client, {"Authorization": f"Bearer {token}"}, baseline, candidate


def keys(client: TestClient, headers: dict, run_id: int, query: str = "") -> list[tuple[str, int]]:
    response = client.get(f"{API}/runs/{run_id}/results?limit=1000&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [(r["scenario_id"], r["repeat"]) for r in response.json()["results"]]


def page_keys(html: str) -> list[tuple[str, int]]:
    return [(sid.replace("&#34;", '"'), int(n)) for sid, n in
            re.findall(r'<tr data-scenario="([^"]*)" data-repeat="(\d+)">', html)]


def facet(html: str, name: str, value: str) -> int:
    label = re.search(rf'<label data-facet="{name}" data-value="{re.escape(value)}">(.*?)</label>', html, re.S)
    return int(re.search(r'<span class="count muted">(\d+)</span>', label.group(1)).group(1))


@pytest.mark.parametrize("query, expected", [
    ("status=fail", [("billing/refund", 0)]),
    ("status=error&status=inconclusive", [("tone", 0), ("tone", 1), ("vpn", 0), ("vpn", 1)]),
    ("tier=nice", [("greeting", 0), ("greeting", 1)]),
    ("tier=critical&tier=nice", [("billing/refund", 0), ("billing/refund", 1), ("greeting", 0), ("greeting", 1),
                                 ("reset-password", 0), ("reset-password", 1)]),
    ("tag=style", [("tone", 0), ("tone", 1)]),
    ("tag=network", [("tone", 0), ("tone", 1), ("vpn", 0), ("vpn", 1)]),
    ("scorer=contains&scorer_verdict=fail", [("billing/refund", 0)]),
    ("scorer=tool_called&scorer_verdict=pass", [("billing/refund", 0), ("billing/refund", 1)]),
    ("scorer=judge", [("tone", 0), ("tone", 1)]),
    ("scorer=contains&scorer_verdict=pass&tier=nice", [("greeting", 0), ("greeting", 1)]),
    ("q=RESET", [("reset-password", 0), ("reset-password", 1)]),  # scenario id, any case
    ("q=forgot", [("reset-password", 0), ("reset-password", 1)]),  # the input, a string
    ("q=A-17", [("billing/refund", 0), ("billing/refund", 1)]),  # the output, and the input's messages
    ("q=nothing-like-this", []),
    ("status=pass&tier=critical&q=reset", [("reset-password", 0), ("reset-password", 1)]),
    ("status=pass&tier=critical&q=refund", [("billing/refund", 1)]),
    ("tag=network&status=error&q=vpn", [("vpn", 0), ("vpn", 1)]),
])
def test_each_filter_and_their_combination(runs, query, expected):
    client, headers, baseline, _ = runs
    assert keys(client, headers, baseline, query) == expected
    page = login(client, "vic").get(f"/w/helpdesk/runs/{baseline}/results?{query}")
    assert page.status_code == 200, page.text
    assert page_keys(page.text) == expected
    assert f'{len(expected)} shown by these filters' in page.text


@pytest.mark.parametrize("term, expected", [
    ("100%", [("reset-password", 0)]),  # not "100 x sure"
    ("e_c", [("billing/refund", 1)]),  # "snake_case", not any letter between e and c
    ('"5 days"', [("billing/refund", 0)]),
    ('"quoted"', [("billing/refund", 0), ("billing/refund", 1)]),  # escaped in the input's JSON
    ("it's", [("tone", 0)]),
    ("back\\slash", [("vpn", 1)]),
    ("<img", [("vpn", 0)]),
    ("%", [("reset-password", 0)]),
    ("_", [("billing/refund", 1)]),
])
def test_search_takes_wildcards_quotes_and_backslashes_literally(runs, term, expected):
    client, headers, _, candidate = runs
    assert keys(client, headers, candidate, f"q={quote(term)}") == expected
    page = login(client, "vic").get(f"/w/helpdesk/runs/{candidate}/results?q={quote(term)}")
    assert page_keys(page.text) == expected


def test_the_page_escapes_outputs_and_the_search_term(runs):
    client, _, _, candidate = runs
    page = login(client, "vic").get(f"/w/helpdesk/runs/{candidate}/results?q={quote('<img')}")
    assert HTML not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert 'value="&lt;img"' in page.text


def test_facet_counts_apply_the_other_filters(runs):
    client, headers, baseline, _ = runs
    html = login(client, "vic").get(f"/w/helpdesk/runs/{baseline}/results?tier=critical&status=pass").text
    # Status counts within the critical tier; tier counts among passes.
    assert [facet(html, "status", s) for s in ("pass", "fail", "error")] == [3, 1, 0]
    assert [facet(html, "tier", t) for t in ("critical", "nice")] == [3, 2]
    assert re.findall(r'data-facet="tier" data-value="([^"]+)"', html) == ["critical", "nice"]  # the suite's order
    counts = client.get(f"{API}/runs/{baseline}/results?tier=critical&status=pass&counts=true",
                        headers=runs[1]).json()["counts"]
    assert counts["status"]["pass"] == 3 and counts["tier"] == {"critical": 3, "nice": 2}
    assert counts["scorer"]["contains"] == {"pass": 3, "fail": 0} and counts["total"] == 3
    assert counts["tag"] == {}  # no critical pass is tagged


def test_tier_facets_follow_the_suites_order(runs):
    client, headers, baseline, _ = runs
    counts = client.get(f"{API}/runs/{baseline}/results?counts=true", headers=headers).json()["counts"]
    assert list(counts["tier"]) == ["critical", "important", "nice"]
    assert counts["tag"] == {"network": 4, "style": 2}
    assert counts["status"] == {"pass": 5, "fail": 1, "inconclusive": 2, "unscored": 0, "error": 2}


def test_keyset_paging_through_the_api_and_the_page(runs):
    client, headers, baseline, _ = runs
    everything = keys(client, headers, baseline)
    seen, query = [], "limit=3&status=pass&status=error"
    while True:
        body = client.get(f"{API}/runs/{baseline}/results?{query}", headers=headers).json()
        seen += [(r["scenario_id"], r["repeat"]) for r in body["results"]]
        if body["next"] is None:
            break
        query = (f"limit=3&status=pass&status=error&after={quote(body['next']['after'])}"
                 f"&after_repeat={body['next']['after_repeat']}")
    assert seen == [k for k in everything if k[0] in ("reset-password", "greeting", "vpn") or k == ("billing/refund", 1)]
    login(client, "vic")
    url, pages = f"/w/helpdesk/runs/{baseline}/results?status=pass&status=error&limit=3", []
    while url:
        html = client.get(url).text
        pages.append(page_keys(html))
        found = re.search(r'<a class="next-page" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        if len(pages) > 1:
            assert 'class="first-page"' in html
    assert [len(p) for p in pages] == [3, 3, 1] and sum(pages, []) == seen
    assert "status=pass&amp;status=error" in client.get(f"/w/helpdesk/runs/{baseline}/results?status=pass&status=error&limit=3").text


def test_regressed_and_fixed_agree_with_the_comparison(runs, db):
    client, headers, baseline, candidate = runs
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        comparison = compare_runs(session, ws, baseline, candidate, examples=500)
    regressed = {c.scenario_id for c in comparison.regressions}
    fixed = {c.scenario_id for c in comparison.fixes}
    assert regressed == {"reset-password", "greeting"} and fixed == {"billing/refund"}  # the fixture's design
    for change, expected in (("regressed", regressed), ("fixed", fixed)):
        found = keys(client, headers, candidate, f"baseline={baseline}&change={change}")
        assert {sid for sid, _ in found} == expected and len(found) == 2 * len(expected)
    both = keys(client, headers, candidate, f"baseline={baseline}&change=regressed&status=fail&tier=critical")
    assert both == [("reset-password", 0), ("reset-password", 1)]
    counts = client.get(f"{API}/runs/{candidate}/results?baseline={baseline}&counts=true", headers=headers).json()
    assert counts["counts"]["change"] == {"regressed": 2 * comparison.counts["regressions"],
                                          "fixed": 2 * comparison.counts["fixes"]}
    html = login(client, "vic").get(f"/w/helpdesk/runs/{candidate}/results?baseline={baseline}&change=fixed").text
    assert page_keys(html) == [("billing/refund", 0), ("billing/refund", 1)]
    link = f"/w/helpdesk/runs/{baseline}/compare/{candidate}/results/{quote('billing/refund', safe='')}?repeat=1"
    assert f'href="{link}"' in html


def test_bad_filters_are_refused_naming_the_field(runs):
    client, headers, baseline, candidate = runs
    for query, words in (("change=regressed", "change needs baseline"),
                         ("scorer_verdict=pass", "scorer_verdict needs scorer"),
                         ("baseline=999999", "run 999999 does not exist")):
        response = client.get(f"{API}/runs/{candidate}/results?{query}", headers=headers)
        assert response.status_code in (404, 422) and words in response.text, (query, response.text)
    assert client.get(f"{API}/runs/{candidate}/results?status=passed", headers=headers).status_code == 422
    assert login(client, "vic").get(f"/w/helpdesk/runs/{candidate}/results?baseline=abc").status_code == 422


def test_side_by_side_shows_a_word_diff_escaped_and_both_scores(runs):
    client, _, baseline, candidate = runs
    login(client, "vic")
    page = client.get(f"/w/helpdesk/runs/{baseline}/compare/{candidate}/results/vpn?repeat=0")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<ins>Restart the VPN &lt;img src=x onerror=alert(1)&gt;</ins>" in html  # the baseline errored: no text
    assert HTML not in html and "target unreachable" in html  # the baseline's error is shown
    page = client.get(f"/w/helpdesk/runs/{baseline}/compare/{candidate}/results/{quote('reset-password', safe='')}")
    diff = re.search(r'<div class="content word-diff">(.*?)</div>', page.text, re.S).group(1)
    assert diff == "<del>Use</del><ins>100%</ins> <del>the</del><ins>sure:</ins> <del>reset</del><ins>no</ins> link<del>.</del>"
    side_a = re.search(r'<section class="card side-a".*?</section>', page.text, re.S).group(0)
    side_b = re.search(r'<section class="card side-b".*?</section>', page.text, re.S).group(0)
    assert "found &#39;reset link&#39;" in side_a and "passed" in side_a
    assert 'data-scorer="contains"' in side_b and "failed" in side_b
    assert client.get(f"/w/helpdesk/runs/{baseline}/compare/{candidate}/results/nope").status_code == 404


# The timing is asserted on SQLite, the embedded default; PostgreSQL runs the same SQL in the
# other tests of this file.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_filtered_page_of_5000_results_renders_in_under_a_second(db, settings, workspace, backend):
    make_user(db, "vic", Role.viewer)
    with db.writing() as session:
        accounts.get_user(session, "vic").password_hash = accounts.hash_password(PASSWORD)
    run_id = seed_run(db)
    with db.writing() as session:
        statuses = ("pass", "fail", "error", "unscored", "inconclusive")
        session.add_all(EvalResult(
            run_id=run_id, scenario_id=f"bulk-{i:05d}", repeat=0, tier=("critical", "important", "nice")[i % 3],
            tags=["bulk", f"group-{i % 7}"], status=statuses[i % 5], output=_output(f"answer number {i}"),
            scores=[_score("contains", i % 5 == 0, "why")], error=None, latency_ms=1.0) for i in range(5000))
    with TestClient(create_app(db, settings)) as client:
        login(client, "vic")
        url = f"/w/helpdesk/runs/{run_id}/results?status=fail&tier=critical&tag=group-3&q=answer&scorer=contains"
        client.get(url)  # warm the templates
        started = time.perf_counter()
        page = client.get(url)
        elapsed = time.perf_counter() - started
    assert page.status_code == 200 and len(page_keys(page.text)) > 0
    print(f"filtered page of 5,000 results: {elapsed:.3f} s")
    assert elapsed < 1.0, f"a filtered page of 5,000 results took {elapsed:.2f} s"


def test_run_and_compare_pages_link_to_the_explorer(runs):
    client, _, baseline, candidate = runs
    login(client, "vic")
    run_page = client.get(f"/w/helpdesk/runs/{candidate}").text
    assert f'href="/w/helpdesk/runs/{candidate}/results"' in run_page
    compare_page = client.get(f"/w/helpdesk/runs/{baseline}/compare/{candidate}").text
    assert f'href="/w/helpdesk/runs/{candidate}/results?baseline={baseline}"' in compare_page


def test_a_baseline_of_another_suite_version_pairs_by_id_only_when_asked(runs, db):
    client, headers, baseline, _ = runs
    with db.writing() as session:
        base = session.get_one(EvalRun, baseline)
        old = session.get_one(EvalSuiteVersion, base.suite_version_id)
        version = EvalSuiteVersion(suite_id=old.suite_id, number=2, content_hash="cd" * 32, description="",
                                   scenario_count=old.scenario_count, tiers=old.tiers, source="smoke.yaml",
                                   actor="cli:test")
        session.add(version)
        session.flush()
        session.add_all(EvalScenario(version_id=version.id, position=s.position, scenario_id=s.scenario_id,
                                     tier=s.tier, spec=s.spec)
                        for s in session.scalars(select(EvalScenario).where(EvalScenario.version_id == old.id)))
        run = EvalRun(workspace_id=base.workspace_id, suite_version_id=version.id, target="openai:gpt-new",
                      status="completed", actor="cli:test", config={**base.config, "suite": "smoke@2"})
        session.add(run)
        session.flush()
        session.add_all(EvalResult(run_id=run.id, **row) for row in _candidate_rows())
        candidate = run.id
    refused = client.get(f"{API}/runs/{candidate}/results?baseline={baseline}&change=regressed", headers=headers)
    assert refused.status_code == 422 and "different suite versions" in refused.text
    with db.reading() as session:
        comparison = compare_runs(session, accounts.get_workspace(session, "helpdesk"), baseline, candidate,
                                  match="same-id")
    found = keys(client, headers, candidate, f"baseline={baseline}&change=regressed&match=same-id")
    assert {sid for sid, _ in found} == {c.scenario_id for c in comparison.regressions} == {"reset-password", "greeting"}
