"""What every target is: something that answers a conversation with one assistant message.

A target that cannot answer (unreachable, a bad request, a reply that makes no sense)
raises `TargetError`; the runner counts that scenario as an *error*, apart from failures,
because it says nothing about the model's quality.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import orjson

from honing._errors import InvalidInput
from honing.domain import FunctionCall, Message, ToolCall, ToolDefinition
from honing.evaluate._model import Scenario


@dataclass
class TargetRequest:
    scenario: Scenario
    messages: list[Message]  # the conversation so far (the agent loop appends assistant + tool messages)
    tools: list[ToolDefinition]
    repeat: int = 0  # repeat index (flakiness runs)
    step: int = 0  # agent-loop step


@dataclass
class TargetReply:
    message: Message  # role assistant: content and/or tool_calls
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = 0.0  # None: not measured (a replay without timings)
    model: str | None = None  # the model name the server reported


class TargetError(Exception):
    """The target could not be reached or answered badly. `retryable` says whether trying
    again later might help (a rate limit, a server error) or not (a 400, a bug in a
    Python target); `status` is the last HTTP status, `retry_after` the wait the server
    last asked for."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


@runtime_checkable
class Target(Protocol):
    spec: str  # canonical spec string (for run metadata and the response cache)
    name: str  # short kind: openai | http | python | replay | transformers
    params: dict[str, Any]  # generation parameters: part of the response-cache key

    async def generate(self, request: TargetRequest) -> TargetReply: ...

    async def aclose(self) -> None: ...


def messages_json(messages: list[Message]) -> list[dict[str, Any]]:
    """Messages in the OpenAI wire shape (no null fields: some servers reject them)."""
    return [m.model_dump(mode="json", exclude_none=True) for m in messages]


def tools_json(tools: list[ToolDefinition]) -> list[dict[str, Any]]:
    return [t.model_dump(mode="json", exclude_none=True) for t in tools]


def last_user_text(messages: list[Message]) -> str:
    for message in reversed(messages):
        if message.role == "user":
            return message.text
    return ""


def assistant_message(data: Any, *, source: str) -> Message:
    """An OpenAI-style message dict as our assistant Message, tolerant of what real
    servers send: extra keys (refusal, annotations, reasoning), tool calls without ids or
    with arguments as objects, no content at all. Raises TargetError (not retryable)."""
    if isinstance(data, Message):
        message = data
    elif isinstance(data, str):
        return Message(role="assistant", content=data)
    elif isinstance(data, dict):
        if data.get("role") not in (None, "assistant"):
            raise TargetError(f"{source} answered with a {data.get('role')!r} message; expected 'assistant'",
                              retryable=False)
        try:
            calls = [_tool_call(call, index) for index, call in enumerate(data.get("tool_calls") or [])]
            content = data.get("content")
            if content is None and not calls:
                # An empty answer (or a refusal) is an answer, and scorers should see it.
                content = data.get("refusal") if isinstance(data.get("refusal"), str) else ""
            message = Message(role="assistant", content=content, tool_calls=calls or None)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise TargetError(f"{source} answered with a message that is not valid: {_short(error)}",
                              retryable=False) from None
    else:
        raise TargetError(f"{source} answered with {type(data).__name__}; expected a string or a message",
                          retryable=False)
    if message.role != "assistant":
        raise TargetError(f"{source} answered with a {message.role!r} message; expected 'assistant'",
                          retryable=False)
    return message


def _tool_call(call: Any, index: int) -> ToolCall:
    function = call["function"]
    arguments = function.get("arguments")
    if arguments is None:
        arguments = "{}"
    call_id = call.get("id")
    if not call_id:  # some local servers omit ids; the agent loop needs one to answer
        digest = hashlib.sha256(orjson.dumps([index, function.get("name"), arguments])).hexdigest()
        call_id = f"call_{digest[:16]}"
    return ToolCall(id=call_id, function=FunctionCall(name=function["name"], arguments=arguments))


def check_options(kind: str, options: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse options a target kind does not know: a typo must not be silently ignored."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        known = ", ".join(allowed) if allowed else "none"
        raise InvalidInput(f"unknown option{'s' if len(unknown) > 1 else ''} for a {kind} target: "
                           f"{', '.join(unknown)}", hint=f"{kind} targets take: {known}")


def _short(error: Exception, limit: int = 300) -> str:
    text = str(error).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "..."


__all__ = ["Target", "TargetError", "TargetReply", "TargetRequest", "assistant_message", "check_options",
           "last_user_text", "messages_json", "tools_json"]
