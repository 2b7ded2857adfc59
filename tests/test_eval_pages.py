"""The evaluation pages and API on both databases: a run seeded straight into storage (a
pass, a failure with its scorer's explanation, target errors, an undecided judge, and a
scenario whose repeats disagree) shows the right numbers, charts, drill-down and result,
escapes what the model wrote, and is refused to those who may not read it."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from conftest import OPERATOR, make_user
from honing import accounts
from honing.accounts import Role
from honing.api import create_app
from honing.stats import wilson_interval
from honing.storage import EvalResult, EvalRun, EvalScenario, EvalSuite, EvalSuiteVersion, utcnow

API = "/api/workspaces/helpdesk"
HOSTILE = "<script>alert(1)</script>"
PASSWORD = "a long password!"


def _score(scorer: str, passed: bool | None, explanation: str = "", error: str | None = None,
           details: dict | None = None) -> dict:
    value = None if passed is None else float(passed)
    return {"scorer": scorer, "value": value, "passed": passed, "explanation": explanation, "error": error,
            "details": details or {}}


def _output(text: str, trajectory: list[dict] | None = None) -> dict:
    trajectory = trajectory or [{"role": "assistant", "content": text}]
    calls = [c for m in trajectory for c in m.get("tool_calls", [])]
    return {"text": text, "steps": sum(m["role"] == "assistant" for m in trajectory), "tool_calls": calls,
            "trajectory": trajectory}


REFUND_TRAJECTORY = [
    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                                          "function": {"name": "lookup_order", "arguments": '{"order": "A-17"}'}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"status": "shipped", "total": 42}'},
    {"role": "assistant", "content": f"Your order A-17 has shipped. {HOSTILE}"},
]
SCENARIOS = [  # id, tier, spec extras
    ("reset-password", "critical", {"input": "I forgot my password.",
                                    "expect": [{"type": "contains", "value": "reset link"}]}),
    ("billing/refund", "critical", {
        "input": [{"role": "system", "content": "You are the billing assistant."},
                  {"role": "user", "content": "Where is my refund for A-17?"}],
        "context": [{"id": "kb-7", "title": "Refund policy", "content": "Refunds take 5 days."}],
        "tools": [{"type": "function", "function": {"name": "lookup_order", "description": "Find an order",
                                                    "parameters": {"type": "object"}}}],
        "expect": [{"type": "contains", "value": "refund policy"}, {"type": "tool_called", "tool": "lookup_order"}]}),
    ("vpn", "important", {"input": "VPN error 809", "tags": ["network"]}),
    ("tone", "important", {"input": "Be nice", "tags": ["network", "style"],
                           "expect": [{"type": "judge", "name": "judge", "rubric": "polite?"}]}),
    ("greeting", "nice", {"input": "Hello"}),
]
CONTAINS_OK = _score("contains", True, "found 'reset link'")
REFUND_FAIL = "the answer does not mention the refund policy"
JUDGE_ERROR = "the judge's answer could not be parsed"
UNREACHABLE = "target unreachable: connection refused after 6 retries"


def _results() -> list[dict]:
    """Two repeats of each scenario. Critical: 3 passes, 1 failure (billing/refund, whose
    repeats disagree). Important: 2 errors and 2 undecided. Nice: 2 passes."""
    rows = []
    for repeat in (0, 1):
        rows += [
            dict(scenario_id="reset-password", tier="critical", tags=[], status="pass",
                 output=_output("Use the reset link."), scores=[CONTAINS_OK], latency_ms=100.0 + repeat),
            dict(scenario_id="billing/refund", tier="critical", tags=[], status="fail" if repeat == 0 else "pass",
                 output=_output(REFUND_TRAJECTORY[-1]["content"], REFUND_TRAJECTORY),
                 scores=[_score("contains", repeat == 1, REFUND_FAIL if repeat == 0 else "found 'refund policy'"),
                         _score("tool_called", True, "lookup_order was called")], latency_ms=300.0),
            dict(scenario_id="vpn", tier="important", tags=["network"], status="error", output={}, scores=[],
                 error=UNREACHABLE, latency_ms=None, prompt_tokens=None, completion_tokens=None, cost=None),
            dict(scenario_id="tone", tier="important", tags=["network", "style"], status="inconclusive",
                 output=_output("Sure thing."),
                 scores=[_score("judge", None, error=JUDGE_ERROR,
                                details={"reasoning": "Polite enough <b>I think</b>", "raw": "maybe?"})],
                 latency_ms=200.0),
            dict(scenario_id="greeting", tier="nice", tags=[], status="pass", output=_output("Hi!"),
                 scores=[_score("contains", True, "found 'Hi'")], latency_ms=50.0, cached=True),
        ]
    return [{"repeat": repeat, "prompt_tokens": 10, "completion_tokens": 5, "cost": 0.001, "error": None,
             "cached": False, **row} for repeat, row in zip([0] * 5 + [1] * 5, rows)]


def seed_run(db, workspace: str = "helpdesk", *, results: bool = True) -> int:
    """A run of suite smoke@1 (created if missing); without results it is still running."""
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        suite = EvalSuite(workspace_id=ws.id, name="smoke")
        session.add(suite)
        session.flush()  # one run per workspace in these tests: the suite is always new
        version = EvalSuiteVersion(suite_id=suite.id, number=1, content_hash="ab" * 32,
                                   description="Smoke tests for the helpdesk assistant", scenario_count=5,
                                   tiers={"critical": 2, "important": 2, "nice": 1}, source="smoke.yaml",
                                   actor="cli:test")
        session.add(version)
        session.flush()
        session.add_all(EvalScenario(version_id=version.id, position=i, scenario_id=sid, tier=tier,
                                     spec={"id": sid, "tier": tier, **extra})
                        for i, (sid, tier, extra) in enumerate(SCENARIOS))
        started = utcnow() - timedelta(minutes=5)
        run = EvalRun(workspace_id=ws.id, suite_version_id=version.id, target="openai:gpt-test",
                      status="completed" if results else "running", actor="cli:test", started_at=started,
                      finished_at=started + timedelta(seconds=90) if results else None,
                      config={"suite": "smoke@1", "suite_hash": "ab" * 32, "repeats": 2, "concurrency": 4,
                              "max_steps": 8, "seed": 7, "cache": True, "target_options": {},
                              "code_version": "0.9.0", "prices": {"gpt-test": {"input": 1.0, "output": 2.0}}})
        session.add(run)
        session.flush()
        if results:
            session.add_all(EvalResult(run_id=run.id, **row) for row in _results())
        return run.id


@pytest.fixture
def seeded(db, settings, workspace):
    tokens = {"viewer": make_user(db, "vic", Role.viewer), "outsider": make_user(db, "out", None)}
    with db.writing() as session:
        for name in ("vic", "out"):
            accounts.get_user(session, name).password_hash = accounts.hash_password(PASSWORD)
        accounts.create_workspace(session, OPERATOR, "other", "Other")
    run_id = seed_run(db)
    with TestClient(create_app(db, settings)) as client:
        yield client, tokens, run_id


def login(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    return client


def row_cells(html: str, table_class: str, name: str) -> list[str]:
    table = re.search(rf'<table class="grid [^"]*{table_class}[^"]*">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr data-name="{re.escape(name)}">(.*?)</tr>', table, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def points(svg: str) -> dict[str, dict[str, str]]:
    found = {}
    for tag in re.findall(r'<g [^>]*class="point[^"]*"[^>]*>', svg):
        attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', tag))
        found[attrs["data-label"]] = attrs
    return found


def test_runs_page_lists_runs_and_suite_versions(seeded):
    client, _, run_id = seeded
    page = login(client, "vic").get("/w/helpdesk/runs")
    assert page.status_code == 200
    row = re.search(rf'<tr data-run="{run_id}">(.*?)</tr>', page.text, re.S).group(1)
    assert f'href="/w/helpdesk/runs/{run_id}"' in row and "smoke@1" in row and "openai:gpt-test" in row
    assert "10 / 10" in row and "completed" in row
    assert "62.5% [" in row and "n=8" in row  # 5 passes of 8 decided; the 2 errors are apart
    assert re.search(r'<span class="tag [^"]*">2</span>', row)  # errors
    assert "Smoke tests for the helpdesk assistant" in page.text and "abababababab" in page.text
    workspace = client.get("/w/helpdesk")
    assert 'href="/w/helpdesk/runs"' in workspace.text


def test_run_page_numbers_charts_and_drill_down(seeded):
    client, _, run_id = seeded
    page = login(client, "vic").get(f"/w/helpdesk/runs/{run_id}")
    assert page.status_code == 200, page.text
    html = page.text
    # Tier table: pass, fail, inconclusive, unscored, error, pass rate.
    critical = row_cells(html, "by-tier", "critical")
    assert critical[1:6] == ["3", "1", "0", "0", "0"] and critical[6].startswith("75.0% [") \
        and critical[6].endswith("n=4")
    assert row_cells(html, "by-tier", "important")[1:7] == ["0", "0", "2", "0", "2", "0.0% [0.0%, 65.8%] n=2"]
    assert row_cells(html, "by-tier", "all")[1:6] == ["5", "1", "2", "0", "2"]
    assert row_cells(html, "by-tag", "network")[1:6] == ["0", "0", "2", "0", "2"]
    assert row_cells(html, "by-scorer", "contains")[1:4] == ["5", "1", "0"]  # scorers never error: no column
    assert row_cells(html, "by-scorer", "judge")[1:5] == ["0", "0", "2", "0.0% [0.0%, 65.8%] n=2"]
    # Pass rate per tier, with the Wilson interval and n in the chart's data.
    chart = re.search(r'<figure class="card" id="chart-tier-pass-rate">(.*?)</figure>', html, re.S).group(1)
    bars = points(chart)
    low, high = wilson_interval(3, 4)
    assert bars["critical"]["data-value"] == "0.75" and bars["critical"]["data-n"] == "4"
    assert float(bars["critical"]["data-low"]) == pytest.approx(low)
    assert float(bars["critical"]["data-high"]) == pytest.approx(high)
    assert bars["important"]["data-value"] == "0.0" and bars["nice"]["data-value"] == "1.0"
    stacked = re.search(r'<figure class="card" id="chart-tier-status">(.*?)</figure>', html, re.S).group(1)
    assert stacked.count('class="point') == 5  # critical: pass, fail; important: inconclusive, error; nice: pass
    # Latency over the results that have one (errors have none), cost and cache.
    assert "p50</dt><dd>150 ms" in html and "cached</dt><dd class=\"cached\">2 of 10" in html
    assert "$0.0080" in html  # 8 answered results at $0.001
    assert ">seed</dt><dd>7<" in html and ">cache</dt><dd>yes<" in html and "0.9.0" in html and "gpt-test" in html
    # Flaky: billing/refund failed once and passed once.
    flaky = re.search(r'<table class="grid flaky">(.*?)</table>', html, re.S).group(1)
    link = f"/w/helpdesk/runs/{run_id}/results/{quote('billing/refund', safe='')}?repeat=0"
    assert link in flaky and "1 / 2" in flaky and "50%" in flaky
    # Failures (the model's) and errors (the target's) are listed apart.
    failures = re.search(r'<table class="grid failures">(.*?)</table>', html, re.S).group(1)
    errors = re.search(r'<table class="grid errors">(.*?)</table>', html, re.S).group(1)
    assert REFUND_FAIL in failures and link in failures
    assert JUDGE_ERROR.replace("'", "&#39;") in failures
    assert UNREACHABLE not in failures and UNREACHABLE in errors and errors.count("<tr>") == 3
    assert "Failures (3)" in html and "Errors (2)" in html


def test_result_page_shows_input_trajectory_and_scores_escaped(seeded):
    client, _, run_id = seeded
    login(client, "vic")
    base = f"/w/helpdesk/runs/{run_id}/results"
    page = client.get(f"{base}/{quote('billing/refund', safe='')}?repeat=0")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Where is my refund for A-17?" in html and "You are the billing assistant." in html
    assert "Refunds take 5 days." in html  # context
    assert 'data-tool="lookup_order"' in html and "call_1" in html and "&#34;shipped&#34;" in html
    assert REFUND_FAIL in html and "lookup_order was called" in html
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="{base}/billing%2Frefund?repeat=1"' in html  # the other repeat, which passed
    # The same page by the unquoted path.
    assert client.get(f"{base}/billing/refund?repeat=1").status_code == 200
    judge = client.get(f"{base}/tone?repeat=1").text
    assert JUDGE_ERROR.replace("'", "&#39;") in judge and "Polite enough &lt;b&gt;I think&lt;/b&gt;" in judge
    error = client.get(f"{base}/vpn?repeat=0").text
    assert UNREACHABLE in error and "not a verdict on the model" in error
    assert client.get(f"{base}/vpn?repeat=5").status_code == 404
    assert client.get(f"{base}/nope?repeat=0").status_code == 404


def test_a_run_without_results_and_an_empty_workspace_render(seeded, db):
    client, _, _ = seeded
    with db.writing() as session:
        accounts.set_role(session, OPERATOR, "other", "vic", Role.viewer)
    login(client, "vic")
    empty = client.get("/w/other/runs")
    assert empty.status_code == 200 and "No runs yet" in empty.text and "No suites yet" in empty.text
    run_id = seed_run(db, "other", results=False)
    listed = client.get("/w/other/runs").text
    assert "0 / 10" in listed and "n/a" in listed and "running" in listed
    page = client.get(f"/w/other/runs/{run_id}")
    assert page.status_code == 200 and "0 / 10" in page.text and "Failures (0)" in page.text
    assert "no data" in page.text  # the charts say so rather than draw nothing


def test_pages_refuse_outsiders_and_unknown_runs(seeded):
    client, _, run_id = seeded
    client.cookies.clear()
    assert client.get("/w/helpdesk/runs", follow_redirects=False).status_code == 303
    login(client, "out")
    html = {"accept": "text/html"}
    assert client.get("/w/helpdesk/runs", headers=html).status_code == 404  # not a member: no hint it exists
    assert client.get(f"/w/helpdesk/runs/{run_id}", headers=html).status_code == 404
    login(client, "vic")
    assert client.get("/w/helpdesk/runs/999999", headers=html).status_code == 404
    assert client.get("/w/helpdesk/runs/99999999999999999999", headers=html).status_code == 404  # beyond any id


def test_api_suites_runs_summary_and_results(seeded):
    client, tokens, run_id = seeded
    h = {"Authorization": f"Bearer {tokens['viewer']}"}
    suites = client.get(f"{API}/suites", headers=h).json()
    assert [(s["ref"], s["scenarios"], s["tiers"]["critical"]) for s in suites] == [("smoke@1", 5, 2)]
    runs = client.get(f"{API}/runs", headers=h).json()
    assert len(runs) == 1 and runs[0]["run_id"] == run_id and runs[0]["results"] == runs[0]["expected"] == 10
    assert runs[0]["counts"] == {"pass": 5, "fail": 1, "inconclusive": 2, "unscored": 0, "error": 2}
    assert runs[0]["pass_rate"]["value"] == 0.625 and runs[0]["pass_rate"]["n"] == 8
    assert client.get(f"{API}/runs?before={run_id}", headers=h).json() == []
    summary = client.get(f"{API}/runs/{run_id}", headers=h).json()
    assert summary["overall"]["pass_rate"]["n"] == 8 and summary["overall"]["error"] == 2
    assert [t["name"] for t in summary["tiers"]] == ["critical", "important", "nice"]
    assert summary["flaky"] == [{"scenario_id": "billing/refund", "passes": 1, "repeats": 2, "pass_at_k": True,
                                 "consistency": 0.5}]
    assert summary["config"]["seed"] == 7 and summary["finished_at"] is not None

    seen, params = [], {"limit": 3}
    while True:  # keyset pages of 3 cover every result once, in (scenario id, repeat) order
        page = client.get(f"{API}/runs/{run_id}/results", params=params, headers=h).json()
        seen += [(r["scenario_id"], r["repeat"]) for r in page["results"]]
        if page["next"] is None:
            break
        params = {"limit": 3, **page["next"]}
    assert seen == sorted((sid, r) for sid, _, _ in SCENARIOS for r in (0, 1))
    failed = client.get(f"{API}/runs/{run_id}/results?status=fail&status=error", headers=h).json()
    assert [(r["scenario_id"], r["status"]) for r in failed["results"]] == [
        ("billing/refund", "fail"), ("vpn", "error"), ("vpn", "error")]
    assert failed["results"][0]["scores"][0]["explanation"] == REFUND_FAIL and failed["next"] is None

    one = client.get(f"{API}/runs/{run_id}/results/{quote('billing/refund', safe='')}?repeat=0", headers=h).json()
    assert one["status"] == "fail" and one["output"]["trajectory"][0]["tool_calls"][0]["function"]["name"] == "lookup_order"
    assert one["scenario"]["input"][1]["content"] == "Where is my refund for A-17?"
    assert client.get(f"{API}/runs/{run_id}/results/billing/refund?repeat=1", headers=h).json()["status"] == "pass"


def test_api_refuses_and_reports_unknown_ids(seeded, db):
    client, tokens, run_id = seeded
    h = {"Authorization": f"Bearer {tokens['viewer']}"}
    other_run = seed_run(db, "other")  # another workspace's run is not this one's
    for path in ("/suites", "/runs", f"/runs/{run_id}", f"/runs/{run_id}/results", f"/runs/{run_id}/results/vpn"):
        assert client.get(API + path).status_code == 401
        assert client.get(API + path, headers={"Authorization": f"Bearer {tokens['outsider']}"}).status_code == 404
    for path in (f"/runs/{other_run}", "/runs/424242", "/runs/0", f"/runs/{other_run}/results", f"/runs/{run_id}/results/nope",
                 f"/runs/{run_id}/results/vpn?repeat=9"):
        missing = client.get(API + path, headers=h)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found", path
    for path in ("/runs?limit=1001", f"/runs/{run_id}/results?status=bogus",
                 f"/runs/{run_id}/results?limit=0", f"/runs/{run_id}/results/{'x' * 201}"):
        assert client.get(API + path, headers=h).status_code == 422, path
    with db.writing() as session:  # a viewer's role is enough; taking it away closes the door
        accounts.remove_member(session, OPERATOR, "helpdesk", "vic")
    assert client.get(f"{API}/runs", headers=h).status_code == 404
