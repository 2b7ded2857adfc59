"""Store and load items. Items are content-addressed per workspace: the same conversation
imported twice is one row, shared by every version that contains it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from honing.domain import Item
from honing.storage import ItemRow, ResponseRow
from honing.storage._immutable import ImmutableCache


@dataclass(frozen=True)
class StoredItem:
    """An item as stored: its id, its hash, the item and the ids of its responses."""

    id: int
    content_hash: str
    item: Item
    response_ids: list[int]

    def as_dict(self) -> dict[str, Any]:
        body = self.item.model_dump(mode="json", exclude_none=True)
        for response, response_id in zip(body["responses"], self.response_ids, strict=True):
            response["id"] = response_id
        return {"id": self.id, "content_hash": self.content_hash, **body}


def store_items(session: Session, workspace_id: int,
                items: Sequence[tuple[str, Item]]) -> tuple[list[int], int]:
    """Ids for (hash, item) pairs, inserting those not stored yet, and how many were new.
    One batch, a few queries."""
    hashes = list(dict.fromkeys(h for h, _ in items))
    existing = dict(session.execute(
        select(ItemRow.content_hash, ItemRow.id).where(
            ItemRow.workspace_id == workspace_id, ItemRow.content_hash.in_(hashes))
    ).all())
    new = {h: item for h, item in items if h not in existing}
    if new:
        rows = [_item_row(workspace_id, h, item) for h, item in new.items()]
        # Rows come back keyed by their hash, so their order does not matter: without
        # sort_by_parameter_order SQLite inserts the batch in one statement, not row by row.
        inserted = session.execute(
            insert(ItemRow).returning(ItemRow.content_hash, ItemRow.id), rows,
        ).all()
        existing.update(dict(inserted))
        responses = [
            _response_row(existing[h], position, response)
            for h, item in new.items()
            for position, response in enumerate(item.responses)
        ]
        if responses:
            session.execute(insert(ResponseRow), responses)
    return [existing[h] for h, _ in items], len(new)


def item_hashes(session: Session, item_ids: list[int]) -> list[str]:
    """Content hashes for item ids, in the same order."""
    by_id: dict[int, str] = {}
    for start in range(0, len(item_ids), 1000):
        chunk = set(item_ids[start:start + 1000])
        by_id.update(session.execute(select(ItemRow.id, ItemRow.content_hash)
                                     .where(ItemRow.id.in_(chunk))).all())
    return [by_id[i] for i in item_ids]


def load_items(session: Session, item_ids: Iterable[int]) -> list[StoredItem]:
    """Items in the order of `item_ids` (an id may repeat)."""
    ids = list(item_ids)
    unique = list(dict.fromkeys(ids))
    rows = {row.id: row for row in session.scalars(select(ItemRow).where(ItemRow.id.in_(unique)))}
    responses: dict[int, list[ResponseRow]] = {i: [] for i in unique}
    for response in session.scalars(
        select(ResponseRow).where(ResponseRow.item_id.in_(unique)).order_by(
            ResponseRow.item_id, ResponseRow.position)
    ):
        responses[response.item_id].append(response)
    return [_stored(rows[i], responses[i]) for i in ids if i in rows]


# Items never change once stored (edits make new items), so hot paths such as the
# annotation workbench can keep recently used ones in memory.
_ITEMS: ImmutableCache[StoredItem] = ImmutableCache(size=4096)


def load_item(session: Session, item_id: int) -> StoredItem:
    """One item, from the per-process cache when it was loaded recently."""
    return _ITEMS.get(session, item_id, lambda: load_items(session, [item_id])[0])


def forget_cached(session: Session, item_id: int) -> None:
    """Drop an item from this process's cache after its stored content was replaced."""
    _ITEMS.discard(str(session.get_bind().url), item_id)


def iter_loaded(session: Session, item_ids: Iterable[int], batch: int = 500) -> Iterator[StoredItem]:
    chunk: list[int] = []
    for item_id in item_ids:
        chunk.append(item_id)
        if len(chunk) >= batch:
            yield from load_items(session, chunk)
            chunk = []
    if chunk:
        yield from load_items(session, chunk)


def _item_row(workspace_id: int, content_hash: str, item: Item) -> dict[str, Any]:
    body = item.model_dump(mode="json", exclude_none=True)
    return {
        "workspace_id": workspace_id,
        "content_hash": content_hash,
        "external_id": item.external_id,
        "messages": body["messages"],
        "context": body["context"],
        "tools": body["tools"],
        "meta": body["metadata"],
    }


def _response_row(item_id: int, position: int, response: Any) -> dict[str, Any]:
    tokens = response.tokens
    return {
        "item_id": item_id,
        "position": position,
        "model": response.model,
        "model_version": response.model_version,
        "prompt_version": response.prompt_version,
        "content": response.content,
        "tool_calls": [c.model_dump(mode="json") for c in response.tool_calls]
        if response.tool_calls is not None else None,
        "latency_ms": response.latency_ms,
        "prompt_tokens": tokens.prompt if tokens else None,
        "completion_tokens": tokens.completion if tokens else None,
    }


def _stored(row: ItemRow, responses: list[ResponseRow]) -> StoredItem:
    item = Item.model_validate({
        "external_id": row.external_id,
        "messages": row.messages,
        "context": row.context,
        "tools": row.tools,
        "metadata": row.meta,
        "responses": [_response_dict(r) for r in responses],
    })
    return StoredItem(id=row.id, content_hash=row.content_hash, item=item,
                      response_ids=[r.id for r in responses])


def _response_dict(row: ResponseRow) -> dict[str, Any]:
    tokens = None
    if row.prompt_tokens is not None or row.completion_tokens is not None:
        tokens = {"prompt": row.prompt_tokens, "completion": row.completion_tokens}
    body = {
        "model": row.model,
        "model_version": row.model_version,
        "prompt_version": row.prompt_version,
        "content": row.content,
        "tool_calls": row.tool_calls,
        "latency_ms": row.latency_ms,
        "tokens": tokens,
    }
    return {k: v for k, v in body.items() if v is not None}
