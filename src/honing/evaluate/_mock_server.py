"""A mock OpenAI-compatible chat completions server, for tests and benchmarks.

    with MockModelServer(latency_ms=50) as server:        # a background thread
        target = make_target(f"openai:mock?base_url={server.base_url}", transport=...)

    python -m honing.evaluate._mock_server --port 8000 --latency-ms 50    # its own process

It is a bare asyncio.Protocol HTTP/1.1 server with httptools (keep-alive, as uvicorn does)
rather than a web framework, because it shares the machine with the client a benchmark
measures: the less CPU it needs per request, the less it skews the figures.

Answers are deterministic (see `answer`): `echo: <last user text>`; a tool call when the
request has tools and the last user message says `CALL tool_name {"json": "args"}`;
`tool said: <content>` after a tool result. `script(request) -> dict | None` overrides
that: a dict with `choices` is the whole response body, any other dict the assistant
message. `FailurePlan` injects 429s and 500s. `/stats` (GET) returns the request counts.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httptools
import orjson

Script = Callable[[dict[str, Any]], dict[str, Any] | None]
_CALL = re.compile(r"CALL\s+([A-Za-z_][\w.-]*)\s*(\{.*\})?", re.S)
_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 429: b"Too Many Requests",
            500: b"Internal Server Error"}


@dataclass
class FailurePlan:
    """Failures to inject. `status_429_first`: the first N requests of each key (see
    `request_key`) get 429 with `Retry-After: retry_after_s`; `status_500_every`: every
    k-th request overall gets 500; `always_500_for`: requests whose messages contain one
    of these markers always get 500 (to exhaust retries)."""

    status_429_first: int = 0
    retry_after_s: float = 0.05
    status_500_every: int = 0
    always_500_for: set[str] = field(default_factory=set)


def request_key(body: dict[str, Any]) -> str:
    """SHA-256 of the request's messages (as canonical JSON) and its `honing_repeat` or
    `user` field: what identifies "the same question" across runs and resumes."""
    return _key(orjson.dumps(body.get("messages"), option=orjson.OPT_SORT_KEYS), body)


def _key(messages_json: bytes, body: dict[str, Any]) -> str:
    digest = hashlib.sha256(messages_json)
    extra = body.get("honing_repeat", body.get("user"))
    if extra is not None:
        digest.update(b"|" + str(extra).encode())
    return digest.hexdigest()


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def answer(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The default assistant message and finish reason for a request."""
    messages = body["messages"]
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    if last.get("role") == "tool":
        return {"role": "assistant", "content": f"tool said: {_text(last)}"}, "stop"
    text = next((_text(m) for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), "")
    call = _CALL.search(text) if body.get("tools") and "CALL" in text else None
    if call:
        name, arguments = call.group(1), call.group(2) or "{}"
        call_id = "call_" + hashlib.sha256(f"{len(messages)}|{name}|{arguments}".encode()).hexdigest()[:16]
        return {"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]}, "tool_calls"
    return {"role": "assistant", "content": f"echo: {text}"}, "stop"


class _State:
    """Counters and behaviour shared by every connection of one server."""

    def __init__(self, latency_ms: float, failures: FailurePlan | None, script: Script | None):
        self.latency_s = max(0.0, latency_ms) / 1000.0
        self.failures = failures or FailurePlan()
        self.script = script
        self.requests = 0
        self.requests_by_key: dict[str, int] = {}
        self.statuses: dict[int, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0
        self.open: set[asyncio.BaseTransport] = set()  # to close keep-alive connections on stop

    def stats(self) -> dict[str, Any]:
        return {"requests": self.requests, "by_key": self.requests_by_key, "statuses": self.statuses,
                "in_flight": self.in_flight, "max_in_flight": self.max_in_flight, "connections": self.connections}

    def handle(self, method: bytes, path: bytes, body: bytes) -> tuple[int, bytes, float | None]:
        """(status, JSON body, Retry-After seconds) for one request."""
        path = path.split(b"?", 1)[0]
        if method == b"GET" and path == b"/stats":
            return 200, orjson.dumps(self.stats(), option=orjson.OPT_NON_STR_KEYS), None
        if method == b"GET" and path in (b"/health", b"/"):
            return 200, b'{"status":"ok"}', None
        if method != b"POST" or path not in (b"/v1/chat/completions", b"/chat/completions"):
            return 404, _error("no such route: use POST /v1/chat/completions or GET /stats"), None
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError:
            return 400, _error("the body is not JSON"), None
        if not isinstance(request, dict) or not isinstance(request.get("messages"), list) or not request["messages"]:
            return 400, _error("'messages' must be a non-empty list"), None
        messages_json = orjson.dumps(request["messages"], option=orjson.OPT_SORT_KEYS)
        key = _key(messages_json, request)
        self.requests += 1
        seen = self.requests_by_key[key] = self.requests_by_key.get(key, 0) + 1
        plan = self.failures
        if plan.always_500_for and any(marker.encode() in messages_json for marker in plan.always_500_for):
            return 500, _error("injected failure (marker)"), None
        if plan.status_500_every and self.requests % plan.status_500_every == 0:
            return 500, _error("injected failure (every k-th request)"), None
        if seen <= plan.status_429_first:
            return 429, _error("injected rate limit"), plan.retry_after_s
        return 200, self._completion(request), None

    def _completion(self, request: dict[str, Any]) -> bytes:
        scripted = None
        if self.script is not None:
            try:
                scripted = self.script(request)
            except Exception as error:  # show the test's bug as a 500, not a hung request
                return _error(f"script failed: {type(error).__name__}: {error}")
        if scripted is not None and "choices" in scripted:
            return orjson.dumps(scripted)
        if scripted is not None:
            message, finish = {"role": "assistant", **scripted}, "tool_calls" if scripted.get("tool_calls") else "stop"
        else:
            message, finish = answer(request)
        prompt = sum(len(_text(m).split()) for m in request["messages"] if isinstance(m, dict))
        completion = max(1, len((message.get("content") or "").split()))
        return orjson.dumps({
            "id": f"chatcmpl-mock-{self.requests}", "object": "chat.completion", "created": 0,
            "model": request.get("model", "mock"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        })


def _error(message: str) -> bytes:
    return orjson.dumps({"error": {"message": message, "type": "mock_error"}})


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection. httptools calls the on_* methods as it parses."""

    def __init__(self, state: _State):
        self.state = state
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state.connections += 1
        self.state.open.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.open.discard(self.transport)  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._write(400, _error("malformed HTTP request"), None, keep_alive=False)

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        status, payload, retry_after = self.state.handle(self.parser.get_method(), self.url, b"".join(self.body))
        keep_alive = self.parser.should_keep_alive()
        self.url, self.body = b"", []
        state = self.state
        state.statuses[status] = state.statuses.get(status, 0) + 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        if state.latency_s:
            # Equal delays keep responses in request order, as HTTP/1.1 requires.
            asyncio.get_running_loop().call_later(state.latency_s, self._respond, status, payload, retry_after,
                                                  keep_alive)
        else:
            self._respond(status, payload, retry_after, keep_alive)

    def _respond(self, status: int, payload: bytes, retry_after: float | None, keep_alive: bool) -> None:
        self.state.in_flight -= 1
        self._write(status, payload, retry_after, keep_alive=keep_alive)

    def _write(self, status: int, payload: bytes, retry_after: float | None, *, keep_alive: bool) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % (
            status, _REASONS.get(status, b"Error"), len(payload))
        if retry_after is not None:
            head += b"retry-after: %s\r\n" % f"{retry_after:g}".encode()
        if not keep_alive:
            head += b"connection: close\r\n"
        self.transport.write(head + b"\r\n" + payload)
        if not keep_alive:
            self.transport.close()


async def serve(state: _State, host: str = "127.0.0.1", port: int = 0) -> asyncio.base_events.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _Connection(state), host, port, backlog=1024)


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:  # pragma: no cover - uvloop is a dependency on POSIX
        return asyncio.new_event_loop()


class MockModelServer:
    """The server in a background thread with its own event loop. `base_url` ends in /v1
    (what an openai target's base_url wants); `url` is the root."""

    def __init__(self, latency_ms: float = 0, failures: FailurePlan | None = None, script: Script | None = None,
                 *, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self._state = _State(latency_ms, failures, script)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def requests(self) -> int:
        return self._state.requests

    @property
    def requests_by_key(self) -> dict[str, int]:
        return dict(self._state.requests_by_key)  # a copy: the server thread goes on counting

    @property
    def max_in_flight(self) -> int:
        return self._state.max_in_flight

    @property
    def connections(self) -> int:
        return self._state.connections

    def stats(self) -> dict[str, Any]:
        return self._state.stats()

    def reset(self) -> None:
        """Forget the counts (e.g. between the first run and the resumed one)."""
        state = self._state
        state.requests, state.requests_by_key, state.statuses, state.max_in_flight = 0, {}, {}, 0

    def count(self, body: dict[str, Any]) -> int:
        """How many requests with this body's key (see `request_key`) the server received."""
        return self._state.requests_by_key.get(request_key(body), 0)

    def start(self) -> MockModelServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = self._loop = _new_loop()
            asyncio.set_event_loop(loop)
            try:
                server = loop.run_until_complete(serve(self._state, self.host, self.port))
            except BaseException as error:  # e.g. the port is taken: report it to start()
                failure.append(error)
                ready.set()
                loop.close()
                return
            self.port = server.sockets[0].getsockname()[1]
            self._stopped = asyncio.Event()
            ready.set()
            loop.run_until_complete(self._stopped.wait())
            server.close()
            for transport in list(self._state.open):  # clients may still hold idle keep-alive connections
                transport.close()
            loop.run_until_complete(server.wait_closed())
            loop.run_until_complete(asyncio.sleep(0))  # let the closed transports finish
            loop.close()

        self._thread = threading.Thread(target=run, name="mock-model-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> MockModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A mock OpenAI-compatible chat completions server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed on start)")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--fail-429-first", type=int, default=0, help="429 for the first N requests of each key")
    parser.add_argument("--retry-after-s", type=float, default=0.05)
    parser.add_argument("--fail-500-every", type=int, default=0, help="500 for every k-th request")
    parser.add_argument("--fail-marker", action="append", default=[], help="500 whenever messages contain this")
    args = parser.parse_args(argv)
    plan = FailurePlan(status_429_first=args.fail_429_first, retry_after_s=args.retry_after_s,
                       status_500_every=args.fail_500_every, always_500_for=set(args.fail_marker))
    state = _State(args.latency_ms, plan, None)
    loop = _new_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(serve(state, args.host, args.port))
    port = server.sockets[0].getsockname()[1]
    print(f"mock model server listening on http://{args.host}:{port}", flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        loop.close()



__all__ = ["FailurePlan", "MockModelServer", "answer", "main", "request_key", "serve"]

if __name__ == "__main__":
    main()
