"""Turn a raw record (nested JSON, or a flat CSV/Parquet row) into a validated Item."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from honing._errors import Problem
from honing.domain import Item

# Fields a record may carry; anything else is kept, not dropped, under metadata.
_ITEM_FIELDS = ("messages", "context", "tools", "responses", "metadata")
# Flat conveniences for tabular sources.
_FLAT_FIELDS = ("id", "external_id", "system", "prompt", "response", "model", "model_version",
                "prompt_version")
# What --map may name (besides metadata.KEY), in the order the help lists them.
MAPPABLE_FIELDS = (*_FLAT_FIELDS, *_ITEM_FIELDS)
# Columns that hold JSON text in CSV (and may in Parquet).
_JSON_FIELDS = ("messages", "context", "tools", "responses", "metadata")

_HINTS = {
    "missing": "add this field",
    "extra_forbidden": "remove it, or move it under 'metadata'",
    "string_type": "give a string",
    "list_type": "give a list",
    "dict_type": "give an object",
    "literal_error": "use one of the allowed values",
    "too_short": "it must not be empty",
    "union_tag_invalid": "use one of the allowed values",
}


def to_item(record: dict[str, Any], *, file: str, line: int | None, row: int | None) -> Item | list[Problem]:
    problems: list[Problem] = []

    def problem(message: str, field: str | None, hint: str | None = None) -> None:
        problems.append(Problem(message, file=file, line=line, row=row, field=field, hint=hint))

    body: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    for key, value in record.items():
        if key in _JSON_FIELDS and isinstance(value, str):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError as error:
                problem(f"holds text that is not valid JSON ({error})", key,
                        "write the column as a JSON document")
                continue
        if key in _ITEM_FIELDS:
            body[key] = value
        elif key.startswith("metadata."):
            metadata[key.removeprefix("metadata.")] = value
        elif key not in _FLAT_FIELDS:
            metadata[key] = value
    if problems:
        return problems

    explicit = body.get("metadata", {})
    # An explicit metadata object wins over loose columns of the same name.
    body["metadata"] = {**metadata, **explicit} if isinstance(explicit, dict) else explicit
    external_id = record.get("external_id", record.get("id"))
    if external_id is not None:
        body["external_id"] = str(external_id)
    if "messages" not in body and "prompt" in record:
        body["messages"] = ([{"role": "system", "content": record["system"]}] if "system" in record else [])
        body["messages"].append({"role": "user", "content": record["prompt"]})
    if "responses" not in body and "response" in record:
        body["responses"] = [{k: record[k] for k in ("model", "model_version", "prompt_version")
                              if k in record} | {"content": record["response"]}]
    if "messages" not in body:
        problem("the record has no conversation", "messages",
                "give 'messages' (a list of chat messages) or, for tables, a 'prompt' column "
                "(use --map prompt=COLUMN to name yours)")
        return problems

    nul = _nul_path(body)
    if nul is not None:
        problem("contains a NUL character (\\u0000), which PostgreSQL cannot store", nul,
                "remove it")
        return problems

    try:
        return Item.model_validate(body)
    except ValidationError as error:
        # A union (content: text or parts) fails once per member at the same place;
        # say it once: "Input should be a valid string or a valid list".
        grouped: dict[str, list[dict[str, Any]]] = {}
        for detail in error.errors():
            grouped.setdefault(_field_path(detail["loc"]), []).append(detail)
        for path, details in grouped.items():
            messages = list(dict.fromkeys(d["msg"].removeprefix("Value error, ") for d in details))
            if len(messages) > 1 and all(m.startswith("Input should be ") for m in messages):
                messages = ["Input should be " + " or ".join(
                    m.removeprefix("Input should be ") for m in messages)]
            problem("; ".join(messages), path, _HINTS.get(details[0]["type"]))
        return problems


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where the first NUL character is, in keys or values, as a field path."""
    if isinstance(value, str):
        return (path or "(record)") if "\x00" in value else None
    if isinstance(value, dict):
        for key, child in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_path(child, here)
            if found:
                return found
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = _nul_path(child, f"{path}[{index}]")
            if found:
                return found
    return None


def _field_path(loc: tuple[Any, ...]) -> str:
    """('messages', 2, 'tool_calls', 0, 'function', 'name') -> 'messages[2].tool_calls[0].function.name'.
    Pydantic adds union-member names (e.g. 'str', 'list[...]') to locations; they are dropped."""
    path = ""
    previous = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif any(c in part for c in "[(-") or part in {"str", "int", "float", "bool"}:
            continue
        elif part != previous:  # a discriminated union repeats its tag: content[0].text.text
            path += f".{part}" if path else part
        previous = part
    return path or "(record)"
