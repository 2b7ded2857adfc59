"""End to end in real Chromium: `honing demo` serves the demo workspace; the lead signs in
and reads a conversation with its tool calls and both candidate responses."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    path = os.environ.get("HONING_TEST_CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is required in CI (scripts/test installs it)")
    pytest.skip("Chromium not installed (set HONING_TEST_CHROMIUM or run scripts/test)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """Run the README's `honing demo` for real, on a fresh SQLite home."""
    home = tmp_path_factory.mktemp("demo-home")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HONING_DATABASE_URL"}
    env.update(HONING_HOME=str(home), COLUMNS="200")
    log = (home / "server.log").open("w+")
    process = subprocess.Popen([sys.executable, "-m", "honing", "demo", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"honing demo exited early:\n{Path(log.name).read_text()}")
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail(f"honing demo did not come up:\n{Path(log.name).read_text()}")
        output = Path(log.name).read_text()
        passwords = dict(re.findall(r"^  (\w+): (\S+)$", output, flags=re.M))
        assert {"admin", "lead", "reviewer", "rater1", "rater2", "rater3"} <= set(passwords), output
        yield base, passwords
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def page(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        yield context.new_page()
        context.close()
        browser.close()


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
