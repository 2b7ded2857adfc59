"""In real Chromium, as the demo's lead: each set-up form does its work and links to what
it made, or shows the problems by line and field on the page while nothing is written
(checked through the API)."""

from __future__ import annotations

import orjson
import pytest

from annotation import GOOD, RUBRIC
from records import record
from test_csp_browser import record_violations, violations
from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser
W = "/w/helpdesk-assistant"
API = "/api/workspaces/helpdesk-assistant"
CSRF = {"x-honing-csrf": "1"}


def jsonl(rows: list[object]) -> bytes:
    return b"".join((r.encode() if isinstance(r, str) else orjson.dumps(r)) + b"\n" for r in rows)


def upload(name: str, rows: list[object]) -> dict[str, object]:
    return {"name": name, "mimeType": "application/jsonl", "buffer": jsonl(rows)}


def problems(page) -> list[list[str]]:
    page.wait_for_selector("#setup-result table.problems")
    return page.eval_on_selector_all("#setup-result table.problems tbody tr",
                                     "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")


def succeeded(page) -> str:
    page.wait_for_selector("#setup-result .setup-ok")
    return page.locator("#setup-result .setup-ok").inner_text()


def api_import(page, base: str, dataset: str, rows: list[dict]) -> None:
    imported = page.request.post(f"{base}{API}/datasets/{dataset}/imports", headers=CSRF,
                                 multipart={"file": upload("rows.jsonl", rows)})
    assert imported.ok, imported.text()


def test_a_lead_imports_a_dataset(demo_server, page):
    base, passwords = demo_server
    record_violations(page)
    sign_in(page, base, "lead", passwords["lead"], W)
    page.click("a:has-text('Set up labeling')")
    page.click("a:has-text('Import a dataset')")
    page.wait_for_url(f"{base}{W}/setup/import")

    bad = record(2)
    bad["messages"][1]["role"] = "wizard"
    page.fill("input[name=dataset]", "setup-import")
    page.set_input_files("input[name=file]", upload("tickets.jsonl", [record(1), bad, "{broken"]))
    page.click("button:has-text('Import')")
    rows = problems(page)
    assert [(r[0], r[1]) for r in rows] == [("tickets.jsonl", "2"), ("tickets.jsonl", "3")], rows
    assert rows[0][3].startswith("messages"), rows
    assert page.request.get(f"{base}{API}/datasets/setup-import").status == 404

    page.set_input_files("input[name=file]", upload("tickets.jsonl", [record(i) for i in range(3)]))
    page.click("button:has-text('Import')")
    assert "imported 3 records as setup-import@1" in succeeded(page)
    assert violations(page) == [], violations(page)  # the set-up page's own
    page.click("#setup-result a:has-text('open setup-import@1')")
    page.wait_for_url(f"{base}{W}/datasets/setup-import?version=1")
    head = page.request.get(f"{base}{API}/datasets/setup-import").json()["head"]
    assert (head["number"], head["item_count"]) == (1, 3)


def test_a_lead_pushes_a_rubric_from_the_editor(demo_server, page):
    base, passwords = demo_server
    record_violations(page)
    sign_in(page, base, "lead", passwords["lead"], f"{W}/setup/rubric")
    mine = RUBRIC.replace("name: helpdesk-compare", "name: setup-rubric", 1)
    page.fill("textarea[name=yaml]", mine.replace("type: likert", "type: likertish", 1))
    page.click("button:has-text('Push rubric')")
    rows = problems(page)
    assert rows[0][0] == "rubric.yaml" and rows[0][1].isdigit() and rows[0][3], rows
    names = [r["name"] for r in page.request.get(f"{base}{API}/rubrics").json()]
    assert "setup-rubric" not in names

    page.fill("textarea[name=yaml]", mine)
    page.click("button:has-text('Push rubric')")
    assert "pushed rubric setup-rubric@1" in succeeded(page)
    assert "setup-rubric@1" in [r["ref"] for r in page.request.get(f"{base}{API}/rubrics").json()]
    assert violations(page) == [], violations(page)


