"""Structured-output scorers: json_valid, json_schema, numeric.

JSON is parsed strictly (RFC 8259): NaN and Infinity, which Python's `json` would accept,
are errors, because a client in another language would reject them. With
`allow_fenced: true`, a response whose JSON sits in a Markdown code fence (```json ...```)
is accepted too: the first fenced block is parsed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import Field, field_validator

from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate.scorers._registry import ScorerParams, ScoringContext, preview, scorer, verdict

_FENCE = re.compile(r"```[ \t]*(?:json[c5]?)?[ \t]*\r?\n(.*?)```", re.DOTALL | re.IGNORECASE)
_MAX_ERRORS = 3


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str) -> Any:
    """Strict JSON: raises ValueError (json.JSONDecodeError is one) on anything else."""
    return json.loads(text, parse_constant=_reject_constant)


def parse_output(text: str | None, allow_fenced: bool) -> tuple[Any, str | None]:
    """(value, None) or (None, why it is not JSON)."""
    if text is None or not text.strip():
        return None, "the response has no text"
    try:
        return loads(text), None
    except ValueError as error:
        problem = str(error)
    if allow_fenced:
        fence = _FENCE.search(text)
        if fence is not None:
            try:
                return loads(fence.group(1)), None
            except ValueError as error:
                return None, f"the fenced block is not valid JSON: {error}"
    return None, f"not valid JSON: {problem}"


class JsonValidParams(ScorerParams):
    allow_fenced: bool = False


@scorer("json_valid", JsonValidParams)
def json_valid(scenario: Scenario, output: Output, params: JsonValidParams, context: ScoringContext) -> Score:
    """The response is one JSON document (or, with allow_fenced, holds one in a code fence)."""
    _, problem = parse_output(output.text, params.allow_fenced)
    return verdict(problem is None, problem or "valid JSON")


class JsonSchemaParams(ScorerParams):
    schema_: dict[str, Any] = Field(alias="schema")
    allow_fenced: bool = False

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            where = error.json_path if error.path else "$"
            raise ValueError(f"not a valid JSON Schema (Draft 2020-12) at {where}: {error.message}") from None
        return schema

    def validator(self) -> Draft202012Validator:
        # `format` is checked too (email, date-time, ...), since users who write it expect
        # it to mean something; formats whose checker library is missing are not checked.
        return Draft202012Validator(self.schema_, format_checker=Draft202012Validator.FORMAT_CHECKER)


@scorer("json_schema", JsonSchemaParams)
def json_schema(scenario: Scenario, output: Output, params: JsonSchemaParams, context: ScoringContext) -> Score:
    """The response is JSON valid against `schema` (Draft 2020-12); the explanation lists
    the first errors with their JSON paths."""
    value, problem = parse_output(output.text, params.allow_fenced)
    if problem is not None:
        return verdict(False, problem)
    errors = sorted(params.validator().iter_errors(value), key=lambda e: (list(map(str, e.path)), e.message))
    if not errors:
        return verdict(True, "valid against the schema")
    listed = [f"{e.json_path}: {e.message}" for e in errors[:_MAX_ERRORS]]
    more = f" (and {len(errors) - _MAX_ERRORS} more)" if len(errors) > _MAX_ERRORS else ""
    return verdict(False, "; ".join(listed) + more, errors=[{"path": e.json_path, "message": e.message}
                                                            for e in errors[:20]])


# A number as people write it: sign (also the Unicode minus), thousands separators, decimals, exponent.
_NUMBER = re.compile(r"(?<![\w.])[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?")


def first_number(text: str) -> float | None:
    for match in _NUMBER.finditer(text):
        token = match.group(0).replace(",", "").replace("\u2212", "-")
        if any(c.isdigit() for c in token.split("e")[0].split("E")[0]):
            try:
                return float(token)
            except ValueError:
                continue
    return None


def lookup(data: Any, path: str) -> tuple[Any, str | None]:
    """`data` at a dotted path ("order.items.0.price"; list indexes as numbers)."""
    for part in path.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.lstrip("-").isdigit() and -len(data) <= int(part) < len(data):
            data = data[int(part)]
        else:
            return None, f"the JSON has no field {path!r} (stopped at {part!r})"
    return data, None


class NumericParams(ScorerParams):
    value: float
    tolerance: Annotated[float, Field(ge=0)] = 0.0
    relative: bool = False
    field: Annotated[str, Field(min_length=1)] | None = None
    allow_fenced: bool = True


def _as_number(raw: Any) -> float | None:
    if isinstance(raw, bool):  # JSON true is not the number 1
        return None
    if isinstance(raw, int | float):
        return float(raw)
    return first_number(raw) if isinstance(raw, str) else None


@scorer("numeric", NumericParams)
def numeric(scenario: Scenario, output: Output, params: NumericParams, context: ScoringContext) -> Score:
    """The first number in the response (or the JSON `field`) is `value`, within `tolerance`
    (absolute, or a fraction of `value` when relative)."""
    if params.field is None:
        got = first_number(output.text or "")
        if got is None:
            return verdict(False, f"no number in {preview(output.text)}")
    else:
        data, problem = parse_output(output.text, params.allow_fenced)
        if problem is None:
            data, problem = lookup(data, params.field)
        if problem is not None:
            return verdict(False, problem)
        got = _as_number(data)
        if got is None:
            return verdict(False, f"field {params.field!r} is not a number: {preview(json.dumps(data))}")
    allowed = params.tolerance * abs(params.value) if params.relative else params.tolerance
    ok = math.isfinite(got) and abs(got - params.value) <= allowed + 1e-12 * max(1.0, abs(params.value))
    return verdict(ok, f"got {got:g}, expected {params.value:g} ± {allowed:g}", actual=got)
