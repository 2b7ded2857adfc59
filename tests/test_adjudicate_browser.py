"""In real Chromium: a lead goes from the disagreements list to an item, sees which raters
disagree, settles the question with the rubric's own widgets, and the canonical answer is
stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from browser_fixtures import demo_env
from honing import annotate
from honing._config import Settings
from honing.rubrics import display_answer
from honing.storage import Adjudication, Queue
from honing.storage._database import open_database
from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser

CONSOLE = "/w/helpdesk-assistant/queues/helpdesk-review"
SIMPLE = ("preference", "severity")  # one widget per item, not one per response


def test_lead_settles_a_disagreement_with_the_rubric_widgets(demo_home, demo_server, page):
    base, passwords = demo_server
    sign_in(page, base, "lead", passwords["lead"], CONSOLE)
    links = page.locator("a", has_text=re.compile(r"^adjudicate$"))
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    href = next(h for h in hrefs if h.split("?question=")[-1] in SIMPLE)
    question = href.split("?question=")[-1]
    queue_item_id = int(re.search(r"/items/(\d+)", href).group(1))
    page.locator(f'a[href="{href}"]').click()
    page.wait_for_url(f"{base}{href}")

    # The disagreeing cells are marked in words, not only in colour.
    row = page.locator(f'tr[data-question="{question}"]')
    assert "raters disagree" in row.inner_text()
    marked = row.locator("td.differs")
    assert marked.count() >= 1 and all("(differs)" in t for t in marked.all_inner_texts())
    assert not re.search(r"[\[\]{}]|&gt;|>>", row.inner_text())  # labels, not stored values

    # The page opens on the question the lead came for, with its widgets ready.
    box = page.locator(f"details#settle-{question}")
    assert box.get_attribute("open") is not None
    assert page.evaluate(f"document.activeElement.closest('#settle-{question}') !== null")

    options = box.locator("fieldset.q label.opt")
    chosen = next(i for i in range(options.count()) if not options.nth(i).locator("input").is_checked())
    value = options.nth(chosen).locator("input").get_attribute("value")
    options.nth(chosen).click()
    box.locator("textarea[name=note]").fill("Guideline 3: the stated criterion decides.")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()

    decision = page.locator(f'p.decision[data-question="{question}"]').last.inner_text()
    home, _ = demo_home
    db = open_database(Settings.from_env(demo_env(home)))
    try:
        with db.reading() as session:
            stored = session.scalars(select(Adjudication).where(
                Adjudication.queue_item_id == queue_item_id, Adjudication.question == question)
                .order_by(Adjudication.id.desc())).first()
            rubric = annotate.load_rubric(session, session.get(Queue, stored.queue_id).rubric_version_id)
    finally:
        db.dispose()
    assert stored is not None and stored.answer == value
    assert stored.note == "Guideline 3: the stated criterion decides."
    label = display_answer(rubric.question(question), value)
    assert label != value and f"{question} = {label}" in decision  # shown by its label
