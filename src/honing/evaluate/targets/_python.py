"""`python:module:function`: a function of yours answers, e.g. your application's own
entry point called in-process.

    def answer(messages: list[dict], tools: list[dict], scenario: Scenario) -> str | dict | Message

`messages` and `tools` are OpenAI-shaped dicts. The function returns the answer text, an
OpenAI-style assistant message dict (`{"content": ..., "tool_calls": [...]}`; the role
may be left out) or a `Message`. A coroutine function is awaited; a plain function runs
in a worker thread so a blocking call (an HTTP client, a model) does not stall the other
scenarios. Anything it raises makes that scenario an error (not retried: a bug does not
go away by itself). The module must be importable: installed, or on PYTHONPATH (run
from its directory with `python -m honing`, or set PYTHONPATH=.).
"""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from honing._errors import InvalidInput
from honing.domain import Message
from honing.evaluate._references import UnresolvedReference, find_callable
from honing.evaluate.targets._base import (
    TargetError,
    TargetReply,
    TargetRequest,
    check_options,
    messages_json,
    tools_json,
)

USAGE = "python:package.module:function (a function taking messages, tools, scenario)"
_REFERENCE = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$")


class PythonTarget:
    name = "python"

    def __init__(self, reference: str, function: Callable[..., Any]):
        self.reference = reference
        self.spec = f"python:{reference}"
        self.params: dict[str, Any] = {}
        self._function = function
        self._is_async = _is_coroutine_function(function)

    async def generate(self, request: TargetRequest) -> TargetReply:
        messages, tools = messages_json(request.messages), tools_json(request.tools)
        start = time.perf_counter()
        try:
            if self._is_async:
                result = await self._function(messages, tools, request.scenario)
            else:
                result = await asyncio.to_thread(self._function, messages, tools, request.scenario)
                if inspect.isawaitable(result):
                    result = await result
        except Exception as error:  # the function's failure is this scenario's error
            raise TargetError(f"{self.reference} raised {type(error).__name__}: {error}", retryable=False) from error
        latency_ms = (time.perf_counter() - start) * 1000.0
        return TargetReply(message=self._message(result), latency_ms=latency_ms)

    def _message(self, result: Any) -> Message:
        if isinstance(result, str):
            return Message(role="assistant", content=result)
        if isinstance(result, Message):
            message = result
        elif isinstance(result, dict):
            try:  # strict: a misspelled key in user code must not become an empty answer
                message = Message.model_validate({"role": "assistant", **result})
            except ValidationError as error:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}"
                                     for e in error.errors()[:3])
                raise TargetError(f"{self.reference} returned a message that is not valid: {problems}",
                                  retryable=False) from None
        else:
            raise TargetError(f"{self.reference} returned {type(result).__name__}; expected a str, an "
                              "assistant message dict or a Message", retryable=False)
        if message.role != "assistant":
            raise TargetError(f"{self.reference} returned a {message.role!r} message; expected 'assistant'",
                              retryable=False)
        return message

    async def aclose(self) -> None:
        return None


def from_spec(rest: str, *, options: dict[str, Any]) -> PythonTarget:
    check_options("python", options, ())
    match = _REFERENCE.match(rest.strip())
    if not match:
        raise InvalidInput(f"'python:{rest}' is not python:module:function", hint=USAGE)
    module_name, attribute = match.groups()
    try:
        found = find_callable(module_name, attribute)
    except UnresolvedReference as problem:
        error = problem.cause
        if isinstance(error, ImportError):
            raise InvalidInput(f"cannot import {module_name!r} for the target python:{rest}: {error}",
                               hint="install it, or put its directory on PYTHONPATH") from None
        if problem.kind == "import":  # importing ran the user's module, which failed
            raise InvalidInput(f"importing {module_name!r} for the target python:{rest} failed: "
                               f"{type(error).__name__}: {error}") from None
        if problem.kind == "attribute":
            raise InvalidInput(f"{module_name!r} has no {attribute!r} (target python:{rest})", hint=USAGE) from None
        raise InvalidInput(f"{module_name}:{attribute} is a {type(problem.found).__name__}, not a function",
                           hint=USAGE) from None
    return PythonTarget(f"{module_name}:{attribute}", found)


def _is_coroutine_function(function: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(function):
        return True
    # An object whose class defines `async def __call__`.
    return inspect.iscoroutinefunction(type(function).__call__)


__all__ = ["PythonTarget", "from_spec"]