def test_a_lead_creates_a_queue_from_the_policy_form(demo_server, page):
    base, passwords = demo_server
    record_violations(page)
    api_import_rows = [record(i, metadata={"language": "en", "tier": "gold" if i % 2 else "free"})
                       for i in range(4)]
    sign_in(page, base, "lead", passwords["lead"], W)
    api_import(page, base, "setup-queue-items", api_import_rows)
    page.goto(f"{base}{W}/setup/queue")
    page.select_option("select[name=dataset]", "setup-queue-items")
    page.click("button:has-text('Choose dataset')")
    page.wait_for_url("**dataset=setup-queue-items")
    boxes = page.locator("input[name=show_metadata]")
    assert sorted(boxes.evaluate_all("bs => bs.map(b => b.value)")) == ["language", "tier"]
    assert boxes.evaluate_all("bs => bs.filter(b => b.checked).length") == 0

    page.fill("input[name=name]", "setup-queue")
    page.select_option("select[name=rubric]", "helpdesk-compare@1")
    page.fill("input[name=overlap]", "0")
    page.fill("input[name=gold_rate]", "1.5")
    page.click("button:has-text('Create queue')")
    assert {r[3] for r in problems(page)} == {"overlap", "gold_rate"}
    assert page.get_attribute("input[name=overlap]", "aria-invalid") == "true"
    assert page.request.get(f"{base}{API}/queues/setup-queue").status == 404

    page.fill("input[name=overlap]", "2")
    page.fill("input[name=gold_rate]", "0.1")
    page.check("input[name=show_metadata][value=language]")
    page.click("button:has-text('Create queue')")
    assert "created queue setup-queue" in succeeded(page)
    assert page.get_attribute("input[name=overlap]", "aria-invalid") is None
    queue = page.request.get(f"{base}{API}/queues/setup-queue").json()
    assert queue["policy"]["overlap"] == 2 and queue["policy"]["gold_rate"] == 0.1
    assert queue["policy"]["show_metadata"] == ["language"] and queue["policy"]["blind"] is True
    assert queue["stats"]["live_items"] == 4
    assert violations(page) == [], violations(page)  # the set-up page's own
    page.click("#setup-result a:has-text('open queue setup-queue')")
    page.wait_for_url(f"{base}{W}/queues/setup-queue")


def test_a_lead_adds_gold_items_to_a_queue(demo_server, page):
    base, passwords = demo_server
    record_violations(page)
    sign_in(page, base, "lead", passwords["lead"], W)
    api_import(page, base, "setup-gold-items", [record(i) for i in range(2)])
    created = page.request.post(f"{base}{API}/queues", headers=CSRF, data={
        "name": "setup-gold", "dataset": "setup-gold-items", "rubric": "helpdesk-compare"})
    assert created.ok, created.text()
    page.goto(f"{base}{W}/queues/setup-gold/reference")

    good = {"item": record(90), "answers": GOOD}
    wrong = {"item": record(91), "answers": {**GOOD, "preference": "A>>>B"}}
    page.select_option("select[name=kind]", "gold")
    page.set_input_files("input[name=file]", upload("gold.jsonl", [good, wrong]))
    page.click("button:has-text('Add items')")
    rows = problems(page)
    assert rows[0][:2] == ["gold.jsonl", "2"] and rows[0][3] == "answers.preference", rows
    stats = page.request.get(f"{base}{API}/queues/setup-gold").json()["stats"]
    assert stats["gold_items"] == 0

    page.set_input_files("input[name=file]", upload("gold.jsonl", [good]))
    page.click("button:has-text('Add items')")
    assert "added 1 gold item(s) to queue setup-gold" in succeeded(page)
    assert page.request.get(f"{base}{API}/queues/setup-gold").json()["stats"]["gold_items"] == 1
    assert violations(page) == [], violations(page)
