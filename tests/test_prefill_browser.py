"""In real Chromium, on SQLite and PostgreSQL: the ideal-response box follows the rater's
preference and, left untouched, stores nothing (neither in the draft nor in the label)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from annotation import seed_queue
from conftest import make_user
from honing.accounts import Role
from honing.api import create_app
from live_server import serve
from test_workbench_browser import focused, sign_in, wait_for_new_task

pytestmark = pytest.mark.browser

BOX = "fieldset[data-question=ideal_response] textarea"
V1 = "Please restart the VPN client."  # records.record(): the first (canonical A) response


@contextmanager
def rater_on_a_pairwise_item(db, settings, tmp_path, page) -> Iterator[tuple[Callable[[], dict], str, str, bool]]:
    """Rater ann at the workbench on a fresh pairwise item, the ratings before the preference
    given by keyboard. Yields a function that submits by keyboard and returns the stored
    label (canonical order, as the lead reads it), the task, B's text as shown, and whether
    the item is shown swapped."""
    lead, _ = make_user(db, "lee", Role.lead), make_user(db, "ann", Role.rater)
    with serve(create_app(db, settings)) as base, httpx.Client(base_url=base, timeout=30) as client:
        seed_queue(db, client, lead, tmp_path, items=2, overlap=1)
        sign_in(page, base, "ann", "correct horse battery", "/w/helpdesk/queues/review/work")
        task = wait_for_new_task(page, None)
        shown_b = page.locator(".response[data-label=B] .content").inner_text()
        for key in "434411":  # helpfulness, correctness, safety (A, B)
            page.keyboard.press(key)
        page.keyboard.press("Enter")  # past the optional failure modes (A, B)
        page.keyboard.press("Enter")
        page.keyboard.press("1")  # severity

        def submit() -> dict:
            page.keyboard.press("Control+Enter")
            wait_for_new_task(page, task)
            [label] = client.get("/api/workspaces/helpdesk/queues/review/labels",
                                 headers={"Authorization": f"Bearer {lead}"}).json()
            return label

        yield submit, task, shown_b, shown_b == V1


def test_untouched_prefill_follows_the_preference_and_is_never_stored(db, settings, workspace, tmp_path, page):
    lead, rater = make_user(db, "lee", Role.lead), make_user(db, "ann", Role.rater)
    with serve(create_app(db, settings)) as base, httpx.Client(base_url=base, timeout=30) as client:
        seed_queue(db, client, lead, tmp_path, items=2, overlap=1)
        sign_in(page, base, "ann", "correct horse battery", "/w/helpdesk/queues/review/work")
        task = wait_for_new_task(page, None)
        shown = {letter: page.locator(f".response[data-label={letter}] .content").inner_text()
                 for letter in "AB"}
        swapped = shown["A"] != V1
        assert page.input_value(BOX) == ""                # no preference yet: empty

        for key in "434411":                              # helpfulness, correctness, safety (A, B)
            page.keyboard.press(key)
        page.keyboard.press("Enter")                      # past the optional failure modes (A, B)
        page.keyboard.press("Enter")
        page.keyboard.press("1")                          # severity
        assert focused(page) == "preference"
        page.keyboard.press("4")                          # B>A
        assert page.input_value(BOX) == shown["B"]
        for key, expected in (("2", shown["A"]), ("3", ""), ("5", shown["B"])):  # A>B, tie, B>>A
            page.keyboard.press("Shift+Tab")              # back from the rationale to the preference
            assert focused(page) == "preference"
            page.keyboard.press(key)
            assert page.input_value(BOX) == expected      # untouched: it follows the preference

        page.wait_for_selector("#saved:has-text('draft saved')")
        draft = client.get(f"/api/workspaces/helpdesk/assignments/{task}",
                           headers={"Authorization": f"Bearer {rater}"}).json()["draft"]
        assert draft["preference"] == "B>>A" and "ideal_response" not in draft

        page.keyboard.press("Control+Enter")              # submit without touching the box
        wait_for_new_task(page, task)
        [label] = client.get("/api/workspaces/helpdesk/queues/review/labels",
                             headers={"Authorization": f"Bearer {lead}"}).json()
        assert label["answers"]["preference"] == ("A>>B" if swapped else "B>>A")
        assert "ideal_response" not in label["answers"]


def test_an_edited_box_is_kept_and_stored(db, settings, workspace, tmp_path, page):
    with rater_on_a_pairwise_item(db, settings, tmp_path, page) as (submit, _, shown_b, swapped):
        page.keyboard.press("4")                          # B>A: the box holds B
        page.click(BOX)                                   # the rater starts editing
        page.keyboard.press("End")
        page.keyboard.type(" Check the status page first.")
        page.keyboard.press("Shift+Tab")                  # to the rationale,
        page.keyboard.press("Shift+Tab")                  # to the preference
        assert focused(page) == "preference"
        page.keyboard.press("2")                          # A>B no longer overwrites an edited box
        assert page.input_value(BOX) == shown_b + " Check the status page first."
        label = submit()
        assert label["answers"]["ideal_response"] == {
            "text": shown_b + " Check the status page first.", "start_from": "A" if swapped else "B"}


def test_a_response_kept_unchanged_by_keyboard_is_stored_as_accepted(db, settings, workspace, tmp_path, page):
    with rater_on_a_pairwise_item(db, settings, tmp_path, page) as (submit, _, shown_b, swapped):
        page.keyboard.press("4")                          # B>A: the box holds B, untouched
        assert page.input_value(BOX) == shown_b
        page.keyboard.press("Alt+k")                      # keep it as it is, from the keyboard
        assert page.is_checked("fieldset[data-question=ideal_response] input.keep")
        label = submit()
        assert label["answers"]["ideal_response"] == {
            "text": shown_b, "start_from": "A" if swapped else "B", "accepted_as_is": True}
