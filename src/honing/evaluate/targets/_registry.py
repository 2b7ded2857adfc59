"""Target specs: `KIND:REST`, as given to `honing eval run --target`.

    openai:gpt-4o-mini?temperature=0&max_tokens=256     an OpenAI-compatible server
    http:https://app.internal/chat                       your endpoint (options: request, response)
    python:my_app.eval:answer                            a function of yours
    replay:outputs.jsonl                                 recorded outputs
    transformers:./models/qwen2.5-0.5b                   a local Hugging Face model

`options` (a dict, e.g. from a run's configuration) adds to or overrides what the spec
says; each kind refuses options it does not know, so a typo is an error, not a default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from honing._errors import InvalidInput
from honing.evaluate.targets import _http, _openai, _python, _replay, _transformers
from honing.evaluate.targets._base import Target

if TYPE_CHECKING:
    from honing.evaluate._transport import Transport

USAGE: dict[str, str] = {
    "openai": _openai.USAGE,
    "http": _http.USAGE,
    "python": _python.USAGE,
    "replay": "replay:PATH.jsonl (one recorded output a line)",
    "transformers": "transformers:PATH (a local Hugging Face model directory)",
}
KINDS: tuple[str, ...] = tuple(USAGE)

_Factory = Callable[[str, "Transport", dict[str, Any]], Target]
_FACTORIES: dict[str, _Factory] = {
    "openai": lambda rest, transport, options: _openai.from_spec(rest, transport=transport, options=options),
    "http": lambda rest, transport, options: _http.from_spec(rest, transport=transport, options=options),
    "python": lambda rest, transport, options: _python.from_spec(rest, options=options),
    "replay": lambda rest, transport, options: _replay.from_spec(rest, options=options),
    "transformers": lambda rest, transport, options: _transformers.from_spec(rest, options=options),
}


def make_target(spec: str, *, transport: Transport, options: dict[str, Any] | None = None) -> Target:
    """The target a spec names. Raises InvalidInput saying what is wrong with the spec."""
    known = ", ".join(KINDS)
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidInput("the target spec is empty", hint=f"write KIND:..., e.g. openai:gpt-4o-mini (kinds: {known})")
    spec = spec.strip()
    kind, colon, rest = spec.partition(":")
    if not colon:
        raise InvalidInput(f"the target spec {spec!r} has no kind", hint=f"write KIND:..., e.g. openai:{spec} "
                           f"(kinds: {known})")
    kind = kind.strip().lower()
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise InvalidInput(f"unknown target kind {kind!r} in {spec!r}", hint=f"known kinds: {known}")
    if not rest.strip():
        raise InvalidInput(f"the target spec {spec!r} has nothing after '{kind}:'", hint=USAGE[kind])
    if options is not None and not isinstance(options, dict):
        raise InvalidInput("target options must be a mapping of names to values")
    return factory(rest, transport, dict(options or {}))


__all__ = ["KINDS", "USAGE", "make_target"]
