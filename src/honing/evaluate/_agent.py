"""One scenario against one target: the agent loop. The target answers; when it calls
tools, the scenario's mocks answer them and the target goes on, up to a step limit. The
whole trajectory is kept for scorers and for the failure drill-down.

Retrieved context documents are given to the model as one system message before the
conversation ("Context documents:" then "[id] title" and the text of each), the way a
RAG application would put them in its prompt.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from honing.domain import Message, ToolCall
from honing.evaluate._model import Output, Scenario, ToolMock
from honing.evaluate._references import find_callable
from honing.evaluate.targets import Target, TargetReply, TargetRequest

# (request, step) -> reply: the runner's cache-aware call of the target.
Ask = Callable[[TargetRequest], Awaitable[tuple[TargetReply, bool]]]
TOOL_ERROR_PREFIX = "ERROR: "


def conversation(scenario: Scenario) -> list[Message]:
    messages = scenario.messages()
    if scenario.context:
        documents = "\n\n".join(f"[{d.id}] {d.title or ''}\n{d.content}".strip() for d in scenario.context)
        messages = [Message(role="system", content=f"Context documents:\n\n{documents}"), *messages]
    return messages


async def run_agent(target: Target, scenario: Scenario, repeat: int, ask: Ask, *,
                    max_steps: int) -> tuple[Output, bool]:
    """The scenario's output, and whether every step came from the cache."""
    messages = conversation(scenario)
    trajectory: list[Message] = []
    calls: list[ToolCall] = []
    output = Output(prompt_tokens=0, completion_tokens=0, latency_ms=0.0)
    all_cached = True
    for step in range(max_steps):
        reply, cached = await ask(TargetRequest(scenario=scenario, messages=messages, tools=list(scenario.tools),
                                                repeat=repeat, step=step))
        all_cached = all_cached and cached
        _add_usage(output, reply)
        message = reply.message
        trajectory.append(message)
        output.steps = step + 1
        if not message.tool_calls:
            break
        calls.extend(message.tool_calls)
        if not scenario.tools:
            break  # nothing to execute them against: the calls are the answer
        results = [Message(role="tool", tool_call_id=call.id, content=await execute_tool(scenario.tool_mocks, call))
                   for call in message.tool_calls]
        trajectory.extend(results)
        messages = [*messages, message, *results]
    last = trajectory[-1] if trajectory else None
    output.text = last.text if last is not None and last.role == "assistant" else None
    output.tool_calls = calls
    output.trajectory = trajectory
    return output, all_cached


def _add_usage(output: Output, reply: TargetReply) -> None:
    output.prompt_tokens = None if output.prompt_tokens is None or reply.prompt_tokens is None \
        else output.prompt_tokens + reply.prompt_tokens
    output.completion_tokens = None if output.completion_tokens is None or reply.completion_tokens is None \
        else output.completion_tokens + reply.completion_tokens
    # An unmeasured step makes the total unknown: a latency budget must not pass on a guess.
    output.latency_ms = None if output.latency_ms is None or reply.latency_ms is None \
        else output.latency_ms + reply.latency_ms


async def execute_tool(mocks: list[ToolMock], call: ToolCall) -> str:
    """The mocked result of one tool call, as the content of its tool message. Failures
    (a mocked error, no matching mock, bad arguments, a raising function) are results that
    start with "ERROR: ", so the model sees them and trajectory scorers can count them."""
    try:
        arguments = orjson.loads(call.function.arguments or "{}")
    except orjson.JSONDecodeError:
        return f"{TOOL_ERROR_PREFIX}arguments are not valid JSON: {call.function.arguments[:200]}"
    if not isinstance(arguments, dict):
        return f"{TOOL_ERROR_PREFIX}arguments must be a JSON object"
    mock = next((m for m in mocks if m.tool == call.function.name and _matches(m.when, arguments)), None)
    if mock is None:
        return f"{TOOL_ERROR_PREFIX}no mock for tool {call.function.name!r} with these arguments"
    if mock.error is not None:
        return f"{TOOL_ERROR_PREFIX}{mock.error}"
    if mock.function is not None:
        try:
            result = _function(mock.function)(**arguments)
            if inspect.isawaitable(result):
                result = await result
        except Exception as error:  # the tool failed: that is the tool's answer
            return f"{TOOL_ERROR_PREFIX}{type(error).__name__}: {error}"
    else:
        result = mock.result
    return result if isinstance(result, str) else orjson.dumps(result).decode()


def _matches(when: dict[str, Any] | None, arguments: dict[str, Any]) -> bool:
    return when is None or all(arguments.get(key) == value for key, value in when.items())


_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _function(reference: str) -> Callable[..., Any]:
    found = _FUNCTIONS.get(reference)
    if found is None:
        module, _, name = reference.partition(":")
        found = _FUNCTIONS[reference] = find_callable(module, name)
    return found
