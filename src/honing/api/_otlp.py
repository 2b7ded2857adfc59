"""OTLP/HTTP trace receiver: `POST /v1/traces`, where OpenTelemetry SDKs and collectors send
spans (https://opentelemetry.io/docs/specs/otlp/#otlphttp).

The caller is a workspace API token (Authorization: Bearer) whose role may manage the
workspace. The workspace is the `X-Honing-Workspace` header or the `workspace` query
parameter; without either, the token's only workspace. A token that belongs to several must
name one (422), because guessing would file production traffic in the wrong place."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from starlette.concurrency import run_in_threadpool

from honing import accounts
from honing._errors import Forbidden, InvalidInput
from honing.accounts import Permission, Principal
from honing.api._auth import CurrentPrincipal, Recent, cached
from honing.api._schemas import ERROR_RESPONSES
from honing.ingest import otlp
from honing.storage import Database

router = APIRouter(tags=["otlp"], responses=ERROR_RESPONSES)
# SQLite takes one writer at a time; exporters sending at once would otherwise wait in its
# busy handler, which sleeps in growing steps (p99 of a second with four senders). Taking
# turns here keeps each batch's wait to the batches ahead of it.
_SQLITE_WRITER = threading.Lock()
WORKSPACE_HEADER = "x-honing-workspace"


@router.post("/v1/traces", openapi_extra={"requestBody": {"required": True, "content": {
    "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
    "application/json": {"schema": {"type": "object"}}}}})
async def export_traces(request: Request, principal: CurrentPrincipal) -> Response:
    """An OTLP ExportTraceServiceRequest, protobuf or JSON, optionally gzip-compressed.
    Answers an ExportTraceServiceResponse in the request's encoding; spans refused (bad ids,
    malformed feedback) are counted in `partial_success` with the first reason."""
    db: Database = request.app.state.db
    limit: int = request.app.state.settings.max_otlp_bytes
    # The content type is checked before the body is read: a 415 costs no parsing.
    kind = otlp.media_type_of(request.headers.get("content-type"))
    named = request.headers.get(WORKSPACE_HEADER) or request.query_params.get("workspace")
    body = await request.body()
    encoding = request.headers.get("content-encoding")

    recent: Recent = request.app.state.access

    def receive() -> tuple[list[str], otlp.Received]:
        # One hand-off to a worker thread for parsing and writing: under load each extra
        # hop waits for the event loop and a free thread again.
        spans, refused = otlp.decode_export(body, kind, encoding, limit)
        with _SQLITE_WRITER if db.dialect == "sqlite" else nullcontext(), db.writing() as session:
            # An exporter sends batch after batch with one token: its workspace and the
            # members' roles come from the server's few-seconds cache, as raters' do.
            name = named or cached(session, recent, ("otlp-workspaces", principal.user_id),
                                   _workspace, principal)
            access = cached(session, recent, ("access", name), accounts.workspace_access, name)
            ws = access.authorize(principal, Permission.manage)
            return refused, otlp.receive_export(session, ws, spans)

    refused, received = await run_in_threadpool(receive)
    rejected = [*refused, *received.rejected]
    return _answer(kind, rejected)


def _workspace(session: Any, principal: Principal) -> str:
    """The token's only workspace; a token in none or several gets told what to send."""
    names = accounts.workspace_names(session, principal, limit=11)
    if len(names) == 1:
        return names[0]
    if not names:
        raise Forbidden("this token's user belongs to no workspace",
                        hint="add the user to the workspace the traces belong to")
    shown = ", ".join(names[:10]) + (" ..." if len(names) > 10 else "")
    raise InvalidInput(
        f"this token's user belongs to {'more than 10' if len(names) > 10 else len(names)} "
        f"workspaces ({shown}); say which one "
        "receives the traces",
        hint=f"send the header {WORKSPACE_HEADER.title()}: NAME (an exporter's headers "
             "setting, e.g. OTEL_EXPORTER_OTLP_HEADERS) or ?workspace=NAME")


def _answer(kind: str, rejected: list[str]) -> Response:
    response = ExportTraceServiceResponse()
    if rejected:
        response.partial_success.rejected_spans = len(rejected)
        more = f" (and {len(rejected) - 1} more)" if len(rejected) > 1 else ""
        response.partial_success.error_message = rejected[0] + more
    if kind == otlp.PROTOBUF:
        return Response(response.SerializeToString(), media_type=otlp.PROTOBUF)
    from google.protobuf import json_format

    return Response(json_format.MessageToJson(response, indent=None), media_type=otlp.JSON)
