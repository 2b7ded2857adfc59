"""Write a dataset version to JSONL or Parquet, streaming: one batch in memory at a time.
Both formats re-import into Honing unchanged, and the Parquet schema is explicit so that
pandas, Polars and Hugging Face `datasets` read nested messages as real structs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput
from honing.datasets._items import StoredItem, iter_loaded
from honing.datasets._versions import get_dataset, parse_ref, resolve_version, version_item_ids
from honing.storage import DatasetVersion, Workspace

EXPORT_FORMATS = ("jsonl", "parquet")
_BATCH = 500

_FUNCTION = pa.struct([("name", pa.string()), ("arguments", pa.string())])
_TOOL_CALLS = pa.list_(pa.struct([("id", pa.string()), ("type", pa.string()),
                                  ("function", _FUNCTION)]))
PARQUET_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("messages", pa.list_(pa.struct([
        ("role", pa.string()),
        ("content", pa.string()),
        # Multi-part content (text and images) kept as JSON text: its shape varies by part.
        ("content_parts", pa.string()),
        ("name", pa.string()),
        ("tool_calls", _TOOL_CALLS),
        ("tool_call_id", pa.string()),
    ]))),
    ("context", pa.list_(pa.struct([("id", pa.string()), ("title", pa.string()),
                                    ("content", pa.string()), ("source", pa.string()),
                                    ("score", pa.float64())]))),
    # Free-form JSON Schema documents: JSON text, not a struct with a thousand columns.
    ("tools", pa.string()),
    ("responses", pa.list_(pa.struct([
        ("model", pa.string()), ("model_version", pa.string()),
        ("prompt_version", pa.string()), ("content", pa.string()), ("tool_calls", _TOOL_CALLS),
        ("latency_ms", pa.float64()),
        ("tokens", pa.struct([("prompt", pa.int64()), ("completion", pa.int64())])),
    ]))),
    ("metadata", pa.string()),
])


def export_record(stored: StoredItem) -> dict[str, Any]:
    """The interchange shape: what `honing import` reads back."""
    body = stored.item.model_dump(mode="json", exclude_none=True)
    external_id = body.pop("external_id", None)
    return {"id": external_id, **body}


def export_version(session: Session, version: DatasetVersion, fmt: str, out: Path | str) -> int:
    """Write the version to `out` atomically (a temporary file renamed at the end)."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"export format {fmt!r} is not supported",
                           hint="use one of: " + ", ".join(EXPORT_FORMATS))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        items = iter_loaded(session, version_item_ids(session, version), batch=_BATCH)
        count = (_write_jsonl if fmt == "jsonl" else _write_parquet)(items, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return count


def export_ref(session: Session, workspace: Workspace, ref: str, fmt: str, out: Path | str,
               *, actor: str) -> tuple[DatasetVersion, int]:
    """Export DATASET[@VERSION] and record that data left the system."""
    name, wanted = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    version = resolve_version(session, dataset, wanted)
    count = export_version(session, version, fmt, out)
    audit.record(session, actor=actor, action="dataset.export",
                 target=f"dataset:{name}@{version.number}", workspace=workspace.name,
                 details={"format": fmt, "items": count, "file": Path(out).name})
    return version, count


def _write_jsonl(items: Iterator[StoredItem], path: Path) -> int:
    count = 0
    with path.open("wb") as handle:
        for stored in items:
            record = export_record(stored)
            if record["id"] is None:
                del record["id"]
            handle.write(orjson.dumps(record) + b"\n")
            count += 1
    return count


def _write_parquet(items: Iterator[StoredItem], path: Path) -> int:
    count = 0
    with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for stored in items:
            batch.append(_parquet_row(export_record(stored)))
            count += 1
            if len(batch) >= _BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
    return count


def _parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    messages = []
    for message in record["messages"]:
        content = message.get("content")
        parts = None
        if isinstance(content, list):
            parts, content = orjson.dumps(content).decode(), None
        messages.append({**message, "content": content, "content_parts": parts})
    return {
        **record,
        "messages": messages,
        "tools": orjson.dumps(record["tools"]).decode(),
        "metadata": orjson.dumps(record["metadata"]).decode(),
    }
