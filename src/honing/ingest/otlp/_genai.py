"""One model call read from a span, whichever of the three common shapes carries it:

- OpenTelemetry GenAI semantic conventions (the official openai-v2 instrumentation, and
  OpenLLMetry since 0.5x): `gen_ai.input.messages` / `gen_ai.output.messages` as JSON
  lists of messages with typed `parts` (text, tool_call, tool_call_response);
- OpenLLMetry's older flattened attributes: `gen_ai.prompt.N.role|content|tool_calls.M.*`
  and `gen_ai.completion.N.*`;
- OpenInference (Arize): `llm.input_messages.N.message.*`, `llm.output_messages.N.message.*`,
  `llm.model_name`, `llm.token_count.prompt|completion`.

Messages come out in Honing's chat shape (domain.Message as dicts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from honing.ingest.otlp._decode import SpanRecord


@dataclass
class ModelCall:
    span: SpanRecord
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None

    @property
    def latency_ms(self) -> float:
        return max(0, self.span.end_ns - self.span.start_ns) / 1e6


def model_call(span: SpanRecord) -> ModelCall | None:
    """The call this span records, or None for a span that is not a model call."""
    a = span.attributes
    if "gen_ai.input.messages" in a or "gen_ai.output.messages" in a:
        inputs = [m for raw in _json_list(a.get("gen_ai.system_instructions"))
                  for m in [_system_instruction(raw)] if m]
        inputs += [_from_parts(m) for m in _json_list(a.get("gen_ai.input.messages"))]
        outputs = [_from_parts(m) for m in _json_list(a.get("gen_ai.output.messages"))]
    elif any(k.startswith(("gen_ai.prompt.", "gen_ai.completion.")) for k in a):
        inputs = _flattened(a, "gen_ai.prompt.", "")
        outputs = _flattened(a, "gen_ai.completion.", "")
    elif a.get("openinference.span.kind") == "LLM" or any(k.startswith("llm.input_messages.") for k in a):
        inputs = _flattened(a, "llm.input_messages.", "message.")
        outputs = _flattened(a, "llm.output_messages.", "message.")
    else:
        return None
    model = (a.get("gen_ai.response.model") or a.get("llm.model_name")
             or a.get("gen_ai.request.model"))
    prompt = _first_int(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens",
                        "llm.token_count.prompt")
    completion = _first_int(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
                            "llm.token_count.completion")
    return ModelCall(span, [m for m in inputs if m], [m for m in outputs if m],
                     str(model) if model else None, prompt, completion)


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return []
    return value if isinstance(value, list) else []


def _system_instruction(part: Any) -> dict[str, Any] | None:
    if isinstance(part, dict) and isinstance(part.get("content"), str):
        return {"role": "system", "content": part["content"]}
    return None


def _arguments(value: Any) -> str:
    if value is None:
        return "{}"
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _from_parts(message: Any) -> dict[str, Any]:
    """A semantic-conventions message ({role, parts:[...]}) as a chat message. A tool role's
    tool_call_response part becomes the tool message's content and tool_call_id."""
    if not isinstance(message, dict):
        return {}
    role = message.get("role") or "user"
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    out: dict[str, Any] = {"role": role}
    for part in message.get("parts") or []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "text" and part.get("content") is not None:
            texts.append(_text(part["content"]))
        elif kind == "tool_call":
            calls.append({"id": str(part.get("id") or f"call_{len(calls)}"), "type": "function",
                          "function": {"name": str(part.get("name") or "tool"),
                                       "arguments": _arguments(part.get("arguments"))}})
        elif kind == "tool_call_response":
            out["role"] = "tool"
            if part.get("id"):
                out["tool_call_id"] = str(part["id"])
            texts.append(_text(part.get("response", part.get("result", ""))))
    if "content" in message and not texts and isinstance(message["content"], str):
        texts.append(message["content"])  # an older shape: {role, content}
    out["content"] = "\n".join(texts) if texts else None
    if calls:
        out["tool_calls"] = calls
    return out


_INDEXED = re.compile(r"^(\d+)\.(.+)$")
_CALL = re.compile(r"^tool_calls\.(\d+)\.(?:tool_call\.)?(.+)$")


def _flattened(a: dict[str, Any], prefix: str, inner: str) -> list[dict[str, Any]]:
    """Messages spread over `PREFIX.N.[inner]field` attributes, in index order."""
    grouped: dict[int, dict[str, Any]] = {}
    for key, value in a.items():
        if not key.startswith(prefix):
            continue
        match = _INDEXED.match(key[len(prefix):])
        if not match:
            continue
        rest = match.group(2)
        if inner and rest.startswith(inner):
            rest = rest[len(inner):]
        grouped.setdefault(int(match.group(1)), {})[rest] = value
    messages = []
    for _, fields in sorted(grouped.items()):
        message: dict[str, Any] = {"role": str(fields.get("role") or "user")}
        content = fields.get("content")
        message["content"] = None if content is None else _text(content)
        if fields.get("tool_call_id"):
            message["tool_call_id"] = str(fields["tool_call_id"])
        calls: dict[int, dict[str, Any]] = {}
        for key, value in fields.items():
            match = _CALL.match(key)
            if match:
                calls.setdefault(int(match.group(1)), {})[match.group(2).removeprefix("function.")] = value
        if calls:
            message["tool_calls"] = [
                {"id": str(c.get("id") or f"call_{n}"), "type": "function",
                 "function": {"name": str(c.get("name") or "tool"),
                              "arguments": _arguments(c.get("arguments"))}}
                for n, c in sorted(calls.items())]
        messages.append(message)
    return messages


def _first_int(a: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = a.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and value >= 0:
            return int(value)
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None
