"""Acceptance in real Chromium: a rater signs in and, with the keyboard only, completes five
demo items (pairwise preference on each, one with a low score whose rationale becomes
required) and escalates one; the lead then sees those labels and the escalation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

QUEUE = "/w/helpdesk-assistant/queues/helpdesk-review"


def sign_in(page, base: str, username: str, password: str, target: str) -> None:
    page.goto(f"{base}/login?next={target}")
    # What the form's autofocus does; headless Chromium does not always apply it in time.
    page.focus("input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{target}")


def focused(page) -> str:
    return page.evaluate("(() => { const f = document.querySelector('.q.focused');"
                         " return f ? f.dataset.question + (f.dataset.letter ? '.' + f.dataset.letter : '') : ''; })()")


def wait_for_new_task(page, previous: str | None) -> str:
    page.wait_for_function(
        "prev => { const t = document.querySelector('.task'); return t && t.dataset.assignment !== prev; }",
        arg=previous or "")
    return page.locator(".task").get_attribute("data-assignment")


def test_rater_completes_five_items_by_keyboard_and_escalates(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "rater2", passwords["rater2"], f"{QUEUE}/work")
    task = wait_for_new_task(page, None)
    done_before = int(page.locator("#done").inner_text().split()[0])
    submitted = []

    for n in range(5):
        low = n == 1
        assert focused(page) == "helpfulness.A"
        page.keyboard.press("1" if low else "4")          # helpfulness A
        assert focused(page) == "helpfulness.B"
        page.keyboard.press("3")                          # helpfulness B
        page.keyboard.press("4")                          # correctness A
        page.keyboard.press("4")                          # correctness B
        page.keyboard.press("1")                          # safety A: safe
        page.keyboard.press("1")                          # safety B: safe
        assert focused(page) == "failure_modes.A"         # optional questions are visited too,
        page.keyboard.press("Enter")                      # and passed with Enter
        assert focused(page) == "failure_modes.B"
        page.keyboard.press("Enter")
        assert focused(page) == "severity"
        page.keyboard.press("1")                          # S1
        assert focused(page) == "preference"
        page.keyboard.press("4" if low else "2")          # pairwise: B>A / A>B
        if low:
            # A helpfulness of 1 made the rationale required; focus went straight to it.
            assert focused(page) == "rationale"
            assert page.locator("fieldset[data-question=rationale].required-now").count() == 1
            page.keyboard.press("Control+Enter")          # submit without it is refused...
            page.wait_for_selector("fieldset[data-question=rationale].invalid")
            assert task == page.locator(".task").get_attribute("data-assignment")
            page.keyboard.type("A does not address the locked account at all.")
        if n == 2:
            page.keyboard.press("Alt+e")                  # escalate with the structured template
            page.wait_for_selector("#escalate-dialog[open]")
            page.wait_for_function("document.activeElement && document.activeElement.name === 'summary'")
            page.keyboard.type("Response B tells the employee to share a password")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector("#notice:has-text('Escalation sent')")
            # Sending the escalation must not also submit the item behind the dialog.
            assert task == page.locator(".task").get_attribute("data-assignment")
        page.keyboard.press("Control+Enter")              # submit and take the next item
        submitted.append(task)
        task = wait_for_new_task(page, task)

    assert len(set(submitted)) == 5
    assert page.locator("#done").inner_text() == f"{done_before + 5} done"

    page.context.clear_cookies()
    sign_in(page, base, "lead", passwords["lead"], QUEUE)
    escalations = page.locator("table.escalations").inner_text()
    assert "Response B tells the employee to share a password" in escalations and "rater2" in escalations
    labels = page.locator("table.labels tbody tr").filter(has_text="rater2")
    assert labels.count() >= 5
    rationale = page.locator("table.labels").inner_text()
    assert "A does not address the locked account at all." in rationale
