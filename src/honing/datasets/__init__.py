"""Datasets: content-addressed items, immutable versions with lineage, exports."""

from honing.datasets._export import EXPORT_FORMATS, export_ref, export_version
from honing.datasets._items import (
    StoredItem,
    item_hashes,
    iter_loaded,
    load_item,
    load_items,
    store_items,
)
from honing.datasets._query import ItemPage, get_item, item_page, metadata_facets
from honing.datasets._versions import (
    VersionInfo,
    add_version,
    add_version_items,
    get_dataset,
    get_or_create_dataset,
    head_version,
    list_datasets,
    list_versions,
    parse_ref,
    resolve_version,
    version_hash,
    version_info,
    version_item_ids,
)

__all__ = [
    "EXPORT_FORMATS",
    "ItemPage",
    "StoredItem",
    "VersionInfo",
    "add_version",
    "add_version_items",
    "export_ref",
    "export_version",
    "get_dataset",
    "get_item",
    "get_or_create_dataset",
    "head_version",
    "item_hashes",
    "item_page",
    "iter_loaded",
    "list_datasets",
    "list_versions",
    "load_item",
    "load_items",
    "metadata_facets",
    "parse_ref",
    "resolve_version",
    "store_items",
    "version_hash",
    "version_info",
    "version_item_ids",
]
