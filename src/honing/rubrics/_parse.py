"""Rubric files: YAML in, a validated `Rubric` out, or errors that name file, line and
field (the mapping of problems to lines is `honing._config_files`)."""

from __future__ import annotations

from typing import Any

from honing._config_files import json_schema, parse_yaml_model
from honing.rubrics._questions import QUESTION_TYPES
from honing.rubrics._rubric import Rubric

_HINTS = {
    "union_tag_invalid": f"type must be one of: {', '.join(QUESTION_TYPES)}",
    "union_tag_not_found": f"add 'type', one of: {', '.join(QUESTION_TYPES)}",
}


def _clean_loc(loc: tuple[Any, ...]) -> list[Any]:
    # A discriminated union puts the tag into the path (questions, 2, likert, scale); the
    # file has no such key, so drop it.
    out: list[Any] = []
    for part in loc:
        if (isinstance(part, str) and part in QUESTION_TYPES and len(out) >= 2
                and out[-2] == "questions" and isinstance(out[-1], int)):
            continue
        out.append(part)
    return out


def _message(error: dict[str, Any]) -> str | None:
    if error["type"] == "union_tag_invalid":
        return f"unknown question type {error.get('ctx', {}).get('tag')!r}"
    return None


def parse_rubric(text: str, *, source: str = "rubric.yaml") -> Rubric:
    """Parse and validate a rubric written in YAML; raise `InvalidInput` naming each problem's
    file (`source`), line and dotted field path."""
    return parse_yaml_model(
        text, Rubric, source=source, kind="rubric", clean_loc=_clean_loc, message=_message,
        hints=_HINTS, schema_hint="the JSON Schema of rubric files: honing.rubrics.rubric_json_schema()",
        empty_hint="a rubric needs name, title, instructions and questions")


def rubric_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of rubric files, for editors and CI checks."""
    return json_schema(Rubric, "Honing rubric")
