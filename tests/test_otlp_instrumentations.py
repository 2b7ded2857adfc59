"""The three OpenAI instrumentations people run, end to end: a test application calls a
local mock OpenAI server with the real `openai` client (a tool call, then a streamed answer),
the instrumentation records it and the real OTLP HTTP exporter sends the spans to a real
Honing server (uvicorn, on SQLite and PostgreSQL). The item must hold the chat in order, the
tool call with its arguments and result, the model and the token counts.

The application runs in its own environment (tests/otlp_apps/requirements.txt explains
why), one process per instrumentation, so their global tracer providers never meet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from browser_fixtures import free_port
from conftest import make_user
from honing import accounts, datasets
from honing.accounts import Role
from honing.ingest import otlp
from mock_openai import ANSWER, USAGE, MockOpenAI

APPS = Path(__file__).parent / "otlp_apps"
REPO = Path(__file__).resolve().parents[1]


def apps_python() -> str:
    configured = os.environ.get("HONING_TEST_OTLP_APPS_PYTHON")
    default = REPO / ".venv-otlp-apps" / "bin" / "python"
    if configured:
        return configured
    if default.exists():
        return str(default)
    if os.environ.get("CI"):
        pytest.fail("the instrumented test applications' environment is missing "
                    "(scripts/test builds .venv-otlp-apps)")
    pytest.skip("no environment for the instrumented applications: run scripts/test, or "
                "set HONING_TEST_OTLP_APPS_PYTHON to a python with tests/otlp_apps/requirements.txt")


@pytest.fixture
def honing_server(db, workspace, database_url, tmp_path):
    token = make_user(db, "weather-bot", Role.lead)
    port = free_port()
    env = {**os.environ, "HONING_DATABASE_URL": database_url, "HONING_HOME": str(tmp_path / "home"),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "honing", "serve", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("honing serve did not come up:\n" + (tmp_path / "server.log").read_text())
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def mock_openai():
    server = MockOpenAI()
    yield server
    server.close()


@pytest.mark.parametrize("instrumentation", ["openai-v2", "openllmetry", "openinference"])
def test_an_instrumented_chat_becomes_an_item(instrumentation, honing_server, mock_openai, db):
    python = apps_python()
    base, token = honing_server
    run = subprocess.run([python, str(APPS / "chat_app.py"), instrumentation, mock_openai.base_url,
                          f"{base}/v1/traces", token], capture_output=True, text=True, timeout=180,
                         env={k: v for k, v in os.environ.items()
                              if not k.startswith(("OTEL_", "PYTHONPATH"))})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Failed to export" not in run.stderr, run.stderr[-3000:]
    trace_id = run.stdout.strip().splitlines()[-1]

    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        item_id = otlp.intake_item_id(session, ws, f"trace:{trace_id}")
        assert item_id is not None, "no conversation item for the trace"
        item = datasets.load_items(session, [item_id])[0].item

    assert [m.role for m in item.messages] == ["system", "user", "assistant", "tool"]
    assert item.messages[0].content == "You answer weather questions."
    assert item.messages[1].content == "What is the weather in Paris?"
    call = item.messages[2].tool_calls[0]
    assert call.id == "call_weather_1" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert item.messages[3].tool_call_id == "call_weather_1"
    assert json.loads(item.messages[3].content) == {"city": "Paris", "temperature_c": 18}
    response = item.responses[0]
    assert response.content == ANSWER  # the streamed answer, reassembled by the instrumentation
    assert response.model == "gpt-test-2025-01-01"
    assert (response.tokens.prompt, response.tokens.completion) == USAGE["second"]
    assert (item.metadata["prompt_tokens"], item.metadata["completion_tokens"]) == (
        USAGE["first"][0] + USAGE["second"][0], USAGE["first"][1] + USAGE["second"][1])
    assert item.metadata["service.name"] == "weather-bot"
    assert item.metadata["model_calls"] == 2
