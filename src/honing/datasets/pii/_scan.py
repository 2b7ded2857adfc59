"""PII across a dataset version: a report of what is there, and a redacted new version.

Both stream the version's items in batches, so memory stays flat whatever its size; the
report holds counts and masked snippets, never a raw value."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from honing import audit
from honing.datasets import (
    VersionInfo,
    add_version,
    add_version_items,
    get_dataset,
    head_version,
    iter_loaded,
    parse_ref,
    resolve_version,
    store_items,
    version_hash,
    version_info,
    version_item_ids,
)
from honing.datasets.pii._detect import active_backends, check_entities, detect, detector_names
from honing.datasets.pii._ner import NerBackend
from honing.datasets.pii._redact import Redactor, check_mode, redact_item
from honing.datasets.pii._workspace import check_backends_load, workspace_backends
from honing.domain import Item
from honing.storage import Workspace

_EXAMPLES = 3
_WINDOW = 40  # characters of masked context either side of an example
_BATCH = 500


@dataclass
class EntityReport:
    entity: str
    items: int = 0
    spans: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "items": self.items, "spans": self.spans,
                "examples": self.examples}


@dataclass
class PiiReport:
    """`items_with_pii` counts items holding PII of any type, whatever the entity filter, so
    a filtered scan never reads as "clean"; `items_matching` counts those holding the
    selected types (None without a filter). `detectors` names what looked."""

    ref: str
    items: int
    items_with_pii: int
    entities: dict[str, EntityReport]
    items_matching: int | None = None
    selected: list[str] | None = None
    detectors: list[str] = field(default_factory=lambda: ["rules"])

    def as_dict(self) -> dict[str, Any]:
        body = {"ref": self.ref, "items": self.items, "items_with_pii": self.items_with_pii,
                "detectors": self.detectors,
                "entities": [e.as_dict() for e in sorted(self.entities.values(),
                                                         key=lambda e: e.entity)]}
        if self.selected is not None:
            body["selected"] = self.selected
            body["items_matching"] = self.items_matching
        return body


@dataclass(frozen=True)
class RedactionResult:
    created: bool
    version: VersionInfo
    items: int
    changed_items: int
    spans: dict[str, int]
    detectors: tuple[str, ...] = ("rules",)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "items": self.items,
                "changed_items": self.changed_items, "spans": self.spans,
                "detectors": list(self.detectors), "version": self.version.as_dict()}


def item_texts(item: Item) -> Iterable[str]:
    """Every text field redaction touches (see `redact_item`)."""
    for message in item.messages:
        if message.content is not None:
            yield message.text
        for call in message.tool_calls or ():
            yield call.function.arguments
    for document in item.context:
        yield document.content
        if document.title:
            yield document.title
    for response in item.responses:
        if response.content:
            yield response.content
        for call in response.tool_calls or ():
            yield call.function.arguments
    yield from _strings(item.metadata)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def masked_example(text: str, spans: list, index: int) -> str:
    """The text around spans[index] with every span in the window masked as [TYPE]."""
    target = spans[index]
    low, high = max(0, target.start - _WINDOW), min(len(text), target.end + _WINDOW)
    pieces, position = [], low
    for span in spans:
        if span.end <= low or span.start >= high:
            continue
        pieces.append(text[position:max(position, span.start)])
        pieces.append(f"[{span.entity}]")
        position = max(position, span.end)
    pieces.append(text[position:high])
    snippet = " ".join("".join(pieces).split())
    return ("…" if low > 0 else "") + snippet + ("…" if high < len(text) else "")


def scan_version(session: Session, workspace: Workspace, ref: str, *,
                 entities: Iterable[str] | None = None, examples: int = _EXAMPLES,
                 backends: Sequence[str | NerBackend] | None = None) -> PiiReport:
    """Per entity type: how many items and spans, and a few masked examples. `backends`
    defaults to the workspace's NER backends; pass () for the rules alone."""
    models = _models(session, workspace, backends)
    wanted = check_entities(entities, models)
    name, wanted_version = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    version = resolve_version(session, dataset, wanted_version)
    report = PiiReport(ref=f"{name}@{version.number}", items=0, items_with_pii=0, entities={},
                       items_matching=0 if wanted is not None else None,
                       selected=sorted(wanted) if wanted is not None else None,
                       detectors=detector_names(models))
    for stored in iter_loaded(session, version_item_ids(session, version), batch=_BATCH):
        report.items += 1
        any_pii = False
        seen: set[str] = set()
        for text in item_texts(stored.item):
            # Every type is detected once; the filter only chooses what the table lists.
            spans = detect(text, backends=models)
            any_pii = any_pii or bool(spans)
            for index, span in enumerate(spans):
                if wanted is not None and span.entity not in wanted:
                    continue
                entry = report.entities.setdefault(span.entity, EntityReport(span.entity))
                entry.spans += 1
                if span.entity not in seen:
                    seen.add(span.entity)
                    entry.items += 1
                if len(entry.examples) < examples:
                    entry.examples.append(masked_example(text, spans, index))
        report.items_with_pii += any_pii
        if report.items_matching is not None:
            report.items_matching += bool(seen)
    return report


