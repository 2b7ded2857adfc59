"""`http:URL`: your own application's HTTP endpoint, POSTed a JSON body built from a
template, its answer text read at a dotted path.

    http:https://app.internal/api/chat
    options:
      request:  {"question": "{{input}}", "history": "{{messages}}", "session": "eval-{{scenario_id}}"}
      response: data.answer          # or choices.0.message.content; digits index lists
      headers:  {"X-Team": "evals"}
      api_key_env: APP_TOKEN         # sent as "Authorization: Bearer <value>"

Placeholders in the `request` template (a JSON object, or its JSON text):

- `{{messages}}`: the conversation so far, as OpenAI-style message objects;
- `{{input}}`: the text of the last user message;
- `{{scenario_id}}`: the scenario's id;
- `{{tools}}`: the scenario's tool definitions (OpenAI shape);
- `{{repeat}}`: the repeat index (0, 1, ...).

A string that is exactly one placeholder becomes that value with its JSON type (a list for
`{{messages}}`); a placeholder inside a longer string is replaced by its text (JSON text
for lists). The default template is `{"messages": "{{messages}}"}`. Without a `response`
path, an OpenAI-shaped answer (with `choices`) is read as a chat completion; anything else
needs the path. An answer that is not text at the path is used as its JSON text.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import orjson
from yarl import URL

from honing._errors import InvalidInput
from honing.domain import Message
from honing.evaluate.targets._base import (
    TargetError,
    TargetReply,
    TargetRequest,
    check_options,
    last_user_text,
    messages_json,
    tools_json,
)
from honing.evaluate.targets._openai import parse_chat_completion

if TYPE_CHECKING:
    from honing.evaluate._transport import Transport

PLACEHOLDERS = ("messages", "input", "scenario_id", "tools", "repeat")
DEFAULT_TEMPLATE: dict[str, Any] = {"messages": "{{messages}}"}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")
_OPTIONS = ("request", "response", "headers", "api_key_env")
USAGE = "http:URL with options request (a JSON template) and response (a dotted path such as data.answer)"


class HttpTarget:
    name = "http"

    def __init__(self, url: str, *, transport: Transport, request: dict[str, Any] | None = None,
                 response: str | None = None, headers: dict[str, str] | None = None, api_key_env: str | None = None):
        self.url = url
        self.template = DEFAULT_TEMPLATE if request is None else request
        self.response_path = _path(response) if response is not None else None
        self.spec = f"http:{url}"
        self.params: dict[str, Any] = {"request": self.template, "response": response}
        self._transport = transport
        self._headers = dict(headers or {})
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise InvalidInput(f"the environment variable {api_key_env} (api_key_env) is not set")
            self._headers["Authorization"] = f"Bearer {key}"
        self._source = f"http target {url}"

    async def generate(self, request: TargetRequest) -> TargetReply:
        values = {"messages": messages_json(request.messages), "input": last_user_text(request.messages),
                  "scenario_id": request.scenario.id, "tools": tools_json(request.tools), "repeat": request.repeat}
        body = render(self.template, values)
        answer, latency_ms = await self._transport.post_json(self.url, body, headers=self._headers or None)
        if self.response_path is None:
            if "choices" in answer:
                return parse_chat_completion(answer, latency_ms=latency_ms, source=self._source)
            raise TargetError(f"{self._source} answered with keys {sorted(answer)[:10]} and no response path is "
                              "set: give the option response=PATH (e.g. data.answer)", retryable=False)
        found = resolve(answer, self.response_path, source=self._source)
        text = found if isinstance(found, str) else orjson.dumps(found).decode()
        return TargetReply(message=Message(role="assistant", content=text), latency_ms=latency_ms)

    async def aclose(self) -> None:
        return None


def render(template: Any, values: dict[str, Any]) -> Any:
    """The template with its placeholders filled in (see the module's documentation)."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return values[whole.group(1)]
        if "{{" not in template:
            return template
        return _PLACEHOLDER.sub(lambda m: _text(values[m.group(1)]), template)
    if isinstance(template, dict):
        return {key: render(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [render(value, values) for value in template]
    return template


def resolve(answer: Any, path: list[str], *, source: str) -> Any:
    """The value at a dotted path; a TargetError naming the step that is missing."""
    found = answer
    for depth, part in enumerate(path):
        here = ".".join(path[:depth]) or "the top level"
        if isinstance(found, dict) and part in found:
            found = found[part]
        elif isinstance(found, list) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        else:
            what = f"keys {sorted(found)[:10]}" if isinstance(found, dict) else \
                f"a list of {len(found)}" if isinstance(found, list) else type(found).__name__
            raise TargetError(f"{source}: the answer has no {'.'.join(path)!r} ({part!r} not found at {here}, "
                              f"which has {what})", retryable=False)
    if found is None:
        raise TargetError(f"{source}: the answer's {'.'.join(path)!r} is null", retryable=False)
    return found


def from_spec(rest: str, *, transport: Transport, options: dict[str, Any]) -> HttpTarget:
    try:
        url = URL(rest)
    except (ValueError, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise InvalidInput(f"'http:{rest}' needs an http(s) URL after 'http:'", hint=USAGE)
    check_options("http", options, _OPTIONS)
    template = options.get("request")
    if isinstance(template, str):
        try:
            template = orjson.loads(template)
        except orjson.JSONDecodeError as error:
            raise InvalidInput(f"the http target's request template is not JSON: {error}", hint=USAGE) from None
    if template is not None and not isinstance(template, dict):
        raise InvalidInput("the http target's request template must be a JSON object", hint=USAGE)
    unknown = sorted({name for name in _placeholders(template) if name not in PLACEHOLDERS})
    if unknown:
        raise InvalidInput(f"unknown placeholder{'s' if len(unknown) > 1 else ''} in the http request template: "
                           + ", ".join("{{" + name + "}}" for name in unknown),
                           hint="placeholders: " + ", ".join("{{" + name + "}}" for name in PLACEHOLDERS))
    response = options.get("response")
    if response is not None and (not isinstance(response, str) or not response.strip()):
        raise InvalidInput("the http target's response option must be a dotted path such as data.answer")
    headers = options.get("headers")
    if headers is not None and not (isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())):
        raise InvalidInput("the http target's headers option must map header names to strings")
    return HttpTarget(rest, transport=transport, request=template, response=response, headers=headers,
                      api_key_env=options.get("api_key_env"))


def _placeholders(template: Any) -> list[str]:
    if isinstance(template, str):
        return _PLACEHOLDER.findall(template)
    if isinstance(template, dict):
        return [name for value in template.values() for name in _placeholders(value)]
    if isinstance(template, list):
        return [name for value in template for name in _placeholders(value)]
    return []


def _path(response: str) -> list[str]:
    parts = response.strip().split(".")
    if any(not part for part in parts):
        raise InvalidInput(f"the response path {response!r} has an empty part", hint="e.g. choices.0.message.content")
    return parts


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


__all__ = ["PLACEHOLDERS", "HttpTarget", "from_spec", "render", "resolve"]
