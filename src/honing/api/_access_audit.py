"""Who is calling, as the audit log records it, and the audit of refused requests.

The client address is the direct peer's, unless that peer is one of the reverse proxies
named in HONING_TRUSTED_PROXIES: then X-Forwarded-For is read from the right, skipping
trusted proxies, and its first untrusted address is the client. Anything further left was
written by the client itself and could be anything."""

from __future__ import annotations

import ipaddress
import logging

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from honing import accounts
from honing._errors import HoningError, Unauthenticated
from honing._names import is_name
from honing.accounts import Client
from honing.accounts._client import clean_text
from honing.api._auth import credential
from honing.storage import Database

log = logging.getLogger("honing.api")
_PATH_CHARS = 300


def client_of(request: Request) -> Client:
    peer = request.client.host if request.client else "unknown"
    trusted = set(request.app.state.settings.trusted_proxies)
    address = peer
    if peer in trusted:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not _is_address(hop):
                break  # a malformed hop: nothing left of it can be trusted either
            address = hop
            if hop not in trusted:
                break
    return Client(address=address, user_agent=request.headers.get("user-agent", ""))


async def record_denial(request: Request, error: HoningError) -> None:
    """Audit a 403 as `access.denied`. Never raises: the refusal is answered either way."""
    db: Database = request.app.state.db
    client = client_of(request)
    try:
        kind, secret = credential(request)
    except HoningError:
        kind = secret = None

    # Denials inside a workspace show in its own audit log; others (site-wide) have none.
    named = request.path_params.get("workspace")
    workspace = named if is_name(named) else None

    def write() -> None:
        with db.writing() as session:
            actor = "anonymous"
            if secret is not None:
                try:
                    actor = accounts.principal_for(session, secret, kind=kind).audit_name
                except Unauthenticated:
                    pass
            accounts.record_quietly(
                session, actor=actor, action="access.denied", workspace=workspace,
                target=f"{request.method} {clean_text(request.url.path, _PATH_CHARS)}",
                details={"method": request.method, "path": clean_text(request.url.path, _PATH_CHARS),
                         "reason": clean_text(error.message, _PATH_CHARS), **client.audit_details()})

    try:
        await run_in_threadpool(write)
    except Exception as failure:  # noqa: BLE001 - the 403 is answered whatever happens here
        log.warning("could not record an access denial (%s)", type(failure).__name__)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
