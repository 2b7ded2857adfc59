"""A queue's labels and items for leads and integrations: cursor-paged listings and a
streamed JSONL export. Raters never reach these: they hold every rater's answers and the
queue's gold and qualification items."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from honing import annotate
from honing.accounts import Permission
from honing.api._annotate import QueueName, WorkspaceName, _label_out, _queue
from honing.api._annotate_schemas import LabelOut
from honing.api._auth import DB, CurrentPrincipal, ReadSession
from honing.api._paging import NEXT_PAGE_HEADERS, Cursor, announce_next, decode_cursor, split_page
from honing.api._schemas import ERROR_RESPONSES
from honing.storage import Database, Label, Queue

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["annotation"], responses=ERROR_RESPONSES)
LabelStatus = Annotated[str | None, Query(max_length=16, description="only labels with this status")]
EXPORT_CHUNK = 500  # labels read per query while streaming: memory stays flat at any size


class QueueItemOut(BaseModel):
    id: int = Field(description="the queue item's id (labels' `queue_item_id`)")
    item_id: int = Field(description="the dataset item's id")
    kind: Literal["live", "gold", "qualification"]
    position: int = Field(description="its place in the order raters are served")
    status: Literal["open", "in_progress", "complete", "reference"] = Field(description=(
        "live items: open (untouched), in_progress (leased or labeled fewer times than the "
        "overlap), complete (labeled `overlap` times); gold and qualification items, which "
        "every rater may get: reference"))
    labels: int
    labels_by_status: dict[str, int] = Field(description="submitted, accepted, returned, reworked")
    active_leases: int


class QueueItemsPage(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


@router.get("/queues/{queue}/labels", response_model=list[LabelOut],
            responses={200: {"headers": NEXT_PAGE_HEADERS}})
def list_labels(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, session: ReadSession,
                request: Request, response: Response, status: LabelStatus = None,
                order: Annotated[Literal["desc", "asc"], Query(
                    description="desc: newest first (the default); asc: oldest first")] = "desc",
                cursor: Cursor = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[LabelOut]:
    """The queue's labels in id order, answers in the canonical order; leads and above.

    Paged by cursor, keeping the bare list existing clients read: when more labels follow,
    the `X-Next-Cursor` header carries the cursor to pass back as `cursor` (with the same
    `order` and `status`), and `Link: <url>; rel="next"` the whole address. Pages are keyed
    on the label id, so labels submitted while a client pages never shift a page: in `asc`
    order they come at the end of the walk, in `desc` order at the start of the next one.
    For all labels at once, `labels.jsonl` streams them."""
    _, q = _queue(session, principal, workspace, queue, Permission.manage)
    rows = annotate.labels_page(session, q, limit=limit + 1, after=decode_cursor(cursor), status=status,
                                newest_first=order == "desc")
    rows, next_cursor = split_page(rows, limit, lambda row: row[0].id)
    announce_next(request, response, next_cursor)
    return _labels_out(session, q, rows)


@router.get("/queues/{queue}/labels.jsonl", response_class=StreamingResponse, responses={200: {
    "description": "one label per line, as `GET .../labels` gives them, oldest first",
    "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}})
def export_labels(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, session: ReadSession,
                  db: DB, status: LabelStatus = None) -> StreamingResponse:
    """Every label of the queue as JSON Lines, in id order; leads and above. Streamed as it
    is read, a chunk of labels at a time, each chunk in a short read of its own: any size
    of queue takes the same memory, and a slow reader holds no database connection."""
    _, q = _queue(session, principal, workspace, queue, Permission.manage)
    session.expunge(q)  # read after this request's session is gone
    filename = f"{workspace}-{queue}-labels.jsonl"  # both checked names: no quotes or newlines
    return StreamingResponse(_label_lines(db, q, status), media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _label_lines(db: Database, queue: Queue, status: str | None) -> Iterator[bytes]:
    after = None
    while True:
        # A read of its own per chunk, closed before the chunk is sent: a slow reader holds
        # no connection, and keyset paging keeps the walk exact across the reads.
        with db.reading() as session:
            rows = annotate.labels_page(session, queue, limit=EXPORT_CHUNK, after=after, status=status)
            lines = b"".join(label.model_dump_json().encode() + b"\n"
                             for label in _labels_out(session, queue, rows))
            after = rows[-1][0].id if rows else None
        if lines:
            yield lines
        if len(rows) < EXPORT_CHUNK:
            return


def _labels_out(session: Session, queue: Queue, rows: list[tuple[Label, str]]) -> list[LabelOut]:
    """Labels with their reviews, read in one query for all of them."""
    reviews = annotate.reviews_of(session, [label.id for label, _ in rows]) if rows else {}
    return [_label_out(session, label, queue, rater=name, with_gold=True, reviews=reviews.get(label.id, []))
            for label, name in rows]


@router.get("/queues/{queue}/items", response_model=QueueItemsPage,
            responses={200: {"headers": NEXT_PAGE_HEADERS}})
def list_items(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, session: ReadSession,
               request: Request, response: Response, cursor: Cursor = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> QueueItemsPage:
    """The queue's items in queue-item id order, each with its labels counted by status;
    leads and above (this names the gold and qualification items). Paged by cursor:
    `next_cursor` (also in the `X-Next-Cursor` and `Link` headers) continues the walk."""
    _, q = _queue(session, principal, workspace, queue, Permission.manage)
    rows = annotate.queue_items_page(session, q, limit=limit + 1, after=decode_cursor(cursor))
    rows, next_cursor = split_page(rows, limit, lambda row: row.id)
    announce_next(request, response, next_cursor)
    return QueueItemsPage(items=[QueueItemOut.model_validate(row, from_attributes=True) for row in rows],
                          next_cursor=next_cursor)
