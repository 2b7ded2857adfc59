"""Security headers on every response, and the scheme a request really came in on.

The review and workbench pages act on single keys, so a page that framed them could turn a
visitor's keystrokes into decisions (clickjacking): no page may be framed. Pages load
scripts and styles only from this server (no inline code: templates keep theirs in
/static), so markup injected into a page cannot run. Answers a user signed in for are never
stored by browsers or proxies.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# For HTML pages. Images may be data: URLs (the empty favicon, Swagger UI's icons).
PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Anything else (JSON, files) is never a document that should load or run anything.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"

_ALWAYS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_PAGE = (b"content-security-policy", PAGE_POLICY.encode())
_OTHER = (b"content-security-policy", OTHER_POLICY.encode())
_NO_STORE = (b"cache-control", b"no-store")
# Public, unchanging assets keep whatever caching their server gives them.
_CACHEABLE_PREFIXES = ("/static/",)


class SecurityHeaders:
    """Pure ASGI, so it adds nothing but the headers to the raters' fast path.

    Behind a TLS-terminating proxy listed in `trusted_proxies`, the request's scheme and
    client are what its X-Forwarded-Proto and X-Forwarded-For say (uvicorn's semantics), so
    the session cookie is marked Secure and the client is the browser, not the proxy. From
    any other peer those headers are ignored: anyone can send them."""

    def __init__(self, app: ASGIApp, trusted_proxies: tuple[str, ...] = ()) -> None:
        self.app: ASGIApp = app
        if trusted_proxies:
            self.app = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted_proxies))  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(_CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(list(message.get("headers", [])), cacheable)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secured(headers: list[tuple[bytes, bytes]], cacheable: bool) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    added = [h for h in _ALWAYS if h[0] not in present]
    if b"content-security-policy" not in present:
        added.append(_PAGE if content_type.startswith(b"text/html") else _OTHER)
    if not cacheable:
        # Replaces any weaker directive: a signed-in answer must not sit in a shared cache.
        headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
        added.append(_NO_STORE)
    return headers + added


def is_https(request: Request) -> bool:
    """Whether the browser reached us over TLS: the request's own scheme, or the scheme a
    trusted proxy says it was (ProxyHeaders resolves that before the app sees the request)."""
    return request.url.scheme == "https"
