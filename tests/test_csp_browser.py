"""In real Chromium: the main pages work under their Content-Security-Policy, and none of
them triggers a single violation (an inline script, style or handler the policy blocks)."""

from __future__ import annotations

import orjson
import pytest

from records import record
from test_workbench_browser import QUEUE, sign_in, wait_for_new_task

pytestmark = pytest.mark.browser
CSRF = {"x-honing-csrf": "1"}

# Runs before any page script, in every document; the policy does not apply to it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                           + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


def record_violations(page) -> list[str]:
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return console


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_main_pages_raise_no_policy_violations(demo_server, page):
    base, passwords = demo_server
    console = record_violations(page)

    # The rater's workbench: the task panel is fetched and inserted by script.
    sign_in(page, base, "rater3", passwords["rater3"], f"{QUEUE}/work")
    wait_for_new_task(page, None)
    page.keyboard.press("4")  # a keyboard answer: the page's scripts are running
    assert page.evaluate("document.querySelectorAll('.q input:checked').length") >= 1
    # Enter in the form must not submit it (the guard that used to be an inline handler).
    page.dispatch_event("#answers", "submit")
    assert page.url.endswith(f"{QUEUE}/work")
    assert violations(page) == [], violations(page)
    page.click("button.link:has-text('Sign out')")
    page.wait_for_url("**/login")

    # The lead's pages: review desk, dataset (with its version picker), quality dashboard, API docs.
    sign_in(page, base, "lead", passwords["lead"], f"{QUEUE}/review")
    assert "Review" in page.locator("h1").inner_text()
    assert violations(page) == [], violations(page)

    # A dataset of its own with two versions, so the page shows its version picker.
    for n in (2, 3):
        rows = "".join(orjson.dumps(record(i)).decode() + "\n" for i in range(n))
        imported = page.request.post(
            f"{base}/api/workspaces/helpdesk-assistant/datasets/csp-check/imports", headers=CSRF,
            multipart={"file": {"name": "a.jsonl", "mimeType": "application/jsonl", "buffer": rows.encode()}})
        assert imported.ok, imported.text()
    page.goto(f"{base}/w/helpdesk-assistant/datasets/csp-check")
    assert page.locator("table").count() >= 1
    assert violations(page) == [], violations(page)
    with page.expect_navigation():  # the picker submits on change (no inline handler)
        page.locator("select[name=version]").select_option("1")
    assert "version=1" in page.url
    assert violations(page) == [], violations(page)

    page.goto(f"{base}{QUEUE}/quality?period=all")
    assert page.locator("svg.chart").count() > 3
    width = page.evaluate("document.querySelector('svg.chart').getBoundingClientRect().width")
    assert width > 0
    assert violations(page) == [], violations(page)

    page.goto(f"{base}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Honing" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock", timeout=15_000)
    assert violations(page) == [], violations(page)

    blocked = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert blocked == [], blocked
