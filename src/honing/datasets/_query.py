"""Read items of a version: pages filtered by metadata, single items, metadata facets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing._errors import InvalidInput, NotFound
from honing.datasets._items import StoredItem, load_items
from honing.storage import DatasetVersion, DatasetVersionItem, ItemRow, Workspace

MAX_PAGE = 200
# JSON path keys are quoted into SQL JSON paths: no quotes, backslashes or control chars.
_FILTER_KEY = re.compile(r'[^\x00-\x1f"\\]{1,128}')


@dataclass(frozen=True)
class ItemPage:
    items: list[tuple[int, StoredItem]]  # (position in the version, item)
    total: int
    offset: int
    limit: int


def _filtered(version: DatasetVersion, filters: dict[str, str]):  # type: ignore[no-untyped-def]
    query = (select(DatasetVersionItem.position, DatasetVersionItem.item_id)
             .join(ItemRow, ItemRow.id == DatasetVersionItem.item_id)
             .where(DatasetVersionItem.version_id == version.id))
    for key, value in filters.items():
        if not _FILTER_KEY.fullmatch(key):
            raise InvalidInput(f"metadata filter key {key!r} is not valid",
                               hint="keys are 1-128 characters without quotes, "
                               "backslashes or control characters")
        if "\x00" in value:
            raise InvalidInput("metadata filter values cannot contain NUL characters")
        query = query.where(ItemRow.meta[key].as_string() == value)
    return query


def item_page(session: Session, version: DatasetVersion, *, offset: int = 0, limit: int = 50,
              filters: dict[str, str] | None = None) -> ItemPage:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    query = _filtered(version, filters or {})
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(DatasetVersionItem.position)
                           .offset(offset).limit(limit)).all()
    loaded = load_items(session, [item_id for _, item_id in rows])
    return ItemPage(list(zip([p for p, _ in rows], loaded, strict=True)), total, offset, limit)


def metadata_facets(session: Session, version: DatasetVersion, *, sample: int = 200,
                    max_values: int = 40) -> dict[str, list[tuple[str, int]]]:
    """Metadata keys with few distinct text values, and their counts, for filter menus."""
    sampled = session.scalars(
        select(ItemRow.meta).join(DatasetVersionItem, DatasetVersionItem.item_id == ItemRow.id)
        .where(DatasetVersionItem.version_id == version.id).limit(sample))
    keys = sorted({k for meta in sampled for k, v in meta.items() if isinstance(v, str)})
    facets: dict[str, list[tuple[str, int]]] = {}
    for key in keys:
        value = ItemRow.meta[key].as_string()
        counts = session.execute(
            select(value, func.count()).join(DatasetVersionItem,
                                              DatasetVersionItem.item_id == ItemRow.id)
            .where(DatasetVersionItem.version_id == version.id, value.is_not(None))
            .group_by(value).order_by(func.count().desc()).limit(max_values + 1)
        ).all()
        if 1 < len(counts) <= max_values:
            facets[key] = [(str(v), n) for v, n in counts]
    return facets


def metadata_keys(session: Session, version: DatasetVersion, *, sample: int = 500) -> list[str]:
    """Every metadata key found in the first `sample` items of the version, of any type: the
    fields a queue may show its raters (a facet lists only keys with few text values)."""
    sampled = session.scalars(
        select(ItemRow.meta).join(DatasetVersionItem, DatasetVersionItem.item_id == ItemRow.id)
        .where(DatasetVersionItem.version_id == version.id).limit(sample))
    return sorted({key for meta in sampled for key in meta})


def get_item(session: Session, workspace: Workspace, item_id: int) -> StoredItem:
    row = session.scalar(select(ItemRow.id).where(ItemRow.id == item_id,
                                                   ItemRow.workspace_id == workspace.id))
    if row is None:
        raise NotFound(f"item {item_id} does not exist in workspace {workspace.name!r}")
    return load_items(session, [item_id])[0]
