"""The OTLP intake's public functions: an HTTP export request, a file, and a snapshot of the
intake's current conversations as a dataset version."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput
from honing.accounts import get_workspace
from honing.datasets import (
    VersionInfo,
    add_version,
    add_version_items,
    get_or_create_dataset,
    head_version,
    item_hashes,
    version_hash,
    version_info,
)
from honing.ingest.otlp._decode import (
    SpanRecord,
    decompress,
    media_type,
    parse_request,
    span_records,
)
from honing.ingest.otlp._files import read_requests
from honing.ingest.otlp._intake import Received, receive_spans
from honing.storage import Database, OtlpConversation, Workspace

Progress = Callable[[str, int, int | None], None]
FILE_BATCH_SPANS = 2000  # spans per transaction when importing a file


def media_type_of(content_type: str | None) -> str:
    """PROTOBUF or JSON; 415 for any other content type."""
    return media_type(content_type)


def decode_export(body: bytes, content_type: str | None, content_encoding: str | None,
                  max_bytes: int) -> tuple[list[SpanRecord], list[str]]:
    """An OTLP/HTTP request body as span records and the reasons spans were refused; no I/O.
    415 for a content type or encoding that is not OTLP's, 400 for a body that is not OTLP."""
    kind = media_type(content_type)
    data = decompress(body, content_encoding, max_bytes)
    return span_records(parse_request(data, kind))


def receive_export(session: Session, workspace: Workspace, spans: list[SpanRecord]) -> Received:
    """Keep the spans and rebuild the conversations they touch (one transaction: the caller's)."""
    return receive_spans(session, workspace, spans)


def intake_item_id(session: Session, workspace: Workspace, conversation: str) -> int | None:
    """The current item of a conversation (`trace:<trace id>` or `conversation:<id>`)."""
    return session.scalar(select(OtlpConversation.item_id).where(
        OtlpConversation.workspace_id == workspace.id,
        OtlpConversation.conversation == conversation))


@dataclass(frozen=True)
class OtlpImportResult:
    requests: int
    spans: int
    rejected: list[str]
    conversations: int
    version: VersionInfo | None
    created: bool

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "spans": self.spans, "rejected_spans": len(self.rejected),
                "rejections": self.rejected[:50], "conversations": self.conversations,
                "created": self.created,
                "version": self.version.as_dict() if self.version else None}


def import_otlp_file(db: Database, path: Path | str, *, workspace: str, dataset: str, actor: str,
                     progress: Progress | None = None) -> OtlpImportResult:
    """Receive every span of an OTLP file, then write the conversations it touched (their
    current items) as a new version of `dataset`. Streams: one request of the file is in
    memory at a time. A request that cannot be read stops the import with its line; what
    was received before it stays, and importing the fixed file again adds each span once."""
    path = Path(path)
    with db.reading() as session:
        get_workspace(session, workspace)  # an unknown workspace fails before reading
    total = Received()
    touched: dict[str, None] = {}
    pending: list[SpanRecord] = []
    requests = spans = 0

    def flush() -> None:
        with db.writing() as session:
            got = receive_spans(session, get_workspace(session, workspace), pending)
        total.accepted += got.accepted
        total.rejected.extend(got.rejected)
        touched.update(dict.fromkeys(got.conversations))
        pending.clear()

    for request in read_requests(path):
        if request.problem is not None:
            raise InvalidInput(request.problem + (f"; the {spans} spans before it were received"
                                                  if spans else ""),
                               hint="fix it and import the file again: spans already "
                                    "received are kept once")
        records, refused = span_records(request.request)  # type: ignore[arg-type]
        requests += 1
        spans += len(records) + len(refused)
        total.rejected.extend(refused)
        pending.extend(records)
        if len(pending) >= FILE_BATCH_SPANS:
            flush()
            if progress:
                progress("spans", spans, None)
    if pending:
        flush()
    if not spans:
        raise InvalidInput(f"{path.name} holds no spans", hint="check the file is OTLP trace data")
    version, created = None, False
    if touched:
        with db.writing() as session:
            version, created = _snapshot(session, get_workspace(session, workspace), dataset,
                                         actor, list(touched), {"file": path.name,
                                                                "format": "otlp", "spans": spans})
    return OtlpImportResult(requests, total.accepted, total.rejected, len(touched), version, created)


def snapshot_intake(db: Database, *, workspace: str, dataset: str, actor: str) -> tuple[VersionInfo, bool]:
    """Every conversation the workspace's intake holds, current items in the order first
    seen, as a version of `dataset` (none is made when it equals the latest)."""
    with db.writing() as session:
        ws = get_workspace(session, workspace)
        keys = list(session.scalars(select(OtlpConversation.conversation).where(
            OtlpConversation.workspace_id == ws.id)))
        if not keys:
            raise InvalidInput(f"the intake of workspace {workspace!r} holds no conversation yet",
                               hint="send traces to /v1/traces or import an OTLP file first")
        version, created = _snapshot(session, ws, dataset, actor, keys, {"source": "otlp intake"})
        return version, created  # type: ignore[return-value]


def _snapshot(session: Session, ws: Workspace, dataset: str, actor: str, keys: list[str],
              parameters: dict[str, Any]) -> tuple[VersionInfo, bool]:
    """Two passes over the conversations, a thousand at a time (the version's hash, then its
    items), so a snapshot of a large intake holds only the keys in memory."""
    def chunks() -> Iterator[list[int]]:
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            found = dict(session.execute(
                select(OtlpConversation.conversation, OtlpConversation.item_id).where(
                    OtlpConversation.workspace_id == ws.id,
                    OtlpConversation.conversation.in_(chunk))).all())
            yield [found[key] for key in chunk if key in found]

    count = 0

    def hashes() -> Iterator[str]:
        nonlocal count
        for ids in chunks():
            count += len(ids)
            yield from item_hashes(session, ids)

    content_hash = version_hash(hashes())
    ds = get_or_create_dataset(session, ws, dataset, actor=actor)
    head = head_version(session, ds)
    if head is not None and head.content_hash == content_hash:
        return version_info(session, ds, head), False
    version = add_version(session, ds, content_hash=content_hash, item_count=count,
                          operation="import", actor=actor, parents=[head] if head else [],
                          parameters={"mode": "replace", "records": count, **parameters})
    position = 0
    for ids in chunks():
        add_version_items(session, version, position, ids)
        position += len(ids)
    audit.record(session, actor=actor, action="dataset.import",
                 target=f"dataset:{ds.name}@{version.number}", workspace=ws.name,
                 details={"content_hash": content_hash, "records": count,
                          "format": "otlp", "file": parameters.get("file")})
    return version_info(session, ds, version), True
