"""OTLP JSON export requests built by hand, as an SDK's exporter would send them: hex ids,
attributes as typed AnyValues, nanosecond times as strings. Independent of Honing's mapping."""

from __future__ import annotations

import json
from typing import Any


def value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [value(x) for x in v]}}
    return {"stringValue": str(v)}


def attrs(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": value(v)} for k, v in d.items()]


def span(trace_id: str, span_id: str, name: str, attributes: dict[str, Any], *, start: int,
         end: int, parent: str = "", events: list[dict[str, Any]] | None = None,
         error: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "traceId": trace_id, "spanId": span_id, "parentSpanId": parent, "name": name,
        "kind": 3, "startTimeUnixNano": str(start), "endTimeUnixNano": str(end),
        "attributes": attrs(attributes),
        "events": [{"name": e["name"], "timeUnixNano": str(e.get("time", end)),
                    "attributes": attrs(e.get("attributes", {}))} for e in events or []],
    }
    if error is not None:
        body["status"] = {"code": 2, "message": error}
    return body


def request(spans: list[dict[str, Any]], service: str = "support-bot",
            resource: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"resourceSpans": [{
        "resource": {"attributes": attrs({"service.name": service, **(resource or {})})},
        "scopeSpans": [{"scope": {"name": "test.instrumentation"}, "spans": spans}]}]}


def parts(role: str, *items: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": role, "parts": list(items)}
    if finish:
        message["finish_reason"] = finish
    return message


def text(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def genai_call(trace_id: str, span_id: str, inputs: list[dict], outputs: list[dict], *,
               start: int, end: int, model: str = "gpt-test", tokens: tuple[int, int] = (10, 5),
               extra: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """A chat span in the GenAI semantic conventions' current shape."""
    return span(trace_id, span_id, f"chat {model}", {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": model,
        "gen_ai.response.model": model + "-2025", "gen_ai.usage.input_tokens": tokens[0],
        "gen_ai.usage.output_tokens": tokens[1],
        "gen_ai.input.messages": json.dumps(inputs), "gen_ai.output.messages": json.dumps(outputs),
        **(extra or {})}, start=start, end=end, **options)


TRACE = "5b8efff798038103d269b633813fc60c"
ROOT = "eee19b7ec3c1b174"
FIRST = "eee19b7ec3c1b175"
SECOND = "eee19b7ec3c1b176"
T0 = 1_700_000_000_000_000_000


def tool_conversation(trace_id: str = TRACE) -> tuple[list[dict], list[dict]]:
    """(first call, second call) of a chat with one tool call, as spans in two lists."""
    system = {"role": "system", "parts": [text("You answer refund questions.")]}
    user = parts("user", text("Can I get a refund for order 42?"))
    tool_call = {"type": "tool_call", "id": "call_1", "name": "lookup_order",
                 "arguments": {"order": 42}}
    result = parts("tool", {"type": "tool_call_response", "id": "call_1",
                            "response": '{"status": "delivered", "days": 3}'})
    answer = parts("assistant", text("Yes: order 42 was delivered 3 days ago."), finish="stop")
    first = genai_call(trace_id, FIRST, [system, user],
                       [parts("assistant", tool_call, finish="tool_calls")],
                       start=T0 + 1_000_000, end=T0 + 251_000_000, parent=ROOT, tokens=(31, 12))
    second = genai_call(trace_id, SECOND, [system, user, parts("assistant", tool_call), result],
                        [answer], start=T0 + 300_000_000, end=T0 + 700_000_000, parent=ROOT,
                        tokens=(58, 9))
    root = span(trace_id, ROOT, "handle_request", {}, start=T0, end=T0 + 800_000_000)
    return [root, first], [second]
