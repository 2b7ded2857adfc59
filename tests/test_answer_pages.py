"""Every page of the demo that shows answers shows them in the rubric's words: no page
prints a Python or JSON literal of an answer (`['incomplete']`, `{"A": 4}`)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from honing.api import create_app
from honing.demo import build_demo

WS = "/w/helpdesk-assistant"
QUEUE = f"{WS}/queues/helpdesk-review"
# A list or mapping literal holding strings, as repr() or JSON writes them.
LITERAL = re.compile(r"""[\[{(]\s*['"]""")


def visible_text(page: str) -> str:
    """What a reader sees of the page's own text: no scripts, tags or attributes (widgets
    carry JSON in data-*), and not the conversation, whose tool calls are JSON by nature."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<section class="conversation".*?</section>', " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def demo(db, settings):
    users = build_demo(db, home=settings.home).created_users
    return TestClient(create_app(db, settings)), users


def signed_in(client: TestClient, users: dict[str, str], username: str) -> TestClient:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": users[username]},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def shown(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return visible_text(response.text)


def test_no_page_shows_an_answer_as_a_literal(demo):
    client, users = demo
    lead = signed_in(client, users, "lead")
    console = lead.get(QUEUE).text
    items = list(dict.fromkeys(re.findall(rf'href="({QUEUE}/items/\d+\?question=\w+)"', console)))[:6]
    assert items, "the demo has disagreements to adjudicate"
    pages = {QUEUE: visible_text(console), f"{QUEUE}/quality?period=all": shown(lead, f"{QUEUE}/quality?period=all")}
    pages.update((path, shown(lead, html.unescape(path))) for path in items)
    signed_in(client, users, "reviewer")
    pages[f"{QUEUE}/review"] = shown(client, f"{QUEUE}/review")
    for rater in ("rater1", "rater2", "rater3"):
        signed_in(client, users, rater)
        pages[f"{QUEUE}/feedback as {rater}"] = shown(client, f"{QUEUE}/feedback")

    for path, text in pages.items():
        found = LITERAL.search(text)
        assert found is None, f"{path} shows a literal: …{text[max(0, found.start() - 60):found.end() + 60]}…"
    # Choices read as the rubric's labels ("Incomplete", "A is better"), not their values.
    assert "Incomplete" in pages[QUEUE] or "Verbose" in pages[QUEUE]
    assert "incomplete'" not in pages[QUEUE] and "A>B" not in pages[QUEUE]
    adjudication = pages[items[0]]
    assert "raters disagree" in adjudication and "(differs)" in adjudication