def _models(session: Session, workspace: Workspace,
            backends: Sequence[str | NerBackend] | None) -> list[NerBackend]:
    if backends is None:
        return check_backends_load(workspace, workspace_backends(session, workspace))
    return active_backends(backends)


def redact_version(session: Session, workspace: Workspace, ref: str, mode: str, *,
                   actor: str, entities: Iterable[str] | None = None,
                   backends: Sequence[str | NerBackend] | None = None) -> RedactionResult:
    """A new version of the dataset with PII redacted (lineage: operation "pii_redact", the
    source version as parent, and the detectors that looked). Items without PII are shared
    with the source, not copied. When the result equals the newest version, nothing is
    created. `backends` defaults to the workspace's NER backends."""
    mode = check_mode(mode)
    models = _models(session, workspace, backends)
    selected = check_entities(entities, models)
    wanted = sorted(selected) if selected is not None else None
    detectors = tuple(detector_names(models))
    # Fails on a missing hash key before reading anything.
    Redactor(mode, entities=wanted, backends=models)
    name, wanted_version = parse_ref(ref)
    dataset = get_dataset(session, workspace, name)
    source = resolve_version(session, dataset, wanted_version)
    # Memory stays flat: item ids are kept as 8-byte integers, content hashes are only
    # streamed into the version hash, and redacted items are stored a batch at a time.
    ids = array("q")
    spans: dict[str, int] = {}
    changed = 0
    pending: list[tuple[int, str, Item]] = []  # (position, hash, redacted item)

    def flush() -> None:
        stored_ids, _ = store_items(session, workspace.id, [(h, i) for _, h, i in pending])
        for (position, _, _), item_id in zip(pending, stored_ids, strict=True):
            ids[position] = item_id
        pending.clear()

    def redacted_hashes() -> Iterator[str]:
        nonlocal changed
        for stored in iter_loaded(session, version_item_ids(session, source), batch=_BATCH):
            redactor = Redactor(mode, entities=wanted, backends=models)
            item = redact_item(stored.item, redactor)
            for entity, count in redactor.found.items():
                spans[entity] = spans.get(entity, 0) + count
            ids.append(stored.id)
            if item is stored.item:
                yield stored.content_hash
                continue
            changed += 1
            content = item.content_hash()
            pending.append((len(ids) - 1, content, item))
            if len(pending) >= _BATCH:
                flush()
            yield content
        if pending:
            flush()

    content_hash = version_hash(redacted_hashes())
    head = head_version(session, dataset)
    if head is not None and head.content_hash == content_hash:
        return RedactionResult(False, version_info(session, dataset, head), len(ids), changed,
                               spans, detectors)
    version = add_version(
        session, dataset, content_hash=content_hash, item_count=len(ids),
        operation="pii_redact", actor=actor, parents=[source],
        parameters={"mode": mode, "entities": wanted or "all", "source": f"{name}@{source.number}",
                    "changed_items": changed, "detectors": list(detectors)},
    )
    for start in range(0, len(ids), 1000):
        add_version_items(session, version, start, ids[start:start + 1000].tolist())
    audit.record(session, actor=actor, action="dataset.pii_redact",
                 target=f"dataset:{name}@{version.number}", workspace=workspace.name,
                 details={"source": f"{name}@{source.number}", "mode": mode,
                          "items": len(ids), "changed_items": changed, "spans": spans,
                          "detectors": list(detectors)})
    return RedactionResult(True, version_info(session, dataset, version), len(ids), changed,
                           spans, detectors)
