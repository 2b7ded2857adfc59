"""A lean HTTP/1.1 client for load generation: one keep-alive connection, one request at a
time, responses parsed by httptools (the C parser uvicorn uses).

Why not aiohttp: the load generator shares the machine's cores with the server and
PostgreSQL, and every millisecond of CPU it spends is taken from the system it measures.
aiohttp costs about 0.3 ms of CPU per request here; this client, a fraction of that. It
speaks only what the benchmark needs (requests with a body or none, responses framed by
Content-Length or chunked, keep-alive and reconnection), and checks what it receives.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httptools


class HttpError(Exception):
    """A connection that failed or closed, or a response that did not parse."""


class _Response(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.chunks: list[bytes] = []
        self.closed = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(HttpError(f"malformed response: {error}"))
            self.transport.close()  # type: ignore[union-attr]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(HttpError(f"connection closed{f': {exc}' if exc else ''}"))

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.chunks = []

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if not self.parser.should_keep_alive():
            self.closed = True
            self.transport.close()  # type: ignore[union-attr]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.parser.get_status_code(), b"".join(self.chunks)))

    def _fail(self, error: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)


class Connection:
    """Requests to one server over one connection, opened on first use and again after the
    server closes it."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None, timeout: float = 30.0):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{base_url!r}: only http://HOST[:PORT] URLs are supported")
        self.host, self.port = parts.hostname, parts.port or 80
        fixed = {"Host": parts.netloc, **(headers or {})}
        self._head = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self.timeout = timeout
        self._protocol: _Response | None = None

    async def request(self, method: str, path: str, body: bytes = b"",
                      content_type: str = "application/json") -> tuple[int, bytes]:
        """(status, body); raises HttpError or asyncio.TimeoutError."""
        loop = asyncio.get_running_loop()
        protocol = self._protocol
        if protocol is None or protocol.closed:
            try:
                _, protocol = await asyncio.wait_for(
                    loop.create_connection(_Response, self.host, self.port), self.timeout)
            except OSError as error:
                raise HttpError(f"cannot connect: {error}") from error
            self._protocol = protocol
        framing = f"Content-Type: {content_type}\r\n" if body else ""
        head = f"{method} {path} HTTP/1.1\r\n{self._head}{framing}Content-Length: {len(body)}\r\n\r\n"
        protocol.waiter = waiter = loop.create_future()
        protocol.transport.write(head.encode("latin-1") + body)  # type: ignore[union-attr]
        timer = loop.call_later(self.timeout, _expire, waiter)
        try:
            return await waiter
        except BaseException:
            # Whatever arrives later on this connection would be taken for the next answer.
            self.close()
            raise
        finally:
            timer.cancel()

    def close(self) -> None:
        if self._protocol is not None:
            self._protocol.closed = True
            self._protocol.transport.close()  # type: ignore[union-attr]
            self._protocol = None


def _expire(waiter: asyncio.Future[tuple[int, bytes]]) -> None:
    if not waiter.done():
        waiter.set_exception(asyncio.TimeoutError())
