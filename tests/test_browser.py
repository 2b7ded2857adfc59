"""End to end in real Chromium: `honing demo` serves the demo workspace; the lead signs in
and reads a conversation with its tool calls and both candidate responses."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_lead_signs_in_and_reads_a_conversation_with_tool_calls(demo_server, page, tmp_path):
    base, passwords = demo_server
    page.goto(f"{base}/w/helpdesk-assistant")
    assert page.url.startswith(f"{base}/login")  # signed out: sent to the login form

    page.fill("input[name=username]", "lead")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert page.locator(".alert").inner_text() == "unknown user or wrong password"

    page.fill("input[name=username]", "lead")
    page.fill("input[name=password]", passwords["lead"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/w/helpdesk-assistant")
    assert "lead" in page.locator("h1").inner_text()

    page.click("text=support-conversations")
    page.wait_for_url(re.compile(r".*/datasets/support-conversations.*"))
    assert page.locator("table.items tbody tr").count() == 25

    # Find a conversation with tool calls the way a curious lead would: through the API,
    # with the same browser session, then open it from the list.
    listing = page.request.get(
        f"{base}/api/workspaces/helpdesk-assistant/datasets/support-conversations/versions/latest/items?limit=25"
    ).json()
    with_tools = next(i for i in listing["items"]
                      if any(m.get("tool_calls") for m in i["messages"]))
    page.click(f"a[href^='/w/helpdesk-assistant/items/{with_tools['id']}?']")
    page.wait_for_url(re.compile(rf".*/items/{with_tools['id']}.*"))

    calls = page.locator(".conversation .turn .tool-call")
    assert calls.count() >= 1
    first_call = with_tools["messages"][[bool(m.get("tool_calls")) for m in with_tools["messages"]].index(True)]
    tool_name = first_call["tool_calls"][0]["function"]["name"]
    assert tool_name in calls.first.inner_text()
    assert page.locator(".turn.role-tool").count() >= 1  # the tool results are shown
    responses = page.locator(".responses .response")
    assert responses.count() == 2
    assert "v1" in responses.nth(0).inner_text() and "v2" in responses.nth(1).inner_text()
    if with_tools["context"]:
        assert with_tools["context"][0]["id"] in page.locator("[aria-label='Context documents']").inner_text()
    page.screenshot(path=str(tmp_path / "item.png"), full_page=True)
