"""Deduplicate a dataset version: report its duplicate clusters, then (on request) write a
new version that keeps one representative per cluster, the first by position."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import Conflict, InvalidInput
from honing.datasets._items import item_hashes, iter_loaded
from honing.datasets._versions import (
    VersionInfo,
    add_version,
    add_version_items,
    get_dataset,
    parse_ref,
    resolve_version,
    version_hash,
    version_info,
    version_item_ids,
)
from honing.datasets.dedup._near import Kind, near_duplicates
from honing.domain import Item
from honing.storage import ItemRow, Workspace

Field = Literal["user", "messages", "responses", "all"]
# Called as progress(phase, done, total) while items are read ("comparing").
Progress = Callable[[str, int, int | None], None]
FIELDS: tuple[Field, ...] = ("user", "messages", "responses", "all")
# The user's turns, as the contamination check compares them: conversations of one
# assistant share a long system prompt, which made 35 of 46 of them one cluster at 0.5.
DEFAULT_FIELD: Field = "user"
# The deployment's instructions, not the conversation ("developer" is OpenAI's newer name).
SYSTEM_ROLES = frozenset({"system", "developer"})
PREVIEW_CHARS = 80
_PREVIEWED_MEMBERS = 3
_WRITE_BATCH = 1000


def check_field(field: str) -> Field:
    if field not in FIELDS:
        raise InvalidInput(f"field {field!r} is not one of: {', '.join(FIELDS)}",
                           hint="user: the user's turns; messages: every turn but system prompts; "
                           "responses: the candidate responses; all: everything, system prompts too")
    return field  # type: ignore[return-value]


def item_text(item: Item, field: Field = DEFAULT_FIELD) -> str:
    """What is compared: the user's turns, every turn but system prompts, the candidate
    responses, or all of it with the system prompts."""
    check_field(field)
    parts: list[str] = []
    if field == "user":
        parts.extend(m.text for m in item.messages if m.role == "user")
    elif field == "messages":
        parts.extend(m.text for m in item.messages if m.role not in SYSTEM_ROLES)
    elif field == "all":
        parts.extend(m.text for m in item.messages)
    if field in ("responses", "all"):
        parts.extend(r.content or "" for r in item.responses)
    return "\n".join(p for p in parts if p)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class DuplicateCluster:
    """Items with the same (exact) or nearly the same (near) text. Positions are in the
    version; the first is the representative a deduplicated version keeps."""

    kind: Kind
    positions: list[int]
    item_ids: list[int]
    previews: list[str]  # of the first few members
    # The ids the records were imported with (None for a record that had none): what the
    # user knows their data by, where item_ids are the store's own.
    record_ids: list[str | None]

    @property
    def size(self) -> int:
        return len(self.positions)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "size": self.size, "positions": self.positions,
                "item_ids": self.item_ids, "record_ids": self.record_ids, "keep": self.item_ids[0],
                "keep_record_id": self.record_ids[0], "previews": self.previews}


@dataclass(frozen=True)
class DedupReport:
    dataset: str
    version: int
    content_hash: str
    items: int
    empty: int  # items with no text in `field`: never anyone's duplicate
    field: Field
    threshold: float
    parameters: dict[str, Any]
    clusters: list[DuplicateCluster]

    @property
    def ref(self) -> str:
        return f"{self.dataset}@{self.version}"

    @property
    def removable(self) -> int:
        """Items a deduplicated version drops: all but the first of each cluster."""
        return sum(c.size - 1 for c in self.clusters)

    def count(self, kind: Kind) -> int:
        return sum(1 for c in self.clusters if c.kind == kind)

    def sizes(self) -> dict[int, int]:
        """cluster size -> how many clusters have it."""
        out: dict[int, int] = {}
        for cluster in self.clusters:
            out[cluster.size] = out.get(cluster.size, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "version": self.version, "ref": self.ref,
                "content_hash": self.content_hash, "items": self.items, "empty": self.empty,
                "field": self.field, "threshold": self.threshold, "parameters": self.parameters,
                "clusters_total": len(self.clusters), "exact_clusters": self.count("exact"),
                "near_clusters": self.count("near"), "removable": self.removable,
                "sizes": {str(k): v for k, v in self.sizes().items()},
                "clusters": [c.as_dict() for c in self.clusters]}


def dedup_version(session: Session, workspace: Workspace, ref: str, *, threshold: float = 0.8,
                  field: Field = DEFAULT_FIELD, progress: Progress | None = None,
                  **options: Any) -> DedupReport:
    """Duplicate clusters of DATASET[@VERSION]. Items are streamed; memory holds their ids,
    shingle hashes and band keys, not their text. `options` go to `near_duplicates`."""
    if not 0 < threshold <= 1:
        raise InvalidInput(f"threshold {threshold} is not in (0, 1]", hint="e.g. --threshold 0.8")
    check_field(field)
    name, wanted = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    version = resolve_version(session, dataset, wanted)
    ids = array("q")

    def texts() -> Iterator[str]:
        for stored in iter_loaded(session, version_item_ids(session, version)):
            ids.append(stored.id)
            if progress is not None and len(ids) % 1000 == 0:
                progress("comparing", len(ids), version.item_count)
            yield item_text(stored.item, field)

    try:
        found = near_duplicates(texts(), threshold=threshold, **options)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"deduplication options are not valid: {error}") from None
    if progress is not None:
        progress("comparing", found.documents, version.item_count)
    shown = {ids[p] for c in found.clusters for p in c.members[:_PREVIEWED_MEMBERS]}
    previews = {s.id: preview(item_text(s.item, field)) for s in iter_loaded(session, sorted(shown))}
    records = _record_ids(session, [ids[p] for c in found.clusters for p in c.members])
    clusters = [DuplicateCluster(c.kind, list(c.members), [ids[p] for p in c.members],
                                 [previews[ids[p]] for p in c.members[:_PREVIEWED_MEMBERS]],
                                 [records.get(ids[p]) for p in c.members])
                for c in found.clusters]
    return DedupReport(dataset=name, version=version.number, content_hash=version.content_hash,
                       items=found.documents, empty=found.empty, field=field, threshold=threshold,
                       parameters=found.parameters, clusters=clusters)


def _record_ids(session: Session, item_ids: list[int]) -> dict[int, str | None]:
    """Imported record ids of the clustered items only, read in chunks: a version's other
    items never need theirs."""
    found: dict[int, str | None] = {}
    for start in range(0, len(item_ids), 1000):
        chunk = item_ids[start:start + 1000]
        rows = session.execute(select(ItemRow.id, ItemRow.external_id).where(ItemRow.id.in_(chunk)))
        found.update((item_id, record) for item_id, record in rows)
    return found


def write_deduplicated(session: Session, workspace: Workspace, ref: str, report: DedupReport,
                       *, actor: str) -> VersionInfo:
    """A new head version of the dataset without the report's redundant items, with the
    source version as its parent (operation "dedup"), recorded in the audit log."""
    name, wanted = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    source = resolve_version(session, dataset, wanted)
    if (name, source.number, source.content_hash) != (report.dataset, report.version, report.content_hash):
        raise Conflict(f"the report is for {report.ref}, not {name}@{source.number}",
                       hint="compute the report for the version you deduplicate")
    if not report.removable:
        raise InvalidInput(f"{report.ref} has no duplicates; there is nothing to write")
    dropped = {p for c in report.clusters for p in c.positions[1:]}
    kept = [item_id for position, item_id in enumerate(version_item_ids(session, source))
            if position not in dropped]
    content_hash = version_hash(item_hashes(session, kept))
    parameters = {"source": f"{name}@{source.number}", "field": report.field,
                  "threshold": report.threshold, **{k: v for k, v in report.parameters.items()
                                                    if k != "threshold"},
                  "clusters": len(report.clusters), "removed": len(dropped)}
    version = add_version(session, dataset, content_hash=content_hash, item_count=len(kept),
                          operation="dedup", parameters=parameters, actor=actor, parents=[source])
    for start in range(0, len(kept), _WRITE_BATCH):
        add_version_items(session, version, start, kept[start:start + _WRITE_BATCH])
    audit.record(session, actor=actor, action="dataset.dedup",
                 target=f"dataset:{name}@{version.number}", workspace=workspace.name,
                 details={"source": f"{name}@{source.number}", "content_hash": content_hash,
                          "removed": len(dropped), "items": len(kept), "field": report.field,
                          "threshold": report.threshold})
    return version_info(session, dataset, version)
