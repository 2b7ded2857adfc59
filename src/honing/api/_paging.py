"""Cursor paging for listings: opaque cursors, `limit` and the next page's address.

A cursor is the last id of the page it ends, base64-encoded so clients treat it as opaque
(it may carry more one day). The next page is named in the body where a listing has an
envelope, and always in two headers, so listings that were bare JSON lists keep that shape:
`X-Next-Cursor: <cursor>` and `Link: <url>; rel="next"` (RFC 8288); neither is sent on
the last page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Query, Request, Response

from honing._errors import InvalidInput, Problem

T = TypeVar("T")

CURSOR_HEADER = "X-Next-Cursor"
CURSOR_DESCRIPTION = ("where to continue: the `next_cursor` (or `X-Next-Cursor` header) of the "
                      "previous page; leave out for the first page")
Cursor = Annotated[str | None, Query(max_length=64, description=CURSOR_DESCRIPTION)]
NEXT_PAGE_HEADERS = {
    CURSOR_HEADER: {"description": "the cursor of the next page; absent on the last page",
                    "schema": {"type": "string"}},
    "Link": {"description": 'the next page as `<url>; rel="next"`; absent on the last page',
             "schema": {"type": "string"}},
}


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        if raw.isdigit() and 0 < int(raw) <= 2**62:
            return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput("the cursor is not one this server gave out",
                       problems=[Problem("not a cursor from a previous page", field="query:cursor")],
                       hint="pass the `next_cursor` of the previous page unchanged, or none for the first page")


def split_page(rows: list[T], limit: int, id_of: Callable[[T], int]) -> tuple[list[T], str | None]:
    """`rows` were read with `limit + 1`: this page's rows, and the next page's cursor
    (None on the last page, so clients never fetch an empty page to find out)."""
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(id_of(rows[limit - 1]))


def announce_next(request: Request, response: Response, cursor: str | None) -> None:
    if cursor is None:
        return
    response.headers[CURSOR_HEADER] = cursor
    response.headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
