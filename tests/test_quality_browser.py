"""In real Chromium: the lead's quality dashboard draws its charts from the demo's data, and
the weekly report opens from a file:// URL with the network cut off and shows every KPI
with its n."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from browser_fixtures import demo_env
from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser

DASHBOARD = "/w/helpdesk-assistant/queues/helpdesk-review/quality"


def drawn_points(page, chart: str) -> list[dict]:
    """The data points of one chart with their values and on-screen size."""
    return page.evaluate("""key => [...document.querySelectorAll(`#chart-${key} svg .point`)].map(p => {
        const box = p.getBoundingClientRect();
        return {label: p.dataset.label, value: p.dataset.value, low: p.dataset.low, high: p.dataset.high,
                n: p.dataset.n, width: box.width, height: box.height};
    })""", chart)


def test_dashboard_draws_the_demo_figures(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "lead", passwords["lead"], f"{DASHBOARD}?period=all")
    assert "Label quality: helpdesk-review" in page.locator("h1").inner_text()

    agreement = drawn_points(page, "agreement")
    labels = {p["label"].split(" · ")[0] for p in agreement}
    assert {"helpfulness", "correctness", "safety", "preference"} <= labels
    drawn = [p for p in agreement if p["value"]]
    assert drawn and all(p["width"] > 0 and p["height"] > 0 for p in drawn)
    assert all(float(p["low"]) <= float(p["value"]) <= float(p["high"]) for p in drawn if p["low"])

    gold = drawn_points(page, "gold")
    assert {p["label"] for p in gold} == {"rater1", "rater2", "rater3"}
    value = {p["label"]: float(p["value"]) for p in gold}
    assert value["rater1"] > value["rater3"]  # the careless rater fails gold items
    assert all(int(p["n"]) > 0 for p in gold)

    throughput = drawn_points(page, "throughput")
    assert len(throughput) >= 14 and sum(float(p["value"]) for p in throughput) > 100
    assert drawn_points(page, "backlog") and drawn_points(page, "drift")
    distribution = drawn_points(page, "distribution-helpfulness")
    assert distribution and all(p["width"] > 0 for p in distribution if float(p["value"]) > 0)

    # The scorecards and the disagreement finder, linked to adjudication.
    assert page.locator("table.scorecards").first.locator("tbody tr").count() == 3
    # Every rater has a pairwise kappa with an interval over items, and gold n in items.
    kappas = page.locator("table.scorecards").first.locator("td.pairwise-kappa").all_inner_texts()
    assert len(kappas) == 3 and all("[" in k and k.endswith("items") for k in kappas), kappas
    golds = page.locator("table.scorecards").first.locator("td.gold-accuracy").all_inner_texts()
    assert all(re.search(r"n=\d+ items \(\d+ answers\)$", g) for g in golds), golds
    link = page.locator("table.disagreements a").first
    link.click()
    page.wait_for_url("**/items/*")
    assert page.locator("h1").count() == 1

    # Another period redraws from its own data.
    page.goto(f"{base}{DASHBOARD}?period=7d")
    week = drawn_points(page, "throughput")
    assert 7 <= len(week) < len(throughput)


def test_dashboard_and_quality_api_are_for_leads(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "rater1", passwords["rater1"], "/w/helpdesk-assistant/queues")
    response = page.goto(f"{base}{DASHBOARD}")
    assert response.status == 403
    api = page.request.get(f"{base}/api/workspaces/helpdesk-assistant/queues/helpdesk-review/quality/raters")
    assert api.status == 403


def test_report_opens_offline_from_a_file(demo_home, page, tmp_path):
    home, _ = demo_home
    out = tmp_path / "weekly"
    done = subprocess.run([sys.executable, "-m", "honing", "quality", "report", "--queue", "helpdesk-review",
                           "--workspace", "helpdesk-assistant", "--period", "7d", "--out", str(out),
                           "--resamples", "300"], env=demo_env(home), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr

    requested: list[str] = []
    page.context.set_offline(True)
    page.context.route("**/*", lambda route: (requested.append(route.request.url),
                                               route.continue_() if route.request.url.startswith("file:")
                                               else route.abort()))
    page.goto((out / "report.html").as_uri())
    assert all(url.startswith("file:") for url in requested), requested

    kpis = page.locator("table.kpis tbody tr.kpi")
    names = [kpis.nth(i).locator("td").first.inner_text() for i in range(kpis.count())]
    for kpi in ("Gold set accuracy", "Audit pass rate", "Rework rate (label defect rate)", "Throughput",
                "On-time rate", "Inter-annotator agreement: helpfulness"):
        assert kpi in names
    # Every KPI row states its n.
    for i in range(kpis.count()):
        assert kpis.nth(i).locator("td").nth(3).inner_text().strip(), names[i]

    points = page.evaluate("[...document.querySelectorAll('svg .point')].filter(p => {"
                           " const b = p.getBoundingClientRect(); return b.width > 0 || b.height > 0; }).length")
    assert points > 20
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 20_000
