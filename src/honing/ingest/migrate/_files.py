"""Reading an export file: a JSON document, or JSON Lines, with errors that say where."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from honing._errors import InvalidInput


def load_json(path: Path) -> Any:
    """The file's JSON document; a JSON Lines file becomes the list of its lines."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file")
    raw = path.read_bytes()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as whole:
        rows = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                raise InvalidInput(f"{path.name} is neither JSON nor JSON Lines ({whole}; line "
                                   f"{number} does not parse either)") from None
        return rows


def parse_time(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{where}: {value!r} is not a timestamp",
                           hint="exports write ISO 8601 times, e.g. 2026-11-02T09:07:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
