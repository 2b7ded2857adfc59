"""One expected tool call, and whether one actual call satisfies it.

Argument modes (`match`):
- "exact": the call has exactly the expected argument keys (plus those with a matcher),
  with equal values;
- "subset": the expected keys are present with equal values; nested objects are compared
  as subsets too, lists exactly;
- "schema": the arguments are valid against the tool's JSON schema (`scenario.tools`), and
  `arguments`, when given, are a subset.
Without `arguments`, only the name, matchers and (for "schema") the schema are checked.

Values compare as JSON values: 1 equals 1.0, but `true` never equals 1 (Python would say
it does). Per-argument matchers take exactly one of `equals`, `regex` (`re.search`; anchor
with ^...$), `contains` (substring, case-insensitive, or list element), `one_of`,
`range: [lo, hi]` (inclusive, null for open) or `any: true` (present, any value).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import orjson
from jsonschema import Draft202012Validator
from pydantic import Field, field_validator, model_validator

from honing.evaluate.scorers._json import loads
from honing.evaluate.scorers._registry import ScorerParams

_KINDS = ("equals", "regex", "contains", "one_of", "range", "any")


def json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def show(value: Any, limit: int = 60) -> str:
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ArgumentMatcher(ScorerParams):
    equals: Any = None
    regex: str | None = None
    contains: Any = None
    one_of: list[Any] | None = None
    range: tuple[float | None, float | None] | None = None
    any: Literal[True] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ArgumentMatcher:
        given = [k for k in _KINDS if k in self.model_fields_set]
        if len(given) != 1:
            raise ValueError(f"an argument matcher takes exactly one of {', '.join(_KINDS)} "
                             f"(got {given or 'none'})")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as error:
                raise ValueError(f"invalid regular expression {self.regex!r}: {error}") from None
        if self.range is not None and None not in self.range and self.range[0] > self.range[1]:  # type: ignore[operator]
            raise ValueError(f"range {list(self.range)} is empty (low above high)")
        return self

    def check(self, value: Any) -> str | None:
        """None when `value` passes, else why not."""
        kind = next(k for k in _KINDS if k in self.model_fields_set)
        if kind == "equals":
            ok = json_equal(self.equals, value)
        elif kind == "regex":
            ok = isinstance(value, str | int | float) and not isinstance(value, bool) \
                and re.search(str(self.regex), str(value)) is not None
        elif kind == "contains":
            if isinstance(value, str):
                ok = str(self.contains).casefold() in value.casefold()
            else:
                ok = isinstance(value, list) and any(json_equal(self.contains, v) for v in value)
        elif kind == "one_of":
            ok = any(json_equal(option, value) for option in self.one_of or [])
        elif kind == "range":
            low, high = self.range or (None, None)
            ok = isinstance(value, int | float) and not isinstance(value, bool) \
                and (low is None or value >= low) and (high is None or value <= high)
        else:
            return None
        return None if ok else f"{kind} {show(getattr(self, kind))} failed for {show(value)}"


class ExpectedCall(ScorerParams):
    name: Annotated[str, Field(min_length=1)]
    arguments: dict[str, Any] | None = None
    match: Literal["exact", "subset", "schema"] = "exact"
    argument_matchers: dict[str, ArgumentMatcher] = Field(default_factory=dict)

    @field_validator("arguments", mode="before")
    @classmethod
    def _parse_string(cls, value: Any) -> Any:
        # Expected arguments may be written the way OpenAI sends them: as a JSON string.
        if isinstance(value, str):
            try:
                value = loads(value)
            except ValueError as error:
                raise ValueError(f"arguments string is not valid JSON: {error}") from None
            if not isinstance(value, dict):
                raise ValueError("arguments string must hold a JSON object")
        return value


def describe(expected: ExpectedCall) -> str:
    text = expected.name + (f"({show(expected.arguments)})" if expected.arguments is not None else "")
    if expected.argument_matchers:
        text += f" with matchers on {', '.join(sorted(expected.argument_matchers))}"
    return text + ("" if expected.match == "exact" else f" [{expected.match}]")


def parse_arguments(raw: str) -> tuple[dict[str, Any] | None, str | None]:
    """(arguments, None), or (None, why the string is not a JSON object)."""
    try:
        value = loads(raw or "{}")
    except ValueError as error:
        return None, f"arguments are not valid JSON ({error}): {show(raw)}"
    if not isinstance(value, dict):
        return None, f"arguments are not a JSON object: {show(raw)}"
    return value, None


def _subset_diff(expected: Any, actual: Any, path: str) -> str | None:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path or 'arguments'}: expected an object, got {show(actual)}"
        for key, value in expected.items():
            where = f"{path}.{key}" if path else key
            if key not in actual:
                return f"argument {where!r} missing"
            diff = _subset_diff(value, actual[key], where)
            if diff:
                return diff
        return None
    return None if json_equal(expected, actual) else f"argument {path!r}: expected {show(expected)}, got {show(actual)}"


def mismatch(expected: ExpectedCall, name: str, parsed: tuple[dict[str, Any] | None, str | None],
             schema: Draft202012Validator | None) -> str | None:
    """None when the call satisfies the expectation, else the first reason it does not."""
    if name != expected.name:
        return f"called {name!r}, not {expected.name!r}"
    arguments, problem = parsed
    if arguments is None:
        return problem
    if expected.match == "schema" and schema is not None:
        error = next(iter(sorted(schema.iter_errors(arguments), key=lambda e: list(map(str, e.path)))), None)
        if error is not None:
            return f"arguments do not fit the tool's schema at {error.json_path}: {error.message}"
    if expected.arguments is not None:
        if expected.match == "exact":
            matched = set(expected.argument_matchers)
            missing = sorted(set(expected.arguments) - set(arguments))
            unexpected = sorted(set(arguments) - set(expected.arguments) - matched)
            if missing:
                return f"argument(s) {missing} missing"
            if unexpected:
                return f"unexpected argument(s) {unexpected}"
            for key, value in expected.arguments.items():
                if not json_equal(value, arguments[key]):
                    return f"argument {key!r}: expected {show(value)}, got {show(arguments[key])}"
        else:
            diff = _subset_diff(expected.arguments, arguments, "")
            if diff:
                return diff
    for key, matcher in expected.argument_matchers.items():
        if key not in arguments:
            return f"argument {key!r} missing"
        reason = matcher.check(arguments[key])
        if reason:
            return f"argument {key!r}: {reason}"
    return None
