"""OTLP/HTTP request bodies into the protocol's own messages, then into plain span records.

Protobuf and JSON are both decoded into `ExportTraceServiceRequest` (opentelemetry-proto);
OTLP's JSON differs from protobuf's canonical JSON mapping in one way that matters: trace
and span ids are hex strings, not base64, so they are rewritten before `json_format` reads
them. A span record keeps only what the mapping reads, as plain Python values."""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from honing._errors import HoningError, InvalidInput

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_STATUS_ERROR = 2  # Status.STATUS_CODE_ERROR


class BadPayload(InvalidInput):
    """A body that is not OTLP: 400, as the OTLP/HTTP specification asks."""

    status_code = 400
    code = "bad_payload"


class UnsupportedMediaType(HoningError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass
class SpanRecord:
    """A span as the mapping sees it: hex ids, nanosecond times, attributes as values."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the status message of a span whose status is ERROR
    failed: bool = False
    resource: dict[str, Any] = field(default_factory=dict)
    scope: str | None = None

    def as_json(self) -> bytes:
        return orjson.dumps({k: v for k, v in self.__dict__.items()
                             if k not in ("trace_id", "span_id")})

    @classmethod
    def from_json(cls, trace_id: str, span_id: str, body: str | bytes) -> SpanRecord:
        return cls(trace_id=trace_id, span_id=span_id, **orjson.loads(body))


def media_type(content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in (PROTOBUF, JSON):
        raise UnsupportedMediaType(
            f"content type {content_type or '(none)'!r} is not OTLP",
            hint=f"send {PROTOBUF} or {JSON}, as the OTLP/HTTP exporters do")
    return kind


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """The body as sent before `Content-Encoding`; at most `limit` bytes once inflated, so
    a small compressed body cannot expand into gigabytes."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding != "gzip":
        raise UnsupportedMediaType(f"content encoding {encoding!r} is not supported",
                                   hint="send gzip or no Content-Encoding")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise BadPayload(f"the body is not valid gzip: {error}") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise BadPayload(f"the body inflates to more than {limit} bytes",
                           hint="send smaller batches (the exporter's max export batch size)")
    return data


def parse_request(data: bytes, kind: str) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    if kind == PROTOBUF:
        try:
            request.ParseFromString(data)
        except DecodeError as error:
            raise BadPayload(f"the body is not an OTLP ExportTraceServiceRequest: {error}") from None
        return request
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise BadPayload(f"the body is not valid JSON: {error}") from None
    return parse_json_document(document)


def parse_json_document(document: Any, where: str = "the body") -> ExportTraceServiceRequest:
    """An OTLP JSON document (`{"resourceSpans": [...]}`) as the protobuf message."""
    if not isinstance(document, dict):
        raise BadPayload(f"{where} must be a JSON object with resourceSpans, "
                           f"found {type(document).__name__}")
    try:
        _ids_to_base64(document)
        return json_format.ParseDict(document, ExportTraceServiceRequest(),
                                     ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, AttributeError) as error:
        raise BadPayload(f"{where} is not an OTLP ExportTraceServiceRequest: {error}") from None


def _ids_to_base64(document: dict[str, Any]) -> None:
    for resource in _list(document.get("resourceSpans", document.get("resource_spans"))):
        for scope in _list(_get(resource, "scopeSpans", "scope_spans")):
            for span in _list(scope.get("spans") if isinstance(scope, dict) else None):
                if not isinstance(span, dict):
                    continue
                _rewrite(span, ("traceId", "trace_id", "spanId", "span_id", "parentSpanId",
                                "parent_span_id"))
                for link in _list(span.get("links")):
                    if isinstance(link, dict):
                        _rewrite(link, ("traceId", "trace_id", "spanId", "span_id"))


def _rewrite(node: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        value = node.get(key)
        if isinstance(value, str) and value:
            try:
                node[key] = base64.b64encode(bytes.fromhex(value)).decode()
            except ValueError:
                raise BadPayload(f"{key} {value[:40]!r} is not a hex id") from None


def _get(node: Any, *keys: str) -> Any:
    if not isinstance(node, dict):
        return None
    for key in keys:
        if key in node:
            return node[key]
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def span_records(request: ExportTraceServiceRequest) -> tuple[list[SpanRecord], list[str]]:
    """The request's spans as records, and why each refused one was refused."""
    records: list[SpanRecord] = []
    refused: list[str] = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            scope = scope_spans.scope.name or None
            for span in scope_spans.spans:
                if len(span.trace_id) != 16 or not any(span.trace_id):
                    refused.append(f"span {span.name[:80]!r}: trace_id must be 16 bytes, not all zero")
                    continue
                if len(span.span_id) != 8 or not any(span.span_id):
                    refused.append(f"span {span.name[:80]!r}: span_id must be 8 bytes, not all zero")
                    continue
                records.append(SpanRecord(
                    trace_id=span.trace_id.hex(), span_id=span.span_id.hex(),
                    parent_id=span.parent_span_id.hex() or None, name=span.name,
                    start_ns=span.start_time_unix_nano, end_ns=span.end_time_unix_nano,
                    attributes=attributes(span.attributes),
                    events=[{"name": e.name, "time_ns": e.time_unix_nano,
                             "attributes": attributes(e.attributes)} for e in span.events],
                    error=(span.status.message or "error") if span.status.code == _STATUS_ERROR
                    else None,
                    failed=span.status.code == _STATUS_ERROR,
                    resource=resource, scope=scope))
    return records, refused


def attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return getattr(value, kind)

