"""Reading the JSONL files leads keep beside rubrics: gold or qualification items with their
answers, and model suggestions. Every line is checked before anything is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from honing._errors import InvalidInput, Problem
from honing.annotate._queues import GoldRecord
from honing.domain import Item
from honing.ingest import Located, read_records, to_item

MAX_PROBLEMS = 50
_T = TypeVar("_T")
_Line = TypeVar("_Line", bound=BaseModel)


class _ReferenceLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: dict[str, Any]
    answers: dict[str, Any]
    tolerances: dict[str, Any] = Field(default_factory=dict)


class _SuggestionLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(ge=1, le=2**62)
    question: str = Field(max_length=64)
    value: Any
    source: str = Field(max_length=200)
    score: float | None = None


_Convert = Callable[[_Line, Located], _T | list[Problem]]


def _read_lines(path: Path, model: type[_Line], convert: _Convert[_Line, _T]
                ) -> tuple[list[_T], list[int]]:
    """Every line of a JSONL file checked before anything is written; each value with its line."""
    values: list[_T] = []
    lines: list[int] = []
    problems: list[Problem] = []
    bad = 0
    for located in read_records(path, "jsonl"):
        try:
            result = [located.problem] if located.problem else convert(
                model.model_validate(located.record), located)
        except ValidationError as error:
            result = [Problem(d["msg"], file=located.file, line=located.line,
                              field=".".join(map(str, d["loc"])) or None) for d in error.errors()]
        if isinstance(result, list):
            bad += 1
            problems += result
        else:
            values.append(result)
            lines.append(located.line or 0)
    if problems:
        shown = "" if len(problems) <= MAX_PROBLEMS else f" (first {MAX_PROBLEMS} problems shown)"
        raise InvalidInput(f"{path.name}: {bad} invalid line(s); nothing was added{shown}",
                           problems=problems[:MAX_PROBLEMS],
                           hint="fix the lines named above and run the command again")
    if not values:
        raise InvalidInput(f"{path.name} holds no records", hint="each line is one JSON object")
    return values, lines


def gold_record(item: dict[str, Any], answers: dict[str, Any], tolerances: dict[str, Any], *,
                file: str | None = None, line: int | None = None,
                row: int | None = None) -> GoldRecord | list[Problem]:
    """A reference record, its item read exactly as `honing import` reads a record ("id" is
    its external id); problems name the field under `item.`."""
    read = to_item(item, file=file, line=line, row=row)
    if not isinstance(read, Item):
        return [replace(p, field="item" if p.field in (None, "(record)") else f"item.{p.field}")
                for p in read]
    return GoldRecord(read, answers, tolerances)


def _gold_record(line: _ReferenceLine, located: Located) -> GoldRecord | list[Problem]:
    return gold_record(line.item, line.answers, line.tolerances, file=located.file, line=located.line)


@contextmanager
def rows_as_lines(path: Path, lines: list[int],
                   fields: dict[str, str] | None = None) -> Iterator[None]:
    """The library names a bad record by its row (position in the list) and its own field
    names; people edit lines of the file, whose keys may differ (`fields`: library -> file)."""
    try:
        yield
    except InvalidInput as error:
        if not any(p.row for p in error.problems):
            raise
        raise InvalidInput(error.message, hint=error.hint, problems=[
            replace(p, file=path.name, line=lines[p.row - 1], row=None,
                    field=_renamed(p.field, fields or {}))
            if p.row and p.row <= len(lines) else p for p in error.problems]) from None


def _renamed(field: str | None, names: dict[str, str]) -> str | None:
    head, dot, rest = (field or "").partition(".")
    return f"{names[head]}{dot}{rest}" if head in names else field


def read_reference_lines(path: Path) -> tuple[list[GoldRecord], list[int]]:
    """Gold or qualification records from JSONL (`{"item", "answers", "tolerances"}` per
    line), with the line each came from."""
    return _read_lines(path, _ReferenceLine, _gold_record)


def read_suggestion_lines(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """Suggestions from JSONL (`{"item_id", "question", "value", "source", "score"}`)."""
    return _read_lines(path, _SuggestionLine, lambda line, _: line.model_dump())
