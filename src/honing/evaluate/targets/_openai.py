"""`openai:MODEL`: any OpenAI-compatible chat completions server (OpenAI, vLLM, Ollama,
llama.cpp, LiteLLM, the mock server).

    openai:gpt-4o-mini?temperature=0&max_tokens=256
    openai:mock?base_url=http://127.0.0.1:8000/v1&api_key_env=LOCAL_KEY

Settings come from the spec's query string and from `options` (options win). `base_url`
(default https://api.openai.com/v1), `api_key_env` (the environment variable holding the
key, default OPENAI_API_KEY; the key itself is never part of a spec, which is stored with
the run) and `headers` (extra HTTP headers, options only) say where and how to connect;
every other setting (temperature, max_tokens, top_p, seed, stop, response_format...) is a
generation parameter sent in the request body. Query values are read as JSON when they
parse (`0` is a number, `true` a boolean, `["\\n"]` a list), else as text.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import orjson
from yarl import URL

from honing._errors import InvalidInput
from honing.evaluate.targets._base import (
    TargetError,
    TargetReply,
    TargetRequest,
    assistant_message,
    messages_json,
    tools_json,
)

if TYPE_CHECKING:
    from honing.evaluate._transport import Transport

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
USAGE = "openai:MODEL[?base_url=URL&api_key_env=VAR&temperature=0&max_tokens=256]"
_CONNECTION = ("base_url", "api_key_env", "headers")
_GUESSED_COMPLETION_TOKENS = 256  # for the tokens-per-minute estimate when max_tokens is unset


class OpenAITarget:
    name = "openai"

    def __init__(self, model: str, *, transport: Transport, base_url: str = DEFAULT_BASE_URL,
                 api_key_env: str = DEFAULT_KEY_ENV, headers: dict[str, str] | None = None,
                 generation: dict[str, Any] | None = None):
        self.model = model
        self.base_url = _check_base_url(base_url)
        self.url = self.base_url.rstrip("/") + "/chat/completions"
        self.generation = dict(generation or {})
        for reserved in ("model", "messages", "tools", "stream"):
            if reserved in self.generation:
                raise InvalidInput(f"'{reserved}' cannot be set as a parameter of an openai target",
                                   hint="the model is the part after 'openai:'; streaming is not supported"
                                   if reserved in ("model", "stream") else None)
        self.params: dict[str, Any] = {"model": model, **self.generation}
        self.spec = _canonical(model, self.base_url, api_key_env, self.generation)
        self._transport = transport
        self._headers = {str(k): str(v) for k, v in (headers or {}).items()}
        key = os.environ.get(api_key_env)
        if key:
            self._headers["Authorization"] = f"Bearer {key}"
        elif URL(self.base_url).host == "api.openai.com":
            raise InvalidInput(f"no API key: the environment variable {api_key_env} is not set",
                               hint=f"export {api_key_env}=... (or name another variable with api_key_env=VAR)")
        self._source = f"openai target {model!r}"

    async def generate(self, request: TargetRequest) -> TargetReply:
        body: dict[str, Any] = {"model": self.model, "messages": messages_json(request.messages),
                                **self.generation}
        if request.tools:
            body["tools"] = tools_json(request.tools)
        expected = self._estimate(request) if self._transport.limits_tokens else 0
        answer, latency_ms = await self._transport.post_json(self.url, body, headers=self._headers or None,
                                                             expected_tokens=expected)
        return parse_chat_completion(answer, latency_ms=latency_ms, source=self._source)

    def _estimate(self, request: TargetRequest) -> int:
        # ~4 characters a token, plus the completion budget, as OpenAI itself counts a
        # request against the tokens-per-minute limit; corrected from `usage` afterwards.
        prompt = sum(len(m.text) for m in request.messages) // 4 + 1
        budget = self.generation.get("max_tokens") or self.generation.get("max_completion_tokens")
        return prompt + (budget if isinstance(budget, int) else _GUESSED_COMPLETION_TOKENS)

    async def aclose(self) -> None:
        return None  # the transport is the run's, closed by the runner


def parse_chat_completion(answer: dict[str, Any], *, latency_ms: float, source: str) -> TargetReply:
    """A chat completion response as a TargetReply: choices[0].message and usage."""
    choices = answer.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    if not isinstance(first, dict) or not isinstance(first.get("message"), dict):
        error = answer.get("error")
        detail = error.get("message") if isinstance(error, dict) else None
        text = detail or orjson.dumps(answer)[:300].decode("utf-8", "replace")
        raise TargetError(f"{source} answered without choices[0].message: {text}", retryable=False)
    usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
    model = answer.get("model")
    return TargetReply(message=assistant_message(first["message"], source=source),
                       prompt_tokens=_count(usage.get("prompt_tokens")),
                       completion_tokens=_count(usage.get("completion_tokens")),
                       latency_ms=latency_ms, model=model if isinstance(model, str) else None)


def from_spec(rest: str, *, transport: Transport, options: dict[str, Any]) -> OpenAITarget:
    model, _, query = rest.partition("?")
    model = model.strip()
    if not model or any(c.isspace() for c in model):
        raise InvalidInput(f"'openai:{rest}' needs a model name without spaces after 'openai:'", hint=USAGE)
    settings = {**parse_query(query, kind="openai"), **options}
    if "api_key" in settings:
        raise InvalidInput("an API key cannot be part of a target spec or its options (they are stored "
                           "with the run)", hint="put the key in an environment variable and name it "
                           "with api_key_env=VAR")
    headers = settings.pop("headers", None)
    if headers is not None and not (isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())):
        raise InvalidInput("the openai target's 'headers' option must map header names to strings")
    base_url = settings.pop("base_url", DEFAULT_BASE_URL)
    key_env = settings.pop("api_key_env", DEFAULT_KEY_ENV)
    if not isinstance(base_url, str) or not isinstance(key_env, str) or not key_env:
        raise InvalidInput("base_url and api_key_env must be text", hint=USAGE)
    return OpenAITarget(model, transport=transport, base_url=base_url, api_key_env=key_env, headers=headers,
                        generation=settings)


def parse_query(query: str, *, kind: str) -> dict[str, Any]:
    """`a=1&b=x` as {"a": 1, "b": "x"}; values that parse as JSON are JSON."""
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InvalidInput(f"the {kind} target's settings {query!r} are not NAME=VALUE pairs joined by '&'",
                           hint=USAGE) from None
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise InvalidInput(f"the {kind} target setting {name!r} is given twice", hint=USAGE)
        found[name] = _value(value)
    return found


def _value(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _check_base_url(base_url: str) -> str:
    try:
        url = URL(base_url)
    except (ValueError, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise InvalidInput(f"base_url {base_url!r} is not an http(s) URL", hint="e.g. base_url=http://127.0.0.1:8000/v1")
    return base_url


def _canonical(model: str, base_url: str, key_env: str, generation: dict[str, Any]) -> str:
    """The spec with every setting that changes answers, sorted, so equal targets have
    equal specs (headers and the key are left out: they may hold secrets)."""
    settings: dict[str, str] = {}
    if base_url != DEFAULT_BASE_URL:
        settings["base_url"] = base_url
    if key_env != DEFAULT_KEY_ENV:
        settings["api_key_env"] = key_env
    for name, value in generation.items():
        settings[name] = value if isinstance(value, str) else orjson.dumps(value).decode()
    if not settings:
        return f"openai:{model}"
    return f"openai:{model}?" + urlencode(sorted(settings.items()), safe="/:[]{},\"")


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


__all__ = ["OpenAITarget", "from_spec", "parse_chat_completion", "parse_query"]
