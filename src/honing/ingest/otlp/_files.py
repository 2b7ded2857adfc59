"""OTLP files as a stream of requests, one at a time so memory stays flat however large
the file: JSON Lines as the OpenTelemetry Collector's file exporter writes them (one
ExportTraceServiceRequest per line), a single JSON request, or protobuf (one request, or the
file exporter's length-prefixed stream). Gzip files are read through."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from honing._errors import InvalidInput
from honing.ingest.otlp._decode import PROTOBUF, BadPayload, parse_json_document, parse_request

MAX_LINE_BYTES = 256 * 1024 * 1024  # one exporter request; larger is a whole file on one line


@dataclass(frozen=True)
class FileRequest:
    line: int | None  # JSON Lines: the line; else None
    request: ExportTraceServiceRequest | None
    problem: str | None = None
    size: int = 0


def read_requests(path: Path) -> Iterator[FileRequest]:
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file")
    with _open(path) as handle:
        head = handle.peek(64)[:64].lstrip() if hasattr(handle, "peek") else b""
        if path.suffix in (".pb", ".binpb", ".protobuf") or (head and head[:1] not in b"{["):
            yield from _protobuf(path, handle)
        else:
            yield from _json(path, handle)


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")  # type: ignore[return-value]


def _json(path: Path, handle: IO[bytes]) -> Iterator[FileRequest]:
    first = handle.readline()
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        if first.strip():  # one pretty-printed document
            yield _json_line(path, first + handle.read(), None)
            return
    if first.strip():
        yield _json_line(path, first, 1)
    for number, raw in enumerate(handle, start=2):
        if raw.strip():
            yield _json_line(path, raw, number)


def _json_line(path: Path, raw: bytes, line: int | None) -> FileRequest:
    where = f"{path.name}" + (f" line {line}" if line else "")
    if len(raw) > MAX_LINE_BYTES:
        return FileRequest(line, None, f"{where}: a record larger than "
                           f"{MAX_LINE_BYTES // (1024 * 1024)} MiB")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return FileRequest(line, None, f"{where}: not valid JSON: {error}")
    try:
        return FileRequest(line, parse_json_document(document, where=where), size=len(raw))
    except InvalidInput as error:
        return FileRequest(line, None, error.message)


def _protobuf(path: Path, handle: IO[bytes]) -> Iterator[FileRequest]:
    data = handle.read()
    try:
        yield FileRequest(None, parse_request(data, PROTOBUF), size=len(data))
        return
    except BadPayload:
        pass
    # The file exporter's protobuf stream: each message preceded by its 4-byte length.
    offset, number = 0, 0
    while offset < len(data):
        number += 1
        size = int.from_bytes(data[offset:offset + 4], "big")
        chunk = data[offset + 4:offset + 4 + size]
        if size == 0 or len(chunk) != size:
            yield FileRequest(None, None, f"{path.name}: not OTLP protobuf (message {number} "
                              "is cut short)")
            return
        try:
            yield FileRequest(number, parse_request(chunk, PROTOBUF), size=size)
        except BadPayload as error:
            yield FileRequest(number, None, f"{path.name} message {number}: {error.message}")
        offset += 4 + size
