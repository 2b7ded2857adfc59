"""In real Chromium, on the demo: the lead filters the queue's escalations, follows one to
its item, assigns it to the reviewer and resolves it with an outcome and a note through the
page's forms; the rater who raised it reads the outcome on their QA feedback page."""

from __future__ import annotations

import re

import pytest

from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser

QUEUE = "/w/helpdesk-assistant/queues/helpdesk-review"
NOTE = "The KB article was corrected; label against the new version."


def test_lead_assigns_and_resolves_and_the_rater_reads_the_outcome(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "lead", passwords["lead"], f"{QUEUE}/escalations")
    rows = page.locator("table.escalations tbody tr[data-escalation]")
    assert rows.count() >= 5

    # The demo shows both ends: resolved ones with their notes, open ones with forms.
    page.select_option("select[name=status]", "resolved")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*/escalations\?status=resolved"))
    assert rows.count() >= 2 and all(s == "resolved" for s in rows.evaluate_all(
        "rs => rs.map(r => r.dataset.status)"))
    assert rows.locator(".note").first.inner_text().strip()

    page.goto(f"{base}{QUEUE}/escalations?status=open")
    row = rows.filter(has_text="rater1").first
    escalation = row.get_attribute("data-escalation")
    mine = f"tr[data-escalation='{escalation}']"
    # Its item opens from the row, and the page comes back to the list.
    row.locator("a.item-link").click()
    page.wait_for_url(re.compile(r".*/w/helpdesk-assistant/items/\d+\?back="))
    page.click("nav.crumbs a:has-text('back to list')")
    page.wait_for_url(f"{base}{QUEUE}/escalations")

    page.select_option(f"{mine} form.assign select[name=assignee]", "reviewer")
    page.click(f"{mine} form.assign button[type=submit]")
    page.wait_for_selector(f"{mine}[data-status=assigned]")
    assert page.locator(f"{mine} .assignee").inner_text() == "reviewer"
    page.goto(f"{base}{QUEUE}/escalations?status=assigned")
    assert page.locator(mine).count() == 1

    page.select_option(f"{mine} form.resolve select[name=outcome]", "item_fixed")
    page.fill(f"{mine} form.resolve textarea[name=note]", NOTE)
    page.click(f"{mine} form.resolve button[type=submit]")
    page.wait_for_selector(mine, state="detached")  # resolved: no longer among the assigned ones
    page.goto(f"{base}{QUEUE}/escalations?status=resolved")
    assert page.locator(f"{mine} .outcome").inner_text() == "item_fixed"
    assert page.locator(f"{mine} .note").inner_text() == NOTE
    assert page.locator(f"{mine} form.reopen").count() == 1

    page.context.clear_cookies()
    sign_in(page, base, "rater1", passwords["rater1"], f"{QUEUE}/feedback")
    outcome = page.locator(f"table.my-escalations {mine}")
    assert outcome.locator(".outcome").inner_text() == "item fixed"
    assert outcome.locator(".note").inner_text() == NOTE
    assert "resolved" in outcome.inner_text()
