"""Config files (rubrics, suites, gate policies...): YAML in, a validated Pydantic model
out, or errors that name file, line and field.

Pydantic reports where a problem is as a path (`questions, 2, likert, scale, 0, anchor`);
people edit lines. The YAML node graph (`yaml.compose`) keeps the line of every key and
value, so each problem is mapped to the line of the deepest node on its path that exists:
a missing `anchor` is reported at the scale point that lacks it.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from honing._errors import InvalidInput, Problem

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
HINTS = {
    "missing": "add it",
    "extra_forbidden": "remove it or fix its spelling",
    "string_type": "quote the value: YAML reads yes/no/on/off as booleans and bare numbers "
                   "as numbers",
    "int_type": "write a whole number without quotes",
    "string_pattern_mismatch": "use lowercase letters, digits and '_', starting with a letter",
    "too_short": "add at least one entry",
    "literal_error": "use one of the listed values",
}
M = TypeVar("M", bound=BaseModel)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """('questions', 2, 'scale', 0, 'anchor') -> 'questions[2].scale[0].anchor'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def loc_from_path(path: str | None) -> list[Any]:
    if not path:
        return []
    return [int(p[1:-1]) if p.startswith("[") else p
            for p in re.findall(r"\[\d+\]|[^.\[\]]+", path)]


def _line_of(root: yaml.Node | None, loc: list[Any]) -> int | None:
    """1-based line of the deepest node of `loc` present in the YAML graph."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value
                          if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            if match is None:
                break
            node, line = match[1], match[0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _duplicate_keys(node: yaml.Node, path: list[Any], seen_nodes: set[int]) -> list[Problem]:
    # PyYAML keeps the last of two equal keys without a word; in a rubric that silently
    # drops an anchor or an option, so it is an error in every config file.
    if id(node) in seen_nodes:
        return []
    seen_nodes.add(id(node))
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys:
                    problems.append(Problem(
                        f"key {key.value!r} appears twice", line=key.start_mark.line + 1,
                        field=field_path([*path, key.value]), hint="keep one of them"))
                keys.add(key.value)
                problems += _duplicate_keys(value, [*path, key.value], seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, [*path, index], seen_nodes)
    return problems


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold: unwraps Annotated, unions and Optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def _list_item(annotation: Any) -> Any:
    for arg in (typing.get_args(annotation) if typing.get_origin(annotation) is typing.Annotated
                else (annotation,)):
        if typing.get_origin(arg) in (typing.Union, types.UnionType):
            return next((_list_item(a) for a in typing.get_args(arg) if a is not type(None)), None)
        if typing.get_origin(arg) is list:
            return typing.get_args(arg)[0]
    return None


def _allowed_keys(root_model: type[BaseModel], data: Any, loc: list[Any]) -> list[str] | None:
    """The keys the mapping holding `loc[-1]` may have, for "unknown key" hints."""
    model: type[BaseModel] | None = root_model
    annotation: Any = None
    for part in loc[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(part, str):
            if model is None or part not in model.model_fields:
                return None
            annotation = model.model_fields[part].annotation
        else:
            annotation = _list_item(annotation)
        candidates = _models_in(annotation)
        # A tagged union (a rubric question): pick the model whose `type` literal matches.
        tag = data.get("type") if isinstance(data, dict) else None
        matching = [m for m in candidates if "type" in m.model_fields
                    and typing.get_args(m.model_fields["type"].annotation) == (tag,)]
        model = matching[0] if matching else candidates[0] if len(candidates) == 1 else None
    return list(model.model_fields) if model else None


def parse_yaml_model(text: str, model: type[M], *, source: str, kind: str, schema_hint: str,
                     clean_loc: Callable[[tuple[Any, ...]], list[Any]] = list,
                     message: Callable[[dict[str, Any]], str | None] = lambda error: None,
                     hints: dict[str, str] | None = None, empty_hint: str = "") -> M:
    """Parse YAML `text` into `model`; raise `InvalidInput` naming each problem's file
    (`source`), line and dotted field path. `kind` names the file kind in messages
    ("rubric", "suite"); `clean_loc` and `message` adapt Pydantic's paths and wording."""
    hints = {**HINTS, **(hints or {})}

    def fail(problems: list[Problem]) -> InvalidInput:
        return InvalidInput(f"{source}: the {kind} is not valid ({len(problems)} problem"
                            f"{'s' if len(problems) != 1 else ''})", problems=problems, hint=schema_hint)

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail([Problem(
            f"not valid YAML: {problem}", file=source,
            line=mark.line + 1 if mark is not None else None,
            hint="check indentation, colons and quotes on this line or the one above")]) from None
    if root is None:
        raise fail([Problem("the file is empty", file=source, line=1, hint=empty_hint or None)])
    duplicates = _duplicate_keys(root, [], set())
    if duplicates:
        raise fail([Problem(p.message, file=source, line=p.line, field=p.field, hint=p.hint)
                    for p in duplicates])
    if not isinstance(data, dict):
        raise fail([Problem(f"a {kind} file is a mapping of keys to values", file=source,
                            line=root.start_mark.line + 1,
                            hint="start with `name: ...` at the left margin")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = clean_loc(tuple(error["loc"]))
            if error["type"].startswith("union_tag_"):
                loc.append("type")  # the problem is the tagged entry's `type` key
            problems.append(Problem(message(error) or _message(error), file=source,
                                    line=_line_of(root, loc), field=field_path(loc),
                                    hint=_hint(model, error, loc, data, hints)))
        raise fail(problems) from None
    except InvalidInput as exc:
        problems = [Problem(p.message, file=source, line=_line_of(root, loc_from_path(p.field)),
                            field=p.field, hint=p.hint) for p in exc.problems]
        raise fail(problems) from None


def _hint(model: type[BaseModel], error: dict[str, Any], loc: list[Any], data: Any,
          hints: dict[str, str]) -> str | None:
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, data, loc)
        if allowed:
            return f"remove it or fix its spelling; allowed here: {', '.join(allowed)}"
    if error["type"] == "string_pattern_mismatch" and loc == ["name"]:
        return "use up to 64 lowercase letters, digits, '.', '_' or '-'"
    return hints.get(error["type"])


def _message(error: dict[str, Any]) -> str:
    last = next((p for p in reversed(error["loc"]) if isinstance(p, str)), None)
    if error["type"] == "missing" and last:
        return f"'{last}' is missing"
    if error["type"] == "extra_forbidden" and last:
        return f"unknown key '{last}'"
    if error["type"] == "union_tag_not_found":
        return "'type' is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a config file kind, for editors and CI checks."""
    return {"$schema": SCHEMA_DIALECT, **model.model_json_schema(), "title": title}


def read_config_text(path: Path, kind: str) -> str:
    """The text of a config file, or InvalidInput saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {kind} file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text") from None
