"""The scorer registry: a name -> (parameter model, function) table that suites refer to
by `type`, plus the one place that runs a scorer.

Parameters are checked when a suite is loaded (`check_spec`), so a typo fails the push,
not the 4000th scenario of a run. Running (`run_scorer`) never raises for a scorer's own
failure: an exception or a nonsense return value becomes an undecided `Score`
(`passed=None`), which the runner reports as inconclusive, never as a pass.

Third-party scorers register with the `@scorer` decorator in a module named by an entry
point in the group "honing.scorers"; those modules are imported once, on first lookup.
"""

from __future__ import annotations

import dataclasses
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from honing._errors import InvalidInput, Problem
from honing.evaluate._model import Output, Scenario, Score, ScorerSpec

ENTRY_POINT_GROUP = "honing.scorers"
Judge = Callable[[str, list[dict[str, Any]]], Awaitable[str]]


class ScorerParams(BaseModel):
    """Base of parameter models: unknown keys are errors (a misspelt `case_sensitve` must
    not be silently ignored), and numbers are accepted where text is expected, because
    YAML reads `value: 42` as a number."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


@dataclass
class ScoringContext:
    """What scorers may need beyond the scenario and output; the runner provides it.

    `judge(target_spec, openai_style_messages)` returns the judge model's reply text."""

    judge: Judge | None = None


@dataclass(frozen=True)
class ScorerInfo:
    name: str
    params: type[BaseModel]
    fn: Callable[..., Score | Awaitable[Score]]  # fn(scenario, output, params, context)
    description: str


_REGISTRY: dict[str, ScorerInfo] = {}
_PLUGIN_ERRORS: dict[str, str] = {}
_plugins_loaded = False
_lock = threading.RLock()  # a plugin may look scorers up while it is being loaded


def scorer(name: str, params: type[BaseModel]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn(scenario, output, params, context) -> Score` (sync or async) as `name`."""
    if params.model_config.get("extra") != "forbid":
        raise TypeError(f"scorer {name!r}: its parameter model must forbid extra keys (extra='forbid')")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in _REGISTRY:
            raise ValueError(f"a scorer named {name!r} is already registered")
        doc = inspect.getdoc(fn) or ""
        _REGISTRY[name] = ScorerInfo(name=name, params=params, fn=fn, description=doc.split("\n\n")[0])
        return fn

    return register


def _load_plugins() -> None:
    # Once per process; a broken plugin must not break the built-in scorers, so its error
    # is kept and shown when someone asks for a name that is not there.
    global _plugins_loaded
    with _lock:
        if _plugins_loaded:
            return
        _plugins_loaded = True
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            try:
                entry_point.load()
            except Exception as error:
                _PLUGIN_ERRORS[entry_point.name] = f"{type(error).__name__}: {error}"


def scorer_names() -> list[str]:
    _load_plugins()
    return sorted(_REGISTRY)


def get_scorer(name: str) -> ScorerInfo:
    _load_plugins()
    found = _REGISTRY.get(name)
    if found is None:
        broken = "; ".join(f"plugin {k!r} failed to load ({v})" for k, v in sorted(_PLUGIN_ERRORS.items()))
        raise InvalidInput(
            f"unknown scorer {name!r}",
            problems=[Problem(f"unknown scorer {name!r}", field="type",
                              hint=f"known scorers: {', '.join(sorted(_REGISTRY))}")],
            hint=broken or None)
    return found


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def check_spec(spec: ScorerSpec, *, where: str = "") -> BaseModel:
    """The spec's parameters, validated by its scorer's model. Raises InvalidInput whose
    problems name each bad field (`expected[0].name`) and whose message names `where`."""
    prefix = f"{where}: " if where else ""
    try:
        info = get_scorer(spec.type)
    except InvalidInput as error:
        raise InvalidInput(prefix + error.message, problems=error.problems, hint=error.hint) from None
    try:
        return info.params.model_validate(spec.params)
    except ValidationError as error:
        problems = [Problem(_message(e), field=_field_path(tuple(e["loc"])) or None) for e in error.errors()]
        raise InvalidInput(f"{prefix}invalid parameters for scorer {spec.type!r}", problems=problems) from None


def _message(error: Any) -> str:
    message = str(error["msg"])
    # Pydantic prefixes errors raised by our validators with "Value error, ".
    return message.removeprefix("Value error, ")


_PARAMS_CACHE: dict[tuple[str, bytes], BaseModel] = {}


def _params(spec: ScorerSpec) -> BaseModel:
    # Defaults make every scenario share a spec; validating once (compiling its regex or
    # schema once) keeps large runs fast. Models are frozen, so sharing them is safe.
    try:
        key = (spec.type, orjson.dumps(spec.params, option=orjson.OPT_SORT_KEYS))
    except TypeError:
        return check_spec(spec)
    found = _PARAMS_CACHE.get(key)
    if found is None:
        if len(_PARAMS_CACHE) >= 1024:
            _PARAMS_CACHE.clear()
        found = _PARAMS_CACHE[key] = check_spec(spec)
    return found


async def run_scorer(spec: ScorerSpec, scenario: Scenario, output: Output, context: ScoringContext) -> Score:
    """The spec's verdict on `output`. Never raises for a scorer's failure."""
    try:
        params = _params(spec)
    except InvalidInput as error:
        return Score(spec.label, None, None, error=str(error))
    try:
        result = get_scorer(spec.type).fn(scenario, output, params, context)
        if inspect.isawaitable(result):
            result = await result
    except Exception as error:
        return Score(spec.label, None, None, error=f"scorer raised {type(error).__name__}: {error}")
    if not isinstance(result, Score):
        return Score(spec.label, None, None, error=f"scorer returned {type(result).__name__}, not a Score")
    if result.passed is None and not result.error:
        # An undecided verdict must say why, or it reads like a silent skip.
        result = dataclasses.replace(result, error="scorer could not decide (it gave no reason)")
    return dataclasses.replace(result, scorer=spec.label)


def verdict(ok: bool, explanation: str = "", *, value: float | None = None, **details: Any) -> Score:
    """A decided score (value 1/0 unless given); `run_scorer` fills in the scorer label."""
    return Score("", (1.0 if ok else 0.0) if value is None else value, ok, explanation, details=details)


def undecided(error: str, explanation: str = "", **details: Any) -> Score:
    """The scorer could not decide: never a pass, and the error says why."""
    return Score("", None, None, explanation, error=error, details=details)


def preview(text: str | None, limit: int = 80) -> str:
    """A short quote of the text for explanations."""
    if text is None:
        return "(no text)"
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")
