"""Readers turn a file into a stream of raw records, each with where it came from.
They never build the whole file in memory, so imports stay flat in memory as files grow."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from honing._errors import InvalidInput, Problem

FORMATS = ("jsonl", "csv", "parquet")
# One record bigger than this is almost certainly a mistake (a whole file on one line).
MAX_RECORD_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Located:
    """A raw record, or the problem that kept it from being read, with its position."""

    file: str
    record: dict[str, Any] | None
    line: int | None = None
    row: int | None = None
    problem: Problem | None = None


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise InvalidInput(f"format {explicit!r} is not supported",
                               hint="use one of: " + ", ".join(FORMATS))
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    guessed = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "csv": "csv",
               "parquet": "parquet", "pq": "parquet"}.get(suffix)
    if guessed is None:
        raise InvalidInput(f"cannot tell the format of {path.name}",
                           hint="pass --format jsonl|csv|parquet")
    return guessed


def read_records(path: Path, fmt: str) -> Iterator[Located]:
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file")
    return {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}[fmt](path)


def file_columns(path: Path, fmt: str) -> list[str] | None:
    """The columns a CSV header or a Parquet schema declares; None for JSON Lines (each
    record has its own keys) and for a file whose reader will report it unreadable."""
    if fmt == "csv" and path.is_file():
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
        return list(header) if header else None
    if fmt == "parquet" and path.is_file():
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except Exception:  # noqa: BLE001 - _read_parquet names the problem
            return None
    return None


def _read_jsonl(path: Path) -> Iterator[Located]:
    name = path.name
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if len(raw) > MAX_RECORD_BYTES:
                yield Located(name, None, line=number, problem=Problem(
                    f"record is larger than {MAX_RECORD_BYTES // (1024 * 1024)} MiB",
                    file=name, line=number, hint="split it or check the file is JSON Lines"))
                continue
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                yield Located(name, None, line=number, problem=Problem(
                    f"not valid JSON: {error}", file=name, line=number,
                    hint="each line must be one complete JSON object"))
                continue
            if not isinstance(value, dict):
                yield Located(name, None, line=number, problem=Problem(
                    f"expected a JSON object, found {type(value).__name__}", file=name,
                    line=number, hint='each line must look like {"messages": [...]}'))
                continue
            yield Located(name, value, line=number)


def _read_csv(path: Path) -> Iterator[Located]:
    name = path.name
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            yield Located(name, None, line=1, problem=Problem(
                "the file has no header row", file=name, line=1,
                hint="the first row must name the columns"))
            return
        for row_number, row in enumerate(reader, start=1):
            line = reader.line_num
            if None in row:
                yield Located(name, None, line=line, row=row_number, problem=Problem(
                    "the row has more cells than the header has columns",
                    file=name, line=line, row=row_number,
                    hint="quote cells that contain commas"))
                continue
            record = {k: v for k, v in row.items() if v not in (None, "")}
            yield Located(name, record, line=line, row=row_number)


def _read_parquet(path: Path) -> Iterator[Located]:
    import pyarrow.parquet as pq

    name = path.name
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several unrelated types for a bad file
        raise InvalidInput(f"{name} is not a readable Parquet file: {error}") from None
    row_number = 0
    for batch in parquet.iter_batches(batch_size=1000):
        for record in batch.to_pylist():
            row_number += 1
            yield Located(name, _from_parquet(record), row=row_number)


def _from_parquet(value: Any) -> Any:
    """Parquet has no 'absent', only null: drop nulls, and unpack multi-part message content
    that Honing's own export keeps as JSON text in `content_parts`."""
    if isinstance(value, list):
        return [_from_parquet(v) for v in value]
    if not isinstance(value, dict):
        return value
    cleaned = {k: _from_parquet(v) for k, v in value.items() if v is not None}
    parts = cleaned.pop("content_parts", None)
    if isinstance(parts, str):
        try:
            cleaned["content"] = orjson.loads(parts)
        except orjson.JSONDecodeError:
            cleaned["content"] = parts  # validation will name the field
    return cleaned


