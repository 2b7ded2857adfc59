"""In real Chromium, on the demo's two runs: filter run 2's results against run 1 with
the explorer's form, then open a result side by side with the baseline's."""

from __future__ import annotations

import re

import pytest

from test_csp_browser import record_violations, violations
from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser
RESULTS = "/w/helpdesk-assistant/runs/2/results"


def test_filter_against_a_baseline_and_open_a_side_by_side_view(demo_server, page):
    base, passwords = demo_server
    record_violations(page)
    sign_in(page, base, "lead", passwords["lead"], "/w/helpdesk-assistant/runs/2")
    page.click("p.explore-link a")
    page.wait_for_url(f"{base}{RESULTS}")
    everything = page.locator("table.explorer-results tbody tr[data-scenario]").count()
    assert everything > 0

    page.check("label[data-facet=status][data-value=fail] input")
    page.select_option("select[name=baseline]", "1")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    assert re.search(r"status=fail", page.url) and re.search(r"baseline=1", page.url)
    rows = page.locator("table.explorer-results tbody tr[data-scenario]")
    assert 0 < rows.count() <= everything
    statuses = rows.locator("td:nth-child(5) .tag").all_inner_texts()
    assert set(statuses) == {"fail"}
    # The count beside "fail" is what the filtered table holds (one page of up to 50).
    shown = int(page.locator("label[data-facet=status][data-value=fail] .count").inner_text())
    assert shown == rows.count() or (shown > 50 and rows.count() == 50)
    assert page.locator("label[data-facet=status][data-value=fail] input").is_checked()

    scenario = rows.first.get_attribute("data-scenario")
    rows.first.locator("a.side-by-side").click()
    page.wait_for_url(re.compile(r".*/runs/1/compare/2/results/.*"))
    assert scenario in page.locator("h1").inner_text()
    assert page.locator(".side-a").count() == 1 and page.locator(".side-b").count() == 1
    assert "fail" in page.locator(".side-b h2").inner_text()
    assert page.locator(".word-diff").count() == 1
    assert violations(page) == [], violations(page)
