"""The mock model server: deterministic answers for agent-loop tests, keep-alive, request
counts by key (for resume tests), failure injection, the subprocess mode, and a rough
throughput figure (printed; the benchmark is benchmarks/eval_throughput.py)."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import subprocess
import sys
import time

import aiohttp
import orjson
import pytest

from honing.evaluate._mock_server import FailurePlan, MockModelServer, request_key

TOOLS = [{"type": "function", "function": {"name": "lookup"}}]
_OPENED: list[http.client.HTTPConnection] = []


def connect(port: int) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    _OPENED.append(connection)
    return connection


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _OPENED:
        _OPENED.pop().close()


def chat(text: str, **extra) -> dict:
    return {"model": "m", "messages": [{"role": "user", "content": text}], **extra}


def post(connection: http.client.HTTPConnection, body: dict, path: str = "/v1/chat/completions"):
    connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), json.loads(response.read())


def test_default_answers_echo_call_tools_and_read_tool_results():
    with MockModelServer() as server:
        connection = connect(server.port)
        _, _, echo = post(connection, chat("hello world"))
        _, _, call = post(connection, chat('please CALL lookup {"id": 3}', tools=TOOLS))
        _, _, no_tools = post(connection, chat('please CALL lookup {"id": 3}'))
        tool_turn = {"model": "m", "messages": [
            {"role": "user", "content": "CALL lookup {}"},
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                                  "function": {"name": "lookup", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c", "content": "3 results"}], "tools": TOOLS}
        _, _, after = post(connection, tool_turn)
    assert echo["choices"][0]["message"] == {"role": "assistant", "content": "echo: hello world"}
    assert echo["usage"] == {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}
    assert echo["model"] == "m"
    assert call["choices"][0]["finish_reason"] == "tool_calls"
    function = call["choices"][0]["message"]["tool_calls"][0]["function"]
    assert function["name"] == "lookup" and json.loads(function["arguments"]) == {"id": 3}
    assert no_tools["choices"][0]["message"]["content"].startswith("echo: ")  # no tools offered: no call
    assert after["choices"][0]["message"]["content"] == "tool said: 3 results"


def test_keep_alive_serves_many_requests_on_one_connection():
    with MockModelServer() as server:
        connection = connect(server.port)
        statuses = [post(connection, chat(f"q{i}"))[0] for i in range(10)]
        assert statuses == [200] * 10 and server.connections == 1


def test_requests_are_counted_by_key():
    with MockModelServer() as server:
        connection = connect(server.port)
        for body in (chat("a"), chat("a"), chat("b"), chat("a", honing_repeat=1), chat("a", user="r2")):
            post(connection, body)
        assert server.requests == 5
        assert server.count(chat("a")) == 2 and server.count(chat("b")) == 1
        assert server.count(chat("a", honing_repeat=1)) == 1 and server.count(chat("a", user="r2")) == 1
        assert server.requests_by_key[request_key(chat("b"))] == 1
        # The key does not depend on how the client wrote the JSON (key order, spacing).
        assert request_key({"messages": [{"content": "a", "role": "user"}]}) == request_key(chat("a"))
        connection.request("GET", "/stats")
        stats = json.loads(connection.getresponse().read())
        assert stats["requests"] == 5 and stats["by_key"][request_key(chat("a"))] == 2
        assert stats["statuses"] == {"200": 5}
        server.reset()
        post(connection, chat("a"))
        assert server.requests == 1 and server.requests_by_key == {request_key(chat("a")): 1}


def test_failure_plan_429_first_500_every_and_markers():
    plan = FailurePlan(status_429_first=2, retry_after_s=0.25, status_500_every=5, always_500_for={"BOOM"})
    with MockModelServer(failures=plan) as server:
        connection = connect(server.port)
        first = post(connection, chat("x"))
        second = post(connection, chat("x"))
        third = post(connection, chat("x"))
        assert (first[0], second[0], third[0]) == (429, 429, 200)
        assert first[1]["retry-after"] == "0.25" and "rate limit" in first[2]["error"]["message"]
        assert post(connection, chat("BOOM now"))[0] == 500
        fifth = post(connection, chat("y"))  # request 5: every 5th fails
        assert fifth[0] == 500
        assert post(connection, chat("z"))[0] == 429  # a new key gets its own 429s


def test_script_overrides_the_answer_and_bad_requests_are_400():
    def script(body: dict) -> dict | None:
        text = body["messages"][-1]["content"]
        if text == "full":
            return {"choices": [{"index": 0, "message": {"role": "assistant", "content": "whole"}}], "extra": 1}
        if text == "message":
            return {"content": "scripted"}
        if text == "crash":
            raise ValueError("bug in the test")
        return None

    with MockModelServer(script=script) as server:
        connection = connect(server.port)
        assert post(connection, chat("full"))[2] == {"choices": [{"index": 0, "message": {
            "role": "assistant", "content": "whole"}}], "extra": 1}
        assert post(connection, chat("message"))[2]["choices"][0]["message"]["content"] == "scripted"
        assert post(connection, chat("other"))[2]["choices"][0]["message"]["content"] == "echo: other"
        status, _, crashed = post(connection, chat("crash"))
        assert status == 200 and "bug in the test" in crashed["error"]["message"]
        assert post(connection, {"model": "m", "messages": []})[0] == 400
        assert post(connection, chat("x"), path="/v1/embeddings")[0] == 404


def test_latency_is_applied():
    with MockModelServer(latency_ms=80) as server:
        connection = connect(server.port)
        start = time.perf_counter()
        post(connection, chat("slow"))
        assert time.perf_counter() - start >= 0.075


def start_subprocess(*args: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([sys.executable, "-m", "honing.evaluate._mock_server", "--port", "0", *args],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()  # "mock model server listening on http://127.0.0.1:PORT"
    assert "listening on" in line, line
    return process, int(line.rsplit(":", 1)[1])


def stop(process: subprocess.Popen) -> int:
    process.terminate()
    try:
        return process.wait(timeout=10)
    finally:
        process.stdout.close()


def test_subprocess_mode_starts_reports_stats_and_stops():
    process, port = start_subprocess("--latency-ms", "5", "--fail-429-first", "1")
    try:
        connection = connect(port)
        assert post(connection, chat("a"))[0] == 429
        assert post(connection, chat("a"))[0] == 200
        connection.request("GET", "/stats")
        stats = json.loads(connection.getresponse().read())
        assert stats["requests"] == 2 and stats["statuses"] == {"200": 1, "429": 1}
    finally:
        assert stop(process) is not None


def test_throughput_of_the_subprocess_server():
    """A rough figure: an aiohttp client in this process (which is likely the bottleneck,
    on a small machine) against the server in its own process, for one second."""
    process, port = start_subprocess()
    url = f"http://127.0.0.1:{port}/v1/chat/completions"

    async def load(seconds: float = 1.0, concurrency: int = 64) -> float:
        done = 0
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
            stop = time.perf_counter() + seconds

            async def worker(w: int) -> None:
                nonlocal done
                while time.perf_counter() < stop:
                    data = orjson.dumps(chat(f"q{w}-{done}"))
                    async with session.post(url, data=data, headers={"Content-Type": "application/json"}) as r:
                        assert r.status == 200
                        await r.read()
                    done += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker(w) for w in range(concurrency)))
            return done / (time.perf_counter() - start)

    try:
        rate = asyncio.run(load())
    finally:
        stop(process)
    print(f"\nmock server: {rate:.0f} requests/s (concurrency 64, no latency, client in the test process)")
    assert rate > 300  # a loose floor: catches a server that serializes or stalls


@pytest.mark.parametrize("garbage", [b"NOT HTTP AT ALL\r\n\r\n",
                                     b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"])
def test_malformed_http_gets_400_and_the_server_survives(garbage):
    with MockModelServer() as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            raw.sendall(garbage)
            assert raw.recv(1000).startswith(b"HTTP/1.1 400")
        connection = connect(server.port)
        assert post(connection, chat("still up"))[0] == 200
