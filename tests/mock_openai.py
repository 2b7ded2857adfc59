"""A local stand-in for the OpenAI chat completions API: the first turn asks for a tool call
(get_weather), the turn after the tool's result answers, streamed when asked. Enough for the
real `openai` client and its instrumentations to run end to end without a network."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = "It is 18 °C and sunny in Paris."
TOOL_ARGUMENTS = '{"city": "Paris"}'
USAGE = {"first": (31, 12), "second": (58, 9)}  # (prompt, completion) tokens per turn


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet test output
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        after_tool = body["messages"][-1]["role"] == "tool"
        if body.get("stream"):
            self._stream(body)
        else:
            self._json(_completion(body, after_tool))

    def _json(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, body: dict) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        base = {"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1700000001,
                "model": "gpt-test-2025-01-01"}
        words = ANSWER.split(" ")
        chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                        "finish_reason": None}]}]
        chunks += [{**base, "choices": [{"index": 0, "delta": {"content": w if i == 0 else " " + w},
                                         "finish_reason": None}]} for i, w in enumerate(words)]
        chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        prompt, completion = USAGE["second"]
        chunks.append({**base, "choices": [], "usage": {
            "prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}})
        for chunk in chunks:
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


def _completion(body: dict, after_tool: bool) -> dict:
    prompt, completion = USAGE["second" if after_tool else "first"]
    if after_tool:
        message = {"role": "assistant", "content": ANSWER}
        finish = "stop"
    else:
        message = {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_weather_1", "type": "function",
            "function": {"name": "get_weather", "arguments": TOOL_ARGUMENTS}}]}
        finish = "tool_calls"
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000,
            "model": "gpt-test-2025-01-01",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion}}


class MockOpenAI:
    """Serves on a free local port until closed; `base_url` is what the client is given."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
