"""In real Chromium, against the demo: axe-core finds no serious or critical accessibility
violation on the pages raters and leads use every day.

axe-core's script comes from the `axe-playwright-python` package (the `test` extra), never
from the network. It is evaluated through Playwright, which the pages' Content-Security-Policy
does not govern, so the policy stays as strict as it is in production."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from test_workbench_browser import QUEUE, sign_in, wait_for_new_task

pytestmark = pytest.mark.browser

WORKSPACE = "/w/helpdesk-assistant"
BLOCKING = ("serious", "critical")

# page name -> (who looks at it, where, what shows the page is ready)
PAGES = {
    "login": (None, "/login", "input[name=username]"),
    "workbench": ("rater1", f"{QUEUE}/work", ".task fieldset.q"),
    "feedback": ("rater1", f"{QUEUE}/feedback", "h1"),
    "queue list": ("lead", f"{WORKSPACE}/queues", "h1"),
    "review": ("lead", f"{QUEUE}/review", "h1"),
    "dataset": ("lead", f"{WORKSPACE}/datasets/support-conversations", "table.items"),
    "quality dashboard": ("lead", f"{QUEUE}/quality?period=all", "svg.chart"),
    "runs": ("lead", f"{WORKSPACE}/runs", "h1"),
}


def audit(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
            lines.append(f"        {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(demo_server, page, name):
    base, passwords = demo_server
    user, path, ready = PAGES[name]
    if user is None:
        page.goto(f"{base}{path}")
    else:
        sign_in(page, base, user, passwords[user], path.split("?")[0])
        if "?" in path:
            page.goto(f"{base}{path}")
    if name == "workbench":
        wait_for_new_task(page, None)
    page.wait_for_selector(ready)
    found = audit(page)
    assert not found, f"{name} ({path}):\n{report(found)}"


def active(page) -> dict:
    """Where real DOM focus is: the element and the question (fieldset) holding it."""
    return page.evaluate("""(() => {
      const el = document.activeElement, stop = el && el.closest('fieldset.q');
      return {tag: el ? el.tagName.toLowerCase() : '', type: el && el.type || '',
              id: el && el.id || '', cls: el && el.className || '',
              question: stop ? stop.dataset.question + (stop.dataset.letter ? '.' + stop.dataset.letter : '') : '',
              outline: el ? getComputedStyle(el).outlineStyle : ''};
    })()""")


def announced(page) -> str:
    page.wait_for_timeout(50)  # the live region is refilled on the next frame
    return page.locator("#announce").inner_text()


def test_keyboard_moves_real_focus_announces_it_and_visits_optional_questions(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "rater1", passwords["rater1"], f"{QUEUE}/work")
    task = wait_for_new_task(page, None)
    # Answers left from another test on the same item would change where focus starts.
    page.evaluate("document.querySelectorAll('#answers input:checked').forEach(i => { i.checked = false; })")
    page.evaluate("document.querySelector('#answers fieldset.q input').focus()")
    total = page.locator("#answers fieldset.q").count()

    assert active(page)["question"] == "helpfulness.A"
    page.keyboard.press("4")                                               # helpfulness A
    now = active(page)
    assert now["question"] == "helpfulness.B" and now["type"] == "radio"   # real focus, not a class
    assert now["outline"] == "solid"                                      # and visibly so
    assert announced(page).startswith(f"question 2 of {total}: ")
    assert "response B" in announced(page)
    for key in "3441":                                  # helpfulness B, correctness, safety A
        page.keyboard.press(key)
    page.keyboard.press("1")                                               # safety B
    assert active(page)["question"] == "failure_modes.A"                  # optional, still visited
    assert active(page)["type"] == "checkbox"
    assert "(optional)" in announced(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert active(page)["question"] == "severity"
    page.wait_for_function("() => document.getElementById('announce').textContent === 'saved'")

    # Required questions missing: nothing is sent, the message names them and focus moves to
    # the first one.
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("fieldset[data-question=severity].invalid")
    notice = page.locator("#notice").inner_text()
    assert "Not submitted" in notice and "required" in notice
    assert "How severe is the worst issue" in notice and "Which response is better overall?" in notice
    assert active(page)["question"] == "severity"
    assert announced(page) == notice
    assert page.locator(".task").get_attribute("data-assignment") == task

    page.keyboard.press("1")                                               # severity
    page.keyboard.press("2")                                               # preference A>B
    assert active(page)["question"] == "rationale" and active(page)["tag"] == "textarea"
    page.keyboard.type("4 u and 1: A answers it")                          # text, not shortcuts
    assert page.input_value("fieldset[data-question=rationale] textarea") == "4 u and 1: A answers it"
    assert active(page)["question"] == "rationale"
    assert page.locator("fieldset[data-question=preference] input:checked").get_attribute("value") == "A>B"

    # Tab, the browser's own, goes on through every control left, Submit last.
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(active(page))
        if "submit-answers" in reached[-1]["cls"]:
            break
    assert "submit-answers" in reached[-1]["cls"], reached
    questions = [r["question"] for r in reached if r["question"]]
    assert "ideal_response" in questions and "pii_spans" in questions
    assert questions.index("ideal_response") < questions.index("pii_spans")
    assert any(r["cls"] == "keep" for r in reached)                        # the keep box
    assert sum(r["cls"].startswith("mark") for r in reached) == page.locator("button.mark").count()

    # Enter on the focused Submit button submits; the optional questions left empty are named.
    page.keyboard.press("Enter")
    task = wait_for_new_task(page, task)
    notice = page.locator("#notice").inner_text()
    assert notice.startswith("Submitted. Optional questions left empty:")
    assert "response A" in notice and "ideal" in notice.lower()
    assert announced(page).startswith(notice)
    assert active(page)["question"] != ""                                  # focus is on the new item


def test_tab_reaches_every_workbench_control_in_order(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "rater1", passwords["rater1"], f"{QUEUE}/work")
    wait_for_new_task(page, None)
    page.evaluate("document.activeElement.blur()")
    # Every control a rater can use: visible, enabled, and one per radio group (the browser's
    # tab stop for a group is a single radio).
    wanted = page.evaluate("""(() => {
      const seen = new Set(), keys = [];
      for (const el of document.querySelectorAll('#workbench button, #workbench input, #workbench textarea, #workbench a[href], #workbench summary')) {
        if (el.closest('dialog') || !el.offsetParent || el.disabled) continue;
        const key = el.type === 'radio' ? 'radio:' + el.name : el.outerHTML;
        if (!seen.has(key)) { seen.add(key); keys.push(key); }
      }
      return keys;
    })()""")
    reached = []
    for _ in range(400):
        page.keyboard.press("Tab")
        key = page.evaluate("""(() => { const el = document.activeElement;
          return el.type === 'radio' ? 'radio:' + el.name : el.outerHTML; })()""")
        if reached and key == reached[0]:
            break
        if key not in reached:
            reached.append(key)
    in_page = [k for k in reached if k in wanted]
    assert set(wanted) <= set(in_page), sorted(set(wanted) - set(in_page))[:5]
    first = in_page.index(wanted[0])  # Tab goes round: read the round from the top
    in_page = in_page[first:] + in_page[:first]
    assert in_page == wanted  # document order: toolbar, conversation, questions, Submit


def test_workbench_problems_and_dialogs_have_no_serious_violations(demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "rater1", passwords["rater1"], f"{QUEUE}/work")
    wait_for_new_task(page, None)
    page.evaluate("document.querySelectorAll('#answers input:checked').forEach(i => { i.checked = false; })")
    page.keyboard.press("Control+Enter")                  # refused: questions flagged, notice shown
    page.wait_for_selector("fieldset.q.invalid")
    found = audit(page)
    assert not found, f"workbench with problems:\n{report(found)}"
    page.keyboard.press("Alt+e")
    page.wait_for_selector("#escalate-dialog[open]")
    found = audit(page)
    assert not found, f"workbench escalation dialog:\n{report(found)}"
