"""Store and load items. Items are content-addressed per workspace: the same conversation
imported twice is one row, shared by every version that contains it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from honing.domain import Item
from honing.storage import ItemRow, ResponseRow, execute_unprepared, utcnow
from honing.storage._immutable import ImmutableCache
from honing.storage._tables import UtcDateTime


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
    if session.get_bind().dialect.name == "postgresql":
        existing = dict(execute_unprepared(session, _STORED_PG, {"workspace": workspace_id,
                                                                 "hashes": hashes}).all())
    else:
        existing = dict(session.execute(
            select(ItemRow.content_hash, ItemRow.id).where(
                ItemRow.workspace_id == workspace_id, ItemRow.content_hash.in_(hashes))
        ).all())
    new = {h: item for h, item in items if h not in existing}
    if new:
        existing.update(_insert(session, workspace_id, new))
    return [existing[h] for h, _ in items], len(new)


# A batch of items, and then its responses, is one statement over one JSON document that
# the database reads itself: the ORM's insert of many rows binds and converts every value
# in Python and, with RETURNING on PostgreSQL, sends a new statement text for each batch
# size; that was most of the time of storing a batch of production traces. Both databases
# keep a document's order and store what `->` extracts as the JSON column's value.
_STORED_PG = text("SELECT content_hash, id FROM item WHERE workspace_id = :workspace "
                  "AND content_hash = ANY(CAST(:hashes AS text[]))")
_INSERT_ITEMS = {dialect: text(
    "INSERT INTO item (workspace_id, content_hash, external_id, messages, context, tools, "
    f"metadata, created_at) {select_rows} RETURNING content_hash, id"
).bindparams(bindparam("now", type_=UtcDateTime())) for dialect, select_rows in {
    "postgresql": "SELECT :workspace, e->>0, e->>1, e->2, e->3, e->4, e->5, :now "
                  "FROM jsonb_array_elements(CAST(:rows AS jsonb)) AS e",
    "sqlite": "SELECT :workspace, value->>0, value->>1, value->2, value->3, value->4, "
              "value->5, :now FROM json_each(:rows)",
}.items()}
_INSERT_RESPONSES = {dialect: text(
    "INSERT INTO response (item_id, position, model, model_version, prompt_version, content, "
    f"tool_calls, latency_ms, prompt_tokens, completion_tokens) {select_rows}"
) for dialect, select_rows in {
    "postgresql": "SELECT CAST(e->>0 AS bigint), CAST(e->>1 AS integer), e->>2, e->>3, e->>4, "
                  "e->>5, e->6, CAST(e->>7 AS double precision), CAST(e->>8 AS integer), "
                  "CAST(e->>9 AS integer) FROM jsonb_array_elements(CAST(:rows AS jsonb)) AS e",
    "sqlite": "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, "
              "value->6, value->>7, value->>8, value->>9 FROM json_each(:rows)",
}.items()}
_ITEM_COLUMNS = ("content_hash", "external_id", "messages", "context", "tools", "meta")
_RESPONSE_COLUMNS = ("item_id", "position", "model", "model_version", "prompt_version",
                     "content", "tool_calls", "latency_ms", "prompt_tokens",
                     "completion_tokens")


def _json(value: Any, *, whole_floats: bool = False) -> str:
    # The same writer as `Item.canonical_json`: whatever could be hashed can be stored.
    if whole_floats:
        return orjson.dumps(_mark_whole_floats(value), default=_whole_float).decode()
    return orjson.dumps(value).decode()


class _WholeFloat(float):
    pass


def _mark_whole_floats(value: Any) -> Any:
    """jsonb keeps a number's digits, not its type: a float written 1e+16 is read back as the
    integer 10000000000000000, which changes the item and its hash. Such floats (whole, and
    large enough for an exponent) are written with their digits and a decimal point."""
    if type(value) is float:
        return _WholeFloat(value) if abs(value) >= 1e16 and value.is_integer() else value
    if isinstance(value, list):
        return [_mark_whole_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark_whole_floats(v) for k, v in value.items()}
    return value


def _whole_float(value: Any) -> orjson.Fragment:
    if isinstance(value, _WholeFloat):
        return orjson.Fragment(f"{int(value)}.0")
    raise TypeError(f"{type(value).__name__} is not JSON")


def _insert(session: Session, workspace_id: int, new: dict[str, Item]) -> dict[str, int]:
    dialect = session.get_bind().dialect.name
    rows = [_item_row(workspace_id, h, item) for h, item in new.items()]
    document = _json([[row[c] for c in _ITEM_COLUMNS] for row in rows],
                     whole_floats=dialect == "postgresql")
    ids = dict(session.execute(_INSERT_ITEMS[dialect], {
        "workspace": workspace_id, "now": utcnow(), "rows": document}).all())
    responses = [[row[c] for c in _RESPONSE_COLUMNS]
                 for h, item in new.items()
                 for position, response in enumerate(item.responses)
                 for row in [_response_row(ids[h], position, response)]]
    if responses:
        session.execute(_INSERT_RESPONSES[dialect], {"rows": _json(responses)})
    return ids


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
