"""Browser-test fixtures: the real `honing demo` server and a page in real Chromium."""

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


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The README's `honing demo`, built for real on a fresh SQLite home (`--no-serve`):
    the home and the demo users' passwords, which it prints once."""
    home = tmp_path_factory.mktemp("demo-home")
    built = subprocess.run([sys.executable, "-m", "honing", "demo", "--no-serve"], env=demo_env(home),
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    passwords = dict(re.findall(r"^  (\w+): (\S+)$", built.stdout, flags=re.M))
    assert {"admin", "lead", "reviewer", "rater1", "rater2", "rater3"} <= set(passwords), built.stdout
    return home, passwords


def demo_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HONING_DATABASE_URL"}
    env.update(HONING_HOME=str(home), COLUMNS="200")
    return env


@pytest.fixture(scope="session")
def demo_server(demo_home: tuple[Path, dict[str, str]]) -> Iterator[tuple[str, dict[str, str]]]:
    """`honing demo` serving the demo home (the second run builds nothing)."""
    home, passwords = demo_home
    port = free_port()
    log = (home / "server.log").open("w+")
    process = subprocess.Popen([sys.executable, "-m", "honing", "demo", "--port", str(port)],
                               env=demo_env(home), stdout=log, stderr=subprocess.STDOUT, text=True)
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
